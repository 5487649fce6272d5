#!/usr/bin/env bash
# A library on a full disk: `amc index` must stop with one clear line, leave a catalog that
# opens and passes SQLite's integrity check, and finish once space is freed. Then the same
# library on a read-only disk: every command answers in one line, never a traceback.
# Needs root (it mounts a 600 KB tmpfs). Usage: benchmarks/full_disk_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
AMC=.venv/bin/amc
work=$(mktemp -d)
mnt="$work/disk"
mkdir -p "$mnt"
mount -t tmpfs -o size=600k tmpfs "$mnt"
trap 'umount "$mnt" 2>/dev/null || true; rm -rf "$work"' EXIT
.venv/bin/python - "$work/photos" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, "tests")
from photo_factory import write_photo
for i in range(60):
    write_photo(Path(sys.argv[1]) / f"p{i:02d}.jpg", 640, 480, seed=i)
PY
set +e
"$AMC" index "$work/photos" --library "$mnt/lib" --json >"$work/out" 2>"$work/err"
rc=$?
set -e
echo "full disk: exit $rc, stderr: $(cat "$work/err")"
[ "$rc" -ne 0 ] && grep -q "disk that holds the library is full" "$work/err"
! grep -q Traceback "$work/err"
.venv/bin/python -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('integrity:', c.execute('PRAGMA integrity_check').fetchone()[0])" "$mnt/lib/catalog.sqlite3"
"$AMC" status --library "$mnt/lib" --json | .venv/bin/python -c "import json,sys; d=json.load(sys.stdin); print('after failure: photos', d['photos'], 'pending', d['pending'])"
mount -o remount,size=64m "$mnt"
"$AMC" index "$work/photos" --library "$mnt/lib" --json | .venv/bin/python -c "import json,sys; d=json.load(sys.stdin); print('space freed: indexed', d['indexed'], 'failed', d['failed']); assert d['indexed'] + d['skipped'] == 60"
no_traceback() {  # a command on the library: its exit status and first line, no traceback
    set +e
    "$AMC" "$@" --library "$mnt/lib" >"$work/out" 2>"$work/err"
    local rc=$?
    set -e
    echo "$* -> exit $rc: $(head -c 160 "$work/err")"
    ! grep -q Traceback "$work/err"
}
"$AMC" search "photo" --library "$mnt/lib" >/dev/null  # leave it healthy, then freeze it
mount -o remount,ro "$mnt"
for cmd in "status" "search photo" "index $work/photos" "repair"; do
    # shellcheck disable=SC2086
    no_traceback $cmd
done
mount -o remount,rw "$mnt"
echo "OK"
