"""Real hubs on 127.0.0.1, users with their own data folders."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backend
import keyring.errors
import pytest
import sqlite_utils
import uvicorn

from app import settings as settings_mod
from app.community.client import HubClient, store_membership_token
from app.community.hub.app import HubSettings, create_app
from app.community.hub.storage import SqliteHubStorage
from app.store.db import open_db
from bench.memory_keyring import MemoryKeyring

ADMIN_TOKEN = "admin-test-token"


class CountingApp:
    """Wraps the hub to count the HTTP requests that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Hub:
    """A hub served by uvicorn in a thread, with direct access to its storage."""

    storage: SqliteHubStorage
    app: CountingApp
    port: int
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the hub did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=20)
        self.server = self.thread = None


@pytest.fixture
def make_hub(tmp_path: Path) -> Iterator[Any]:
    hubs: list[Hub] = []

    def make(start: bool = True, **settings: Any) -> Hub:
        storage = SqliteHubStorage(tmp_path / f"hub{len(hubs)}.db")
        app = create_app(storage, HubSettings(admin_token=ADMIN_TOKEN, **settings))
        hub = Hub(storage, CountingApp(app), free_port())
        hubs.append(hub)
        if start:
            hub.start()
        return hub

    yield make
    for hub in hubs:
        hub.stop()
        hub.storage.close()


@dataclass
class User:
    """One Flywheel user: a data folder, a keyring and a database of their own."""

    name: str
    home: Path
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)
    db: sqlite_utils.Database | None = None

    @contextmanager
    def active(self) -> Iterator[User]:
        """Make this user's folder and keyring the current ones for the block."""
        before_home, before_ring = os.environ.get("FLYWHEEL_HOME"), keyring.get_keyring()
        os.environ["FLYWHEEL_HOME"] = str(self.home)
        keyring.set_keyring(self.keyring)
        try:
            if self.db is None:
                self.db = open_db()
            yield self
        finally:
            keyring.set_keyring(before_ring)
            if before_home is None:
                os.environ.pop("FLYWHEEL_HOME", None)
            else:
                os.environ["FLYWHEEL_HOME"] = before_home

    def join(self, hub: Hub, *, share: bool = True) -> settings_mod.Settings:
        """Settings pointing at ``hub`` (saved in this user's folder) and a member token."""
        with self.active():
            settings = settings_mod.load()
            settings.community.share_enabled = share
            settings.community.hub_url = hub.url
            settings_mod.save(settings)
            store_membership_token(hub.url, hub.storage.issue_token(self.name))
            return settings

    def client(self, **options: Any) -> HubClient:
        with self.active():
            return HubClient(settings_mod.load(), backoff_s=0.05, **options)


@pytest.fixture
def make_user(tmp_path: Path) -> Any:
    def make(name: str) -> User:
        return User(name, tmp_path / f"user-{name}")

    return make


def publish(hub: Hub, name: str, lesson: str, *, domain: str = "shell",
            examples: tuple[tuple[str, str], ...] = (), endorsements: int = 0,
            approve: bool = True) -> str:
    """Put a signed skill on ``hub`` as a member would (HTTP, a fresh key and token each),
    endorsed by ``endorsements`` other members and, if ``approve``, approved by the admin;
    returns its hub id."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.community.bundle import Identity, make_bundle
    from app.skills.skill import Skill, compose_body, compose_examples, render_skill

    example = compose_examples(list(examples)) if examples else "`true`"
    skill = Skill(name=name, description=f"{lesson.split('.')[0]}.", category=domain,
                  body=compose_body(lesson, "Guessing.", example))
    bundle = make_bundle(render_skill(skill), Identity(Ed25519PrivateKey.generate()),
                         domain_tags=[domain], base_model_family="smollm2")

    def post(path: str, token: str, body: Any = None) -> dict[str, Any]:
        answer = httpx.post(hub.url + path, json=body, timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return dict(answer.json())

    remote_id = str(post("/v1/skills", hub.storage.issue_token("publisher"), bundle)["id"])
    for n in range(endorsements):
        post(f"/v1/skills/{remote_id}/endorse", hub.storage.issue_token(f"endorser{n}"))
    if approve:
        post(f"/v1/skills/{remote_id}/approve", ADMIN_TOKEN)
    return remote_id


class GarbageHub:
    """An HTTP server on 127.0.0.1 that answers every request with ``body`` (not a hub), at
    once or once ``gate`` is set."""

    def __init__(self, body: bytes = b"<html>Welcome to nginx!</html>",
                 content_type: str = "text/html", gate: threading.Event | None = None) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests.append(self.path)
                if gate is not None:  # a slow hub: it answers when the test says so
                    gate.wait(30)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *_args: Any) -> None:
                pass

        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def garbage_hub() -> Iterator[GarbageHub]:
    hub = GarbageHub()
    yield hub
    hub.stop()
