"""Picking the few skills that apply to the user's request, by meaning and by words.

The query is the user's request and nothing else: the system prompt and chat boilerplate
("Hi! Could you please help me…") would match every skill a little and drown the signal,
so greetings, politeness and stop words are stripped before words are matched.

Two rankings are combined:

- **Meaning.** The request is embedded (all-MiniLM-L6-v2 in llama.cpp,
  :mod:`app.model.embedder`, 6-8 ms of CPU, on a thread of its own while the words are
  ranked) and compared with every skill's vectors, computed when the skill was written
  (:mod:`app.skills.vectors`: a skill is as close as its nearest view, its description or
  its free-text example, which counts 0.1 less); the
  ``meaning_candidates`` closest are candidates. This is what finds a skill whose words
  differ from the request's ("where do I start reading this repository" →
  *codebase-navigation*), which no list of synonyms covers for skills written by others.
- **Words.** BM25's IDF with field weights over the FTS5 (porter) index: document
  frequencies from FTS5 counts (words in over half of a library of some size are dropped);
  posting lists of the rarest terms (up to ``row_budget`` rows) give candidates, since FTS5's
  own ``bm25()`` costs about 10 µs per matching row; each candidate's score is the
  IDF-weighted share of the request's terms its name and description (``weight_head``) or
  any of its text (``weight_body``) contain. Exact words still matter: a command, a tool or a
  file name says more than its meaning.

A candidate's score is its cosine, less its crowding's excess (below), plus
``weight_words`` times its word score, times a success-rate prior (a skill that keeps
failing sinks before it is retired). A threshold, absolute and relative to the best, keeps
irrelevant skills out (unrelated requests get none); below it, one of the user's own skills
still passes when its meaning stands out from every other skill's (``stand_out``; never a
hub's), and a habit taught on several
requests when the request is as close to their centre as they are to one another (its
*reach*, :mod:`app.skills.vectors`); then the token budget of the system prompt section.

**Crowding.** A skill among many near-identical ones is close to any request that shares a
word of their vocabulary (a *hub*): in a library padded with 10,000 generated skills, "write
me a commit msg for: fixed the null check in invoice totals" got three generated invoice
skills at cosine 0.50-0.55 and the commit-style skill at 0.24. Each skill's crowding is the
mean cosine of its ten nearest other skills (:func:`app.skills.vectors.crowding`, computed
once per change of the library; an example's, of the ten nearest other examples); the
part above ``crowding_floor`` (0.3) is taken from its closeness at ``crowding_weight``
(0.5). The labelled sets' hand-written skills lose 0 to 0.1 (their crowding's median is
0.20-0.41), the generated padding 0.13-0.17 (0.56-0.65), and a skill's twin adds a tenth
of their cosine only.

Weights and thresholds were tuned on ``tests/data/skills_retrieval.json``;
``tests/data/skills_retrieval_heldout.json``, written before retrieval by meaning, has been
measured after every change since, and ``tests/data/skills_retrieval_heldout2.json``,
written blind and measured once blind, was handed over for tuning: all three are tuning
data, and the crowding's two parameters and the example's discount were chosen on the
three together (``python -m bench.skills``). Only a set nobody building retrieval has seen
says how it generalises.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from app.community.screening import admissible, skill_text
from app.model.embedder import shared_embedder
from app.skills import vectors
from app.skills.skill import (
    APPLIES_ALWAYS,
    APPLIES_RELEVANT,
    CATEGORY_HABIT,
    SECTION_ANTI_PATTERN,
    SECTION_EXAMPLE,
    SECTION_LESSON,
    Skill,
    body_sections,
    example_pairs,
)
from app.store import skills as skills_store

_WORD = re.compile(r"[^\W_]+")

_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by could did do does doing done down during each else ever
    every few for from further get gets getting got had has have having he her here hers him
    his how i if in into is it its itself just let lets me might mine more most must my myself
    no nor not now of off on once only or other our ours out over own please same shall she
    should so some such than that the their theirs them then there these they this those
    through to too under until up very via was we were what when where which while who whom why
    will with would you your yours yourself etc eg ie ok okay yes yeah hi hello hey hiya
    greetings morning afternoon evening dear thanks thank thx cheers can kindly help assist
    want wanted need needs like love wonder wondering know tell think trying try tried able
    possible way ways thing things stuff something anything someone really actually quick
    quickly simple simply best good bad better lot bit much many one two always never sure
    question problem issue hmm um im ive id dont doesnt cant wont isnt whats hows thats theres
    youre use using used uses
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def estimate_tokens(text: str) -> int:
    """A model-free token estimate (about four characters a token for English and code)."""
    return len(text) // 4 + 1


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper, applied to both sides so inflections meet (exits ~ exiting).

    It only needs to agree with itself (FTS5's porter stemmer does the index matching): it
    decides which of a candidate's fields contain a term.
    """
    if len(word) <= 3:
        return word
    if word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("ly") and len(word) > 5:
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def query_terms(request: str, limit: int = 16) -> list[str]:
    """The informative words of a request, in order, without boilerplate or duplicates."""
    seen: set[str] = set()
    terms = []
    for word in _WORD.findall(request.lower().replace("'", "")):
        if len(word) < 2 or word in STOP_WORDS or word.isdigit():
            continue
        if word not in seen:
            seen.add(word)
            terms.append(word)
    return terms[:limit]


