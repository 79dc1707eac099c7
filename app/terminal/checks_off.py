"""A login or signature check switched off by what is written into its settings file.

Why: the check that asks a database's clients for a password, the desktop's login screen,
and the package manager's signature check are each one setting in one file, and whatever
writes that file — a redirect, `tee -a`, `sed -i`/`perl -pi`, `crudini --set`, `systemctl
edit --stdin` — switches the check off: afterwards anyone connecting is the database's
superuser, anyone at the screen is root, and any package that reaches the machine installs
with its scripts run as root. The class is held as (settings file, value that switches the
check off), judged on the text that ends up in the file (the replacement side of a `s///`,
so tightening a setting stays quiet):

- a database: PostgreSQL's `trust` method in `pg_hba.conf`, MySQL's `skip-grant-tables`,
  MongoDB's `authorization: disabled`;
- the desktop or a console: automatic or timed login as root (GDM, LightDM, SDDM, a getty
  unit's `--autologin root`);
- packages: `gpgcheck=0` (dnf, yum, zypper), pacman's `SigLevel = Never`, apt's
  `AllowUnauthenticated`/`AllowInsecureRepositories`, a source marked `[trusted=yes]`;
- certificates: `strict-ssl=false` in `.npmrc`/`.yarnrc`, pip's `trusted-host`, git's
  `sslVerify = false`, conda's `ssl_verify: false`, apt's `Verify-Peer "false"`, dnf's
  `sslverify=0`, `insecure` in `.curlrc`, `check_certificate = off` in `.wgetrc`.
"""

from __future__ import annotations

import re

from app.terminal.command_words import option_values, printed_text, program_and_args, resolve
from app.terminal.embedded_code import sed_script
from app.terminal.shell_syntax import WRITE_REDIRECT_OPS, Command

_OFF = r"(?:0|false|no|off)\b"
_TLS = "switches off the certificate checks of what is downloaded, so anyone on the way can " \
    "hand over packages or code"
# (settings file, what written there switches its check off, what is lost).
_CHECKS = (
    (re.compile(r"(?:^|/)pg_hba\.conf$"), re.compile(r"\btrust\b"),
     "lets anyone connect to the database as any account with no password (trust)"),
    (re.compile(r"^/etc/(?:my\.cnf|mysql/|my\.cnf\.d/)"),
     re.compile(r"\bskip[-_]grant[-_]tables\b"),
     "lets anyone connect to the database as any account with no password "
     "(skip-grant-tables)"),
    (re.compile(r"(?:^|/)mongod\.conf$"), re.compile(r"\bauthorization\s*:\s*disabled\b"),
     "lets anyone use the database with no password (authorization disabled)"),
    (re.compile(r"^/etc/(?:gdm3?/|lightdm/|sddm\.conf)"),
     re.compile(r"(?im)^\s*(?:AutomaticLogin|TimedLogin|autologin-user|User)\s*=\s*root\b"),
     "logs root in on the desktop with no password"),
    (re.compile(r"/systemd/system/[^/]*getty[^/]*\.d/"),
     re.compile(r"(?<!\S)(?:--autologin|-a)[\s=]+root\b"),
     "logs root in on a console with no password"),
    (re.compile(r"^/etc/(?:yum\.conf|dnf/dnf\.conf|yum\.repos\.d/|zypp/(?:zypp\.conf|repos\.d/))"),
     re.compile(rf"(?im)^\s*(?:\w+_)?gpgcheck\s*=\s*{_OFF}"),
     "installs packages with their signature check switched off (gpgcheck)"),
    (re.compile(r"^/etc/pacman\.conf$|^/etc/pacman\.d/"),
     re.compile(r"(?im)^\s*(?:Local|Remote)?SigLevel\s*=.*\bNever\b"),
     "installs packages with their signature check switched off (SigLevel = Never)"),
    (re.compile(r"^/etc/apt/apt\.conf"),
     re.compile(r"\bAllow(?:Unauthenticated|InsecureRepositories|DowngradeToInsecureRepositories)"
                r"\b\s*\"?(?:1|true|yes)\b", re.I),
     "installs packages with their signature check switched off (apt)"),
    (re.compile(r"^/etc/apt/sources\.list"),
     re.compile(r"\[[^\]]*\b(?:trusted|allow-insecure)=yes\b|^\s*Trusted:\s*yes\b",
                re.I | re.M),
     "installs packages from a source whose signatures are not checked (trusted=yes)"),
    # Certificate checks (`fetch_checks` reads the same switches given as commands).
    (re.compile(r"(?:^|/)(?:\.npmrc|npmrc|\.yarnrc(?:\.yml)?)$"),
     re.compile(rf"(?im)^\s*(?:strict-ssl|enableStrictSsl)\s*[=:]\s*\"?{_OFF}"), _TLS),
    (re.compile(r"(?:^|/)pip\.conf$|(?:^|/)pip\.ini$"),
     re.compile(r"(?im)^\s*trusted[-_]host\s*=\s*\S"), _TLS),
    (re.compile(r"(?:^|/)(?:\.gitconfig|gitconfig|\.git/config|git/config)$"),
     re.compile(rf"(?im)^\s*sslverify\s*=\s*{_OFF}"), _TLS),
    (re.compile(r"(?:^|/)\.condarc$"), re.compile(rf"(?im)^\s*ssl_verify\s*:\s*{_OFF}"), _TLS),
    (re.compile(r"^/etc/apt/apt\.conf"),
     re.compile(r"Verify-(?:Peer|Host)\b\W*\"?(?:0|false|no)\b", re.I), _TLS),
    (re.compile(r"^/etc/(?:yum\.conf|dnf/dnf\.conf|yum\.repos\.d/|zypp/repos\.d/)"),
     re.compile(rf"(?im)^\s*sslverify\s*=\s*{_OFF}"), _TLS),
    (re.compile(r"(?:^|/)\.curlrc$"), re.compile(r"(?im)^\s*(?:-k|(?:--)?insecure)\s*$"), _TLS),
    (re.compile(r"(?:^|/)(?:\.wgetrc|wgetrc)$"),
     re.compile(rf"(?im)^\s*check_certificate\s*=\s*{_OFF}"), _TLS),
)
# A backslash is read only as an escape (`[^\\]` elsewhere): with both readings allowed, a run
# of backslashes with no closing delimiter took seconds per pair (30 pairs: over 600 s).
_SUBSTITUTE = re.compile(r"s([/|#,:@!])((?:\\.|(?!\1)[^\\])*)\1((?:\\.|(?!\1)[^\\])*)\1")


