"""Skills as vectors: what text of a skill is embedded, keeping vectors current, and the
in-memory matrix retrieval compares a request with.

A skill is embedded when it is written (:func:`refresh`, called by the library for every
save, import and sync), so a turn embeds only its request. Skills written while the
embedder could not run, or by an older model, get theirs from :func:`backfill`, which the
model thread runs once the embedder is loaded.

The matrix of all vectors is read once per process and kept until a vector changes (a
counter the database's triggers maintain): at 10,000 skills reading it takes tens of
milliseconds, comparing a request with it a fraction of one.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from app.model.embedder import DIMENSIONS, Embedder, shared_embedder
from app.skills.skill import SECTION_EXAMPLE, SECTION_LESSON, body_sections, example_pairs
from app.store import skill_vectors
from app.store.db import database_file, transaction

log = logging.getLogger(__name__)

LESSON_CHARS = 300
BATCH = 32
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
    requests = [q for q, _ in example_pairs(body_sections(body).get(SECTION_EXAMPLE.lower(), ""))]
    if len(requests) >= MIN_TAUGHT_REQUESTS:
        return requests
    return [skill_text(name, description, body)]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def meaning_vector(embedder: Embedder, texts: list[str]) -> tuple[np.ndarray, float | None]:
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
    texts = meaning_texts(name, description, body)
    digest = _sha(texts)
    if skill_vectors.stored_hash(db, skill_id, embedder.id) == digest:
        return True
    try:
        vector, reach = meaning_vector(embedder, texts)
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
        texts = meaning_texts(row["name"], row["description"], row["body"])
        if row["vector_hash"] != _sha(texts):
            todo.append((row["id"], texts))
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        vectors = [meaning_vector(embedder, texts) for _, texts in chunk]
        with transaction(db):
            for (skill_id, texts), (vector, reach) in zip(chunk, vectors, strict=True):
                skill_vectors.save(db, skill_id, embedder.id, _sha(texts), vector, reach)
    return len(todo)


@dataclass
class _Matrix:
    version: int
    model: str
    ids: np.ndarray
    vectors: np.ndarray
    rows: dict[int, int]  # skill id → row
    reach: dict[int, float]  # skill id → reach, for skills taught on several requests


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
            ids, vectors, reach = skill_vectors.all_vectors(db, model, DIMENSIONS)
            rows = {int(skill_id): row for row, skill_id in enumerate(ids)}
            matrix = _Matrix(current, model, ids, vectors, rows, reach)
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
) -> dict[int, float]:
    """Cosines with ``query``: of the ``n`` closest skills, and of the skills ``also`` names
    (candidates found by their words, which may be further away), by skill id."""
    matrix = _matrix(db, model)
    if not len(matrix.ids):
        return {}
    # einsum, not ``@``: BLAS spreads this matrix-vector product over threads that spin on
    # a busy 2-core machine (3.4 ms of CPU at 10,000 skills against 0.7 ms in one loop).
    scores = np.einsum("ij,j->i", matrix.vectors, query)
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n]
    found = {int(matrix.ids[i]): float(scores[i]) for i in top}
    for skill_id in also:
        row = matrix.rows.get(skill_id)
        if row is not None:
            found[skill_id] = float(scores[row])
    return found
