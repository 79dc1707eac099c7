"""Skill folders move between agents: other agents' folders import and are retrieved by
meaning; exported folders pass the Agent Skills reference validator (``agentskills``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.skills.library import SkillLibrary
from app.skills.retrieve import retrieve
from app.skills.skill import Skill, compose_body
from app.store.db import open_db

# Written the way MetaClaw's and OpenClaw's skill folders are: name, a "Use this skill
# when…" description, a free Markdown body, and keys of their own.
METACLAW = {
    "codebase-navigation": (
        "Use this skill when exploring an unfamiliar codebase, tracing how a feature works "
        "end to end, or finding where a function is defined versus called.",
        "# Codebase navigation\n\n1. Start at the entry points.\n2. Follow the imports.\n"
        "3. Read the data model, then the tests.\n4. `git log` explains why.\n",
    ),
    "task-decomposition": (
        "Use this skill when a goal is large or vague: split it into ordered subtasks with a "
        "clear done criterion each before executing.",
        "# Task decomposition\n\n- Restate the goal.\n- List subtasks under a day each.\n"
        "- Order by dependency; riskiest first.\n",
    ),
    "auth-and-authorization-patterns": (
        "Use this skill when implementing login flows, JWT issuance, OAuth2/OIDC, session "
        "management or role-based access control.",
        "# Auth\n\n- Hash passwords with argon2.\n- Short-lived JWTs, validate `iss`, `aud`, "
        "`exp`.\n- Check authorization on every request.\n",
    ),
    "secure-code-review": (
        "Use this skill when reviewing a diff or pull request for bugs and security problems "
        "before it is merged.",
        "# Reviewing code\n\n- Read the description, then the tests.\n- Look for injection, "
        "secrets, missing checks.\n- Comment with reasons.\n",
    ),
    "debug-systematically": (
        "Use this skill when a bug's cause is unknown: reproduce, hypothesise, bisect.",
        "# Debugging\n\nReproduce first; change one thing at a time.\n",
    ),
    "professional-email-drafting": (
        "Use this skill when writing a work email: purpose first, short, a clear ask.",
        "# Email\n\nSubject says the ask; three short paragraphs at most.\n",
    ),
}


def _write_folders(root: Path) -> Path:
    for name, (description, body) in METACLAW.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f'---\nname: {name}\ndescription: "{description}"\nversion: "1.2"\n'
            f"tags: [agents, {name.split('-')[0]}]\nuser-invocable: true\n---\n\n{body}",
            encoding="utf-8",
        )
    return root


@pytest.fixture
def library(tmp_path: Path) -> SkillLibrary:
    return SkillLibrary(open_db(tmp_path / "flywheel.db"), root=tmp_path / "home-skills")


@pytest.mark.parametrize(
    ("request_text", "expected", "neighbour"),
    [
        (
            "I joined a team today, how do I find my way around their repository?",
            "codebase-navigation",
            "task-decomposition",
        ),
        (
            "how should my API check the tokens that clients send?",
            "auth-and-authorization-patterns",
            "secure-code-review",
        ),
    ],
)
def test_metaclaw_folders_import_and_the_obvious_one_is_retrieved(
    library: SkillLibrary, tmp_path: Path, request_text: str, expected: str, neighbour: str
) -> None:
    source = _write_folders(tmp_path / "metaclaw" / "skills")
    report = library.import_path(source)
    assert sorted(report.imported) == sorted(METACLAW) and report.problems == []
    names = [s.name for s in retrieve(library.db, request_text)]
    assert names and names[0] == expected
    assert neighbour not in names
    listed = {s.name: s.imported_from for s in library.list_skills()}
    assert listed[expected] == str((source / expected).resolve()), "listed with its origin"


def _agentskills() -> Path:
    return Path(sys.executable).parent / "agentskills"


def _validate(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_agentskills()), "validate", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_exported_folders_pass_the_reference_validator(
    library: SkillLibrary, tmp_path: Path
) -> None:
    """Imported folders kept their own top-level keys (``version``, ``tags``) and an empty
    list was written as ``[]``: both made ``agentskills validate`` refuse the export."""
    library.import_path(_write_folders(tmp_path / "metaclaw" / "skills"))
    learned = compose_body(
        "Use `rg` to search text.", "grep -r over node_modules.",
        "Request: find TODOs\n\nAnswer: `rg TODO`",
    )
    library.save(
        Skill("use-ripgrep", "Search text with ripgrep.", learned, category="shell",
              origin_signals=[3, 7], uses=4, successes=3)
    )
    library.save(Skill("plain-note", "A skill with no signals yet.", "Just a body.\n"))
    exported = library.export(tmp_path / "export")
    assert len(exported) == len(METACLAW) + 2
    for folder in exported:
        done = _validate(folder)
        assert done.returncode == 0, done.stdout + done.stderr
    again = SkillLibrary(open_db(tmp_path / "again.db"), root=tmp_path / "again")
    report = again.import_path(tmp_path / "export")
    assert report.problems == [] and len(report.imported) == len(exported)
    kept = again.get("codebase-navigation").extra["metadata"]
    assert kept["version"] == "1.2" and kept["tags"] == ["agents", "codebase"]
