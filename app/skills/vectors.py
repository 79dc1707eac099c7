"""Skills as vectors: what text of a skill is embedded, keeping vectors current, and the
in-memory matrix retrieval compares a request with.

A skill is embedded when it is written (:func:`refresh`, called by the library for every
save, import and sync), so a turn embeds only its request. Skills written while the
embedder could not run, or by an older model, get theirs from :func:`backfill`, which the
model thread runs once the embedder is loaded.

A skill has a main vector and, unless it is a habit, other views of it: its name and
description alone, and its example when that is free text (:func:`skill_views`). A request
is as close to a skill as to the nearest of them (max-sim; an example counts
:data:`EXAMPLE_DISCOUNT` less): the description says when a skill applies, and the
lesson's wording dilutes it in the main vector. Measured on the first two labelled sets
padded to 10,000 skills (``bench.skills``), the name-and-description view put the right
skill first in meaning for 72 and 36 requests instead of 69 and 34 (of 100 and 55).

The matrix of all main vectors is read once per process and kept until a vector changes (a
counter the database's triggers maintain): at 10,000 skills reading it takes tens of
milliseconds, and measuring the crowding (how close each skill's ten nearest others are,
and each example's, which retrieval discounts) 3-4 s of CPU, 40 ms at 1,000 skills;
comparing a request with it takes about one millisecond. The other views are compared only for
the candidates the main vectors and the words found, so they cost no extra pass over the
library.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import sqlite_utils

from app.model.embedder import DIMENSIONS, Embedder, shared_embedder
from app.skills.skill import (
    NO_WORKED_REPLY,
    SECTION_EXAMPLE,
    SECTION_LESSON,
    body_sections,
    example_pairs,
)
from app.store import skill_vectors
from app.store.db import database_file, transaction

log = logging.getLogger(__name__)

LESSON_CHARS = 300
BATCH = 32
# How many nearest other skills say how crowded a skill's neighbourhood is (its crowding).
CROWD_NEIGHBOURS = 10
# Rows of the skill-by-skill product computed at once when the crowding is measured: a
# block of 500 rows at 10,000 skills is 20 MB (and as much for its partition) in the
# window's process, where the whole product would be 400 MB; blocks of 1,000 were no
# faster (1.4-2.2 s of CPU for 10,000 vectors either way, with the machine's load).
CROWD_BLOCK = 500
# What an example view's cosine counts less than a description's (see skill_views).
EXAMPLE_DISCOUNT = 0.1
# A skill with this many worked examples was taught on that many requests (a habit): they,
# not its lesson's words, say where it applies.
MIN_TAUGHT_REQUESTS = 3


def skill_text(name: str, description: str, body: str) -> str:
    """What stands for a skill in meaning: its name in words, its description and the start
    of its lesson (or of a free body, as other agents' skills have). The worked examples
    are left out: their requests are about one case, not about when the skill applies."""
    sections = body_sections(body)
    lesson = sections.get(SECTION_LESSON.lower()) or sections.get("") or body
    lesson = " ".join(lesson.replace("#", " ").split())[:LESSON_CHARS]
    return f"{name.replace('-', ' ')}: {description} {lesson}".strip()


def meaning_texts(name: str, description: str, body: str) -> list[str]:
    """The texts whose mean embedding stands for a skill: the requests of its worked
    examples when it has at least :data:`MIN_TAUGHT_REQUESTS` (a habit taught on them), else
    :func:`skill_text`.

    A habit's own text says what to do ("Start the reply with “Command:”") and lists its
    requests' words; embedded, it sat at cosine 0.09-0.30 from shell questions it was never
    taught on, below unrelated matches. The centre of the requests it was taught on sat at
    0.29-0.51 from them and at most 0.12 from unrelated ones (measured on the "Command:"
    tuning scenario): a topical habit is about its requests.
    """
    requests = _taught_requests(body)
    if len(requests) >= MIN_TAUGHT_REQUESTS:
        return requests
    return [skill_text(name, description, body)]


class TextEmbedder(Protocol):
    """What making a skill's vectors needs of an embedder (the benchmark's padding passes
    one that serves cached rows)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def skill_views(name: str, description: str, body: str) -> list[str]:
    """The texts embedded beside the main vector, each its own row: the name and
    description alone, then a free-text example (a command, a sample answer), whose cosine
    counts :data:`EXAMPLE_DISCOUNT` less. A habit taught on :data:`MIN_TAUGHT_REQUESTS`
    requests or more has none: its main vector is already the centre of those requests,
    and its reach (how far from them it applies) is measured against that centre alone.

    An example is one concrete case of when the skill applies, often worded as a request
    for it is ("add date-fns to the frontend" → ``pnpm -F web add date-fns``): it put the
    right skill first in meaning for 79 % of the blind-written set's requests instead of 72
    % (89 % instead of 86 % on the first set, 85 % instead of 87 % on the second). One case
    is weaker evidence than the description: at full weight, unrelated requests given a
    skill rose on every set (0 → 1 of 10, 1 → 2 of 12, 3 → 6 of 21 padded); counted 0.1
    less (anything from 0.075 to 0.15 does as well), none rose padded and recall went up on
    all three (see ``docs/learning.md``).

    The requests of a skill's worked examples are not views. A skill learned from one
    correction would then reach every request near the one it was taught on: on the
    ripgrep tuning scenario, "How do I list the files in a folder?" (a control, which must
    not get the lesson) sat at cosine 0.57 from a taught request, against 0.42 from the
    skill's name and description, which already quote that request. Nor is the
    placeholder of a lesson with no worked reply yet, the same words in every such skill."""
    if len(_taught_requests(body)) >= MIN_TAUGHT_REQUESTS:
        return []
    views = [f"{name.replace('-', ' ')}: {description}".strip()]
    example = _free_example(body)
    return [*views, example] if example else views


