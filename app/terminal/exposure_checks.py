"""Opening the machine to another one: a remote display given a shell, the home folder
served to the network, packages from a plain-http index or a bare URL, keys and tokens
handed to a file-transfer or socket tool, a key file added to the logins.

Why: the network readers (`network_checks`) know downloads piped to a shell and reverse
shells; these are the quieter ways in or out, each read from one command's own words.
"""

from __future__ import annotations

import re

from app.terminal import risky_paths as paths
from app.terminal.command_words import option_values, program_and_args, program_name
from app.terminal.shell_syntax import Command

_LOCAL_HOST = re.compile(r"^(?:localhost|127\.|\[?::1\]?|0\.0\.0\.0$)")
_HOME_OR_ROOT = frozenset({"~", "~/", "$HOME", "${HOME}", "/", "/home", "/root", "/etc"})
_PLAIN_INDEX = re.compile(r"^http://(?!localhost|127\.|\[::1\])")
_INDEX_FLAGS = frozenset({"-i", "--index-url", "--extra-index-url", "--index", "--find-links",
                          "-f", "--default-index", "--registry"})
_RUNNERS = frozenset({"npx", "pnpx", "bunx", "uvx", "pipx"})
_SECRET_VAR = re.compile(r"TOKEN|SECRET|PASSW|API_?KEY|ACCESS_KEY|CREDENTIAL", re.I)
_SENDERS = frozenset({"nc", "ncat", "netcat", "socat", "telnet", "curl", "wget", "openssl"})
# A sender's options whose value is the data it sends (a header such as `Authorization:` is
# a token used, not sent).
_DATA_OPTIONS = frozenset({"-d", "--data", "--data-binary", "--data-raw", "--data-urlencode",
                           "-F", "--form", "--post-data", "--body-data", "--json"})
_TRANSFER = frozenset({"sftp", "ftp", "lftp", "tftp", "smbclient"})
# Folders every account can write to (`untrusted_runs` shares it).
WORLD_WRITABLE = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm)(?:/|$)")


def exposure_reasons(commands: list[Command]) -> list[str]:
    """Reasons for commands that open the machine or its secrets to another one."""
    reasons = []
    for command in commands:
        name, args = program_and_args(command)
        if not name:
            continue
        displays = option_values(args, {"-display", "--display", "-d"})
        if name.startswith(("xterm", "urxvt", "rxvt")) and "-e" in args and any(
                not display.startswith(":") and not _LOCAL_HOST.match(display)
                for display in displays):
            reasons.append(f"opens a shell on another machine's display ({displays[0]})")
        served = set(option_values(args, {"--directory", "-d"}))
        if "http.server" in args and served & _HOME_OR_ROOT:
            reasons.append("serves your home or system folder to every machine on the network")
        if any(_PLAIN_INDEX.match(url) for url in option_values(args, _INDEX_FLAGS)):
            reasons.append("installs packages from an unencrypted http index anyone on the way "
                           "can replace")
        runs_package = name in _RUNNERS or (name in ("npm", "pnpm") and {"exec", "dlx"} & set(args))
        if runs_package and any(re.match(r"^(?:https?|git\+\w+)://", arg) for arg in args):
            reasons.append("downloads a package from a bare address and runs it")
        if name in _TRANSFER and re.search(r"\b(?:m?put|send)\b", command.stdin_text or "") \
                and paths.mentions_secret(re.sub(r"['\"]", "", command.stdin_text or "")
                                          .replace("$USER", "u")):
            reasons.append("uploads your private keys or credentials to another machine")
        if name in _SENDERS and any(
                program_name(up.words[0].text) in ("printenv", "env", "echo")
                and any(_SECRET_VAR.search(w.text) for w in up.words)
                for up in command.upstream if up.words):
            reasons.append("sends your tokens or passwords to another machine")
        if name in _SENDERS and any(map(_dumps_environment, command.upstream)):
            reasons.append("sends your environment variables or shell history (tokens, "
                           "passwords) to another machine")
        sent = option_values(args, _DATA_OPTIONS) + [a for a in args if "://" in a]
        if name in _SENDERS and any(_SECRET_VAR.search(v) and "$" in v for v in sent):
            reasons.append("sends a token or password variable to another machine")
        if name == "ssh-copy-id":
            keys = option_values(args, {"-i"})
            hosts = [a for a in args if not a.startswith("-") and a not in keys]
            if any(WORLD_WRITABLE.match(k) for k in keys) or any(
                    _LOCAL_HOST.match(h.rpartition("@")[2]) for h in hosts):
                reasons.append("adds a key to the logins of this machine (anyone holding it "
                               "gets in)")
        templates = option_values(args, {"--template"}) + [
            v.partition("=")[2] for v in option_values(args, {"-c", "--config"})
            if v.lower().startswith("core.hookspath=")]
        if name == "git" and any(WORLD_WRITABLE.match(t) for t in templates):
            reasons.append("makes git run hook scripts from a folder anyone can write to")
        if name == "git" and "config" in args and _hooks_elsewhere(args):
            reasons.append("makes git run hook scripts from a folder anyone can write to, or "
                           "from one folder for every repository")
    return reasons


def _dumps_environment(command: Command) -> bool:
    """`set`, `export -p`, `declare -x`, `env`, `compgen -e`: every variable printed; and
    `history`, where passwords typed on command lines stay."""
    name, args = program_and_args(command)
    return (name in ("set", "env", "printenv", "export", "history") and args in ([], ["-p"])) or (
        name in ("declare", "typeset") and args in (["-p"], ["-x"], ["-px"])) or (
        name == "compgen" and "-e" in args)


def _hooks_elsewhere(args: list[str]) -> bool:
    """`git config --global core.hooksPath DIR`, or a hooks folder in /tmp in any scope."""
    lowered = [arg.lower() for arg in args]
    if "core.hookspath" not in lowered:
        return False
    index = lowered.index("core.hookspath")
    value = args[index + 1] if index + 1 < len(args) else ""
    scoped = bool({"--global", "--system"} & set(args))
    return bool(value) and (scoped or bool(WORLD_WRITABLE.match(value)))
