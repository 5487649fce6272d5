"""CUDA vs CPU, side by side, for the models that can run on a GPU.

    python benchmarks/gpu_check.py [--seconds 12] [--probe]
    python benchmarks/gpu_check.py --smoke   # small shapes, a few calls each (seconds)
    (or bash benchmarks/gpu_check.sh, which also prepares a venv and the CUDA libraries)

Runs, through :class:`amc_core.runtime.SessionFactory` (``prefer_gpu=False`` and ``True``, the
one place where the provider is chosen), with realistic shapes and synthetic inputs:

- the AMC re-ranking head (``resources/models/amc_head.onnx``): one query (T=3 tokens) against
  800 candidates with K=100 keywords each, fed as the engine feeds it (batches of 256, i.e.
  4 session calls per query; :data:`amc_core.search.rerank.BATCH`) and as one call of 800;
- the visual encoder (``resources/models/visual_encoder.onnx``): batches of 64 RGB 224x224
  uint8 images, as indexing feeds it;
- the face embedding (``resources/faces/face_embedder.onnx``, when fetched): batches of 32
  aligned 150x150 crops, as the faces pass feeds it, and how far CUDA's embeddings are from
  the CPU's on the same crops.

Prints latency per call (p50/p95 ms) and throughput (candidates/s for the head, photos/s for
the encoder) per provider, the GPU/CPU speed-up, and which provider REALLY ran each session
(``SessionFactory.provider``, i.e. ``session.get_providers()[0]``: onnxruntime-gpu lists CUDA
as available even where it cannot load, and then falls back to the CPU without an error).
Without a usable GPU it still runs the CPU side completely and prints
``CUDA: not available (<reason>)``. Nothing is downloaded; only numpy and onnxruntime are
needed (the repository is put on ``sys.path``, no install required).

``--probe`` only says whether CUDA loads (exit 0: it does, or there is no GPU at all; exit 3:
there is an NVIDIA GPU but the CUDA provider did not load), for gpu_check.sh to decide whether
to install the CUDA/cuDNN runtime wheels.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PROBE_GPU_BUT_NO_CUDA = 3

if TYPE_CHECKING:
    from amc_core.runtime import SessionFactory


class Row(TypedDict):
    """One measured case: a model on a provider with one input shape."""

    model: str
    provider: str
    shape: str
    p50: float  # ms a call
    p95: float
    calls: int
    throughput: float  # `unit` a second at the median call
    unit: str
    note: NotRequired[str]


def say(text: str = "") -> None:
    print(text, flush=True)


# ------------------------------------------------------------------------------ the machine


def nvidia_gpu() -> tuple[bool, str]:
    """(present, description) from nvidia-smi, or the driver's device files."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run(
                [smi, "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                capture_output=True, text=True, timeout=20,
            )  # fmt: skip
            if out.returncode == 0 and out.stdout.strip():
                return True, "; ".join(line.strip() for line in out.stdout.strip().splitlines())
            return (
                False,
                f"nvidia-smi found no usable GPU ({(out.stderr or out.stdout).strip()[:200]})",
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"nvidia-smi failed: {exc}"
    if Path("/dev/nvidia0").exists() or Path("/proc/driver/nvidia/version").exists():
        return True, "NVIDIA driver present (no nvidia-smi to name the GPU)"
    return False, "no NVIDIA GPU or driver on this machine (no nvidia-smi, no /dev/nvidia0)"


def prepare_cuda_libraries(ort_cuda_major: str | None) -> list[str]:
    """Make CUDA/cuDNN runtime libraries findable for onnxruntime-gpu: an installed torch
    (imported first, when its CUDA major version matches onnxruntime's), then
    ``onnxruntime.preload_dlls()`` (nvidia-* wheels, then the system's default paths)."""
    notes = []
    try:
        import torch

        torch_cuda = getattr(torch.version, "cuda", None)
        notes.append(f"imported torch {torch.__version__} (built for CUDA {torch_cuda})")
        if torch_cuda and ort_cuda_major and torch_cuda.split(".")[0] != ort_cuda_major:
            notes.append(f"  note: onnxruntime-gpu is built for CUDA {ort_cuda_major}.x; torch's "
                         f"CUDA {torch_cuda} libraries do not satisfy it")  # fmt: skip
    except ImportError:
        notes.append("torch is not installed (no CUDA libraries from it)")
    except Exception as exc:
        notes.append(f"importing torch failed: {exc}")
    import onnxruntime as ort

    if hasattr(ort, "preload_dlls"):
        try:
            ort.preload_dlls(cuda=True, cudnn=True)
            notes.append("onnxruntime.preload_dlls(cuda=True, cudnn=True) done")
        except Exception as exc:
            notes.append(f"onnxruntime.preload_dlls failed: {exc}")
    else:
        notes.append(f"onnxruntime {ort.__version__} has no preload_dlls()")
    return notes


def missing_cuda_libraries(cuda_major: str | None) -> list[str]:
    """Which of the runtime libraries onnxruntime's CUDA provider needs cannot be loaded."""
    major = cuda_major or "12"
    wanted = [f"libcudart.so.{major}", f"libcublas.so.{major}", f"libcublasLt.so.{major}",
              "libcudnn.so.9", f"libcufft.so.{12 if major == '13' else 11}",
              "libcurand.so.10"]  # fmt: skip
    missing = []
    for name in wanted:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def ort_cuda_major() -> str | None:
    """The CUDA major version onnxruntime-gpu was built for, read from its package info file
    without importing onnxruntime (torch, if any, should be imported first)."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    info = Path(next(iter(spec.submodule_search_locations))) / "capi" / "build_and_package_info.py"
    try:
        match = re.search(r"cuda_version\s*=\s*['\"](\d+)", info.read_text())
    except OSError:
        return None
    return match.group(1) if match else None


def cuda_reason(gpu: bool, gpu_text: str) -> str:
    """Why the CUDA provider did not load, as precisely as we can tell."""
    import onnxruntime as ort

    if not gpu:
        return gpu_text
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return (f"this onnxruntime build ({ort.__version__}) has no CUDA provider: install "
                "onnxruntime-gpu (and not onnxruntime beside it)")  # fmt: skip
    major = ort_cuda_major()
    missing = missing_cuda_libraries(major)
    if missing:
        return (f"GPU present ({gpu_text}) but CUDA {major or '?'}.x / cuDNN 9 runtime libraries "
                f"not found: {', '.join(missing)}; install onnxruntime-gpu[cuda,cudnn] or a torch "
                f"built for CUDA {major or '?'}")  # fmt: skip
    # show onnxruntime's own error (SessionFactory silences it while it may fall back)
    from amc_core.runtime import _PROBE_MODEL

    ort.set_default_logger_severity(2)
    try:
        ort.InferenceSession(
            _PROBE_MODEL, providers=["CUDAExecutionProvider", "CPUExecutionProvider"]
        )
    except Exception as exc:
        say(f"  probe session error: {exc}")
    finally:
        ort.set_default_logger_severity(3)
    return (f"GPU present ({gpu_text}) and the libraries load, but the CUDA provider fell back to "
            "the CPU (driver older than the CUDA runtime? see onnxruntime's log above)")  # fmt: skip


# ------------------------------------------------------------------------------ benchmarks


def timed_calls(fn: Callable[[], object], seconds: float, warmup: int, min_calls: int = 3,
                max_calls: int = 200) -> np.ndarray:  # fmt: skip
    for _ in range(warmup):
        fn()
    times: list[float] = []
    stop = time.perf_counter() + seconds
    while len(times) < min_calls or (time.perf_counter() < stop and len(times) < max_calls):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return np.array(times)


def head_inputs(
    session: Any, rng: np.random.Generator, b: int, k: int, t: int
) -> dict[str, np.ndarray]:
    """Feeds for every input the head graph declares, by name (it takes either keyword
    vectors (B, K, D) or keyword similarities (B, T, K), depending on its version)."""
    shapes = {i.name: i.shape for i in session.get_inputs()}

    def fixed(name: str, axis: int, default: int) -> int:
        dims = shapes.get(name) or []
        return int(dims[axis]) if len(dims) > axis and isinstance(dims[axis], int) else default

    dim = fixed("q_vectors", 1, 256)
    # per region: 10 ImageNet classes + the scene probe's 4 words (store.batch TOP_K + SCENE_K)
    regions, top_k = fixed("region_ids", 1, 10), fixed("region_ids", 2, 14)
    intents = fixed("q_token_intents", 1, 8)

    def unit(x: np.ndarray) -> np.ndarray:
        return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)

    probs = rng.dirichlet(np.full(top_k + 1, 0.3), size=(b, regions))[..., :top_k]
    make = {
        "q_vectors": lambda: unit(rng.standard_normal((t, dim))),
        "q_weights": lambda: np.full(t, 1.0 / t, np.float32),
        "q_token_intents": lambda: rng.dirichlet(np.ones(intents), size=t).astype(np.float32),
        "q_spread": lambda: (rng.random(t) < 0.5).astype(np.float32),
        "region_ids": lambda: rng.integers(0, 1000, (b, regions, top_k)).astype(np.int64),
        "region_probs": lambda: np.ascontiguousarray(
            np.sort(probs, axis=-1)[..., ::-1], np.float32
        ),
        # flattened posteriors over their region's mixed norm (search.bridge): about unit size
        "region_weights": lambda: np.ascontiguousarray(
            np.sort(probs ** (1 / 6), axis=-1)[..., ::-1] / np.sqrt(top_k), np.float32
        ),
        "kw_vectors": lambda: unit(rng.standard_normal((b, k, dim))),
        "kw_sims": lambda: rng.uniform(-0.2, 0.7, (b, t, k)).astype(np.float32),
        "kw_conf": lambda: rng.uniform(0.04, 1.0, (b, k)).astype(np.float32),
        "kw_source": lambda: rng.integers(0, 11, (b, k)).astype(np.int64),
        "kw_mask": lambda: (rng.random((b, k)) < 0.9).astype(np.float32),
    }
    unknown = [name for name in shapes if name not in make]
    if unknown:
        raise SystemExit(f"amc_head.onnx has inputs this check does not know: {unknown}")
    return {name: make[name]() for name in shapes}


def bench_head(factory: SessionFactory, args: argparse.Namespace) -> list[Row]:
    from amc_core.resources import resources_dir

    try:
        from amc_core.search.rerank import BATCH  # what the engine feeds per session call
    except ImportError:
        BATCH = 256  # noqa: N806
    session = factory.create(resources_dir() / "models" / "amc_head.onnx")
    provider = factory.provider
    rng = np.random.default_rng(0)
    n = args.candidates
    feeds = head_inputs(session, rng, n, args.keywords, args.tokens)
    shared = ("q_vectors", "q_weights", "q_token_intents", "q_spread")
    chunks = [
        {name: (v if name in shared else v[s : s + BATCH]) for name, v in feeds.items()}
        for s in range(0, n, BATCH)
    ]
    outputs = [o.name for o in session.get_outputs()]
    kw_input = "kw_sims" if "kw_sims" in feeds else "kw_vectors"

    def engine_way() -> None:
        for chunk in chunks:
            session.run(outputs, chunk)

    def one_call() -> None:
        session.run(outputs, feeds)

    # device-resident inputs (IOBinding): does keeping the candidates on the GPU pay?
    import onnxruntime as ort

    device = "cuda" if provider.startswith("CUDA") else "cpu"
    resident = {name: ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(v), device, 0)
                for name, v in feeds.items()}  # fmt: skip

    def bound_call() -> None:
        binding = session.io_binding()
        for name, value in resident.items():
            binding.bind_ortvalue_input(name, value)
        for name in outputs:
            binding.bind_output(name, device)
        session.run_with_iobinding(binding)
        binding.copy_outputs_to_cpu()

    rows: list[Row] = []
    ways = ((f"{len(chunks)} calls x {BATCH}", engine_way), (f"1 call x {n}", one_call),
            (f"1 call x {n}, inputs on {device}", bound_call))  # fmt: skip
    for label, fn in ways:
        ms = timed_calls(fn, args.seconds / 2, warmup=3)
        rows.append(
            {
                "model": "amc_head (re-rank)",
                "provider": provider,
                "shape": f"{n} cand, K={args.keywords}, T={args.tokens}, {label}",
                "p50": float(np.percentile(ms, 50)),
                "p95": float(np.percentile(ms, 95)),
                "calls": len(ms),
                "throughput": n / (float(np.median(ms)) / 1e3),
                "unit": "cand/s",
                "note": f"head input {kw_input}",
            }
        )
    return rows


def bench_encoder(factory: SessionFactory, args: argparse.Namespace) -> list[Row]:
    from amc_core.describe.encoder import INPUT_NAME, OUTPUT_NAMES, default_model_path

    session = factory.create(default_model_path())
    provider = factory.provider
    shape = session.get_inputs()[0].shape  # ['batch', 224, 224, 3]
    height, width = int(shape[1]), int(shape[2])
    rng = np.random.default_rng(1)
    # smooth, photo-like pixels (values do not change the speed of a CNN, but keep them sane)
    low = rng.integers(0, 256, (args.encoder_batch, height // 8, width // 8, 3), dtype=np.uint8)
    pixels = np.ascontiguousarray(low.repeat(8, axis=1).repeat(8, axis=2))
    ms = timed_calls(lambda: session.run(list(OUTPUT_NAMES), {INPUT_NAME: pixels}), args.seconds,
                     warmup=2)  # fmt: skip
    return [{
        "model": "visual_encoder", "provider": provider,
        "shape": f"{args.encoder_batch} x {height}x{width}x3 uint8",
        "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
        "calls": len(ms), "throughput": args.encoder_batch / (float(np.median(ms)) / 1e3),
        "unit": "photos/s",
    }]  # fmt: skip


def bench_face_embedder(factory: SessionFactory, args: argparse.Namespace) -> list[Row]:
    """The face embedding (``resources/faces/face_embedder.onnx``, fetched by make install;
    carry it to a GPU machine): batches of 32 aligned 150x150 crops, as the faces pass feeds
    it. Skipped when the model was not fetched."""
    from amc_core.describe.face_embedder import FaceEmbedder

    try:
        embedder = FaceEmbedder(factory)
    except Exception as exc:  # not fetched on this machine
        say(f"face embedder skipped: {exc}")
        return []
    rng = np.random.default_rng(2)
    chips = rng.integers(0, 256, (32, 150, 150, 3), dtype=np.uint8)
    ms = timed_calls(lambda: embedder.embed(chips), args.seconds, warmup=2)
    FACE_OUTPUTS[factory.provider] = embedder.embed(chips)
    return [{
        "model": "face_embedder", "provider": factory.provider,
        "shape": "32 x 150x150x3 uint8", "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)), "calls": len(ms),
        "throughput": 32 / (float(np.median(ms)) / 1e3), "unit": "faces/s",
    }]  # fmt: skip


FACE_OUTPUTS: dict[str, np.ndarray] = {}  # provider -> embeddings of the same chips


def print_table(rows: list[Row]) -> None:
    head = f"{'model':<20} {'provider':<8} {'shape':<52} {'calls':>5} {'p50 ms':>9} {'p95 ms':>9} {'throughput':>20}"
    say(head)
    say("-" * len(head))
    for r in rows:
        say(f"{r['model']:<20} {r['provider']:<8} {r['shape']:<52} {r['calls']:>5} "
            f"{r['p50']:>9.1f} {r['p95']:>9.1f} {r['throughput']:>11,.0f} {r['unit']}")  # fmt: skip


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="timing budget per case")
    parser.add_argument("--candidates", type=int, default=800)
    parser.add_argument("--keywords", type=int, default=100)
    parser.add_argument("--tokens", type=int, default=3)
    parser.add_argument("--encoder-batch", type=int, default=64)
    parser.add_argument("--probe", action="store_true", help="only: does CUDA load? (exit 0/3)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, seconds (for the tests)")
    args = parser.parse_args(argv)
    if args.smoke:  # every case still runs on every provider that loads, a few calls each
        args.seconds, args.candidates, args.keywords, args.encoder_batch = 0.2, 300, 20, 4
        say("smoke run: small shapes, a few calls each; the timings mean nothing")
    started = time.perf_counter()

    forced = os.environ.pop("AMC_PROVIDER", None)
    if forced:
        say(f"ignoring AMC_PROVIDER={forced} for this check (both providers are measured)")
    gpu, gpu_text = nvidia_gpu()
    say(f"machine: {platform.node()}, {os.cpu_count()} CPUs; GPU: {gpu_text}")
    notes = prepare_cuda_libraries(ort_cuda_major()) if gpu else []
    import onnxruntime as ort

    from amc_core.runtime import SessionFactory

    say(f"onnxruntime {ort.__version__} (built for CUDA {ort_cuda_major() or '-'}), "
        f"offers {ort.get_available_providers()}")  # fmt: skip
    for note in notes:
        say(f"  {note}")

    gpu_factory = SessionFactory(prefer_gpu=True)
    cuda_loaded = gpu_factory.provider == "CUDA"  # a real session decides, not the offer list
    status = "CUDA: loaded (CUDAExecutionProvider really runs the sessions)" if cuda_loaded else \
        f"CUDA: not available ({cuda_reason(gpu, gpu_text)})"  # fmt: skip
    say(status)
    if args.probe:
        return PROBE_GPU_BUT_NO_CUDA if gpu and not cuda_loaded else 0

    cpu_factory = SessionFactory(prefer_gpu=False)
    say(f"CPU sessions: {cpu_factory.threads} intra-op threads")
    rows: list[Row] = []
    for factory in [cpu_factory, gpu_factory] if cuda_loaded else [cpu_factory]:
        rows += bench_head(factory, args)
        rows += bench_encoder(factory, args)
        rows += bench_face_embedder(factory, args)
        if factory is gpu_factory and factory.provider != "CUDA":
            say("warning: the GPU factory's last session fell back to the CPU")
    say()
    print_table(rows)
    if len(FACE_OUTPUTS) == 2:  # same chips on both providers: does CUDA (TF32?) agree?
        cpu, cuda = FACE_OUTPUTS["CPU"], FACE_OUTPUTS["CUDA"]
        say(f"face embeddings, CUDA vs CPU: max |diff| {float(np.abs(cpu - cuda).max()):.2e}")
    say(
        f"(the head graph takes {rows[0]['note'].split()[-1]}; the engine feeds it "
        f"{rows[0]['shape'].split(', ')[-1]} per query)"
    )
    if cuda_loaded:
        say()
        for r in rows:
            if r["provider"] != "CUDA":
                continue
            on_cpu = next(c for c in rows if c["provider"] == "CPU" and c["model"] == r["model"]
                          and c["shape"] == r["shape"])  # fmt: skip
            speed_up = r["throughput"] / on_cpu["throughput"]
            say(f"speed-up {r['model']} ({r['shape']}): {speed_up:.1f}x")
    say()
    say(status)
    say(f"gpu_check finished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
