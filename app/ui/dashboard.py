"""The Learning dashboard: what Flywheel learned from, each training run, and which adapter
serves — with a way back.

Users of a self-training assistant need to see that feedback is turning into something, and
to undo it when it goes wrong. So the page shows signals and examples per day, each run's
loss curve and gate verdict (held-out score and canary perplexity before and after, promoted
or rejected, and why), and the adapter history with a Rollback button per version. "Train
now" starts a run regardless of idleness, with a progress bar.

Charts are drawn with QPainter (QtCharts is not in PySide6-Essentials). Reads only: the
database is in WAL mode, so reading here never waits for the trainer or the model thread.
Adapters are kept per base model, under the SHA-256 of its file; hashing a model of
gigabytes takes a while when nothing has hashed it yet, so it runs on a background job and
the adapter list appears when it is done.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils
from PySide6.QtCore import QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.learning.registry import AdapterError, AdapterRegistry
from app.learning.supervisor import TrainingSupervisor
from app.learning.trainer_process import LOSSES_KEY
from app.model.catalog import file_sha256
from app.store import examples as examples_store
from app.store import signals as signals_store
from app.store import training_runs as training_runs_store
from app.ui.background_job import BackgroundJob

DAYS_SHOWN = 30
SERIES_COLORS = ("#3b82f6", "#f59e0b", "#10b981")
READING_MODEL = "Reading the model file to find its adapters…"
RUN_COLUMNS = (
    "Run", "Started", "Status", "Examples", "Steps", "Final loss",
    "Held-out before", "Held-out after", "Canary before", "Canary after", "Why",
)


class LineChart(QWidget):
    """A small multi-series line chart: enough for a loss curve or daily counts."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series: list[tuple[str, list[tuple[float, float]]]] = []
        self.x_labels: tuple[str, str] = ("", "")
        self.setMinimumHeight(150)

    def set_series(
        self, series: list[tuple[str, list[tuple[float, float]]]], x_labels: tuple[str, str]
    ) -> None:
        self.series = [(name, [p for p in pts if math.isfinite(p[1])]) for name, pts in series]
        self.x_labels = x_labels
        self.update()

    def points(self) -> int:
        return sum(len(pts) for _, pts in self.series)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(text)
        painter.drawText(QRectF(0, 0, self.width(), 18), Qt.AlignmentFlag.AlignLeft, self.title)
        plot = QRectF(40, 24, max(10, self.width() - 50), max(10, self.height() - 44))
        painter.setPen(QPen(QColor(128, 128, 128), 1))
        painter.drawRect(plot)
        all_pts = [p for _, pts in self.series for p in pts]
        if not all_pts:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no data yet")
            return
        xs, ys = [p[0] for p in all_pts], [p[1] for p in all_pts]
        x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
        y0, y1 = min(0.0, min(ys)), max(ys) if max(ys) > min(0.0, min(ys)) else 1.0

        def at(x: float, y: float) -> QPointF:
            return QPointF(
                plot.left() + (x - x0) / (x1 - x0) * plot.width(),
                plot.bottom() - (y - y0) / (y1 - y0) * plot.height(),
            )

        painter.setPen(text)
        painter.drawText(QRectF(0, plot.top() - 4, 38, 14), Qt.AlignmentFlag.AlignRight,
                         f"{y1:.3g}")
        painter.drawText(QRectF(0, plot.bottom() - 10, 38, 14), Qt.AlignmentFlag.AlignRight,
                         f"{y0:.3g}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16),
                         Qt.AlignmentFlag.AlignLeft, self.x_labels[0])
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16),
                         Qt.AlignmentFlag.AlignRight, self.x_labels[1])
        legend_x = plot.left() + 8
        for i, (name, pts) in enumerate(self.series):
            color = QColor(SERIES_COLORS[i % len(SERIES_COLORS)])
            painter.setPen(QPen(color, 2))
            if pts:
                path = QPainterPath(at(*pts[0]))
                for point in pts[1:]:
                    path.lineTo(at(*point))
                painter.drawPath(path)
                if len(pts) == 1:
                    painter.drawEllipse(at(*pts[0]), 2, 2)
            painter.drawText(QPointF(legend_x, plot.top() + 14), name)
            legend_x += painter.fontMetrics().horizontalAdvance(name) + 16


_CREATED_SINCE = {
    "signals": signals_store.created_since, "examples": examples_store.created_since
}


