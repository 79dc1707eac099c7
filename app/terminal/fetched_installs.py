"""More ways a line fetches code, and installing what it fetched.

Why: `downloads` follows curl and wget. The same act has other shapes: any program handed
an address and a file name saves to that file (`lwp-download URL f`, `aria2c -o`); a
clone checks out a folder (`git clone URL dir`); what a command fed by a download writes
is the download, decoded or not (`curl … | base64 -d > x`); a package installed from the
network puts its program on PATH (`go install host/x/tool@latest` then `~/go/bin/tool`).
And installing what the line fetched — `make -C dir install` in a fresh clone, `apt install
./$(curl -O …)` — runs its code, as root for a system package, with nobody having read it.
"""

from __future__ import annotations

import posixpath
import re
from itertools import pairwise

from app.terminal.command_words import DOWNLOADERS, Resolved, option_values
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command

_URL = re.compile(r"^(?:https?|ftp|git|ssh|sftp)://|^git@[\w.-]+:|^[\w.-]+@[\w.-]+:\S")
_CLONES = {("git", "clone"), ("hg", "clone"), ("svn", "checkout"), ("svn", "co"),
           ("fossil", "clone"), ("gh", "repo"), ("bzr", "branch")}
# Installers of a package named on the command line, and where its program lands.
_NETWORK_INSTALLS = {("go", "install"), ("cargo", "install"), ("npm", "install"),
                     ("npm", "i"), ("pipx", "install"), ("gem", "install"),
                     ("uv", "tool"), ("bun", "add")}
_PACKAGE_INSTALLERS = frozenset({"apt", "apt-get", "dpkg", "rpm", "dnf", "yum", "zypper",
                                 "pacman", "snap", "flatpak", "pip", "pip3", "pipx", "npm",
                                 "gem", "installer", "pkg", "apk", "brew", "port"})
_BUILD_INSTALL = re.compile(r"^(?:install|install-\w+)$")


def _repository_folder(args: list[str]) -> str | None:
    positional = [a for a in args if not a.startswith("-")]
    url = next((a for a in positional if _URL.search(a)), None)
    if url is None:
        return None
    after = positional[positional.index(url) + 1:]
    folder = after[0] if after else posixpath.basename(url.rstrip("/")).removesuffix(".git")
    return folder.rstrip("/") + "/"


def _installed_program(sub: tuple[str, str], args: list[str]) -> str | None:
    """The program a network install puts on PATH, when its name follows from the words."""
    names = [a for a in args[1:] if not a.startswith("-")]
    if sub == ("go", "install"):
        remote = [n for n in names if "@" in n and "." in n.partition("/")[0]]
        return re.sub(r"/v\d+$", "", remote[0].partition("@")[0]).rpartition("/")[2] \
            if remote else None
    if "--path" in args or any(n.startswith((".", "/")) for n in names):
        return None  # the user's own copy
    if sub in (("npm", "install"), ("npm", "i")) and not {"-g", "--global"} & set(args):
        return None
    return names[0].partition("@")[0] if names and sub != ("uv", "tool") else None


_FILE_CLIENTS = frozenset({"tftp", "atftp", "ftp", "lftp", "smbclient", "ncftp", "ncftpget"})


def more_fetched(resolved: Resolved, command: Command, fed_by_download: bool) -> set[str]:
    """Names (folders end in `/`) this command fetches, beyond curl's and wget's outputs."""
    name, args = resolved.name, resolved.args
    found: set[str] = set()
    sub = (name, args[0]) if args else (name, "")
    if sub in _CLONES:
        found |= {folder} if (folder := _repository_folder(args[1:])) else set()
    elif name not in DOWNLOADERS and any(_URL.search(a) for a in args):
        found |= {posixpath.basename(a) for a in args if not a.startswith("-")
                  and not _URL.search(a) and ("/" in a or "." in a)}
    if name in ("scp", "rsync", "sftp"):
        found |= {posixpath.basename(a.partition(":")[2].rstrip("/")) for a in args
                  if re.match(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)", a)}
    if name in _FILE_CLIENTS:  # `tftp HOST -c get FILE [LOCAL]`, `-c 'get F'`, `atftp -l F`
        words = " ".join(args).split()
        found |= {posixpath.basename(w) for i, g in enumerate(words) if g in ("get", "mget")
                  for w in words[i + 1:i + 3] if not w.startswith("-")}
        found |= {posixpath.basename(w) for a, w in pairwise(words) if a in ("-l", "--local-file")}
    if sub == ("gh", "release") and "download" in args:
        found |= {posixpath.basename(p) for p in option_values(args, {"-p", "--pattern",
                                                                     "-O", "--output"})}
    if fed_by_download:
        found |= {posixpath.basename(r.target.text) for r in command.redirects
                  if r.op in WRITE_REDIRECT_OPS and not r.target.text.startswith("/dev/")}
    if sub in _NETWORK_INSTALLS and (program := _installed_program(sub, args)):
        found.add(program)
    return found - {""}


def installs_download(resolved: Resolved, fetched_on_line: set[str], cwd: str | None,
                      fetches_in_argument: bool) -> bool:
    """Whether the command installs what the line fetched: a build's install target run in
    a fetched folder (`make -C dir install`, `cd dir && make install`), or a package manager
    given a fetched file or a download made in its own arguments."""
    name, args = resolved.name, resolved.args
    folders = [f.rstrip("/") for f in fetched_on_line if f.endswith("/")]
    if name in _PACKAGE_INSTALLERS and (fetches_in_argument or any(
            posixpath.basename(a) in fetched_on_line or a.rstrip("/") in folders
            for a in args if not a.startswith("-"))):
        return True
    if name not in ("make", "gmake", "ninja", "cmake") or not any(
            _BUILD_INSTALL.match(a) for a in args):
        return False
    places = [b for a, b in pairwise(args) if a in ("-C", "--directory")]
    if not places and "./" in fetched_on_line:
        return True  # run inside what was fetched: `cd repo && make install`
    places += [cwd] if cwd else []
    return any(any(p == f or p.startswith(f + "/") or p.endswith("/" + f.lstrip("./"))
                   for f in folders) for p in places if p)


def entered(target: str, fetched_on_line: set[str]) -> set[str]:
    """`cd repo` into a folder the line fetched: from then on, relative names are in it
    (recorded as `./`, as for an archive unpacked where the line stands)."""
    return {"./"} if target.rstrip("/") + "/" in fetched_on_line else set()
