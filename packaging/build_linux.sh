#!/usr/bin/env bash
# Build the one-folder Linux bundle dist/amc-photo-search/ (the app, the `amc` CLI, and the
# .desktop entry and icons under share/), from the dev venv (make install; pip install
# pyinstaller). Usage: packaging/build_linux.sh   (PYTHON=... to use another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
NAME=amc-photo-search
DIST=dist/$NAME

"$PYTHON" -m PyInstaller --version >/dev/null 2>&1 || {
    echo "build_linux.sh: PyInstaller is missing: $PYTHON -m pip install pyinstaller" >&2
    exit 1
}
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller "packaging/$NAME.spec"

# Desktop integration inside the bundle, laid out like a prefix (share/applications, icons).
install -Dm644 "resources/$NAME.desktop" "$DIST/share/applications/$NAME.desktop"
install -Dm644 "resources/icons/$NAME.png" "$DIST/share/icons/hicolor/256x256/apps/$NAME.png"
install -Dm644 "resources/icons/$NAME.svg" "$DIST/share/icons/hicolor/scalable/apps/$NAME.svg"
install -Dm755 packaging/install_desktop_entry.sh "$DIST/install-desktop-entry.sh"

seconds=$(($(date +%s) - start))
size=$(du -sh "$DIST" | cut -f1)
echo "built $DIST in ${seconds}s, $size"
echo "run: $DIST/$NAME   (CLI: $DIST/amc)   menu entry: $DIST/install-desktop-entry.sh"