def _free_example(body: str) -> str:
    """The Example section when it is free text: not worked (request, answer) pairs, not
    the placeholder of a lesson with none yet; cut to :data:`LESSON_CHARS`."""
    example = body_sections(body).get(SECTION_EXAMPLE.lower(), "").strip()
    if not example or example == NO_WORKED_REPLY or example_pairs(example):
        return ""
    return example[:LESSON_CHARS]


def _taught_requests(body: str) -> list[str]:
    return [q for q, _ in example_pairs(body_sections(body).get(SECTION_EXAMPLE.lower(), ""))]


def texts_digest(name: str, description: str, body: str) -> str:
    """The hash stored beside a skill's vectors: of every text they were made from."""
    views = skill_views(name, description, body)
    return _sha([*meaning_texts(name, description, body), "", *views])


def embed_skill(
    embedder: TextEmbedder, name: str, description: str, body: str
) -> tuple[np.ndarray, float | None]:
    """A skill's rows (main vector first, then one per view) and its reach."""
    main, reach = meaning_vector(embedder, meaning_texts(name, description, body))
    views = skill_views(name, description, body)
    if not views:
        return main[None, :], reach
    return np.vstack([main, embedder.embed(views)]), reach


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def meaning_vector(embedder: TextEmbedder, texts: list[str]) -> tuple[np.ndarray, float | None]:
    """The unit-length mean of the texts' embeddings, and its reach (one text: its
    embedding, no reach).

    The reach is how close in meaning a request must come to count as one of the topic:
    the cosine of the least typical taught request with the centre of the others. A habit
    taught on varied shell questions reaches further (0.09) than one taught on finding
    files (0.44): a git question sat at 0.34 from the latter, inside any fixed cut-off that
    still let in explanations its "Summary:" sibling was taught on (0.29-0.33).
    """
    rows = embedder.embed(texts)
    if len(rows) < 2:
        return _unit(rows.mean(axis=0)), None
    total = rows.sum(axis=0)
    reach = min(float(row @ _unit(total - row)) for row in rows)
    return _unit(total), reach


