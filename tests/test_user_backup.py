"""The user backup (issue 18, "Damage never wins"): what only the user made (names, face
answers, clicks, folders) is copied beside the catalog after every change, and comes back
over a catalog rebuilt after the old one was deleted outright."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from test_cli import amc
from test_people import FACES, NO_FACES, OBAMA, PHOTOS, search_names

from amc_core.describe.face_crops import face_model_dir
from amc_core.index.library import Library
from amc_core.resources import resources_dir
from amc_core.store.catalog import Catalog
from amc_core.store.faces import FoundFace
from amc_core.store.layout import CATALOG_NAME, USER_BACKUP_NAME, LibraryPaths
from amc_core.store.records import PhotoRow
from amc_core.store.user_backup import BackupUnreadable, backed_up_folders, read_user_backup
from amc_core.store.user_restore import restore_user_data

BOX = (0.2, 0.2, 0.3, 0.3)


def backup_json(library: Path) -> dict:
    return json.loads((library / USER_BACKUP_NAME).read_text())


def delete_catalog(library: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(library / CATALOG_NAME) + suffix).unlink(missing_ok=True)


def add_photos(catalog: Catalog, folder: Path, names: list[str], shift: float = 0.0) -> list[int]:
    """Photos with content hash = name, one face each (box moved right by `shift`)."""
    record = catalog.find_folder(str(folder)) or catalog.add_folder(str(folder))
    rows = [
        PhotoRow(str(folder / f"{n}.jpg"), record.id, 1, 1, "ok", content_hash=n) for n in names
    ]
    ids = catalog.write_photos(rows)
    box = (BOX[0] + shift, *BOX[1:])
    for photo_id in ids:
        catalog.save_face_scan(photo_id, None, "test", [FoundFace(box, 0.9, 0.9, None)])
    return ids


def faces_of(catalog: Catalog, ids: list[int]) -> list[int]:
    return [f.id for faces in catalog.faces_of_photos(ids).values() for f in faces]


def user_tables(catalog: Catalog) -> dict[str, list]:
    conn = catalog.connection
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("folders", "people", "face_rejections", "clicks")
    } | {"faces": conn.execute("SELECT id, person_id, confirmed FROM faces ORDER BY id").fetchall()}


def test_every_user_change_rewrites_the_backup_and_deletions_shrink_it(tmp_path: Path) -> None:
    library, folder = tmp_path / "library", tmp_path / "photos"
    folder.mkdir()
    library.mkdir()
    with Catalog.open(library / CATALOG_NAME) as catalog:
        assert catalog.user_backup == LibraryPaths(library).user_backup
        ids = add_photos(catalog, folder, ["a", "b", "c", "d"])
        assert backup_json(library)["folders"] == [bytes(str(folder), "utf-8").hex()]
        assert catalog.record_click("beach", ids[0], "open")
        assert [c[0] for c in backup_json(library)["clicks"]] == ["beach"]
        faces = faces_of(catalog, ids)
        [group] = catalog.save_groups({}, [faces])
        assert backup_json(library)["people"] == []  # an automatic group is not user-made
        catalog.name_person(group, "Anna")
        [anna] = backup_json(library)["people"]
        assert anna["name"] == "Anna" and len(anna["faces"]) == 4
        catalog.confirm_faces(group, faces[1:2])
        assert [f[5] for f in backup_json(library)["people"][0]["faces"]] == [0, 1, 0, 0]
        catalog.reject_face(faces[0])
        saved = backup_json(library)
        assert len(saved["people"][0]["faces"]) == 3 and len(saved["rejections"]) == 1
        catalog.hide_person(group)
        assert backup_json(library)["people"][0]["hidden"] is True
        assert catalog.clear_clicks() == 1
        assert backup_json(library)["clicks"] == []
        catalog.forget_faces()
        assert backup_json(library)["people"] == backup_json(library)["rejections"] == []
        catalog.remove_folder(catalog.folders()[0])
        assert backup_json(library)["folders"] == backup_json(library)["photos"] == []
    assert sorted(p.name for p in library.iterdir()) == [CATALOG_NAME, *sorted(
        n for n in (f"{CATALOG_NAME}-shm", f"{CATALOG_NAME}-wal", USER_BACKUP_NAME)
        if (library / n).exists()
    )]  # fmt: skip
    assert not list(library.glob("*.tmp"))
    assert (library / USER_BACKUP_NAME).stat().st_mode & 0o077 == 0  # it holds names: private


def test_an_in_memory_catalog_writes_no_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Catalog.open(None) as catalog:
        assert catalog.user_backup is None
        [photo] = add_photos(catalog, tmp_path, ["a"])
        assert catalog.record_click("beach", photo, "open")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_backup_write_never_fails_the_users_action(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library = tmp_path / "library"
    (library / USER_BACKUP_NAME).mkdir(parents=True)  # the rename over it fails
    with Catalog.open(library / CATALOG_NAME) as catalog:
        [photo] = add_photos(catalog, tmp_path, ["a"])
        with caplog.at_level(logging.WARNING):
            assert catalog.record_click("beach", photo, "open")
        assert catalog.click_counts() == (1, 1)  # the catalog stays the record
    assert "was not written" in caplog.text
    assert not list(library.glob("*.tmp"))


def test_a_damaged_backup_is_reported_and_ignored(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    backup = library / USER_BACKUP_NAME
    with Catalog.open(library / CATALOG_NAME) as catalog:
        [photo] = add_photos(catalog, tmp_path, ["a"])
        catalog.record_click("beach", photo, "open")
        whole = backup.read_text()
        cases = {
            whole[: len(whole) // 2]: "cannot be read",  # truncated
            "\x00\x01garbage": "cannot be read",
            json.dumps({"format": "something else"}): "not an AMC user backup",
            whole.replace('"version":1', '"version":99'): "update the program",
            whole.replace('"clicks":[[', '"clicks":[[[]'): "damaged",
        }
        for text, why in cases.items():
            backup.write_text(text)
            with pytest.raises(BackupUnreadable, match=why):
                read_user_backup(backup)
            report = restore_user_data(catalog, backup)
            assert why in report["error"] and report["changed_photos"] == []
            assert backed_up_folders(backup) == []
        backup.unlink()
        assert "no user backup" in restore_user_data(catalog, backup)["error"]


def test_a_new_catalog_keeps_the_lost_catalogs_backup_until_it_is_restored(
    tmp_path: Path,
) -> None:
    library, folder = tmp_path / "library", tmp_path / "photos"
    folder.mkdir()
    library.mkdir()
    with Catalog.open(library / CATALOG_NAME) as catalog:
        ids = add_photos(catalog, folder, ["a", "b", "c", "d", "gone"])
        [group] = catalog.save_groups({}, [faces_of(catalog, ids[:4])])
        catalog.name_person(group, "Anna")
        catalog.confirm_faces(group, faces_of(catalog, ids[1:2]))
        catalog.reject_face(faces_of(catalog, ids[:1])[0])
        for query, photo in (("anna", ids[1]), ("anna beach", ids[2]), ("x", ids[4])):
            catalog.record_click(query, photo, "open")
        nobody = catalog.save_groups({}, [faces_of(catalog, ids[4:])])[0]
        catalog.name_person(nobody, "Bert")  # a name whose photos will not come back
    before = backup_json(library)
    delete_catalog(library)
    with Catalog.open(library / CATALOG_NAME, new=True) as catalog:
        ids = add_photos(catalog, folder, ["a", "b", "c", "d"], shift=0.02)  # boxes move a bit
        catalog.save_groups({}, [faces_of(catalog, ids)])  # the faces pass groups them again
        assert backup_json(library) == before  # the new, empty catalog overwrote nothing
        report = restore_user_data(catalog, library / USER_BACKUP_NAME)
        assert report["folders"] == {"restored": 0, "present": 1, "missing": 0}
        assert report["clicks"] == {"restored": 2, "present": 0, "missing": 1}
        assert report["people"] == {"restored": 1, "waiting": 1, "missing": 0}
        assert report["faces"] == {"restored": 3, "missing": 1}  # Anna's 3, not Bert's one
        assert report["rejections"] == {"restored": 1, "missing": 0}
        assert sorted(report["changed_photos"]) == sorted(ids)
        anna, bert = catalog.people()
        assert (anna.name, anna.faces, bert.name, bert.faces) == ("Anna", 3, "Bert", 0)
        faces = {f.photo_id: f for f in catalog.person_faces(anna.id)}
        assert sorted(faces) == ids[1:] and faces[ids[1]].confirmed
        assert not faces[ids[2]].confirmed
        [rejected] = faces_of(catalog, ids[:1])
        assert catalog.rejections() == {(rejected, anna.id)}
        assert catalog.clicks() == [("anna", ids[1], "open"), ("anna beach", ids[2], "open")]
        assert report["kept_aside"] is not None  # the click on "gone" may come back later
        kept = json.loads(Path(report["kept_aside"]).read_text())
        assert kept["clicks"] == before["clicks"]
        adopted = backup_json(library)  # the catalog adopted the backup: it writes it now
        assert adopted["catalog_id"] != before["catalog_id"] and len(adopted["clicks"]) == 2
        tables = user_tables(catalog)
        again = restore_user_data(catalog, library / USER_BACKUP_NAME)  # idempotent
        assert user_tables(catalog) == tables
        assert again["clicks"] == {"restored": 0, "present": 2, "missing": 0}
        assert again["kept_aside"] is None


def test_a_name_none_of_whose_faces_is_found_waits_as_a_named_person(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    with Catalog.open(library / CATALOG_NAME) as catalog:
        ids = add_photos(catalog, tmp_path, ["a", "b"])
        [group] = catalog.save_groups({}, [faces_of(catalog, ids)])
        catalog.name_person(group, "Anna")
    delete_catalog(library)
    with Catalog.open(library / CATALOG_NAME, new=True) as catalog:
        report = restore_user_data(catalog, library / USER_BACKUP_NAME)
        assert report["people"] == {"restored": 0, "waiting": 1, "missing": 0}
        assert report["faces"] == {"restored": 0, "missing": 2}
        assert [(p.name, p.faces) for p in catalog.people()] == [("Anna", 0)]
        assert report["kept_aside"] and Path(report["kept_aside"]).is_file()
        assert catalog.person_names() == ["Anna"]


def test_writing_the_backup_of_a_busy_library_stays_cheap(tmp_path: Path) -> None:
    """10^4 clicks and 1,000 named faces: one rewrite (one per click) stays well under 0.5 s."""
    library = tmp_path / "library"
    library.mkdir()
    with Catalog.open(library / CATALOG_NAME) as catalog:
        ids = add_photos(catalog, tmp_path, [f"p{i}" for i in range(1000)])
        [group] = catalog.save_groups({}, [faces_of(catalog, ids)])
        catalog.name_person(group, "Anna")
        with catalog.transaction() as conn:
            conn.executemany(
                "INSERT INTO clicks (query, photo_id, action, at) VALUES (?, ?, 'open', 'now')",
                [(f"query {i % 300}", ids[i % 1000]) for i in range(10_000)],
            )
        assert catalog.record_click("beach", ids[0], "open")
    saved = backup_json(library)
    assert len(saved["clicks"]) == 10_001 and len(saved["people"][0]["faces"]) == 1000


# -- end to end on real face photos --------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    not (face_model_dir() / "shape_predictor_5_face_landmarks.dat").is_file(),
    reason="face models not fetched (`make install` fetches them)",
)
def test_a_deleted_catalog_gets_every_name_answer_click_and_folder_back(tmp_path: Path) -> None:
    album, library_dir = tmp_path / "album", tmp_path / "library"
    album.mkdir()
    for name in [*OBAMA, "biden"]:
        shutil.copy(FACES / f"{name}.jpg", album / f"{name}.jpg")
    for name in NO_FACES:
        shutil.copy(PHOTOS / f"{name}.jpg", album / f"{name}.jpg")
    assert amc("index", str(album), "--library", str(library_dir), "--no-ocr").returncode == 0
    with Library(library_dir) as library:
        catalog = library.catalog
        [person] = catalog.people()
        catalog.name_person(person.id, "Barack Obama")
        faces = {Path(catalog.photo_record(f.photo_id)["path"]).stem: f  # type: ignore[index]
                 for f in catalog.person_faces(person.id)}  # fmt: skip
        catalog.confirm_faces(person.id, [faces["obama2"].id])
        catalog.reject_face(faces["obama3"].id)
        ids = {Path(p).stem: i for i, p in catalog.indexed_paths()}
        catalog.record_click("president", ids["obama"], "open")
        catalog.record_click("coffee cup", ids["coffee"], "inspect")
        library.paths.models.mkdir(exist_ok=True)  # as a fine-tune saves its parameters
        shutil.copy(resources_dir() / "models" / "amc_params.npz", library.paths.models)
        catalog.user_data_changed()  # what the fine-tune does after saving them
        library.people_changed()
    delete_catalog(library_dir)  # destroyed outright: no catalog, no journal

    repaired = amc("repair", "--library", str(library_dir), "--json")
    assert repaired.returncode == 0, repaired.stderr
    report = json.loads(repaired.stdout)
    assert report["photos"] == len(OBAMA) + 1 + len(NO_FACES)  # every photo found again
    restored = report["user_data"]
    assert restored["clicks"] == {"restored": 2, "present": 0, "missing": 0}
    assert restored["faces"] == {"restored": 4, "missing": 0}
    assert restored["rejections"] == {"restored": 1, "missing": 0}
    assert restored["parameters"] == {"amc_params.npz": "ok"}  # the learned ranking, kept
    assert restored["kept_aside"] is None  # everything came back
    with Library(library_dir) as library:
        catalog = library.catalog
        [person] = catalog.people()
        assert person.name == "Barack Obama" and person.faces == 4
        faces = {Path(catalog.photo_record(f.photo_id)["path"]).stem: f  # type: ignore[index]
                 for f in catalog.person_faces(person.id)}  # fmt: skip
        assert sorted(faces) == sorted(set(OBAMA) - {"obama3"})
        assert [n for n, f in faces.items() if f.confirmed] == ["obama2"]
        ids = {Path(p).stem: i for i, p in catalog.indexed_paths()}
        [(rejected, by)] = catalog.rejections()
        assert (
            by == person.id
            and catalog.faces_of_photos([ids["obama3"]])[ids["obama3"]][0].id == rejected
        )
        assert catalog.clicks() == [
            ("president", ids["obama"], "open"),
            ("coffee cup", ids["coffee"], "inspect"),
        ]
        assert [f.path for f in catalog.folders()] == [str(album.resolve())]
    found = search_names(library_dir, 'person:"Barack Obama"')
    assert sorted(found) == sorted(set(OBAMA) - {"obama3"})
    assert sorted(search_names(library_dir, "barack obama")[:4]) == sorted(set(OBAMA) - {"obama3"})
