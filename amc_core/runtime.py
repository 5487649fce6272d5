"""The one place that creates onnxruntime sessions and decides CUDA vs CPU.

Why one factory: ``onnxruntime-gpu`` lists ``CUDAExecutionProvider`` in
``get_available_providers()`` even on a machine with no GPU or no CUDA/cuDNN libraries, and a
session asked for CUDA then falls back to CPU silently (after logging an error). The only truth
is ``session.get_providers()[0]`` after creation, so every model goes through
:class:`SessionFactory`, which records what really loaded in :attr:`SessionFactory.provider`.

``AMC_PROVIDER=cpu`` forces the CPU (``cuda``/``gpu`` asks for CUDA even when the caller did
not prefer it; ``auto`` or unset keeps the caller's choice). Without a usable GPU nothing is
printed: onnxruntime's own error about the CUDA libraries is silenced, and once CUDA failed to
load, no later session in the process asks for it. ``AMC_VERBOSE=1`` (the app's ``--verbose``)
lets that error through, once, with the reason.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import hashlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import onnxruntime as ort

from amc_core import VERBOSE_VAR
from amc_core.errors import AmcError

if TYPE_CHECKING:
    import logging

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
PREFERENCE = (CUDA, CPU)  # best first
ENV_VAR = "AMC_PROVIDER"


# Per process: does CUDA really load? None until a session has tried. Sessions are created
# on several threads (search, indexing) while onnxruntime's log severity is process-wide, so
# the first try holds a lock: no other thread resets the severity under it.
class _CudaState:
    loads: bool | None = None
    trying = threading.Lock()


_CUDA = _CudaState()

# ORT logger severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal.
QUIET = 3  # normal running: errors only
SILENT = 4  # while creating a session that may fall back from CUDA: that fallback logs an ERROR
# Once, at import: a factory made on another thread while a CUDA try holds the log silenced
# must not turn it back on under that try (its error would print after all).
ort.set_default_logger_severity(QUIET)

# A 69-byte ONNX model (y = Identity(x)) used to learn which provider really loads before any
# real model has been opened (the `provider` property may be asked first, e.g. by `amc doctor`).
_PROBE_MODEL = base64.b64decode(
    "CAg6OwoQCgF4EgF5IghJZGVudGl0eRIFcHJvYmVaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAN"
)


def default_threads() -> int:
    """CPU threads for one session: the cores this process may run on (cgroup/affinity aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def single_threaded_blas() -> None:
    """numpy's OpenBLAS on one thread, for this process. Search makes only small
    matrix-vector products, and OpenBLAS's idle threads spin after each one, taking the cores
    that onnxruntime's threads need next (at 10^5 photos with another process busy, search
    p50 went from 55 to 28 ms). torch's own BLAS (training) is not OpenBLAS and keeps its
    threads."""
    from threadpoolctl import ThreadpoolController  # a few ms: only processes that search

    ThreadpoolController().select(internal_api="openblas").limit(limits=1)


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def steady_search_memory() -> None:
    """Let this process reuse its heap for search's temporaries (glibc only; elsewhere a
    no-op). By default glibc gives every array of a few MB its own mapping and returns it on
    free, so each search paid for page faults on fresh memory again; with mappings only above
    16 MB and up to 32 MB of free heap kept, the p95 of first-time queries at 10^5 photos went
    from 29-33 to 26 ms in the same runs. Forked indexing workers are fresh processes and
    keep glibc's defaults."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 16 * 2**20)
        libc.mallopt(_M_TRIM_THRESHOLD, 32 * 2**20)
    except (OSError, AttributeError):
        return  # not glibc (musl has no mallopt tuning): its defaults stay


def _env_choice() -> str:
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in ("", "auto"):
        return "auto"
    if value in ("cpu", "cuda", "gpu"):
        return "cpu" if value == "cpu" else "cuda"
    _log().warning("ignoring %s=%r (expected cpu, cuda or auto)", ENV_VAR, value)
    return "auto"


CHECKSUMS = "SHA256SUMS"


class ModelError(AmcError):
    """A model file is missing or damaged."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_checksums(folder: Path, pattern: str = "*.onnx") -> None:
    """Record the SHA-256 of every model file in `folder` (after an export)."""
    lines = [f"{_sha256(p)}  {p.name}" for p in sorted(folder.glob(pattern))]
    (folder / CHECKSUMS).write_text("\n".join(lines) + "\n")


def verify_model(path: Path) -> None:
    if not path.is_file():
        raise ModelError(f"the model {path} is missing; reinstall AMC Photo Search")
    sums = path.parent / CHECKSUMS
    if not sums.is_file():
        return
    expected = {
        name: digest
        for digest, name in (
            line.split(maxsplit=1) for line in sums.read_text().splitlines() if line
        )
    }
    want = expected.get(path.name)
    if want is not None and _sha256(path) != want:
        raise ModelError(
            f"the model {path} is damaged (checksum mismatch); reinstall AMC Photo Search "
            "or restore the file"
        )


class SessionFactory:
    """Creates ``ort.InferenceSession`` objects with one provider policy and explicit threads.

    ``prefer_gpu``: try CUDA first when onnxruntime offers it. ``threads``: intra-op threads on
    the CPU (default: all cores this process may use); inter-op is 1 because our graphs are
    chains of convolutions/matmuls with nothing to run side by side.
    """

    def __init__(self, prefer_gpu: bool = True, threads: int | None = None) -> None:
        choice = _env_choice()
        self.prefer_gpu = (prefer_gpu or choice == "cuda") and choice != "cpu"
        self.threads = threads if threads and threads > 0 else default_threads()
        self._provider: str | None = None

    def requested_providers(self) -> list[str]:
        """Preference order intersected with what this onnxruntime build offers (not a GPU test)."""
        wanted = PREFERENCE if self.prefer_gpu and _CUDA.loads is not False else (CPU,)
        available = set(ort.get_available_providers())
        return [p for p in wanted if p in available] or [CPU]

    def session_options(self) -> ort.SessionOptions:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No busy-waiting between ops: while indexing, decode workers need those cycles.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts

    def create(self, model_path: Path | str | bytes) -> ort.InferenceSession:
        """Open a model (path or serialized bytes) and record which provider really runs it.

        A model file listed in a SHA256SUMS beside it is verified first: a damaged or missing
        model is one clear ModelError, not an onnxruntime stack trace.
        """
        if not isinstance(model_path, bytes):
            verify_model(Path(model_path))
        source = model_path if isinstance(model_path, bytes) else str(model_path)
        with _CUDA.trying if _CUDA.loads is None else contextlib.nullcontext():
            providers = self.requested_providers()
            may_fall_back = CUDA in providers
            quiet = may_fall_back and not verbose()
            if quiet:
                ort.set_default_logger_severity(SILENT)
            try:
                session = ort.InferenceSession(
                    source, sess_options=self.session_options(), providers=providers
                )
            except Exception as exc:  # onnxruntime raises its own Fail / InvalidProtobuf types
                name = "<in-memory model>" if isinstance(model_path, bytes) else str(model_path)
                raise ModelError(f"cannot load the model {name}: {exc}") from exc
            finally:
                if quiet:
                    ort.set_default_logger_severity(QUIET)
            actual = session.get_providers()[0]
            self._provider = "CUDA" if actual == CUDA else "CPU"
            if may_fall_back:
                _CUDA.loads = self._provider == "CUDA"
                if not _CUDA.loads:
                    _note("CUDA is offered by onnxruntime but did not load; running on the CPU")
        return session

    @property
    def provider(self) -> str:
        """ "CUDA" or "CPU": what the sessions of this factory really run on.

        Taken from the last session created; before any, a tiny probe model is opened once.
        """
        if self._provider is None:
            self.create(_PROBE_MODEL)
        assert self._provider is not None
        return self._provider


def _log() -> logging.Logger:
    import logging  # only for the rare message: a search's start-up skips the import

    return logging.getLogger(__name__)


def verbose() -> bool:
    """AMC_VERBOSE=1 (the app's --verbose): say why the GPU is not used."""
    return os.environ.get(VERBOSE_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def _note(message: str) -> None:
    """An info message, for a program that uses logging (nothing shows one otherwise): a CLI
    search on a machine without CUDA does not import logging to drop it."""
    if verbose():
        _log().warning(message)
    elif "logging" in sys.modules:
        _log().info(message)
