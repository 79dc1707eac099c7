"""Servers that share the home folder or the whole system, and login servers opened wide.

Why: `remote_access` judges the file servers it knows by name, but every server that
serves files over the network says the same two things on its command line or in its
configuration: a folder to serve and a place to listen. The rules here read those, for any
program:
- a folder option (`--path`, `--root`, `--docroot`, `--directory` …) naming home, `/` or a
  precious folder, beside a listening option (`--port`, `--listen`, `tcp:8080`, `:8000`);
- a `file://` address of such a folder handed to a tunnel or a `serve`/`http`/`web` verb
  (`ngrok http file:///home/me`);
- a daemon's configuration written on the line (`rsync --daemon --config=<(…)`,
  `smbd --configfile=<(…)`, `exportfs`) whose shared `path`/root is such a folder;
- a login server (`sshd`) told to let root in, accept empty passwords or skip its checks.
Servers of a project folder, on localhost, or with no folder at all stay quiet.
"""

from __future__ import annotations

import re
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import SHELLS, option_values
from app.terminal.remote_access import TUNNELS, wide_home

_ROOT_OPTIONS = frozenset({"--path", "--root", "--docroot", "--document-root", "--directory",
                           "--dir", "--webroot", "--web-root", "--serve-dir", "--share",
                           "--public", "--base-dir", "--basedir", "--serve", "--static",
                           "--root-dir", "--rootdir", "--folder", "--home",
                           "-d", "-r", "-t", "-w", "-D", "-R"})
_LISTENS = re.compile(r"^--?(?:port|listen|bind|addr|address|host|http-port|ip)\b|^tcp:\d|"
                      r"^(?:\d{1,3}(?:\.\d{1,3}){3}|\[?::\]?|\*)?:\d{2,5}$")
_SERVE_VERBS = frozenset({"http", "https", "serve", "web", "share", "ftp", "webdav", "tls",
                          "file-server"})
# Daemons whose configuration names the folders they share, and the option naming it.
_CONFIGURED = {"rsync": ("--config",), "rsyncd": ("--config",), "smbd": ("--configfile", "-s"),
               "samba": ("--configfile", "-s"), "vsftpd": (), "proftpd": ("-c", "--config"),
               "lighttpd": ("-f",), "nginx": ("-c",), "httpd": ("-f",), "apache2": ("-f",),
               "pure-ftpd": (), "unfsd": ("-e",), "ksmbd.mountd": ("-c",)}
_SHARED_PATH = re.compile(r"""(?:^|[{;])\s*(?:path|local_root|anon_root|server\.document-root
                              |root|DocumentRoot|Alias\s+\S+)\s*=?\s*["']?([^"';\s}]+)""",
                          re.I | re.M | re.X)
_EXPORT_LINE = re.compile(r"^\s*(/\S*)\s+\S*\(", re.M)
_SSHD_OPEN = re.compile(r"^(?:permitrootlogin\s*=?\s*yes|permitemptypasswords\s*=?\s*yes|"
                        r"strictmodes\s*=?\s*no|authorizedkeysfile\s*=?\s*/(?:tmp|dev/shm|"
                        r"var/tmp)/)", re.I)


def _too_wide(folder: str, cwd: str | None) -> str | None:
    folder = folder.removeprefix("file://")
    path = paths.expand(folder, cwd) if folder else None
    return wide_home(path) if path else None


def served_root_reasons(name: str, args: list[str], cwd: str | None,
                        written: dict[str, str]) -> list[str]:
    """Reasons when `name` with `args` serves home or `/` over the network, or opens logins;
    `written` holds the text of files written on the line (a configuration among them)."""
    reasons = []
    roots = option_values(args, _ROOT_OPTIONS)
    listens = any(_LISTENS.match(arg) for arg in args) or any(
        flag in ("-p", "-P") and port.isdigit() for flag, port in pairwise(args))
    urls = [arg for arg in args if arg.startswith("file://")]
    serving = name in TUNNELS or bool(_SERVE_VERBS & set(args))
    if serving and not roots and not urls and cwd:
        roots = [cwd]  # `cd ~ && caddy file-server`: the folder it stands in
    for folder in (roots if listens or serving else []) + (urls if serving else []):
        if described := _too_wide(folder, cwd):
            reasons.append(f"serves {described} to other machines over the network")
    if name in _CONFIGURED and (name not in ("rsync",) or "--daemon" in args):
        files = option_values(args, set(_CONFIGURED[name])) or [
            a for a in args if not a.startswith("-")]
        for text in (written.get(f) for f in files):
            shared = _SHARED_PATH.findall(text or "") + _EXPORT_LINE.findall(text or "")
            described = next(filter(None, (_too_wide(s, cwd) for s in shared)), None)
            if described:
                reasons.append(f"shares {described} over the network ({name})")
    if name == "exportfs":
        shared = [a.rpartition(":")[2] for a in args if ":" in a and not a.startswith("-")]
        if described := next(filter(None, (_too_wide(s, cwd) for s in shared)), None):
            reasons.append(f"shares {described} over the network (NFS)")
    if name in ("telnetd", "in.telnetd", "utelnetd") and any(
            flag == "-l" and value.rpartition("/")[2] in SHELLS for flag, value in pairwise(args)):
        reasons.append("serves a shell on a network port with no login (telnetd -l)")
    if name == "sshd":
        settings = option_values(args, {"-o"})
        if opened := next((s for s in settings if _SSHD_OPEN.match(s)), None):
            reasons.append(f"starts a login server that lets anyone or root in more easily "
                           f"({opened})")
    return reasons
