"""Precious files handed to programs that may write them, whatever option says so.

Why: a list of "output options" per tool never ends (`strace -o`, `openssl rand -out`,
`pip --log`, `uniq IN OUT`, sqlite3's `.output`, psql's `\\o`). The rule here is general: a
shell start-up file, a key, `authorized_keys`, a system file or a disk named on the command
line is only safe with a program known to only read it (`cat`, `diff`, `ssh -i`, an editor
the user drives) or one whose own judge already decides (`cp`, `rm`, `chmod`). Given to any
other program as an argument, or as the value of an option that names where output goes
(also a wrapper's own, `strace -o FILE cmd`), it needs the typed confirmation. Option values
that are read (`-i key`, `--config F`, `--rcfile F`) are not arguments here.
"""

from __future__ import annotations

import re
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.containment import READERS as LETTERS_HARMLESS

# Programs that only read the files they are given, run them, or hand them to the user's
# editor; and programs another judge already rules on for these files.
READS = frozenset({
    "aa-enforce", "aa-audit", "aa-complain", "aa-disable", "apparmor_parser",
    "cat", "tac", "less", "more", "most", "head", "tail", "grep", "egrep", "fgrep", "rg", "ag",
    "ack", "wc", "diff", "cmp", "colordiff", "delta", "stat", "file", "ls", "exa", "eza", "lsd",
    "tree", "md5sum", "sha1sum", "sha256sum", "sha512sum", "b2sum", "cksum", "sum", "bat",
    "batcat", "view", "vim", "vi", "nvim", "nano", "emacs", "code", "codium", "gedit", "kate",
    "subl", "micro", "mousepad", "xed", "pluma", "meld", "vimdiff", "nvimdiff", "kdiff3",
    "source", ".", "echo", "printf", "test", "[", "realpath", "readlink", "basename",
    "dirname", "ssh-add", "ssh-keygen", "ssh-copy-id", "ssh", "scp", "sftp", "gpg", "gpg2",
    "shellcheck", "shfmt", "od", "hexdump", "strings", "base64", "base32", "awk",
    "gawk", "mawk", "nawk", "sed", "sort", "cut", "nl", "fold", "column", "jq", "yq", "git",
    "openssl", "getfacl", "lsattr", "du", "find", "fd", "locate", "which", "type", "command",
    "cp", "mv", "rm", "ln", "install", "rsync", "tee", "truncate", "shred", "dd", "chmod",
    "chown", "chgrp", "chattr", "setfacl", "touch", "unlink", "sponge", "crontab", "tar", "zip",
    "7z", "gzip", "xz", "bzip2", "zstd", "age", "pass", "keychain", "mkdir", "printenv", "env",
    "export", "declare", "local", "alias", "set", "unset", "sudo", "doas", "xargs", "cd",
    "pushd", "open", "xdg-open", "wl-copy", "xclip", "xsel", "pbcopy", "visudo", "vipw",
    "sudoedit", "ssh-keyscan", "curl", "wget", "http", "docker", "podman", "kubectl", "python",
    "perl", "ruby", "node", "php", "lua", "bash", "sh", "zsh", "dash", "ksh", "fish", "tcsh",
    "csh", "sqlite3", "psql", "mysql", "mariadb", "ed", "ex", "red", "patch", "chezmoi",
    "yadm", "stow", "rcup", "homeshick", "dotbot", "[[", "pr", "fmt", "expand",
    "unexpand", "comm", "join", "paste", "ptx", "tsort", "shuf", "basenc", "split", "csplit",
    "iconv", "look", "rev", "namei", "pathchk", "whereis", "shasum", "rhash", "b3sum",
    "xxhsum", "md5", "crc32", "diff3", "sdiff", "icdiff", "difft", "wdiff", "kompare", "ugrep",
    "sift", "fzf", "glow", "mdcat", "highlight", "pygmentize", "source-highlight", "enca",
    "exiftool", "xmllint", "checkbashisms", "lp", "lpr", "enscript", "a2ps", "ranger", "mc",
    "nnn", "vifm", "lf", "hg", "svn", "mercurial", "ansible-vault", "sops", "keepassxc-cli",
    "ssh-audit", "gio", "nautilus", "dolphin", "thunar", "explorer",
})
# Options whose value is where a program writes: `--output`, `--log`, `-o`, `-out`.
_OUTPUT_LONG = re.compile(r"^--?(?:[\w-]*(?:output|out-?file|out-?dir|log|log-?file|"
                          r"dump-?file|save|report|result|trace|record|capture|write)[\w-]*|out)$")
