"""Keys and browser data wiped through the programs that keep them, not through `rm`.

Why: deleting `~/.gnupg` or a browser profile is a delete of a precious folder
(`risky_paths`), but the same loss comes through the stores' own tools: `gpg --batch --yes
--delete-secret-keys …` removes private keys with no question asked (gpg asks for each key
when run by hand), and so does `secret-tool clear` for the desktop keyring's passwords;
and SQL that writes (`DELETE`, `DROP`, `UPDATE` …) given to `sqlite3` on
a database inside a browser profile erases history, saved logins or cookies. Other stores
kept on this machine or its forge go the same way: every container volume (`docker volume
prune -a`, `system prune --volumes`), a repository deleted on the forge with its question
answered (`gh repo delete --yes`), the shared branch force-pushed, the journal vacuumed to
nothing. Listing keys, exporting the public ones, reading a browser database (`SELECT`),
`docker system prune` without volumes stay quiet. Cloud, cluster and platform resources
are `cloud_wiped`'s; databases, key stores and backups `data_wiped`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.git_options import git_subcommand

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


def _secret_tool(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`secret-tool clear ATTR VALUE…`: every stored secret that matches goes, unasked."""
    if args[:1] == ["clear"]:
        return ["deletes stored passwords or keys from your keyring (secret-tool clear)"]
    return []


