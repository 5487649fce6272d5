"""Search: one parsed Query, candidates, AMC re-ranking, explanations and one result type.
Reads the store; never imports indexing, learning, torch or OpenCV."""
