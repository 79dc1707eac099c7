"""The adapters on disk and in the database: which exist, which one is serving, and rollback.

Both processes use this module: the trainer registers candidates and promotes the ones that
pass the gate; the app asks which adapter to hot-swap in. It therefore imports neither Qt nor
torch. Three promises hold whatever happens to the trainer (SIGKILL, full disk, power cut):

- a version folder ``adapters/<base-sha256>/<version>/`` appears whole or not at all (files
  are written into a hidden staging folder, fsynced, then the folder is renamed);
- an adapter is loaded only after it is verified: its SHA-256 matches the database, its GGUF
  header says it is a LoRA adapter, and the base-model hash stored inside it equals the
  serving model's (an adapter trained on another base would load and silently produce junk);
- at most one adapter per base is ``active``; status changes happen in one transaction, so
  the active pointer is never lost half-way.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from app import paths
from app.model.catalog import ModelFileError, file_sha256, read_gguf_header
from app.store import adapters
from app.store.db import transaction

ADAPTER_FILE = "adapter.gguf"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"
BASE_SHA_KEY = "flywheel.base_sha256"
STAGING_PREFIX = ".staging-"
KEEP_REJECTED = 3


class AdapterError(Exception):
    """An adapter that must not be used (or a registry operation that cannot be done)."""


@dataclass(frozen=True)
class AdapterRecord:
    """One registered adapter version, as the database knows it."""

    base_sha256: str
    version: int
    path: Path
    sha256: str
    status: str
    run_id: int | None
    metrics: dict[str, Any]
    created: float


def _fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def check_adapter_file(path: Path, base_sha256: str) -> None:
    """Raise :class:`AdapterError` unless ``path`` is an intact LoRA GGUF made for this base."""
    try:
        header = read_gguf_header(path)
    except ModelFileError as exc:
        raise AdapterError(f"adapter refused: {exc}") from exc
    meta = header.metadata
    if meta.get("general.type") != "adapter" or meta.get("adapter.type") != "lora":
        raise AdapterError(f"adapter refused: {path} is not a LoRA adapter GGUF")
    made_for = meta.get(BASE_SHA_KEY)
    if made_for != base_sha256:
        raise AdapterError(
            f"adapter refused: {path} was trained for base model {str(made_for)[:12]}…, "
            f"not for the serving model {base_sha256[:12]}…"
        )


class AdapterRegistry:
    """Adapter versions per base model, backed by the ``adapters`` table and one folder each."""

    def __init__(self, db: sqlite_utils.Database, root: Path | None = None) -> None:
        self.db = db
        self.root = root or paths.adapters_dir()

    # -- reading -------------------------------------------------------------------------

    def _record(self, row: dict[str, Any]) -> AdapterRecord:
        try:
            metrics = json.loads(row["metrics"] or "{}")
        except json.JSONDecodeError:
            metrics = {}
        return AdapterRecord(
            base_sha256=row["base_sha256"],
            version=int(row["version"]),
            path=self.root / row["path"],
            sha256=row["sha256"],
            status=row["status"],
            run_id=row["run_id"],
            metrics=metrics if isinstance(metrics, dict) else {},
            created=float(row["created"]),
        )

    def list_versions(self, base_sha256: str) -> list[AdapterRecord]:
        """Every registered version for a base model, oldest first."""
        return [self._record(row) for row in adapters.versions(self.db, base_sha256)]

    def get(self, base_sha256: str, version: int) -> AdapterRecord:
        row = adapters.get(self.db, base_sha256, version)
        if row is None:
            raise AdapterError(f"no adapter version {version} for this base model")
        return self._record(row)

    def active(self, base_sha256: str) -> AdapterRecord | None:
        row = adapters.active(self.db, base_sha256)
        return self._record(row) if row else None

    def verify(self, record: AdapterRecord, serving_base_sha256: str) -> None:
        """Raise :class:`AdapterError` unless ``record`` is safe to load on this base model."""
        if record.base_sha256 != serving_base_sha256:
            raise AdapterError(
                f"adapter v{record.version} belongs to another base model; not loading it"
            )
        check_adapter_file(record.path, serving_base_sha256)
        try:
            actual = file_sha256(record.path)
        except ModelFileError as exc:
            raise AdapterError(f"adapter refused: {exc}") from exc
        if actual != record.sha256:
            raise AdapterError(
                f"adapter v{record.version} refused: its file changed since it was registered "
                f"(sha256 {actual[:12]}… instead of {record.sha256[:12]}…)"
            )

    def active_path(self, serving_base_sha256: str) -> Path | None:
        """The verified adapter file to serve with this base, or ``None`` for the bare base.

        Raises :class:`AdapterError` when an adapter is active but fails verification, so the
        caller can tell the user and serve the base model instead.
        """
        record = self.active(serving_base_sha256)
        if record is None:
            return None
        self.verify(record, serving_base_sha256)
        return record.path

    # -- writing -------------------------------------------------------------------------

    def register(
        self,
        base_sha256: str,
        gguf_path: Path,
        config_json: str,
        metrics: dict[str, Any] | None = None,
        run_id: int | None = None,
    ) -> AdapterRecord:
        """Move an exported adapter into a new version folder and record it as a candidate.

        The file must already carry this base's hash in its metadata; it is checked before
        anything is moved, so a wrong export never enters the registry.
        """
        check_adapter_file(gguf_path, base_sha256)
        base_dir = self.root / base_sha256
        base_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=base_dir))
        final: Path | None = None
        try:
            shutil.move(str(gguf_path), staging / ADAPTER_FILE)
            with (staging / ADAPTER_FILE).open("rb+") as handle:
                os.fsync(handle.fileno())
            _write_synced(staging / CONFIG_FILE, config_json.encode("utf-8"))
            _write_synced(
                staging / METRICS_FILE, json.dumps(metrics or {}, indent=2).encode("utf-8")
            )
            sha = file_sha256(staging / ADAPTER_FILE)
            with transaction(self.db):
                version = self._next_version(base_sha256, base_dir)
                os.rename(staging, base_dir / str(version))
                final = base_dir / str(version)
                _fsync_dir(base_dir)
                adapters.insert_candidate(
                    self.db,
                    base_sha256,
                    version,
                    f"{base_sha256}/{version}/{ADAPTER_FILE}",
                    sha,
                    run_id,
                    json.dumps(metrics or {}),
                    time.time(),
                )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if final is not None:
                shutil.rmtree(final, ignore_errors=True)
            raise
        return self.get(base_sha256, version)

    def _next_version(self, base_sha256: str, base_dir: Path) -> int:
        """One past every version in the database or on disk (a crash may leave a folder)."""
        on_disk = [int(p.name) for p in base_dir.iterdir() if p.name.isdigit()]
        return max([adapters.highest_version(self.db, base_sha256), *on_disk]) + 1

    def promote(self, base_sha256: str, version: int) -> AdapterRecord:
        """Make ``version`` the one active adapter for its base (after verifying it)."""
        record = self.get(base_sha256, version)
        if record.status == "rejected":
            raise AdapterError(f"adapter v{version} was rejected by the gate; not promoting it")
        self.verify(record, base_sha256)
        self._activate(base_sha256, version)
        return self.get(base_sha256, version)

    def _activate(self, base_sha256: str, version: int | None) -> None:
        adapters.activate(self.db, base_sha256, version)

    def reject(self, base_sha256: str, version: int) -> None:
        """Mark a candidate that failed the gate; its files stay for inspection until cleanup."""
        record = self.get(base_sha256, version)
        if record.status == "active":
            raise AdapterError(f"adapter v{version} is active; roll back before rejecting it")
        adapters.reject(self.db, base_sha256, version)

    def rollback(self, base_sha256: str, to_version: int | None = None) -> AdapterRecord | None:
        """Serve an earlier adapter again; return it, or ``None`` when back on the bare base.

        ``to_version=None`` picks the newest retired version older than the active one;
        ``to_version=0`` means the base model without any adapter.
        """
        if to_version == 0:
            self._activate(base_sha256, None)
            return None
        if to_version is None:
            current = self.active(base_sha256)
            older = [
                r
                for r in self.list_versions(base_sha256)
                if r.status == "retired" and (current is None or r.version < current.version)
            ]
            if not older:
                self._activate(base_sha256, None)
                return None
            to_version = older[-1].version
        return self.promote(base_sha256, to_version)

    def cleanup(self, base_sha256: str, keep_rejected: int = KEEP_REJECTED) -> list[Path]:
        """Delete files of all but the newest rejected candidates, and crash leftovers.

        Rejected rows stay in the database (their metrics are the learning history); only
        their folders go. Staging folders and version folders the database does not know
        are what a killed trainer leaves behind. Returns the removed folders.
        """
        base_dir = self.root / base_sha256
        if not base_dir.is_dir():
            return []
        records = self.list_versions(base_sha256)
        known = {str(r.version) for r in records}
        rejected = [r for r in records if r.status == "rejected"]
        doomed = [r.path.parent for r in rejected[: max(0, len(rejected) - keep_rejected)]]
        doomed += [
            p
            for p in base_dir.iterdir()
            if p.is_dir()
            and (p.name.startswith(STAGING_PREFIX) or (p.name.isdigit() and p.name not in known))
        ]
        removed = []
        for folder in doomed:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        return removed
