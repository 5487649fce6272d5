"""Frozen entry point of the command line (PyInstaller runs this as `amc`)."""

import multiprocessing
import sys

# Left out of the bundle (see amc-photo-search.spec): needed by `amc train`, `eval`, `export`.
TRAINING_ONLY = {"torch", "onnx", "onnxscript"}

if __name__ == "__main__":
    multiprocessing.freeze_support()  # see entry_gui.py
    from amc_core.cli import main

    try:
        code = main()
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in TRAINING_ONLY:
            raise
        print(
            f"amc: error: this command needs {exc.name}, which the desktop bundle leaves out; "
            "use the Python package with the [train] extra (pip install 'amc-photo-search[train]')",
            file=sys.stderr,
        )
        code = 1
    sys.exit(code)
