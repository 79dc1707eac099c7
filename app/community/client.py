"""Talking to a community hub: submit, browse, download, endorse, report, withdraw.

Guarantees the rest of the app relies on:
- nothing at all goes to a hub while ``community.share_enabled`` is off: every request
  passes :func:`ensure_sharing_allowed` first, the one gate;
- TLS certificates are always verified; plain ``http://`` is refused except for a hub on
  this machine (127.0.0.1, localhost), which is how one is tested;
- the membership token lives in the system keyring, never in settings or logs;
- approved exports wait in the ``exports`` table (status ``queued``) and
  :func:`drain_queue` sends them whenever the hub answers; network failures and busy hubs
  (429, 5xx) are retried with exponential back-off, refusals (other 4xx) are not;
- downloaded skills are verified and screened again here (a hub may be hostile too), then
  land in the library marked with their community origin, topical (never applying to every
  request unless the user says so), as skills the user can disable or delete.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import keyring
import keyring.errors
import sqlite_utils

from app.community.bundle import (
    KEYRING_SERVICE,
    BundleError,
    Identity,
    verify_bundle,
    withdraw_payload,
)
from app.community.screening import check_text
from app.model.prompt import neutralize_special_tokens
from app.settings import Settings
from app.skills.library import SkillLibrary
from app.skills.skill import APPLIES_ALWAYS, APPLIES_RELEVANT, Skill
from app.store import exports, feedback

LOCAL_HOSTS = frozenset(("127.0.0.1", "localhost", "::1"))
MAX_BACKOFF_S = 30.0


class SharingDisabledError(PermissionError):
    """Community sharing is off in the settings; no request was made."""


class HubError(RuntimeError):
    """The hub answered and refused the request; ``status`` and ``detail`` say why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the hub refused the request ({status}): {detail}")
        self.status, self.detail = status, detail


class BundleRejectedError(HubError):
    """The hub sent a bundle whose signature does not verify: a refusal of that skill, not a
    hiccup (the same bundle fails again next time)."""


TEMPORARY_STATUSES = frozenset({401, 403, 408, 429})


def is_temporary(exc: HubError) -> bool:
    """Whether the next sync should simply try again: the hub did not accept this install
    (a token to fix), was busy or broken, or answered garbage. A refusal of the skill itself
    (a bundle that does not verify, a skill gone or hidden) is not temporary."""
    if isinstance(exc, BundleRejectedError):
        return False
    return exc.status in TEMPORARY_STATUSES or exc.status >= 500


class HubUnreachableError(ConnectionError):
    """The hub did not answer (or stayed busy) through every retry."""


def ensure_sharing_allowed(settings: Settings) -> None:
    """The single gate every hub request passes: raises unless the user turned sharing on."""
    if not settings.community.share_enabled:
        raise SharingDisabledError("community sharing is turned off in the settings")


def never() -> bool:
    """The cancel check of a pass nobody can cancel (the CLI's)."""
    return False


def check_hub_url(url: str) -> str:
    """The hub address without a trailing slash; raises ValueError for an unsafe one."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        raise ValueError(f"{url!r} is not a hub address (expected https://host[:port])")
    if parts.scheme == "https":
        return url.strip().rstrip("/")
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return url.strip().rstrip("/")
    raise ValueError(f"{url!r}: a hub must use https:// (plain http only for this machine)")


def _token_entry(hub_url: str) -> str:
    return f"membership:{hub_url}"


def store_membership_token(hub_url: str, token: str) -> None:
    """Keep the token the hub's admin gave the user in the system keyring."""
    keyring.set_password(KEYRING_SERVICE, _token_entry(check_hub_url(hub_url)), token.strip())


def membership_token(hub_url: str) -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, _token_entry(check_hub_url(hub_url)))
    except keyring.errors.KeyringError:
        return None


