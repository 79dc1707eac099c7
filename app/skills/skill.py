"""SKILL.md files: one skill per folder, YAML front matter plus a Markdown body.

The format is the one OpenClaw, MetaClaw and Claude's Agent Skills read (``<name>/SKILL.md``
with ``name`` and ``description`` in the front matter), so a folder written here opens in those
tools and theirs open here. Flywheel's own bookkeeping (category, origin signals, use counts)
lives under ``metadata.flywheel``, the namespaced-metadata convention OpenClaw uses, so the
other tools ignore it instead of choking on unknown top-level keys.

Reading is lenient because these files are hand-edited and come from other tools: a missing
``name`` falls back to the folder name, numbers may be strings, metadata may sit at the top
level. What cannot be repaired raises :class:`SkillFormatError` naming the file, so a library
import can report it and carry on with the other skills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from app.atomic import write_text_atomic

SKILL_FILE = "SKILL.md"
NAME_MAX = 64
DESCRIPTION_MAX = 1024
MAX_FILE_BYTES = 256 * 1024
METADATA_NAMESPACE = "flywheel"
# Top-level keys the Agent Skills spec allows besides name, description and metadata.
SPEC_OPTIONAL_KEYS = ("license", "allowed-tools", "compatibility")

APPLIES_ALWAYS = "always"
APPLIES_RELEVANT = "relevant"
# A lesson found in several corrections (app.skills.habit), stated as a rule, not a story.
CATEGORY_HABIT = "habit"
SECTION_LESSON = "Lesson"
SECTION_ANTI_PATTERN = "Anti-pattern"
SECTION_EXAMPLE = "Example"
# A lesson said in words has no reply that shows it until the model writes one that
# follows it (app.skills.synthesize.attach_checked_reply); free text, so no example turn
# is built from it, and the same words in every such skill, so it is no view of one.
NO_WORKED_REPLY = (
    "No worked reply yet: one is added when Flywheel answers such a request the way the "
    "lesson says."
)
REQUIRED_SECTIONS = (SECTION_LESSON, SECTION_ANTI_PATTERN, SECTION_EXAMPLE)

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_OPENED_MID_LINE = re.compile(r"\S[ \t]*```[\w+-]*[ \t]*$")
_EXAMPLE_PAIR = re.compile(
    r"^Request:[ \t]*(.+?)\n[ \t]*\n(?:Answer:[ \t]*)?(.+?)(?=\n[ \t]*\nRequest:|\Z)",
    re.MULTILINE | re.DOTALL,
)


class SkillFormatError(ValueError):
    """A SKILL.md that cannot be read as a skill; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass
class Skill:
    """One skill: what the front matter and body say, plus where it lives once stored.

    ``habit`` is the recurring edit a habit skill was found from (see
    :mod:`app.skills.lesson_diff`), kept so later corrections are judged by the same lesson.
    ``extra`` holds front matter keys Flywheel does not interpret (``license``,
    ``allowed-tools``, other tools' ``metadata``) so a round trip never drops them.
    """

    name: str
    description: str
    body: str
    category: str = ""
    created: str = ""
    origin_signals: list[int] = field(default_factory=list)
    uses: int = 0
    successes: int = 0
    community_origin: str | None = None
    imported_from: str | None = None  # the folder it was imported from (another agent's)
    enabled: bool = True
    retired: bool = False
    applies: str = APPLIES_RELEVANT
    habit: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)
    id: int | None = field(default=None, compare=False)

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.uses if self.uses else None

    def section(self, title: str) -> str:
        return body_sections(self.body).get(title.lower(), "")

    @property
    def examples(self) -> list[tuple[str, str]]:
        return example_pairs(self.section(SECTION_EXAMPLE))


def example_pairs(example: str) -> list[tuple[str, str]]:
    """The (request, answer) pairs of an Example section written as Flywheel writes it:
    ``Request: …``, a blank line, then ``Answer: …`` or a code block; ``[]`` for free text."""
    return [(m.group(1).strip(), m.group(2).strip()) for m in _EXAMPLE_PAIR.finditer(example)]


def compose_examples(pairs: list[tuple[str, str]]) -> str:
    """The Example section for ``pairs`` (the inverse of :func:`example_pairs`)."""
    return "\n\n".join(
        f"Request: {request}\n\n{answer if answer.startswith('```') else 'Answer: ' + answer}"
        for request, answer in ((q, _closed(a)) for q, a in pairs)
    )


