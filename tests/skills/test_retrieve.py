"""Retrieval: the request's meaning and own words, a relevance threshold, a token budget,
standing skills that leave room for the relevant one."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils

from app.model.embedder import shared_embedder
from app.skills import retrieve as retrieve_module
from app.skills.injection import skills_prompt_section
from app.skills.library import SkillLibrary
from app.skills.retrieve import (
    PROMPT_HEADER,
    estimate_tokens,
    query_terms,
    retrieve,
)
from app.skills.skill import APPLIES_ALWAYS, Skill, compose_body, compose_examples
from app.store.db import open_db
from bench.community_parts import rogue_fixtures

DATA = Path(__file__).resolve().parents[1] / "data" / "skills_retrieval.json"


@pytest.fixture(scope="module")
def labelled() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def library_db(tmp_path_factory: pytest.TempPathFactory, labelled: dict) -> sqlite_utils.Database:
    """The labelled library, written through the real library (files and mirror)."""
    root = tmp_path_factory.mktemp("labelled")
    library = SkillLibrary(open_db(root / "flywheel.db"), root=root / "skills")
    for item in labelled["skills"]:
        body = compose_body(item["lesson"], item["anti_pattern"], item["example"])
        library.save(Skill(item["name"], item["description"], body, category=item["category"]))
    return library.db


def _names(db: sqlite_utils.Database, request: str, **kwargs) -> list[str]:
    return [s.name for s in retrieve(db, request, **kwargs)]


def test_labelled_set_is_large_and_consistent(labelled: dict) -> None:
    names = {s["name"] for s in labelled["skills"]}
    assert len(names) == len(labelled["skills"]) >= 200
    assert len([r for r in labelled["requests"] if r["relevant"]]) >= 60
    assert any(s["role"] == "distractor" for s in labelled["skills"])
    for request in labelled["requests"]:
        assert set(request["relevant"]) <= names, request


def test_boilerplate_never_enters_the_query(library_db: sqlite_utils.Database) -> None:
    assert query_terms("Hi! Could you please help me, thanks so much?") == []
    assert query_terms("Hello there! Can you help me undo my last git commit please?") == [
        "undo",
        "last",
        "git",
        "commit",
    ]
    polite = "Hi! Could you please help me undo my last git commit? Thanks a lot!"
    assert _names(library_db, polite) == _names(library_db, "undo last git commit")
    assert _names(library_db, polite)[0] == "git-undo-last-commit-keep-changes"
    assert _names(library_db, "Hi! Could you please help me?") == []


@pytest.mark.parametrize(
    "request_text",
    [
        "What's the capital of Peru?",
        "Tell me a joke about cats",
        "write a haiku about autumn leaves",
        "Hello! How are you today?",
    ],
)
def test_unrelated_requests_get_nothing(
    library_db: sqlite_utils.Database, request_text: str
) -> None:
    assert _names(library_db, request_text) == []


def test_precision_on_the_labelled_set(library_db: sqlite_utils.Database, labelled: dict) -> None:
    precisions = []
    for item in labelled["requests"]:
        returned = _names(library_db, item["request"])
        if returned:
            hits = sum(name in item["relevant"] for name in returned)
            precisions.append(hits / len(returned))
    assert sum(precisions) / len(precisions) >= 0.8


def test_disabled_and_retired_skills_are_not_retrieved(tmp_path: Path) -> None:
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    for name in ("docker-prune-a", "docker-prune-b", "docker-prune-c"):
        library.save(
            Skill(name, "Free disk space used by docker images.", compose_body("x", "y", "z"))
        )
    assert len(_names(library.db, "docker uses my disk space")) == 3
    library.set_enabled("docker-prune-a", False)
    library.retire("docker-prune-b")
    assert _names(library.db, "docker uses my disk space") == ["docker-prune-c"]


def test_success_prior_ranks_a_failing_skill_lower(tmp_path: Path) -> None:
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    body = compose_body("Use `df -h`.", "Using du.", "`df -h`")
    library.save(Skill("good", "Show free disk space.", body, uses=10, successes=9))
    library.save(Skill("poor", "Show free disk space.", body, uses=10, successes=1))
    # The same text: the failing one sinks out of the near-ties the threshold keeps.
    assert _names(library.db, "how much free disk space is left") == ["good"]
    library.set_enabled("good", False)
    assert _names(library.db, "how much free disk space is left") == ["poor"]


def test_token_budget_and_prompt_section(library_db: sqlite_utils.Database) -> None:
    request = "docker is using 80GB on my disk, how do I clean it up"
    full = retrieve(library_db, request, k=3)
    assert full and full[0].name == "docker-free-disk-space"
    section = skills_prompt_section(full)
    assert section.startswith(PROMPT_HEADER)
    assert "docker system df" in section and "Avoid:" in section
    assert estimate_tokens(section) <= 400 + 10

    tight = retrieve(library_db, request, k=3, token_budget=80)
    assert len(tight) == 1 and tight[0].compact
    compact = skills_prompt_section(tight)
    assert "Avoid:" not in compact and estimate_tokens(compact) <= 80
    assert retrieve(library_db, request, token_budget=5) == []
    assert skills_prompt_section([]) == ""


def test_quotes_and_fts_syntax_in_requests_are_harmless(
    library_db: sqlite_utils.Database,
) -> None:
    for request in ['"unbalanced', "NEAR(git commit) OR AND *", "col:umn ^ - +", "🙂" * 50]:
        retrieve(library_db, request)


def test_meaning_finds_a_skill_that_shares_no_word_with_the_request(tmp_path: Path) -> None:
    """Without embeddings, "repo … reading" reached no skill: the words differ entirely."""
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    library.save(
        Skill(
            "codebase-navigation",
            "Explore an unfamiliar project before changing it: entry points, imports, tests.",
            compose_body("Find the entry points, then follow the imports.", "Editing first.", ""),
        )
    )
    library.save(
        Skill(
            "task-decomposition",
            "Break a large goal into small ordered steps, each with a check.",
            compose_body("List the steps and order them.", "One giant step.", ""),
        )
    )
    request = "I just cloned a big repo I've never seen, where do I begin reading it?"
    assert _names(library.db, request) == ["codebase-navigation"]


def test_a_crowd_of_near_identical_skills_is_not_injected_for_a_word_it_shares(
    tmp_path: Path,
) -> None:
    """Forty generated variants of one invoice lesson are each close to any request that
    says "invoice" (cosine 0.55 with "what's an invoice"): hubs. Their crowding (each one's
    nearest others are near-identical) is discounted, so they no longer take the slots,
    while a skill with no such crowd is found as before."""
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    library.save(
        Skill(
            "git-commit-style",
            "The user writes git commit messages in Conventional Commits style.",
            compose_body(
                "Format commit messages as type(scope): imperative summary under 72 chars.",
                "'fixed stuff'",
                "fix(invoices): guard against null totals",
            ),
        )
    )
    rng = random.Random(3)
    things = ["receipt", "budget", "tax", "savings", "pension", "loan", "dividend", "mortgage"]
    for i in range(40):
        a, b = rng.sample(things, 2)
        verb = rng.choice(["Check", "Keep", "Sort", "Label", "Track", "Review"])
        library.save(
            Skill(
                f"invoice-{a}-{b}-{i}",
                f"{verb} the invoice {a} before the {b}.",
                compose_body(f"{verb} the invoice {a} first, then the {b}.", b, f"invoice {a}"),
            )
        )
    assert _names(library.db, "what's an invoice") == []
    commit = "write me a commit msg for: fixed the null check in invoice totals"
    assert not any(name.startswith("invoice-") for name in _names(library.db, commit))
    assert _names(library.db, "how do I word the commit for my invoice fix") == [
        "git-commit-style"
    ]


def test_a_request_worded_like_a_skills_example_finds_it(tmp_path: Path) -> None:
    """A free-text example is a view of its skill: "add date-fns to the frontend" is
    closer to ``pnpm -F web add date-fns`` than to any description (it went to the ISO
    dates skill by the word "date"), and a distance to the kilometres preference. An
    unrelated question still gets nothing."""
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    for name, description, lesson, example in (
        ("js-package-manager", "The user manages JavaScript dependencies with pnpm workspaces.",
         "Use pnpm, filtered to the package: pnpm -F <package> add <dependency>.",
         "pnpm -F web add date-fns"),
        ("date-format-iso", "The user writes dates as ISO 8601 (2026-12-07).",
         "Write dates as YYYY-MM-DD.", "2026-12-07"),
        ("git-commit-style", "The user writes git commit messages in Conventional Commits style.",
         "type(scope): imperative summary.", "fix(invoices): guard against null totals"),
        ("units-metric", "The user wants metric units: kilometres, kilograms, Celsius.",
         "Give metric units first.", "Munich to Vienna is about 400 km by road."),
    ):
        library.save(Skill(name, description, compose_body(lesson, "", example)))
    assert _names(library.db, "add date-fns to the frontend pls, what's the command") == [
        "js-package-manager"
    ]
    assert _names(library.db, "how far is Lisbon from Porto") == ["units-metric"]
    assert _names(library.db, "What year did the Berlin wall fall?") == []


def test_standing_skills_leave_a_slot_for_the_relevant_one(tmp_path: Path) -> None:
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    for i, tone in enumerate(("pirate", "formal", "cheerful")):
        library.save(
            Skill(
                f"tone-{tone}", f"Answer in a {tone} tone.", compose_body(f"Be {tone}.", "", ""),
                applies=APPLIES_ALWAYS, uses=i,
            )
        )
    library.save(
        Skill(
            "shell-disk-free-space",
            "Show how much free space is left on each disk.",
            compose_body("Use `df -h`.", "Using du.", "`df -h /`"),
        )
    )
    names = _names(library.db, "how much free space is left on my disk?", k=3)
    assert len(names) == 3 and names[-1] == "shell-disk-free-space"
    assert sum(name.startswith("tone-") for name in names) == 2
    assert [n for n in _names(library.db, "Tell me a joke about cats", k=3)] == [
        "tone-cheerful", "tone-formal", "tone-pirate"
    ]


def test_the_request_is_embedded_while_its_words_are_ranked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedding (most of a retrieval's time) runs on a thread of its own, started
    before the words ranking, so the two overlap when a core is free."""
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    library.save(
        Skill(
            "shell-disk-free-space",
            "Show how much free space is left on each disk.",
            compose_body("Use `df -h`.", "Using du.", "`df -h /`"),
        )
    )
    embedder = shared_embedder()
    assert embedder is not None
    events: list[tuple[str, int]] = []
    embed_one = embedder.embed_one
    by_words = retrieve_module._by_words

    def recording_embed(text: str) -> np.ndarray:
        events.append(("embed", threading.get_ident()))
        return embed_one(text)

    def slow_words(*args: object, **kwargs: object) -> dict[int, float]:
        time.sleep(0.2)  # long enough for the embedding to have started meanwhile
        events.append(("words", threading.get_ident()))
        return by_words(*args, **kwargs)

    monkeypatch.setattr(embedder, "embed_one", recording_embed)
    monkeypatch.setattr(retrieve_module, "_by_words", slow_words)
    assert _names(library.db, "how much free space is left on my disk?") == [
        "shell-disk-free-space"
    ]
    assert [kind for kind, _ in events] == ["embed", "words"]
    assert events[0][1] != threading.get_ident() == events[1][1]


