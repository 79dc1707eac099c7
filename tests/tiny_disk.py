"""A real, tiny file system for tests of a full or read-only disk.

An 8 MB tmpfs (mounting needs root, as the test machine has; elsewhere the test is skipped):
a real full disk makes SQLite, the model worker and the CLI fail the way a user's would,
which no patched write could show.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def mounted(folder: Path) -> Iterator[Path]:
    """An 8 MB tmpfs mounted on `folder/tiny` for the duration; skips the test if it can't."""
    mount = folder / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(mount: Path) -> None:
    """Write to `mount` until the disk is full."""
    with (mount / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
