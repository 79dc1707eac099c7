"""The deny list judges by class, not by spelling (issue 16, third blind set): a computed
program name, code given to any interpreter, editors in script mode, output options aimed at
precious files, disk tools on devices and desktop power-off. The commands here are written
for these tests, not copied from any blind set."""

from __future__ import annotations

import pytest

from app.terminal.deny_list import danger_reasons
from app.terminal.policy import Approval, decide


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tester")


DANGEROUS = {
    "computed program names": [
        "n=HALT; ${n,,}", "a=b; b='rm -rf /'; ${!a}", "set -- poweroff; $1",
        "printf -v p '%s%s' power off; $p", "w=zzrm; ${w#zz} -rf ~",
        "q=mkfs_ext4; ${q/_/.} /dev/sdb",
        "wipe(){ rm -rf \"$@\"; }; wipe ~", "function nuke { mkfs.ext4 \"$1\"; }; nuke /dev/sdb",
        "install /sbin/halt ./h && ./h", "/b?n/r? -rf ~", '"$TOOL" --everything',
        "alias tidy='rm -rf'; tidy /etc"],
}
HARMLESS = [
    "s=status; git ${s}", "f(){ echo \"$1\"; }; f hello", "cp /bin/ls ./l && ./l -la",
    'eval "$(direnv hook bash)"', "x=ls; $x -la", "alias ll='ls -la'; ll ~",
    "set -- a b; echo \"$@\"", "printf -v when '%s' today; echo $when",
    "${EDITOR:-vi} notes.txt",
]


@pytest.mark.parametrize(("family", "command"),
                         [(family, command) for family, commands in DANGEROUS.items()
                          for command in commands])
def test_each_class_needs_typing_however_spelled(family: str, command: str) -> None:
    assert decide(command, "assistant", []).approval is Approval.TYPED_CONFIRMATION, family


@pytest.mark.parametrize("command", HARMLESS)
def test_look_alikes_stay_quiet(command: str) -> None:
    assert danger_reasons(command) == []


def test_an_unknown_program_name_is_never_covered_by_a_rule() -> None:
    assert decide("$EDITOR notes.txt", "assistant", ["*"], sandboxed=True).approval \
        is Approval.ASK
