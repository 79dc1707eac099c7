"""Whole databases, key stores and backups deleted by their own tools.

Why: the data a service keeps — a database, a keyspace, every table of a schema, every key of
etcd or Consul, a secrets engine of Vault, every backup of a repository — goes in one line
through the store's own client, and a backup is what would have brought it back. The line
drawn, by what is harmed rather than by spelling:

- needs typing: a statement that removes a database, schema or keyspace, everything a role
  owns, or follows foreign keys into tables not named (`TRUNCATE … CASCADE`); statements
  built from the catalog for every table and run, or every collection listed and dropped
  (`db.getCollectionNames().forEach(… .drop())`); a whole key store, bucket or secrets engine
  emptied; a framework's drop or reset task with its question or production guard switched
  off (`--noinput`, `--force`, `DISABLE_DATABASE_ENVIRONMENT_CHECK=1`, `RAILS_ENV=production`);
  a backup repository deleted, or pruned down to one snapshot, none or the last hours'
  (`--keep-within 1h`, `duplicity remove-all-but-n-full 1 --force`); WordPress's database
  reset, dropped or emptied with `--yes`; a database server killed with SIGKILL (what it
  was writing is lost); every system snapshot (`timeshift --delete-all --yes`); deleting what a
  tool's own listing printed (`… list | xargs … delete`, `delete $(… list)`);
- stays quiet: one named table, row set or key (`DROP TABLE tmp`, `DELETE FROM sessions`,
  `etcdctl del /app/x`), one archive or snapshot, a retention policy that keeps several,
  a task that still asks (`manage.py flush`, `mysqladmin drop`), `--help` and dry runs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from itertools import pairwise

from app.terminal.cloud_wiped import positional, previews
from app.terminal.command_words import SHELLS, resolve
from app.terminal.database_grants import grant_reasons
from app.terminal.git_options import git_subcommand
from app.terminal.shell_syntax import Command

Judge = Callable[[list[str], str | None, list[str]], list[str]]

_DROPS_STORE = re.compile(r"\bDROP\s+(?:DATABASE|SCHEMA|KEYSPACE|OWNED\s+BY|ALL\s+OBJECTS)\b|"
                          r"\bTRUNCATE\b[^;]*\bCASCADE\b|\bFLUSHALL\b|\bFLUSHDB\b|"
                          r"\bdropDatabase\s*\(", re.I)
_FROM_CATALOG = re.compile(r"\b(?:DROP\s+TABLE|TRUNCATE|DROP\s+VIEW)\b.*\b(?:information_schema"
                           r"|pg_tables|pg_class|pg_catalog|sqlite_master|sqlite_schema|sys\.tables"
                           r"|all_tables|user_tables)\b", re.I | re.S)
# MongoDB: every collection listed and dropped or emptied in a loop.
_EVERY_COLLECTION = re.compile(r"\bgetCollection(?:Names|Infos)\s*\(.*\.(?:drop|deleteMany|remove)"
                               r"\s*\(", re.S)
_RUNS_BUILT = re.compile(r"\\gexec\b|\bEXECUTE\b|\bEXEC\s*\(", re.I)
DATABASE_CLIENTS = ("mysql", "mariadb", "psql", "redis-cli", "mongosh", "mongo", "valkey-cli",
                    "sqlite3", "clickhouse-client", "cqlsh", "mysqlsh", "usql", "pgcli",
                    "mycli", "duckdb", "sqlcmd", "cockroach", "snowsql", "trino", "bq")


def _sql_reasons(texts: list[str]) -> list[str]:
    if any(map(_DROPS_STORE.search, texts)):
        return ["deletes a whole database (DROP DATABASE, FLUSHALL, TRUNCATE … CASCADE)"]
    if any((_FROM_CATALOG.search(t) and _RUNS_BUILT.search(t)) or _EVERY_COLLECTION.search(t)
           for t in texts):
        return ["drops or empties every table of a database (statements built from its "
                "catalog)"]
    return []


def _database(args: list[str], _cwd: str | None, piped: list[str]) -> list[str]:
    """A whole database, key store or every table removed by its own client, the SQL given
    as an argument or piped in (`DROP DATABASE`, `FLUSHALL`, `db.dropDatabase()`)."""
    return _sql_reasons([*args, *piped])


def _dropdb(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`dropdb NAME` never asks unless told to (`-i`)."""
    names = positional(args)
    quiet = previews(args) or {"-i", "--interactive"} & set(args)
    return [f"deletes the database {names[-1]}"] if names and not quiet else []


