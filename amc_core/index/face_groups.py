"""Grouping faces into people as they arrive (incremental, the way Immich does it).

A face joins the person of its nearest grouped neighbour within JOIN_DISTANCE, unless that
person already has a face in the same photo or the user said this face is not them. A new
person is born only from a core of CORE_SIZE mutually close faces of different photos; the
rest wait unassigned and are tried again whenever new faces arrive. Faces the user confirmed
never move; names live on people, so re-grouping never loses one.

JOIN_DISTANCE (Euclidean, dlib's 128-d embedding; dlib's own rule of thumb is 0.6): measured
on real photos of the same and different people (the face_recognition test photos and the
development photos): the same man's 5 photos lie 0.22-0.46 apart, different people
0.82-0.89 (see the closing note of the people issue). 0.5 keeps every same-person pair and
leaves room below dlib's 0.6, where strangers start to chain in large libraries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from amc_core.store.faces import FaceTable

JOIN_DISTANCE = 0.5
CORE_SIZE = 3
_CHUNK = 256  # faces compared to all others at a time: (256, N) distances in memory


@dataclass
class Grouping:
    joins: dict[int, int] = field(default_factory=dict)  # face id -> existing person id
    new_groups: list[list[int]] = field(default_factory=list)  # face ids of each new person


def group_faces(
    table: FaceTable,
    rejected: set[tuple[int, int]],
    distance: float = JOIN_DISTANCE,
    core_size: int = CORE_SIZE,
) -> Grouping:
    """Place every unassigned face of the table; assigned faces stay where they are."""
    todo = np.flatnonzero(table.persons < 0)
    if len(todo) == 0:
        return Grouping()
    todo = todo[np.argsort(-table.quality[todo], kind="stable")]  # clearest faces first
    neighbours = dict(
        zip(todo.tolist(), _neighbours(table.embeddings, todo, distance), strict=True)
    )
    persons = table.persons.copy()
    in_photo: dict[int, set[int]] = {}
    for photo, person in zip(table.photos.tolist(), persons.tolist(), strict=True):
        if person >= 0:
            in_photo.setdefault(photo, set()).add(person)
    rejected_rows = _rejected_rows(table, rejected)
    grouping = Grouping()
    next_label = -2  # new groups get labels -2, -3, ... until saved
    for _sweep in range(2):  # a second sweep places faces whose neighbours were placed later
        for row in todo.tolist():
            if persons[row] != -1:
                continue
            near, dist = neighbours[row]
            person = _nearest_person(row, near, persons, table.photos, in_photo, rejected_rows)
            if person is not None:
                _place(row, person, persons, table.photos, in_photo)
                continue
            core = _core(row, near, dist, persons, table, distance, core_size)
            if core is not None:
                for member in core:
                    _place(member, next_label, persons, table.photos, in_photo)
                next_label -= 1
    labels: dict[int, list[int]] = {}
    for row in todo.tolist():
        if persons[row] >= 0:
            grouping.joins[int(table.ids[row])] = int(persons[row])
        elif persons[row] <= -2:
            labels.setdefault(int(persons[row]), []).append(int(table.ids[row]))
    grouping.new_groups = list(labels.values())
    return grouping


def _neighbours(
    embeddings: np.ndarray, rows: np.ndarray, distance: float
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For each of rows: (other rows within distance, their distances), nearest first."""
    squared = np.einsum("nd,nd->n", embeddings, embeddings)  # (N,)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b: one matrix product per chunk, (C, N), summed in
        # place (three (C, N) temporaries at N = 10^5 cost more in allocation than in math)
        d2 = embeddings[chunk] @ embeddings.T
        d2 *= -2.0
        d2 += squared[None, :]
        d2 += squared[chunk, None]
        d2[np.arange(len(chunk)), chunk] = np.inf  # a face is not its own neighbour
        for line in d2:  # per row: faster here than one nonzero over the chunk (measured)
            near = np.flatnonzero(line <= distance * distance)
            dist = np.sqrt(np.maximum(line[near], 0.0))
            order = np.argsort(dist, kind="stable")
            yield near[order], dist[order]


def _rejected_rows(table: FaceTable, rejected: set[tuple[int, int]]) -> set[tuple[int, int]]:
    row_of = {int(face): row for row, face in enumerate(table.ids.tolist())}
    return {(row_of[f], p) for f, p in rejected if f in row_of}


def _nearest_person(
    row: int,
    near: np.ndarray,
    persons: np.ndarray,
    photos: np.ndarray,
    in_photo: dict[int, set[int]],
    rejected: set[tuple[int, int]],
) -> int | None:
    """The person (existing or new this run) of the nearest placed neighbour that may take
    this face: not already in its photo, not refused for it by the user."""
    taken = in_photo.get(int(photos[row]), set())
    for other in near.tolist():
        person = int(persons[other])
        if person == -1 or person in taken or (row, person) in rejected:
            continue
        return person
    return None


def _core(
    row: int,
    near: np.ndarray,
    dist: np.ndarray,
    persons: np.ndarray,
    table: FaceTable,
    distance: float,
    core_size: int,
) -> list[int] | None:
    """This face and its nearest unassigned neighbours that are all mutually close and from
    different photos, if there are at least core_size of them."""
    core = [row]
    photos = {int(table.photos[row])}
    for other, _d in zip(near.tolist(), dist.tolist(), strict=True):
        if persons[other] != -1 or int(table.photos[other]) in photos:
            continue
        gaps = np.linalg.norm(table.embeddings[core] - table.embeddings[other], axis=1)
        if np.all(gaps <= distance):
            core.append(other)
            photos.add(int(table.photos[other]))
    return core if len(core) >= core_size else None


def _place(
    row: int, person: int, persons: np.ndarray, photos: np.ndarray, in_photo: dict[int, set[int]]
) -> None:
    persons[row] = person
    in_photo.setdefault(int(photos[row]), set()).add(person)


def same_person_scores(
    embeddings: np.ndarray, identities: Sequence[str], distance: float
) -> tuple[float, float]:
    """(precision, recall) of "same person" (distance <= threshold) over all pairs of faces
    with known identities: the measurement behind JOIN_DISTANCE."""
    n = len(identities)
    same_true = same_pred = both = 0
    for i in range(n):
        for j in range(i + 1, n):
            truth = identities[i] == identities[j]
            guess = float(np.linalg.norm(embeddings[i] - embeddings[j])) <= distance
            same_true += truth
            same_pred += guess
            both += truth and guess
    precision = both / same_pred if same_pred else 1.0
    recall = both / same_true if same_true else 1.0
    return precision, recall
