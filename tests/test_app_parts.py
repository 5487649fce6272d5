"""The app's small parts on their own: formatting, the query stand-in, watching, Qt workarounds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, QTimer, Signal

from amc_app.controllers.learning import describe_outcome
from amc_app.controllers.library_status import describe_report
from amc_app.controllers.people import merge_message
from amc_app.models.details import format_camera, format_size, format_taken, listed_keywords
from amc_app.models.people_model import PeopleModel, person_query
from amc_app.qt_compat import reference_bug_present
from amc_app.views.heatmap import heat_colour
from amc_app.views.inspector import InspectorView
from amc_app.views.status import (
    IndexProgressView,
    RateMeter,
    describe_progress,
    format_duration,
)
from amc_app.widgets import plain_tooltip
from amc_app.workers.library_tasks import watch_dirs
from amc_app.workers.people_tasks import PersonEntry
from amc_app.workers.watcher import FolderWatcher
from amc_core.api import Keyword, Person, load_engine
from amc_core.errors import AmcError
from amc_core.index.run import IndexProgress, IndexReport
from amc_core.search.results import KeywordWeight, SearchResult, WordWeight


def test_progress_reads_as_rate_and_time_left():
    meter = RateMeter()
    report = IndexReport()
    for second in range(11):
        meter.add(float(second), second * 4)
    assert meter.rate() == pytest.approx(4.0)
    text = describe_progress(IndexProgress("indexing", 40, 1000, 10.0, report), meter)
    assert text == "Indexing 40 of 1000 · 4.0 photos/s · 4 min left"
    assert format_duration(30) == "less than a minute"
    assert format_duration(3 * 3600 + 5 * 60) == "3 h 05 min"


def test_the_faces_pass_reads_as_finding_people(qtbot):
    report = IndexReport()
    reading = IndexProgress("faces", 12, 80, 3.0, report, "reading")
    assert describe_progress(reading, RateMeter()) == (
        "Finding people: looking for faces in photo 12 of 80"
    )
    meter = RateMeter()
    for second in range(5):
        meter.add(float(second), second * 8)
    embedding = IndexProgress("faces", 32, 100, 4.0, report, "embedding")
    assert describe_progress(embedding, meter) == (
        "Finding people: measuring face 32 of 100 · 8.0 faces/s · less than a minute left"
    )
    grouping = IndexProgress("faces", 0, 1, 5.0, report, "grouping")
    assert describe_progress(grouping, meter) == "Finding people: grouping faces…"
    view = IndexProgressView()
    qtbot.addWidget(view)
    view.start()
    view.show_progress(IndexProgress("indexing", 10, 10, 2.0, report))
    view.show_progress(reading)  # a new step: its rate is measured afresh
    assert view.meter.rate() == 0.0 and view.bar.maximum() == 80 and view.bar.value() == 12
    view.show_progress(grouping)
    assert view.bar.maximum() == 0  # busy: grouping has no count
    assert view.label.text() == "Finding people: grouping faces…"


def test_a_persons_search_and_a_taken_name():
    def person(pid: int, name: str | None, faces: int = 3) -> Person:
        return Person(pid, name, False, faces, faces, None)

    anna, anna_smith, unnamed = person(1, "Anna"), person(2, "Anna Smith"), person(3, None)
    zoe, zoe_accent = person(4, "Zoe"), person(5, "Zoë")
    everyone = [anna, anna_smith, unnamed, zoe, zoe_accent]
    assert person_query(anna_smith, everyone) == 'person:"Anna Smith"'
    assert person_query(anna, everyone) == "person:#1"  # person:"anna" finds Anna Smith too
    assert person_query(unnamed, everyone) == "person:#3"
    assert person_query(zoe, everyone) == "person:#4"  # accents fold in the search
    assert person_query(person(6, 'Tom "Tommy" Lee'), everyone) == "person:#6"
    model = PeopleModel()
    model.set_people([PersonEntry(p, None) for p in everyone])
    assert model.find_named("  anna   SMITH ", other_than=3) == anna_smith
    assert model.find_named("Anna Smith", other_than=2) is None  # their own name
    assert model.find_named("zoë", other_than=3) == zoe_accent
    assert model.find_named("ZOË", other_than=3) is None  # SQLite's NOCASE folds ASCII only
    assert (
        merge_message(anna, anna_smith)
        == "Merged Anna Smith into Anna (the name Anna Smith is dropped)"
    )
    assert merge_message(anna, unnamed) == "Merged Unnamed into Anna"
    assert (
        merge_message(unnamed, person(7, None, 2)) == "Merged two unnamed people into one (5 faces)"
    )


def test_reports_are_one_quiet_line():
    assert describe_report(IndexReport()) == ""  # a rescan that found nothing says nothing
    assert describe_report(IndexReport(indexed=3, failed=1)) == (
        "Indexed 3 photos, 1 files could not be read"
    )
    assert "cancelled after 2" in describe_report(IndexReport(indexed=2, cancelled=True))
    faces = {"photos_read": 8, "faces_found": 6, "new_people": 1}
    assert describe_report(IndexReport(indexed=8, faces=faces)) == (
        "Indexed 8 photos, found 1 new person"
    )


def test_training_outcome_names_before_after_and_the_verdict():
    kept = describe_outcome(SimpleNamespace(before=0.5, after=0.6, kept=True, message=""))
    assert "0.500 before, 0.600 after" in kept and "in use" in kept
    worse = describe_outcome(SimpleNamespace(before=0.5, after=0.5, kept=False, message=""))
    assert "previous one stays" in worse
    refused = describe_outcome(
        SimpleNamespace(before=0.0, after=0.0, kept=False, message="needs more clicks")
    )
    assert refused == "Results were not changed: needs more clicks"


def test_details_format():
    assert format_taken("2019-07-14T15:30:00") == "14 July 2019, 15:30"
    assert format_taken(None) == ""
    assert format_camera("Canon", "Canon EOS 80D") == "Canon EOS 80D"
    assert format_camera("Apple", "iPhone 8") == "Apple iPhone 8"
    assert format_size(4032, 3024) == "4032 × 3024 px"
    assert format_size(None, None) == ""


def test_the_viewer_lists_what_a_photo_shows_not_every_guess():
    """A pekinese photo's details list the sure words once; the 0.07 "airedale" and the
    date, place and camera words (their own rows show those) are not listed."""
    stored = [
        Keyword("2021", 1.0, "date"), Keyword("apple", 1.0, "camera"),
        Keyword("berlin", 1.0, "place"), Keyword("dog", 0.99, "visual"),
        Keyword("grandma", 0.9, "folder"), Keyword("pekinese", 0.67, "visual"),
        Keyword("brown", 0.55, "colour"), Keyword("airedale", 0.07, "visual"),
        Keyword("terrier", 0.13, "visual"), Keyword("dog", 0.4, "text"),
    ]  # fmt: skip
    assert listed_keywords(stored) == (["dog", "grandma", "pekinese", "brown"], 2)
    assert listed_keywords([]) == ([], 0)


def test_tooltips_and_heat_colours():
    assert plain_tooltip("<b>x</b>") == "<qt>&lt;b&gt;x&lt;/b&gt;</qt>"
    assert heat_colour(1.0).alpha() > heat_colour(0.0).alpha()
    assert heat_colour(1.0).red() > heat_colour(1.0).green()


def test_inspector_shows_weights_keywords_and_regions(qtbot):
    view = InspectorView()
    qtbot.addWidget(view)
    result = SearchResult(
        1,
        "/photos/<i>dog<i>.jpg",
        0.73,
        0.65,
        0.35,
        [KeywordWeight("beach", 0.2, "visual"), KeywordWeight("dog", 0.7, "visual")],
        None,
        [0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.8, 0.05, 0.0, 0.05],
    )
    view.show_result(result)
    assert (view.visual_value.text(), view.language_value.text()) == ("0.65", "0.35")
    assert view.visual_bar.value() > view.language_bar.value()
    assert [k for k, _w, _s in view.keyword_rows()] == ["dog", "beach"]
    assert view.title.text() == "<i>dog<i>.jpg"
    assert view.heatmap_toggle.isEnabled()
    assert view.regions_note.text() == "Whole photo: 0.05"
    assert view.by_word.isHidden()  # one weight for the whole query: nothing to break down
    keyword_only = SearchResult(2, "/p/a.jpg", 0.5, 0.0, 1.0, [], None, [])
    view.show_result(keyword_only)
    assert not view.heatmap_toggle.isEnabled()
    mixed = SearchResult(
        3, "/p/b.jpg", 0.6, 0.45, 0.55, [], None, [], words=[WordWeight("dog", 0.68),
        WordWeight("new york", 0.25)],
    )  # fmt: skip
    view.show_result(mixed)
    assert not view.by_word.isHidden()
    assert view.by_word.text() == "Picture by word: dog 68%, new york 25%"
    alike = SearchResult(4, "/p/c.jpg", 0.6, 0.78, 0.22, [], None, [],
                         words=[WordWeight("dog", 0.78), WordWeight("beach", 0.78)])  # fmt: skip
    view.show_result(alike)
    assert view.by_word.isHidden()  # weighed alike: the bars above say it all


def test_the_inspector_shows_where_each_word_was_looked_for(qtbot):
    """For "dog beach" the heat-map can show one word at a time; the choice stays while the
    user goes through the results of that query, and a word the picture hardly counted for
    (a place) gets no heat-map of its own."""
    view = InspectorView()
    qtbot.addWidget(view)
    view.heatmap_toggle.setChecked(True)
    view.show()
    dog_cells = [0.0] * 8 + [0.9, 0.1]  # bottom right
    beach_cells = [0.3, 0.3, 0.3] + [0.0] * 6 + [0.1]  # along the top
    both = [(d + b) / 2 for d, b in zip(dog_cells, beach_cells, strict=True)]

    def result(photo: int, place: float = 0.78) -> SearchResult:
        words = [WordWeight("dog", 0.78, dog_cells), WordWeight("beach", place, beach_cells)]
        return SearchResult(photo, f"/p/{photo}.jpg", 0.6, 0.78, 0.22, [], None, both,
                            words=words)  # fmt: skip

    view.show_result(result(1))
    assert not view.word_box.isHidden()
    assert view.heatmap_toggle.text() == "Show where the search looked for"
    assert [view.word_box.itemText(i) for i in range(view.word_box.count())] == [
        "all words", "dog", "beach",
    ]  # fmt: skip
    assert view.photo.attention() == pytest.approx(both[:9])
    view.word_box.activated.emit(1)  # as a user's pick of "dog" does
    assert view.photo.attention() == pytest.approx(dog_cells[:9])
    assert view.regions_note.text() == "Whole photo: 0.10"
    view.show_result(result(2))  # the next photo of the same search: still the dog
    assert view.word_box.currentText() == "dog"
    assert view.photo.attention() == pytest.approx(dog_cells[:9])
    view.heatmap_toggle.setChecked(False)
    assert not view.word_box.isEnabled()  # no heat-map shown: nothing to choose
    view.heatmap_toggle.setChecked(True)
    assert view.choose_word(None) and view.photo.attention() == pytest.approx(both[:9])
    assert not view.choose_word("cat")
    view.show_result(result(3, place=0.1))  # "dog paris": Paris is looked for in keywords
    assert view.word_box.isHidden()
    assert view.heatmap_toggle.text() == "Show where the search looked"
    assert view.photo.attention() == pytest.approx(both[:9])


def test_a_short_inspector_scrolls_instead_of_squeezing(qtbot):
    """In a short window the inspector scrolls: the keyword list keeps its rows, and the
    inspector asks the window for no height (a squeezed dock squeezes the gallery's rows)."""
    view = InspectorView()
    qtbot.addWidget(view)
    view.resize(320, 300)
    view.show()
    keywords = [KeywordWeight(f"word {i}", 1 / (i + 1), "visual") for i in range(20)]
    view.show_result(SearchResult(1, "/p/a.jpg", 0.5, 0.5, 0.5, keywords, None, [0.1] * 10))
    qtbot.waitUntil(lambda: view.keywords.height() >= view.keywords.minimumHeight())
    assert view.scroller.verticalScrollBar().maximum() > 0
    assert view.minimumSizeHint().height() < 300


def test_watch_list_skips_hidden_folders_and_has_a_cap(tmp_path: Path):
    for name in ("a", "b", ".thumbs", "a/c"):
        (tmp_path / name).mkdir()
    found = watch_dirs([str(tmp_path)])
    assert str(tmp_path / "a" / "c") in found
    assert not any(".thumbs" in d for d in found)
    assert len(watch_dirs([str(tmp_path)], limit=2)) == 2


def test_watch_list_follows_the_scanners_own_skip_rules(tmp_path: Path):
    """A folder the indexer never reads is not watched either (no wasted inotify watches, no
    rescans for files that will never be indexed)."""
    for name in ("Trips/2019", "node_modules/pkg", "$RECYCLE.BIN/S-1-5", "@eaDir", ".cache"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "Trips")
    found = {Path(d).relative_to(tmp_path).as_posix() for d in watch_dirs([str(tmp_path)])}
    assert found == {".", "Trips", "Trips/2019"}


class _Engine:
    """Stands in for an engine: records being closed; its preload may fail."""

    def __init__(self, provider: str, problem: str = "") -> None:
        self.provider = provider
        self.problem = problem
        self.closed = False

    def preload(self) -> None:
        if self.problem:
            raise AmcError(self.problem)

    def close(self) -> None:
        self.closed = True


def test_a_damaged_model_falls_back_to_keywords_and_says_why(tmp_path: Path):
    made: list[_Engine] = []

    def factory(provider: str, problem: str = ""):
        def make(_library_dir: Path) -> _Engine:
            made.append(_Engine(provider, problem))
            return made[-1]

        return make

    chosen, problem = load_engine(tmp_path, factory("CUDA"), factory("CPU"))
    assert (chosen, problem) == (made[0], "")
    damaged = factory("CUDA", "model file damaged: amc_head.onnx")
    chosen, problem = load_engine(tmp_path, damaged, factory("CPU"))
    assert chosen is made[-1] and chosen.provider == "CPU"
    assert problem == "model file damaged: amc_head.onnx"
    assert made[1].closed and not made[2].closed  # the failed engine let go of its files


def test_the_window_opens_without_torch_opencv_or_onnxruntime():
    """They take seconds to import: the window shows first, models load on their threads."""
    heavy = ("torch", "cv2", "onnxruntime", "rapidocr_onnxruntime")
    code = f"import sys, amc_app.window; print(*[m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == []


def test_watcher_notices_a_new_file_once(qtbot, tmp_path: Path):
    watcher = FolderWatcher(debounce_ms=50)
    watcher.watch([str(tmp_path)])
    seen: list[object] = []
    watcher.changed.connect(lambda *args: seen.append(args))
    with qtbot.waitSignal(watcher.changed, timeout=5_000):
        for i in range(5):
            (tmp_path / f"new{i}.jpg").write_bytes(b"x")
    qtbot.wait(300)  # several debounce periods: the five files are still one change
    assert len(seen) == 1
    watcher.watch([])
    assert watcher.watched() == []


class _Pinger(QObject):
    ping = Signal(object)


def test_qt_calls_cannot_use_up_none_or_true():
    """PySide6 6.12.0 on Python 3.11 loses a reference to None per void call and to True per
    emit; 20k of each would abort the interpreter here without amc_app's guard."""
    timer, pinger = QTimer(), _Pinger()
    for _ in range(20_000):
        timer.stop()
        pinger.ping.emit(None)
    if reference_bug_present():
        assert sys.getrefcount(None) > 1 << 40
        assert sys.getrefcount(True) > 1 << 40


def test_a_chip_row_longer_than_the_window_scrolls_under_the_wheel(qtbot):
    """Years that do not fit are reached with the mouse wheel (the row has no scroll bar)."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from amc_app.views.browse_filters import BrowseFilters
    from amc_core.api import Facets

    filters = BrowseFilters()
    qtbot.addWidget(filters)
    filters.set_facets(Facets([(year, 1) for year in range(2024, 2008, -1)], []))
    filters.resize(300, 60)
    filters.show()
    qtbot.waitExposed(filters)
    row = filters.years
    bar = row.horizontalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    down = QWheelEvent(QPointF(10, 10), QPointF(10, 10), QPoint(0, 0), QPoint(0, -120),
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                       Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(row.viewport(), down)
    assert bar.value() > 0


def test_chips_that_arrive_after_the_window_shows_are_not_cut(qtbot):
    """Years and places come in after the window is up (the library's facets load in the
    background): each row grows to its chips' full height, not the title's."""
    from amc_app.views.browse_filters import BrowseFilters
    from amc_core.api import Facets

    filters = BrowseFilters()
    qtbot.addWidget(filters)
    filters.resize(600, 200)
    filters.show()
    qtbot.waitExposed(filters)
    filters.set_facets(Facets([(2021, 3), (2019, 1)], [("berlin", 2), ("zermatt", 1)]))
    for row in (filters.years, filters.places):
        tallest = max(chip.sizeHint().height() for chip in row.chips.values())
        qtbot.waitUntil(lambda row=row, tallest=tallest: row.height() >= tallest)
