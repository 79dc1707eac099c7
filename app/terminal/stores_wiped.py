"""Keys and browser data wiped through the programs that keep them, not through `rm`.

Why: deleting `~/.gnupg` or a browser profile is a delete of a precious folder
(`risky_paths`), but the same loss comes through the stores' own tools: `gpg --batch --yes
--delete-secret-keys …` removes private keys with no question asked (gpg asks for each key
when run by hand), and SQL that writes (`DELETE`, `DROP`, `UPDATE` …) given to `sqlite3` on
a database inside a browser profile erases history, saved logins or cookies. Listing keys,
exporting the public ones, and reading a browser database (`SELECT`) stay quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.terminal import risky_paths as paths

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_DELETES_SECRET = frozenset({"--delete-secret-keys", "--delete-secret-key",
                             "--delete-secret-and-public-keys", "--delete-secret-and-public-key"})
_UNASKED = frozenset({"--batch", "--yes"})
_WRITING_SQL = re.compile(r"\b(?:DELETE|DROP|UPDATE|INSERT|REPLACE|ALTER|VACUUM\s+INTO|ATTACH)\b",
                          re.I)


def _gpg(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if _DELETES_SECRET & set(args) and _UNASKED & set(args):
        return ["deletes your private keys without asking (gpg --batch --yes)"]
    return []


def _browser_store(arg: str, cwd: str | None) -> bool:
    path = paths.expand(arg, cwd)
    home = paths.home()
    return path is not None and any(path.startswith(f"{home}/{browser}/")
                                    for browser in paths.BROWSER_DIRS)


def _sqlite(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    files = [arg for arg in args if not arg.startswith("-")]
    if files and _browser_store(files[0], cwd) and any(map(_WRITING_SQL.search, files[1:])):
        return [f"changes or erases your browser's data in {files[0]} (history, logins, "
                "cookies)"]
    return []


JUDGES: dict[str, Judge] = {"gpg": _gpg, "gpg2": _gpg, "sqlite3": _sqlite, "sqlite": _sqlite}
