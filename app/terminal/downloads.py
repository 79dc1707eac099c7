"""Files a command line fetches from the internet, followed to where the line runs them.

Why: `curl -O …/x.sh && sh x.sh` runs what nobody has read, and so does a program unpacked
from a download (`curl … | tar xz -C /tmp && /tmp/tool/install`) or a file that a shell fed
the download writes and runs (`curl … | sh -c "cat > f; sh f"`). The deny list keeps the
names a line fetched (file names, and folders ending in `/`) and asks these questions of
them; running a program or script among them needs typing.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from app.terminal.command_words import (
    DOWNLOADERS,
    Resolved,
    option_values,
    resolve,
)
from app.terminal.embedded_code import CONSOLES
from app.terminal.fetched_installs import more_fetched
from app.terminal.fetched_manifests import applies_input
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command

_UNPACK_FOLDER = {"tar": {"-C", "--directory"}, "bsdtar": {"-C", "--directory"},
                  "unzip": {"-d"}}


def _url_name(url: str) -> str:
    return posixpath.basename(urlsplit(url).path)


def download_outputs(name: str, args: list[str]) -> set[str]:
    """File names a curl/wget call saves to, so `… && sh install.sh` can be recognised."""
    if name not in DOWNLOADERS:
        return set()
    out_letter, remote_letter = {"curl": ("o", "O"), "wget": ("O", "")}.get(name, ("o", ""))
    urls = [a for a in args if re.match(r"(?:https?|ftp)://", a)]
    saved: set[str] = set()
    named = False
    for index, arg in enumerate(args):
        value = None
        if arg in ("--output", "--output-document", "--out") and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith(("--output=", "--output-document=", "--out=")):
            value = arg.partition("=")[2]
        elif arg[:1] == "-" and arg[1:2] != "-" and out_letter in arg:
            attached = arg[arg.index(out_letter) + 1:]
            value = attached or (args[index + 1] if index + 1 < len(args) else "")
        elif arg == "--remote-name" or (arg[:1] == "-" and arg[1:2] != "-" and remote_letter
                                        and remote_letter in arg):
            saved |= {_url_name(url) for url in urls}
        if value is not None:
            named = True
            if value != "-":
                saved.add(posixpath.basename(value))
    if name == "wget" and not named:
        saved |= {_url_name(url) for url in urls}
    return saved - {""}


def fed_by_download(command: Command) -> bool:
    """Whether what flows into `command` comes straight from a downloader."""
    return any(resolve([w.text for w in c.words]).name in DOWNLOADERS for c in command.upstream)


def _copies_stdin(name: str, args: list[str]) -> bool:
    """`cat`, `cat -`, `tee FILE`, `dd of=FILE`: the input is written out unchanged."""
    files = [a for a in args if not a.startswith("-")]
    return (name == "cat" and not files) or name == "tee" or (
        name == "dd" and not any(a.startswith("if=") for a in args))


def _unpacked_into(name: str, args: list[str], command: Command,
                   fetched: set[str]) -> set[str]:
    """The folder an archive from a download is unpacked into, as `FOLDER/`."""
    if name not in _UNPACK_FOLDER:
        return set()
    extracts = name == "unzip" or "--extract" in args or any(
        re.fullmatch(r"-?[A-Za-z]*x[A-Za-z]*", a) for a in args[:1]) or any(
        re.fullmatch(r"-[A-Za-z]*x[A-Za-z]*", a) for a in args)
    downloaded = fed_by_download(command) or any(posixpath.basename(a) in fetched for a in args)
    if not (extracts and downloaded):
        return set()
    folder = (option_values(args, _UNPACK_FOLDER[name]) or ["."])[-1]
    return {folder.rstrip("/") + "/"}


def fetched_files(resolved: Resolved, command: Command, fetched: set[str],
                  shell_fed: bool) -> set[str]:
    """Names `command` saves from a download: a downloader's output (option or redirect),
    what a plain copy of the input writes when the download is piped in (to it, or to the
    shell running it: `shell_fed`), and the folder an unpacker fills from a download."""
    name, args = resolved.name, resolved.args
    written = {r.target.text for r in command.redirects if r.op in WRITE_REDIRECT_OPS}
    found = download_outputs(name, args)
    if name in DOWNLOADERS or ((shell_fed or fed_by_download(command))
                               and _copies_stdin(name, args)):
        found |= {posixpath.basename(w) for w in written}
        found |= {posixpath.basename(a) for a in args if not a.startswith("-")} \
            if name == "tee" else {posixpath.basename(a[3:]) for a in args if a.startswith("of=")}
    found |= more_fetched(resolved, command, shell_fed or fed_by_download(command))
    return (found | _unpacked_into(name, args, command, fetched)) - {""}


def runs_fed_download(name: str, args: list[str], command: Command) -> bool:
    """A download piped into a program that runs what it reads: a console's `.shell` or `!`
    lines (`sqlite3`, `psql`, `ftp` …), `make -f -`, `at`, `ed`, `gdb -x -`, `expect -f -`,
    a cluster's `kubectl apply -f -`."""
    if not fed_by_download(command):
        return False
    from_input = bool({"-", "/dev/stdin"} & set(args))
    return name in CONSOLES or name in ("at", "batch", "ed", "ex") or applies_input(
        name, args) or (from_input and name in ("make", "gmake", "expect", "gdb", "awk",
                                                "gawk", "vim", "nvim"))


def runs_download(program: str, fetched: set[str], cwd: str | None = None) -> bool:
    """Whether the program or script path `program` is among what the line fetched: a file
    by its name, or anything inside a folder a download was unpacked into (`cwd`, where an
    earlier `cd` went, places a relative path: `cd /tmp/tool && ./install`)."""
    if posixpath.basename(program) in fetched:
        return True
    path = program.removeprefix("./")
    path = posixpath.join(cwd, path) if cwd and not path.startswith(("/", "~", "$")) else path
    for entry in (e for e in fetched if e.endswith("/")):
        folder = entry.removeprefix("./").rstrip("/")
        inside = path.startswith(folder + "/") if folder else (
            "/" in path and not path.startswith(("/", "~", "$")))
        if inside:
            return True
    return False


# Runtimes that run the program file they are given: a downloaded jar, assembly or binary
# run through them is run as surely as `./tool` (`java -jar /tmp/t.jar`, `wine x.exe`).
_RUNTIME_PROGRAM = {"java": {"-jar", "-cp", "-classpath", "--class-path"},
                    "mono": set(), "dotnet": set(), "wine": set(), "wine64": set(),
                    "qemu-x86_64": set(), "qemu-aarch64": set(), "box64": set()}


def runs_fetched(resolved: Resolved, fetched: set[str], cwd: str | None) -> bool:
    """Whether the command runs a program the line fetched, itself or through a runtime."""
    name, args = resolved.name, resolved.args
    given = option_values(args, _RUNTIME_PROGRAM[name]) if _RUNTIME_PROGRAM.get(name) else (
        [a for a in args if not a.startswith("-")][:1] if name in _RUNTIME_PROGRAM else [])
    return any(runs_download(program, fetched, cwd)
               for program in [resolved.head_text, *given])