def _closed(answer: str) -> str:
    """``answer`` with a code block it leaves open (clipped inside it) closed, so that the
    next example is not read as code."""
    _, fence = _fences(answer)
    return f"{answer}\n{fence}" if fence else answer


def slugify(text: str, max_len: int = NAME_MAX) -> str:
    """A name the Agent Skills spec accepts: lowercase letters, digits, single hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-")


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def compose_body(lesson: str, anti_pattern: str, example: str) -> str:
    """The Markdown body Flywheel writes: the lesson, what not to do, one short example."""
    parts = [
        f"## {SECTION_LESSON}\n\n{lesson.strip()}",
        f"## {SECTION_ANTI_PATTERN}\n\n{anti_pattern.strip()}",
        f"## {SECTION_EXAMPLE}\n\n{example.strip()}",
    ]
    return "\n\n".join(parts) + "\n"


def _fences(body: str) -> tuple[set[int], str]:
    """Where each line inside a fenced code block starts (a heading there is a comment, "#
    Delete a file" in a worked reply's bash), and the fence still open at the end ("" when
    none). A fence is a line that starts with ``` or ~~~, or one a reply opens mid-line
    ("Using trash-put: ```bash"); a ``` inside a line of prose opens nothing."""
    inside: set[int] = set()
    fence, at = "", 0
    for line in body.split("\n"):
        stripped = line.strip()
        if fence:
            inside.add(at)
            if stripped.startswith(fence):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif _OPENED_MID_LINE.search(line):
            fence = "```"
        at += len(line) + 1
    return inside, fence


def body_sections(body: str) -> dict[str, str]:
    """Map each heading (lowercased) to the text under it; text before any heading is ``""``."""
    sections: dict[str, str] = {}
    code, _ = _fences(body)
    matches = [m for m in _HEADING.finditer(body) if m.start() not in code]
    preface = body[: matches[0].start()] if matches else body
    if preface.strip():
        sections[""] = preface.strip()
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        title = match.group(1).strip().lower()
        sections.setdefault(title, body[match.end() : end].strip())
    return sections


def _as_int(value: Any) -> int:
    try:
        return max(0, int(str(value).strip()))
    except (TypeError, ValueError):
        return 0


