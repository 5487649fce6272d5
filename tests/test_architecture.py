"""The layout rules a newcomer relies on (DESIGN.md, "Layout"), checked rather than remembered.

import-linter (`make lint`) checks which stage may import which; these tests check what its
contracts cannot express: no import cycle between any two modules, small files, no SQL outside
the store, and what a search really loads.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
STAGES = {"words", "ingest", "describe", "store", "index", "search", "learn", "build", "cli"}
MAX_LINES = 400
MAX_TOP_LEVEL_MODULES = 12
_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|PRAGMA|CREATE|DROP|ALTER|WITH)\b")


def _sources() -> list[Path]:
    return sorted([*(ROOT / "amc_core").rglob("*.py"), *(ROOT / "app").rglob("*.py")])


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child) & modules
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_any_two_modules() -> None:
    # grimp counts imports under TYPE_CHECKING and inside functions too: a type-only import
    # still ties two modules together for whoever reads them
    graph = grimp.build_graph("amc_core", "amc_app")
    ours = {m for m in graph.modules if m.split(".")[0] in {"amc_core", "amc_app"}}
    assert _cycles(graph, ours) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph, {"a", "b", "c"}) == [["a", "b"]]


def test_every_module_is_small() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in _sources()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}


def test_the_engine_top_level_is_its_stages_and_a_few_modules() -> None:
    top = ROOT / "amc_core"
    modules = sorted(p.stem for p in top.glob("*.py") if p.stem != "__init__")
    folders = sorted(p.name for p in top.iterdir() if (p / "__init__.py").is_file())
    assert set(folders) <= STAGES, folders
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules


def _sql_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        node.value.strip().splitlines()[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.match(node.value)
    ]


def test_sql_lives_only_in_the_store() -> None:
    outside = {}
    for path in _sources():
        if path.is_relative_to(ROOT / "amc_core" / "store"):
            continue
        text = path.read_text()
        found = _sql_literals(path)
        if "import sqlite3" in text:
            found.append("import sqlite3")
        if found:
            outside[str(path.relative_to(ROOT))] = found
    assert outside == {}


def test_the_sql_check_sees_sql() -> None:
    sample = ROOT / "amc_core" / "store" / "catalog.py"
    assert any(s.startswith("SELECT") for s in _sql_literals(sample))


def test_a_search_loads_no_indexing_training_or_vision_code(tmp_path: Path) -> None:
    """`amc search` reads the store and runs two small ONNX graphs: it must not pay for torch,
    OpenCV, OCR, decoding or the indexer (they cost seconds of start-up)."""
    library = tmp_path / "library"
    amc = Path(sys.executable).parent / "amc"
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", "AMC_PROVIDER": "cpu"}
    result = subprocess.run([str(amc), "search", "dog on the beach", "--library", str(library),
                             "--json"], capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "amc_core.search.engine" in imported  # the probe sees the search itself
    unwanted = ("torch", "cv2", "rapidocr", "amc_core.index", "amc_core.describe",
                "amc_core.ingest", "amc_core.learn", "amc_core.build", "PIL")  # fmt: skip
    loaded = sorted(m for m in imported if m.split(".")[0] in unwanted or m.startswith(unwanted))
    assert loaded == []