def token_set(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS}


@dataclass(frozen=True)
class RetrievalConfig:
    """Weights and cut-offs, tuned on ``tests/data/skills_retrieval.json`` (see bench.skills)."""

    weight_head: float = 0.7
    weight_body: float = 0.3
    max_df_fraction: float = 0.5
    min_common_df: int = 10  # in a small library every word is "in half the skills"
    row_budget: int = 1000
    candidates: int = 20
    # Padding-like skills that share a request's everyday words crowd its neighbourhood,
    # so 50 are read (20 lost 3 % recall on the tuning set); words candidates get cosines too.
    meaning_candidates: int = 50
    weight_words: float = 0.7
    prior_strength: float = 0.3
    min_score: float = 0.5
    min_relative: float = 0.95
    # A skill whose meaning stands out from every other skill's passes below min_score:
    # in a small library of other agents' skills (long "Use this skill when…" texts), the
    # right one's cosine can be 0.25 with the next at 0.15. Changes nothing on the padded
    # tuning set, where neighbours crowd every request.
    min_meaning: float = 0.25
    stand_out: float = 0.08
    # A skill whose ten nearest other skills are closer than ``crowding_floor`` on average
    # (its crowding, :func:`app.skills.vectors.crowding`; an example's among the other
    # examples) loses ``crowding_weight`` times the excess from its cosine: a hub among
    # near-identical skills is close to any request sharing their vocabulary. The labelled
    # skills' crowding is 0.13-0.51 (10th-90th percentiles; medians 0.20-0.41 in the three
    # sets, alone or padded), the generated padding's 0.56-0.65. Both chosen on the three
    # sets together.
    crowding_weight: float = 0.5
    crowding_floor: float = 0.3
    meaning: bool = True  # off: words alone (the baseline bench.skills compares with)


DEFAULT_CONFIG = RetrievalConfig()
PROMPT_HEADER = "Skills for this request (learned from the user's feedback; follow them):"


@dataclass
class RetrievedSkill:
    id: int
    name: str
    description: str
    category: str
    score: float
    lesson: str
    anti_pattern: str
    example: str
    compact: bool = False
    applies: str = APPLIES_RELEVANT
    community_origin: str | None = None  # "hub#id" for a skill imported from a hub

    @property
    def examples(self) -> list[tuple[str, str]]:
        """The example as (request, answer) turns, which the prompt shows as demonstrations."""
        return example_pairs(self.example)

    def render(self, compact: bool = False) -> str:
        """The skill as the system prompt states it. The user's own habit is its lesson
        alone, one short imperative a line: its description lists the words of every request
        it was taught on (for retrieval), which the 135M model read as the topic of its
        answer. Measured on the fd tuning scenario, the same skill and worked examples gave
        `fd` in 1 of 5 held-out replies with the description and 4 of 5 without it."""
        if self.category == CATEGORY_HABIT and self.lesson and not self.community_origin:
            return "\n".join(
                f"- {line.strip().removeprefix('- ')}"
                for line in self.lesson.splitlines()
                if line.strip()
            )
        lines = [f"- {self.name}: {self.description}"]
        if self.lesson:
            lines.append(f"  Do: {_squash(self.lesson, 160 if compact else 400)}")
        if not compact and self.anti_pattern:
            lines.append(f"  Avoid: {_squash(self.anti_pattern, 200)}")
        if not compact and self.example and not self.examples:
            lines.append(f"  Example: {_squash(self.example, 240)}")
        return "\n".join(lines)


