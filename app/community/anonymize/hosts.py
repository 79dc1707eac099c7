"""Private host names: the machines of a company or a home, which a shared skill must not name.

A public host says where a command goes (``pypi.org``, ``docs.python.org``) and stays; a private
one names the user's employer or network (``jira.acme.internal``, ``db1.corp.initech.com``) and
becomes ``<HOST>``. No offline list tells every private name from every public one, so a name is
private by class:

- it ends in a name reserved or set aside for private networks: ``.local`` (RFC 6762, mDNS) and
  the private namespaces RFC 6762 appendix G lists as in use (``.intranet``, ``.internal``,
  ``.private``, ``.corp``, ``.home``, ``.lan``); ``.home.arpa`` (RFC 8375); ``.internal``, which
  ICANN reserved for private use in 2024 (board resolution 2024.07.29.06); ``.localdomain``
  (the default domain of many Linux installs), Kubernetes' service names (``.svc``,
  ``.svc.cluster.local``) and ``.fritz.box``, the home network of AVM's FRITZ!Box routers
  (AVM's manuals: devices are reached as ``name.fritz.box``; the router itself, ``fritz.box``,
  names nobody);
- a label other than the last is, or has as a hyphen-separated part, ``internal``, ``intra``,
  ``intranet`` or ``corp`` (the ``*.corp.*`` of intranets: ``vpn.intra.globex.de``,
  ``build01.acme-internal.net``);
- it is the machine a login reaches: the host of ``user@host`` after an ssh-like command, the
  destination of ``ssh``, the values of an ssh_config ``Host``/``HostName``/``ProxyJump`` (also
  "the Host X block" in prose), the host of an scp-like remote (``git@git.acme.io:team/app``),
  the names of an ``/etc/hosts`` entry, the host of a URL with a user in it
  (``postgres://u:p@db.acme.io/app``), the ``-h``/``--host`` of a database or cache client
  (``psql -h pg-prod.initech.io``) and kubectl's ``--server``. Unless it is a documentation name
  (RFC 2606 and RFC 6761: ``example.com``/``.net``/``.org``, ``.test``, ``.example``,
  ``.invalid``, ``localhost``) or a public forge people clone from (``ssh git@github.com``).
  That list is short on purpose: the alternative, knowing every public domain, has no offline
  source, and a login to a forge is the only public login a skill commonly shows.

Once found, a name is removed wherever else the text writes it (a later ``ping``), in any case.
A dotted word in code (``from app.internal import x``) or a file name (``internal.yaml``) is
not a host.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from functools import cache

from app.community.anonymize.redaction import HOST, Redaction, hit

# A dotted name whose last label starts with a letter (not an IP address or a version).
_NAME = (
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
)
_END = r"(?![\w\-]|\.\w)"
_HOST = re.compile(rf"(?<![\w.\-]){_NAME}{_END}")
# fmt: off
_PRIVATE_SUFFIXES = (
    "local", "internal", "intranet", "private", "corp", "home", "lan", "home.arpa",
    "localdomain", "svc", "fritz.box",
)
_PRIVATE_LABELS = frozenset(("internal", "intra", "intranet", "corp"))
_FILE_EXTENSIONS = frozenset((
    "conf", "cfg", "ini", "yaml", "yml", "json", "toml", "xml", "txt", "md", "rst", "py", "js",
    "ts", "sh", "log", "env", "lock", "html", "css", "pem", "key", "crt", "service", "j2", "tf",
    "sql", "csv", "go", "rs", "rb", "java", "php", "kt", "swift", "c", "h", "cpp", "pub", "ppk",
))
_DOCUMENTATION = ("example.com", "example.net", "example.org", "test", "example", "invalid",
                  "localhost")
# The public forges' ssh and clone hosts (each forge's own clone instructions): Azure DevOps
# (ssh.dev.azure.com, vs-ssh.visualstudio.com: an organisation's own name sits in the path, not
# the host), Hugging Face (hf.co, huggingface.co), Debian's Salsa, GNOME's GitLab, kernel.org,
# Gitee.
_FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sr.ht",
           "ssh.dev.azure.com", "vs-ssh.visualstudio.com", "hf.co", "huggingface.co",
           "salsa.debian.org", "gitlab.gnome.org", "git.kernel.org", "gitee.com",
           # and the package registries a URL logs in to (``https://__token__@pypi.org``)
           "pypi.org", "npmjs.org", "docker.io")
# fmt: on
_CAMEL = re.compile(r"[a-z][A-Z]")
# Names that code gives its objects and modules, never a machine: ``config.internal``,
# ``request.home``, ``if user.home:``, ``print(env.lan)``, ``settings.corp``.
_RECEIVERS = frozenset((
    "self", "cls", "this", "config", "conf", "cfg", "settings", "request", "req", "response",
    "resp", "data", "env", "user", "os", "sys", "options", "opts", "args", "params", "props",
    "state", "ctx", "context", "obj", "logging", "logger", "log", "window", "document", "process",
    "module", "network",
))
# A first label capitalized before lowercase ones is a class or a module (``Rails.env.local?``):
# a host written in capitals is written so throughout (``BUILD01.ACME.IO``).
_CLASS_HEAD = re.compile(r"[A-Z][a-z]+\.[a-z]")
# Python's and Java's imports, Java's and Kotlin's package lines.
_IMPORT = re.compile(
    r"(?m)(?:^|(?<=[`;]))[ \t>]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+([\w, \t]+)"
    r"|(?:import|package)[ \t]+([\w., \t]+))"
)
# ssh's options that take an argument (ssh(1)): the argument is a file, a port, a forward
# or an option, never the destination, so it is always consumed ("ssh -i deploy.pem host").
# Other flags may take one (ssh-keyscan's -t rsa) but leave a dotted word as the destination.
_SSH_ARGUMENT_FLAGS = "bcDEeFIiJLlmOopQRSWw"
_SSH_FLAG = "".join(
    c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    if c not in _SSH_ARGUMENT_FLAGS
)
_SSH_OPTION = (
    rf"[ \t]+-[{_SSH_FLAG}]*(?:[{_SSH_ARGUMENT_FLAGS}][ \t]*\S+"
    r"|(?<=[^\s\-])(?![\w\-])(?:[ \t]+[^\s\-]\S*)?)"
)
_SSH_TARGET = re.compile(
    rf"\b(?:ssh|mosh|sftp|ssh-copy-id|ssh-keyscan)(?:{_SSH_OPTION}){{0,6}}"
    rf"[ \t]+(?P<h>{_NAME}){_END}(?!@)"
)
# A jump host (``ssh -J jump.acme.io target``, also scp's and sftp's): a login's host too.
_JUMP_HOST = re.compile(
    rf"\b(?:ssh|scp|sftp|rsync)\b[^\n]{{0,200}}?(?<!\S)-[A-Za-z0-9]*J[ \t]*(?:[\w.\-]+@)?"
    rf"(?P<h>{_NAME}){_END}"
)
_SSH_CONFIG = re.compile(
    r"(?m)^[ \t]*(?P<key>Host|HostName|Hostname|ProxyJump)[ \t]+(?P<v>[^\s#][^\n#]*?)[ \t]*$"
)
_PATTERN = re.compile(r"[\w*?!%@:,\-]+(?:\.[\w*?!%@:,\-]+)*")
_INDENTED_OPTION = re.compile(r"\n[ \t]*\n?[ \t]+[A-Z][A-Za-z]+[ \t=]")
_PROSE_HOST = re.compile(
    rf"\bHost(?:[Nn]ame)?[ \t]+(?:(?P<d>{_NAME}){_END}"
    r"|(?P<a>[\w\-]+)(?=[ \t]+(?:block|entry|section|stanza|alias)\b))"
)
# ``ssh -o ProxyJump=host``, and the host of an scp-like remote (``git@git.acme.io:team/app``).
_OPTION_HOST = re.compile(
    rf"\b(?:ProxyJump|HostName|Hostname)=(?:[\w.\-]+@)?(?P<h>{_NAME}){_END}"
    rf"|(?<![\w.\-])[A-Za-z_][\w.\-]*@(?P<r>{_NAME}):(?=[\w~./])(?!\d+\b)"
)
# The host a login reaches by another door: a URL with a user in it
# (``postgres://u:p@db.acme.io:5432/app``), a database or cache client's ``-h``/``--host``
# (psql, pg_dump, pg_restore, mysql, mysqldump, redis-cli, mongo, mongosh), kubectl's --server.
_LOGIN_HOST = re.compile(
    rf"(?<![\w+.\-])[A-Za-z][\w+.\-]{{0,20}}://[^\s/@]{{1,200}}@(?P<u>{_NAME}){_END}"
    r"|\b(?:psql|pg_dump|pg_dumpall|pg_restore|mysql|mysqldump|redis-cli|mongo|mongosh)\b"
    rf"[^\n|;&]{{0,200}}?(?<!\S)(?:-h[ \t]*|--host[= \t][ \t]*)(?P<c>{_NAME}){_END}"
    rf"|\b(?:kubectl|oc)\b[^\n|;&]{{0,200}}?(?<!\S)--server[= \t][ \t]*(?:https?://)?(?P<k>{_NAME})"
    rf"{_END}"
)
# A hosts-file entry: a line, or a code span (`10.0.0.4 build.acme.io`), of an address and names.
_HOSTS_LINE = re.compile(
    r"(?m)(?:^|(?<=`))[ \t]*(?P<ip>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+)"
    r"(?P<names>(?:[ \t]+[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?)+)"
    r"[ \t]*(?:#[^\n`]*)?(?:$|(?=`))"
)
_LOOPBACK = re.compile(r"127\.|0\.0\.0\.0|255\.255\.255\.255|::1$|fe00::|ff0[0-9]::")


def _under(host: str, suffixes: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == s or host.endswith("." + s) for s in suffixes)


def is_public_login(host: str) -> bool:
    """Whether a login's host names nobody: a documentation name or a public forge."""
    return _under(host, _DOCUMENTATION + _FORGES) or host.lower() == "localhost.localdomain"


