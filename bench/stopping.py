"""Stopping a long benchmark with ``kill`` stops what it started too.

``bench.community`` runs a hub and trainers as child processes, ``bench.learning`` a trainer.
Python's default SIGTERM ends the bench at once: no ``finally`` runs, and the children were
left running for hours on the two cores the next measurement needed. Here SIGTERM ends the
children first, then exits through ``SystemExit`` so clean-up code runs as for Ctrl+C.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType

import psutil


def end_children_on_sigterm() -> None:
    """Install the handler: every descendant gets SIGTERM, then this process exits 143."""

    def on_term(signum: int, _frame: FrameType | None) -> None:
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child.terminate()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