def _squash(text: str, limit: int) -> str:
    flat = " ".join(text.replace("```", "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _fts_query(term: str) -> str:
    return f'"{term}"'


def _candidates(
    db: sqlite_utils.Database, terms: list[str], config: RetrievalConfig
) -> tuple[dict[int, float], dict[str, float], set[str], float]:
    """Candidate ids with a first score; each informative term's IDF; terms read; IDF total.

    The rarest terms say what the request is about, so their posting lists are read first,
    up to ``row_budget`` rows; commoner terms still count when candidates are scored.
    """
    n_skills = skills_store.count(db)
    # How many skills contain each term anywhere (FTS5 porter matching).
    dfs = skills_store.document_frequencies(db, [_fts_query(t) for t in terms])
    known = {
        t: df
        for t, df in zip(terms, dfs, strict=True)
        if 0 < df <= max(n_skills * config.max_df_fraction, config.min_common_df)
    }
    if not known:
        return {}, {}, set(), 0.0
    idf = {t: math.log(1 + n_skills / (df + 1)) for t, df in known.items()}
    unknown = sum(1 for df in dfs if df == 0)
    total = sum(idf.values()) * (1 + unknown / len(idf))
    first: dict[int, float] = {}
    read: set[str] = set()
    rows = 0
    for term in sorted(known, key=known.get):
        if rows and rows + known[term] > config.row_budget:
            break
        rows += known[term]
        read.add(term)
        for skill_id in skills_store.postings(db, _fts_query(term)):
            first[skill_id] = first.get(skill_id, 0.0) + idf[term]
    return first, idf, read, total


def _by_words(
    db: sqlite_utils.Database, terms: list[str], config: RetrievalConfig
) -> dict[int, float]:
    """Candidates (skill id → score in [0, 1]) by field-weighted IDF coverage of the request.

    Coverage favours the skill that is about *this* request over one that repeats a single
    shared word. Terms whose posting lists were not read are looked up in the candidate's
    text (name and description by stem, body by word prefix).
    """
    first, idf, read, total = _candidates(db, terms, config)
    if not first:
        return {}
    top = heapq.nlargest(config.candidates, first.items(), key=lambda item: item[1])
    stems = {term: stem(term) for term in idf}
    unread = [t for t in idf if t not in read]
    prefix = (
        re.compile(r"\b(?:" + "|".join(re.escape(stems[t]) for t in unread) + ")")
        if unread
        else None
    )
    scores = {}
    for skill_id, name, description, body in skills_store.texts(db, [i for i, _ in top]):
        head = token_set(f"{name.replace('-', ' ')} {description}")
        in_head = sum(w for t, w in idf.items() if stems[t] in head)
        anywhere = first[skill_id]
        if prefix is not None:
            seen = set(prefix.findall(body.lower())) | head
            anywhere += sum(idf[t] for t in unread if stems[t] in seen)
        evidence = config.weight_head * in_head + config.weight_body * max(anywhere, in_head)
        scores[skill_id] = min(1.0, evidence / total)
    return scores


# Embedding the request is most of a retrieval's time, and llama.cpp releases the GIL while
# it computes: on a thread of its own it overlaps the words ranking (about 1 ms of SQLite and
# Python at 10,000 skills) whenever a core is free. One worker: the embedder serves one
# request at a time anyway (its lock).
_EMBEDDING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flywheel-embed-request")


def _start_embedding(request: str) -> tuple[str, Future[np.ndarray]] | None:
    """The embedder's model id and the request's embedding under way; ``None`` without an
    embedder (words alone then rank)."""
    embedder = shared_embedder()
    if embedder is None:
        return None
    return embedder.id, _EMBEDDING.submit(embedder.embed_one, request)


def _by_meaning(
    db: sqlite_utils.Database,
    embedding: tuple[str, Future[np.ndarray]] | None,
    words: dict[int, float],
    config: RetrievalConfig,
) -> tuple[dict[int, float], dict[int, float]]:
    """Candidates (skill id → cosine) closest in meaning to the request, and the cosines of
    the candidates found by words; then each one's closeness less what its crowding takes
    (what ranks); none without an embedder."""
    if embedding is None:
        return {}, {}
    model, query = embedding
    discount = vectors.Crowding(config.crowding_floor, config.crowding_weight)
    found = vectors.nearest(
        db, query.result(), model, config.meaning_candidates, also=words, discount=discount
    )
    return found.cosines, found.discounted


def _relevant(
    db: sqlite_utils.Database, request: str, config: RetrievalConfig
) -> list[tuple[float, dict[str, Any]]]:
    """The candidates of either ranking that clear the thresholds (enabled, not retired),
    best first."""
    terms = query_terms(request)
    embedding = _start_embedding(request) if config.meaning and terms else None
    words = _by_words(db, terms, config) if terms else {}
    meaning, discounted = _by_meaning(db, embedding, words, config)
    ids = list(words.keys() | meaning.keys())
    if not ids:
        return []
    scored = []
    for row in skills_store.retrievable(db, ids):
        score = discounted.get(row["id"], 0.0) + config.weight_words * words.get(row["id"], 0.0)
        prior = (row["successes"] + 1) / (row["uses"] + 2)
        scored.append((score * (1 + config.prior_strength * (prior - 0.5)), row))
    if not scored:  # every candidate is switched off or retired
        return []
    scored.sort(key=lambda pair: -pair[0])
    best = scored[0][0]
    reach = _reach(db) if meaning else {}
    passed = [
        (score, row)
        for score, row in scored
        if (score >= config.min_score and score >= config.min_relative * best)
        or (
            not row["community_origin"]  # a hub skill cannot buy a wide reach with varied examples
            and _within_reach(meaning.get(row["id"]), reach.get(row["id"]), config)
        )
    ]
    if passed or not meaning:
        return passed
    cosines = [*sorted(meaning.values(), reverse=True), 0.0]
    top = max(meaning, key=meaning.get)
    if top in reach:  # a habit's own reach said no: standing out in a small library is not yes
        return []
    if cosines[0] >= config.min_meaning and cosines[0] - cosines[1] >= config.stand_out:
        # Only the user's own skill stands out this way. A new member's library holds the few
        # skills a hub sent, and among two anything stands out: a hub skill described as
        # "tips for files" (its lesson about knitting) reached "How do I compress a folder
        # into a zip file?" at cosine 0.26 against 0.07 (bench.community, sd, member B).
        return [
            (score, row)
            for score, row in scored
            if row["id"] == top and not row["community_origin"]
        ]
    return []


def _reach(db: sqlite_utils.Database) -> dict[int, float]:
    embedder = shared_embedder()
    return {} if embedder is None else vectors.reach(db, embedder.id)


def _within_reach(cosine: float | None, reach: float | None, config: RetrievalConfig) -> bool:
    """Whether a request is as close in meaning to a habit as the requests it was taught on
    are to one another (its reach, never below ``min_meaning``): a topic decides where a
    habit taught on several requests applies, whatever words the request shares with it.

    Only the user's own habits are let in this way. An imported skill's examples were chosen
    by a hub member: varied on purpose, they would give it a reach that admits almost any
    request. Its reach can still keep it out (below), never let it in past the thresholds."""
    return cosine is not None and reach is not None and cosine >= max(reach, config.min_meaning)


def _retrieved(row: dict[str, Any], score: float) -> RetrievedSkill:
    sections = body_sections(row["body"])
    lesson = sections.get(SECTION_LESSON.lower()) or sections.get("") or row["body"]
    return RetrievedSkill(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        category=row["category"] or "",
        score=round(score, 4),
        lesson=lesson,
        anti_pattern=sections.get(SECTION_ANTI_PATTERN.lower(), ""),
        example=sections.get(SECTION_EXAMPLE.lower(), ""),
        applies=row["applies"],
        community_origin=row.get("community_origin"),
    )


def as_retrieved(skill: Skill) -> RetrievedSkill:
    """A skill as retrieval would hand it to the prompt, for showing a skill (one from a hub,
    before it is imported) exactly as it would enter the user's prompts."""
    row = {"id": skill.id or 0, "name": skill.name, "description": skill.description,
           "body": skill.body, "category": skill.category, "uses": skill.uses,
           "successes": skill.successes, "applies": skill.applies,
           "community_origin": skill.community_origin}
    return _retrieved(row, 1.0)


def _standing(db: sqlite_utils.Database, k: int) -> list[tuple[float, dict[str, Any]]]:
    """Skills that apply to every request, most recently updated first."""
    ids = skills_store.standing_ids(db, APPLIES_ALWAYS, k)
    by_id = {row["id"]: row for row in skills_store.retrievable(db, ids)} if ids else {}
    return [(1.0, by_id[i]) for i in ids if i in by_id]


def retrieve(
    db: sqlite_utils.Database,
    request: str,
    *,
    k: int = 3,
    token_budget: int = 400,
    config: RetrievalConfig = DEFAULT_CONFIG,
) -> list[RetrievedSkill]:
    """The skills (at most ``k``) for ``request`` that fit in ``token_budget`` tokens.

    Standing skills (``applies: always``: a tone, a format, a fact about the user) come
    first, whatever the request, but at most ``k - 1`` of them when a topical skill is
    relevant; then those relevant to it. ``request`` must be the user's
    own message: never the system prompt or the history. Returns an empty list when there
    is no standing skill and nothing clears the relevance threshold.
    """
    if k <= 0:
        return []
    topical = [
        pair for pair in _relevant(db, request, config) if pair[1]["applies"] != APPLIES_ALWAYS
    ]
    # Standing skills never take every slot: the request's own best skill always gets one.
    standing = _standing(db, k - 1 if topical else k)
    picked: list[RetrievedSkill] = []
    used = estimate_tokens(PROMPT_HEADER)
    seen: set[int] = set()
    for score, row in [*standing, *topical]:
        if len(picked) >= k:
            break
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        if row.get("community_origin") and not admissible(
            skill_text(row["description"], row["body"])
        ):
            continue  # a hub skill that fails the community checks never reaches a prompt
        skill = _retrieved(row, score)
        for compact in (False, True):
            cost = estimate_tokens(skill.render(compact))
            if used + cost <= token_budget:
                skill.compact = compact
                picked.append(skill)
                used += cost
                break
    return picked