def _unasked(tool: Callable[[list[str]], str]) -> Judge:
    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        harmed = "" if previews(args) else tool(args)
        return [f"deletes {harmed} with no question asked"] if harmed else []
    return judge


def _mysqladmin(args: list[str]) -> str:
    return "a whole database" if "drop" in positional(args) and {"-f", "--force"} & set(
        args) else ""


def _influx(args: list[str]) -> str:
    return "a whole InfluxDB bucket or organisation" if positional(args)[:2] in (
        ["bucket", "delete"], ["org", "delete"]) else ""


def _etcd(args: list[str]) -> str:
    """`etcdctl del "" --prefix`, `del / --prefix`, `del --from-key ""`: every key."""
    keys = positional(args)[1:2]
    every = keys in ([""], ["/"], ["\\0"], ["\x00"]) and bool({"--prefix", "--from-key"} & set(
        args))
    return "every key of the etcd store" if positional(args)[:1] in (["del"], ["delete"]) and \
        every else ""


def _consul(args: list[str]) -> str:
    words = positional(args)
    every = words[:2] == ["kv", "delete"] and words[2:] in ([], [""], ["/"])
    return "every key of the Consul store" if every and "-recurse" in args else ""


def _vault(args: list[str]) -> str:
    """`vault secrets disable PATH` (every secret of that engine goes with it)."""
    words = positional(args)
    gone = words[:2] == ["secrets", "disable"] or (
        words[:1] == ["delete"] and any(w.startswith("sys/mounts/") for w in words))
    return "a Vault secrets engine and every secret in it" if gone else ""


_TEARS_DOWN = re.compile(r"db:(?:drop|reset|purge|schema:load|truncate_all|migrate:reset|"
                         r"seed:replant|setup)(?::all)?")
_PRODUCTION = re.compile(r"(?:RAILS_ENV|RACK_ENV|APP_ENV|NODE_ENV)=prod(?:uction)?|"
                         r"DISABLE_DATABASE_ENVIRONMENT_CHECK=(?:1|true|yes)")


def _rails(args: list[str], settings: list[str]) -> list[str]:
    """`rails db:drop` with the production guard off or production named: the framework
    refuses to drop a production database unless told."""
    if any(map(_TEARS_DOWN.fullmatch, args)) and any(map(_PRODUCTION.fullmatch,
                                                         [*args, *settings])):
        return ["deletes the application's database with its production guard switched off"]
    return []


def _framework(args: list[str]) -> str:
    """A framework's drop or reset task with its question switched off: Django `flush
    --noinput`, Laravel `migrate:fresh --force`, Symfony `doctrine:database:drop --force`,
    `prisma migrate reset --force`, `dotnet ef database drop --force`."""
    words = positional(args)
    script = words[0].rsplit("/", 1)[-1] if words else ""
    task = words[1] if script in ("manage.py", "artisan", "console") and words[1:] else (
        words[0] if words else "")
    unasked = {"--noinput", "--no-input", "--force", "-f", "--force-reset"} & set(args)
    tears = re.fullmatch(r"flush|reset_db|migrate:(?:fresh|reset|refresh)|db:wipe|"
                         r"doctrine:(?:database|schema):drop", task) or words[:2] in (
        ["migrate", "reset"], ["db", "push"]) or words[:3] == ["ef", "database", "drop"]
    return "the application's database" if tears and unasked else ""


