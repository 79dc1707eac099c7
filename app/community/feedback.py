"""Outcome feedback: how imported skills do here goes back to the hub they came from.

An imported skill that keeps helping is endorsed (a success rate of at least 70 % after 3
judged uses), one that keeps failing is reported (under 30 %): the hub then shows the
helpful ones to more members and hides the harmful ones. It is sent the way everything else
leaves this machine:

- only with sharing on (:func:`~app.community.client.ensure_sharing_allowed`, the one gate);
- listed in the sharing log first: a new verdict waits there, with *Cancel*, for
  :data:`HOLD_S` before a sync sends it;
- once per hub skill and verdict, ever (:mod:`app.store.feedback`).

:func:`send_outcome_feedback` is the one entry point: the Community page's background sync
and ``flywheel community feedback`` both call it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from app.community.client import (
    HubClient,
    HubError,
    HubUnreachableError,
    ensure_sharing_allowed,
    is_temporary,
    never,
)
from app.store import feedback as store
from app.store.feedback import ENDORSE, REPORT

MIN_USES = 3
ENDORSE_AT = 0.7
REPORT_BELOW = 0.3
HOLD_S = 3600.0  # how long a verdict waits in the sharing log, cancellable, before it is sent
VERB = {ENDORSE: "endorsed", REPORT: "reported"}


@dataclass
class FeedbackReport:
    """What one pass did: verdicts newly queued (by skill name), sent and refused (by hub id)."""

    queued: list[str] = field(default_factory=list)
    sent: dict[str, str] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)
    waiting: int = 0

    def summary(self) -> str:
        if not (self.queued or self.sent or self.refused or self.waiting):
            return "No feedback to send yet (imported skills need a few judged uses first)."
        return (f"Feedback: {len(self.sent)} sent, {len(self.queued)} newly queued, "
                f"{self.waiting} waiting in the sharing log, {len(self.refused)} refused.")


def verdict(uses: int, successes: int, *, min_uses: int = MIN_USES,
            endorse_at: float = ENDORSE_AT, report_below: float = REPORT_BELOW) -> str | None:
    """``endorse``, ``report`` or ``None`` (too few uses, or neither helping nor failing)."""
    if uses < max(1, min_uses):
        return None
    rate = successes / uses
    if rate >= endorse_at:
        return ENDORSE
    return REPORT if rate < report_below else None


def queue_outcome_feedback(db: sqlite_utils.Database, hub_url: str, *, min_uses: int = MIN_USES,
                           endorse_at: float = ENDORSE_AT,
                           report_below: float = REPORT_BELOW) -> list[str]:
    """Queue a verdict for each skill imported from ``hub_url`` that earned a new one; returns
    their names. Makes no request."""
    queued = []
    for outcome in store.imported_outcomes(db, hub_url, max(1, min_uses)):
        kind = verdict(outcome.uses, outcome.successes, min_uses=min_uses,
                       endorse_at=endorse_at, report_below=report_below)
        if kind is None:
            continue
        reason = (f"failed here: {outcome.successes} of {outcome.uses} uses succeeded"
                  if kind == REPORT else "")
        if store.queue(db, hub_url, kind, outcome.remote_id, outcome.skill_name, reason):
            queued.append(outcome.skill_name)
    return queued


def send_outcome_feedback(db: sqlite_utils.Database, client: HubClient, *,
                          hold_s: float = HOLD_S, min_uses: int = MIN_USES,
                          endorse_at: float = ENDORSE_AT,
                          report_below: float = REPORT_BELOW,
                          cancelled: Callable[[], bool] = never) -> FeedbackReport:
    """Queue new verdicts, then send those that waited ``hold_s`` in the sharing log.

    Stops at the first network failure or once ``cancelled`` says yes (asked before each
    request): the rest stay queued for the next sync. A hub that refuses this install, fails
    or answers garbage raises its :class:`HubError` and everything stays queued too. A
    verdict the hub refuses (the skill was withdrawn, say) is marked refused and never
    retried.
    """
    ensure_sharing_allowed(client.settings)
    report = FeedbackReport(queued=queue_outcome_feedback(
        db, client.hub_url, min_uses=min_uses, endorse_at=endorse_at,
        report_below=report_below))
    pending = store.due(db, client.hub_url, time.time() - hold_s)
    for item in pending:
        if cancelled():
            break
        if not store.still_queued(db, item.id):
            continue
        try:
            if item.kind == ENDORSE:
                client.endorse(item.remote_id)
            else:
                client.report(item.remote_id, item.reason or "failed here")
        except HubUnreachableError:
            break
        except HubError as exc:
            if is_temporary(exc):
                raise  # not this verdict's fault: it and the rest stay queued
            store.mark_refused(db, item.id, exc.detail)
            report.refused.append((item.remote_id, exc.detail))
            continue
        store.mark_sent(db, item.id)
        report.sent[item.remote_id] = VERB[item.kind]
    report.waiting = len(store.due(db, client.hub_url, float("inf")))
    return report
