"""The consent flow: which skills may be offered, what exactly would leave, and the log.

Nothing is shared without the user seeing it: each candidate skill is anonymized and shown
as a preview (the exact text that would be signed and sent, with every removal marked and
counted); the user approves or skips it. An approval signs the bundle and queues it in the
``exports`` table; :func:`app.community.client.drain_queue` sends it when the hub answers.
A skipped skill is not offered again. The same table is the sharing log: what was sent,
when and where, and withdrawn; it also lists the endorsements and reports this install sends
about imported skills (:mod:`app.community.feedback`), which can be cancelled while they wait.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlite_utils

from app.community.anonymize import AnonymizedText, LocalIdentity, Redaction, anonymize
from app.community.bundle import Identity, make_bundle
from app.community.client import HubClient, check_hub_url, ensure_sharing_allowed
from app.community.screening import ScreeningError, check_text, screen_text
from app.settings import Settings
from app.skills.library import SkillLibrary
from app.skills.skill import (
    REQUIRED_SECTIONS,
    SECTION_ANTI_PATTERN,
    SECTION_LESSON,
    Skill,
    SkillFormatError,
    body_sections,
    compose_body,
    compose_examples,
    parse_skill,
    render_skill,
)
from app.store import exports, feedback
from app.store.feedback import ENDORSE, REPORT, SKILL

QUEUED, SENT, SKIPPED, REFUSED, WITHDRAWN = "queued", "sent", "skipped", "refused", "withdrawn"
_FEEDBACK_LABEL = {ENDORSE: "endorsement of {}", REPORT: "report on {}"}


class ShareError(ValueError):
    """A skill that cannot be shared as it is (the message says why)."""


@dataclass(frozen=True)
class SharePreview:
    """One skill as it would leave the machine, and what was taken out of it."""

    skill_id: int
    skill_name: str
    text: str
    redactions: list[Redaction]
    domain_tags: list[str]
    uses: int
    successes: int
    left_out: tuple[str, ...] = ()  # why each left-out example would be refused by a hub

    def highlights(self) -> list[tuple[int, int, str]]:
        """Where each placeholder sits in :attr:`text`: (start, end, kind)."""
        spans, shift = [], 0
        for red in self.redactions:
            start = red.start + shift
            spans.append((start, start + len(red.placeholder), red.kind))
            shift += len(red.placeholder) - (red.end - red.start)
        return spans

    def removed_summary(self) -> str:
        """"removed: 2 emails, 1 path" (or "nothing removed") for the consent dialog."""
        counts = Counter(red.kind for red in self.redactions)
        parts = [f"{n} {_plural(kind.lower(), n)}" for kind, n in sorted(counts.items())]
        if self.left_out:
            n = len(self.left_out)
            parts.append(f"{n} {_plural('example', n)} left out ({'; '.join(self.left_out)})")
        return "removed: " + ", ".join(parts) if parts else "nothing removed"


def _plural(word: str, n: int) -> str:
    return word if n == 1 else (word + "es" if word.endswith(("s", "sh")) else word + "s")


def candidates(db: sqlite_utils.Database) -> list[Skill]:
    """The user's own working skills never offered before (not imported, skipped or sent)."""
    offered = exports.offered_skill_ids(db, except_status=REFUSED)
    return [s for s in SkillLibrary(db).list_skills()
            if s.community_origin is None and s.imported_from is None
            and s.enabled and not s.retired
            and s.id not in offered]


def prepare(skill: Skill, identity: LocalIdentity | None = None) -> SharePreview:
    """Anonymize a copy of ``skill`` without this install's history in it.

    Counters, origin signals and the creation time are local history and stay here; the
    use counts travel as coarse bundle metadata instead.
    """
    if skill.id is None:
        raise ShareError(f"skill {skill.name!r} is not in the library")
    body, left_out = _passing_examples(skill)
    shareable = replace(skill, body=body, created="", origin_signals=[], uses=0, successes=0,
                        community_origin=None, imported_from=None, enabled=True,
                        retired=False)
    cleaned: AnonymizedText = anonymize(render_skill(shareable), identity)
    try:
        parse_skill(cleaned.text, "<preview>")
    except SkillFormatError as exc:
        raise ShareError(f"after anonymization {skill.name!r} is no longer a valid skill "
                         f"({exc.problem}); edit it and try again") from exc
    try:
        check_text(cleaned.text)
    except ScreeningError as exc:
        raise ShareError(f"{skill.name!r} cannot be shared as it is: a hub would refuse it "
                         f"because {exc.reasons}; edit it and try again") from exc
    tags = [skill.category] if skill.category else ["general"]
    return SharePreview(skill.id, skill.name, cleaned.text, cleaned.redactions, tags,
                        skill.uses, skill.successes, left_out)


