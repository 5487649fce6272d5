"""Entry point of the desktop application (gui-script ``amc-photo-search``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from amc_core.api import EXIT_DAMAGED, AmcError, __version__, resolve_library_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="amc-photo-search")
    parser.add_argument("--library", metavar="DIR", help="library folder")
    parser.add_argument("--version", action="version", version=f"AMC Photo Search {__version__}")
    # smoke tests of installs and bundles: close the window this long after it has shown
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

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
