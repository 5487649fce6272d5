"""Frozen entry point of the desktop app (PyInstaller runs this as `amc-photo-search`)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Indexing decodes in worker processes (forkserver on Linux, spawn elsewhere): in a frozen
    # app they start this same executable, and freeze_support() turns them into workers.
    multiprocessing.freeze_support()
    from amc_app.main import main

    sys.exit(main())
