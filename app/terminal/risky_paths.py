"""Which filesystem paths are too precious to delete, move, overwrite or chmod in bulk.

Why a module of its own: the deny list asks the same questions of `rm`, `find`, `mv`,
`chmod`, `dd`, `tee` and redirections — "is this the whole system, the home folder, a disk
device, the shell history, a file the system cannot boot or log in without?" — and must
expand `~`, `$HOME` and `..` the same way every time, so `rm -rf /tmp/../` is caught.
"""

from __future__ import annotations

import os
import posixpath
import re
from fnmatch import fnmatchcase

from app.terminal import windows_paths
from app.terminal.persistence_places import persistence_place

SYSTEM_DIRS = frozenset({
    "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/opt",
    "/proc", "/root", "/sbin", "/sys", "/usr", "/var", "/snap", "/usr/bin", "/usr/sbin", "/usr/lib",
    "/usr/lib64", "/usr/local", "/usr/share", "/usr/include", "/var/lib", "/etc/ssh",
    "/System", "/Library", "/Applications", "/Users", "/private", "/sys/firmware/efi/efivars",
    "/var/log",
})
# System folders whose every sub-folder belongs to the system too (`/lib/modules`,
# `/var/lib/dpkg`, `/usr/share/zoneinfo`): losing one breaks booting, packages or programs.
# `/usr/local` and `/opt` are absent on purpose: what is in them the user installed.
SYSTEM_OWNED = frozenset({
    "/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/usr", "/usr/bin",
    "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/share", "/usr/include", "/usr/libexec",
    "/var/lib", "/System", "/Library",
})
SENSITIVE_FILES = frozenset({
    "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers", "/etc/fstab",
    "/etc/crypttab", "/etc/ld.so.preload", "/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog",
    "/var/log/auth.log", "/var/log/secure",
})
SENSITIVE_PREFIXES = ("/etc/sudoers.d/", "/etc/pam.d/", "/boot/", "/etc/selinux/",
                      "/etc/apparmor.d/", "/etc/ssh/sshd_config", "/etc/security/",
                      "/sys/fs/selinux/", "/sys/kernel/security/", "/sys/module/apparmor/",
                      "/etc/audit/", "/sys/firmware/efi/efivars/",
                      "/var/log/audit/")
# Files whose lines are commands run later by cron, and the boot loader's kernel arguments:
# what is written there is judged as commands (cron) or as boot arguments (grub).
CRON_FILE = re.compile(r"^(?:/etc/crontab|/etc/cron\.d/.*|/var/spool/cron/.*)$")
# A kernel-settings drop-in of the admin's own (`/etc/sysctl.d/99-swappiness.conf`): its
# settings are judged as `sysctl -w` (`defence_settings`). Names systemd and the distributions
# ship (`10-*`, `50-*`, `99-sysctl.conf`, `protect-links.conf`) are left out: a file of the
# same name in /etc replaces the shipped one, protections and all.
SYSCTL_DROPIN = re.compile(r"^/etc/sysctl\.d/(?!(?:10|50)-|99-sysctl\.conf$|protect-links\.conf$)"
                           r"[\w.-]+\.conf$")
BOOT_CONFIG = re.compile(r"^(?:/etc/default/grub(?:\.d/.*)?|/etc/grub\.d/.*|/boot/.*\.conf|"
                         r"/etc/kernel/cmdline)$")
# Files whose commands every new shell or login runs: writing to them plants a command.
STARTUP_FILES = frozenset({
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv",
    ".zprofile", ".zlogin", ".zlogout", ".kshrc", ".mkshrc", ".cshrc", ".tcshrc", ".login",
    ".logout", ".xprofile", ".xinitrc", ".xsessionrc", ".pam_environment", "config.fish",
})
_SYSTEM_STARTUP = re.compile(r"^/etc/(?:profile|bash\.bashrc|bashrc|zsh/\w+|zshrc|zprofile|"
                             r"environment|rc\.local|profile\.d/.*|fish/config\.fish)$")