class HubClient:
    """One hub, as configured in ``settings.community.hub_url``.

    ``settings`` may be a callable returning the current settings (the window passes one):
    the sharing gate before each request then sees a switch-off made while a sync runs,
    where a snapshot would keep seeing sharing on.
    """

    def __init__(self, settings: Settings | Callable[[], Settings], *, retries: int = 3,
                 backoff_s: float = 0.5, timeout_s: float = 15.0) -> None:
        self._settings = settings
        self.hub_url = check_hub_url(self.settings.community.hub_url)
        self.retries, self.backoff_s, self.timeout_s = retries, backoff_s, timeout_s

    @property
    def settings(self) -> Settings:
        """The settings now, not when this client was made (see the class docstring)."""
        return self._settings() if callable(self._settings) else self._settings

    @settings.setter
    def settings(self, settings: Settings | Callable[[], Settings]) -> None:
        self._settings = settings

    def _request(self, method: str, path: str, *, body: Any = None,
                 params: dict[str, Any] | None = None) -> Any:
        ensure_sharing_allowed(self.settings)
        token = membership_token(self.hub_url)
        if not token:
            raise HubError(401, f"no membership token for {self.hub_url} in the keyring")
        headers = {"Authorization": f"Bearer {token}"}
        last = "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1)))
            try:
                response = httpx.request(method, self.hub_url + path, json=body, params=params,
                                         headers=headers, timeout=self.timeout_s)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise HubError(response.status_code, _detail(response))
            try:
                return response.json() if response.content else None
            except ValueError:
                raise HubError(502, f"{self.hub_url} answered with something that is not "
                                    "JSON: is it a Flywheel hub?") from None
        raise HubUnreachableError(f"{self.hub_url} did not answer ({last})")

    def submit(self, bundle: dict[str, Any]) -> str:
        """Send a signed bundle; returns the hub's id for it."""
        return str(self._request("POST", "/v1/skills", body=bundle)["id"])

    def list_skills(self, domain: str | None = None, text: str | None = None,
                    status: str = "visible", limit: int | None = None) -> list[dict[str, Any]]:
        """The hub's summaries, newest first (at most ``limit``; the hub's default without)."""
        params = {k: v for k, v in {"domain": domain, "q": text, "status": status,
                                    "limit": limit}.items() if v}
        answer = self._request("GET", "/v1/skills", params=params)
        if not isinstance(answer, list):
            raise HubError(502, "the hub's list of skills is not a JSON list")
        return answer

    def show(self, remote_id: str) -> tuple[dict[str, Any], Skill]:
        """The hub's whole answer for one skill (its standing as well as its bundle) and the
        skill the bundle carries, after checking its signature here too."""
        answer = self._request("GET", f"/v1/skills/{remote_id}")
        if not isinstance(answer, dict):
            raise HubError(502, "the hub's answer for a skill is not a JSON object")
        try:
            return answer, verify_bundle(answer.get("bundle"))
        except BundleError as exc:
            raise BundleRejectedError(502, f"the hub sent a bundle that does not verify: {exc}"
                                      ) from exc

    def download(self, remote_id: str) -> tuple[dict[str, Any], Skill]:
        """The bundle and the skill it carries, after checking its signature here too."""
        answer, skill = self.show(remote_id)
        return answer["bundle"], skill

    def endorse(self, remote_id: str) -> dict[str, Any]:
        return dict(self._request("POST", f"/v1/skills/{remote_id}/endorse"))

    def report(self, remote_id: str, reason: str) -> dict[str, Any]:
        return dict(self._request("POST", f"/v1/skills/{remote_id}/report",
                                  body={"reason": reason[:500]}))

    def withdraw(self, remote_id: str, identity: Identity) -> None:
        """Withdraw a skill this install shared, proving it with the signing key."""
        self._request("POST", f"/v1/skills/{remote_id}/withdraw",
                      body=identity.sign(withdraw_payload(remote_id)))


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        detail = response.text
    return detail if isinstance(detail, str) else json.dumps(detail)[:500]


@dataclass
class DrainReport:
    """What one pass over the queue did."""

    sent: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    still_queued: int = 0


def drain_queue(db: sqlite_utils.Database, client: HubClient) -> DrainReport:
    """Send this hub's queued exports, oldest first; stop at the first network failure.

    A refused bundle is marked ``refused`` with the hub's reason and not retried.
    """
    ensure_sharing_allowed(client.settings)
    report = DrainReport()
    rows = exports.queued_skills(db, client.hub_url)
    for index, row in enumerate(rows):
        # The user may have withdrawn an item while earlier ones were retried: re-read it.
        if not feedback.still_queued(db, row["id"]):
            continue
        try:
            remote_id = client.submit(json.loads(row["payload"]))
        except HubUnreachableError:
            report.still_queued = len(rows) - index
            break
        except HubError as exc:
            feedback.mark_refused(db, row["id"], exc.detail)
            report.refused.append((row["id"], exc.detail))
            continue
        exports.mark_skill_sent(db, row["id"], remote_id)
        report.sent.append(row["id"])
    return report


def community_origin(hub_url: str, remote_id: str) -> str:
    return f"{hub_url}#{remote_id}"


class ImportRefusedError(ValueError):
    """A hub skill this install will not take (the message says why); nothing was added."""


def import_skill(db: sqlite_utils.Database, client: HubClient, remote_id: str, *,
                 library: SkillLibrary | None = None, always: bool = False) -> Skill:
    """Download, verify, screen and add a hub skill to the library, marked as from the
    community (:func:`fetch_import`, then :func:`add_import`)."""
    return add_import(library or SkillLibrary(db), fetch_import(client, remote_id,
                                                                 always=always))


def fetch_import(client: HubClient, remote_id: str, *, always: bool = False) -> Skill:
    """Download, verify and screen a hub skill, made ready to enter the library; adds nothing.

    The hub is another party's server, so its word is checked again here: a skill it does not
    show to members (pending, hidden) is refused, and so is one that fails the content checks
    of :mod:`app.community.screening` (:class:`~app.community.screening.ScreeningError`, a
    ValueError whose message gives the reasons). An imported skill never applies to every
    request unless the user says so (``always``, or :func:`set_applies_always` later), and its
    text passes the neutralisation user text gets before any prompt. Its counters start at
    zero (they were someone else's).
    """
    answer, skill = client.show(remote_id)
    if answer.get("visible") is not True:
        raise ImportRefusedError(f"skill {remote_id} is not shown to members yet (it waits for "
                                 "endorsements or a moderator, or reports hid it)")
    check_text(answer["bundle"]["skill"])
    skill.community_origin = community_origin(client.hub_url, remote_id)
    skill.origin_signals, skill.uses, skill.successes = [], 0, 0
    skill.enabled, skill.retired, skill.created = True, False, ""
    skill.applies = APPLIES_ALWAYS if always else APPLIES_RELEVANT
    skill.description = neutralize_special_tokens(skill.description)
    skill.body = neutralize_special_tokens(skill.body)
    return skill


def add_import(library: SkillLibrary, skill: Skill) -> Skill:
    """Add a skill from :func:`fetch_import`. A local skill of the same name is never
    overwritten: the import gets a suffixed name instead."""
    base, suffix = skill.name, 2
    while library.folder(skill.name).exists():
        skill.name = f"{base[:60]}-{suffix}"
        suffix += 1
    return library.add(skill)


def set_applies_always(db: sqlite_utils.Database, name: str, always: bool) -> Skill:
    """The user's choice that an imported skill applies to every request (or only to the
    requests it is relevant to, as every import starts)."""
    return SkillLibrary(db).update_state(name, applies=APPLIES_ALWAYS if always
                                         else APPLIES_RELEVANT)
