"""Secrets leaving their place: judged by what is touched, not by which program touches it.

Why: ten rounds of naming the programs that copy, archive or send a key each left the next
unseen set a new spelling (`cat key > /tmp/k`, `… | tee /dev/shm/k`, `printenv > /var/www/…`,
`pass show bank > file`, a key folder mounted into a web server). So this wall asks two
questions only: does a command name a secret (a private key, a credentials store, a
password manager's entry, a secret-named variable, the whole environment), and does the
line put it where someone else gets it — a file other accounts read, a web server serves or
a sync client uploads, another machine, a container, a token's header sent to a host that
is not its service. Showing (`cat ~/.ssh/id_ed25519.pub`, `pass show bank | head -1`),
checking (`ssh-keygen -lf`), using a key to log in (`scp -i`), tightening (`chmod 600`) and
a backup that stays the user's (`cp -p ~/.ssh/id_rsa ~/.ssh/id_rsa.bak`, `cp … ~/backup/`,
`env | sort > env.txt`) stay quiet.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from app.terminal import risky_paths as paths
from app.terminal.command_words import option_values, options, program_and_args
from app.terminal.key_leaks import TOKEN_COMMANDS
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command

# Key files beyond `risky_paths`' list: TLS private keys and `*.key` files.
_KEY_FILE = re.compile(r"^/etc/ssl/private(?:/|$)|(?:^|/)[^/\s]*\.key$|(?:^|/)(?:privkey|[\w.-]*"
                       r"private[\w.-]*|[\w.-]*[-_.]key)\d*\.pem$")
# Environment variables named as secrets.
_SECRET_VAR = re.compile(r"\$\{?([A-Z0-9_]*(?:_TOKEN|TOKEN_|SECRET|PASSWORD|PASSWD|_KEY|_PAT)"
                         r"[A-Z0-9_]*)\}?")
# Folders other accounts read, a web server serves, or a sync client uploads; a file
# elsewhere (`~/backup/`, a USB disk, the working folder) stays the user's own.
_EXPOSED = re.compile(r"^(?:/tmp|/var/tmp|/dev/shm|/srv|/var/www|/usr/share|/usr/local/share"
                      r"|/var/lib/tftpboot|/run/user/\d+/gvfs|/mnt/(?:nfs|smb|cifs|share)\w*|~/(?:Public|public_html|www|Dropbox"
                      r"|OneDrive|Google ?Drive|Nextcloud|ownCloud|pCloudDrive|MEGA|Sync|"
                      r"Insync|Box))(?:/|$)")
_REMOTE = re.compile(r"^(?:[\w.-]+@)?[\w.-]+:(?!//)|^(?:s3|gs|rsync|scp|sftp|https?)://")
# Password managers and keyrings asked for a stored secret.
_VAULT_READS = re.compile(r"secret-tool lookup|security find-(?:generic|internet)-password\b"
                          r".*\s-[wg]|bw get (?:password|item|notes)|op (?:read|item get)"
                          r"|lpass show|keepassxc-cli (?:show|clip)|vault (?:kv|read)\b"
                          r"|kwallet-query\b.*-r")
# Folders that hold the system's keys and password hashes: copied or archived whole, the
# secrets in them go too (`sudo tar czf /tmp/etc.tgz /etc`).
_SECRET_FOLDERS = frozenset({"/etc", "/etc/ssh", "/etc/ssl", "/etc/ssl/private", "/etc/pki",
                             "/etc/letsencrypt", "/etc/letsencrypt/live",
                             "/etc/letsencrypt/archive", "/etc/wireguard", "/etc/kubernetes",
                             "/etc/kubernetes/pki", "/root"})
# Commands that upload the folder they run in: a secret copied there goes out with it.
_PUBLISHERS = frozenset({("npm", "publish"), ("yarn", "publish"), ("pnpm", "publish"),
                         ("bun", "publish"), ("cargo", "publish"), ("vsce", "publish"),
                         ("gem", "push"), ("netlify", "deploy"), ("vercel", "deploy"),
                         ("surge", "."), ("firebase", "deploy")})
# Programs that only check, tighten or use a key where it is.
_CHECKERS = frozenset({"gpg", "ssh-keygen", "ssh-add", "chmod", "chown", "stat", "ssh",
                       "openssl", "sha256sum", "md5sum", "test", "["})
_COPIERS = frozenset({"cp", "mv", "ln", "install", "rsync", "scp", "tar", "zip", "7z", "ditto",
                      "dd", "rclone", "gsutil", "cpio", "pax", "bsdtar", "sftp"})
# Programs that, fed a secret on their input, send it to another machine or account.
_SENDERS = frozenset({"curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "mail",
                      "sendmail", "mutt", "logger", "wall", "write"})
_QUIET_SINKS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"})
_MOUNTS = frozenset({"-v", "--volume", "--mount", "--bind", "--ro-bind"})
_WEB_SERVERS = re.compile(r"^(?:[\w.-]+/)*(?:nginx|httpd|caddy|apache2?|lighttpd|php)(?::|$)")
_CONTAINERS = frozenset({"docker", "podman", "nerdctl", "bwrap", "systemd-nspawn"})
# Services whose tokens' variables start with their name, and the domains of their hosts
# (a host is the service's when it is one of them or under one); a variable of no known
# service (`$API_TOKEN`, `$JIRA_TOKEN`) may go anywhere.
_GITHUB = ("github.com", "githubusercontent.com", "ghcr.io")
_SERVICE_HOSTS = {"GITHUB": _GITHUB, "GH": _GITHUB, "GITLAB": ("gitlab.com",),
                  "GL": ("gitlab.com",), "OPENAI": ("openai.com",),
                  "ANTHROPIC": ("anthropic.com",), "HF": ("huggingface.co", "hf.co"),
                  "HUGGINGFACE": ("huggingface.co", "hf.co"), "AWS": ("amazonaws.com",),
                  "CF": ("cloudflare.com",), "CLOUDFLARE": ("cloudflare.com",),
                  "NPM": ("npmjs.org", "npmjs.com"), "PYPI": ("pypi.org",),
                  "SLACK": ("slack.com",), "STRIPE": ("stripe.com",),
                  "DO": ("digitalocean.com",), "DIGITALOCEAN": ("digitalocean.com",),
                  "DOCKER": ("docker.com", "docker.io"), "SENTRY": ("sentry.io",),
                  "TWILIO": ("twilio.com",), "SENDGRID": ("sendgrid.com",),
                  "DISCORD": ("discord.com", "discordapp.com"), "HEROKU": ("heroku.com",),
                  "VERCEL": ("vercel.com",), "NETLIFY": ("netlify.com",),
                  "BITBUCKET": ("bitbucket.org",)}
# `pass`/`gopass` verbs that do not print an entry; any other first word is an entry's name
# (`pass bank` shows it, as `pass show bank` does).
_PASS_VERBS = frozenset({"init", "ls", "list", "grep", "find", "search", "insert", "add", "edit",
                         "generate", "rm", "remove", "delete", "mv", "rename", "cp", "copy",
                         "git", "help", "version", "sync", "setup", "config", "audit"})

def grants_others(mode: str) -> bool:
    """A chmod mode giving group or others read or write: octal (`644`, `0640`) or symbolic
    (`g+r`, `o=rw`, `a+w`, `+r`); the owner's own (`u+r`, `600`) does not."""
    if re.fullmatch(r"0?[0-7]?[0-7]{3}", mode):
        return any(int(digit) & 6 for digit in mode[-2:])
    return any(re.fullmatch(r"[ugoa]*[+=][rwxXst]*[rw][rwxXst]*", part)
               and not re.match(r"^u+[+=]", part) for part in mode.split(","))


