"""Index: the indexing run (ingest -> describe -> store) and its worker pool. A run leaves the
catalog, the thumbnails and the vector index complete and consistent."""
