"""Build-time tools: word vectors, labels, gazetteer, OCR models and the encoder export.
Never imported by the product at run time."""
