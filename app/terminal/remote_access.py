"""This machine handed to the internet: its login port tunnelled out, a shell served on a web
page, the terminal or the desktop shared, the home folder served to every machine.

Why: `exposure_checks` and `key_leaks` know a reverse `ssh -R` and a remote X display; the
tools made for remote access do the same in one word. The rule for each is what it exposes,
not the tool: a tunnel (`ngrok`, `cloudflared`, `chisel`, `bore` …) to the SSH, RDP, VNC or
Docker port, or a reverse SOCKS proxy (`R:socks`) into this machine's network; a web
terminal (`ttyd`, `gotty`, `websocketd` …) serving a shell; terminal
sharing (`tmate`, `upterm`, `sshx`), whose whole job is to let someone else type; a VNC
server with no password; a file server (`php -S`, `python -m http.server`, `rclone serve`,
`ruby -run -e httpd` …) serving home or `/` on every address. A tunnel to a web app
(`ngrok http 3000`), `ttyd htop`, a server on `localhost` or in a project folder stay quiet.
The eleventh set's neighbours: any socket server whose program is a shell (`websocat
ws-l:… sh-c:'bash -i'`, `systemd-socket-activate -l PORT /bin/sh`) and a remote-control
payload built by `msfvenom` (a shell or meterpreter payload); `msfvenom -l` lists.
The fourteenth set's: a cluster's API proxy (`kubectl proxy --address=0.0.0.0`), which
answers everyone who reaches the port with the user's own cluster credentials; on
localhost, its default, it stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import SHELLS, option_values, options
from app.terminal.home_reach import home_entry

Judge = Callable[[list[str], str | None, list[str]], list[str]]

# Ports that give a login or the whole machine: SSH, telnet, RDP, VNC, X11, Docker, WinRM.
_LOGIN_PORT = r"(?:22|23|3389|59\d\d|6000|2375|2376|5985|5986)"
_EXPOSES_LOGIN = re.compile(rf"^(?:{_LOGIN_PORT}|(?:ssh|rdp|vnc|telnet)://.*|.*:{_LOGIN_PORT}"
                            r"(?:/\w+)?)$")
TUNNELS = frozenset({"autossh", "ngrok", "cloudflared", "chisel", "bore", "lt", "localtunnel",
                      "frpc", "zrok", "pagekite", "pagekite.py", "inlets", "rathole", "loophole",
                      "telebit", "expose", "gost", "pinggy"})
_WEB_TERMINALS = frozenset({"ttyd", "gotty", "websocketd", "wetty", "shellinaboxd", "webtty"})
_SHARERS = frozenset({"tmate", "upterm", "sshx", "tty-share", "teleconsole"})
_SERVED_SHELLS = SHELLS | {"login", "su", "sudo", "tmux", "screen", "python", "python3", "perl",
                           "node", "ruby", "irb"}
_HELP = frozenset({"--help", "-h", "--version", "-V", "-v", "help", "version"})
_X11VNC_AUTH = frozenset({"-rfbauth", "-passwd", "-passwdfile", "-usepw", "-localhost",
                          "-unixpw", "-storepasswd", "-viewpasswd", "-ssl", "-stunnel"})
_LOOPBACK = re.compile(r"^(?:localhost|127\.[\d.]+|\[?::1\]?)(?::\d+)?$")
_SERVES_HOME = "serves {} to every machine that can reach this one"


def _tunnel(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    values = [arg.partition("=")[2] if arg.startswith("-") else arg for arg in args]
    exposed = [v for v in values if _EXPOSES_LOGIN.match(v.removeprefix("R:"))
               and not v.startswith("-")]
    if exposed:
        return [f"opens this machine's login port to the internet ({exposed[0]})"]
    if any(re.fullmatch(r"R:(?:[\w.]*:)?(?:\d+:)?socks", v) for v in values):
        return ["opens a proxy from the far end into this machine and its network (R:socks)"]
    return []


def _tailscale(args: list[str], cwd: str | None, piped: list[str]) -> list[str]:
    return _tunnel(args[1:], cwd, piped) if args[:1] == ["funnel"] else []


def _web_terminal(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    served = [arg for arg in args if arg.rpartition("/")[2] in _SERVED_SHELLS]
    if served:
        return [f"serves a shell ({served[0]}) on a web page anyone who finds it can type into"]
    return []


def _websocat(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """An address that runs a program for each connection (`sh-c:CMD`, `cmd:`, `exec:`)."""
    runs = [m.group(1).strip("'\"") for a in args
            if (m := re.match(r"(?i)^(?:sh-c|cmd|exec):(.+)$", a))]
    runs += option_values(args, {"--exec"})
    return _served_shell(runs)


def _socket_activate(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`systemd-socket-activate -l PORT PROGRAM ARGS`: PROGRAM gets every connection."""
    positional = options(args, valued="lE")[2]
    return _served_shell(positional[:1])


