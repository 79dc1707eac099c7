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
_XDG = re.compile(r"""["']?(?:\$\(\s*xdg-user-dir(?:\s+["']?(\w+)["']?)?\s*\)"""
                  r"""|`\s*xdg-user-dir(?:\s+(\w+))?\s*`|\$\{?XDG_(\w+)_DIR\}?)["']?""")
_WALKS = re.compile(r"(?:^|/)\.\.?(?:/|$)|//")


def _xdg_folder(match: re.Match[str]) -> str:
    """`~/Documents` for `$(xdg-user-dir DOCUMENTS)`; home itself when no folder is named."""
    name = next((g for g in match.groups() if g), None)
    return "~/" + _XDG_FOLDERS.get(name, "?") if name else "~"


def home_form(target: str, cwd: str | None = None) -> str:
    """`target` as `~/…` when it names a place in the home folder by a walk, a desktop
    folder, or a relative path from a folder an earlier `cd` went to (`cwd`); unchanged
    otherwise (or when it cannot be resolved)."""
    text = _XDG.sub(_xdg_folder, target)
    relative = cwd is not None and not target.startswith(("/", "~", "$"))
    if text == target and not _WALKS.search(target) and not relative:
        return target
    path = paths.expand(text, cwd)
    home = paths.home()
    if path == home:
        return "~"
    if path and path.startswith(home + "/"):
        return "~" + path[len(home):]
    return text
