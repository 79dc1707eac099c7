"""A stand-in for bubblewrap whose probe ends only when the test lets it.

The sandbox probe starts a bwrap process and can take seconds on a real system. This one is a
real program on PATH that counts its starts and then waits on a named pipe, so a test can
hold the probe open and show who waits for it (a worker) and who does not (the UI thread).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.terminal import runner


class HeldBwrap:
    """``bwrap`` in ``folder``; :meth:`release` lets a waiting probe succeed."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder = folder
        self.gate = folder / "gate"
        self.starts = folder / "starts"
        os.mkfifo(self.gate)
        script = folder / "bwrap"
        script.write_text(f'#!/bin/sh\necho started >> "{self.starts}"\n'
                          f'read line < "{self.gate}"\nexit 0\n')
        script.chmod(0o755)

    def probes(self) -> int:
        """How many times bwrap was started."""
        return len(self.starts.read_text().splitlines()) if self.starts.exists() else 0

    def release(self) -> bool:
        """Let the waiting probe finish; False while no probe is waiting yet."""
        try:
            gate = os.open(self.gate, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: nobody reads the pipe yet
            return False
        os.write(gate, b"go\n")
        os.close(gate)
        return True


def hold_the_sandbox_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HeldBwrap:
    """Put a held bwrap first on PATH and forget any earlier probe result."""
    bwrap = HeldBwrap(tmp_path / "held-bwrap")
    monkeypatch.setenv("PATH", f"{bwrap.folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(runner, "_SANDBOX", runner._SandboxProbe())
    return bwrap
