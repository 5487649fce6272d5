"""Qt item models and the presentation records the views show."""
