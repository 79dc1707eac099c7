"""Folders that hold what nothing rebuilds, for the recursive-delete readers.

Why: `risky_paths` knows the system's own folders and home's top level; a recursive delete
of what a machine keeps for its users passed through — a repository's history (`.git`,
where every commit lives), a served site or a service's data (`/srv/app`, `/var/www`,
`/var/lib/postgresql/data/*`), backups (`/var/backups`, a backup disk under `/mnt` or
`/media`, any folder named for backups: `/backup`, `/data/backups`, `~/Backups`), the
system's logs one folder in (`/var/log/journal`, `/var/log/audit`) and a whole project in
a folder of home that holds projects (`~/projects/webapp`, `~/code/thesis`; not a tool's
own folder such as `~/go/pkg`, nor what sits in `~/Downloads`). Each is named by where
it lives rather than by which program deletes it, so `rm`, `find -exec rm` and the same
delete run over `ssh`, `sudo` or `kubectl exec` are judged alike. What lies deeper in one
of them, and scratch, cache and build folders (`./build`, `node_modules`,
`/var/lib/docker/tmp`, `~/projects/app/dist`), with any `.git` inside them or under `/tmp`,
stay the user's to delete. `kept_file` does the same for
single files: a database named for production, or a database's backup or dump.
"""

from __future__ import annotations

import posixpath
import re

from app.terminal import risky_paths as paths

# The conventional names of what is rebuilt, downloaded again or thrown away.
_SCRATCH = re.compile(r"^(?:tmp|temp|scratch|cache|caches|build|dist|out|target|"
                      r"node_modules|venv|\.venv|lists|partial|coredump)$")
# The folders of home that hold projects, one to a subfolder (`~/projects/webapp`); other
# two-level folders of home are often a tool's own (`~/go/pkg`, `~/Android/Sdk`).
_PROJECT_ROOTS = re.compile(r"^(?i:projects?|src|code|dev|devel|development|work|workspace|"
                            r"repos?|git|github|gitlab|sites)$")
# Served sites, services' data and the system's backups (the folder, or one level into it).
_SERVED = re.compile(r"^/(?:srv|var/www|var/backups|var/opt)(?:/[^/]+)?$")
# A service's state under /var/lib, at any depth (a database's cluster, a volume's data).
_SERVICE_STATE = re.compile(r"^/var/lib/[^/]+/.+$")
# A folder named for backups, wherever it is (`/backup`, `/srv/backups`, `~/Backups`).
_BACKUPS = re.compile(r"^(?i:backups?|bak)$")
# The system's logs, one folder in (`/var/log/journal`, `/var/log/nginx`).
_LOGS = re.compile(r"^/var/log/[^/]+$")
# A database file (`.sqlite3`, `.db`, a dump `.sql`), possibly compressed or kept aside.
_DATABASE_FILE = re.compile(r"(?i)^(?P<stem>.+?)\.(?:sqlite3?|db|duckdb|mdb|sql|dump)"
                            r"(?P<tail>(?:\.(?:bak|backup|old|orig|gz|xz|zst|bz2|zip))*)$")
_PRODUCTION = re.compile(r"(?i)(?:^|[\W_])(?:prod|production|live)(?:$|[\W_])")
# Mounted disks, one, or a folder directly on one (`/mnt/*`, `/mnt/backup`,
# `/media/alice/Backup`).
_MOUNTED = re.compile(r"^/(?:mnt(?:/[^/]+){0,2}|media(?:/[^/]+){0,3})$")


def kept_data(target: str, cwd: str | None) -> str | None:
    """Plain words for a folder a recursive delete must not take, or None.

    `target` may end in a catch-all glob (`/mnt/backup/*`): everything in the folder goes.
    """
    stripped = re.sub(r"/\.?\*$", "", target.rstrip("/")) or target
    path = paths.expand(stripped, cwd)
    home = paths.home()
    in_home = path is not None and path.startswith(home + "/")
    # Under home only what lies below it counts (a user called `build` keeps every check);
    # a path that cannot be expanded is read as written.
    if in_home:
        parts = path[len(home) + 1:].split("/")
    else:
        parts = (path or stripped).split("/")[2 if path else 0:]
    if any(_SCRATCH.match(part) for part in parts) or (path or "").startswith(
        ("/tmp/", "/var/tmp/")
    ):
        return None  # a template's `.git` in a scratch folder, a cache, a build
    if posixpath.basename(stripped) == ".git":
        return f"the whole history of a git repository ({target})"
    if path is None:
        return None
    if in_home and len(parts) == 2 and _PROJECT_ROOTS.match(parts[0]):
        return f"the whole folder {target} in your home folder"
    if _SERVED.match(path):
        return f"the served site or service data in {target}"
    if _SERVICE_STATE.match(path):
        return f"a service's data in {target}"
    if _MOUNTED.match(path):
        return f"the mounted disk's folder {target}"
    if _BACKUPS.match(posixpath.basename(path)):
        return f"the backups in {target}"
    if _LOGS.match(path):
        return f"the system's logs in {target}"
    return None


def kept_file(target: str, cwd: str | None) -> str | None:
    """Plain words for a database file nothing rebuilds (`prod.sqlite3`, `db.sqlite3.bak`,
    `backup.sql.gz`), or None: a development database (`db.sqlite3`, `test.db`) is made
    again by its migrations, and anything under /tmp or a scratch folder is scratch."""
    path = paths.expand(target, cwd) or target
    if path.startswith(("/tmp/", "/var/tmp/")) or any(
            _SCRATCH.match(part) for part in path.split("/")[:-1]):
        return None
    match = _DATABASE_FILE.match(posixpath.basename(path))
    if not match:
        return None
    backup = bool(re.search(r"(?i)\.(?:bak|backup|old|orig)", match.group("tail"))) or bool(
        re.search(r"(?i)backup|dump", match.group("stem")))
    if backup or _PRODUCTION.search(match.group("stem")):
        return f"the database file {target} ({'a backup' if backup else 'production data'})"
    return None
