"""Paths brought to one form before they are judged: what a path reaches, not how it is spelt.

Why: the home folder's readers match spellings (`~/Pictures`, `$HOME/.config`); a path that
walks in and out (`~/Documents/../Pictures`, `$HOME/./Pictures`) or a folder asked of the
desktop (`"$(xdg-user-dir DOCUMENTS)"`, `$XDG_PICTURES_DIR`) reaches the same folder under
another spelling. Each is rewritten here as `~/…` when it lies in the home folder.
"""

from __future__ import annotations

import re

from app.terminal import risky_paths as paths

# The desktop's user folders by the names `xdg-user-dir` and `user-dirs.dirs` give them.
_XDG_FOLDERS = {"DESKTOP": "Desktop", "DOCUMENTS": "Documents", "DOWNLOAD": "Downloads",
                "MUSIC": "Music", "PICTURES": "Pictures", "VIDEOS": "Videos",
                "TEMPLATES": "Templates", "PUBLICSHARE": "Public"}
_XDG = re.compile(r"""["']?(?:\$\(\s*xdg-user-dir\s+["']?(\w+)["']?\s*\)"""
                  r"""|`\s*xdg-user-dir\s+(\w+)\s*`|\$\{?XDG_(\w+)_DIR\}?)["']?""")
_WALKS = re.compile(r"(?:^|/)\.\.?(?:/|$)|//")


def home_form(target: str) -> str:
    """`target` as `~/…` when it names a place in the home folder by a walk or a desktop
    folder; unchanged otherwise (or when it cannot be resolved)."""
    text = _XDG.sub(lambda m: "~/" + _XDG_FOLDERS.get(next(g for g in m.groups() if g), "?"),
                    target)
    if text == target and not _WALKS.search(target):
        return target
    path = paths.expand(text)
    home = paths.home()
    if path == home:
        return "~"
    if path and path.startswith(home + "/"):
        return "~" + path[len(home):]
    return text
