"""Thumbnail cache on disk, keyed by content hash (identical files share one thumbnail)."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from amc_core.errors import LibraryError


def _storage_error(exc: OSError) -> LibraryError:
    if exc.errno == errno.ENOSPC:
        return LibraryError("the disk that holds the library is full: free some space and run "
                            "the command again (nothing indexed so far is lost)")  # fmt: skip
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return LibraryError("the library folder is read-only: thumbnails cannot be saved")
    return LibraryError(f"cannot save a thumbnail: {exc.strerror or exc}")


class ThumbnailStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, content_hash: str) -> Path:
        return self.root / content_hash[:2] / f"{content_hash}.jpg"

    def put(self, content_hash: str, jpeg: bytes) -> None:
        """Write atomically: a crash leaves either no file or a whole one, never half of one."""
        target = self.path_for(content_hash)
        if target.is_file():
            return
        try:
            target.parent.mkdir(mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".jpg")
        except OSError as exc:
            raise _storage_error(exc) from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(jpeg)
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _storage_error(exc) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if sub.is_dir():
                for f in sub.glob("*.jpg"):
                    if not f.name.startswith(".tmp-"):
                        yield f.stem

    def collect_garbage(self, keep: set[str]) -> int:
        """Remove thumbnails no photo uses any more, and leftovers of interrupted writes."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for sub in self.root.iterdir():
            if not sub.is_dir():
                continue
            for f in sub.iterdir():
                if f.name.startswith(".tmp-") or (f.suffix == ".jpg" and f.stem not in keep):
                    f.unlink(missing_ok=True)
                    removed += 1
        return removed