# Programs that read their first file and write their second (`xxd -r IN OUT`, `uniq IN OUT`).
_SECOND_IS_OUTPUT = frozenset({"xxd", "uniq"})
# Options whose value is a file the program reads: keys, settings, input.
_INPUT_OPTION = re.compile(r"^(?:-[A-Za-z]*[iFkK]|-in|--?(?:in|input)[\w-]*|--?[\w-]*(?:identity|"
                           r"key|rcfile|init-file|config|cert|cacert|ca-?file|netrc|from|source|"
                           r"read|settings|profile|credential)[\w-]*)$")
# Console commands that send output or a copy of the database to a file.
_CONSOLE_WRITES = re.compile(
    r"^\s*(?:\.(?:output|once|save|backup|excel|log|dump)|\\(?:o|out|w|write|g|copy)|tee|"
    r"\\T)\s+['\"]?([^'\"\s;]+)", re.M)


def _described(value: str, cwd: str | None, devices: bool = True) -> str | None:
    if not devices and (path := paths.expand(value, cwd)) and paths.is_device(path):
        return None  # disks named as arguments are judged by `device_checks`
    reason = paths.write_target_reason(value, cwd)
    return reason.removeprefix("writes to ") if reason and "history" not in reason else None


def option_outputs(name: str, args: list[str]) -> list[str]:
    """Values of the options that name where output goes (`-o F`, `-oF`, `--log=F`,
    `-out F`); `-o` is a harmless flag for programs that only print (`grep -o`, `ls -o`),
    except `sort` and `tree`."""
    letters = name not in LETTERS_HARMLESS or name in ("sort", "tree")
    values = []
    for index, arg in enumerate(args):
        following = args[index + 1] if index + 1 < len(args) else ""
        key, sep, value = arg.partition("=")
        if _OUTPUT_LONG.match(key):
            values.append(value if sep else following)
        elif letters and re.fullmatch(r"-[A-Za-z]*[oO]", arg):
            values.append(following)
        elif letters and re.match(r"-[oO]\S", arg) and not arg.startswith("--"):
            values.append(arg[2:])
    return [v for v in values if v]


def _given(args: list[str]) -> list[str]:
    """Every argument and option value, except the values of options that name a file to
    read (`-i key`, `--config=F`, `-F ssh_config`)."""
    found, skip = [], False
    for arg in args:
        key, sep, value = arg.partition("=")
        if skip:
            skip = False
        elif _INPUT_OPTION.match(key):
            skip = not sep
        elif arg.startswith("-") and len(arg) > 1:
            found += [value] if sep else []
        else:
            found.append(arg)
    return found


def argument_reasons(name: str, args: list[str], cwd: str | None,
                     wrapper: tuple[str, list[str]] | None = None) -> list[str]:
    """Why the precious files named in a command are at risk with this program; [] when
    none is named, or the program only reads it (or another judge decides)."""
    reasons = []
    for program, given in [(name, args), *([wrapper] if wrapper else [])]:
        for value in option_outputs(program, given):
            if described := _described(value, cwd):
                reasons.append(f"tells {program} to write its output to {described}")
    if name in READS:
        return reasons + [f"tells {name} to write to {described}"
                          for value in _written_by_reader(name, args)
                          if (described := _described(value, cwd))]
    given = _given(args)
    for value in given[1:2] if name in _SECOND_IS_OUTPUT else given:
        if described := _described(value, cwd, devices=False):
            reasons.append(f"hands {described} to {name}, which is not known to only read it")
    return reasons


def _written_by_reader(name: str, args: list[str]) -> list[str]:
    """Files a reader is told to write: every file of `gawk -i inplace`, the archive of
    `tar -cf FILE`."""
    if name in ("awk", "gawk") and ("inplace" in args or "--include=inplace" in args):
        return _given(args)[1:]
    if name == "tar":
        return [b for a, b in pairwise(args)
                if re.fullmatch(r"-?[A-Za-z]*[cruA][A-Za-z]*f", a)]
    return []


def console_writes(text: str, cwd: str | None) -> list[str]:
    """sqlite3 `.output F`/`.once F`/`.backup F`, psql `\\o F`, mysql `tee F` aimed at a
    precious file, in a console's arguments or input."""
    return [f"tells the database console to write to {described}"
            for match in _CONSOLE_WRITES.finditer(text)
            if (described := _described(match.group(1), cwd))]