def secret_named(text: str) -> bool:
    """`text` names a private key, a credentials file or a secret-named variable."""
    return bool(paths.mentions_secret(text) or _KEY_FILE.search(text)
                or _SECRET_VAR.search(text))


def exposed_place(target: str, cwd: str | None = None) -> bool:
    """A path other accounts read (theirs included), a server serves or a sync client
    uploads, or another machine (`host:path`, `s3://…`)."""
    if _REMOTE.match(target):
        return True
    path = paths.expand(target.strip("'\""), cwd)
    home = paths.home()
    if path and re.match(r"^/home/[^/]+", path) and not (path + "/").startswith(home + "/"):
        return True  # another account's home folder
    return path is not None and bool(_EXPOSED.match(
        "~" + path[len(home):] if path.startswith(home + "/") else path))


def _source(command: Command) -> str | None:
    """What secret a command emits or handles: a named secret, a password entry, a key
    export, the whole environment; None for anything else."""
    name, args = program_and_args(command)
    words = [a for a in args if not a.startswith("-")]
    if name in ("pass", "gopass") and args and (not words or words[0] not in _PASS_VERBS):
        return f"the password entry {words[-1] if words else ''}".strip()
    if name == "gpg" and any(re.match(r"--export-secret-(?:sub)?keys", a) for a in args):
        return "your secret GPG keys"
    if (name in ("printenv", "env", "set", "export", "declare", "typeset") and not args) or (
            name in ("printenv", "env") and all(a in ("-0", "--null") for a in args)) or (
            name in ("export", "declare", "typeset") and all(
                re.fullmatch(r"-[px]+", a) for a in args)):
        return "the whole environment (tokens and passwords in it)"
    if re.search(TOKEN_COMMANDS, " ".join([name, *args])) or _VAULT_READS.match(
            " ".join([name, *args])):
        return f"the secret {name} prints"
    if name in _CHECKERS:
        return None
    if name in _COPIERS and (whole := [w for w in words if (p := paths.expand(w)) and
                                       p.rstrip("/") in _SECRET_FOLDERS]):
        return f"{whole[0]} (with the keys and password hashes in it)"
    used = set(option_values(args, {"-i", "-e", "-o", "--rsh", "--identity"}))
    secret = [a for a in args if secret_named(a) and not a.endswith(".pub") and a not in used
              and not a.startswith(("IdentityFile=", "--identity="))]
    return secret[0] if secret else None


