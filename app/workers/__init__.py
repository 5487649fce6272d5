"""Workers: the engine's generators and long jobs off the UI thread (one adapter, jobs.py)."""