def _served_shell(programs: list[str]) -> list[str]:
    served = [p for p in programs if p.split()[:1] and p.split()[0].rpartition("/")[2] in
              _SERVED_SHELLS]
    return [f"serves a shell ({served[0]}) on a network port: whoever connects runs "
            "commands here"] if served else []


def _msfvenom(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    payloads = option_values(args, {"-p", "--payload"})
    if any(re.search(r"shell|meterpreter|reverse|bind|vnc", p, re.I) for p in payloads):
        return [f"builds a remote-control payload ({payloads[0]}) that gives another machine "
                "this one"]
    return []


def _sharer(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    if _HELP & set(args):
        return []
    return ["shares your terminal with whoever gets its address (they can type into it)"]


def _vnc(name: str) -> Judge:
    """x11vnc with no password option (or `-nopw`); any VNC server with `SecurityTypes None`."""

    def judge(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
        if _HELP & set(args):
            return []
        lowered = [arg.lower().lstrip("-") for arg in args]
        no_types = any(re.fullmatch(r"securitytypes=none", a) for a in lowered) or any(
            a == "securitytypes" and b == "none" for a, b in pairwise(lowered))
        unguarded = name == "x11vnc" and not _X11VNC_AUTH & set(args)
        addresses = options(args, valued="CcdfLoSpr")[2] if name == "wayvnc" else []
        unguarded |= bool(addresses) and not _LOOPBACK.match(addresses[0])
        if no_types or "-nopw" in args or unguarded:
            return ["shares your desktop over the network with no password"]
        return []

    return judge


def wide_home(folder: str | None) -> str | None:
    """Plain words for a folder too wide to serve: home, `/`, a folder holding home, a
    precious folder or a folder of home's own; None for anything narrower."""
    if folder is None:
        return None
    home = paths.home()
    if folder == home or home.startswith(folder.rstrip("/") + "/") or folder == "/":
        return "your home folder" if folder == home else f"the folder {folder}"
    return paths.describe_precious(folder) or (f"the folder {folder}" if home_entry(folder)
                                               else None)


def _served(folder: str | None, address: str) -> list[str]:
    described = wide_home(folder)
    if described and not _LOOPBACK.match(address):
        return [_SERVES_HOME.format(described)]
    return []


def _php(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    addresses = option_values(args, {"-S"})
    if not addresses:
        return []
    roots = option_values(args, {"-t"})
    return _served(paths.expand(roots[0], cwd) if roots else cwd, addresses[0])


def _http_server(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`python -m http.server` (judged as the module): every address unless `--bind`."""
    roots = option_values(args, {"-d", "--directory"})
    binds = option_values(args, {"-b", "--bind"})
    return _served(paths.expand(roots[0], cwd) if roots else cwd, binds[0] if binds else "")


def _ruby(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`ruby -run -e httpd DIR -p 8000` (un.rb's file server, on every address)."""
    server = next((i for i, a in enumerate(args) if a.endswith("httpd")), None)
    if server is None or "-run" not in args:
        return []
    after = args[server + 1:]
    folders = options(after, valued="pb")[2]
    binds = option_values(after, {"-b", "--bind-address"})
    return _served(paths.expand(folders[0], cwd) if folders else cwd,
                   binds[0] if binds else "")


def _rclone(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
    """`rclone serve http|webdav|ftp|sftp|s3 DIR --addr :8080`; its default is localhost."""
    if args[:1] != ["serve"]:
        return []
    remotes = [a for a in options(args[2:], valued="")[2] if not a.startswith("-")]
    addresses = option_values(args, {"--addr"})
    local = remotes and ":" not in remotes[0].lstrip("/")
    if not (local and addresses):
        return []
    return _served(paths.expand(remotes[0], cwd), addresses[0].split(",")[0])


def _file_server(root_flags: set[str], bind_flags: set[str]) -> Judge:
    """Static file servers whose folder is a positional or an option, on every address by
    default: `http-server ~`, `miniserve /`, `busybox httpd -h ~`, `updog -d ~`."""

    def judge(args: list[str], cwd: str | None, _piped: list[str]) -> list[str]:
        roots = option_values(args, root_flags) or [a for a in args
                                                    if a.startswith(("/", "~", "$"))]
        binds = option_values(args, bind_flags)
        return _served(paths.expand(roots[0], cwd) if roots else None,
                       binds[0] if binds else "")

    return judge


def _no_password_server(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """A server that runs code for whoever connects, told to ask no password and to listen
    on every address: `jupyter notebook --ip=0.0.0.0 --NotebookApp.token=''`, `code-server
    --auth none --bind-addr 0.0.0.0:8080`, `dockerd -H tcp://0.0.0.0:2375` (Docker is root)."""
    binds = option_values(args, {"--ip", "--bind-addr", "--host", "-H"})
    exposed = [b for b in binds if not _LOOPBACK.match(re.sub(r"^\w+://", "", b).rpartition(":")[0]
                                                       or re.sub(r"^\w+://", "", b))]
    no_password = any(re.fullmatch(r"--\w+\.(?:token|password)=(?:''|\"\")?", a) for a in args) \
        or option_values(args, {"--auth"}) == ["none"] or any(b.startswith("tcp://") for b in binds)
    if exposed and no_password and "--tlsverify" not in args:
        return [f"runs a server that executes code for anyone who connects ({exposed[0]}, no "
                "password)"]
    return []


def _kube_proxy(args: list[str], _cwd: str | None, _piped: list[str]) -> list[str]:
    """`kubectl proxy --address=0.0.0.0` (`oc proxy` too): the cluster, as you, to anyone."""
    words = [a for a in args if not a.startswith("-")]
    addresses = option_values(args, {"--address"})
    if words[:1] == ["proxy"] and addresses and not _LOOPBACK.match(addresses[-1]):
        return ["serves the cluster's API with your credentials to every machine that reaches "
                f"this one (proxy on {addresses[-1]})"]
    return []


JUDGES: dict[str, Judge] = {"kubectl": _kube_proxy, "oc": _kube_proxy,
    **dict.fromkeys(TUNNELS, _tunnel), "tailscale": _tailscale,
    "websocat": _websocat, "systemd-socket-activate": _socket_activate, "msfvenom": _msfvenom,
    **dict.fromkeys(_WEB_TERMINALS, _web_terminal), **dict.fromkeys(_SHARERS, _sharer),
    **{name: _vnc(name) for name in ("x11vnc", "vncserver", "Xvnc", "x0vncserver",
                                     "tigervncserver", "wayvnc")},
    "php": _php, "http.server": _http_server, "ruby": _ruby, "rclone": _rclone,
    "http-server": _file_server({"-d"}, {"-a"}), "miniserve": _file_server(set(), {"-i"}),
    "updog": _file_server({"-d", "--directory"}, {"-b", "--bind"}),
    "darkhttpd": _file_server(set(), {"--addr"}), "webfsd": _file_server({"-r"}, {"-i"}),
    "httpd": _file_server({"-h"}, {"-p"}), "serve": _file_server(set(), {"-l", "--listen"}),
    **dict.fromkeys(("jupyter", "jupyter-notebook", "jupyter-lab", "code-server", "dockerd"),
                    _no_password_server),
}
