"""A database's own accounts handed every right, by the database's own statements.

Why: a database superuser reads and rewrites every table, and on most servers also runs
programs and reads files as the server's account; an account with every privilege on every
database (and the right to grant them on) is the same in all but name. Every engine spells
it its own way, so the class is held as those spellings, read in whatever a database client
is given (an argument, `-c`/`-e`/`--eval`, text piped in, a client in a container):

- needs typing: PostgreSQL's `SUPERUSER` given by `CREATE|ALTER ROLE|USER`, or its roles
  that run programs or read and write the server's files; MySQL's and MariaDB's `ALL`,
  `SUPER` or `FILE` on `*.*`, or anything on `*.*` with the grant option, and an account
  created with an empty password; SQL Server's `sysadmin`; CockroachDB's and managed
  clouds' admin roles granted (`admin`, `rds_superuser`, `cloudsqlsuperuser`,
  `azure_pg_admin`); MongoDB's `root` and cluster-wide administering roles; a Redis user
  with every command and no password;
- stays quiet: `NOSUPERUSER`, privileges on one database (`GRANT ALL ON shop.*`), an account
  with a password, `SHOW GRANTS`, `\\du`, `ACL LIST`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Judge = Callable[[list[str], str | None, list[str]], list[str]]

ALL_RIGHTS = "makes a database account a superuser, or gives it every right on every " \
    "database ({})"
_SUPERUSER = re.compile(r"\b(?:CREATE|ALTER)\s+(?:ROLE|USER)\b[^;]*?\bSUPERUSER\b"
                        r"(?!\s*=\s*false)", re.I)
# A role granted to an account (`GRANT admin TO bob`: no `ON`, which grants on an object).
_ROLE_WORDS = r"(?:(?!\bON\b)[\w\s,])*?"
_SERVER_ROLES = re.compile(rf"\bGRANT\s+{_ROLE_WORDS}\b(?:pg_execute_server_program|"
                           r"pg_write_server_files|pg_read_server_files|admin|rds_superuser|"
                           r"cloudsqlsuperuser|azure_pg_admin|postgres|root)\b"
                           rf"{_ROLE_WORDS}\bTO\b", re.I)
_EVERYWHERE = re.compile(r"\bGRANT\s+(?:ALL|SUPER|FILE)\b[^;]*?\bON\s+[`'\"]?\*[`'\"]?\.\*"
                         r"|\bGRANT\b[^;]*?\bON\s+\*\.\*[^;]*\bWITH\s+GRANT\s+OPTION\b", re.I)
_NO_PASSWORD = re.compile(r"\bCREATE\s+USER\b[^;]*\bIDENTIFIED\s+BY\s+(?:''|\"\")", re.I)
_SYSADMIN = re.compile(r"\bALTER\s+SERVER\s+ROLE\s+\[?sysadmin\]?\s+ADD\s+MEMBER\b"
                       r"|\bsp_addsrvrolemember\b[^;]*\bsysadmin\b", re.I)
_MONGO_ADMIN = re.compile(r"\b(?:createUser|grantRolesToUser|updateUser)\s*\([\s\S]*?[\"']"
                          r"(?:root|__system|userAdminAnyDatabase|clusterAdmin"
                          r"|dbAdminAnyDatabase)[\"']")
_REDIS_EVERYTHING = re.compile(r"\bACL\s+SETUSER\b(?=.*\bnopass\b)(?=.*(?:\+@all|\ballcommands\b"
                               r"|\+@admin|\+@dangerous))", re.I | re.S)
_SPELLINGS = ((_SUPERUSER, "SUPERUSER"), (_SERVER_ROLES, "a server or admin role"),
              (_EVERYWHERE, "every privilege on *.*"), (_NO_PASSWORD, "an empty password"),
              (_SYSADMIN, "sysadmin"), (_MONGO_ADMIN, "a cluster-wide admin role"),
              (_REDIS_EVERYTHING, "every command, no password"))


def grant_reasons(texts: list[str]) -> list[str]:
    """The first way `texts` (statements, a script, a client's arguments) hand every right."""
    joined = "\n".join(texts)
    return [ALL_RIGHTS.format(what) for pattern, what in _SPELLINGS
            if pattern.search(joined)][:1]


def _client(args: list[str], _cwd: str | None, piped: list[str]) -> list[str]:
    return grant_reasons([" ".join(args), *piped])


JUDGES: dict[str, Judge] = dict.fromkeys(
    ("mysql", "mariadb", "psql", "redis-cli", "valkey-cli", "mongosh", "mongo", "mysqlsh",
     "usql", "pgcli", "mycli", "sqlcmd", "cockroach", "clickhouse-client", "cqlsh"), _client)
