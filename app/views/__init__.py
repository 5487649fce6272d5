"""Views: widgets that lay out and paint, and emit what the user did (no engine calls)."""
