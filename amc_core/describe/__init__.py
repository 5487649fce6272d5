"""Describe: everything that turns a decoded photo into evidence (the visual encoder, faces,
text, colours and the keyword generators). Reads decoded photos, writes nothing."""