def _wordpress(args: list[str]) -> str:
    """`wp db reset|drop|clean --yes`, `wp site empty --yes`: every table (or every post)
    of the site, with wp-cli's question answered."""
    words = positional(args)
    wiped = words[:2] in (["db", "reset"], ["db", "drop"], ["db", "clean"], ["site", "empty"])
    return "the WordPress site's database" if wiped and "--yes" in args else ""


def _schema_tools(args: list[str]) -> str:
    """`flyway clean`, `liquibase dropAll`: every object of the schema, and neither asks."""
    words = [w.lower() for w in positional(args)]
    return "every table of the database" if {"clean", "dropall", "drop-all"} & set(words) \
        else ""


# A `--keep-within` window in hours alone: under a day of history.
_HOURS_ONLY = re.compile(r"\d+[hH]")


def _kept(args: list[str], prefix: str) -> int | None:
    """How many snapshots a `--keep-*` policy keeps in all; None when there is none, or
    when it keeps by tag or by a window of a day or more (`--keep-within 7d`). A window of
    hours (`--keep-within 1h`) counts as keeping none: every older backup goes."""
    total, found = 0, False
    for i, arg in enumerate(args):
        name, _, value = arg.partition("=")
        value = value or (args[i + 1] if i + 1 < len(args) else "")
        if name.startswith(f"{prefix}within"):
            if not _HOURS_ONLY.fullmatch(value):
                return None
            found = True
        elif name.startswith(f"{prefix}tag"):
            return None
        elif name.startswith(prefix):
            if not value.isdigit():
                return None
            total, found = total + int(value), True
    return total if found else None


def _restic(args: list[str]) -> str:
    kept = _kept(args, "--keep-")
    return "every backup snapshot but one (or but the last hours')" if "forget" in \
        positional(args, frozenset({"--keep-within", "-r", "--repo"})) and \
        kept is not None and kept <= 1 else ""


_BORG_VALUED = frozenset({"-a", "--glob-archives", "--match-archives", "-P", "--prefix", "-r",
                          "--repo", "--rsh", "--remote-path", "--lock-wait"})


def _borg(args: list[str]) -> str:
    """`borg delete REPO` (no `::ARCHIVE`), `borg rdelete`, `prune` keeping one or none."""
    words = positional(args, _BORG_VALUED)
    picked = [args[i + 1] for i, a in enumerate(args[:-1]) if a in _BORG_VALUED - {"-r", "--repo"}]
    picked += [a.partition("=")[2] for a in args if a.startswith(("--glob-archives=",
                                                                   "--match-archives="))]
    if words[:1] in (["rdelete"], ["repo-delete"]) or (words[:1] == ["delete"] and not any(
            "::" in w for w in words[1:]) and all(p in ("*", "sh:*") for p in picked)):
        return "a whole backup repository (every archive in it)"
    kept = _kept(args, "--keep-")
    return "every backup archive but one (or but the last hours')" if words[:1] == [
        "prune"] and kept is not None and kept <= 1 else ""


# Duplicity's age spellings of "every backup": now, or seconds to hours.
_NOW = re.compile(r"now|\d+[smh]")  # `M` is months


def _duplicity(args: list[str]) -> str:
    """`remove-all-but-n-full 1 --force`, `remove-all-inc-of-but-n-full 0`, `remove-older-than
    now --force`: every backup chain but one, or all of them (without `--force` duplicity
    only lists what it would remove)."""
    words = positional(args)
    if "--force" not in args or len(words) < 2:
        return ""
    if words[0] in ("remove-all-but-n-full", "remove-all-inc-of-but-n-full") and \
            words[1].isdigit() and int(words[1]) <= 1:
        return "every backup chain but one"
    return "every backup older than now" if words[0] == "remove-older-than" and \
        _NOW.fullmatch(words[1]) else ""