# Folders whose every file runs at each login or session, unread by anyone first (a unit or a
# cron file copied in is the admin's usual way, and its text is judged where it is written).
_STARTUP_DIR = re.compile(r"^/etc/(?:profile\.d|xdg/autostart|update-motd\.d|sudoers\.d)$"
                          r"|/\.config/autostart$")
# Kernel files whose write removes a disk or device, unbinds its driver or suspends.
_KERNEL_CONTROL = re.compile(r"^/sys/(?:block/[^/]+/device/delete|class/\w+/[^/]+/device/delete"
                             r"|bus/.+/(?:unbind|remove)|devices/.+/(?:remove|unbind)"
                             r"|power/(?:state|disk))$")
# Private keys and stored credentials: losing them locks the user out, leaking them lets
# someone else in. `.pub` keys are meant to be shared.
_SECRET_RE = re.compile(
    r"(?:^|/)\.ssh(?:/?$|/(?:id_[\w*?-]*|identity|[*?])(?<!\.pub)$|/\*)"
    r"|(?:^|/)id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?(?!\.pub)(?:$|[^\w.])"
    r"|(?:^|/)\.(?:aws/credentials|aws/?$|netrc|git-credentials|pgpass|pypirc|npmrc|vault-token|"
    r"docker/config\.json|kube/config|kube/?$|password-store|gnupg|config/gcloud|azure|"
    r"config/gh/hosts\.yml|config/hub$)|(?:^|/)\.local/share/keyrings"
    r"|^/etc/(?:shadow|gshadow|ssh/ssh_host_[\w*?]+_key|ssh/ssh_host_\*)(?!\.pub)|^/etc/ssh/?\*?$"
    # a VPN's or a cluster's keys, and password databases wherever they are kept
    r"|^/etc/wireguard/[^/\s]+|^/etc/kubernetes/(?:[\w-]*admin|controller-manager|scheduler"
    r"|kubelet)\.conf$|^/etc/kubernetes/pki/\S+\.key$|[^/\s]\.(?:kdbx?|psafe3|keychain-db)\b"
    r"|(?:^|/)\.gnupg/(?:private-keys|secring)"
    # cryptocurrency wallets: whoever holds the file (and its password, often none) holds
    # the coins — Bitcoin Core and its forks, Electrum, Ethereum keystores, Solana, Monero
    r"|(?:^|/)wallet\.dat\b|(?:^|/)\.(?:bitcoin|litecoin|dogecoin|dashcore)/wallets\b"
    r"|(?:^|/)\.electrum[\w-]*(?:/?$|/wallets\b)|(?:^|/)keystore/UTC--"
    r"|(?:^|/)\.ethereum/keystore\b|(?:^|/)\.config/solana/[^/\s]*\.json\b"
    r"|(?:^|/)(?:Monero|\.bitmonero)/wallets\b|(?:^|/)\.config/Exodus/exodus\.wallet\b"
    r"|^/proc/(?:self|\d+|\*)/environ$"
    r"|(?:^|/)(?:cookies\.sqlite|logins\.json|key[34]\.db|Login Data|Cookies)(?:$|[^\w.])")
