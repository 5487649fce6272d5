"""Reading what can still be read out of a damaged catalog into a fresh one, table by table and
row by row: a damaged page costs the rows on it, not the table, and never the command.

Python's sqlite3 offers no `.recover`, so rows are read in rowid order; when a read fails,
the scan probes further and further ahead for the first row it can read again (the b-tree
still finds rows beyond a damaged leaf), then goes on from there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from amc_core.store.schema import KEYWORD_RECORD, SCHEMA_VERSION

# Parents before children (foreign keys); the full-text index is rebuilt, never copied, and
# `meta` stays behind: its catalog id would let the salvaged catalog overwrite the user backup
# before the backup's names are restored over it.
_ANALYSIS_TABLES = (
    "photos", "keyword_vocab", "photo_keyword_sets", "photo_features",
    "people", "face_scans", "faces", "face_rejections", "bodies", "clicks",
)  # fmt: skip
_MAX_ROWID = (1 << 63) - 1


@dataclass(slots=True)
class SalvageReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows carried over
    unreadable: dict[str, int] = field(default_factory=dict)  # table -> damaged stretches
    dropped: dict[str, int] = field(default_factory=dict)  # read, but inconsistent
    reanalyse: int = 0  # photos whose analysis rows were lost: read again from their files
    version: int | None = None  # the damaged catalog's schema version (None: unreadable)

    def as_json(self) -> dict[str, object]:
        return {
            "rows_salvaged": self.rows,
            "damaged_stretches": {k: v for k, v in self.unreadable.items() if v},
            "rows_dropped_as_inconsistent": {k: v for k, v in self.dropped.items() if v},
            "photos_to_reanalyse": self.reanalyse,
        }


def open_damaged(path: Path) -> sqlite3.Connection:
    """A read-only connection to a damaged catalog (with its write-ahead log, when there is
    one beside it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA query_only = ON")
    return conn


def salvage(source: Path, target: sqlite3.Connection, report: SalvageReport) -> Iterator[str]:
    """Copy every readable row of the catalog at source into target (a fresh, empty catalog
    of the current version), then make the copy consistent, counting into report; yields each
    table's name as it starts."""
    try:
        conn = open_damaged(source)
    except sqlite3.Error:
        return
    try:
        report.version = _version(conn)
        # an older or newer layout's analysis rows mean something else: keep its folders
        # only (the photos are read again; what the user made comes back from the backup)
        same = report.version == SCHEMA_VERSION
        for table in ("folders", *(_ANALYSIS_TABLES if same else ())):
            yield table
            _copy_table(conn, target, table, report)
    finally:
        conn.close()
    report.reanalyse = make_consistent(target, report)


def _version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]