def daily_counts(db: sqlite_utils.Database, table: str, days: int = DAYS_SHOWN) -> list[tuple]:
    """``(day index, count)`` for the last ``days`` days, oldest first (0 = ``days-1`` ago)."""
    today = dt.date.today()
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time()).timestamp()
    created = _CREATED_SINCE[table](db, since)
    per_day = Counter((today - dt.date.fromtimestamp(when)).days for when in created)
    return [(float(days - 1 - ago), float(per_day.get(ago, 0))) for ago in range(days - 1, -1, -1)]


def _metrics(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _fmt(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def _community_note(metrics: dict[str, Any]) -> str:
    """"; also learned 6 examples of 1 community skill (use-fd from hub.example)", and
    what the gate judged on when the user had no held-out examples of their own."""
    sources = [s for s in metrics.get("community") or [] if isinstance(s, dict)]
    if not sources:
        return ""
    count = sum(int(s.get("examples") or 0) for s in sources)
    named = ", ".join(
        f"{s.get('skill')} from {urlsplit(str(s.get('origin') or '')).netloc or 'a hub'}"
        for s in sources
    )
    skills = "skill" if len(sources) == 1 else "skills"
    note = f"; also learned {count} examples of {len(sources)} community {skills} ({named})"
    judged = metrics.get("judged_on")
    if judged and judged != "your held-out examples":
        note += f"; judged on {judged}"
    return note


def training_runs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Each run, newest first, with the metrics the dashboard shows flattened out."""
    runs = []
    for row in training_runs_store.all_runs(db):
        metrics = _metrics(row["metrics"])
        current, candidate = metrics.get("current") or {}, metrics.get("candidate") or {}
        train = metrics.get("train") or {}
        runs.append(
            {
                "id": row["id"],
                "started": row["started"],
                "status": row["status"],
                "n_examples": row["n_examples"],
                "steps": train.get("steps"),
                "final_loss": train.get("final_loss"),
                "score_before": current.get("user_score"),
                "score_after": candidate.get("user_score"),
                "canary_before": current.get("canary_ppl"),
                "canary_after": candidate.get("canary_ppl"),
                "reason": (metrics.get("reason") or row["error"] or "")
                + _community_note(metrics),
                "losses": [(float(s), float(v)) for s, v in metrics.get(LOSSES_KEY, [])],
            }
        )
    return runs


class LearningDashboard(QDialog):
    """The Learning page for the model in ``model_path``. ``adapter_changed`` asks the window
    to hot-swap after a rollback."""

    adapter_changed = Signal()

    def __init__(
        self,
        db: sqlite_utils.Database,
        model_path: Path,
        supervisor: TrainingSupervisor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Learning")
        self.resize(980, 760)
        self.db = db
        self.base_sha256 = ""  # known once the model file is hashed
        self.registry = AdapterRegistry(db)
        self.supervisor = supervisor
        self.activity_chart = LineChart("Signals and examples per day")
        self.loss_chart = LineChart("Loss of the selected run")
        self.runs_table = QTableWidget(0, len(RUN_COLUMNS))
        self.runs_table.setHorizontalHeaderLabels(RUN_COLUMNS)
        self.adapters_table = QTableWidget(0, 5)
        self.adapters_table.setHorizontalHeaderLabels(
            ["Version", "Status", "Created", "Run", ""]
        )
        for table in (self.runs_table, self.adapters_table):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.horizontalHeader().setStretchLastSection(True)
        self.train_button = QPushButton("Train now")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.state_label = QLabel(supervisor.state if supervisor else "")
        self.base_button = QPushButton("Use base model (no adapter)")
        self.base_button.setEnabled(False)
        self.adapters_note = QLabel(READING_MODEL)
        self.adapters_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.activity_chart)
        controls = QHBoxLayout()
        controls.addWidget(self.train_button)
        controls.addWidget(self.progress_bar, 1)
        controls.addWidget(self.state_label)
        layout.addLayout(controls)
        layout.addWidget(QLabel("Training runs"))
        layout.addWidget(self.runs_table, 1)
        layout.addWidget(self.loss_chart)
        adapters_header = QHBoxLayout()
        adapters_header.addWidget(QLabel("Adapters"), 1)
        adapters_header.addWidget(self.base_button)
        layout.addLayout(adapters_header)
        layout.addWidget(self.adapters_note)
        layout.addWidget(self.adapters_table, 1)
        self.runs_table.itemSelectionChanged.connect(self._show_selected_loss)
        self.train_button.clicked.connect(self.train_now)
        self.base_button.clicked.connect(lambda: self.rollback(0))
        if supervisor is not None:
            supervisor.progress.connect(self._progress)
            supervisor.state_changed.connect(self.state_label.setText)
            supervisor.finished.connect(lambda _event: self.refresh())
            supervisor.failed.connect(self.state_label.setText)
        else:
            self.train_button.setEnabled(False)
        self._runs: list[dict[str, Any]] = []
        self.refresh()
        self._hash_job: BackgroundJob | None = BackgroundJob(
            lambda _progress, _cancel: file_sha256(model_path)
        )
        self._hash_job.report_to(lambda _done, _total: None, self._model_hashed,
                                 self._model_unreadable)
        self._hash_job.launch()

    def _model_hashed(self, sha256: str) -> None:
        self._hash_job = None
        self.base_sha256 = sha256
        self.adapters_note.hide()
        self._fill_adapters()

    def _model_unreadable(self, error: Exception) -> None:
        self._hash_job = None
        self.adapters_note.setText(f"The adapters cannot be shown: {error}")

    @Slot()
    def refresh(self) -> None:
        """Re-read signals, examples, runs and adapters from the database."""
        signals, examples = daily_counts(self.db, "signals"), daily_counts(self.db, "examples")
        self.activity_chart.set_series(
            [("signals", signals), ("examples", examples)],
            (f"{DAYS_SHOWN - 1} days ago", "today"),
        )
        self._runs = training_runs(self.db)
        self.runs_table.setRowCount(len(self._runs))
        for row, run in enumerate(self._runs):
            cells = (
                str(run["id"]),
                dt.datetime.fromtimestamp(run["started"]).strftime("%Y-%m-%d %H:%M"),
                run["status"],
                str(run["n_examples"]),
                str(run["steps"] or "–"),
                _fmt(run["final_loss"]),
                _fmt(run["score_before"]),
                _fmt(run["score_after"]),
                _fmt(run["canary_before"], 2),
                _fmt(run["canary_after"], 2),
                run["reason"],
            )
            for col, text in enumerate(cells):
                self.runs_table.setItem(row, col, QTableWidgetItem(text))
        if self._runs:
            self.runs_table.selectRow(0)
        self._show_selected_loss()
        self._fill_adapters()

    def _fill_adapters(self) -> None:
        if not self.base_sha256:
            return
        records = list(reversed(self.registry.list_versions(self.base_sha256)))
        self.adapters_table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = (
                f"v{record.version}",
                record.status,
                dt.datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M"),
                str(record.run_id or "–"),
            )
            for col, text in enumerate(cells):
                self.adapters_table.setItem(row, col, QTableWidgetItem(text))
            button = QPushButton("Rollback to this")
            button.setEnabled(record.status == "retired")
            button.setToolTip("Serve this earlier version again")
            button.clicked.connect(lambda _=False, v=record.version: self.rollback(v))
            self.adapters_table.setCellWidget(row, 4, button)
        has_active = any(r.status == "active" for r in records)
        self.base_button.setEnabled(has_active)

    @Slot()
    def _show_selected_loss(self) -> None:
        rows = self.runs_table.selectionModel().selectedRows()
        run = self._runs[rows[0].row()] if rows and self._runs else None
        losses = run["losses"] if run else []
        last = f"step {int(losses[-1][0])}" if losses else ""
        self.loss_chart.set_series([("loss", losses)], ("step 1" if losses else "", last))

    @Slot()
    def train_now(self) -> None:
        if self.supervisor is not None:
            self.progress_bar.setValue(0)
            decision = self.supervisor.train_now()
            self.state_label.setText(decision.reason)

    @Slot(int, int, float)
    def _progress(self, step: int, total: int, _loss: float) -> None:
        self.progress_bar.setValue(100 * step // max(1, total))

    def rollback(self, version: int) -> None:
        """Serve ``version`` again (0: the bare base model) and ask for the hot-swap."""
        try:
            self.registry.rollback(self.base_sha256, version)
        except AdapterError as exc:
            QMessageBox.warning(self, "Rollback failed", str(exc))
            return
        self.refresh()
        self.adapter_changed.emit()

    def done(self, result: int) -> None:
        """Closing stops listening to a hash still running (it finishes alone, and its result
        is remembered for the next time)."""
        job, self._hash_job = self._hash_job, None
        if job is not None:
            job.abandon()
        super().done(result)
