"""Every benchmark script runs end to end in its --smoke mode (tiny sizes, seconds), so that a
refactor of the engine or the app cannot break one unnoticed (benchmarks/ is type-checked
with the rest by `make lint`). The timings of a smoke run mean nothing: a missed timing target
never fails it; a wrong result or a traceback does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
# Modules of benchmarks/ that are libraries for the scripts, not scripts: named with a "_".
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))
# A line each script prints when it measured something (its table's key line).
KEY_LINES = {
    "cold_start.py": "amc search, cold process:",
    "crash_trials.py": "kills left a consistent library",
    "damage_trials.py": "every photo counted and searchable after",
    "faces.py": "4. grouping",
    "attention_cells.py": "hit = VAN's most attended of the 9 cells",
    "gpu_check.py": "gpu_check finished in",
    "index_throughput.py": "amc index --no-ocr",
    "memory_bounds.py": "small photos: peak RSS",
    "scale.py": "search p95 (ms)",
    "scene_words.py": "confidence   keywords  right",
    "ui_latency.py": "last keystroke -> first thumbnails painted",
    "word_vectors_eval.py": "shipped parents=0.5 recall@1=",
    "zero_shot_variants.py": "the reference (amc_core/learn/reference.py)",
}


def test_every_script_is_known() -> None:
    """A new benchmark joins the smoke runs below by itself; this only asks for its key line
    (without one, any output of exit code 0 passes)."""
    assert SCRIPTS, "no benchmark scripts found"
    assert set(KEY_LINES) <= set(SCRIPTS), set(KEY_LINES) - set(SCRIPTS)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_smoke(script: str, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{script} --smoke exited {done.returncode}:\n{output[-4000:]}"
    assert "Traceback" not in output, output[-4000:]
    key = KEY_LINES.get(script)
    if key is not None:
        assert key in done.stdout, f"{script} --smoke did not print {key!r}:\n{output[-4000:]}"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("*.sh")))
def test_shell_script_parses(script: str) -> None:
    done = subprocess.run(["bash", "-n", str(BENCHMARKS / script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
