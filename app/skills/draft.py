"""A model's draft of a skill: what it is asked, and the checks its answer must pass.

A model may draft the skill instead of the template (``draft``: the app passes the LLM when
the user enabled it); its output is validated and the template is used whenever it fails.
"""

from __future__ import annotations

import json
import re

from app.skills.directive import Directive, clip
from app.skills.redaction import find_secrets
from app.skills.skill import (
    REQUIRED_SECTIONS,
    SECTION_ANTI_PATTERN,
    SECTION_EXAMPLE,
    SECTION_LESSON,
    Skill,
    SkillFormatError,
    body_sections,
    parse_skill,
)
from app.skills.template import MAX_DESCRIPTION_CHARS

MAX_BODY_CHARS = 2500

_CODE_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n```\s*$", re.DOTALL)


def draft_prompt(d: Directive, template: Skill) -> str:
    """What the model is asked: the facts, the required shape, and the template to improve."""
    facts = {
        "kind": d.kind,
        "request": clip(d.request, 600),
        "assistant_did": clip(d.original, 800),
        "should_have": clip(d.corrected or d.hint, 800),
        "error": clip(d.error, 300),
    }
    return (
        "Write a SKILL.md that teaches an assistant the lesson below, so it does not repeat "
        "the mistake. Output only the file: YAML front matter with `name` and `description` "
        "(one sentence saying what to do and when it applies), then the sections "
        f"'## {SECTION_LESSON}', '## {SECTION_ANTI_PATTERN}' and '## {SECTION_EXAMPLE}'. "
        f"At most {MAX_BODY_CHARS} characters. No secrets, names or personal data.\n\n"
        f"What happened (JSON):\n{json.dumps(facts, ensure_ascii=False, indent=1)}\n\n"
        f"A plain draft to improve:\n---\nname: {template.name}\n"
        f"description: {template.description}\n---\n\n{template.body}"
    )


def validate_draft(text: str) -> Skill:
    """Parse and check a model's draft; raises :class:`SkillFormatError` saying what is wrong."""
    text = text.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    skill = parse_skill(text, "<model draft>")
    sections = body_sections(skill.body)
    missing = [s for s in REQUIRED_SECTIONS if not sections.get(s.lower())]
    if missing:
        raise SkillFormatError("<model draft>", f"missing sections: {', '.join(missing)}")
    if not 10 <= len(skill.description) <= MAX_DESCRIPTION_CHARS:
        raise SkillFormatError("<model draft>", "description must be 10-300 characters")
    if len(skill.body) > MAX_BODY_CHARS:
        raise SkillFormatError("<model draft>", f"body is over {MAX_BODY_CHARS} characters")
    if find_secrets(skill.description + skill.body):
        raise SkillFormatError("<model draft>", "contains something that looks like a secret")
    return skill
