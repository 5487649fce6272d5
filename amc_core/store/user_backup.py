"""What only the user made, copied beside the catalog after every change (issue 18).

Photos, keywords and faces can be found again by indexing the folders; the names people
typed, their "this is / is not this person" answers, the clicks the ranking learns from and
the folder list cannot. They are written to a small JSON file (``user-data.backup.json``,
named so that it is never taken for the catalog) after every change of them, deletions
included, as a whole snapshot: written to a temporary file, flushed to disk, then renamed
over the old one, so a crash leaves the old or the new file and never half of one.

Photos are named portably (content hash, and the path as a fallback), faces by their photo
and box, so that `amc repair` can put every item back on a catalog rebuilt from the folders
(amc_core.store.user_restore). The learned ranking parameters are files under ``models/``
that a lost catalog does not touch: the backup records their SHA-256 only, to report them.

The snapshot is taken and renamed while holding the catalog's write lock, so two programs
writing one library never leave an older snapshot over a newer one. A backup made by another
catalog (one that was deleted or damaged) is not overwritten by a new, empty catalog: it waits
for `amc repair` to restore it (restoring adopts it). A failed write (read-only folder, full
disk) never fails the user's action: the catalog stays the record, and the next change tries
again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amc_core.errors import LibraryError
from amc_core.store.connection import CatalogConnection, now
from amc_core.store.layout import MODELS_NAME

log = logging.getLogger(__name__)

BACKUP_FORMAT = "amc-user-backup"
BACKUP_VERSION = 1
_ID_KEY = "catalog_id"  # in the catalog's meta table and in the backup's header
_HEADER = re.compile(r'"catalog_id"\s*:\s*"([^"]*)"')
_BOX_DIGITS = 6  # a box edge to a millionth of the photo: far below a face's size

Box = tuple[float, float, float, float]

# people the user touched: named, hidden, with a confirmed face or a "not this person" answer
_USER_PEOPLE = (
    "SELECT id FROM people WHERE name IS NOT NULL OR hidden = 1 "
    "OR id IN (SELECT person_id FROM faces WHERE confirmed = 1 AND person_id IS NOT NULL) "
    "OR id IN (SELECT person_id FROM face_rejections)"
)


class BackupUnreadable(LibraryError):
    """The backup file exists but is not a backup this program can read."""


@dataclass
class BackedPerson:
    name: str | None
    hidden: bool
    faces: list[tuple[int, Box, bool]] = field(default_factory=list)  # photo, box, confirmed


@dataclass
class UserBackup:
    """A backup as read back: photos are indexes into `photos`, people into `people`."""

    catalog_id: str
    written_at: str
    folders: list[str]
    models: dict[str, str]  # file under models/ -> SHA-256
    photos: list[tuple[str | None, str]]  # (content hash, path)
    people: list[BackedPerson]
    rejections: list[tuple[int, Box, int]]  # photo, box, person
    clicks: list[tuple[str, int, str, str]]  # query, photo, action, at


# -- writing -------------------------------------------------------------------------------


def write_user_backup(catalog: CatalogConnection, path: Path, force: bool = False) -> bool:
    """Rewrite the backup from the catalog; False (logged, never raised) when it was not
    written: another catalog's backup waiting for a repair (unless force), or a failed write."""
    try:
        with catalog.transaction() as conn:  # the write lock: one snapshot writer at a time
            own = _catalog_id(conn)
            owner = backup_owner(path)
            if not force and owner is not None and owner != own:
                log.warning(
                    "%s holds the names and answers of another catalog: it is kept for "
                    "`amc repair` to restore, and not overwritten",
                    path,
                )
                return False
            text = json.dumps(
                snapshot(conn, own, path.parent / MODELS_NAME),
                ensure_ascii=False,
                separators=(",", ":"),
            )
            _write_atomically(path, text)
        return True
    except Exception as exc:  # a backup never fails the user's action
        log.warning("the user backup %s was not written: %s", path, exc)
        return False


def backup_owner(path: Path) -> str | None:
    """The catalog id in a backup's header; None without a (readable) backup."""
    try:
        with path.open("rb") as f:
            head = f.read(512).decode("utf-8", errors="replace")
    except OSError:
        return None
    found = _HEADER.search(head)
    return found.group(1) if found else None


def _catalog_id(conn: sqlite3.Connection) -> str:
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (_ID_KEY, uuid.uuid4().hex)
    )
    return str(conn.execute("SELECT value FROM meta WHERE key = ?", (_ID_KEY,)).fetchone()[0])


