"""Learn: clicks, training, evaluation and export of the AMC head (with build, the only
stage that imports torch)."""
