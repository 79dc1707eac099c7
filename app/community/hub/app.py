"""The community hub: a small FastAPI service where members share signed skills.

Rules it enforces, whoever the client is:
- every call but ``/v1/health`` needs a membership token (``Authorization: Bearer ...``);
  the admin token (from the hub's configuration) issues tokens and acts as moderator;
- a submission is stored only if its body is small enough, its JSON matches the bundle
  schema, its Ed25519 signature verifies and its text passes the content checks of
  :mod:`app.community.screening` (no flagged command, steering, control token, fetch-and-run
  or secret); each token may submit a limited number of skills per time window (429 beyond);
- a new skill is served to members (listed or downloaded) only after
  ``endorsements_required`` distinct members other than its contributor endorse it, or a
  moderator approves it; enough reports hide it again. Pending and hidden skills are shown
  to the moderator (the admin token) only, for review;
- every skill comes with its contributor's record (how many skills they shared here and the
  endorsements and reports those received), so a member sees whom they would trust;
- only the key that signed a skill can withdraw it; its content is then deleted.
Refusals are 4xx with a ``detail`` that says what was wrong, and leave nothing stored.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations at
run time, and they name dependencies local to :func:`create_app`.
"""

import hmac
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from app.community.bundle import (
    MAX_BUNDLE_BYTES,
    MAX_SKILL_CHARS,
    MAX_TAGS,
    BundleError,
    check_withdrawal,
    verify_bundle,
)
from app.community.hub.storage import HubStorage, StoredSkill, token_hash
from app.community.screening import ScreeningError, check_text

ADMIN_TOKEN_ENV = "FLYWHEEL_HUB_ADMIN_TOKEN"
SkillId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$", description="16 hex digits")]


@dataclass(frozen=True)
class HubSettings:
    """How strict a community wants its hub to be."""

    admin_token: str | None = None
    endorsements_required: int = 2
    reports_to_hide: int = 3
    submit_limit: int = 20
    submit_window_s: float = 3600.0
    max_body_bytes: int = 2 * MAX_BUNDLE_BYTES

    @classmethod
    def from_env(cls, **overrides: Any) -> "HubSettings":
        """Settings with the admin token taken from ``FLYWHEEL_HUB_ADMIN_TOKEN``."""
        return cls(admin_token=os.environ.get(ADMIN_TOKEN_ENV) or None, **overrides)


class Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    domain_tags: list[Annotated[str, Field(max_length=40)]] = Field(max_length=MAX_TAGS)
    base_model_family: str = Field(max_length=40)
    uses: int = Field(ge=0)
    successes: int = Field(ge=0)
    created_day: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class Bundle(BaseModel):
    """A signed skill bundle (see ``app.community.bundle``)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    schema_: int = Field(alias="schema")
    skill: str = Field(max_length=MAX_SKILL_CHARS)
    metadata: Metadata
    public_key: str = Field(max_length=64)
    contributor: str = Field(max_length=40)
    signature: str = Field(max_length=128)


class Proof(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    public_key: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    reason: str = Field(min_length=1, max_length=500)


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    label: str = Field(default="", max_length=100)


class Summary(BaseModel):
    id: str
    name: str
    description: str
    domain_tags: list[str]
    base_model_family: str
    contributor: str
    created_day: str
    endorsements: int
    reports: int
    visible: bool
    contributor_skills: int = Field(description="skills this contributor shares on this hub")
    contributor_endorsements: int = Field(
        description="endorsements those skills received, each from a distinct member")
    contributor_reports: int = Field(description="reports those skills received")


class Download(Summary):
    bundle: dict[str, Any]


class Created(BaseModel):
    id: str
    visible: bool


class Standing(BaseModel):
    id: str
    endorsements: int
    reports: int
    visible: bool


class Token(BaseModel):
    token: str


class BodyLimit:
    """ASGI middleware refusing bodies over the limit (413) before anything parses them."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            await _too_large(send, self.limit)
            return
        received = 0

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Any, limit: int) -> None:
    body = f'{{"detail":"request body larger than {limit} bytes"}}'.encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(storage: HubStorage, settings: HubSettings) -> FastAPI:
    """The hub as an ASGI app over ``storage``; serve it with uvicorn or test it in-process."""
    app = FastAPI(title="Flywheel community hub", version="1")
    bearer = HTTPBearer(auto_error=False)
    recent: dict[str, deque[float]] = defaultdict(deque)
    lock = threading.Lock()

    def member(cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
        if cred is None:
            raise HTTPException(401, "a membership token is required (Authorization: Bearer)")
        if _is_admin(cred.credentials) or storage.is_member(cred.credentials):
            return token_hash(cred.credentials)
        raise HTTPException(401, "unknown membership token")

    def moderator(who: Annotated[str, Depends(member)]) -> bool:
        """Whether the caller (a member) holds the admin token and may review pending skills."""
        return bool(settings.admin_token) and who == token_hash(settings.admin_token)

    def admin(cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if cred is None or not _is_admin(cred.credentials):
            raise HTTPException(403, "this needs the hub's admin token")

    def _is_admin(token: str) -> bool:
        wanted = settings.admin_token
        return bool(wanted) and hmac.compare_digest(token.encode(), wanted.encode())

    def visible(skill: StoredSkill) -> bool:
        trusted = skill.approved or skill.endorsements >= settings.endorsements_required
        return trusted and not skill.withdrawn and skill.reports < settings.reports_to_hide

    def summary(skill: StoredSkill) -> dict[str, Any]:
        parsed = verify_bundle(skill.bundle)
        record = storage.contributor_record(skill.bundle["contributor"])
        return {"id": skill.id, "name": parsed.name, "description": parsed.description,
                "domain_tags": skill.bundle["metadata"]["domain_tags"],
                "base_model_family": skill.bundle["metadata"]["base_model_family"],
                "contributor": skill.bundle["contributor"], "created_day": skill.created_day,
                "endorsements": skill.endorsements, "reports": skill.reports,
                "visible": visible(skill), "contributor_skills": record.skills,
                "contributor_endorsements": record.endorsements,
                "contributor_reports": record.reports}

    def existing(skill_id: str) -> StoredSkill:
        skill = storage.get_skill(skill_id)
        if skill is None:
            raise HTTPException(404, f"no skill {skill_id}")
        if skill.withdrawn:
            raise HTTPException(410, f"skill {skill_id} was withdrawn by its contributor")
        return skill

    def served(skill_id: str, is_moderator: bool) -> StoredSkill:
        """A skill a member may receive: visible ones only (moderators see every one)."""
        skill = existing(skill_id)
        if not visible(skill) and not is_moderator:
            raise HTTPException(404, f"skill {skill_id} is not available: it is waiting for "
                                     "endorsements or a moderator, or reports hid it")
        return skill

    def within_rate(who: str) -> None:
        now = time.monotonic()
        with lock:
            times = recent[who]
            while times and times[0] <= now - settings.submit_window_s:
                times.popleft()
            if len(times) >= settings.submit_limit:
                raise HTTPException(429, "too many submissions; try again later",
                                    headers={"Retry-After": str(int(settings.submit_window_s))})
            times.append(now)

    @app.exception_handler(UnicodeEncodeError)
    async def _bad_text(_request: Request, _exc: UnicodeEncodeError) -> JSONResponse:
        return JSONResponse({"detail": "text must be valid Unicode (no lone surrogates)"}, 400)

    @app.get("/v1/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/v1/skills", status_code=201, response_model=Created,
              responses={400: {}, 401: {}, 413: {}, 429: {}})
    def submit(body: Bundle, who: Annotated[str, Depends(member)]) -> dict[str, Any]:
        raw = body.model_dump(by_alias=True)
        try:
            skill = verify_bundle(raw)
        except BundleError as exc:
            raise HTTPException(400, f"bundle refused: {exc}") from exc
        try:
            check_text(raw["skill"])
        except ScreeningError as exc:
            raise HTTPException(400, "the hub's content checks refused this skill because "
                                     f"{exc.reasons}") from exc
        within_rate(who)
        tags = raw["metadata"]["domain_tags"]
        skill_id = storage.add_skill(raw, name=skill.name, description=skill.description,
                                     submitter=who, tags=tags)
        return {"id": skill_id, "visible": False}

    @app.get("/v1/skills", response_model=list[Summary], responses={401: {}, 403: {}})
    def list_skills(
        is_moderator: Annotated[bool, Depends(moderator)],
        domain: Annotated[str | None, Query(max_length=40)] = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        status: Literal["visible", "pending"] = "visible",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> list[dict[str, Any]]:
        """Visible skills, or, for moderators (``status=pending``), those waiting for
        endorsements or hidden by reports."""
        if status == "pending" and not is_moderator:
            raise HTTPException(403, "pending skills are shown to the hub's moderators only")
        found = storage.list_skills(domain, q, limit * 4)
        wanted = [s for s in found if visible(s) == (status == "visible")]
        return [summary(s) for s in wanted[:limit]]

    @app.get("/v1/skills/{skill_id}", response_model=Download,
             responses={401: {}, 404: {}, 410: {}})
    def download(skill_id: SkillId,
                 is_moderator: Annotated[bool, Depends(moderator)]) -> dict[str, Any]:
        skill = served(skill_id, is_moderator)
        return {**summary(skill), "bundle": skill.bundle}

    @app.post("/v1/skills/{skill_id}/endorse", response_model=Standing,
              responses={401: {}, 403: {}, 404: {}, 410: {}})
    def endorse(skill_id: SkillId,
                who: Annotated[str, Depends(member)]) -> dict[str, Any]:
        skill = existing(skill_id)
        if storage.submitted_as(who, skill.bundle["contributor"]):
            raise HTTPException(403, "members cannot endorse skills signed with their own key")
        storage.endorse(skill_id, who)
        return standing(skill_id)

    @app.post("/v1/skills/{skill_id}/report", response_model=Standing,
              responses={401: {}, 404: {}, 410: {}})
    def report(skill_id: SkillId, body: ReportBody,
               who: Annotated[str, Depends(member)]) -> dict[str, Any]:
        existing(skill_id)
        storage.report(skill_id, who, body.reason)
        return standing(skill_id)

    @app.post("/v1/skills/{skill_id}/withdraw", status_code=204,
              responses={400: {}, 401: {}, 403: {}, 404: {}, 410: {}})
    def withdraw(skill_id: SkillId, body: Proof,
                 _who: Annotated[str, Depends(member)]) -> None:
        skill = existing(skill_id)
        try:
            check_withdrawal(skill.bundle["contributor"], skill_id, body.model_dump())
        except BundleError as exc:
            raise HTTPException(403, f"withdrawal refused: {exc}") from exc
        storage.withdraw(skill_id)

    @app.post("/v1/skills/{skill_id}/approve", response_model=Standing,
              responses={403: {}, 404: {}, 410: {}})
    def approve(skill_id: SkillId,
                _admin: Annotated[None, Depends(admin)]) -> dict[str, Any]:
        existing(skill_id)
        storage.approve(skill_id)
        return standing(skill_id)

    @app.post("/v1/tokens", status_code=201, response_model=Token, responses={403: {}})
    def issue(body: TokenRequest, _admin: Annotated[None, Depends(admin)]) -> dict[str, str]:
        return {"token": storage.issue_token(body.label)}

    def standing(skill_id: str) -> dict[str, Any]:
        skill = existing(skill_id)
        return {"id": skill_id, "endorsements": skill.endorsements, "reports": skill.reports,
                "visible": visible(skill)}

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app
