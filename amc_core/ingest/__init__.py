"""Ingest: from a file on disk to a decoded photo (scan, formats, decode, EXIF, hashing).
Calls nothing downstream."""
