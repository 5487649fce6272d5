"""`amc`: the command line, a thin driver of the same engine the app uses.

Each command's module is imported only when it runs, so that `amc search` pays for the search
engine alone, never for indexing, vision or training code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from amc_core import __version__
from amc_core.errors import EXIT_DAMAGED, AmcError, CatalogDamagedError


def _library_commands() -> ModuleType:
    from amc_core.cli import library

    return library


def _search_commands() -> ModuleType:
    from amc_core.cli import searching

    return searching


def _people_commands() -> ModuleType:
    from amc_core.cli import people

    return people


def _duplicates_commands() -> ModuleType:
    from amc_core.cli import duplicates

    return duplicates


def _learning_commands() -> ModuleType:
    from amc_core.cli import learning

    return learning


# command -> (its module, imported when it runs; the function in it). Plain imports inside
# functions, not importlib: a frozen bundle's analysis must see every command module.
_COMMANDS: dict[str, tuple[Callable[[], ModuleType], str]] = {
    "index": (_library_commands, "cmd_index"),
    "status": (_library_commands, "cmd_status"),
    "repair": (_library_commands, "cmd_repair"),
    "keywords": (_library_commands, "cmd_keywords"),
    "people": (_people_commands, "cmd_people"),
    "duplicates": (_duplicates_commands, "cmd_duplicates"),
    "search": (_search_commands, "cmd_search"),
    "explain": (_search_commands, "cmd_explain"),
    "similar": (_search_commands, "cmd_similar"),
    "train": (_learning_commands, "cmd_train"),
    "eval": (_learning_commands, "cmd_eval"),
    "export": (_learning_commands, "cmd_export"),
}


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one clear line and exit 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"amc: error: {message} (see `amc --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="amc", description="Search your photo library by what you type.")
    parser.add_argument("--version", action="version", version=f"amc {__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $AMC_LIBRARY or the user data folder)",
    )
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p_index = sub.add_parser("index", parents=[common], help="add folders and index their photos")
    p_index.add_argument("paths", nargs="+", metavar="PATH")
    p_index.add_argument("--workers", type=int, help="decoding processes (default: all cores)")
    p_index.add_argument("--batch-size", type=int, help=argparse.SUPPRESS)
    p_index.add_argument(
        "--no-ocr", action="store_true", help="skip reading text in photos (faster indexing)"
    )
    p_index.add_argument(
        "--no-faces",
        action="store_true",
        help="skip the faces pass (people stay as they are; new photos get face words later)",
    )
    p_index.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another indexing run to finish",
    )

    sub.add_parser("status", parents=[common], help="folders, counts, size and models")
    sub.add_parser(
        "repair",
        parents=[common],
        help="check and rebuild the library's indexes (photos are not touched)",
    )

    p_keywords = sub.add_parser("keywords", help="the keywords of one photo (no library needed)")
    p_keywords.add_argument("path", metavar="PATH")
    p_keywords.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p_keywords.add_argument("--no-ocr", action="store_true", help="skip reading text")

    p_train = sub.add_parser("train", parents=[common], help="fine-tune the ranking model")
    p_train.add_argument(
        "--format",
        dest="data_format",
        required=True,
        choices=("clicks", "coco", "queries", "user"),
        help="click log TSV, COCO captions JSON, queries JSON, or the app's clicks",
    )
    p_train.add_argument("data", nargs="?", type=Path, help="the data file (not for --format user)")
    p_train.add_argument("--epochs", type=int, default=20)
    p_train.add_argument("--seed", type=int, default=7)
    p_train.add_argument("--val-share", type=float, default=0.3, help="queries held out")
    p_train.add_argument("--coco-split", default=None, help="only this Karpathy split")
    p_train.add_argument(
        "--all-parameters",
        action="store_true",
        help="also move the class-to-word residual (default: small ones only)",
    )

    p_eval = sub.add_parser("eval", help="ranking quality on the dev set (a source checkout)")
    p_eval.add_argument("--split", choices=("dev", "test"), default="test")
    p_eval.add_argument("--params", type=Path, help="model parameters (.npz) to evaluate")
    p_eval.add_argument("--json", action="store_true")

    p_export = sub.add_parser("export", help="rebuild the default parameters and ONNX graphs")
    p_export.add_argument("--out", type=Path, help="folder (default: resources/models)")
    p_export.add_argument(
        "--params", type=Path, help="export these parameters (.npz) instead of fitting MTN's"
    )

    p_explain = sub.add_parser("explain", parents=[common], help="why a photo ranks for a query")
    p_explain.add_argument("query")
    p_explain.add_argument("path", metavar="PATH")

    p_similar = sub.add_parser("similar", parents=[common], help="photos that look like PATH")
    p_similar.add_argument("path", metavar="PATH")
    p_similar.add_argument("--top", type=int, default=20, metavar="K")

    _add_people(sub, common)
    sub.add_parser("duplicates", parents=[common], help="copies and near-duplicates of photos")
    p_search = sub.add_parser("search", parents=[common], help="search the library")
    p_search.add_argument("query")
    p_search.add_argument("--top", type=int, default=20, metavar="K")
    return parser


def _add_people(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p_people = sub.add_parser("people", parents=[common], help="people found in your photos")
    # the sub-commands take --library/--json after their arguments too; SUPPRESS keeps a
    # value given before the sub-command from being reset to the default
    inner = _Parser(add_help=False)
    inner.add_argument("--library", metavar="DIR", default=argparse.SUPPRESS)
    inner.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    actions = p_people.add_subparsers(dest="people_command", parser_class=_Parser)
    p_name = actions.add_parser(
        "name", parents=[inner], help="name a person (merges on a taken name)"
    )
    p_name.add_argument("id", type=int, metavar="ID")
    p_name.add_argument("name", metavar="NAME")
    p_merge = actions.add_parser(
        "merge", parents=[inner], help="merge the second person into the first"
    )
    p_merge.add_argument("keep", type=int, metavar="ID")
    p_merge.add_argument("other", type=int, metavar="ID")
    p_forget = actions.add_parser(
        "forget-faces", parents=[inner], help="delete every face, embedding and name"
    )
    p_forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with _damage_as_error(args):
            return _command(args.command)(args)
    except AmcError as exc:
        print(f"amc: error: {exc}", file=sys.stderr)
        return EXIT_DAMAGED if isinstance(exc, CatalogDamagedError) else 1
    except BrokenPipeError:  # `amc ... | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(
            "amc: interrupted; the library is consistent, run the command again to continue",
            file=sys.stderr,
        )
        return 130


def _damage_as_error(args: argparse.Namespace) -> AbstractContextManager[None]:
    """Any SQLite error from the library's catalog becomes one line naming it, never a
    traceback (commands without a library, like `amc eval`, keep theirs as is)."""
    if not hasattr(args, "library"):
        return nullcontext()
    from amc_core.settings import resolve_library_dir
    from amc_core.store.damage import damage_as_error
    from amc_core.store.layout import LibraryPaths

    return damage_as_error(LibraryPaths(resolve_library_dir(args.library)).catalog)


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    load, function = _COMMANDS[name]
    command: Callable[[argparse.Namespace], int] = getattr(load(), function)
    return command
