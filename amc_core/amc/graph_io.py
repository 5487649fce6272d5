"""Names and files of the exported graphs (no torch here: search imports this at run time)."""

HEAD_NAME = "amc_head.onnx"
QUERY_NAME = "amc_query.onnx"
HEAD_INPUTS = ("q_vectors", "q_weights", "q_intent", "region_ids", "region_probs",
               "kw_sims", "kw_conf", "kw_source", "kw_mask")  # fmt: skip
HEAD_OUTPUTS = ("scores", "region_attention", "keyword_attention", "modality")
QUERY_INPUTS = ("word_vectors",)
QUERY_OUTPUTS = ("token_vectors", "query_vector")
