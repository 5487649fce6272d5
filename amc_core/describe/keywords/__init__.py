"""Keyword generators that read a photo's metadata: camera, dates, path words, places."""
