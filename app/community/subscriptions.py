"""Receiving from a hub: subscribed domains, the inbox a sync fills, and importing.

A sync asks the hub for the skills it shows to members in each subscribed domain and takes
the ones this install has never seen. Each waits in the inbox, not enabled, until the user
enables or dismisses it; or, if the user chose to trust skills with at least N endorsements
(``community.trust_endorsements``, by distinct members, as the hub counts them), it is
imported and enabled at once. Every import goes through
:func:`~app.community.client.fetch_import`, the one path that verifies (and screens) what a
hub sends. Imported skills start on trial (:func:`app.skills.outcomes.on_trial`).

Like every hub call, a sync passes the sharing gate first: with sharing off nothing is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sqlite_utils

from app.community.browse import Listing, check_remote_id, search
from app.community.bundle import normalize_tag
from app.community.client import (
    HubClient,
    HubError,
    HubUnreachableError,
    add_import,
    community_origin,
    ensure_sharing_allowed,
    fetch_import,
    is_temporary,
    never,
)
from app.community.screening import check_text
from app.skills.library import SkillLibrary
from app.skills.skill import Skill
from app.store import community as store
from app.store.community import DISMISSED, IMPORTED, INBOX, REFUSED, Received
from app.store.db import transaction

SYNC_LIMIT = 200  # newest skills asked for per domain and sync (the hub's maximum)


class ReceiveError(ValueError):
    """A request about received skills that cannot be done (unknown item, already imported)."""


@dataclass
class SyncReport:
    """What one sync did: domains asked, names now waiting, enabled at once, or refused."""

    domains: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        if not self.domains:
            return "No subscriptions: subscribe to a domain to receive its skills."
        return (f"Checked {len(self.domains)} domain(s): {len(self.waiting)} new in the inbox, "
                f"{len(self.enabled)} enabled (trusted), {len(self.refused)} refused.")


def domain_of(text: str) -> str:
    """A domain as the hub tags skills; ValueError for one with nothing usable in it."""
    domain = normalize_tag(text)
    if not domain:
        raise ReceiveError(f"{text!r} is not a domain (letters, digits, '.', '+', '-')")
    return domain


def subscribe(db: sqlite_utils.Database, text: str) -> str:
    """Subscribe to a domain; returns it as stored (normalized like the hub's tags)."""
    domain = domain_of(text)
    store.subscribe(db, domain)
    return domain


def subscribed(db: sqlite_utils.Database) -> list[str]:
    return store.subscriptions(db)


def unsubscribe(db: sqlite_utils.Database, text: str) -> str:
    domain = domain_of(text)
    if not store.unsubscribe(db, domain):
        raise ReceiveError(f"not subscribed to {domain!r}")
    return domain


def _received(client: HubClient, found: Listing) -> Received:
    """The row for a listed skill; the caller sets its status and what goes with it."""
    return Received(hub_url=client.hub_url, remote_id=found.remote_id, name=found.name,
                    description=found.description, status=INBOX, domains=found.domains,
                    contributor=found.contributor, endorsements=found.endorsements)


def sync(db: sqlite_utils.Database, client: HubClient, *,
         cancelled: Callable[[], bool] = never) -> SyncReport:
    """Fetch the skills of subscribed domains this install has not seen yet; with a trust
    threshold, also enable those waiting in the inbox that have reached it since.

    A hub that stops answering midway raises :class:`HubUnreachableError` (and one that
    refuses this install, fails or answers garbage its :class:`HubError`); what was fetched
    before stays fetched and the next sync carries on from there. Only the skill's own
    refusals (screening, signature, not shown to members, gone) are recorded as refused.
    ``cancelled`` is asked before each request: once it says yes (the window is closing) the
    sync returns what it did so far, so quitting does not wait on a slow hub for every
    remaining skill.
    """
    ensure_sharing_allowed(client.settings)
    report = SyncReport(domains=store.subscriptions(db))
    trust = client.settings.community.trust_endorsements
    known = store.known_remote_ids(db, client.hub_url)
    waiting = {item.remote_id for item in store.inbox(db, client.hub_url)
               if item.status == INBOX}
    for domain in report.domains:
        if cancelled():
            return report
        for found in search(client, domain=domain, limit=SYNC_LIMIT):
            if cancelled():
                return report
            trusted = trust > 0 and found.endorsements >= trust
            if found.remote_id in known and not (trusted and found.remote_id in waiting):
                continue
            known.add(found.remote_id)
            waiting.discard(found.remote_id)
            row = _received(client, found)
            try:
                if trusted:
                    skill = import_remote(db, client, found.remote_id)
                    report.enabled.append(skill.name)
                else:
                    answer, _skill = client.show(found.remote_id)
                    check_text(answer["bundle"]["skill"])  # refused now, not after a click
                    store.record(db, replace(row, bundle=answer["bundle"]))
                    report.waiting.append(found.name)
            except HubUnreachableError:
                raise
            except ReceiveError:  # imported meanwhile (Enable on the page): nothing to do
                continue
            except (HubError, ValueError) as exc:  # refused here (signature, screening, gone)
                if isinstance(exc, HubError) and is_temporary(exc):
                    raise  # not the skill's fault: the next sync asks again
                store.record(db, replace(row, status=REFUSED, reason=str(exc)))
                report.refused.append((found.name, str(exc)))
    return report


def inbox(db: sqlite_utils.Database, hub_url: str) -> list[Received]:
    return store.inbox(db, hub_url)


def _item(db: sqlite_utils.Database, item_id: int) -> Received:
    item = store.get(db, item_id)
    if item is None or item.status not in (INBOX, REFUSED):
        raise ReceiveError(f"no inbox item {item_id}")
    return item


def enable(db: sqlite_utils.Database, client: HubClient, item_id: int) -> Skill:
    """Import an inbox item (fetched again, so a skill the hub hid since is not taken)."""
    return import_remote(db, client, _item(db, item_id).remote_id)


def dismiss(db: sqlite_utils.Database, item_id: int) -> None:
    _item(db, item_id)
    store.decide(db, item_id, DISMISSED)


def import_remote(db: sqlite_utils.Database, client: HubClient, remote_id: str) -> Skill:
    """Import one hub skill into the library, enabled and on trial, and remember it.

    The Community page's *Enable* and a background sync (auto-enabling a trusted skill) may
    import the same skill at once on two connections: the check that it is not in the
    library yet and the import happen in one write transaction, after the download, so only
    one of them adds it; the other gets :class:`ReceiveError`.
    """
    remote_id = check_remote_id(remote_id)
    origin = community_origin(client.hub_url, remote_id)
    _ensure_not_imported(db, origin, remote_id)
    fetched = fetch_import(client, remote_id)
    with transaction(db):
        _ensure_not_imported(db, origin, remote_id)
        skill = add_import(SkillLibrary(db), fetched)
        before = store.get_by_remote(db, client.hub_url, remote_id)
        if before is not None and before.id is not None:
            store.decide(db, before.id, IMPORTED, skill_name=skill.name)
        else:
            store.record(db, Received(hub_url=client.hub_url, remote_id=remote_id,
                                      name=skill.name, description=skill.description,
                                      status=IMPORTED,
                                      domains=[skill.category] if skill.category else [],
                                      skill_name=skill.name))
    return skill


def _ensure_not_imported(db: sqlite_utils.Database, origin: str, remote_id: str) -> None:
    existing = store.skill_with_origin(db, origin)
    if existing:
        raise ReceiveError(f"{remote_id} is already in your skills as {existing!r}")
