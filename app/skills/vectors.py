"""Skills as vectors: what text of a skill is embedded, keeping vectors current, and the
in-memory matrix retrieval compares a request with.

A skill is embedded when it is written (:func:`refresh`, called by the library for every
save, import and sync), so a turn embeds only its request. Skills written while the
embedder could not run, or by an older model, get theirs from :func:`backfill`, which the
model thread runs once the embedder is loaded.

A skill has a main vector and, unless it is a habit, a second view of it: its name and
description alone. A request is as close to a skill as to the nearest of them (max-sim):
the description says when a skill applies, and the lesson's wording dilutes it in the main
vector. Measured on both labelled sets padded to 10,000
skills (``bench.skills``), the name-and-description view put the right skill first in
meaning for 72 and 36 requests instead of 69 and 34 (of 100 and 55).

The matrix of all main vectors is read once per process and kept until a vector changes (a
counter the database's triggers maintain): at 10,000 skills reading it takes tens of
milliseconds, and measuring each skill's crowding (how close its ten nearest other skills
are, which retrieval discounts) about 1.4 s of CPU, 15 ms at 1,000; comparing a request
with it takes about one millisecond. The other views are compared only for
the candidates the main vectors and the words found, so they cost no extra pass over the
library.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import sqlite_utils

from app.model.embedder import DIMENSIONS, Embedder, shared_embedder
from app.skills.skill import SECTION_EXAMPLE, SECTION_LESSON, body_sections, example_pairs
from app.store import skill_vectors
from app.store.db import database_file, transaction

log = logging.getLogger(__name__)

LESSON_CHARS = 300
BATCH = 32
# How many nearest other skills say how crowded a skill's neighbourhood is (its crowding).
CROWD_NEIGHBOURS = 10
# Rows of the skill-by-skill product computed at once when the crowding is measured: a
# block of 1,000 rows at 10,000 skills is 40 MB, where the whole product would be 400 MB.
CROWD_BLOCK = 1000
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
    description alone. A habit taught on :data:`MIN_TAUGHT_REQUESTS` requests or more has
    none: its main vector is already the centre of those requests, and its reach (how far
    from them it applies) is measured against that centre alone.

    The requests of a skill's worked examples are not views. A skill learned from one
    correction would then reach every request near the one it was taught on: on the
    ripgrep tuning scenario, "How do I list the files in a folder?" (a control, which must
    not get the lesson) sat at cosine 0.57 from a taught request, against 0.42 from the
    skill's name and description, which already quote that request."""
    if len(_taught_requests(body)) >= MIN_TAUGHT_REQUESTS:
        return []
    return [f"{name.replace('-', ' ')}: {description}".strip()]


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


@dataclass
class _Matrix:
    version: int
    model: str
    ids: np.ndarray  # skill id of each main row
    vectors: np.ndarray  # main rows, one per skill, contiguous
    rows: dict[int, int]  # skill id → main row
    reach: dict[int, float]  # skill id → reach, for skills taught on several requests
    views: np.ndarray  # every other row, stacked
    first_view: np.ndarray  # main row → its first row in ``views``
    view_count: np.ndarray  # main row → how many rows it has in ``views``
    crowding: np.ndarray  # main row → mean cosine with its nearest other skills

    @classmethod
    def read(cls, db: sqlite_utils.Database, model: str, version: int) -> _Matrix:
        ids, counts, stacked, reach = skill_vectors.all_vectors(db, model, DIMENSIONS)
        starts = np.cumsum(counts) - counts
        is_view = np.ones(len(stacked), dtype=bool)
        is_view[starts] = False
        view_count = counts - 1
        main = np.ascontiguousarray(stacked[starts])
        return cls(
            version=version,
            model=model,
            ids=ids,
            vectors=main,
            rows={int(skill_id): row for row, skill_id in enumerate(ids)},
            reach=reach,
            views=np.ascontiguousarray(stacked[is_view]),
            first_view=np.cumsum(view_count) - view_count,
            view_count=view_count,
            crowding=_crowding(main),
        )

    def best_of_views(self, rows: np.ndarray, scores: np.ndarray, query: np.ndarray) -> None:
        """Raise ``scores`` (one per main row in ``rows``) to the cosine of each skill's
        nearest view, in one product over the views of these rows only."""
        counts = self.view_count[rows]
        if not counts.any():
            return
        total = int(counts.sum())
        owner = np.repeat(np.arange(len(rows)), counts)
        offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        cosines = self.views[np.repeat(self.first_view[rows], counts) + offset] @ query
        np.maximum.at(scores, owner, cosines)


def _crowding(vectors: np.ndarray) -> np.ndarray:
    """Each skill's crowding: the sum of its main vector's cosines with its
    :data:`CROWD_NEIGHBOURS` nearest other skills', over :data:`CROWD_NEIGHBOURS` (a library
    too small to have that many counts the missing ones as 0).

    A skill among many near-identical ones (generated skills sharing one vocabulary, a
    family of variants) is close to every request that shares a word of that vocabulary: a
    hub. Retrieval discounts the part of its crowding above what a hand-written library
    shows (hubness reduction, as CSLS does for word translation). A twin (a hub skill
    imported beside the user's own) adds a tenth of its cosine, not a hub's crowding.
    Computed when the matrix is read, in blocks: about 1.4 s of CPU at 10,000 skills, 15 ms
    at 1,000.
    """
    n = len(vectors)
    k = min(CROWD_NEIGHBOURS, n - 1)
    crowding = np.zeros(n, dtype=np.float32)
    if k <= 0:
        return crowding
    for start in range(0, n, CROWD_BLOCK):
        block = vectors[start : start + CROWD_BLOCK] @ vectors.T
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -1.0
        nearest = np.partition(block, -k, axis=1)[:, -k:]
        crowding[start : start + len(block)] = nearest.sum(axis=1) / CROWD_NEIGHBOURS
    return crowding


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


def crowding(db: sqlite_utils.Database, model: str, ids: Iterable[int]) -> dict[int, float]:
    """The crowding (see :func:`_crowding`) of the skills ``ids`` names that have vectors."""
    matrix = _matrix(db, model)
    return {i: float(matrix.crowding[matrix.rows[i]]) for i in ids if i in matrix.rows}


def nearest(
    db: sqlite_utils.Database,
    query: np.ndarray,
    model: str,
    n: int,
    also: Iterable[int] = (),
) -> dict[int, float]:
    """Cosines with ``query`` (of each skill's nearest view): of the ``n`` skills closest
    by their main vectors, and of the skills ``also`` names (candidates found by their
    words, which may be further away), by skill id."""
    matrix = _matrix(db, model)
    if not len(matrix.ids):
        return {}
    # einsum, not ``@``: BLAS spreads this matrix-vector product over threads that spin on
    # a busy 2-core machine (3.4 ms of CPU at 10,000 skills against 0.7 ms in one loop).
    scores = np.einsum("ij,j->i", matrix.vectors, query)
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
    extra = [matrix.rows[i] for i in also if i in matrix.rows]
    rows = np.unique(np.concatenate([top, np.asarray(extra, dtype=np.int64)]))
    best = scores[rows]
    matrix.best_of_views(rows, best, query)
    return dict(zip(matrix.ids[rows].tolist(), best.tolist(), strict=True))
