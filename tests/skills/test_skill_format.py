"""SKILL.md reading and writing: lenient parsing, clear errors, lossless round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.skills.skill import (
    Skill,
    SkillFormatError,
    body_sections,
    compose_body,
    compose_examples,
    parse_skill,
    read_skill,
    render_skill,
    slugify,
    write_skill,
)


def test_round_trip_keeps_flywheel_metadata_and_foreign_keys(tmp_path: Path) -> None:
    skill = Skill(
        name="git-force-push-with-lease",
        description="Force push safely after a rebase.",
        body=compose_body("Use `git push --force-with-lease`.", "`git push --force`.", "x"),
        category="git",
        created="2024-05-01T10:00:00Z",
        origin_signals=[4, 9],
        uses=3,
        successes=2,
        community_origin="hub.example.org/skills/17",
        extra={"license": "MIT", "metadata": {"openclaw": {"emoji": "🔧"}}},
    )
    write_skill(skill, tmp_path / skill.name)
    back = read_skill(tmp_path / skill.name)
    assert back == skill
    text = (tmp_path / skill.name / "SKILL.md").read_text(encoding="utf-8")
    assert text.startswith("---\nname: git-force-push-with-lease\ndescription:")
    assert "openclaw" in text and "license: MIT" in text


def test_lenient_parsing_of_hand_written_files() -> None:
    text = (
        "\ufeff---\r\ndescription: Use ripgrep\r\ncategory: Shell Tools\r\nuses: '4'\r\n"
        "successes: 9\r\norigin_signals: 3, 5,x\r\ncreated: 2024-03-01\r\n---\r\nBody\r\n"
    )
    skill = parse_skill(text, "x/SKILL.md", folder_name="My Search Skill")
    assert skill.name == "my-search-skill"
    assert skill.category == "shell-tools"
    assert (skill.uses, skill.successes) == (4, 4), "successes can never exceed uses"
    assert skill.origin_signals == [3, 5]
    assert skill.created == "2024-03-01"
    assert skill.body == "Body\n"


def test_description_falls_back_to_first_paragraph() -> None:
    skill = parse_skill("---\nname: a\n---\n# Title\n\nDo the thing.\nWell.\n")
    assert skill.description == "Do the thing. Well."


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter here", "no YAML front matter"),
        ("---\nname: a\ndescription: b\n", "never closed"),
        ("---\nname: a\ndescription: [unclosed\n---\nbody", "not valid YAML (line 4)"),
        ("---\n- a\n- b\n---\nbody", "must be a mapping"),
        ("---\nname: a\n---\n", "no 'description'"),
    ],
)
def test_malformed_files_raise_an_error_naming_the_file(text: str, problem: str) -> None:
    with pytest.raises(SkillFormatError) as info:
        parse_skill(text, "skills/broken/SKILL.md")
    assert problem in str(info.value)
    assert str(info.value).startswith("skills/broken/SKILL.md: ")


def test_unreadable_file_is_a_format_error(tmp_path: Path) -> None:
    folder = tmp_path / "binary"
    folder.mkdir()
    (folder / "SKILL.md").write_bytes(b"---\nname: \xff\xfe\n---\n")
    with pytest.raises(SkillFormatError, match="not UTF-8"):
        read_skill(folder)
    with pytest.raises(SkillFormatError, match="file not found"):
        read_skill(tmp_path / "missing")


def test_slugify_follows_the_agent_skills_name_rules() -> None:
    assert slugify("  Use `rg` -- not GREP!! ") == "use-rg-not-grep"
    long = slugify("word " * 40)
    assert len(long) <= 64 and not long.endswith("-")


def test_body_sections() -> None:
    body = compose_body("Do this.", "Not that.", "`example`")
    sections = body_sections("Intro text\n\n" + body)
    assert sections["lesson"] == "Do this."
    assert sections["anti-pattern"] == "Not that."
    assert sections["example"] == "`example`"
    assert sections[""] == "Intro text"


def test_render_is_parseable_by_plain_yaml() -> None:
    import yaml

    skill = Skill(name="a", description='Quotes " and: colons', body="x\n")
    front = render_skill(skill).split("---\n")[1]
    assert yaml.safe_load(front)["description"] == 'Quotes " and: colons'


def test_a_comment_in_an_example_s_code_is_no_heading() -> None:
    # "# Delete a file" in a worked reply's bash block ended the Example section there: the
    # skill kept "```bash" with nothing after it as its example, and the model copied that.
    answers = [
        "Run this:\n\n```bash\n# Delete a file\ntrash-put file.txt\n```\n\nIt can be restored.",
        "Using trash-put: ```bash\n# every .log file\ntrash-put *.log\n```",
    ]
    example = "\n\n".join(f"Request: q{i}\n\nAnswer: {a}" for i, a in enumerate(answers))
    skill = Skill(name="x", description="d", body=compose_body("Use trash-put.", "rm", example))
    assert skill.examples == [("q0", answers[0]), ("q1", answers[1])]
    assert set(body_sections(skill.body)) == {"lesson", "anti-pattern", "example"}


def test_a_fence_in_prose_or_a_clipped_example_hides_no_section() -> None:
    # The anti-pattern quotes a reply on one line; an example clipped inside its code block
    # leaves the block open. Neither may hide what follows.
    anti = "Replying like this: run this command: ```bash find . -name '*.log'"
    clipped = "Run:\n\n```bash\n# remove the logs\ntrash-put *.lo…"
    whole = "Using fd: ```bash\n# every log\nfd -e log\n```"
    example = compose_examples([("q0", clipped), ("q1", whole)])
    skill = Skill(name="x", description="d", body=compose_body("Use fd.", anti, example))
    assert set(body_sections(skill.body)) == {"lesson", "anti-pattern", "example"}
    assert [q for q, _ in skill.examples] == ["q0", "q1"]
    assert skill.examples[1][1] == whole
    tilde = compose_body("L", "A", "Request: q\n\nAnswer: ok:\n\n~~~\n# not a heading\n~~~")
    assert set(body_sections(tilde)) == {"lesson", "anti-pattern", "example"}