def _as_int_list(value: Any) -> list[int]:
    items = re.split(r"[\s,]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        try:
            out.append(int(str(item).strip()))
        except (TypeError, ValueError):
            continue
    return sorted(set(out))


def _as_bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "false", "no", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    return default


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _split_front_matter(text: str, where: Path | str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise SkillFormatError(where, "no YAML front matter (the file must start with '---')")
    first_newline = text.find("\n")
    if first_newline < 0 or text[:first_newline].strip() != "---":
        raise SkillFormatError(where, "the first line must be '---' alone")
    end = _FRONT_MATTER_END.search(text, first_newline + 1)
    if end is None:
        raise SkillFormatError(where, "the front matter is never closed with a '---' line")
    raw = text[first_newline + 1 : end.start()]
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SkillFormatError(where, f"front matter is not valid YAML{line}: {problem}") from exc
    if not isinstance(data, dict):
        raise SkillFormatError(where, "front matter must be a mapping of keys to values")
    return {str(k): v for k, v in data.items()}, text[end.end() :].lstrip("\n")


def _first_paragraph(body: str) -> str:
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if block and not block.startswith(("#", "```")):
            return " ".join(block.split())
    return ""


def parse_skill(text: str, where: Path | str = "<text>", folder_name: str = "") -> Skill:
    """Parse SKILL.md text; ``where`` names the file in errors, ``folder_name`` backs ``name``."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    data, body = _split_front_matter(text, where)
    name = slugify(_as_text(data.pop("name", "")) or folder_name)
    if not name:
        raise SkillFormatError(where, "no 'name' in the front matter and no folder name to use")
    description = _as_text(data.pop("description", "")) or _first_paragraph(body)
    if not description:
        raise SkillFormatError(where, "no 'description' in the front matter")
    metadata = data.pop("metadata", None)
    ours: dict[str, Any] = {}
    if isinstance(metadata, dict):
        metadata = dict(metadata)
        found = metadata.pop(METADATA_NAMESPACE, None)
        ours = dict(found) if isinstance(found, dict) else {}
        if metadata:
            data["metadata"] = metadata
    elif metadata is not None:
        data["metadata"] = metadata
    for key in ("category", "created", "origin_signals", "origin-signals", "uses", "successes"):
        if key in data and key.replace("_", "-") not in ours and key not in ours:
            ours[key] = data.pop(key)
    ours = {k.replace("_", "-"): v for k, v in ours.items()}
    community = _as_text(ours.get("community-origin")) or None
    return Skill(
        name=name,
        description=description[:DESCRIPTION_MAX],
        body=body.rstrip() + "\n" if body.strip() else "",
        category=slugify(_as_text(ours.get("category")), 40),
        created=_as_text(ours.get("created")),
        origin_signals=_as_int_list(ours.get("origin-signals", [])),
        uses=_as_int(ours.get("uses", 0)),
        successes=min(_as_int(ours.get("successes", 0)), _as_int(ours.get("uses", 0))),
        community_origin=community,
        imported_from=_as_text(ours.get("imported-from")) or None,
        enabled=_as_bool(ours.get("enabled"), True),
        retired=_as_bool(ours.get("retired"), False),
        applies=(
            APPLIES_ALWAYS
            if _as_text(ours.get("applies")).lower() == APPLIES_ALWAYS
            else APPLIES_RELEVANT
        ),
        habit=dict(ours["habit"]) if isinstance(ours.get("habit"), dict) else {},
        extra=data,
    )


def _without_empty(value: Any) -> Any:
    """``value`` without empty lists and mappings at any depth: YAML writes those in flow
    style (``[]``), which the Agent Skills reference validator's strict parser refuses."""
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def render_skill(skill: Skill) -> str:
    """SKILL.md text for ``skill``: spec keys first, then our metadata and kept extras.

    The Agent Skills spec allows only ``name``, ``description``, ``license``,
    ``allowed-tools``, ``compatibility`` and ``metadata`` at the top; keys other tools put
    there (``version``, ``tags``…) are kept under ``metadata``, so every folder written here
    passes ``agentskills validate`` and no key is lost.
    """
    ours: dict[str, Any] = {
        "category": skill.category or None,
        "created": skill.created or None,
        "origin-signals": list(skill.origin_signals),
        "uses": skill.uses,
        "successes": skill.successes,
        "community-origin": skill.community_origin,
        "imported-from": skill.imported_from,
    }
    if not skill.enabled:
        ours["enabled"] = False
    if skill.retired:
        ours["retired"] = True
    if skill.applies == APPLIES_ALWAYS:
        ours["applies"] = APPLIES_ALWAYS
    if skill.habit:
        ours["habit"] = dict(skill.habit)
    ours = {k: v for k, v in ours.items() if v is not None}
    front: dict[str, Any] = {"name": skill.name, "description": skill.description}
    other = skill.extra.get("metadata")
    metadata = dict(other) if isinstance(other, dict) else {}
    for key, value in skill.extra.items():
        if key in SPEC_OPTIONAL_KEYS:
            front[key] = value
        elif key != "metadata":
            metadata.setdefault(key, value)
    metadata[METADATA_NAMESPACE] = ours
    front["metadata"] = metadata
    dumped = yaml.safe_dump(_without_empty(front), sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{dumped}---\n\n{skill.body.strip()}\n"


def skill_file(folder: Path) -> Path | None:
    """The skill file in ``folder``: ``SKILL.md``, or the lowercase spelling some tools use."""
    for candidate in (SKILL_FILE, "skill.md"):
        path = folder / candidate
        if path.is_file():
            return path
    return None


def read_skill(folder: Path) -> Skill:
    """Read ``folder/SKILL.md``; raises :class:`SkillFormatError` naming the file."""
    path = skill_file(folder)
    if path is None:
        raise SkillFormatError(folder / SKILL_FILE, "file not found")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SkillFormatError(path, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SkillFormatError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise SkillFormatError(path, f"cannot be read ({exc.strerror or exc})") from exc
    skill = parse_skill(text, path, folder_name=folder.name)
    skill.path = folder
    return skill


def write_skill(skill: Skill, folder: Path) -> Path:
    """Write ``folder/SKILL.md`` atomically (other files in the folder are left alone)."""
    path = folder / SKILL_FILE
    lower = folder / "skill.md"
    write_text_atomic(path, render_skill(skill))
    if lower.exists() and not lower.samefile(path):
        lower.unlink()
    skill.path = folder
    return path