def _sha(texts: str | list[str]) -> str:
    joined = texts if isinstance(texts, str) else "\n".join(texts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def refresh(
    db: sqlite_utils.Database,
    skill_id: int,
    name: str,
    description: str,
    body: str,
    embedder: Embedder | None = None,
) -> bool:
    """Embed one skill if its text changed since its vector was made; ``False`` when there
    is no embedder (retrieval then finds the skill by its words only, until a backfill)."""
    embedder = embedder or shared_embedder()
    if embedder is None:
        return False
    digest = texts_digest(name, description, body)
    if skill_vectors.stored_hash(db, skill_id, embedder.id) == digest:
        return True
    try:
        vector, reach = embed_skill(embedder, name, description, body)
    except RuntimeError as exc:  # llama.cpp failed on this text: the skill still saves
        log.warning("skill %s not embedded: %s", name, exc)
        return False
    with transaction(db):
        skill_vectors.save(db, skill_id, embedder.id, digest, vector, reach)
    return True


def backfill(db: sqlite_utils.Database, embedder: Embedder | None = None) -> int:
    """Embed every skill whose vector is missing or stale; returns how many were embedded."""
    embedder = embedder or shared_embedder()
    if embedder is None:
        return 0
    todo = []
    for row in skill_vectors.skills_with_vectors(db, embedder.id):
        texts = (row["name"], row["description"], row["body"])
        digest = texts_digest(*texts)
        if row["vector_hash"] != digest:
            todo.append((row["id"], digest, texts))
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        vectors = [embed_skill(embedder, *texts) for _, _, texts in chunk]
        with transaction(db):
            for (skill_id, digest, _), (vector, reach) in zip(chunk, vectors, strict=True):
                skill_vectors.save(db, skill_id, embedder.id, digest, vector, reach)
    return len(todo)


class Matches(NamedTuple):
    """Skill id → cosine with a request (of its nearest view), and → that closeness less
    what its crowding takes (:class:`Crowding`): retrieval ranks by the second and keeps
    the first for a habit's reach and for standing out."""

    cosines: dict[int, float]
    discounted: dict[int, float]


class Crowding(NamedTuple):
    """How a crowded vector's cosine is discounted: ``weight`` times its crowding's part
    above ``floor`` (see :func:`crowding`); none by default."""

    floor: float = 1.0
    weight: float = 0.0

    def excess(self, crowding: np.ndarray) -> np.ndarray:
        return self.weight * np.maximum(0.0, crowding - self.floor)


NO_DISCOUNT = Crowding()


@dataclass
class _Matrix:
    version: int
    model: str
    ids: np.ndarray  # skill id of each main row
    vectors: np.ndarray  # main rows, one per skill, contiguous
    rows: dict[int, int]  # skill id → main row
    reach: dict[int, float]  # skill id → reach, for skills taught on several requests
    crowding: np.ndarray  # main row → its crowding among the main rows
    views: np.ndarray  # every other row, stacked
    first_view: np.ndarray  # main row → its first row in ``views``
    view_count: np.ndarray  # main row → how many rows it has in ``views``
    view_discount: np.ndarray  # each row of ``views`` → what its cosine counts less
    view_crowding: np.ndarray  # each row of ``views`` → its crowding (see ``read``)

    @classmethod
    def read(cls, db: sqlite_utils.Database, model: str, version: int) -> _Matrix:
        ids, counts, stacked, reach = skill_vectors.all_vectors(db, model, DIMENSIONS)
        starts = np.cumsum(counts) - counts
        is_view = np.ones(len(stacked), dtype=bool)
        is_view[starts] = False
        view_count = counts - 1
        first_view = np.cumsum(view_count) - view_count
        # A skill's views are its name and description, then its example (skill_views).
        position = np.arange(int(view_count.sum())) - np.repeat(first_view, view_count)
        is_example = position > 0
        main = np.ascontiguousarray(stacked[starts])
        views = np.ascontiguousarray(stacked[is_view])
        main_crowding = crowding(main)
        # A name and description share their skill's crowding; an example is crowded by
        # the other skills' examples (forty "invoice <thing>" examples are a hub of their
        # own, whatever their skills' lessons say).
        view_crowding = np.repeat(main_crowding, view_count)
        view_crowding[is_example] = crowding(views[is_example])
        return cls(
            version=version,
            model=model,
            ids=ids,
            vectors=main,
            rows={int(skill_id): row for row, skill_id in enumerate(ids)},
            reach=reach,
            crowding=main_crowding,
            views=views,
            first_view=first_view,
            view_count=view_count,
            view_discount=np.where(is_example, EXAMPLE_DISCOUNT, 0.0).astype(np.float32),
            view_crowding=view_crowding,
        )

    def best_of_views(
        self,
        rows: np.ndarray,
        cosines: np.ndarray,
        discounted: np.ndarray,
        query: np.ndarray,
        discount: Crowding,
    ) -> None:
        """Raise ``cosines`` and ``discounted`` (one per main row in ``rows``) to those of
        each skill's nearest view (an example's less :data:`EXAMPLE_DISCOUNT`), in one
        product over the views of these rows only."""
        counts = self.view_count[rows]
        if not counts.any():
            return
        total = int(counts.sum())
        owner = np.repeat(np.arange(len(rows)), counts)
        offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        index = np.repeat(self.first_view[rows], counts) + offset
        view_cosines = self.views[index] @ query - self.view_discount[index]
        np.maximum.at(cosines, owner, view_cosines)
        np.maximum.at(
            discounted, owner, view_cosines - discount.excess(self.view_crowding[index])
        )


def crowding(vectors: np.ndarray) -> np.ndarray:
    """Each vector's crowding: the sum of its cosines with its :data:`CROWD_NEIGHBOURS`
    nearest others, over :data:`CROWD_NEIGHBOURS` (a library too small to have that many
    counts the missing ones as 0).

    A skill among many near-identical ones (generated skills sharing one vocabulary, a
    family of variants) is close to every request that shares a word of that vocabulary: a
    hub. Retrieval discounts the part of its crowding above what a hand-written library
    shows (hubness reduction, as CSLS does for word translation). A twin (a hub skill
    imported beside the user's own) adds a tenth of its cosine, not a hub's crowding.
    Computed when the matrix is read, in blocks: 1.4-2.2 s of CPU for 10,000 vectors,
    20 ms for 1,000 (the main vectors and the examples each pay it).
    """
    n = len(vectors)
    k = min(CROWD_NEIGHBOURS, n - 1)
    result = np.zeros(n, dtype=np.float32)
    if k <= 0:
        return result
    for start in range(0, n, CROWD_BLOCK):
        block = vectors[start : start + CROWD_BLOCK] @ vectors.T
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -1.0
        nearest = np.partition(block, -k, axis=1)[:, -k:]
        result[start : start + len(block)] = nearest.sum(axis=1) / CROWD_NEIGHBOURS
    return result


_cache: dict[str, _Matrix] = {}
_cache_lock = threading.Lock()


def _database_file(db: sqlite_utils.Database) -> str:
    return database_file(db.conn) or f"memory:{id(db.conn)}"


def _matrix(db: sqlite_utils.Database, model: str) -> _Matrix:
    """Every vector of ``model``, read again only when one changed."""
    key = _database_file(db)
    current = skill_vectors.version(db)
    with _cache_lock:
        matrix = _cache.get(key)
        if matrix is None or matrix.version != current or matrix.model != model:
            matrix = _Matrix.read(db, model, current)
            _cache[key] = matrix
    return matrix


def reach(db: sqlite_utils.Database, model: str) -> dict[int, float]:
    """The reach of every skill taught on several requests (see :func:`meaning_vector`)."""
    return _matrix(db, model).reach


def nearest(
    db: sqlite_utils.Database,
    query: np.ndarray,
    model: str,
    n: int,
    also: Iterable[int] = (),
    discount: Crowding = NO_DISCOUNT,
) -> Matches:
    """The closeness of ``query`` to the ``n`` skills closest by their main vectors and
    to the skills ``also`` names (candidates found by their words, which may be further
    away), by skill id: as cosines of each skill's nearest view, and less what each
    view's crowding takes (``discount``)."""
    matrix = _matrix(db, model)
    if not len(matrix.ids):
        return Matches({}, {})
    # einsum, not ``@``: BLAS spreads this matrix-vector product over threads that spin on
    # a busy 2-core machine (3.4 ms of CPU at 10,000 skills against 0.7 ms in one loop).
    scores = np.einsum("ij,j->i", matrix.vectors, query)
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
    extra = [matrix.rows[i] for i in also if i in matrix.rows]
    rows = np.unique(np.concatenate([top, np.asarray(extra, dtype=np.int64)]))
    cosines = scores[rows]
    discounted = cosines - discount.excess(matrix.crowding[rows])
    matrix.best_of_views(rows, cosines, discounted, query, discount)
    ids = matrix.ids[rows].tolist()
    return Matches(
        dict(zip(ids, cosines.tolist(), strict=True)),
        dict(zip(ids, discounted.tolist(), strict=True)),
    )
