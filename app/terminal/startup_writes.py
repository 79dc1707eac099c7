"""Persistence: text planted where it runs again later, outside the command's own run.

Why: a line written into an editor's or shell's start-up file, a user unit, environment.d,
a `~/.local/bin` shadow of a common command, a git setting that names a program, or an
alias that turns `cd` or `sudo` into something else runs every time afterwards.
"""

from __future__ import annotations

import re

_HOME = r"(?:~|\$\{?HOME\}?|\$\{ZDOTDIR:-\$HOME\}|\$\{?ZDOTDIR\}?)"
_STARTUP = (r"/\.(?:vimrc|gvimrc|exrc|emacs(?:\.el|\.d/\S*)?|zshenv|zshrc|zprofile|zlogin|bashrc"
            r"|bash_profile|bash_login|bash_aliases|bash_logout|profile|xprofile|xinitrc|xsession"
            r"|inputrc|tmux\.conf|pam_environment|[\w-]+rc|gdbinit|Rprofile|perldb|mailcap"
            r"|config/(?:nvim|fish|environment\.d|systemd/user"
            r"|autostart)/\S*|local/bin/(?:ls|cd|sudo|su|git|ssh|python3?|pip3?|cat|grep|vim?"
            r"|nano|curl|wget|cp|mv|rm|bash|sh|ps|passwd|apt|make)\b)(?![\w.-])")
# `~/bin` comes first on PATH in many shells' profiles, as `~/.local/bin` does.
# (A link of an interpreter or editor there, `~/bin/python`, is the usual way to pick one.)
_BIN_SHADOW = (r"/bin/(?:ls|cd|sudo|su|git|ssh|cat|grep|curl|wget|cp|mv|rm|bash|sh|ps|passwd|apt"
               r"|make)(?![\w.-])")
_WRITE = re.compile(rf"""(?:>>?|\btee\b(?:\s+-a)?|\bln\s+-\w+\s+\S+|\b(?:cp|install|mv)\b[^|;&]*)"""
                    rf"""\s*["']?{_HOME}(?:{_STARTUP}|{_BIN_SHADOW})["']?\s*(?:$|[;&|<>)])""",
                    re.M)
# Quoted words that are only arguments (`rg -F ': > ~/.bashrc'`), never a redirect target.
_ARGUMENT = re.compile(r"'[^']*'|\"(?![$~])[^\"]*\"")
_GIT = re.compile(r"\bgit\s+config\s+(?:--global|--system)\s+(?:diff\.external|init\.templatedir"
                  r"|credential\.\S*helper\s+['\"]?!|url\.\S+\.insteadof|core\.fsmonitor"
                  r"|core\.askpass|gpg\.program|diff\.\S+\.textconv|filter\.\S+\.(?:clean|smudge"
                  r"|process))", re.I)
_LATER = re.compile(r"\bsystemctl\s+(?:--\w+\s+)*(?:enable|link)\b[^|;&]*\s"
                    r"/(?:tmp|dev/shm|var/tmp)/"
                    r"|\bupdate-alternatives\s+--install\b[^|;&]*\s/(?:tmp|dev/shm|var/tmp)/")
# Python runs the `import` lines of every `.pth` file in site-packages, and
# sitecustomize/usercustomize, at each start.
_PTH_WRITE = re.compile(r"""(?:>>?|\btee\b)[^>]{0,300}?\.pth["']?\s*(?:$|[;&|)])""")
_CUSTOMIZE_WRITE = re.compile(r"""(?:>>?|\btee\b(?:\s+-a)?|\bcp\b[^|;&]*)\s*["']?[^;&|<>\s]*"""
                              r"""(?:site|user)customize\.py\b""")
# A folder computed on the line (`"$(python3 -m site --user-site)/usercustomize.py"`): read as
# one word, so the file named after it is still seen.
_COMPUTED_FOLDER = re.compile(r"\$\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")
_ALIAS = re.compile(r"""\balias\s+(cd|ls|sudo|su|ssh|passwd|git|cat)=["']?([^"'\s]+)([^"']*)""")


def startup_reasons(text: str) -> list[str]:
    """Reasons for planting commands that run later: start-up files, git settings, aliases."""
    reasons = []
    if _WRITE.search(_ARGUMENT.sub(" ", text)):
        reasons.append("writes into a start-up file that runs again later (shell, editor, "
                       "user units, environment, ~/.local/bin)")
    folded = _COMPUTED_FOLDER.sub("folder", text)
    if (_PTH_WRITE.search(folded) and re.search(r"\bimport\b", text)) or \
            _CUSTOMIZE_WRITE.search(folded):
        reasons.append("plants code that every Python start runs (a .pth file or "
                       "sitecustomize)")
    if _GIT.search(text) or _LATER.search(text):
        reasons.append("sets up a program to run later (a global git setting, a unit or an "
                       "alternative from /tmp)")
    for name, first, rest in _ALIAS.findall(text):
        if first != name or re.search(r"sh -c|;|&&|/tmp", rest):
            reasons.append(f"turns `{name}` into another command")
    return reasons
