"""Putting the user backup (amc_core.store.user_backup) back over a rebuilt catalog.

`amc repair` calls restore_user_data once the rebuilt catalog has indexed the backed-up
folders and run the faces pass: photos are found again by content hash (then by path), faces
by their photo and a box overlapping the backed-up one (IoU >= 0.5), and every name, face
answer and click is put back on them. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from amc_core.store.catalog import Catalog
from amc_core.store.connection import decode_path, encode_path, now
from amc_core.store.faces import _drop_empty_groups
from amc_core.store.layout import MODELS_NAME
from amc_core.store.records import path_within
from amc_core.store.user_backup import (
    BackupUnreadable,
    Box,
    UserBackup,
    backup_owner,
    model_digests,
    read_user_backup,
    write_user_backup,
)

MIN_IOU = 0.5  # a face found again: its box and the backed-up one overlap this much
_CHUNK = 500


def restore_user_data(catalog: Catalog, backup_path: Path) -> dict[str, Any]:
    """Put the backup's folders, people (names, hidden, confirmed faces, "not this person"
    answers) and clicks back into the catalog; the caller holds the library's write lock.

    Returns counts per kind ("restored", and "missing": photos or faces not found again),
    "parameters" (each file of the library's own ranking: "ok", "changed" or "missing"),
    "changed_photos" (pass them to Library.people_changed to rewrite their name keywords),
    "kept_aside" (a copy of the backup when part of it could not be restored, or None) and,
    for a missing or damaged backup, "error" with why (then nothing is restored)."""
    try:
        backup = read_user_backup(backup_path)
    except BackupUnreadable as exc:
        return {"error": str(exc), "changed_photos": [], "kept_aside": None}
    with catalog.user_backup_deferred():
        folders = _restore_folders(catalog, backup.folders)
    photo_ids = _find_photos(catalog.connection, backup.photos)
    with catalog.transaction() as conn:
        clicks = _restore_clicks(conn, backup, photo_ids)
        people, changed = _restore_people(conn, backup, photo_ids)
        conn.executemany(
            "UPDATE face_scans SET keywords_done = 0 WHERE photo_id = ?", [(p,) for p in changed]
        )
    report: dict[str, Any] = {"folders": folders, "clicks": clicks, **people}
    report["parameters"] = _check_models(backup, backup_path.parent / MODELS_NAME)
    lost = any(kind.get("missing") for kind in report.values() if isinstance(kind, dict))
    report["kept_aside"] = None
    if lost and backup_owner(backup_path) != _own_id(catalog):
        # what is still missing (a drive not plugged in) can be restored later from the copy
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = backup_path.with_name(f"{backup_path.stem}.kept-{stamp}{backup_path.suffix}")
        shutil.copy2(backup_path, aside)
        report["kept_aside"] = str(aside)
    write_user_backup(catalog, backup_path, force=True)  # the catalog adopts the backup
    report["changed_photos"] = sorted(changed)
    return report


def _own_id(catalog: Catalog) -> str | None:
    row = catalog.connection.execute("SELECT value FROM meta WHERE key = 'catalog_id'").fetchone()
    return str(row[0]) if row else None


def _restore_folders(catalog: Catalog, folders: list[str]) -> dict[str, int]:
    counts = Counter({"restored": 0, "present": 0, "missing": 0})
    for path in folders:
        if any(path_within(path, f.path) for f in catalog.folders()):
            counts["present"] += 1
        elif Path(path).is_dir():
            catalog.add_folder(path)
            counts["restored"] += 1
        else:
            counts["missing"] += 1
    return dict(counts)


def _find_photos(
    conn: sqlite3.Connection, photos: list[tuple[str | None, str]]
) -> list[int | None]:
    """Per backed-up photo: the catalog's photo with its content (the same path first when
    copies share it), else the photo at its path; None when neither is there."""
    by_hash: dict[str, list[tuple[int, str]]] = {}
    hashes = sorted({h for h, _ in photos if h})
    for chunk in _chunks(hashes):
        marks = ",".join("?" * len(chunk))
        for photo_id, content_hash, path in conn.execute(
            f"SELECT id, content_hash, path FROM photos WHERE content_hash IN ({marks}) "
            "ORDER BY id",
            chunk,
        ):
            by_hash.setdefault(content_hash, []).append((int(photo_id), decode_path(path)))
    by_path: dict[str, int] = {}
    paths = sorted({p for h, p in photos if not by_hash.get(h or "")})
    for chunk in _chunks(paths):
        marks = ",".join("?" * len(chunk))
        for photo_id, path in conn.execute(
            f"SELECT id, path FROM photos WHERE path IN ({marks})",
            [encode_path(p) for p in chunk],
        ):
            by_path[decode_path(path)] = int(photo_id)
    found: list[int | None] = []
    for content_hash, path in photos:
        same = by_hash.get(content_hash or "", [])
        found.append(
            next((i for i, p in same if p == path), same[0][0]) if same else by_path.get(path)
        )
    return found


def _restore_clicks(
    conn: sqlite3.Connection, backup: UserBackup, photo_ids: list[int | None]
) -> dict[str, int]:
    """Each backed-up click once (the same click twice in one second counts twice): those
    already in the catalog are "present", those whose photo is gone "missing"."""
    counts = Counter({"restored": 0, "present": 0, "missing": 0})
    wanted: Counter[tuple[str, int, str, str]] = Counter()
    for query, photo, action, at in backup.clicks:
        photo_id = photo_ids[photo]
        if photo_id is None or action not in ("open", "inspect"):
            counts["missing"] += 1
        else:
            wanted[(query, photo_id, action, at)] += 1
    for key, count in wanted.items():
        row = conn.execute(
            "SELECT COUNT(*) FROM clicks WHERE query = ? AND photo_id = ? AND action = ? "
            "AND at = ?",
            key,
        ).fetchone()
        present = min(int(row[0]), count)
        conn.executemany(
            "INSERT INTO clicks (query, photo_id, action, at) VALUES (?, ?, ?, ?)",
            [key] * (count - present),
        )
        counts["present"] += present
        counts["restored"] += count - present
    return dict(counts)


class _Faces:
    """The rebuilt catalog's faces in the backed-up photos, found by photo and box."""

    def __init__(self, conn: sqlite3.Connection, photo_ids: Iterable[int]) -> None:
        self.by_photo: dict[int, list[tuple[int, Box]]] = {}
        for chunk in _chunks(sorted(set(photo_ids))):
            marks = ",".join("?" * len(chunk))
            for face_id, photo_id, x, y, w, h in conn.execute(
                f"SELECT id, photo_id, x, y, w, h FROM faces WHERE photo_id IN ({marks})", chunk
            ):
                self.by_photo.setdefault(int(photo_id), []).append((int(face_id), (x, y, w, h)))

    def find(self, photo_id: int | None, box: Box) -> int | None:
        if photo_id is None:
            return None
        scored = [(iou(box, b), f) for f, b in self.by_photo.get(photo_id, [])]
        best = max(scored, default=(0.0, None))
        return best[1] if best[0] >= MIN_IOU else None


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(w, 0.0) * max(h, 0.0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _restore_people(
    conn: sqlite3.Connection, backup: UserBackup, photo_ids: list[int | None]
) -> tuple[dict[str, dict[str, int]], set[int]]:
    """People, their faces and the "not this person" answers; returns the counts and the
    photos whose face keywords must be rewritten."""
    faces = _Faces(conn, (p for p in photo_ids if p is not None))
    people = Counter({"restored": 0, "waiting": 0, "missing": 0})
    face_counts = Counter({"restored": 0, "missing": 0})
    targets: list[int | None] = []
    changed: set[int] = set()
    for person in backup.people:
        found = [(faces.find(photo_ids[p], box), confirmed) for p, box, confirmed in person.faces]
        matched = [(f, c) for f, c in found if f is not None]
        face_counts["restored"] += len(matched)
        face_counts["missing"] += len(found) - len(matched)
        target = _target(conn, person.name, [f for f, _ in matched], targets)
        targets.append(target)
        if target is None:
            people["missing"] += 1  # an unnamed group none of whose faces is here
            continue
        people["restored" if matched or not person.name else "waiting"] += 1
        conn.execute(
            "UPDATE people SET name = ?, hidden = ? WHERE id = ?",
            (person.name, int(person.hidden), target),
        )
        conn.executemany(
            "UPDATE faces SET person_id = ?, confirmed = ? WHERE id = ?",
            [(target, int(c), f) for f, c in matched],
        )
    rejections = Counter({"restored": 0, "missing": 0})
    for photo, box, person_index in backup.rejections:
        face_id = faces.find(photo_ids[photo], box)
        target = targets[person_index]
        if face_id is None or target is None:
            rejections["missing"] += 1
            continue
        conn.execute("INSERT OR IGNORE INTO face_rejections VALUES (?, ?)", (face_id, target))
        conn.execute(
            "UPDATE faces SET person_id = NULL, confirmed = 0 WHERE id = ? AND person_id = ?",
            (face_id, target),
        )
        changed |= _photos_of_faces(conn, [face_id])
        rejections["restored"] += 1
    _drop_empty_groups(conn)
    for target in {t for t in targets if t is not None}:
        changed |= {
            int(r[0])
            for r in conn.execute("SELECT photo_id FROM faces WHERE person_id = ?", (target,))
        }
    counts = {"people": dict(people), "faces": dict(face_counts), "rejections": dict(rejections)}
    return counts, changed


def _target(
    conn: sqlite3.Connection, name: str | None, matched: list[int], taken: list[int | None]
) -> int | None:
    """The person a backed-up person becomes: the one with their name; else the unnamed
    group most of their faces landed in (not one already given to another backed-up
    person); else a new person (a name is never dropped, even with no face found yet)."""
    if name:
        row = conn.execute(
            "SELECT id FROM people WHERE name = ? COLLATE NOCASE", (name,)
        ).fetchone()
        if row:
            return int(row[0])
    groups = Counter(
        int(r[0])
        for f in matched
        for r in conn.execute(
            "SELECT f.person_id FROM faces f JOIN people p ON p.id = f.person_id "
            "WHERE f.id = ? AND p.name IS NULL",
            (f,),
        )
    )
    for group, _ in groups.most_common():
        if group not in taken:
            return group
    if not matched and not name:
        return None
    cur = conn.execute("INSERT INTO people (name, created_at) VALUES (?, ?)", (name, now()))
    return int(cur.lastrowid or 0)


def _photos_of_faces(conn: sqlite3.Connection, face_ids: list[int]) -> set[int]:
    marks = ",".join("?" * len(face_ids))
    rows = conn.execute(f"SELECT photo_id FROM faces WHERE id IN ({marks})", face_ids)
    return {int(r[0]) for r in rows}


def _check_models(backup: UserBackup, models_dir: Path) -> dict[str, str]:
    """Each backed-up file of the library's own ranking: "ok", "changed" or "missing"."""
    now = model_digests(models_dir)
    return {
        name: "ok" if now.get(name) == digest else "changed" if name in now else "missing"
        for name, digest in backup.models.items()
    }


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
