"""The Learning dashboard on a real database and a real adapter registry."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from app.learning.registry import AdapterRegistry
from app.learning.trainer_process import record_losses
from app.store.db import open_db
from app.ui.dashboard import (
    READING_MODEL,
    SERIES_COLORS,
    LearningDashboard,
    LineChart,
    daily_counts,
)
from tests.learning.adapter_files import write_adapter

MODEL_BYTES = b"a stand-in for a model file"
BASE = hashlib.sha256(MODEL_BYTES).hexdigest()


def add_run(db, status: str, losses: list[list[float]] | None = None) -> int:
    metrics = {
        "reason": f"{status} because",
        "current": {"user_score": -2.0, "canary_ppl": 20.0},
        "candidate": {"user_score": -1.5, "canary_ppl": 20.4},
        "train": {"steps": 3, "final_loss": 0.5},
    }
    run_id = db["training_runs"].insert(
        {"started": time.time(), "finished": time.time(), "status": status,
         "base_sha256": BASE, "n_examples": 9, "metrics": json.dumps(metrics)}
    ).last_pk
    if losses:
        record_losses(db, run_id, losses)
    return run_id


def register(db, registry: AdapterRegistry, tmp_path: Path, run_id: int) -> int:
    path = write_adapter(tmp_path / f"a{run_id}.gguf", BASE, seed=run_id)
    record = registry.register(BASE, path, "{}", {"promote": True}, run_id)
    registry.promote(BASE, record.version)
    return record.version


@pytest.fixture
def db():
    return open_db()


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(MODEL_BYTES)
    return path


def open_page(qtbot: QtBot, db, model: Path) -> LearningDashboard:
    page = LearningDashboard(db, model)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.base_sha256 == BASE)
    return page


def test_shows_runs_gate_results_and_the_loss_curve(qtbot: QtBot, db, model_file: Path) -> None:
    add_run(db, "rejected")
    add_run(db, "promoted", [[1, 2.0], [2, 1.2], [3, 0.5]])
    db["signals"].insert({"kind": "thumb", "detector": "ui", "created": time.time()})
    page = open_page(qtbot, db, model_file)
    assert page.runs_table.rowCount() == 2
    newest = [page.runs_table.item(0, c).text() for c in range(page.runs_table.columnCount())]
    assert newest[2] == "promoted"
    assert newest[6:10] == ["-2.000", "-1.500", "20.00", "20.40"]
    assert newest[10] == "promoted because"
    assert page.loss_chart.series == [("loss", [(1.0, 2.0), (2.0, 1.2), (3.0, 0.5)])]
    page.runs_table.selectRow(1)
    assert page.loss_chart.points() == 0
    assert page.activity_chart.series[0][1][-1] == (29.0, 1.0)  # today's one signal
    assert not page.train_button.isEnabled()  # no supervisor to start a run


def test_rollback_serves_the_earlier_version(
    qtbot: QtBot, db, tmp_path: Path, model_file: Path
) -> None:
    registry = AdapterRegistry(db)
    first = register(db, registry, tmp_path, add_run(db, "promoted"))
    second = register(db, registry, tmp_path, add_run(db, "promoted"))
    page = open_page(qtbot, db, model_file)
    assert page.adapters_table.item(0, 0).text() == f"v{second}"
    newest_button = page.adapters_table.cellWidget(0, 4)
    older_button = page.adapters_table.cellWidget(1, 4)
    assert not newest_button.isEnabled() and older_button.isEnabled()
    with qtbot.waitSignal(page.adapter_changed):
        older_button.click()
    assert registry.active(BASE).version == first
    assert page.adapters_table.item(1, 1).text() == "active"
    with qtbot.waitSignal(page.adapter_changed):
        page.base_button.click()
    assert registry.active(BASE) is None
    assert not page.base_button.isEnabled()


def test_the_page_opens_before_the_model_file_is_hashed(
    qtbot: QtBot, db, tmp_path: Path
) -> None:
    """A model nobody has hashed yet (gigabytes, or here a pipe that has not been written
    yet) does not hold the page: runs show at once, adapters once the hash is known."""
    registry = AdapterRegistry(db)
    version = register(db, registry, tmp_path, add_run(db, "promoted"))
    model = tmp_path / "slow-model.gguf"
    os.mkfifo(model)
    page = LearningDashboard(db, model)
    qtbot.addWidget(page)
    assert page.runs_table.rowCount() == 1
    assert page.adapters_note.text() == READING_MODEL and page.adapters_table.rowCount() == 0
    assert not page.base_button.isEnabled()

    def write_model() -> bool:
        try:  # fails (ENXIO) until the hashing job has opened the pipe
            pipe = os.open(model, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return False
        os.write(pipe, MODEL_BYTES)
        os.close(pipe)
        return True

    qtbot.waitUntil(write_model)
    qtbot.waitUntil(lambda: page.adapters_table.rowCount() == 1)
    assert page.base_sha256 == BASE
    assert page.adapters_table.item(0, 0).text() == f"v{version}"
    assert page.base_button.isEnabled() and page.adapters_note.isHidden()


def test_an_unreadable_model_says_so_where_the_adapters_would_be(
    qtbot: QtBot, db, tmp_path: Path
) -> None:
    page = LearningDashboard(db, tmp_path / "gone.gguf")
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.adapters_note.text() != READING_MODEL)
    assert "cannot be shown" in page.adapters_note.text()
    assert "gone.gguf" in page.adapters_note.text()
    assert not page.base_button.isEnabled()


def test_losses_of_a_resumed_run_are_merged(db) -> None:
    run_id = add_run(db, "promoted", [[1, 3.0], [2, 2.0]])
    record_losses(db, run_id, [[2, 2.5], [3, 1.0]])
    metrics = json.loads(db["training_runs"].get(run_id)["metrics"])
    assert metrics["losses"] == [[1, 3.0], [2, 2.5], [3, 1.0]]
    assert metrics["reason"] == "promoted because"  # the trainer's metrics are kept


def test_a_run_that_learned_community_lessons_says_from_which_skill_and_hub(db) -> None:
    from app.ui.dashboard import training_runs

    run_id = add_run(db, "promoted")
    metrics = json.loads(db["training_runs"].get(run_id)["metrics"])
    metrics["community"] = [
        {"skill": "use-fd", "origin": "https://hub.example#00aa", "examples": 6}
    ]
    metrics["judged_on"] = "the community examples it trained on (no held-out examples of yours)"
    db["training_runs"].update(run_id, {"metrics": json.dumps(metrics)})
    assert training_runs(db)[0]["reason"] == (
        "promoted because; also learned 6 examples of 1 community skill (use-fd from "
        "hub.example); judged on the community examples it trained on (no held-out examples "
        "of yours)"
    )


def test_chart_paints_with_and_without_data(qtbot: QtBot) -> None:
    chart = LineChart("loss")
    qtbot.addWidget(chart)
    chart.resize(300, 160)
    line = QColor(SERIES_COLORS[0]).rgb()

    def line_pixels() -> int:
        image = chart.grab().toImage()
        return sum(
            image.pixel(x, y) == line for x in range(image.width()) for y in range(image.height())
        )

    chart.set_series([], ("", ""))
    assert line_pixels() == 0
    chart.set_series([("loss", [(1.0, 2.0), (2.0, float("nan")), (3.0, 1.0)])], ("a", "b"))
    assert chart.points() == 2  # the diverged (NaN) step is left out, not drawn
    assert line_pixels() > 50


def test_daily_counts_cover_the_window(db) -> None:
    db["examples"].insert(
        {"kind": "sft", "prompt": "p", "dedup_key": "k", "created": time.time() - 86400 * 2}
    )
    counts = daily_counts(db, "examples", days=5)
    assert [c for _, c in counts] == [0.0, 0.0, 1.0, 0.0, 0.0]


def real_adapter(path: Path, base_model: Path, base_sha: str) -> Path:
    """A small LoRA that llama.cpp really applies (block 0 only), labelled for ``base_sha``."""
    import numpy as np

    from app.learning.registry import BASE_SHA_KEY
    from app.model.catalog import read_gguf_header
    from trainer.adapter_file import write_adapter as write_gguf

    header = read_gguf_header(base_model)
    n_in, n_out = {t.name: t.shape for t in header.tensors}["blk.0.attn_q.weight"]
    rng = np.random.default_rng(0)
    tensors = {
        "blk.0.attn_q.weight.lora_a": rng.normal(0, 0.1, (4, n_in)).astype(np.float32),
        "blk.0.attn_q.weight.lora_b": rng.normal(0, 0.1, (n_out, 4)).astype(np.float32),
    }
    return write_gguf(path, header.architecture, 8.0, tensors, metadata={BASE_SHA_KEY: base_sha})


def test_rollback_hot_swaps_the_served_adapter(
    qtbot: QtBot, db, tmp_path: Path, embedded_model: Path, make_window, ui_settings
) -> None:
    """Start-up serves the active adapter; a rollback on the page swaps it out, no reload."""
    from app.model.catalog import file_sha256

    base_sha = file_sha256(embedded_model)
    registry = AdapterRegistry(db)
    record = registry.register(
        base_sha, real_adapter(tmp_path / "a.gguf", embedded_model, base_sha), "{}", {}, None
    )
    registry.promote(base_sha, record.version)
    window = make_window(ui_settings)
    label = window.status.adapter_label
    qtbot.waitUntil(lambda: label.text() == f"adapter: {record.version}", timeout=60_000)
    window.pages.open_dashboard()
    assert window.dashboard is not None
    qtbot.waitUntil(window.dashboard.base_button.isEnabled, timeout=60_000)
    window.dashboard.base_button.click()
    qtbot.waitUntil(lambda: label.text() == "adapter: base", timeout=60_000)
    assert registry.active(base_sha) is None
