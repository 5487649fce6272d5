"""AMC Photo Search engine: catalog, indexing, keywords, models and search. Never imports Qt."""

__version__ = "0.1.0"