def _kopia(args: list[str]) -> str:
    words = positional(args)
    return "every snapshot of a source" if words[:2] == ["snapshot", "delete"] and \
        "--all-snapshots-for-source" in args else ""


def _tarsnap(args: list[str]) -> str:
    return "every archive stored with tarsnap" if "--nuke" in args else ""


def _timeshift(args: list[str]) -> str:
    """`timeshift --delete-all --yes` (or `--scripted`): every system snapshot, unasked."""
    return "every system snapshot" if "--delete-all" in args and {"--yes", "--scripted"} & \
        set(args) else ""


# Database servers by their process names: killed with SIGKILL they stop mid-write, with no
# checkpoint, and the transactions in flight are lost (a plain TERM shuts them down cleanly).
_SERVERS = re.compile(r"postgres|postmaster|mysqld|mariadbd|mongod|redis-server|valkey-server|"
                      r"clickhouse-server|cassandra|etcd|influxd|elasticsearch|cockroach|"
                      r"sqlservr|oracle|couchdb|neo4j")
_SIGKILL = re.compile(r"-(?:9|KILL|SIGKILL)|--signal=(?:9|KILL|SIGKILL)")


def _killed_server(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`pkill -9 postgres`, `killall -s KILL mongod`, `pkill -KILL -f redis-server`, and
    `kill -9 $(pidof mysqld)`: the pid a lookup finds."""
    signalled = any(map(_SIGKILL.fullmatch, args)) or any(
        a in ("-s", "--signal") and b.upper().removeprefix("SIG") in ("9", "KILL")
        for a, b in pairwise(args))
    servers = [w for w in args if not w.startswith("-") and _SERVERS.fullmatch(w)] + [
        m.group(0) for a in args if re.search(r"\b(?:pidof|pgrep)\b", a)
        for m in re.finditer(rf"(?<![\w-])(?:{_SERVERS.pattern})(?![\w-])", a)]
    return [f"kills the database server {servers[0]} mid-write (SIGKILL: what it was writing "
            "is lost)"] if signalled and servers else []


# A git listing of every tag or remote branch (`git tag`, `git branch -r`, `for-each-ref`,
# `ls-remote`); a pattern, `--merged` or `--contains` makes it the user's pick.
_GIT_LISTS = (["tag"], ["branch"], ["for-each-ref"], ["ls-remote"])
_GIT_PICKS = re.compile(r"--(?:merged|no-merged|contains|points-at|sort)(?:=.*)?")


def _git_listing(words: list[str]) -> bool:
    resolved = resolve(words)
    if resolved.name != "git":
        return False
    sub = git_subcommand(resolved.args)
    named = [w for w in sub[1:] if not w.startswith("-")]
    return sub[:1] in _GIT_LISTS and not any(map(_GIT_PICKS.fullmatch, sub)) and all(
        re.fullmatch(r"refs/(?:tags|remotes|heads)(?:/\w+)?/?|origin|upstream", w) or
        "%(" in w for w in named)


def _git_deletes_listed(args: list[str], listed: list[list[str]]) -> bool:
    """`git tag -l | xargs git push --delete origin`, `git push origin --delete $(git tag)`:
    every tag or branch of the remote deleted; a `grep` that keeps some (not `grep -v`)
    on the way makes it a pick."""
    sub = git_subcommand(args)
    picked = any(resolve(words).name in ("grep", "egrep", "rg") and not any(
        re.fullmatch(r"-\w*v\w*|--invert-match", w) for w in words) for words in listed)
    return sub[:1] == ["push"] and bool({"--delete", "-d"} & set(sub)) and not picked and \
        any(_git_listing(words) for words in listed if words)


# Tools whose delete of what their own listing printed empties a whole store.
_LISTED = frozenset({"openstack", "kopia", "restic", "borg", "aws", "gcloud", "az", "doctl",
                     "kubectl", "virsh", "b2", "gsutil", "s3cmd", "mc", "helm", "vault"})
_LISTS = re.compile(r"(?:list|ls|get|snapshots|describe-[\w-]+|list-[\w-]+)")
_DELETES = re.compile(r"(?:delete|rm|rb|destroy|forget|remove|purge|undefine|uninstall|"
                      r"terminate-[\w-]+|delete-[\w-]+)")
_FILTERS = re.compile(r"--?(?:l|selector|field-selector|filters?|tags?|host|path|status)(?:=.*)?")


def _listing(words: list[str], name: str) -> bool:
    resolved = resolve(words)
    return resolved.name == name and any(map(_LISTS.fullmatch, resolved.args)) and not any(
        map(_FILTERS.fullmatch, resolved.args))


def _deletes_listed(name: str, args: list[str], via_xargs: bool, upstream: list[Command]) -> bool:
    if name != "git" and (name not in _LISTED or not any(map(_DELETES.fullmatch,
                                                               positional(args)))):
        return False
    listed = []
    for text in (m.group(1) for a in args for m in re.finditer(r"\$\((.+)\)", a)):
        try:
            words = shlex.split(text)
        except ValueError:  # unbalanced quotes: not a listing anyone can read
            continue
        while "|" in words:  # `$(git branch -r | sed …)`: each stage on its own
            listed.append(words[:words.index("|")])
            words = words[words.index("|") + 1:]
        listed.append(words)
    if via_xargs:
        listed += [[w.text for w in c.words] for c in upstream]
    if name == "git":
        return _git_deletes_listed(args, listed)
    return any(_listing(words, name) for words in listed if words)


def line_store_reasons(name: str, args: list[str], settings: list[str], via_xargs: bool,
                       command: Command, fed: str | None) -> list[str]:
    """What the line around a command adds: SQL a database client reads on its input (`echo
    'DROP DATABASE x' | mysql`, or handing an account every right: `database_grants`),
    statements built from the catalog by another client and piped in, `RAILS_ENV=production`
    before the task, and IDs taken from the tool's own listing (`… list | xargs … delete`)."""
    reasons = _rails(args, settings) if name in ("rails", "rake") else []
    if name in DATABASE_CLIENTS and fed:
        reasons += _database([], None, [fed]) + grant_reasons([fed])
    if name in (*DATABASE_CLIENTS, *SHELLS) and any(
            resolve([w.text for w in c.words]).name in DATABASE_CLIENTS and any(
                _FROM_CATALOG.search(w.text) for w in c.words) for c in command.upstream):
        reasons.append("drops or empties every table of a database (statements built from "
                       "its catalog, piped in)")
    if _deletes_listed(name, args, via_xargs, command.upstream) and not previews(args):
        reasons.append(f"deletes every resource {name}'s own listing printed")
    return reasons


JUDGES: dict[str, Judge] = {
    **dict.fromkeys(DATABASE_CLIENTS, _database), "dropdb": _dropdb,
    "mysqladmin": _unasked(_mysqladmin), "influx": _unasked(_influx),
    "etcdctl": _unasked(_etcd), "consul": _unasked(_consul), "vault": _unasked(_vault),
    **dict.fromkeys(("python", "php", "prisma", "dotnet", "django-admin", "console"),
                    _unasked(_framework)),
    "flyway": _unasked(_schema_tools), "liquibase": _unasked(_schema_tools),
    "restic": _unasked(_restic), "borg": _unasked(_borg), "borg2": _unasked(_borg),
    "kopia": _unasked(_kopia), "duplicity": _unasked(_duplicity), "wp": _unasked(_wordpress),
    "tarsnap": _unasked(_tarsnap), "pkill": _killed_server, "killall": _killed_server,
    "kill": _killed_server,
    "timeshift": _unasked(_timeshift),
}
