#!/usr/bin/env bash
# Add AMC Photo Search to the desktop's application menu for this user (no root):
# ~/.local/share/applications/amc-photo-search.desktop (Exec= this bundle's program) and the
# icons under ~/.local/share/icons/hicolor. `--uninstall` removes them again.
# Ships inside the bundle as install-desktop-entry.sh; run it from where the bundle will stay.
set -euo pipefail
NAME=amc-photo-search
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
APPS=$DATA/applications
ICONS=$DATA/icons/hicolor

if [[ ${1:-} == --uninstall ]]; then
    rm -f "$APPS/$NAME.desktop" "$ICONS/256x256/apps/$NAME.png" "$ICONS/scalable/apps/$NAME.svg"
else
    install -Dm644 "$HERE/share/icons/hicolor/256x256/apps/$NAME.png" "$ICONS/256x256/apps/$NAME.png"
    install -Dm644 "$HERE/share/icons/hicolor/scalable/apps/$NAME.svg" "$ICONS/scalable/apps/$NAME.svg"
    mkdir -p "$APPS"
    # the bundle is not on PATH: the menu entry runs it by its full path
    sed "s|^Exec=.*|Exec=\"$HERE/$NAME\"|" "$HERE/share/applications/$NAME.desktop" >"$APPS/$NAME.desktop"
    chmod 644 "$APPS/$NAME.desktop"
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
if [[ ${1:-} == --uninstall ]]; then echo "removed $APPS/$NAME.desktop"; else echo "installed $APPS/$NAME.desktop"; fi
