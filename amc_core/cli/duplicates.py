"""`amc duplicates`: groups of exact copies and near-duplicates, each with its suggested
keeper. It only lists: moving copies to the trash is the app's (after confirmation)."""

from __future__ import annotations

import argparse
import json

from amc_core.cli.output import printable
from amc_core.index.duplicates import DuplicatesProgress, find_duplicates
from amc_core.index.library import Library
from amc_core.settings import resolve_library_dir


def cmd_duplicates(args: argparse.Namespace) -> int:
    with Library(resolve_library_dir(args.library)) as library:
        last = DuplicatesProgress("done", 0, 0)
        for last in find_duplicates(library.catalog, library.thumbnails):
            pass
    if args.json:
        print(json.dumps({"groups": [g.as_json() for g in last.groups]}))
        return 0
    if not last.groups:
        print("no duplicates found")
    for number, group in enumerate(last.groups, 1):
        print(f"group {number}: {len(group.photos)} photos")
        for photo in group.photos:
            size = f"{photo.width}x{photo.height}"
            print(f"  {photo.reason:<15} {size:>11} {photo.format:<5} {printable(photo.path)}")
    return 0