def _is_file_name(name: str) -> bool:
    """Whether a login's candidate host is a file an option named (``mykey.key``, ``ssh.conf``)."""
    return name.lower().rsplit(".", 1)[-1] in _FILE_EXTENSIONS


def is_private_name(host: str) -> bool:
    """Whether ``host`` is private by its name alone (module docstring: the first two classes)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2 or host.lower() in ("localhost.localdomain", "fritz.box"):
        return False
    if _under(host, _PRIVATE_SUFFIXES):
        return True
    if labels[-1] in _FILE_EXTENSIONS:
        return False
    return any(set(label.split("-")) & _PRIVATE_LABELS for label in labels[:-1])


def _is_code(text: str, start: int, end: int, imported: Callable[[], set[str]]) -> bool:
    """Whether the dotted word from ``start`` to ``end`` is code, not a host: a module path
    (``from app.internal import x``), a call (``Path.home()``), a setting's key
    (``logging.level.corp=DEBUG``), an attribute of ``self``, of an object code commonly names
    (``config.internal``, ``user.home``) or of a name the text imports (``threading.local``),
    a camel-case or class name (``ControlType.HOME``, ``Rails.env.local``) or a path's file
    name (``config/internal.yaml``). Chosen over "a dotted word before ``:``, ``)``, ``?`` or
    a line end is code": prose ends sentences on hosts ("reach jira.acme.internal?")."""
    before = text[max(0, start - 2) : start]
    if (before.endswith(("/", "\\")) and before != "//") or text.startswith("(", end):
        return True
    if text.startswith("=", end) and not text.startswith("==", end):
        return True  # the key of a setting: ``logging.level.corp=DEBUG``
    name = text[start:end]
    head = name.split(".", 1)[0]
    return (
        bool(_CAMEL.search(name) or _CLASS_HEAD.match(name))
        or head in _RECEIVERS
        or head in imported()
    )


