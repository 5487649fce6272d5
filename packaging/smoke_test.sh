#!/usr/bin/env bash
# Smoke test of the built bundle, as a user would run it: outside the checkout, a clean
# environment (no PYTHONPATH, no venv, a fresh HOME), offscreen Qt. Starts the app for a
# moment, then indexes 12 real photos with the bundled `amc` (two decode worker processes)
# and searches them. Prints OK, or the failing step and exits non-zero.
# Usage: packaging/smoke_test.sh [BUNDLE_DIR]   (default dist/amc-photo-search)
# JSON is checked with any system python3 (standard library only); the bundle needs none.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUNDLE=$(cd "${1:-$REPO/dist/amc-photo-search}" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
run() {  # run a bundled program in the clean environment, outside the checkout
    (cd "$WORK" && env -i PATH=/usr/bin:/bin HOME="$WORK/home" LANG=C.UTF-8 \
        XDG_RUNTIME_DIR="$WORK/run" QT_QPA_PLATFORM=offscreen AMC_LIBRARY="$WORK/library" \
        timeout 300 "$@")
}
check() {  # check EXPR on the JSON in $out (bound to `d`)
    /usr/bin/env python3 -c "import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if ($1) else 1)" "$out" ||
        fail "$2: $out"
}

mkdir -p "$WORK/home" "$WORK/run" "$WORK/photos"
chmod 700 "$WORK/run"
cp "$REPO"/tests/data/photos/*.jpg "$WORK/photos/"
for id in 005 006 007 008 009 010 011; do cp "$REPO/data/devset/photos/dv$id.jpg" "$WORK/photos/"; done

[[ -x $BUNDLE/amc && -x $BUNDLE/amc-photo-search ]] || fail "no amc / amc-photo-search in $BUNDLE"
echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"

out=$(run "$BUNDLE/amc" --version) || fail "amc --version"
echo "$out"

out=$(run "$BUNDLE/amc" keywords "$WORK/photos/chelsea_cat.jpg" --json) || fail "amc keywords"
check '{"cat", "feline"} <= {k["keyword"] for k in d["keywords"]}' "keywords of chelsea_cat.jpg"
echo "keywords: chelsea_cat.jpg has cat and feline"

start=$(date +%s%N)
out=$(run "$BUNDLE/amc" index "$WORK/photos" --workers 2 --json) || fail "amc index: $out"
check 'd["indexed"] == 12 and d["failed"] == 0' "amc index"
echo "index: 12 photos in $((($(date +%s%N) - start) / 1000000)) ms (2 worker processes)"

out=$(run "$BUNDLE/amc" search cat --json) || fail "amc search cat"
check 'd["results"][0]["path"].endswith("chelsea_cat.jpg")' "search cat"
out=$(run "$BUNDLE/amc" search motorcycle --json) || fail "amc search motorcycle"
check 'd["results"][0]["path"].endswith("dv005.jpg")' "search motorcycle"
echo "search: cat -> chelsea_cat.jpg, motorcycle -> dv005.jpg"

out=$(run "$BUNDLE/amc" status --json) || fail "amc status"
check 'd["photos"] == 12 and d["execution_provider"] in ("CPU", "CUDA")' "amc status"
echo "status: $(/usr/bin/env python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["photos"], "photos, provider", d["execution_provider"])' "$out")"

# training is left out of the bundle: one clear line, no traceback
out=$(run "$BUNDLE/amc" train --format user 2>&1) && fail "amc train ran without torch: $out"
[[ $out == "amc: error: "*"[train]"* && $out != *Traceback* ]] || fail "amc train: $out"
echo "train: refused with one line (no torch in the bundle)"

# the app: opens the library, shows its window, closes it 2 s later
run "$BUNDLE/amc-photo-search" --quit-after 2000 >"$WORK/app.log" 2>&1 ||
    fail "amc-photo-search exited $?: $(cat "$WORK/app.log")"
! grep -q Traceback "$WORK/app.log" || fail "amc-photo-search: $(cat "$WORK/app.log")"
echo "app: window shown offscreen, exited 0"

echo OK
