"""Store: the catalog (the only place with SQL), the vector index, thumbnails and the library
folder's layout."""
