"""Firmware and boot entries: what the machine needs before any disk or system starts.

Why: a firmware image flashed from a file, or forced over the vendor's checks, can leave a
board that no longer starts; a deleted or reordered boot entry leaves a machine that boots
nothing. `flashrom -w` is read from the raw text (`runaway_work`); these judges read the
tools made for it: `fwupdmgr`/`fwupdtool` installing a local file or forcing a downgrade,
and `efibootmgr` changing the entries. Listing (`fwupdmgr get-devices`, `efibootmgr -v`)
and updates from the vendor service (`fwupdmgr update`) stay quiet. Deleting the EFI
variables themselves (`rm /sys/firmware/efi/efivars/*`) is a system folder for
`risky_paths`.
"""

from __future__ import annotations

from collections.abc import Callable

from app.terminal.command_words import options

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_FLASH_VERBS = frozenset({"install", "local-install", "downgrade", "reinstall", "install-blob",
                          "flash-firmware", "switch-branch"})
_FORCING = frozenset({"--force", "--allow-older", "--allow-reinstall", "--allow-branch-switch",
                      "--ignore-checksum", "--ignore-vid-pid", "--ignore-power",
                      "--no-safety-check"})
# efibootmgr's options that write the firmware's boot variables.
_BOOT_WRITES_SHORT = frozenset("BAaCcOoNnTt")
_BOOT_WRITES_LONG = frozenset({"--delete-bootnum", "--inactive", "--active", "--create",
                               "--create-only", "--bootorder", "--delete-bootorder", "--bootnext",
                               "--delete-bootnext", "--timeout", "--delete-timeout"})


def _fwupd(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    _short, long_, words = options(args)
    if (words[:1] and words[0] in _FLASH_VERBS) or long_ & _FORCING:
        return ["flashes firmware from a file or past the vendor's checks (a failed flash can "
                "leave the machine unable to start)"]
    return []


def _efibootmgr(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    short, long_, _words = options(args, valued="bdelLopumMtTwF")
    if short & _BOOT_WRITES_SHORT or long_ & _BOOT_WRITES_LONG:
        return ["changes the firmware's boot entries (the machine may no longer start)"]
    return []


JUDGES: dict[str, Judge] = {"fwupdmgr": _fwupd, "fwupdtool": _fwupd, "efibootmgr": _efibootmgr}