def _passing_examples(skill: Skill) -> tuple[str, tuple[str, ...]]:
    """The skill's body without the worked examples a hub would refuse (one that proposes a
    command the deny list flags, say: a pirate-voiced `sudo reboot` is still a reboot), and
    why each was left out. Only a body Flywheel wrote (lesson, anti-pattern, examples) is
    rebuilt; any other is left as it is for the whole-text check to judge."""
    sections = body_sections(skill.body)
    pairs = skill.examples
    if not pairs or set(sections) != {s.lower() for s in REQUIRED_SECTIONS}:
        return skill.body, ()
    kept, reasons = [], []
    for pair in pairs:
        findings = screen_text(compose_examples([pair]))
        if findings:
            reasons.append(findings[0].reason)
        else:
            kept.append(pair)
    if not reasons:
        return skill.body, ()
    body = compose_body(skill.section(SECTION_LESSON), skill.section(SECTION_ANTI_PATTERN),
                        compose_examples(kept))
    return body, tuple(reasons)


def model_family(settings: Settings) -> str:
    """The base model's family from its file name (``SmolLM2-360M…gguf`` -> ``smollm2``)."""
    name = Path(settings.model.path).name if settings.model.path else "smollm2"
    match = re.match(r"[A-Za-z]+[0-9.]*", name)
    return match.group().lower().rstrip(".") if match else "unknown"


def signed_bundle(preview: SharePreview, settings: Settings,
                  identity: Identity) -> dict[str, Any]:
    """The bundle an approval of ``preview`` sends; raises BundleError (a ValueError) when the
    skill cannot travel as it is, e.g. longer than a bundle may carry."""
    return make_bundle(preview.text, identity, domain_tags=preview.domain_tags,
                       base_model_family=model_family(settings), uses=preview.uses,
                       successes=preview.successes)


def approve(db: sqlite_utils.Database, preview: SharePreview, settings: Settings,
            identity: Identity) -> int:
    """Sign the previewed text and queue it for the configured hub; returns the export id."""
    ensure_sharing_allowed(settings)
    hub_url = check_hub_url(settings.community.hub_url)
    payload = json.dumps(signed_bundle(preview, settings, identity), ensure_ascii=False)
    return _log(db, preview, hub_url, QUEUED, payload)


def skip(db: sqlite_utils.Database, preview: SharePreview, settings: Settings) -> int:
    """Remember that the user declined to share this skill (it is not offered again)."""
    return _log(db, preview, settings.community.hub_url, SKIPPED, None)


def _log(db: sqlite_utils.Database, preview: SharePreview, hub_url: str, status: str,
         payload: str | None) -> int:
    digest = hashlib.sha256(payload.encode()).hexdigest() if payload else None
    return exports.log_skill(db, preview.skill_id, preview.skill_name, hub_url, status, payload,
                             digest)


@dataclass(frozen=True)
class ExportRecord:
    """One line of the sharing log."""

    id: int
    skill_name: str
    hub_url: str
    status: str
    created: float
    sent: float | None
    withdrawn: float | None
    remote_id: str | None
    error: str | None
    kind: str = SKILL  # or feedback on an imported skill: "endorse", "report"

    @property
    def is_feedback(self) -> bool:
        return self.kind != SKILL

    @property
    def label(self) -> str:
        """What was shared: the skill's name, or "endorsement of NAME" / "report on NAME"."""
        return _FEEDBACK_LABEL[self.kind].format(self.skill_name) if self.is_feedback \
            else self.skill_name

    @property
    def can_withdraw(self) -> bool:
        """A skill can be withdrawn queued or sent; feedback only cancelled while queued (a
        hub cannot take an endorsement back)."""
        return self.status == QUEUED or (self.status == SENT and not self.is_feedback)


def sharing_log(db: sqlite_utils.Database) -> list[ExportRecord]:
    """Every skill approved, sent, refused or withdrawn, and every endorsement or report,
    newest first (skips are left out)."""
    rows = exports.log_rows(db, leave_out_status=SKIPPED)
    return [ExportRecord(**{**row, "skill_name": row["skill_name"] or "(deleted skill)"})
            for row in rows]


def withdraw(db: sqlite_utils.Database, export_id: int, client: HubClient | None,
             identity: Identity | None) -> str:
    """Take back an export: a queued one is simply never sent; a sent one is withdrawn from
    the hub (signed with this install's key) first. A queued endorsement or report is
    cancelled (and never queued again). Returns what was done, for the user."""
    row = exports.state(db, export_id)
    if row and row["kind"] != SKILL and feedback.cancel(db, export_id):
        return "Cancelled: it will not be sent."
    if not row or row["kind"] != SKILL or row["status"] not in (QUEUED, SENT):
        raise ShareError(f"export {export_id} cannot be withdrawn")
    if row["status"] == SENT:
        if client is None:
            raise ShareError("withdrawing a sent skill needs the hub")
        if identity is None:
            raise ShareError("withdrawing a sent skill needs this install's signing key, "
                             "which the system keyring does not have")
        client.withdraw(row["remote_id"], identity)
    exports.withdraw(db, export_id, WITHDRAWN)
    return "Withdrawn."
