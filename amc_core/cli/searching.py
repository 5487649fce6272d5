"""`amc search`, `explain`, `similar`: read-only commands on the search engine. Nothing here
imports indexing, decoding, training or vision code (tests/test_architecture.py checks)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from amc_core.cli.output import printable
from amc_core.errors import UserInputError
from amc_core.search.engine import SearchEngine
from amc_core.settings import resolve_library_dir


def cmd_search(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UserInputError("--top must be at least 1")
    if not args.query.strip():
        raise UserInputError("the query is empty")
    with _engine(args) as engine:
        response = engine.search(args.query, args.top)
        if engine.note:
            print(f"amc: note: {engine.note}", file=sys.stderr)
    if response.error:
        raise UserInputError(response.error)
    if args.json:
        results = [r.as_json() for r in response.results]
        print(json.dumps({"query": args.query, "results": results}))
        return 0
    if not response.results:
        print("no photos match")
    strong = response.strong_count
    for rank, r in enumerate(response.results, start=1):
        if rank == strong + 1:  # the line this query's own scores draw
            weaker = len(response.results) - strong
            print(f"     --- {weaker} weaker match{'es' if weaker > 1 else ''} ---")
        print(
            f"{rank:3d}. {r.score:6.3f}  visual {r.visual_weight:.2f} / language "
            f"{r.language_weight:.2f}  {printable(r.path)}"
        )
    return 0


def _engine(args: argparse.Namespace) -> SearchEngine:
    return SearchEngine(resolve_library_dir(args.library))


def cmd_explain(args: argparse.Namespace) -> int:
    with _engine(args) as engine:
        photo_id = engine.photo_id(args.path)
        result = engine.explain(args.query, photo_id)
    data = {"query": args.query, **result.as_json(), "candidate_source": result.source}
    if args.json:
        print(json.dumps(data))
        return 0
    print(f"photo     {printable(result.path)}")
    print(f"score     {result.score:.3f}  (found by: {result.source})")
    print(f"weights   visual {result.visual_weight:.2f} / language {result.language_weight:.2f}")
    if len(result.words) > 1:
        print("by word   " + ", ".join(f"{w.word} {w.visual:.2f}" for w in result.words)
              + "  (visual)")  # fmt: skip
    _print_grid("regions", result.region_attention)
    if len(result.words) > 1:  # where each word was looked for
        for word in result.words:
            _print_grid(f"  {word.word}", word.regions)
    for k in result.keywords:
        print(f"          {k.weight:5.2f}  {k.source:<7} {k.keyword}")
    return 0


def _print_grid(label: str, grid: list[float]) -> None:
    """A 3x3 attention grid (row-major), then the whole photo's share."""
    if len(grid) < 10:
        return
    print(f"{printable(label)[:9]:<10}" + "  ".join(f"{a:.2f}" for a in grid[0:3]))
    print(" " * 10 + "  ".join(f"{a:.2f}" for a in grid[3:6]))
    print(" " * 10 + "  ".join(f"{a:.2f}" for a in grid[6:9]) + f"   whole {grid[9]:.2f}")


def cmd_similar(args: argparse.Namespace) -> int:
    with _engine(args) as engine:
        response = engine.similar(engine.photo_id(args.path), args.top)
    if args.json:
        print(json.dumps({"photo": os.path.realpath(args.path),
                          "results": [{"path": r.path, "score": round(r.score, 6)}
                                      for r in response.results]}))  # fmt: skip
        return 0
    for rank, r in enumerate(response.results, start=1):
        print(f"{rank:3d}. {r.score:.3f}  {printable(r.path)}")
    return 0
