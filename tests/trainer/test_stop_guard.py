"""A stop request must reach the trainer wherever the signal lands.

The app stops an idle run with SIGTERM; :class:`trainer.loop.StopGuard` turns it into
:class:`~trainer.loop.Preempted` in whatever code runs at that moment. Code that turns any
failure of untrusted input into its own error (a model's chat template: ``except Exception``)
must not swallow it, or the run goes on to the end while the user waits.
"""

from __future__ import annotations

import os
import signal

import pytest

from app.model import prompt
from trainer.loop import Preempted, StopGuard


class _SignalledTemplate:
    """A compiled template during whose rendering the stop signal arrives."""

    def render(self, **_: object) -> str:
        os.kill(os.getpid(), signal.SIGTERM)
        return "rendered"


def test_a_stop_during_a_chat_template_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(prompt, "_compiled", lambda _template: _SignalledTemplate())
    guard = StopGuard()
    guard.install()
    try:
        with pytest.raises(Preempted):
            prompt.render_chat([{"role": "user", "content": "hi"}], template="any")
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert guard.requested
