#!/usr/bin/env bash
# CUDA vs CPU check for the re-ranking head, the visual encoder and the face embedding
# (benchmarks/gpu_check.py). The face model is fetched, not in git: copy resources/faces along.
#
#   bash benchmarks/gpu_check.sh [--seconds 12]      (arguments go to gpu_check.py)
#
# For a fresh machine where the repository tree was copied: it uses .venv when there is one;
# only when .venv is missing does it create one (with the system's site packages visible) and
# run `pip install -e .`. When there is an NVIDIA GPU but onnxruntime's CUDA provider does not
# load, it installs the CUDA/cuDNN runtime wheels (`onnxruntime-gpu[cuda,cudnn]`, same version)
# ONLY if the package index is reachable; otherwise gpu_check.py relies on an installed torch and
# onnxruntime.preload_dlls(). Every step says what it did. Nothing else is downloaded. Takes
# 1-3 minutes (plus the installs, if any were needed).
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
say() { printf '[gpu_check.sh] %s\n' "$*"; }
PIP_LOG=$(mktemp -t gpu_check_pip.XXXXXX)
pip_quiet() {  # pip's output goes to a log; on failure its last lines are shown
    if "$@" >"$PIP_LOG" 2>&1; then return 0; fi
    { grep -iE 'error|required|could not|no matching' "$PIP_LOG" || tail -n 3 "$PIP_LOG"; } \
        | tail -n 3 | sed 's/^/    pip: /'
    return 1
}

network_ok() {
    local index="${PIP_INDEX_URL:-}"
    if [ -z "$index" ] && [ -x .venv/bin/python ]; then
        index=$(.venv/bin/python -m pip config get global.index-url 2>/dev/null || true)
    fi
    index="${index:-https://pypi.org/simple/}"
    "$PY" - "$index" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1].rstrip("/") + "/pip/", timeout=5)
EOF
}

SYSTEM_PY=$(command -v python3.11 || command -v python3 || true)
if [ -x .venv/bin/python ]; then
    say "using the existing .venv ($(.venv/bin/python --version 2>&1))"
elif [ -n "$SYSTEM_PY" ] && "$SYSTEM_PY" -c "import numpy, onnxruntime" 2>/dev/null; then
    # a python that already has them (often itself a venv, whose packages a new
    # --system-site-packages venv would NOT see): use it as it is
    say "no .venv: using $SYSTEM_PY, which has numpy and onnxruntime"
    USE_PY="$SYSTEM_PY"
else
    if [ -z "$SYSTEM_PY" ]; then
        say "no .venv and no python3 on this machine: cannot run"; exit 2
    fi
    say "no .venv: creating one with $SYSTEM_PY (--system-site-packages, so a preinstalled torch/onnxruntime-gpu is used)"
    "$SYSTEM_PY" -m venv --system-site-packages .venv || { say "venv creation failed"; exit 2; }
    PY=.venv/bin/python
    if network_ok; then
        say "package index reachable: pip install -e . (the project and its dependencies)"
        pip_quiet .venv/bin/python -m pip install --quiet -e . && say "pip install -e . done" \
            || say "pip install -e . FAILED (continuing with what is installed)"
    else
        say "no network: pip install -e . --no-deps --no-build-isolation (the project only; its dependencies must be preinstalled)"
        pip_quiet .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e . \
            && say "pip install -e . --no-deps done" \
            || say "pip install -e . --no-deps FAILED (gpu_check.py runs from the source tree anyway)"
    fi
fi
PY=${USE_PY:-.venv/bin/python}

if ! "$PY" -c "import numpy, onnxruntime" 2>/dev/null; then
    say "numpy and onnxruntime(-gpu) are needed and not importable in $PY"
    if network_ok; then
        say "package index reachable: pip install numpy onnxruntime-gpu"
        pip_quiet "$PY" -m pip install --quiet numpy onnxruntime-gpu || { say "install failed"; exit 2; }
    else
        say "no network to install them: cannot run"; exit 2
    fi
fi

"$PY" benchmarks/gpu_check.py --probe
probe=$?
if [ "$probe" -eq 3 ]; then
    version=$("$PY" -c "import importlib.metadata as m; print(m.version('onnxruntime-gpu'))" 2>/dev/null || true)
    if [ -n "$version" ] && network_ok; then
        say "GPU present but CUDA did not load; index reachable: pip install 'onnxruntime-gpu[cuda,cudnn]==$version'"
        pip_quiet "$PY" -m pip install --quiet "onnxruntime-gpu[cuda,cudnn]==$version" \
            && say "CUDA/cuDNN runtime wheels installed" || say "that install FAILED"
    else
        say "GPU present but CUDA did not load; no network (or no onnxruntime-gpu): relying on torch + onnxruntime.preload_dlls()"
    fi
elif [ "$probe" -ne 0 ]; then
    say "the probe failed (exit $probe)"; exit "$probe"
fi

"$PY" benchmarks/gpu_check.py "$@"
rc=$?
say "finished in $(( $(date +%s) - started )) s (exit $rc)"
exit $rc
