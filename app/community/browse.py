"""Browsing a hub before taking anything from it: search results and previews.

A hub is another party's server, so what it answers is checked here before the window or
the CLI shows it: a listing that is not a list of skills, or a skill whose bundle does not
verify, becomes one :class:`~app.community.client.HubError` with a plain reason instead of
a crash further on. A preview shows a skill exactly as it would enter the user's prompts:
the text the system prompt would gain and the example turns the model would see, both built
by the same functions as a real turn's prompt, followed by the SKILL.md itself and what the
hub says about it (contributor, endorsements, reports, base-model family).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.community.client import HubClient, HubError, HubUnreachableError, community_origin
from app.community.screening import ScreeningError, check_text
from app.model.prompt import neutralize_special_tokens
from app.skills.injection import demonstrations, skills_prompt_section
from app.skills.retrieve import as_retrieved
from app.skills.skill import APPLIES_ALWAYS, APPLIES_RELEVANT, Skill

LIST_FIELDS = ("id", "name", "description")
REMOTE_ID = re.compile(r"^[0-9a-f]{16}$")


def check_remote_id(text: str) -> str:
    """A hub skill id as typed by the user; ValueError (before any request) if it is not one."""
    value = text.strip().lower()
    if not REMOTE_ID.match(value):
        raise ValueError(f"{text!r} is not a hub skill id (16 hex digits, as search lists them)")
    return value


@dataclass(frozen=True)
class Listing:
    """One search result: what the hub's listing says of a skill."""

    remote_id: str
    name: str
    description: str
    domains: list[str] = field(default_factory=list)
    contributor: str = ""
    created_day: str = ""
    endorsements: int = 0

    @property
    def label(self) -> str:
        tags = ", ".join(self.domains)
        return f"{self.name} — {tags} · {self.endorsements} endorsement(s)"


def hub_problem(exc: BaseException) -> str:
    """One sentence for a failed hub exchange, as the page, the sync note and the CLI say it."""
    if isinstance(exc, HubUnreachableError):
        return f"The hub {exc}; try again later."
    if isinstance(exc, HubError) and exc.status == 502:
        return f"The hub's answer could not be used: {exc.detail}"
    if isinstance(exc, HubError) and exc.status == 401:
        return (f"The hub did not accept this install ({exc.detail}): check the membership "
                "token in Settings → Privacy.")
    if isinstance(exc, HubError) and exc.status == 404:
        return f"The hub has no such skill ({exc.detail})."
    if isinstance(exc, HubError):
        return f"The hub refused: {exc.detail} (HTTP {exc.status})."
    return str(exc) or type(exc).__name__


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def listing(raw: Any) -> Listing:
    """A :class:`Listing` from one entry of the hub's answer; HubError if it is not one."""
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in LIST_FIELDS):
        raise HubError(502, "the hub's list of skills is not in the expected form")
    domains = raw.get("domain_tags")
    return Listing(
        remote_id=raw["id"],
        name=raw["name"],
        description=raw["description"],
        domains=[d for d in domains if isinstance(d, str)] if isinstance(domains, list) else [],
        contributor=raw.get("contributor") if isinstance(raw.get("contributor"), str) else "",
        created_day=raw.get("created_day") if isinstance(raw.get("created_day"), str) else "",
        endorsements=_count(raw.get("endorsements")),
    )


def search(client: HubClient, domain: str | None = None, text: str | None = None,
           limit: int | None = None) -> list[Listing]:
    """Skills the hub shows to members, in ``domain`` and matching ``text`` (both optional),
    newest first, at most ``limit`` (the hub's default without)."""
    return [listing(raw) for raw in client.list_skills(domain=domain, text=text, limit=limit)]


