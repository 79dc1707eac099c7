"""Skill vectors: computed when a skill is written, kept current, stored in SQLite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.model.embedder import DIMENSIONS, shared_embedder
from app.skills import vectors
from app.skills.library import SkillLibrary
from app.skills.skill import NO_WORKED_REPLY, Skill, compose_body, compose_examples
from app.store import skill_vectors
from app.store.db import open_db


@pytest.fixture
def library(tmp_path: Path) -> SkillLibrary:
    return SkillLibrary(open_db(tmp_path / "flywheel.db"), root=tmp_path / "skills")


def _vector(library: SkillLibrary, name: str) -> tuple[str, np.ndarray] | None:
    """The stored hash and rows (main vector first) of a skill."""
    row = library.db.execute(
        "SELECT v.text_sha256, v.vector FROM skill_vectors v JOIN skills s ON s.id = v.skill_id "
        "WHERE s.name = ?",
        [name],
    ).fetchone()
    if row is None:
        return None
    return row[0], np.frombuffer(row[1], dtype=np.float32).reshape(-1, DIMENSIONS)


def _skill(description: str = "Search text in files with ripgrep.") -> Skill:
    return Skill("use-ripgrep", description, compose_body("Use `rg`.", "grep -r", "`rg x`"))


def test_saving_a_skill_stores_its_vector(library: SkillLibrary) -> None:
    library.save(_skill())
    stored = _vector(library, "use-ripgrep")
    assert stored is not None
    embedder = shared_embedder()
    assert embedder is not None
    text = vectors.skill_text("use-ripgrep", _skill().description, _skill().body)
    head = f"use ripgrep: {_skill().description}"
    assert stored[1].shape == (3, DIMENSIONS)  # main, name and description, example
    assert float(stored[1][0] @ embedder.embed_one(text)) > 0.999
    assert float(stored[1][1] @ embedder.embed_one(head)) > 0.999
    assert float(stored[1][2] @ embedder.embed_one("`rg x`")) > 0.999


def test_counters_do_not_embed_again_but_a_new_text_does(library: SkillLibrary) -> None:
    library.save(_skill())
    before_version = skill_vectors.version(library.db)
    library.update_state("use-ripgrep", uses=5, successes=4)
    assert skill_vectors.version(library.db) == before_version
    skill = library.get("use-ripgrep")
    skill.description = "Find which files mention a word, with ripgrep."
    library.save(skill)
    assert skill_vectors.version(library.db) > before_version
    stored = _vector(library, "use-ripgrep")
    assert stored is not None
    assert stored[0] == vectors.texts_digest(skill.name, skill.description, skill.body)


def test_deleting_a_skill_deletes_its_vector(library: SkillLibrary) -> None:
    library.save(_skill())
    library.delete("use-ripgrep")
    assert library.db.execute("SELECT count(*) FROM skill_vectors").fetchone()[0] == 0


def test_backfill_embeds_skills_written_without_a_vector(library: SkillLibrary) -> None:
    library.save(_skill())
    library.db.execute("DELETE FROM skill_vectors")
    assert vectors.backfill(library.db) == 1
    assert _vector(library, "use-ripgrep") is not None
    assert vectors.backfill(library.db) == 0


def test_nearest_rereads_the_matrix_only_when_a_vector_changed(library: SkillLibrary) -> None:
    embedder = shared_embedder()
    assert embedder is not None
    library.save(_skill())
    query = embedder.embed_one("look for a word in my source files")
    first = vectors.nearest(library.db, query, embedder.id, 5).cosines
    assert list(first) == [library.get("use-ripgrep").id]
    version = skill_vectors.version(library.db)
    library.save(Skill("docker-prune", "Free disk space used by docker.", "Run prune."))
    assert skill_vectors.version(library.db) > version
    both = vectors.nearest(library.db, query, embedder.id, 5).cosines
    assert len(both) == 2 and max(both, key=both.get) == library.get("use-ripgrep").id
    docker = library.get("docker-prune").id
    assert list(vectors.nearest(library.db, query, embedder.id, 1, also=[docker]).cosines) == [
        library.get("use-ripgrep").id, docker
    ]


def test_a_request_is_as_close_to_a_skill_as_to_its_nearest_view(library: SkillLibrary) -> None:
    """Max-sim: a request that matches a skill's description is found at the description's
    cosine, not at the distance of the lesson-diluted main vector."""
    library.save(
        Skill(
            "notes-headings",
            "Turning meeting notes into a summary the team can read.",
            compose_body(
                "Use `##` headings per topic, bold owners, then a decisions list with dates.",
                "A wall of text.",
                "## Decisions\n- **Ana** ships on Friday",
            ),
        )
    )
    embedder = shared_embedder()
    assert embedder is not None
    stored = _vector(library, "notes-headings")
    assert stored is not None and stored[1].shape == (2, DIMENSIONS)
    query = embedder.embed_one("turn my meeting notes into a summary for the team")
    main, head = (float(row @ query) for row in stored[1])
    found = vectors.nearest(library.db, query, embedder.id, 5).cosines
    assert found[library.get("notes-headings").id] == pytest.approx(head) and head > main


def test_a_skill_learned_from_one_request_does_not_reach_its_neighbours(
    library: SkillLibrary,
) -> None:
    """The taught request is not a view of its own: "list the files in a folder" (a
    control of the ripgrep tuning scenario) stays far from a skill taught on searching
    files for a word, although the two requests are close."""
    taught = "How do I search for a word in all files of a folder?"
    examples = compose_examples([(taught, "`rg word folder/`")])
    library.save(
        Skill(
            "search-word-files",
            f"Use rg to search file contents. Applies to requests like: {taught}",
            compose_body("Use `rg`, not grep.", "grep -r", examples),
        )
    )
    embedder = shared_embedder()
    assert embedder is not None
    control, near = embedder.embed(["How do I list the files in a folder?", taught])
    assert float(control @ near) > 0.5
    found = vectors.nearest(library.db, control, embedder.id, 5).cosines
    assert found[library.get("search-word-files").id] < 0.5


def test_a_habit_keeps_one_vector_the_centre_of_its_requests(library: SkillLibrary) -> None:
    requests = ["list files by size", "show hidden files too", "count lines in a file"]
    examples = compose_examples([(r, "`ls -la`") for r in requests])
    body = compose_body("Say Command:", "", examples)
    library.save(Skill("habit-command", "Start with Command:", body))
    stored = _vector(library, "habit-command")
    assert stored is not None and stored[1].shape == (1, DIMENSIONS)


def test_crowding_is_how_close_a_vector_is_to_its_ten_nearest_others() -> None:
    """A twin adds a tenth of its cosine; one among a dozen near-identical variants is far
    more crowded than an unrelated skill beside them."""
    embedder = shared_embedder()
    assert embedder is not None
    ripgrep = "Search text in files with ripgrep."
    twins = embedder.embed([ripgrep, ripgrep.replace("Search", "Find")])
    assert 0.09 < vectors.crowding(twins)[0] <= 0.1
    things = "receipt budget pension tax loan savings dividend mortgage lease rent fee bill"
    texts = [ripgrep, *(f"Keep the invoice {thing} first." for thing in things.split())]
    unrelated, variant, *_ = vectors.crowding(embedder.embed(texts))
    assert variant > unrelated + 0.2


def test_a_crowded_view_is_discounted_by_its_own_crowding(
    library: SkillLibrary, tmp_path: Path
) -> None:
    """A skill's example is crowded by the other skills' examples: a dozen "invoice
    <thing>" examples lose more of their closeness to "what's an invoice" than a lone one."""
    embedder = shared_embedder()
    assert embedder is not None
    query = embedder.embed_one("what's an invoice")
    crowding = vectors.Crowding(0.0, 1.0)

    def lost(library: SkillLibrary, name: str) -> float:
        found = vectors.nearest(library.db, query, embedder.id, 20, discount=crowding)
        skill = library.get(name).id
        return found.cosines[skill] - found.discounted[skill]

    things = "receipt budget pension tax loan savings dividend mortgage lease rent fee bill"
    for i, thing in enumerate(things.split()):
        body = compose_body(f"Sort by {thing}.", "", f"invoice {thing}")
        library.save(Skill(f"paperwork-{i}", f"Paperwork habit number {i}.", body))
    lone = SkillLibrary(open_db(tmp_path / "lone.db"), root=tmp_path / "lone")
    lone.save(Skill("paperwork-0", "Paperwork habit number 0.",
                    compose_body("Sort by receipt.", "", "invoice receipt")))
    assert lost(library, "paperwork-0") > 0.3
    assert lost(library, "paperwork-0") > lost(lone, "paperwork-0") + 0.2


