"""The status bar: which model answers, which adapter is active, what learning is doing, speed,
and how full the shown chat's context is.

These are the answers to the questions users of learning agents keep asking ("which model is
this?", "is it learning?", "did the new adapter land?"), so they stay visible at all times.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class StatusBar(QStatusBar):
    """Four permanent fields; every setter is a slot so workers' signals can drive them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_label = QLabel("Loading model…")
        self.adapter_label = QLabel("adapter: base")
        self.learning_label = QLabel("learning: idle")
        self.speed_label = QLabel("")
        self.context_label = QLabel("")
        self.model_label.setToolTip("The model that writes the replies")
        self.adapter_label.setToolTip(
            "The personal LoRA adapter trained on your feedback ('base' = none yet)"
        )
        self.learning_label.setToolTip("What on-device learning is doing right now")
        self.speed_label.setToolTip("Generation speed of the last reply")
        self.context_label.setToolTip(
            "How much of the model's context this chat fills: the tokens it read for the last "
            "reply, plus that reply, out of its context size. Once a chat outgrows it, its "
            "oldest messages are left out (the reply says so)."
        )
        permanent = (self.context_label, self.adapter_label, self.learning_label, self.speed_label)
        for label in (self.model_label, *permanent):
            label.setContentsMargins(8, 0, 8, 0)
        self.addWidget(self.model_label, 1)
        for label in permanent:
            self.addPermanentWidget(label)

    @Slot(str)
    def set_model_loading(self, name: str) -> None:
        self.model_label.setText(f"Loading model {name}…" if name else "Loading model…")

    @Slot(str)
    def set_model(self, name: str) -> None:
        self.model_label.setText(f"model: {name}")

    @Slot(str)
    def set_model_error(self, message: str) -> None:
        self.model_label.setText("model: not loaded")
        self.model_label.setToolTip(message)

    @Slot(str)
    def set_adapter(self, version: str) -> None:
        """``version`` of the active adapter; empty means the bare base model."""
        self.adapter_label.setText(f"adapter: {version or 'base'}")

    @Slot(str)
    def set_learning_state(self, state: str) -> None:
        """Free text from the learning supervisor: idle, waiting, training 40 %, new adapter…"""
        self.learning_label.setText(f"learning: {state}")

    def set_context(self, usage: tuple[int, int] | None) -> None:
        """``(tokens, context size)`` of the shown chat; ``None`` hides the gauge."""
        if usage is None:
            self.context_label.setText("")
            return
        used, size = usage
        self.context_label.setText(f"context: {used:,} / {size:,} ({100 * used // size}%)")

    def set_speed(self, tokens_per_second: float | None) -> None:
        self.speed_label.setText(f"{tokens_per_second:.1f} tok/s" if tokens_per_second else "")
