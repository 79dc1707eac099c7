"""Passwords given on a command line: by the option that takes them, whatever they look like.

`mysql -pS3cret`, `sshpass -p hunter2`, `docker login -p …`, `curl -u alice:pw`,
`PGPASSWORD=… psql`: a password a person typed is short and word-like, so it neither looks
machine-made nor follows a ``password=`` label (:mod:`.credentials`), and issue 18's probe
found every one of these forms passing unchanged. What marks it is the option it follows, and
which option takes a password is each program's own convention, so they are listed here per
program (from each tool's manual). No maintained rule set covers command-line options:
gitleaks' and detect-secrets' rules read labelled values and known token shapes, which
:mod:`.credentials` already does. A value that only names a secret (``$PASS``,
``<password>``) is kept, as everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.community.anonymize.credentials import is_reference
from app.community.anonymize.redaction import SECRET, Redaction, hit

# program -> {option: how its value holds the password}. "glued": only written right after
# the option (`mysql -pS3cret`; `mysql -p db` asks for it and names a database), "next": the
# following word or glued, "after:" + separator: the part after the separator (`user:pw`).
_OPTIONS: dict[str, dict[str, str]] = {
    **{p: {"-p": "glued"} for p in ("mysql", "mysqldump", "mysqladmin", "mariadb",
                                    "mariadb-dump", "mysqlimport", "mysqlshow", "mysqlcheck")},
    "sshpass": {"-p": "next"},
    "redis-cli": {"-a": "next", "--pass": "next"},
    **{p: {"-p": "next"} for p in ("mongo", "mongosh", "mongodump", "mongorestore",
                                   "mongoexport", "mongoimport")},
    "zip": {"-P": "next"}, "unzip": {"-P": "next"}, "7z": {"-p": "glued"}, "7za": {"-p": "glued"},
    "openssl": {"-k": "next", "-pass": "after:pass:", "-passin": "after:pass:",
                "-passout": "after:pass:"},
    **{p: {"-u": "after::", "--user": "after::", "--proxy-user": "after::"}
       for p in ("curl", "curlie")},
    "wget": {"--password": "next", "--http-password": "next", "--ftp-password": "next",
             "--proxy-password": "next"},
    "smbclient": {"-U": "after:%", "--user": "after:%"},
    "rdesktop": {"-p": "next"}, "xfreerdp": {"/p:": "glued"},
    "ldapsearch": {"-w": "next"}, "ldapadd": {"-w": "next"}, "ldapmodify": {"-w": "next"},
    "psexec": {"-p": "next"}, "winexe": {"-U": "after:%"},
}
# `docker login -p pw`: registries' login subcommands.
_LOGIN_TOOLS = ("docker", "podman", "buildah", "skopeo", "nerdctl", "helm", "oras", "crane")
for _tool in _LOGIN_TOOLS:
    _OPTIONS[f"{_tool} login"] = {"-p": "next", "--password": "next"}
# `PGPASSWORD=… psql`, `MYSQL_PWD=…`, `SSHPASS=…`, `export RSYNC_PASSWORD=…`: an environment
# variable whose name says it holds a password or token (a bare `PWD` is the current folder).
_ENV = re.compile(
    r"(?<![A-Za-z0-9_$])(?:[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|PASS|TOKEN|SECRET)|SSHPASS"
    r"|[A-Z][A-Z0-9]*_PWD|REDISCLI_AUTH)=(?P<v>\"[^\"\n]+\"|'[^'\n]+'|[^\s\"'`;|&]+)"
)
_PROGRAM = re.compile(
    r"(?<![\w./-])(?P<p>"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_OPTIONS, key=len,
                                                                      reverse=True))
    + r")(?![\w-])"
)
_WORD = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|[^\s|;&`)]+")
_STOP = re.compile(r"[ \t]*(?:\n|[|;&`)]|$)")
_SPACE = re.compile(r"[ \t]+")


def command_password_spans(text: str) -> Iterator[Redaction]:
    """The values of password options after the programs that take them, and of password
    environment variables."""
    for match in _ENV.finditer(text):
        yield from _value(text, match.start("v"), match.group("v"))
    for match in _PROGRAM.finditer(text):
        options = _OPTIONS[re.sub(r"\s+", " ", match.group("p"))]
        words = _words_until_end_of_command(text, match.end())
        for index, (start, word) in enumerate(words):
            following = words[index + 1] if index + 1 < len(words) else None
            for option, form in options.items():
                if form.startswith("after:"):
                    separator = form.removeprefix("after:")
                    if word == option and following:
                        yield from _after(text, *following, separator)
                    elif word.startswith(option + "="):
                        at = start + len(option) + 1
                        yield from _after(text, at, word[len(option) + 1 :], separator)
                elif word == option:
                    if form == "next" and following:
                        yield from _value(text, *following)
                elif word.startswith(option):
                    glued = word[len(option) :].removeprefix("=")
                    yield from _value(text, start + len(word) - len(glued), glued)


def _words_until_end_of_command(text: str, at: int) -> list[tuple[int, str]]:
    """The words after ``at`` up to the end of the simple command (a newline, a pipe, ``;``,
    ``&``, a closing backtick or parenthesis)."""
    words = []
    while True:
        if _STOP.match(text, at):
            return words
        space = _SPACE.match(text, at)
        at = space.end() if space else at
        word = _WORD.match(text, at)
        if word is None:
            return words
        words.append((word.start(), word.group()))
        at = word.end()


def _value(text: str, start: int, value: str) -> Iterator[Redaction]:
    """``value`` at ``start`` as a secret, its quotes left in place; none for a reference."""
    start, value = _unquoted(start, value)
    if value and not value.startswith("-") and not is_reference(value):
        yield hit(text, start, start + len(value), SECRET)


def _after(text: str, start: int, value: str, separator: str) -> Iterator[Redaction]:
    """The part of ``value`` after ``separator`` (`alice:pw`, `bob%pw`, `pass:pw`)."""
    start, value = _unquoted(start, value)
    cut = value.find(separator)
    if cut >= 0:
        yield from _value(text, start + cut + len(separator), value[cut + len(separator) :])


def _unquoted(start: int, value: str) -> tuple[int, str]:
    """A quoted word's start and text inside its quotes; any other word as it is."""
    if value[:1] in "\"'" and len(value) > 2 and value[-1] == value[0]:
        return start + 1, value[1:-1]
    return start, value