def _password_folder(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`pass rm -r NAME`: a whole folder of the password store (every entry in it) goes; so
    it does through the store's own repository (`pass git rm -r .`)."""
    words = [a for a in args if not a.startswith("-")]
    recursive = any(re.fullmatch(r"-\w*r\w*|--recursive", a) for a in args)
    words = words[1:] if words[:1] == ["git"] else words
    if words[:1] in (["rm"], ["remove"], ["delete"]) and recursive:
        return [f"deletes a whole folder of your password store ({words[-1]})"]
    return []


def _browser_store(arg: str, cwd: str | None) -> bool:
    path = paths.expand(arg, cwd)
    home = paths.home()
    return path is not None and any(path.startswith(f"{home}/{browser}/")
                                    for browser in paths.BROWSER_DIRS)


# Where desktop applications keep their own data (notes, mail, messages, collections).
_APP_DATA = re.compile(r"/(?:\.local/share|\.config|\.var/app|Library/Application Support)/.+")
# A whole table emptied or dropped: `DELETE FROM t` with no `WHERE`, `DROP TABLE`, `TRUNCATE`.
_EMPTIES_TABLE = re.compile(r"\bDELETE\s+FROM\s+[\w.\"`]+\s*(?:;|$)|\bDROP\s+TABLE\b|"
                            r"\bTRUNCATE\b", re.I)


def _sqlite(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """SQL that writes on a browser's database; SQL that empties or drops a whole table of
    a desktop application's own database (`~/.local/share/app/data.db`: the app keeps no
    other copy; a project's `./app.db` is the user's)."""
    files = [arg for arg in args if not arg.startswith("-")]
    if files and _browser_store(files[0], cwd) and any(map(_WRITING_SQL.search, files[1:])):
        return [f"changes or erases your browser's data in {files[0]} (history, logins, "
                "cookies)"]
    path = paths.expand(files[0], cwd) if files else None
    if path and path.startswith(paths.home() + "/") and _APP_DATA.match(
            path[len(paths.home()):]) and any(map(_EMPTIES_TABLE.search, files[1:])):
        return [f"empties a table of an application's own data in {files[0]} (it keeps no "
                "other copy)"]
    return []


def _flags(args: list[str]) -> set[str]:
    """Long options as written and each letter of a short cluster (`-af` is `-a -f`)."""
    return {a.partition("=")[0] for a in args if a.startswith("--")} | {
        f"-{c}" for a in args if re.fullmatch(r"-[a-zA-Z]+", a) for c in a[1:]}


def _containers(args: list[str], _cwd: str | None, _piped: list[str], podman: bool = False
                ) -> list[str]:
    """Every volume: pruned with `--all` (podman's prune takes every unused one, named or
    not, without it), removed with `--all` or with a listing of them, pruned with the
    system, a whole store reset (`podman system reset --force`), or a project taken down
    with its volumes and every image (`compose -f prod.yml down -v --rmi all`; `down -v`
    alone is a project's routine reset, as the fifth and eighth sets label it)."""
    words = [arg for arg in args if not arg.startswith("-")]
    every = bool({"-a", "--all"} & _flags(args))
    every_volume = (words[:2] == ["volume", "prune"] and (every or podman)) or (
        words[:2] == ["system", "prune"] and "--volumes" in args) or (
        words[:2] == ["volume", "rm"] and (every or any("volume ls" in w for w in words[2:])))
    reset = words[:2] == ["system", "reset"] and bool({"-f", "--force"} & _flags(args))
    down = words[:1] == ["compose"] and "down" in words[1:3]  # `compose -f prod.yml down`
    wiped = down and bool({"-v", "--volumes"} & _flags(args)) and "all" in [
        value for flag, value in pairwise(args) if flag == "--rmi"] + [
        a.partition("=")[2] for a in args if a.startswith("--rmi=")]
    if reset or wiped:
        return ["deletes every container, image and volume it has (the data of your databases"
                " and services)"]
    return ["deletes every container volume (the data of your databases and services)"] \
        if every_volume else []


def _compose(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """`docker-compose …` is `docker compose …`."""
    return _containers(["compose", *args], cwd, piped)


def _podman(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    return _containers(args, cwd, piped, podman=True)


_EXPIRES_ALL = re.compile(r"--expire(?:-unreachable)?=(?:now|all|0+|\d+[.\s]*(?:s|secs?|seconds?|"
                          r"m|mins?|minutes?|h|hours?)(?:[.\s]*ago)?)", re.I)
_SHORT_KEEP = re.compile(r"^(?:\d+(?:s|sec|seconds?|m|min|minutes?|h|hours?)?|[0-9]+[KB]?)$")


def _forge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gh repo delete NAME --yes`, `glab repo delete -y`: a repository and its issues gone
    from the forge (without `--yes` both make you type its name)."""
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:2] == ["repo", "delete"] and {"--yes", "-y"} & set(args):
        return ["deletes a repository on the forge (its code, issues and history)"]
    return []


def _git_push(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`git push --force origin main`, `+main`, `--mirror`, `--delete main`: the shared
    branch's history rewritten or removed on the remote (`--force-with-lease` on a branch
    of one's own is routine)."""
    args = git_subcommand(args)
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:1] != ["push"]:
        return []
    shared = [w for w in words[2:] if re.fullmatch(r"\+?(?:.*:)?(?:refs/heads/)?(?:main|master|"
                                                      r"trunk|production|prod|release)", w, re.S)]
    forced = bool({"--force", "-f", "--delete", "-d"} & set(args)) or any(
        w.startswith(("+", ":")) for w in shared)  # `:main` pushes nothing onto it: a delete
    if "--mirror" in args or (forced and (shared or "--all" in args)):
        return ["rewrites or deletes the shared branch's history on the remote"]
    return []


def _git(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    """The remote's history (`_git_push`) and the local safety net: `git reflog expire
    --expire=now` (or `--expire-unreachable=now`) forgets where every dropped commit was, so
    what a reset, rebase or deleted branch left behind is gone for good at the next gc.
    A time of minutes or hours (`--expire=1.hour.ago`, `0.seconds`) leaves as little.
    Expiring old entries (`--expire=90.days.ago`) is routine upkeep."""
    words = [arg for arg in git_subcommand(args) if not arg.startswith("-")]
    expired = words[:2] == ["reflog", "expire"] and any(map(_EXPIRES_ALL.fullmatch, args))
    return _git_push(args, cwd, piped) + (
        ["deletes the reflog, what brings back commits a reset or a deleted branch dropped"]
        if expired else [])


def _journal(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`journalctl --vacuum-time=1s`, `--vacuum-size=1K`, `--vacuum-files=1`: the system log
    deleted down to nothing (keeping days or megabytes is routine)."""
    kept = [a.partition("=")[2] for a in args if a.startswith(("--vacuum-time=",
                                                                 "--vacuum-size="))]
    if any(_SHORT_KEEP.match(value) for value in kept) or "--vacuum-files=1" in args:
        return ["deletes the system logs (what happened on this machine)"]
    return []


JUDGES: dict[str, Judge] = {
    "git": _git, "gh": _forge, "glab": _forge, "journalctl": _journal,
    "gpg": _gpg, "gpg2": _gpg, "sqlite3": _sqlite, "sqlite": _sqlite, "docker": _containers,
    "nerdctl": _containers, "podman": _podman, "docker-compose": _compose,
    "podman-compose": _compose,
    "secret-tool": _secret_tool, "pass": _password_folder,
    "gopass": _password_folder,
}