def _copy_table(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, report: SalvageReport
) -> None:
    try:
        columns = [c for c in _columns(target, table) if c in set(_columns(source, table))]
    except sqlite3.Error:
        report.unreadable[table] = 1  # its schema entry itself is unreadable
        return
    if not columns:
        return
    rowid = _has_rowid(target, table)
    insert = (
        f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    copied = dropped = 0
    target.execute("BEGIN")
    rows = _readable_rows(source, table, columns, rowid, report)
    for values in rows:
        try:
            copied += target.execute(insert, values).rowcount
        except sqlite3.Error:  # a constraint the damage broke (a garbled value)
            dropped += 1
    target.execute("COMMIT")
    report.rows[table] = copied
    report.dropped[table] = report.dropped.get(table, 0) + dropped


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return "WITHOUT ROWID" not in str(sql[0] if sql else "").upper()


def _readable_rows(
    conn: sqlite3.Connection,
    table: str,
    columns: list[str],
    rowid: bool,
    report: SalvageReport,
) -> Iterator[tuple[object, ...]]:
    """Every row of table that can be read, in key order, skipping damaged stretches (a table
    without rowids has no key to step over damage with: its rows up to the damage)."""
    report.unreadable.setdefault(table, 0)
    listed = ", ".join(columns)
    if not rowid:
        try:
            yield from conn.execute(f"SELECT {listed} FROM {table}")
        except sqlite3.Error:
            report.unreadable[table] += 1
        return
    select = f"SELECT rowid, {listed} FROM {table} WHERE rowid > ? ORDER BY rowid"
    last = -(1 << 63)
    while True:
        try:
            for row in conn.execute(select, (last,)):
                last = int(row[0])
                yield tuple(row[1:])
            return
        except sqlite3.Error:
            report.unreadable[table] += 1
            found = _next_readable(conn, table, last)
            if found is None:
                return
            last = found - 1


def _next_readable(conn: sqlite3.Connection, table: str, after: int) -> int | None:
    """The first rowid past `after` that can be read again, probing ever further ahead
    (1, 2, 4, ... rows), then narrowing down between the last failing and first good probe."""
    probe = f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1"

    def first_after(start: int) -> tuple[bool, int | None]:
        try:
            row = conn.execute(probe, (start,)).fetchone()
        except sqlite3.Error:
            return False, None
        return True, (int(row[0]) if row else None)

    step, failed_at = 1, after
    while after + step <= _MAX_ROWID:
        ok, found = first_after(after + step)
        if ok:
            break
        failed_at, step = after + step, step * 2
    else:
        return None
    good_at = after + step
    while good_at - failed_at > 1:  # the damaged stretch ends between the two
        middle = (failed_at + good_at) // 2
        ok, candidate = first_after(middle)
        if ok:
            good_at, found = middle, candidate
        else:
            failed_at = middle
    return found


def make_consistent(conn: sqlite3.Connection, report: SalvageReport) -> int:
    """After a salvage: drop rows whose parents were lost, mark photos whose analysis was
    lost for reading again, and fill the full-text index; returns how many photos will be
    read again."""
    conn.execute("BEGIN")
    orphans = {
        "photos": "folder_id NOT IN (SELECT id FROM folders)",
        "photo_keyword_sets": "photo_id NOT IN (SELECT id FROM photos)",
        "photo_features": "photo_id NOT IN (SELECT id FROM photos)",
        "face_scans": "photo_id NOT IN (SELECT id FROM photos)",
        "faces": "photo_id NOT IN (SELECT id FROM photos)",
        "face_rejections": "face_id NOT IN (SELECT id FROM faces) "
        "OR person_id NOT IN (SELECT id FROM people)",
        "clicks": "photo_id NOT IN (SELECT id FROM photos)",
    }
    for table, where in orphans.items():
        gone = conn.execute(f"DELETE FROM {table} WHERE {where}").rowcount
        report.dropped[table] = report.dropped.get(table, 0) + gone
    conn.execute("UPDATE faces SET person_id = NULL WHERE person_id NOT IN (SELECT id FROM people)")
    _drop_broken_keyword_sets(conn, report)
    # a photo's faces are all there or read again: a scan whose faces were (partly) lost goes
    conn.execute(
        "DELETE FROM face_scans WHERE face_count != "
        "(SELECT COUNT(*) FROM faces WHERE faces.photo_id = face_scans.photo_id)"
    )
    for table in ("faces", "bodies"):  # read again with their scan
        conn.execute(f"DELETE FROM {table} WHERE photo_id NOT IN (SELECT photo_id FROM face_scans)")
    # boxes partly lost: all dropped, and the faces pass locates those people again
    conn.execute(
        "DELETE FROM bodies WHERE photo_id IN (SELECT photo_id FROM face_scans s WHERE "
        "s.body_count != (SELECT COUNT(*) FROM bodies b WHERE b.photo_id = s.photo_id))"
    )
    had_features = bool(
        report.rows.get("photo_features") or report.unreadable.get("photo_features")
    )
    lost = _photos_missing_analysis(conn, had_features)
    conn.executemany("UPDATE photos SET size = -1 WHERE id = ?", [(i,) for i in lost])
    _fill_full_text(conn)
    conn.execute("COMMIT")
    return len(lost)


def _drop_broken_keyword_sets(conn: sqlite3.Connection, report: SalvageReport) -> None:
    """A keyword set naming a vocabulary word that was lost cannot be read: drop it (its
    photo is read again)."""
    known = np.array(sorted(int(r[0]) for r in conn.execute("SELECT id FROM keyword_vocab")))
    broken = []
    for photo_id, data in conn.execute("SELECT photo_id, data FROM photo_keyword_sets"):
        blob = bytes(data)
        if len(blob) % KEYWORD_RECORD.itemsize:
            broken.append(int(photo_id))
            continue
        ids = np.frombuffer(blob, dtype=KEYWORD_RECORD)["id"]
        if not np.isin(ids, known).all():
            broken.append(int(photo_id))
    conn.executemany("DELETE FROM photo_keyword_sets WHERE photo_id = ?", [(i,) for i in broken])
    report.dropped["photo_keyword_sets"] = report.dropped.get("photo_keyword_sets", 0) + len(broken)


def _photos_missing_analysis(conn: sqlite3.Connection, had_features: bool) -> list[int]:
    """Indexed photos whose keywords, or features (where the library had features at all),
    were lost."""
    features_lost = " OR id NOT IN (SELECT photo_id FROM photo_features)" if had_features else ""
    rows = conn.execute(
        "SELECT id FROM photos WHERE state = 'ok' AND "
        f"(id NOT IN (SELECT photo_id FROM photo_keyword_sets){features_lost})"
    )
    return [int(r[0]) for r in rows]


def _fill_full_text(conn: sqlite3.Connection) -> None:
    texts = dict(conn.execute("SELECT id, text FROM keyword_vocab").fetchall())
    rows = []
    for photo_id, data in conn.execute("SELECT photo_id, data FROM photo_keyword_sets"):
        ids = np.frombuffer(bytes(data), dtype=KEYWORD_RECORD)["id"].tolist()
        rows.append((int(photo_id), " ".join(texts[i] for i in ids)))
    conn.executemany("INSERT INTO photo_text (rowid, keywords) VALUES (?, ?)", rows)
