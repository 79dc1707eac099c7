"""Keys and browser data wiped through the programs that keep them, not through `rm`.

Why: deleting `~/.gnupg` or a browser profile is a delete of a precious folder
(`risky_paths`), but the same loss comes through the stores' own tools: `gpg --batch --yes
--delete-secret-keys …` removes private keys with no question asked (gpg asks for each key
when run by hand), and so does `secret-tool clear` for the desktop keyring's passwords;
and SQL that writes (`DELETE`, `DROP`, `UPDATE` …) given to `sqlite3` on
a database inside a browser profile erases history, saved logins or cookies. Whole stores go
the same way: every container volume (`docker volume prune -a`, `system prune --volumes`),
a cloud bucket emptied (`aws s3 rm s3://b --recursive`, `gsutil rm -r gs://b`), every
resource of every Kubernetes namespace (`kubectl delete all --all -A`). Listing keys,
exporting the public ones, reading a browser database (`SELECT`), `docker system prune`
without volumes and deleting one folder of a bucket stay quiet.
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


def _secret_tool(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`secret-tool clear ATTR VALUE…`: every stored secret that matches goes, unasked."""
    if args[:1] == ["clear"]:
        return ["deletes stored passwords or keys from your keyring (secret-tool clear)"]
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


def _containers(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [arg for arg in args if not arg.startswith("-")]
    every_volume = (words[:2] == ["volume", "prune"] and bool({"-a", "--all"} & set(args))) or (
        words[:2] == ["system", "prune"] and "--volumes" in args) or (
        words[:2] == ["volume", "rm"] and any("volume ls" in w for w in words[2:]))
    return ["deletes every container volume (the data of your databases and services)"] \
        if every_volume else []


def _bucket_root(url: str) -> bool:
    return bool(re.fullmatch(r"(?:s3|gs)://[^/]+/?", url))


def _cloud_storage(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`aws s3 rm s3://b --recursive`, `aws s3 rb s3://b --force`, `gsutil rm -r gs://b`,
    `gcloud storage rm -r gs://b`, `gsutil rb`: a whole bucket emptied."""
    words = [arg for arg in args if not arg.startswith("-")]
    recursive = bool({"-r", "-R", "--recursive", "--force", "-rf", "-fr"} & set(args))
    verb = next((w for w in words if w in ("rm", "rb")), "")
    if verb and any(map(_bucket_root, words)) and (recursive or verb == "rb"):
        return ["deletes a whole cloud storage bucket"]
    return []


def _kubectl(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    words = [arg for arg in args if not arg.startswith("-")]
    everywhere = bool({"-A", "--all-namespaces"} & set(args)) or bool(
        {"ns", "namespace", "namespaces"} & set(words[1:2]))
    if words[:1] == ["delete"] and "--all" in args and everywhere:
        return ["deletes every resource of every Kubernetes namespace"]
    return []


JUDGES: dict[str, Judge] = {
    "gpg": _gpg, "gpg2": _gpg, "sqlite3": _sqlite, "sqlite": _sqlite, "docker": _containers,
    "podman": _containers, "aws": _cloud_storage, "gsutil": _cloud_storage,
    "gcloud": _cloud_storage, "kubectl": _kubectl, "secret-tool": _secret_tool,
}
