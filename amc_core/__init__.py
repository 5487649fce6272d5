"""AMC Photo Search engine: catalog, indexing, keywords, models and search. Never imports Qt."""

__version__ = "0.1.0"
VERBOSE_VAR = "AMC_VERBOSE"  # "1": say why the GPU is not used (the app's --verbose)
