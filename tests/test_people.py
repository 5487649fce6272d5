"""People end to end on real photos of real, repeated people (tests/data/faces: one man in
five photos, two of them partial faces, and another man): index -> group -> name -> search."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import amc

from amc_core.describe.face_crops import DETECTOR_ID, face_model_dir
from amc_core.describe.faces import detect_faces
from amc_core.index.face_groups import group_faces, same_person_scores
from amc_core.index.library import Library
from amc_core.store.faces import FaceTable

FACES = Path(__file__).parent / "data" / "faces"
PHOTOS = Path(__file__).parent / "data" / "photos"
OBAMA = ["obama", "obama2", "obama3", "obama_partial_face", "obama_partial_face2"]
NO_FACES = ["coffee", "rocket"]

pytestmark = pytest.mark.skipif(
    not (face_model_dir() / "shape_predictor_5_face_landmarks.dat").is_file(),
    reason="face models not fetched (`make install` fetches them)",
)


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("album")
    for name in [*OBAMA, "biden"]:
        shutil.copy(FACES / f"{name}.jpg", folder / f"{name}.jpg")
    for name in NO_FACES:
        shutil.copy(PHOTOS / f"{name}.jpg", folder / f"{name}.jpg")
    return folder


@pytest.fixture(scope="module")
def indexed(album: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = tmp_path_factory.mktemp("people-library")
    done = amc("index", str(album), "--library", str(library), "--json", "--no-ocr")
    assert done.returncode == 0, done.stderr
    faces = json.loads(done.stdout)["faces"]
    assert faces["photos_read"] == 8 and faces["faces_found"] == 6
    return library


def people_json(library: Path) -> dict:
    listed = amc("people", "--library", str(library), "--json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def search_names(library: Path, query: str) -> list[str]:
    found = amc("search", query, "--library", str(library), "--json")
    assert found.returncode == 0, found.stderr
    return [Path(r["path"]).stem for r in json.loads(found.stdout)["results"]]


def test_every_face_is_found_partial_ones_too() -> None:
    for name in [*OBAMA, "biden"]:
        with Image.open(FACES / f"{name}.jpg") as image:
            assert len(detect_faces(np.asarray(image.convert("RGB")))) == 1, name


def test_the_repeated_man_is_one_person_and_the_other_stays_apart(indexed: Path) -> None:
    listed = people_json(indexed)
    assert len(listed["people"]) == 1
    person = listed["people"][0]
    assert person["name"] is None and person["faces"] == 5
    assert sorted(Path(p).stem for p in person["photos"]) == sorted(OBAMA)
    assert all(Path(p).is_absolute() for p in person["photos"])
    assert listed["unassigned"] == 1  # the other man: one face is no group


def test_a_named_person_is_found_by_name_and_by_filter(indexed: Path) -> None:
    person = people_json(indexed)["people"][0]["id"]
    named = amc("people", "name", str(person), "Barack Obama", "--library", str(indexed))
    assert named.returncode == 0, named.stderr
    assert people_json(indexed)["people"][0]["name"] == "Barack Obama"
    for query in ("barack obama", "obama", "Barack Obama", "barack"):  # "barack": no file word
        assert sorted(search_names(indexed, query)[:5]) == sorted(OBAMA), query
    assert sorted(search_names(indexed, 'person:"Barack Obama"')) == sorted(OBAMA)
    assert sorted(search_names(indexed, "person:obama")) == sorted(OBAMA)
    left = search_names(indexed, "-person:obama faces:1+")
    assert left == ["biden"]
    assert sorted(search_names(indexed, "faces:0")) == sorted(NO_FACES)
    assert search_names(indexed, "person:anna") == []  # an unknown name: no error, nothing
    unknown = amc("search", "anna", "--library", str(indexed), "--json")
    assert unknown.returncode == 0 and "error" not in json.loads(unknown.stdout)


def test_explain_shows_the_name_as_person_evidence(indexed: Path, album: Path) -> None:
    people = people_json(indexed)["people"]
    if people[0]["name"] is None:
        amc("people", "name", str(people[0]["id"]), "Barack Obama", "--library", str(indexed))
    shown = amc("explain", "obama", str(album / "obama2.jpg"), "--library", str(indexed), "--json")
    assert shown.returncode == 0, shown.stderr
    keywords = json.loads(shown.stdout)["keywords"]
    assert any(k["keyword"] == "obama" and k["source"] == "person" for k in keywords)


def test_bad_people_commands_say_what_is_wrong(indexed: Path) -> None:
    unknown = amc("people", "name", "999", "Anna", "--library", str(indexed))
    assert unknown.returncode == 1 and "no person with id 999" in unknown.stderr
    blank = amc("people", "name", "1", "   ", "--library", str(indexed))
    assert blank.returncode == 1 and "a name needs" in blank.stderr
    refused = amc("people", "forget-faces", "--library", str(indexed))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert people_json(indexed)["people"]  # nothing was deleted


def test_forget_faces_deletes_faces_and_names_and_their_keywords(
    album: Path, tmp_path: Path
) -> None:
    library = tmp_path / "library"
    assert amc("index", str(album), "--library", str(library), "--no-ocr").returncode == 0
    person = people_json(library)["people"][0]["id"]
    amc("people", "name", str(person), "Barack Obama", "--library", str(library))
    forgot = amc("people", "forget-faces", "--yes", "--library", str(library), "--json")
    assert forgot.returncode == 0, forgot.stderr
    assert json.loads(forgot.stdout)["forgotten_names"] == 1
    assert people_json(library) == {"people": [], "unassigned": 0}
    assert search_names(library, "person:obama") == []
    with Library(library) as opened:  # the name left the photos' keywords
        sources = {
            k.source for i in opened.catalog.indexed_ids() for k in opened.catalog.keywords_of(i)
        }
    assert "person" not in sources


def test_names_survive_regrouping_and_a_rejected_face_stays_out(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in [*OBAMA, "biden"]:
        shutil.copy(FACES / f"{name}.jpg", folder / f"{name}.jpg")
    library_dir = tmp_path / "library"
    assert amc("index", str(folder), "--library", str(library_dir), "--no-ocr").returncode == 0
    with Library(library_dir) as library:
        catalog = library.catalog
        person = catalog.people()[0]
        catalog.name_person(person.id, "Barack Obama")
        faces = catalog.person_faces(person.id)
        catalog.reject_face(faces[0].id)
        library.people_changed()
        rejected_photo = faces[0].photo_id
    # a new photo of him arrives: faces are grouped again, the rejected one tried again
    shutil.copy(FACES / "obama2.jpg", folder / "obama2 again.jpg")
    assert amc("index", str(folder), "--library", str(library_dir), "--no-ocr").returncode == 0
    with Library(library_dir) as library:
        again = library.catalog.person(person.id)
        assert again.name == "Barack Obama" and again.faces == 5  # 4 kept + the new photo
        assert rejected_photo not in library.catalog.person_photo_ids(person.id)
        assert library.catalog.unassigned_faces() == 2  # the rejected face and the other man


def test_naming_with_a_taken_name_merges_and_merge_keeps_the_name(tmp_path: Path) -> None:
    from amc_core.store.catalog import Catalog
    from amc_core.store.faces import FoundFace

    with Catalog.open(tmp_path / "catalog.sqlite3") as catalog:
        folder = catalog.add_folder(str(tmp_path))
        from amc_core.store.records import PhotoRow

        ids = catalog.write_photos([
            PhotoRow(str(tmp_path / f"{i}.jpg"), folder.id, 1, 1, "ok", content_hash=str(i))
            for i in range(4)
        ])  # fmt: skip
        face = FoundFace((0.1, 0.1, 0.2, 0.2), 0.9, 0.9, None)
        for photo_id in ids:
            catalog.save_face_scan(photo_id, None, "test", [face])
        table = catalog.face_table("none")
        assert len(table.ids) == 0  # nothing embedded yet
        face_ids = [f.id for faces in catalog.faces_of_photos(ids).values() for f in faces]
        first, second = catalog.save_groups({}, [face_ids[:2], face_ids[2:]])
        catalog.name_person(first, "Anna")
        assert catalog.name_person(second, "anna") == first  # same name: one person
        assert [(p.name, p.faces) for p in catalog.people()] == [("Anna", 4)]
        with pytest.raises(Exception, match="themselves"):
            catalog.merge_people(first, first)


def _table(embeddings: list[list[float]], photos: list[int], persons: list[int]) -> FaceTable:
    n = len(embeddings)
    return FaceTable(
        np.arange(1, n + 1, dtype=np.int64), np.array(photos, dtype=np.int64),
        np.array(persons, dtype=np.int64), np.zeros(n, bool), np.ones(n, np.float32),
        np.array(embeddings, dtype=np.float32),
    )  # fmt: skip


def test_grouping_needs_a_core_of_three_and_never_puts_one_photo_twice_in_a_person() -> None:
    two = _table([[0.0, 0.0], [0.1, 0.0]], photos=[1, 2], persons=[-1, -1])
    assert group_faces(two, set()).new_groups == []  # two close faces are no person yet
    three = _table([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1]], photos=[1, 2, 3], persons=[-1] * 3)
    assert sorted(map(sorted, group_faces(three, set()).new_groups)) == [[1, 2, 3]]
    # a face close to a known person joins them, unless that person is already in its photo
    known = _table([[0.0, 0.0], [0.1, 0.0], [0.05, 0.0]], photos=[1, 2, 1], persons=[7, 7, -1])
    assert group_faces(known, set()).joins == {}
    joining = _table([[0.0, 0.0], [0.1, 0.0], [0.05, 0.0]], photos=[1, 2, 3], persons=[7, 7, -1])
    assert group_faces(joining, set()).joins == {3: 7}
    assert group_faces(joining, {(3, 7)}).joins == {}  # "not this person" is kept
    far = _table([[0.0, 0.0], [0.1, 0.0], [3.0, 0.0]], photos=[1, 2, 3], persons=[7, 7, -1])
    assert group_faces(far, set()).joins == {}


def test_same_person_scores_count_pairs() -> None:
    vectors = np.array([[0.0], [0.1], [2.0]], dtype=np.float32)
    assert same_person_scores(vectors, ["a", "a", "b"], 0.5) == (1.0, 1.0)
    assert same_person_scores(vectors, ["a", "b", "b"], 0.5) == (0.0, 0.0)


def test_the_faces_pass_resumes_after_a_stop_and_a_new_model_keeps_the_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from amc_core.describe import face_embedder

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in [*OBAMA, "biden"]:
        shutil.copy(FACES / f"{name}.jpg", folder / f"{name}.jpg")
    with Library(tmp_path / "library") as library:
        folders = library.add_folders([str(folder)])
        for _ in library.index(folders, faces=False):
            pass
        stop = threading.Event()
        for progress in library.find_people(stop):
            if progress.phase == "faces" and progress.step == "reading" and progress.done == 2:
                stop.set()  # as if the app were closed after two photos
        assert library.catalog.photos_to_scan(DETECTOR_ID) and not library.catalog.people()
        last = None
        for last in library.find_people():
            pass
        assert last is not None and last.report.faces["photos_read"] == 4  # only the rest
        person = library.catalog.people()[0]
        library.catalog.name_person(person.id, "Barack Obama")
        # a new embedding model: every face is embedded again from its crop, names stay
        monkeypatch.setattr(face_embedder, "MODEL_ID", "a-newer-model")
        for last in library.find_people():
            pass
        assert last.report.faces["faces_embedded"] == 6 and last.report.faces["photos_read"] == 0
        again = library.catalog.person(person.id)
        assert again.name == "Barack Obama" and again.faces == 5


def test_faces_are_read_from_rotated_and_heic_photos(tmp_path: Path) -> None:
    import pillow_heif

    from amc_core.index.faces_pass import read_faces

    with Image.open(FACES / "obama.jpg") as opened:
        upright = opened.convert("RGB")
    seen = read_faces(str(FACES / "obama.jpg"))
    assert seen is not None and len(seen.faces) == 1
    upright_faces = seen.faces
    # stored on its side, with EXIF saying "rotate 90 degrees clockwise to view"
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways.save(tmp_path / "sideways.jpg", exif=exif.tobytes())
    turned = read_faces(str(tmp_path / "sideways.jpg"))
    assert turned is not None and len(turned.faces) == 1
    x, y, w, h = turned.faces[0].box  # fractions of the upright photo: where the upright face is
    ux, uy, uw, uh = upright_faces[0].box
    assert abs((x + w / 2) - (ux + uw / 2)) < 0.05 and abs((y + h / 2) - (uy + uh / 2)) < 0.05
    pillow_heif.register_heif_opener()
    upright.save(tmp_path / "phone.heic", quality=80)
    heic = read_faces(str(tmp_path / "phone.heic"))
    assert heic is not None and len(heic.faces) == 1
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    assert read_faces(str(tmp_path / "broken.jpg")) is None


def test_people_seen_whole_make_people_keywords_without_a_face() -> None:
    """dv026 of the dev set: a person with a dog on grassland, their hooded face too small to
    find; the whole-body detector sees them. A photo without people gets nothing."""
    from amc_core.index.faces_pass import face_keywords, read_faces

    devset = Path(__file__).parent.parent / "data" / "devset" / "photos"
    walker = read_faces(str(devset / "dv026.jpg"))
    assert walker is not None and walker.bodies and not walker.faces
    x, y, w, h = walker.bodies[0].box  # they stand left of centre, head to feet over the grass
    assert 0.2 < x + w / 2 < 0.5 and h > 0.5 and 0.4 < y + h / 2 < 0.7
    words = {k.text: k for k in face_keywords([], (640, 480), (len(walker.bodies), 0.7))}
    assert words["person"].source == "people" and words["person"].confidence == 0.7
    assert "face" not in words
    crowd = {k.text for k in face_keywords([], (640, 480), (6, 0.8))}
    assert {"person", "people", "crowd"} <= crowd
    empty = read_faces(str(PHOTOS / "coffee.jpg"))
    assert empty is not None and empty.bodies == [] and empty.faces == []


def _cells(library: Path, query: str, name: str) -> np.ndarray:
    """(9,) where the search looked in one photo: the 3x3 cells, row-major, as shares."""
    found = amc("search", query, "--library", str(library), "--json")
    assert found.returncode == 0, found.stderr
    [hit] = [r for r in json.loads(found.stdout)["results"] if r["path"].endswith(name)]
    cells = np.array(hit["regions"][:9])
    return cells / cells.sum()


def test_a_person_seen_whole_draws_the_search_and_old_libraries_get_the_boxes(
    tmp_path: Path,
) -> None:
    """dv026: a person walking a dog, their face too small to find. The body detector's box
    vouches for "person" in the regions it fills (the lower left four of the overlapping 3/7
    windows), so "person walking" looks there. A library whose people seen whole were counted
    before boxes were kept (catalog version 6) gets the boxes at the next index run, which
    reads only their bodies: the faces and a given name stay."""
    folder, library = tmp_path / "photos", tmp_path / "library"
    folder.mkdir()
    shutil.copy(Path(__file__).parent.parent / "data" / "devset" / "photos" / "dv026.jpg",
                folder / "walk.jpg")  # fmt: skip
    for name in OBAMA[:3]:
        shutil.copy(FACES / f"{name}.jpg", folder / f"{name}.jpg")
    assert amc("index", str(folder), "--library", str(library), "--no-ocr").returncode == 0
    [person] = people_json(library)["people"]
    assert amc("people", "name", str(person["id"]), "Barack Obama", "--library", str(library)
               ).returncode == 0  # fmt: skip
    catalog_file = library / "catalog.sqlite3"
    with sqlite3.connect(catalog_file) as conn:  # as version 6 left it: a count, no boxes
        conn.execute("DROP TABLE bodies")
        conn.execute("UPDATE schema_version SET version = 6")
        faces_before = conn.execute("SELECT id, person_id FROM faces ORDER BY id").fetchall()
    walker = [3, 4, 6, 7]
    unboxed = _cells(library, "person walking", "walk.jpg")
    again = amc("index", str(folder), "--library", str(library), "--no-ocr", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["faces"]["photos_read"] == 0  # no photo read in full
    with sqlite3.connect(catalog_file) as conn:
        assert conn.execute("SELECT id, person_id FROM faces ORDER BY id").fetchall() == (
            faces_before
        )
        rows = conn.execute(
            "SELECT p.path, x, w FROM bodies b JOIN photos p ON p.id = b.photo_id"
        ).fetchall()
        [(x, w)] = [(x, w) for path, x, w in rows if bytes(path).endswith(b"walk.jpg")]
        assert 0.2 < x + w / 2 < 0.5
    boxed = _cells(library, "person walking", "walk.jpg")
    assert boxed[walker].sum() >= unboxed[walker].sum() + 0.1
    assert int(np.argmax(boxed)) in walker
    assert [p["name"] for p in people_json(library)["people"]] == ["Barack Obama"]


def test_body_boxes_of_a_photo_that_changed_meanwhile_are_not_kept(tmp_path: Path) -> None:
    """The back-fill reads a photo's people and saves their boxes only onto the scan of the
    content it read: a photo changed in between keeps its old count until its full scan."""
    from amc_core.store.bodies import FoundBody
    from amc_core.store.catalog import Catalog
    from amc_core.store.records import PhotoRow

    with Catalog.open(tmp_path / "catalog.sqlite3") as catalog:
        folder = catalog.add_folder(str(tmp_path))
        [photo] = catalog.write_photos(
            [PhotoRow(str(tmp_path / "a.jpg"), folder.id, 1, 1, "ok", content_hash="old")]
        )
        walker = FoundBody((0.2, 0.1, 0.3, 0.8), 0.7)
        catalog.save_face_scan(photo, "old", "test", [], [walker])
        with catalog.transaction() as conn:
            conn.execute("DELETE FROM bodies")  # as catalog version 6 kept it: a count
            conn.execute("UPDATE face_scans SET keywords_done = 1")
        assert [p for p, *_ in catalog.photos_without_body_boxes()] == [photo]
        assert not catalog.save_body_boxes(photo, "new", [walker])  # not the scanned content
        assert catalog.body_boxes([photo]) == {}
        assert photo not in catalog.photos_needing_face_keywords()
        assert catalog.save_body_boxes(photo, "old", [walker, walker])
        assert len(catalog.body_boxes([photo])[photo]) == 2
        assert catalog.bodies_of([photo]) == {photo: (2, 0.7)}
        assert catalog.photos_without_body_boxes() == []
        assert photo in catalog.photos_needing_face_keywords()  # two people now: "people"


def test_a_group_whose_photos_left_is_gone_but_a_named_person_stays(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    for name in OBAMA[:3]:
        shutil.copy(FACES / f"{name}.jpg", folder / "a" / f"{name}.jpg")
        shutil.copy(FACES / f"{name}.jpg", folder / "b" / f"{name} copy.jpg")
    library_dir = tmp_path / "library"
    assert (
        amc("index", str(folder / "a"), "--library", str(library_dir), "--no-ocr").returncode == 0
    )
    assert (
        amc("index", str(folder / "b"), "--library", str(library_dir), "--no-ocr").returncode == 0
    )
    with Library(library_dir) as library:
        assert len(library.catalog.people()) == 1
        library.remove_folder(str(folder / "a"))
        library.remove_folder(str(folder / "b"))
        assert library.catalog.people() == []  # an unnamed group of nobody: not listed
    assert (
        amc("index", str(folder / "a"), "--library", str(library_dir), "--no-ocr").returncode == 0
    )
    with Library(library_dir) as library:
        [again] = library.catalog.people()
        library.catalog.name_person(again.id, "Barack Obama")
        library.remove_folder(str(folder / "a"))
        [named] = library.catalog.people()
        assert named.name == "Barack Obama" and named.faces == 0  # the name is kept


def _paste_face(
    photo: Image.Image, face_photo: str, at: tuple[float, float], tall: float = 0.4
) -> None:
    """Paste the head of the person in face_photo (found by the detector) onto photo, its
    top-left corner at these fractions of the photo, this share of the photo's height tall."""
    with Image.open(FACES / face_photo) as opened:
        source = opened.convert("RGB")
    [face] = detect_faces(np.asarray(source))
    x, y, w, h = face.box
    head = source.crop((max(0, x - w // 3), max(0, y - h // 3), x + w + w // 3, y + h + h // 4))
    head.thumbnail((round(photo.height * tall), round(photo.height * tall)))
    photo.paste(head, (round(at[0] * photo.width), round(at[1] * photo.height)))


def test_a_name_and_a_scene_and_two_names_rank_the_photo_with_both(tmp_path: Path) -> None:
    """ "obama beach" wants him at the beach first, then him elsewhere and beaches without
    him; "obama biden" wants the photo with both. Neutral file names: only faces and pixels
    can tell. (The other man is grouped from three altered copies of his one photo: fine
    for a search test, never for measuring same-person accuracy.)"""
    from PIL import ImageEnhance, ImageOps

    devset = Path(__file__).parent.parent / "data" / "devset" / "photos"
    folder = tmp_path / "album"
    folder.mkdir()
    for i, name in enumerate(OBAMA):
        shutil.copy(FACES / f"{name}.jpg", folder / f"IMG_{i:04d}.jpg")
    with Image.open(FACES / "biden.jpg") as opened:
        biden = opened.convert("RGB")
    biden.save(folder / "IMG_0010.jpg")
    ImageOps.mirror(biden).save(folder / "IMG_0011.jpg")
    ImageEnhance.Brightness(biden).enhance(1.15).save(folder / "IMG_0012.jpg")
    with Image.open(devset / "dv025.jpg") as opened:  # a beach
        beach = opened.convert("RGB")
    beach.save(folder / "IMG_0020.jpg")
    _paste_face(beach, "obama.jpg", (0.65, 0.25))
    beach.save(folder / "IMG_0021.jpg")
    with Image.open(devset / "dv087.jpg") as opened:  # a tree on a meadow
        both = opened.convert("RGB")
    _paste_face(both, "obama2.jpg", (0.1, 0.3))
    _paste_face(both, "biden.jpg", (0.6, 0.3))
    both.save(folder / "IMG_0030.jpg")
    library = tmp_path / "library"
    assert amc("index", str(folder), "--library", str(library), "--no-ocr").returncode == 0
    people = {len(p["photos"]): p["id"] for p in people_json(library)["people"]}
    assert sorted(people) == [4, 7]  # him: 5 photos + the beach + the two of them
    assert (
        amc("people", "name", str(people[7]), "Barack Obama", "--library", str(library)).returncode
        == 0
    )
    assert (
        amc("people", "name", str(people[4]), "Joe Biden", "--library", str(library)).returncode
        == 0
    )
    ranked = search_names(library, "obama beach")
    assert ranked[0] == "IMG_0021"
    # then what matches half of it, him elsewhere and the beach without him (close together,
    # in either order), all above the photos of the other man indoors, which match neither
    half = [ranked.index(n) for n in ("IMG_0020", "IMG_0030", *(f"IMG_{i:04d}" for i in range(5)))]
    neither = [ranked.index(f"IMG_{i:04d}") for i in (10, 11, 12) if f"IMG_{i:04d}" in ranked]
    assert max(half) < min(neither, default=len(ranked))
    assert search_names(library, "obama biden")[0] == "IMG_0030"
    assert search_names(library, "person:obama person:biden") == ["IMG_0030"]


def test_a_person_query_looks_where_the_face_was_found(tmp_path: Path) -> None:
    """The faces pass's faces are VAN's evidence for people: "person" on a photo with one
    small face in its lower right looks at that cell (the whole photo left aside), and a
    photo without a face has no such cell to look at."""
    folder = tmp_path / "album"
    folder.mkdir()
    with Image.open(PHOTOS / "dog_bicycle_truck.jpg") as opened:
        scene = opened.convert("RGB")
    _paste_face(scene, "biden.jpg", (0.8, 0.7), tall=0.12)  # small, in the lower-right cell
    scene.save(folder / "IMG_0001.jpg")
    library = tmp_path / "library"
    done = amc("index", str(folder), "--library", str(library), "--json", "--no-ocr")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["faces"]["faces_found"] == 1
    found = amc("search", "person", "--library", str(library), "--json")
    assert found.returncode == 0, found.stderr
    [result] = json.loads(found.stdout)["results"]
    cells = result["regions"][:9]
    assert int(np.argmax(cells)) == 8, cells