@dataclass(frozen=True)
class Preview:
    """A hub skill as it would be imported, and what the hub says about it."""

    remote_id: str
    hub_url: str
    skill: Skill
    domains: list[str]
    contributor: str
    base_model: str
    endorsements: int
    reports: int | None  # None: not known (an older hub, or a copy kept offline)
    skill_text: str = ""  # the SKILL.md as the contributor signed it
    contributor_record: str = ""
    refusal: str = ""  # why an import would refuse it (the content checks), "" if it would not
    asked_always: bool = False  # the contributor marked it for every request

    @property
    def origin(self) -> str:
        return community_origin(self.hub_url, self.remote_id)

    def prompt_text(self) -> str:
        """What the model would see: the system prompt section, then the example turns."""
        if self.refusal:
            return f"Never: an import refuses it ({self.refusal})."
        retrieved = as_retrieved(self.skill)
        turns = demonstrations([retrieved])
        lines = ["Added to the system prompt when it applies:", "",
                 skills_prompt_section([retrieved])]
        if turns:
            lines += ["", f"Worked examples shown before your request ({len(turns) // 2}):"]
            lines += [f"{t['role']}: {t['content']}" for t in turns]
        return "\n".join(lines)

    def facts(self) -> list[str]:
        """What the hub says about the skill and what importing it would make of it (always
        topical, its origin). Not a stored skill's bookkeeping, which the Skills page shows
        (:func:`app.ui.skills_page.skill_markdown`): the two share no fact with one meaning."""
        reports = "unknown" if self.reports is None else str(self.reports)
        scope = "requests it is relevant to"
        if self.asked_always:
            scope += (" (its contributor marked it for every request: only you can choose "
                      "that, once it is imported)")
        facts = [
            f"contributor: {self.contributor or 'unknown'}",
            f"endorsements: {self.endorsements}",
            f"reports: {reports}",
            f"base model family: {self.base_model or 'unknown'}",
            f"domains: {', '.join(self.domains) or 'none'}",
            f"applies to: {scope}",
            f"origin once imported: {self.origin}",
        ]
        if self.contributor_record:
            facts.insert(1, f"contributor's record: {self.contributor_record}")
        if self.refusal:
            facts.insert(0, f"REFUSED at import: {self.refusal}")
        return facts

    def markdown(self) -> str:
        """The whole preview as Markdown; the prompt text and the SKILL.md verbatim in fenced
        blocks, so nothing in a skill can pass itself off as part of the preview."""
        return "\n\n".join([
            f"# {self.skill.name}", f"*{self.skill.description}*",
            "\n".join(f"- {fact}" for fact in self.facts()),
            "## In your prompts", _fenced(self.prompt_text(), "text"),
            "## SKILL.md", _fenced(self.skill_text, "markdown"),
        ])


def _fenced(text: str, info: str) -> str:
    """A fenced code block that no run of tildes inside ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"~+", text)), default=0)
    fence = "~" * max(4, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _record(answer: dict[str, Any]) -> str:
    """The contributor's record on this hub, when the hub gives it."""
    keys = ("contributor_skills", "contributor_endorsements", "contributor_reports")
    if not all(k in answer for k in keys):
        return ""
    skills, endorsements, reports = (_count(answer[k]) for k in keys)
    return (f"{skills} skill(s) shared, {endorsements} endorsement(s), "
            f"{reports} report(s)")


def preview_of(hub_url: str, remote_id: str, answer: dict[str, Any], skill: Skill) -> Preview:
    """The preview of a verified skill from the hub's answer (or a stored copy of it), the
    skill prepared as :func:`~app.community.client.import_skill` stores it: topical, its text
    neutralised, and screened by the same content checks."""
    bundle = answer.get("bundle") if isinstance(answer.get("bundle"), dict) else {}
    metadata = bundle.get("metadata") if isinstance(bundle.get("metadata"), dict) else {}
    asked_always = skill.applies == APPLIES_ALWAYS
    skill.community_origin = community_origin(hub_url, remote_id)
    skill.applies = APPLIES_RELEVANT
    skill.description = neutralize_special_tokens(skill.description)
    skill.body = neutralize_special_tokens(skill.body)
    try:
        check_text(str(bundle.get("skill", "")))
        refusal = ""
    except ScreeningError as exc:
        refusal = str(exc)
    reports = answer.get("reports")
    return Preview(
        remote_id=remote_id,
        hub_url=hub_url,
        skill=skill,
        domains=[str(t) for t in metadata.get("domain_tags", [])],
        contributor=str(bundle.get("contributor", "")),
        base_model=str(metadata.get("base_model_family", "")),
        endorsements=_count(answer.get("endorsements")),
        reports=_count(reports) if reports is not None else None,
        skill_text=str(bundle.get("skill", "")),
        contributor_record=_record(answer),
        refusal=refusal,
        asked_always=asked_always,
    )


def preview(client: HubClient, remote_id: str) -> Preview:
    """Fetch one skill and its standing from the hub, verified, as a :class:`Preview`."""
    remote_id = check_remote_id(remote_id)
    answer, skill = client.show(remote_id)
    return preview_of(client.hub_url, remote_id, answer, skill)
