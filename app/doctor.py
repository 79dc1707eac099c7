"""``flywheel doctor``: what is installed, where data lives, and whether it all works.

Each check returns (label, value, ok) so the CLI and a future "About" page print the same.
torch is imported only here and only when asked, never by the app's normal start-up.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable

Check = tuple[str, str, bool]


def _safe(label: str, probe: Callable[[], str]) -> Check:
    try:
        return (label, probe(), True)
    except Exception as exc:  # a doctor must report every failure, whatever it is
        return (label, f"{type(exc).__name__}: {exc}", False)


def _model() -> list[Check]:
    from app import settings as settings_mod
    from app.assistant import configured_model_path
    from app.model.catalog import file_sha256, validate_gguf

    path = configured_model_path(settings_mod.load())

    def checked_path() -> str:
        validate_gguf(path)
        return str(path)

    return [_safe("model path", checked_path), _safe("model sha256", lambda: file_sha256(path))]


def _llama() -> str:
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()
    return f"llama-cpp-python {llama_cpp.__version__}; {info}"


def _threads() -> str:
    from app import settings as settings_mod
    from app.assistant import configured_threads

    threads = configured_threads(settings_mod.load()) or "auto: the cores free at each turn"
    return f"{threads} (machine has {os.cpu_count()} CPUs)"


def _schema() -> str:
    from app.store.db import open_db, schema_version, stored_schema_version

    db = open_db()
    found = stored_schema_version(db.conn)
    db.conn.close()
    return f"{found} (this version writes {schema_version()})"


def _keyring() -> str:
    """The keyring backend, asked for an entry that does not exist: a backend that is only a
    placeholder ("fail", "null") or that errors cannot keep the signing key or the hub token,
    so it is a failure, not a detail (asking may show the system's unlock prompt)."""
    import keyring
    import keyring.errors

    from app.community.bundle import KEYRING_SERVICE

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if type(backend).__module__.endswith((".fail", ".null")):
        raise RuntimeError(
            f"{name}: no secret store found, so community sharing cannot keep its key here"
        )
    try:
        keyring.get_password(KEYRING_SERVICE, "doctor-probe")
    except keyring.errors.KeyringError as exc:
        raise RuntimeError(f"{name} does not answer: {exc}") from exc
    return name


def _torch() -> str:
    import torch

    cuda = "CUDA available" if torch.cuda.is_available() else "CPU only"
    return f"{torch.__version__} ({cuda})"


def _settings() -> str:
    from app import paths
    from app import settings as settings_mod

    loaded = settings_mod.load()
    if loaded.load_error:
        raise ValueError(loaded.load_error)
    return str(paths.settings_path())


def report() -> list[Check]:
    from app import paths

    return [
        ("flywheel", importlib.metadata.version("flywheel"), True),
        _safe("data folder", lambda: str(paths.user_dir())),
        _safe("settings", _settings),
        *_model(),
        _safe("llama.cpp", _llama),
        _safe("threads", _threads),
        _safe("schema version", _schema),
        _safe("keyring backend", _keyring),
        _safe("torch", _torch),
    ]