def snapshot(conn: sqlite3.Connection, catalog_id: str, models_dir: Path) -> dict[str, Any]:
    """Everything user-made in the catalog, as the backup's JSON object."""
    photos: dict[int, int] = {}  # photo id -> index in the backup's photo list
    photo_list: list[list[Any]] = []

    def photo(photo_id: int, content_hash: str | None, path: bytes) -> int:
        index = photos.get(photo_id)
        if index is None:
            index = photos[photo_id] = len(photo_list)
            photo_list.append([content_hash, bytes(path).hex()])
        return index

    people: dict[int, int] = {}
    people_list: list[dict[str, Any]] = []
    for person_id, name, hidden in conn.execute(
        f"SELECT id, name, hidden FROM people WHERE id IN ({_USER_PEOPLE}) ORDER BY id"
    ):
        people[int(person_id)] = len(people_list)
        people_list.append({"name": name, "hidden": bool(hidden), "faces": []})
    for person_id, photo_id, content_hash, path, x, y, w, h, confirmed in conn.execute(
        "SELECT f.person_id, f.photo_id, p.content_hash, p.path, f.x, f.y, f.w, f.h, "
        f"f.confirmed FROM faces f JOIN photos p ON p.id = f.photo_id "
        f"WHERE f.person_id IN ({_USER_PEOPLE}) ORDER BY f.id"
    ):
        entry = [photo(photo_id, content_hash, path), *_box(x, y, w, h), int(confirmed)]
        people_list[people[int(person_id)]]["faces"].append(entry)
    rejections = [
        [photo(photo_id, content_hash, path), *_box(x, y, w, h), people[int(person_id)]]
        for photo_id, content_hash, path, x, y, w, h, person_id in conn.execute(
            "SELECT f.photo_id, p.content_hash, p.path, f.x, f.y, f.w, f.h, r.person_id "
            "FROM face_rejections r JOIN faces f ON f.id = r.face_id "
            "JOIN photos p ON p.id = f.photo_id ORDER BY f.id, r.person_id"
        )
    ]
    clicks = [
        [query, photo(photo_id, content_hash, path), action, at]
        for query, photo_id, content_hash, path, action, at in conn.execute(
            "SELECT c.query, c.photo_id, p.content_hash, p.path, c.action, c.at "
            "FROM clicks c JOIN photos p ON p.id = c.photo_id ORDER BY c.id"
        )
    ]
    folders = [bytes(r[0]).hex() for r in conn.execute("SELECT path FROM folders ORDER BY path")]
    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        _ID_KEY: catalog_id,  # early in the file: backup_owner reads only the header
        "written_at": now(),
        "folders": folders,
        "models": model_digests(models_dir),
        "photos": photo_list,
        "people": people_list,
        "rejections": rejections,
        "clicks": clicks,
    }


def _box(x: float, y: float, w: float, h: float) -> list[float]:
    return [round(float(v), _BOX_DIGITS) for v in (x, y, w, h)]


_DIGESTS: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) -> SHA-256, per process


def model_digests(models_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of the library's own ranking (hashed once per version of it)."""
    digests: dict[str, str] = {}
    try:
        files = sorted(p for p in models_dir.iterdir() if p.is_file() and ".tmp" not in p.name)
    except OSError:
        return digests
    for path in files:
        try:
            stat = path.stat()
            key = (str(path), stat.st_size, stat.st_mtime_ns)
            if key not in _DIGESTS:
                _DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            digests[path.name] = _DIGESTS[key]
        except OSError:
            continue
    return digests


def _write_atomically(path: Path, text: str) -> None:
    """A temporary file (private: it holds names), flushed to disk, renamed over the old."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # the rename itself on disk (POSIX; not on Windows)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


# -- reading -------------------------------------------------------------------------------


def read_user_backup(path: Path) -> UserBackup:
    """The backup at path; BackupUnreadable (with why) when it is missing, damaged or not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupUnreadable(f"there is no user backup at {path}") from exc
    except (OSError, ValueError) as exc:
        raise BackupUnreadable(_unreadable(path, str(exc))) from exc
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise BackupUnreadable(_unreadable(path, "it is not an AMC user backup"))
    if data.get("version") != BACKUP_VERSION:
        raise BackupUnreadable(
            _unreadable(
                path,
                f"it has format version {data.get('version')}, this program "
                f"reads version {BACKUP_VERSION}; update the program",
            )
        )
    try:
        return _parsed(data)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise BackupUnreadable(_unreadable(path, f"it is damaged ({exc!r})")) from exc


def _unreadable(path: Path, why: str) -> str:
    return f"the user backup {path} cannot be read: {why}; it is ignored (nothing restored)"


def _parsed(data: dict[str, Any]) -> UserBackup:
    photos = [
        (None if h is None else str(h), os.fsdecode(bytes.fromhex(p))) for h, p in data["photos"]
    ]
    count = len(photos)

    def photo(index: Any) -> int:
        if not isinstance(index, int) or not 0 <= index < count:
            raise IndexError(f"photo {index!r} of {count}")
        return index

    def box(values: list[Any]) -> Box:
        x, y, w, h = (float(v) for v in values)
        return (x, y, w, h)

    people = [
        BackedPerson(
            None if p["name"] is None else str(p["name"]),
            bool(p["hidden"]),
            [(photo(f[0]), box(f[1:5]), bool(f[5])) for f in p["faces"]],
        )
        for p in data["people"]
    ]

    def person(index: Any) -> int:
        if not isinstance(index, int) or not 0 <= index < len(people):
            raise IndexError(f"person {index!r} of {len(people)}")
        return index

    return UserBackup(
        catalog_id=str(data[_ID_KEY]),
        written_at=str(data["written_at"]),
        folders=[os.fsdecode(bytes.fromhex(h)) for h in data["folders"]],
        models={str(k): str(v) for k, v in dict(data["models"]).items()},
        photos=photos,
        people=people,
        rejections=[(photo(r[0]), box(r[1:5]), person(r[5])) for r in data["rejections"]],
        clicks=[(str(q), photo(p), str(a), str(t)) for q, p, a, t in data["clicks"]],
    )


def backed_up_folders(path: Path) -> list[str]:
    """The folders a backup lists ([] without a readable one): what a rebuilt catalog
    indexes before restore_user_data puts the rest back."""
    try:
        return read_user_backup(path).folders
    except BackupUnreadable:
        return []
