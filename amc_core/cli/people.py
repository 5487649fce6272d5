"""`amc people`: the people the faces pass found, and naming, merging and forgetting them."""

from __future__ import annotations

import argparse
import json
import sys

from amc_core.errors import UserInputError
from amc_core.index.library import Library
from amc_core.settings import resolve_library_dir
from amc_core.store.faces import Person


def cmd_people(args: argparse.Namespace) -> int:
    action = getattr(args, "people_command", None)
    with Library(resolve_library_dir(args.library)) as library:
        if action == "name":
            person = library.catalog.name_person(args.id, args.name)
            library.people_changed()
            _say(args, {"id": person, "name": " ".join(args.name.split())})
        elif action == "merge":
            library.catalog.merge_people(args.keep, args.other)
            library.people_changed()
            _say(args, {"id": args.keep, "merged": args.other})
        elif action == "forget-faces":
            return _forget(args, library)
        else:
            _list(args, library)
    return 0


def _list(args: argparse.Namespace, library: Library) -> None:
    catalog = library.catalog
    people = catalog.people(include_hidden=True)
    paths = {p.id: _photo_paths(library, p) for p in people}
    if args.json:
        print(json.dumps({
            "people": [
                {"id": p.id, "name": p.name, "faces": p.faces, "photos": paths[p.id],
                 "hidden": p.hidden}
                for p in people
            ],
            "unassigned": catalog.unassigned_faces(),
        }))  # fmt: skip
        return
    if not people:
        print("no people yet: `amc index` finds faces and groups them")
    for p in people:
        name = p.name or "(unnamed)"
        hidden = "  hidden" if p.hidden else ""
        print(f"{p.id:>5}  {name:<30} {p.faces:>4} faces {p.photos:>4} photos{hidden}")
    print(f"{catalog.unassigned_faces()} faces not grouped yet")


def _photo_paths(library: Library, person: Person) -> list[str]:
    ids = library.catalog.person_photo_ids(person.id)
    paths = library.catalog.paths_and_hashes(ids)
    return [paths[i][0] for i in ids if i in paths]


def _forget(args: argparse.Namespace, library: Library) -> int:
    catalog = library.catalog
    faces = sum(p.faces for p in catalog.people(include_hidden=True)) + catalog.unassigned_faces()
    named = sum(1 for p in catalog.people(include_hidden=True) if p.name)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserInputError("forget-faces deletes every face and name: add --yes to confirm")
        answer = input(f"Delete every face box, embedding and name ({faces} faces, {named} named "
                       "people)? Photos are not touched. [y/N] ")  # fmt: skip
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    photos = catalog.forget_faces()
    library.people_changed(photos)
    _say(args, {"forgotten_faces": faces, "forgotten_names": named})
    return 0


def _say(args: argparse.Namespace, result: dict[str, object]) -> None:
    if args.json:
        print(json.dumps(result))
    else:
        print(", ".join(f"{k}: {v}" for k, v in result.items()))
