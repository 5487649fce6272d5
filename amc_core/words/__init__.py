"""Word tools every stage shares: the keyword record, normalisation, word vectors, the
ImageNet labels as WordNet terms and the semantic space built from them. Imports neither
OpenCV nor torch, and no stage above it."""
