"""The deny list judges by class, not by spelling (issue 16, fifth blind set): deletes of
home through any wrapper. The commands here are written for these tests, not copied from
any blind set; look-alikes that must stay single-click sit beside them."""

from __future__ import annotations

import pytest

from app.terminal.deny_list import danger_reasons
from app.terminal.policy import Approval, decide


@pytest.fixture(autouse=True)
def fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/tester")


DANGEROUS = {
    "a delete of home through any wrapper": [
        "tar -czf /tmp/x.tgz --remove-files ~/Music",
        "cmake -E rm -rf $HOME/Videos",
        "/bin/busybox rm -r ~",
        "systemd-run --user --wait rm -rf ~/Pictures",
        "find $HOME -mindepth 1 -delete",
        "find ~/Music -exec shred -zu {} \\;",
        "echo ~/Videos | xargs rm -r",
        "zap(){ /bin/rm -rf \"$1\"; }; zap ~/Desktop",
        "b=(r m); \"${b[@]:0:1}${b[1]}\" -rf ~/.config",
        "T=$(echo mr | rev); $T -fr ~/Music",
        "python3 -c \"import shutil,pathlib; shutil.rmtree(pathlib.Path.home()/'Music')\"",
        "for x in Music Videos; do rm -rf ~/\"$x\"; done",
        "find / -maxdepth 1 -name 'b??t' -exec rm -rf {} +",
    ],
}

HARMLESS = [
    "rm -rf ./build", "find . -name '*.pyc' -delete", "rm -rf ~/project/build/out",
    "find ~/Downloads -name '*.part' -delete", "rm -rf ~/.cache/pip",
    "rsync -a --delete ~/Music/ /media/usb/Music/", "git commit -m 'never rm -rf ~'",
    "tar -czf music.tgz ~/Music", "find ~ -name '*.tmp' -delete",
]


@pytest.mark.parametrize(("family", "command"),
                         [(f, c) for f, cs in DANGEROUS.items() for c in cs])
def test_each_class_needs_typing_however_spelled(family: str, command: str) -> None:
    assert decide(command, "assistant", []).approval is Approval.TYPED_CONFIRMATION, family


@pytest.mark.parametrize("command", HARMLESS)
def test_look_alikes_stay_quiet(command: str) -> None:
    assert danger_reasons(command) == []
