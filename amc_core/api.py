"""The front door: what the app may use of the engine."""
