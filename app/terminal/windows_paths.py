"""Windows spellings of a place, brought to the one form the path readers judge.

Why: the path readers (`risky_paths`) know `~`, `$HOME` and POSIX folders, so a delete of
the user's folder spelt the Windows way passed them: `Remove-Item -Recurse
$env:USERPROFILE`, `rd /s /q C:\\Users\\alice`, `del /s %USERPROFILE%\\Documents`, or from
WSL `rm -rf /mnt/c/Users/alice`. Here the user-profile variables become `~` (the home
folder, on either system), the system-folder variables and drive letters become the path WSL
mounts them at (`C:\\Windows` is `/mnt/c/Windows`), and `describe` names what a Windows
drive holds: the drive itself, the users' folders, the system's.
"""

from __future__ import annotations

import re

# The user's profile folder as PowerShell (`$env:USERPROFILE`, `${env:HOME}`) and cmd
# (`%USERPROFILE%`, `%HOMEDRIVE%%HOMEPATH%`) spell it.
_PROFILE = re.compile(r"(?i)^(?:\$\{?env:(?:USERPROFILE|HOME)\}?|%USERPROFILE%|%HOME%|"
                      r"(?:\$\{?env:HOMEDRIVE\}?\$\{?env:HOMEPATH\}?)|%HOMEDRIVE%%HOMEPATH%)"
                      r"(?=[\\/]|$)")
_SYSTEM_ROOT = re.compile(r"(?i)^(?:\$\{?env:(?:SystemRoot|windir)\}?|%(?:SystemRoot|windir)%)"
                          r"(?=[\\/]|$)")
_SYSTEM_DRIVE = re.compile(r"(?i)^(?:\$\{?env:SystemDrive\}?|%SystemDrive%)(?=[\\/]|$)")
_DRIVE = re.compile(r"^([A-Za-z]):(?=[\\/]|$)")
# A path that starts the Windows way: its backslashes are separators, not escapes.
_WINDOWS_START = re.compile(r"^(?:[A-Za-z]:[\\/]|~\\|\$\{?HOME\}?\\|\$\{?env:|%\w+%)")
# What a Windows drive holds, as WSL mounts it (`/mnt/c`), and the words for it.
_PLACES = (
    (re.compile(r"^/mnt/([a-z])$"), "the whole Windows drive {drive}:"),
    (re.compile(r"(?i)^/mnt/([a-z])/Users$"), "every Windows user's folder ({path})"),
    (re.compile(r"(?i)^/mnt/([a-z])/Users/[^/]+$"), "the Windows home folder {path}"),
    (re.compile(r"(?i)^/mnt/([a-z])/Users/[^/]+/(?:Documents|Desktop|Downloads|Pictures|Music|"
                r"Videos|AppData|OneDrive|\.ssh)$"), "the Windows user folder {path}"),
    (re.compile(r"(?i)^/mnt/([a-z])/(?:Windows(?:/System32|/SysWOW64)?|Program Files"
                r"(?: \(x86\))?|ProgramData)$"), "the Windows system folder {path}"),
)


def posix_form(arg: str) -> str:
    """`arg` with a Windows start rewritten (`$env:USERPROFILE\\x` is `~/x`, `C:\\Users` is
    `/mnt/c/Users`, `%SystemRoot%` is `/mnt/c/Windows`); any other argument unchanged."""
    if not _WINDOWS_START.match(arg):
        return arg
    text = _PROFILE.sub("~", arg)
    text = _SYSTEM_ROOT.sub("C:/Windows", text)
    text = _SYSTEM_DRIVE.sub("C:", text).replace("\\", "/")
    return _DRIVE.sub(lambda match: f"/mnt/{match.group(1).lower()}", text)


def describe(path: str) -> str | None:
    """Plain words for a Windows drive, its users' folders or its system folders (as WSL
    mounts them, named as Windows does: `/mnt/c/Users/bob` is `C:\\Users\\bob`), else
    None."""
    for pattern, words in _PLACES:
        if match := pattern.match(path):
            drive = match.group(1).upper()
            return words.format(drive=drive, path=f"{drive}:" + (
                path[len("/mnt/c"):].replace("/", "\\") or "\\"))
    return None
