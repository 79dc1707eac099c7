"""Where Flywheel keeps things on disk.

Every file the app writes lives under one user data folder, so that "export all data" and
"delete all data" are one folder operation and tests can point the whole app at a temporary
directory with a single environment variable (``FLYWHEEL_HOME``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

ENV_HOME = "FLYWHEEL_HOME"


def user_dir() -> Path:
    """Return the user data folder, creating it if needed.

    ``FLYWHEEL_HOME`` wins over the platform default so that tests, portable installs and
    power users can relocate everything at once.
    """
    override = os.environ.get(ENV_HOME)
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("flywheel"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    return user_dir() / "flywheel.db"


def settings_path() -> Path:
    return user_dir() / "settings.toml"


def adapters_dir() -> Path:
    return user_dir() / "adapters"


def skills_dir() -> Path:
    return user_dir() / "skills"


def logs_dir() -> Path:
    path = user_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """Folder for GGUF files the user downloads through the app."""
    return user_dir() / "models"


def dialog_start_dir(preferred: Path | str | None = None) -> Path:
    """The folder a file dialog opens in: ``preferred`` (or the folder of a preferred file)
    when it is an existing folder away from the database, else the home folder, else (with
    ``FLYWHEEL_HOME`` pointing at the home folder) the folder above the data folder.

    A dialog lists its folder and reads the first bytes of unknown files to show their type;
    closing those reads drops this process's SQLite locks on the database, after which
    another Flywheel process could take itself for the database's last user. So a dialog
    never opens in the data folder itself, where the database is.
    """
    data = user_dir().resolve()
    if preferred is not None:
        folder = Path(preferred).expanduser()
        folder = folder if folder.is_dir() else folder.parent
        try:
            resolved = folder.resolve()
        except OSError:
            resolved = data
        if resolved.is_dir() and resolved != data:
            return resolved
    home = Path.home()
    return home if home.resolve() != data else data.parent


def assets_dir() -> Path:
    """Files the app ships (icons, canary text, system prompt).

    A frozen (PyInstaller) build unpacks them next to the executable's data; a source checkout
    keeps them at the repository root.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"
