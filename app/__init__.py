"""AMC Photo Search desktop application (installed as ``amc_app``): a thin layer over amc_core."""

from amc_app.qt_compat import guard_reference_counts

# Before any other Qt call of the process: see qt_compat (PySide6 6.12.0 on Python 3.11).
guard_reference_counts()
