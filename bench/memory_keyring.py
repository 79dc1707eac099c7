"""A keyring that lives in memory only, for the benches and the tests.

The community bench gives each simulated member one (its membership token and signing key
never reach the machine's keyring), and every test runs on one, also in the ``flywheel``
subprocesses it starts, which load it by name (``PYTHON_KEYRING_BACKEND``), so the machine's
keyring, or its absence, decides neither. It lives in ``bench/`` because the benches may not
import ``tests/`` while the tests may import ``bench/``, and a test double has no place in
``app/``.
"""

from __future__ import annotations

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in memory only: nothing touches the real one or a file."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