_AUTHORIZED_KEYS = re.compile(r"(?:^|/)\.ssh/(?:authorized_keys2?|rc|config)$")
# Settings whose entries run commands (git aliases with `!`, `core.pager`, hooks paths).
_COMMAND_CONFIG = re.compile(r"(?:^|/)(?:\.gitconfig|\.config/git/config)$")
HISTORY_FILES = frozenset({
    ".bash_history", ".zsh_history", ".zhistory", ".history", ".sh_history", ".histfile",
    "fish_history", "$HISTFILE", "${HISTFILE}",
})
_DEVICE_RE = re.compile(
    r"^/dev/(?:sd[a-z?*\[]|hd[a-z]|vd[a-z?*\[]|xvd[a-z]|nvme[\d?*\[]|mmcblk\d|r?disk\d|disk/|md\d|dm-\d|"
    r"mapper/|nbd\d|loop\d|sr\d|zram\d|mtd|mem$|kmem$|port$|sg\d|bsg/|st\d|nst\d|"
    r"ada\d|da\d|nda\d|nvd\d|vtbd\d|wd\d|mfid\d)"
)
_HOME_VAR_RE = re.compile(r"^(?:\$HOME|\$\{HOME(?:[:?=+\-][^}]*)?\})(?=/|$)")
_HOME_TRIM_RE = re.compile(r"^\$\{HOME(%%?|##?)([^}]*)\}")
_USER_VAR_RE = re.compile(r"\$(?:USER|LOGNAME|\{USER\}|\{LOGNAME\})(?!\w)")
_OTHER_HOME_RE = re.compile(r"^~([A-Za-z_][\w.-]*)(?=/|$)")
# Browser and mail profiles: saved passwords, cookies (logged-in sessions), history, mail.
BROWSER_DIRS = (".mozilla", ".mozilla/firefox", ".thunderbird", ".config/google-chrome",
                ".config/chromium",
                ".config/BraveSoftware", ".config/microsoft-edge", ".config/vivaldi",
                ".config/opera", "snap/firefox", "Library/Application Support/Firefox",
                "Library/Application Support/Google/Chrome", "Library/Safari")
# Folders whose files are the scheduled jobs of every user.
CRON_DIRS = frozenset({"/var/spool/cron", "/var/spool/cron/crontabs", "/etc/cron.d"})
_GLOB_CHARS = re.compile(r"[*?\[]")
_CATCH_ALL_GLOB = re.compile(r"[*?.\[\]!^{},]+")


def home() -> str:
    """The user's home folder, read each time so tests and `HOME` changes are honoured."""
    return posixpath.normpath(os.path.expanduser("~"))


def expand(arg: str, cwd: str | None = None) -> str | None:
    """Absolute, normalised form of a path argument, or None when it depends on an unknown cwd.

    `~`, `~user`, `$HOME` and `${HOME:?}` are expanded, `$USER` as the home folder's name
    (so `~/../$USER` is the home folder); `..` segments are resolved; `cwd` (known only when
    the same command line did `cd /somewhere` first) resolves relative paths. Windows
    spellings (`$env:USERPROFILE`, `C:\\Users\\bob`) are read as `windows_paths` maps them.
    """
    arg = _USER_VAR_RE.sub(lambda _m: posixpath.basename(home()) or "root",
                           windows_paths.posix_form(arg))
    text = _HOME_TRIM_RE.sub(_trimmed_home, _HOME_VAR_RE.sub(lambda _m: home(), arg))
    if text == "~" or text.startswith("~/"):
        text = home() + text[1:]
    elif other := _OTHER_HOME_RE.match(text):
        user = other.group(1)
        text = ("/root" if user == "root" else f"/home/{user}") + text[other.end():]
    if not text.startswith("/"):
        if cwd is None:
            return None
        text = f"{cwd}/{text}"
    return posixpath.normpath(re.sub("/+", "/", text))


def _trimmed_home(match: re.Match[str]) -> str:
    """`${HOME%/*}` (the folder holding home), `${HOME%/}`, `${HOME##*/}` as bash trims them."""
    value, op, pattern = home(), match.group(1), match.group(2)
    cuts = range(len(value) + 1)
    if op.startswith("%"):
        ends = cuts if op == "%%" else reversed(cuts)
        return next((value[:i] for i in ends if fnmatchcase(value[i:], pattern)), value)
    starts = reversed(cuts) if op == "##" else cuts
    return next((value[i:] for i in starts if fnmatchcase(value[:i], pattern)), value)