def _imported_names(text: str) -> set[str]:
    """The first parts of the modules and names ``text`` imports or declares a package of."""
    found: set[str] = set()
    for match in _IMPORT.finditer(text):
        for part in re.split(r"[\s,]+", " ".join(g for g in match.groups() if g)):
            if part and part not in ("as", "import"):
                found.add(part.split(".", 1)[0])
    return found


def host_spans(text: str) -> Iterator[Redaction]:
    """Private host names and the machines logins reach (module docstring)."""
    imported = cache(lambda: _imported_names(text))
    for match in _HOST.finditer(text):
        if is_private_name(match.group()) and not _is_code(
            text, match.start(), match.end(), imported
        ):
            yield hit(text, match.start(), match.end(), HOST)
    for pattern in (_SSH_TARGET, _JUMP_HOST):
        for match in pattern.finditer(text):
            name = match.group("h")
            if not is_public_login(name) and not _is_file_name(name):
                yield hit(text, match.start("h"), match.end("h"), HOST)
    for match in _LOGIN_HOST.finditer(text):
        group = next(g for g in ("u", "c", "k") if match.group(g))
        if not is_public_login(match.group(group)):
            yield hit(text, match.start(group), match.end(group), HOST)
    yield from _ssh_config_hosts(text)
    for match in _PROSE_HOST.finditer(text):
        group = "d" if match.group("d") else "a"
        if not is_public_login(match.group(group)):
            yield hit(text, match.start(group), match.end(group), HOST)
    for match in _OPTION_HOST.finditer(text):
        group = "h" if match.group("h") else "r"
        if not is_public_login(match.group(group)):
            yield hit(text, match.start(group), match.end(group), HOST)
    yield from _hosts_file_names(text)


