"""The forkserver's preload (pool._context names it), imported there and nowhere else: the
decoders load once for every worker, and the forkserver dies with the process that started it."""

from __future__ import annotations

from amc_core.index import prepare  # noqa: F401  (loaded once here, inherited by every worker)
from amc_core.index.lifeline import serve_with_parent

serve_with_parent()