def _describe_dir(path: str) -> str | None:
    user_home = home()
    if path == "/":
        return "the whole system (/)"
    if path == user_home:
        return "your home folder"
    if user_home.startswith(path + "/"):
        return f"{path} (it holds your home folder)"
    if path in (f"{user_home}/.ssh", f"{user_home}/.gnupg"):
        return f"your keys in {path}"
    if path in SYSTEM_DIRS or posixpath.dirname(path) in SYSTEM_OWNED:
        return f"the system folder {path}"
    if path in CRON_DIRS:
        return f"the scheduled jobs in {path}"
    for browser in BROWSER_DIRS:
        root = f"{user_home}/{browser}"
        if path == root or (path.startswith(root + "/") and path.count("/") == root.count("/") + 1):
            return f"your browser profile {path} (saved passwords, cookies, history)"
    if re.fullmatch(r"/(?:home|Users)/[^/]+", path):
        return f"the home folder {path}"
    return windows_paths.describe(path)


def is_system_subfolder(path: str) -> bool:
    """A folder inside a system-owned folder (`/var/lib/mysql`), not a system folder itself:
    deleting it breaks the system, but handing it to a service's account
    (`chown -R mysql /var/lib/mysql`) is routine."""
    return path not in SYSTEM_DIRS and posixpath.dirname(path) in SYSTEM_OWNED


def describe_precious(path: str) -> str | None:
    """Plain words for a precious directory (or a catch-all glob inside one), else None.

    `/*`, `~/.*` and `/usr/*` count as "everything in …"; `~/*.log` does not, because a
    glob with a name part in it picks out some files rather than the whole folder.
    """
    parts = path.split("/")
    for index, part in enumerate(parts):
        if _GLOB_CHARS.search(part):
            if not _CATCH_ALL_GLOB.fullmatch(part):
                return _glob_of_precious(path)
            described = _describe_dir("/".join(parts[:index]) or "/")
            return f"everything in {described}" if described else None
    return _describe_dir(path)


def _glob_of_precious(pattern: str) -> str | None:
    """A glob that spells a precious folder (`/e??`, `~/.s[s]h`) is that folder."""
    user_home = home()
    known = [*SYSTEM_DIRS, user_home, f"{user_home}/.ssh", f"{user_home}/.gnupg",
             *(f"{user_home}/{browser}" for browser in BROWSER_DIRS)]
    parts = pattern.split("/")
    for path in known:
        names = path.split("/")
        if len(names) == len(parts) and all(map(fnmatchcase, names, parts)):
            return _describe_dir(path)
    return None


def is_device(path: str) -> bool:
    """True for block devices and raw memory, where a write destroys a disk or the kernel."""
    return bool(_DEVICE_RE.match(path))


def is_sensitive_file(path: str) -> bool:
    """True for files the system needs to boot or let anyone log in."""
    return path in SENSITIVE_FILES or path.startswith(SENSITIVE_PREFIXES)


def is_history_file(arg: str) -> bool:
    """True when the argument names a shell history file (`~/.bash_history`, `$HISTFILE`)."""
    return posixpath.basename(arg.rstrip("/")) in HISTORY_FILES or arg in HISTORY_FILES


def write_target_reason(arg: str, cwd: str | None) -> str | None:
    """Why writing to (or truncating) `arg` is dangerous, or None when it is not."""
    if is_history_file(arg):
        return "wipes or replaces your shell history"
    path = expand(arg, cwd)
    if path is None:
        precious = precious_file(arg, cwd)
        return f"writes to {precious}" if precious else None
    if is_device(path):
        return f"writes raw data onto the disk device {path}, destroying what is on it"
    if is_sensitive_file(path):
        return f"overwrites the system file {path}"
    if precious := precious_file(arg, cwd):
        return f"writes to {precious}"
    if _STARTUP_DIR.search(path) and arg.endswith("/"):
        return f"puts a file into the start-up folder {arg} (what is there runs later)"
    if _KERNEL_CONTROL.match(path):
        return f"writes to the kernel's control file {path} (removes a device or stops the " \
               "machine)"
    if path == "/proc/sysrq-trigger":
        return "triggers a kernel SysRq action (can crash or reboot the machine at once)"
    return None