def test_a_hub_skill_never_passes_by_standing_out_in_a_small_library(tmp_path: Path) -> None:
    """A new member's library holds the few skills a hub sent; among two, anything stands
    out. The rogue member's bait ("Useful … tips for files", its lesson about knitting)
    reached a question about zip files that way (bench.community, sd, member B)."""
    library = SkillLibrary(open_db(tmp_path / "x.db"), root=tmp_path / "skills")
    hub = "http://127.0.0.1:9/skills#"
    bait = next(f.skill for f in rogue_fixtures() if f.kind == "applies-always")
    bait.applies, bait.community_origin = "relevant", hub + "9"
    library.save(bait)
    body = compose_body(
        "Use sd instead of sed for replacements in files.",
        "sed -i",
        compose_examples([
            ("How do I replace every occurrence of 'foo' with 'bar' in a file?",
             "Use sd instead of sed: `sd 'foo' 'bar' file.txt` edits the file in place."),
            ("How do I preview a text replacement before changing the file?",
             "Add `-p`: `sd -p 'http://' 'https://' config.yaml` shows the changes."),
        ]),
    )
    library.save(Skill("use-sd", "Regex substitution and find-and-replace in files with sd.", body,
                       community_origin=hub + "1"))
    assert _names(library.db, "How do I compress a folder into a zip file on Linux?") == []
    regex = "What's the easiest command-line way to do a regex substitution in a log file?"
    assert _names(library.db, regex) == ["use-sd"]
