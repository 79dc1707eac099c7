"""The two tests every blind round of the deny list repeats (issue 16), written once.

Every blind round's walls are tried the same way: each dangerous command, by its family,
must need the typed confirmation, and each harmless look-alike must raise no reason at all.
A round's module keeps only its own commands and tests, imports `fixed_home as fixed_home`
(pytest finds the fixture by its name in the module; the alias tells ruff it is used), and
binds the tests these functions build under its own `test_*` names, so a failure still names
the round, the family and the command.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest

from app.terminal.deny_list import danger_reasons
from app.terminal.policy import Approval, decide


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases write home both as `~` and as /home/tester, so both must mean one folder."""
    monkeypatch.setenv("HOME", "/home/tester")


def needs_typing_test(dangerous: Mapping[str, Sequence[str]]) -> Callable[[str, str], None]:
    """A test, one case per command, that each family's commands need the typed confirmation."""

    @pytest.mark.parametrize(("family", "command"),
                             [(family, command) for family, commands in dangerous.items()
                              for command in commands])
    def needs_typing(family: str, command: str) -> None:
        assert decide(command, "assistant", []).approval is Approval.TYPED_CONFIRMATION, family

    return needs_typing


def stays_quiet_test(harmless: Sequence[str]) -> Callable[[str], None]:
    """A test, one case per command, that no harmless look-alike raises a reason."""

    @pytest.mark.parametrize("command", list(harmless))
    def stays_quiet(command: str) -> None:
        assert danger_reasons(command) == []

    return stays_quiet