def test_a_free_text_example_is_a_view_that_counts_less(library: SkillLibrary) -> None:
    """A command or sample answer is a view of its own, its cosine lowered by
    EXAMPLE_DISCOUNT; worked (request, answer) pairs and the placeholder of a lesson with
    no worked reply yet are not views."""
    embedder = shared_embedder()
    assert embedder is not None
    body = compose_body("Use pnpm, filtered to the package.", "npm.", "pnpm -F web add date-fns")
    library.save(Skill("js-packages", "The user manages JavaScript dependencies.", body))
    stored = _vector(library, "js-packages")
    assert stored is not None and stored[1].shape == (3, DIMENSIONS)
    query = embedder.embed_one("pnpm -F web add date-fns")
    example = float(stored[1][2] @ query)
    assert example > 0.99
    found = vectors.nearest(library.db, query, embedder.id, 5).cosines
    assert found[library.get("js-packages").id] == pytest.approx(
        example - vectors.EXAMPLE_DISCOUNT, abs=1e-5
    )
    pairs = compose_examples([("add lodash to web", "`pnpm -F web add lodash`")])
    for name, example_text in (("taught", pairs), ("unworked", NO_WORKED_REPLY)):
        library.save(Skill(name, "The user manages JavaScript dependencies.",
                           compose_body("Use pnpm.", "npm.", example_text)))
        stored = _vector(library, name)
        assert stored is not None and stored[1].shape == (2, DIMENSIONS), name
