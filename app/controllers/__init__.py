"""Controllers: behaviour in named methods, connecting views, models and workers."""