def _written_files(command: Command) -> list[str]:
    files = [r.target.text for r in command.redirects
             if r.op in WRITE_REDIRECT_OPS and not r.target.text.isdigit()]
    name, args = program_and_args(command)
    if name == "gpg":
        files += option_values(args, {"-o", "--output"})
    return [f for f in files if exposed_place(f) and f not in _QUIET_SINKS]


def _copied(command: Command) -> str | None:
    """The exposed place a copier puts a secret in."""
    name, args = program_and_args(command)
    if name not in _COPIERS:
        return None
    words = [a for a in args if not a.startswith("-")]
    if name == "dd":
        words = [a.partition("=")[2] for a in args if a.startswith("of=")]
    places = [w for w in words if not secret_named(w) and exposed_place(w)]
    return places[-1] if places else None


def _mounted(command: Command) -> str | None:
    """A secret mounted into a container that serves it: one publishing a port or running
    a web server (a container that only uses the key, `-v ~/.ssh:/s alpine ls /s`, is left
    to the allow rules, which never cover a mount)."""
    name, args = program_and_args(command)
    serves = any(re.match(r"-p\b|--publish|--network=?host|-P$", a) for a in args) or any(
        _WEB_SERVERS.match(a) for a in args)
    if name not in _CONTAINERS or not serves:
        return None
    for value in option_values(args, _MOUNTS):
        source = value.split(":")[0].removeprefix("type=bind,").removeprefix("source=")
        if secret_named(source) or secret_named(value.split(",")[1] if "," in value else ""):
            return value
    return None


def _foreign_token_host(command: Command) -> str | None:
    """A token sent to a host that is not its service: in a header or a `-u user:token` to
    any host of the command outside the service's domains (`$GITHUB_TOKEN` to
    `github.com.evil.example`), or in the command `ssh` runs on another machine."""
    name, args = program_and_args(command)
    if name == "ssh":
        words = options(args, valued="bcDEeFIiJLlmOopQRSWw", stop_at_positional=True)[2]
        return words[0] if any(_SECRET_VAR.search(word) for word in words[1:]) else None
    if name not in ("curl", "wget", "http", "https", "xh"):
        return None
    carried = option_values(args, {"-H", "--header", "-u", "--user"}) + [
        a.partition("=")[2] for a in args if a.startswith(("--header=", "--user="))]
    hosts = [urlsplit(a).hostname or "" for a in args if re.match(r"https?://", a)]
    for value in carried:
        for var in _SECRET_VAR.findall(value):
            domains = _SERVICE_HOSTS.get(var.split("_")[0], ())
            foreign = [host for host in hosts if not any(
                host == domain or host.endswith("." + domain) for domain in domains)]
            if domains and foreign:
                return foreign[0]
    return None


def _passes(name: str, args: list[str]) -> bool:
    """A program that, fed a secret on its input, sends it, writes it where others read,
    or (xargs) opens, copies or sends the files named."""
    if name in _SENDERS:
        return True
    if name in ("tee", "sponge", "dd", "split"):
        return any(exposed_place(a.removeprefix("of=")) for a in args if not a.startswith("-"))
    if name in ("xargs", "parallel"):
        inner = [a for a in args if not a.startswith("-")]
        return bool(set(inner) & (_SENDERS | _COPIERS)) or (
            "chmod" in inner and any(grants_others(a) for a in inner))
    return False


def _published(commands: list[Command]) -> list[str]:
    """A secret copied into the working folder (`cp ~/.npmrc .`) and then that folder
    published (`npm publish`, `cargo publish`) on the same line."""
    copied = ""
    for command in commands:
        name, args = program_and_args(command)
        words = [a for a in args if not a.startswith("-")]
        if name in _COPIERS and len(words) >= 2 and not words[-1].startswith(("/", "~", "$")) \
                and (secret := next((w for w in words[:-1] if secret_named(w)), "")):
            copied = secret
        if copied and (name, words[0] if words else "") in _PUBLISHERS:
            return [f"copies {copied} into the folder it then publishes ({name} {words[0]})"]
    return []


def secret_move_reasons(commands: list[Command]) -> list[str]:
    """Reasons for a secret written, copied, mounted or handed on anywhere on the line."""
    reasons = _published(commands)
    emitted = {id(command): _source(command) for command in commands}
    for command in commands:
        secret = emitted[id(command)]
        if secret:
            if written := _written_files(command):
                reasons.append(f"writes {secret} into a file others can read ({written[0]})")
            if place := _copied(command):
                reasons.append(f"copies {secret} where others can read it ({place})")
        if mount := _mounted(command):
            reasons.append(f"mounts your keys or credentials into a container ({mount})")
        if host := _foreign_token_host(command):
            reasons.append(f"sends a token to a host that is not its service ({host})")
        fed = next((s for upstream in command.upstream if (s := emitted.get(id(upstream)))),
                   None) if any(emitted.values()) else None
        if fed:
            name, args = program_and_args(command)
            written = _written_files(command)
            if _passes(name, args) or written:
                where = written[0] if written else name
                reasons.append(f"hands {fed} to {posixpath.basename(where)}, which keeps it "
                               "where others read it or sends it on")
    return reasons
