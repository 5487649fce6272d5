"""Entry point of the desktop application (gui-script ``amc-photo-search``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from amc_core.api import EXIT_DAMAGED, VERBOSE_VAR, AmcError, __version__, resolve_library_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="amc-photo-search")
    parser.add_argument("--library", metavar="DIR", help="library folder")
    parser.add_argument("--version", action="version", version=f"AMC Photo Search {__version__}")
    parser.add_argument(
        "--verbose", action="store_true", help="say why the GPU is not used, and other details"
    )
    # smoke tests of installs and bundles: close the window this long after it has shown
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.verbose:
        import logging

        os.environ[VERBOSE_VAR] = "1"
        logging.basicConfig(level=logging.INFO, format="amc-photo-search: %(message)s")
    from amc_app.platform_check import xcb_problem

    problem = xcb_problem()
    if problem:  # Qt would abort the process with a message naming the wrong package
        print(f"amc-photo-search: error: {problem}", file=sys.stderr)
        return 1

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from amc_app.session import AppSession
    from amc_app.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("AMC Photo Search")
    app.setOrganizationName("amc-photo-search")
    session = AppSession(resolve_library_dir(args.library), MainWindow)
    try:
        if not session.open():
            print(
                "amc-photo-search: the library's catalog is damaged; not repaired", file=sys.stderr
            )
            return EXIT_DAMAGED
    except AmcError as exc:
        # no window to hold a banner yet: the one dialog the app shows
        print(f"amc-photo-search: error: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "AMC Photo Search", f"The library cannot be opened.\n\n{exc}")
        return 1
    if args.quit_after is not None:
        QTimer.singleShot(max(0, args.quit_after), app.quit)
    code = app.exec()
    session.close()
    return int(code)