def _ssh_config_hosts(text: str) -> Iterator[Redaction]:
    """The hosts an ssh_config block names. ``HostName`` and ``ProxyJump`` take one value; a
    ``Host`` line counts when indented options follow it or its one value is dotted, so that
    sentences opening with "Host names are…" or "Hostname is…" stay."""
    for match in _SSH_CONFIG.finditer(text):
        tokens = list(re.finditer(r"\S+", match.group("v")))
        if not all(_PATTERN.fullmatch(token.group()) for token in tokens):
            continue  # "Host names are case-insensitive."
        if match.group("key") == "Host":
            block = _INDENTED_OPTION.match(text, match.end()) is not None
            if not block and not (len(tokens) == 1 and "." in tokens[0].group()):
                continue
        elif len(tokens) != 1:
            continue
        for token in tokens:
            for part in re.finditer(r"[^,]+", token.group()):
                value = part.group().rsplit("@", 1)[-1].split(":", 1)[0]  # ProxyJump u@h:port
                name = value.lstrip("*.?!")
                if name and not name.startswith("%") and not is_public_login(name):
                    start = match.start("v") + token.start() + part.end() - len(
                        part.group().rsplit("@", 1)[-1]
                    )
                    start += len(value) - len(name)
                    yield hit(text, start, start + len(name), HOST)


def _hosts_file_names(text: str) -> Iterator[Redaction]:
    """The names an ``/etc/hosts`` entry gives a non-loopback address, if one is dotted."""
    for match in _HOSTS_LINE.finditer(text):
        names = list(re.finditer(r"\S+", match.group("names")))
        if (
            not _is_address(match.group("ip"))
            or _LOOPBACK.match(match.group("ip"))
            or not any("." in n.group() for n in names)
        ):
            continue
        for name in names:
            if not is_public_login(name.group()):
                start = match.start("names") + name.start()
                yield hit(text, start, start + len(name.group()), HOST)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def host_echo_spans(text: str, found: list[Redaction]) -> Iterator[Redaction]:
    """Every other occurrence, in any case, of a host found in ``text`` (dotted, or with a
    digit or a hyphen: "bastion" or "nas" alone are ordinary words too)."""
    hosts = {
        red.original.lower()
        for red in found
        if red.kind == HOST and re.search(r"[.\d\-]", red.original) and len(red.original) > 2
    }
    if not hosts:
        return
    alternatives = "|".join(re.escape(h) for h in sorted(hosts, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.\-])(?:{alternatives}){_END}", re.IGNORECASE)
    for match in pattern.finditer(text):
        yield hit(text, match.start(), match.end(), HOST)