def every_file_written(arg: str, cwd: str | None) -> str | None:
    """Why writing or truncating `arg` empties a precious folder's every file: a catch-all
    glob there (`truncate -s0 ~/*`), or what `find ~ -type f -exec sh -c ': > "$1"' _ {} ;`
    hands its command, which the finder spells so; else `write_target_reason`'s answer.
    Only where the argument is written: a glob handed to any other program is its own
    business (`taskkill /?`)."""
    path = expand(arg, cwd)
    described = describe_precious(path) if path and "*" in arg else None
    if described and described.startswith("everything in "):
        return f"empties every file in {described.removeprefix('everything in ')}"
    return write_target_reason(arg, cwd)


def browser_data(arg: str) -> bool:
    """True for a browser's profile folder or anything in it (cookies, saved logins)."""
    path = expand(arg.rstrip("/") or "/")
    roots = [f"{home()}/{browser}" for browser in BROWSER_DIRS]
    return path is not None and any(path == root or path.startswith(root + "/") for root in roots)


def mentions_secret(text: str) -> bool:
    """True when `text` names a private key or credentials file (`~/.ssh/id_ed25519`,
    `~/.aws/credentials`, `/etc/shadow` …) anywhere in it, quoted paths in code included."""
    return bool(_SECRET_RE.search(text))


# What in an SSH client's settings runs a program, pulls in other text, or stops checking
# which server answers: the rest of a `Host` entry only names where and as whom to log in.
_SSH_CONFIG_RUNS = re.compile(r"(?im)^\s*(?:ProxyCommand|LocalCommand|PermitLocalCommand|"
                              r"KnownHostsCommand|RemoteCommand|Include|Match|PKCS11Provider|"
                              r"SecurityKeyProvider|IdentityAgent|StrictHostKeyChecking|"
                              r"UserKnownHostsFile|ControlPath|ProxyUseFdpass)\b")


def ssh_host_entry_only(target: str, text: str | None) -> bool:
    """Text appended to `~/.ssh/config` that only adds host entries (`Host build`,
    `HostName`, `User`, `Port`, `IdentityFile`): nothing in it runs or loosens a check."""
    return bool(text and text.strip()) and bool(re.search(r"(?:^|/)\.ssh/config$", target)) \
        and re.search(r"(?im)^\s*Host\s", text or "") is not None \
        and not _SSH_CONFIG_RUNS.search(text or "")


def precious_file(arg: str, cwd: str | None = None) -> str | None:
    """Plain words for a file that must not be emptied, overwritten or appended to: shell
    start-up files, SSH `authorized_keys`, private keys and credentials. None otherwise.

    A bare relative name (`.bashrc`) counts when the folder is unknown: the terminal may
    well be sitting in the home folder.
    """
    path = expand(arg, cwd)
    name = posixpath.basename(arg.rstrip("/"))
    if path is None:  # a folder only known while the line runs: its place may still say
        if persistence_place(arg) and not re.search(r"\s", arg):  # `$CONDA_PREFIX/etc/…`
            path = arg
        elif "/" in arg.removeprefix("./") or name not in STARTUP_FILES:
            return None
        else:
            path = name
    if _AUTHORIZED_KEYS.search(path):
        return f"the SSH login file {arg} (a key or command added there lets someone in)"
    if name in STARTUP_FILES or _SYSTEM_STARTUP.match(path):
        return f"the shell start-up file {arg} (every new shell runs what is in it)"
    if persistence_place(path):
        return f"the start-up place {arg} (what is put there runs by itself at each login, " \
               "session or boot)"
    if mentions_secret(path):
        return f"your private keys or credentials in {arg}"
    if _COMMAND_CONFIG.search(path):
        return f"the settings file {arg} (commands and aliases in it run without asking)"
    return None