def _fed(command: Command) -> str:
    """What a command reads: its here-string or here-document, or what is echoed into it."""
    if command.stdin_text is not None:
        return command.stdin_text
    texts = [printed_text(resolve([w.text for w in up.words])) for up in command.upstream]
    return "".join(text for text in texts if text)


def edited_text(script: str) -> str:
    """The text an in-place edit puts into a file: each `s///`'s replacement (what it
    matches is what goes away, unless `&` puts it back), else the script itself (`a`, `i`,
    `c` add its text)."""
    replaced = [re.sub(r"(?<!\\)&", lambda _, m=m: m.group(2).strip("^$"), m.group(3))
                for m in _SUBSTITUTE.finditer(script)]  # `&` is what matched
    return ("\n".join(replaced) if replaced else script).replace("\\n", "\n")


def settings_writes(command: Command) -> list[tuple[str, str]]:
    """(file, text written into it) for each settings file the command writes."""
    name, args = program_and_args(command)
    own = printed_text(resolve([w.text for w in command.words]))
    text = own if own is not None and name in ("echo", "printf") else _fed(command)
    found = [(r.target.text, text) for r in command.redirects if r.op in WRITE_REDIRECT_OPS]
    files = [a for a in args if not a.startswith("-")]
    if name == "tee":
        found += [(f, text) for f in files]
    if name in ("sed", "perl") and any(re.match(r"-\w*i|--in-place", a) for a in args):
        script = sed_script(args) if name == "sed" else "\n".join(
            option_values(args, {"-e", "-E"}))
        found += [(f, edited_text(script)) for f in files if f.startswith("/")]
    if name == "crudini" and "--set" in args and len(files) >= 4:
        found.append((files[0], f"{files[2]}={files[3]}"))
    if name == "systemctl" and "edit" in files and "--stdin" in args:
        found += [(f"/etc/systemd/system/{unit}.d/override.conf", text)
                  for unit in files[files.index("edit") + 1:]]
    return found


def switched_off(commands: list[Command],
                 table: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...]) -> list[str]:
    """What is lost, per ``table`` of (settings file, what written there switches it off,
    what is lost), by each settings file the commands write; `guards_off` reads its guards'
    files through it too."""
    reasons = []
    for command in commands:
        for target, text in settings_writes(command):
            reasons += [lost for place, value, lost in table
                        if place.search(target) and value.search(text)]
    return list(dict.fromkeys(reasons))


def checks_off_reasons(commands: list[Command]) -> list[str]:
    """Reasons for switching off a login or signature check in its settings file."""
    return switched_off(commands, _CHECKS)
