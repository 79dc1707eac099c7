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


def _password_folder(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`pass rm -r NAME`: a whole folder of the password store (every entry in it) goes."""
    words = [a for a in args if not a.startswith("-")]
    recursive = any(re.fullmatch(r"-\w*r\w*|--recursive", a) for a in args)
    if words[:1] in (["rm"], ["remove"], ["delete"]) and recursive:
        return [f"deletes a whole folder of your password store ({words[-1]})"]
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
    namespaces = bool({"ns", "namespace", "namespaces"} & set(words[1:2]))
    everywhere = bool({"-A", "--all-namespaces"} & set(args)) or namespaces
    if words[:1] == ["delete"] and "--all" in args and everywhere:
        return ["deletes every resource of every Kubernetes namespace"]
    if words[:1] == ["delete"] and namespaces and words[2:]:
        return [f"deletes the Kubernetes namespace {words[2]} and everything in it"]
    return []


def _each(*judges: Judge) -> Judge:
    """One program judged by several rules of this module."""
    return lambda args, cwd, piped: [r for judge in judges for r in judge(args, cwd, piped)]


# Cloud resources that hold a service or its data; `aws` never asks, the others ask unless
# told not to (`--quiet`, `--yes`, `--force`).
_AWS_DELETES = re.compile(r"^(?:terminate-instances|delete-(?:stack|db-instance|db-cluster|cluster"
                          r"|bucket|table|repository|file-system|vpc|function|user|key-pair))$")
_NO_PROMPT = {"gcloud": {"--quiet", "-q"}, "az": {"--yes", "-y"}, "doctl": {"--force", "-f"}}


def _cloud_resources(name: str) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        words = [arg for arg in args if not arg.startswith("-")]
        deletes = any(map(_AWS_DELETES.match, words)) if name == "aws" else (
            "delete" in words and bool(_NO_PROMPT[name] & set(args)))
        return [f"deletes cloud resources with no question asked ({name} {' '.join(words[:3])})"
                ] if deletes else []
    return judge


_DROPS_STORE = re.compile(r"\bDROP\s+(?:DATABASE|SCHEMA)\b|\bFLUSHALL\b|\bFLUSHDB\b|"
                          r"\bdropDatabase\s*\(", re.I)
_DATABASE_CLIENTS = ("mysql", "mariadb", "psql", "redis-cli", "mongosh", "mongo", "valkey-cli",
                     "sqlite3", "clickhouse-client", "cqlsh")
_SHORT_KEEP = re.compile(r"^(?:\d+(?:s|sec|seconds?|m|min|minutes?|h|hours?)?|[0-9]+[KB]?)$")


def _database(args: list[str], _cwd: str | None, piped: list[str]) -> list[str]:
    """A whole database or key store dropped by its own client (`DROP DATABASE`, `FLUSHALL`,
    `db.dropDatabase()`), given as an argument or piped in; `dropdb NAME`."""
    if any(map(_DROPS_STORE.search, [*args, *piped])):
        return ["deletes a whole database (DROP DATABASE, FLUSHALL)"]
    return []


def fed_store_reasons(name: str, fed: str | None) -> list[str]:
    """The same for the text a database client reads on its input (`echo 'DROP DATABASE
    x' | mysql`, a here-document to `psql`)."""
    return _database([], None, [fed]) if name in _DATABASE_CLIENTS and fed else []


def _dropdb(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    names = [arg for arg in args if not arg.startswith("-")]
    return [f"deletes the database {names[-1]}"] if names and "--help" not in args else []


def _forge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`gh repo delete`, `glab repo delete`: a repository and its issues gone from the forge."""
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:2] == ["repo", "delete"]:
        return ["deletes a repository on the forge (its code, issues and history)"]
    return []


def _infrastructure(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`terraform destroy`, `apply -destroy`, `pulumi destroy`: every resource it manages."""
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:1] == ["destroy"] or (words[:1] == ["apply"] and "-destroy" in args):
        return ["destroys every resource this infrastructure code manages"]
    return []


def _git_push(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`git push --force origin main`, `+main`, `--mirror`, `--delete main`: the shared
    branch's history rewritten or removed on the remote (`--force-with-lease` on a branch
    of one's own is routine)."""
    words = [arg for arg in args if not arg.startswith("-")]
    if words[:1] != ["push"]:
        return []
    shared = [w for w in words[2:] if re.fullmatch(r"\+?(?:\S+:)?(?:main|master|trunk|"
                                                      r"production|prod|release)", w)]
    forced = bool({"--force", "-f", "--delete", "-d"} & set(args)) or any(
        w.startswith("+") for w in shared)
    if "--mirror" in args or (forced and shared):
        return ["rewrites or deletes the shared branch's history on the remote"]
    return []


def _journal(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`journalctl --vacuum-time=1s`, `--vacuum-size=1K`, `--vacuum-files=1`: the system log
    deleted down to nothing (keeping days or megabytes is routine)."""
    kept = [a.partition("=")[2] for a in args if a.startswith(("--vacuum-time=",
                                                                 "--vacuum-size="))]
    if any(_SHORT_KEEP.match(value) for value in kept) or "--vacuum-files=1" in args:
        return ["deletes the system logs (what happened on this machine)"]
    return []


JUDGES: dict[str, Judge] = {
    **dict.fromkeys(_DATABASE_CLIENTS, _database),
    "git": _git_push, "dropdb": _dropdb, "gh": _forge, "glab": _forge, "journalctl": _journal,
    **dict.fromkeys(("terraform", "tofu", "pulumi", "terragrunt"), _infrastructure),
    "gpg": _gpg, "gpg2": _gpg, "sqlite3": _sqlite, "sqlite": _sqlite, "docker": _containers,
    "az": _cloud_resources("az"), "doctl": _cloud_resources("doctl"),
    "podman": _containers, "aws": _each(_cloud_storage, _cloud_resources("aws")),
    "gsutil": _cloud_storage, "gcloud": _each(_cloud_storage, _cloud_resources("gcloud")),
    "kubectl": _kubectl, "secret-tool": _secret_tool, "pass": _password_folder,
    "gopass": _password_folder,
}
