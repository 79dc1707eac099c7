"""The adapter registry: versions on disk and in SQLite, verification, promotion, rollback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import paths
from app.learning.registry import (
    ADAPTER_FILE,
    CONFIG_FILE,
    METRICS_FILE,
    AdapterError,
    AdapterRegistry,
)
from app.store.db import open_db
from tests.learning.adapter_files import write_adapter

BASE = "b" * 64
OTHER_BASE = "c" * 64
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def registry() -> AdapterRegistry:
    return AdapterRegistry(open_db())


def register(registry: AdapterRegistry, tmp_path: Path, seed: int, base: str = BASE):
    source = write_adapter(tmp_path / f"export-{seed}.gguf", base, seed=seed)
    return registry.register(base, source, json.dumps({"r": 4}), {"seed": seed}, run_id=None)


def test_register_writes_a_complete_version_folder(registry, tmp_path) -> None:
    record = register(registry, tmp_path, seed=1)
    assert record.version == 1 and record.status == "candidate"
    folder = paths.adapters_dir() / BASE / "1"
    assert record.path == folder / ADAPTER_FILE
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [ADAPTER_FILE, CONFIG_FILE, METRICS_FILE]
    )
    assert json.loads((folder / METRICS_FILE).read_text()) == {"seed": 1}
    assert not (tmp_path / "export-1.gguf").exists()  # moved, not copied
    assert register(registry, tmp_path, seed=2).version == 2


def test_only_one_adapter_is_active_per_base(registry, tmp_path) -> None:
    first, second = register(registry, tmp_path, 1), register(registry, tmp_path, 2)
    other = register(registry, tmp_path, 3, base=OTHER_BASE)
    registry.promote(BASE, first.version)
    registry.promote(OTHER_BASE, other.version)
    registry.promote(BASE, second.version)
    statuses = {r.version: r.status for r in registry.list_versions(BASE)}
    assert statuses == {1: "retired", 2: "active"}
    assert registry.active(BASE).version == 2
    assert registry.active(OTHER_BASE).version == other.version
    assert registry.active_path(BASE) == second.path


def test_rollback_makes_the_previous_version_active_again(registry, tmp_path) -> None:
    for seed in (1, 2, 3):
        registry.promote(BASE, register(registry, tmp_path, seed).version)
    assert registry.rollback(BASE).version == 2
    assert registry.active(BASE).version == 2
    assert registry.rollback(BASE).version == 1
    assert registry.rollback(BASE, to_version=3).version == 3
    assert registry.rollback(BASE, to_version=0) is None
    assert registry.active(BASE) is None and registry.active_path(BASE) is None


def test_rollback_past_the_first_version_serves_the_base(registry, tmp_path) -> None:
    registry.promote(BASE, register(registry, tmp_path, 1).version)
    assert registry.rollback(BASE) is None
    assert registry.active(BASE) is None


def test_truncated_adapter_is_refused(registry, tmp_path) -> None:
    record = registry.promote(BASE, register(registry, tmp_path, 1).version)
    data = record.path.read_bytes()
    record.path.write_bytes(data[: len(data) // 2])
    with pytest.raises(AdapterError, match="truncated"):
        registry.active_path(BASE)


def test_modified_adapter_is_refused_by_its_hash(registry, tmp_path) -> None:
    record = registry.promote(BASE, register(registry, tmp_path, 1).version)
    data = bytearray(record.path.read_bytes())
    data[-1] ^= 0xFF  # same size, header intact: only the hash can tell
    record.path.write_bytes(bytes(data))
    with pytest.raises(AdapterError, match="changed since it was registered"):
        registry.verify(record, BASE)


def test_garbage_file_is_refused(registry, tmp_path) -> None:
    record = registry.promote(BASE, register(registry, tmp_path, 1).version)
    record.path.write_bytes(b"not a gguf at all")
    with pytest.raises(AdapterError, match="not a GGUF"):
        registry.active_path(BASE)


def test_adapter_for_another_base_is_refused(registry, tmp_path) -> None:
    foreign = write_adapter(tmp_path / "foreign.gguf", OTHER_BASE)
    with pytest.raises(AdapterError, match="trained for base model"):
        registry.register(BASE, foreign, "{}")
    record = register(registry, tmp_path, 1)
    with pytest.raises(AdapterError, match="another base model"):
        registry.verify(record, OTHER_BASE)
    unlabelled = write_adapter(tmp_path / "unlabelled.gguf", None)
    with pytest.raises(AdapterError, match="trained for base model"):
        registry.register(BASE, unlabelled, "{}")
    assert [r.version for r in registry.list_versions(BASE)] == [1]


def test_a_model_file_is_not_accepted_as_adapter(registry, tmp_path) -> None:
    model = write_adapter(tmp_path / "model.gguf", BASE, kind="model")
    with pytest.raises(AdapterError, match="not a LoRA adapter"):
        registry.register(BASE, model, "{}")


def test_rejected_candidate_cannot_be_promoted(registry, tmp_path) -> None:
    record = register(registry, tmp_path, 1)
    registry.reject(BASE, record.version)
    with pytest.raises(AdapterError, match="rejected"):
        registry.promote(BASE, record.version)
    with pytest.raises(AdapterError, match="no adapter version 9"):
        registry.promote(BASE, 9)


def test_a_failed_promotion_keeps_the_current_adapter(registry, tmp_path) -> None:
    good = registry.promote(BASE, register(registry, tmp_path, 1).version)
    broken = register(registry, tmp_path, 2)
    broken.path.write_bytes(b"GGUF")
    with pytest.raises(AdapterError):
        registry.promote(BASE, broken.version)
    assert registry.active(BASE).version == good.version


def test_cleanup_keeps_recent_rejects_and_removes_crash_leftovers(registry, tmp_path) -> None:
    active = registry.promote(BASE, register(registry, tmp_path, 0).version)
    rejected = []
    for seed in range(1, 6):
        record = register(registry, tmp_path, seed)
        registry.reject(BASE, record.version)
        rejected.append(record)
    base_dir = paths.adapters_dir() / BASE
    (base_dir / ".staging-dead").mkdir()
    (base_dir / "99").mkdir()  # renamed into place, then killed before the database insert
    removed = registry.cleanup(BASE, keep_rejected=2)
    assert sorted(p.name for p in removed) == sorted(
        [str(r.version) for r in rejected[:3]] + [".staging-dead", "99"]
    )
    assert active.path.exists()
    assert [r.path.exists() for r in rejected] == [False, False, False, True, True]
    assert len(registry.list_versions(BASE)) == 6  # the history stays in the database


def test_registry_does_not_import_torch() -> None:
    code = "import sys, app.learning.registry; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
