"""A throwaway home folder with fake dotfiles and keys, for running destructive commands.

It lives under /var/tmp, not /tmp: the sandbox gives each command a private, empty /tmp, so
a home under /tmp would merely be invisible inside, and a test would never show that the
read-only part of the sandbox holds. `tree_digest` hashes everything in the tree (names,
modes, contents), so a test can show that nothing outside the working folder changed.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FAKE_FILES = {
    ".bashrc": "# fake bashrc\nexport PATH=$PATH\n",
    ".profile": "# fake profile\n",
    ".ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n",
    ".ssh/id_rsa": "-----BEGIN RSA PRIVATE KEY-----\nfake\n",
    ".ssh/authorized_keys": "ssh-ed25519 AAAAfake user@host\n",
    ".config/app/settings.toml": "key = 'value'\n",
    "documents/notes.txt": "my notes\n",
}


@contextmanager
def throwaway_home() -> Iterator[Path]:
    """A fresh home under /var/tmp with FAKE_FILES and a `work` folder; removed after."""
    home = Path(tempfile.mkdtemp(prefix="flywheel-test-home-", dir="/var/tmp")).resolve()
    try:
        for name, text in FAKE_FILES.items():
            (home / name).parent.mkdir(parents=True, exist_ok=True)
            (home / name).write_text(text)
        (home / "work").mkdir()
        (home / "work" / "project.txt").write_text("project file\n")
        yield home
    finally:
        for folder, _dirs, _files in os.walk(home):  # a `chmod -R 000` must not stop cleanup
            os.chmod(folder, stat.S_IRWXU)
        shutil.rmtree(home, ignore_errors=True)


def assert_throwaway(home: Path) -> None:
    """Refuse to go on unless `home` is one of ours: never the real home folder."""
    real = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve(), Path("/home").resolve()
    assert home.name.startswith("flywheel-test-home-") and home.parent == Path("/var/tmp")
    assert home not in real and not any(home == r or r.is_relative_to(home) for r in real)


def tree_digest(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Path → hash of mode and content (or link target) for everything under `root`,
    except `skip` and what is in it."""
    digest: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if skip is not None and here.is_relative_to(skip):
            dirs.clear()
            continue
        for name in sorted(dirs + files):
            path = here / name
            if path == skip:
                continue
            info = path.lstat()
            content = b""
            if stat.S_ISLNK(info.st_mode):
                content = os.readlink(path).encode()
            elif stat.S_ISREG(info.st_mode):
                content = path.read_bytes()
            digest[str(path.relative_to(root))] = hashlib.sha256(
                f"{info.st_mode:o}".encode() + b"\0" + content).hexdigest()
    return digest
