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
from tests.conftest import MemoryKeyring

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
