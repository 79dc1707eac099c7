"""The frozen entry script gives child processes the user's environment back."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

LAUNCHER = Path(__file__).resolve().parents[2] / "packaging" / "launcher.py"


def launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flywheel_launcher", LAUNCHER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not __main__: defines, does not start the app
    return module


def test_the_users_library_path_comes_back_and_bootloader_variables_go() -> None:
    environ = {
        "LD_LIBRARY_PATH": "/opt/flywheel/_internal:/opt/userlib",
        "LD_LIBRARY_PATH_ORIG": "/opt/userlib",
        "_PYI_ARCHIVE_FILE": "/opt/flywheel/flywheel",
        "_PYI_PARENT_PROCESS_LEVEL": "-1",
        "HOME": "/home/me",
    }
    launcher().restore_user_environment(environ)
    assert environ == {"LD_LIBRARY_PATH": "/opt/userlib", "HOME": "/home/me"}


def test_a_library_path_the_user_never_set_is_removed() -> None:
    environ = {"LD_LIBRARY_PATH": "/opt/flywheel/_internal", "PATH": "/usr/bin"}
    launcher().restore_user_environment(environ)
    assert environ == {"PATH": "/usr/bin"}
