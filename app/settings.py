"""Typed user settings, stored as TOML in the user data folder.

Why a dataclass per section: every setting has one typed home with a default and a line of
help, the settings dialog can be generated from it, and a broken or partial file degrades to
defaults field by field instead of failing the whole app.

Rules the app relies on:
- unknown keys (from a newer version, or added by hand) are kept on save;
- a file that cannot be parsed is reported and left untouched; the app runs on defaults,
  and the next save first moves the broken file aside (``settings.toml.broken-<time>``);
- saves are atomic (temp file + rename).
"""

from __future__ import annotations

import logging
import time
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_type_hints

import tomli_w

from app import paths
from app.atomic import write_text_atomic

log = logging.getLogger(__name__)


def _help(text: str, default: Any) -> Any:
    """A scalar field with its one line of help (shown as the settings dialog's tooltip)."""
    return field(default=default, metadata={"help": text})


@dataclass
class ModelSettings:
    path: str = _help("GGUF file to serve; empty means the embedded default model.", "")
    threads: int = _help(
        "CPU threads for generation; 0 (auto) uses the cores other programs leave free, "
        "chosen at the start of each reply.",
        0,
    )
    context_size: int = _help("Context window in tokens.", 4096)
    gpu_layers: int = _help("Layers offloaded to a GPU (0 on CPU-only machines).", 0)
    max_reply_tokens: int = _help("Longest reply, in tokens.", 512)
    temperature: float = _help("Sampling temperature; 0 is greedy.", 0.7)
    repeat_penalty: float = _help(
        "Discourages the reply from repeating its own recent words (1.0 = off); "
        "a reply that loops anyway is stopped.",
        1.1,
    )
    local_models: list[str] = field(
        default_factory=list, metadata={"help": "GGUF files the user added to the model list."}
    )
    system_prompt: str = _help(
        "Instructions the model gets before every chat; empty means Flywheel's default.", ""
    )


@dataclass
class LearningSettings:
    enabled: bool = _help("Learn from signals and train adapters while idle.", True)
    paused: bool = _help("Temporarily stop recording signals and training.", False)
    idle_minutes: int = _help("Minutes without input before training may start.", 10)
    ac_power_only: bool = _help("Train only when plugged in (where a battery exists).", True)
    min_new_examples: int = _help("New examples needed before a training run.", 8)
    learn_from_community: bool = _help(
        "Adapters also learn from the worked examples of community skills you enabled,"
        " weighted below your own lessons.",
        True,
    )
    model_words_skills: bool = _help(
        "The served model is capable: it words each new habit skill's lesson, kept only when "
        "the examples bear the wording out, and re-reads a next message the classifier is "
        "unsure of (is it a correction?). Leave off for the embedded model, which is not.",
        False,
    )


@dataclass
class CommunitySettings:
    share_enabled: bool = _help("Share anonymized skills with the community hub.", False)
    hub_url: str = _help("Address of the community hub.", "")
    always_ask: bool = _help("Show each skill for approval before it is sent.", True)
    trust_endorsements: int = _help(
        "Enable skills of subscribed domains at once when at least this many members endorsed "
        "them (0: they always wait in the community inbox).", 0)


@dataclass
class TerminalSettings:
    allow_rules: list[str] = field(
        default_factory=list,
        metadata={
            "help": "Assistant-proposed commands matching one of these run without a click "
            "(shell globs; prefix with re: for a regular expression)."
        },
    )
    command_timeout_s: int = _help("Seconds before a running proposed command is stopped.", 600)


@dataclass
class UiSettings:
    minimize_to_tray: bool = _help("Closing the window keeps Flywheel in the system tray.", False)
    theme: str = _help("light, dark or system.", "system")
    font_size: int = _help("Text size in points; 0 follows the system.", 0)


@dataclass
class Settings:
    model: ModelSettings = field(default_factory=ModelSettings)
    learning: LearningSettings = field(default_factory=LearningSettings)
    community: CommunitySettings = field(default_factory=CommunitySettings)
    terminal: TerminalSettings = field(default_factory=TerminalSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    load_error: str | None = field(default=None, repr=False, compare=False)


class SettingsError(Exception):
    """The settings file exists but cannot be used as it is."""


def _coerce(value: Any, annotation: Any) -> Any:
    """Return ``value`` if it fits the annotated type, else raise TypeError."""
    origin = getattr(annotation, "__origin__", None)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is bool and isinstance(value, bool):
        return value
    if annotation is int and is_number and isinstance(value, int):
        return value
    if annotation is float and is_number:
        return float(value)
    if annotation is str and isinstance(value, str):
        return value
    if origin is list and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError(f"expected {getattr(annotation, '__name__', annotation)}, got {value!r}")


def _section_from(cls: type, data: dict[str, Any], where: str, problems: list[str]) -> tuple:
    """Build one section dataclass; return it and the keys this version does not know."""
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue
        try:
            values[name] = _coerce(value, hints[name])
        except TypeError as exc:
            problems.append(f"{where}.{name}: {exc}; using the default")
    unknown = {k: v for k, v in data.items() if k not in known}
    return cls(**values), unknown


# Inclusive bounds of numeric settings; a value outside them would fail later, far from the
# file (a context of 0 tokens crashes the first turn), so it is refused at load instead.
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("model", "threads"): (0, 1024),
    ("model", "context_size"): (256, 1 << 20),
    ("model", "gpu_layers"): (-1, 100_000),
    ("model", "max_reply_tokens"): (1, 1 << 20),
    ("model", "temperature"): (0.0, 2.0),
    ("model", "repeat_penalty"): (1.0, 2.0),
    ("ui", "font_size"): (0, 32),
    ("learning", "idle_minutes"): (0, 100_000),
    ("learning", "min_new_examples"): (0, 1_000_000),
    ("terminal", "command_timeout_s"): (0, 10_000_000),
}


def _refuse_out_of_range(settings: Settings, problems: list[str]) -> None:
    """Put every out-of-range number back to its default and say so."""
    for (section_name, name), (low, high) in RANGES.items():
        section = getattr(settings, section_name, None)
        if section is None or not hasattr(section, name):
            continue
        value = getattr(section, name)
        if not low <= value <= high:
            default = getattr(type(section)(), name)
            setattr(section, name, default)
            problems.append(
                f"{section_name}.{name} = {value} is out of range ({low} to {high}); "
                f"using the default {default}"
            )


def from_dict(data: dict[str, Any]) -> Settings:
    """Settings from parsed TOML, keeping unknown keys and defaulting ill-typed values."""
    settings = Settings()
    problems: list[str] = []
    for f in fields(Settings):
        section_cls = f.default_factory if callable(f.default_factory) else None
        if section_cls is None or not is_dataclass(section_cls):
            continue
        raw = data.get(f.name)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(f"[{f.name}] must be a table; using defaults")
            settings.extra[f.name] = raw
            continue
        section, unknown = _section_from(section_cls, raw, f.name, problems)
        setattr(settings, f.name, section)
        if unknown:
            settings.extra[f.name] = unknown
    _refuse_out_of_range(settings, problems)
    section_names = {f.name for f in fields(Settings)}
    for key, value in data.items():
        if key not in section_names:
            settings.extra[key] = value
    if problems:
        settings.load_error = "; ".join(problems)
    return settings


def to_dict(settings: Settings) -> dict[str, Any]:
    """Plain data for TOML, with unknown keys merged back in."""
    out: dict[str, Any] = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if not is_dataclass(value):
            continue
        section = {sf.name: getattr(value, sf.name) for sf in fields(value)}
        unknown = settings.extra.get(f.name)
        if isinstance(unknown, dict):
            section = {**unknown, **section}
        out[f.name] = section
    for key, value in settings.extra.items():
        if key not in out:
            out[key] = value
    return out


def load(path: Path | None = None) -> Settings:
    """Read settings; never raises for a bad file (the error is in ``load_error``)."""
    path = path or paths.settings_path()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        message = f"Settings file {path} is broken ({exc}); using defaults and leaving it as is."
        log.warning(message)
        broken = Settings()
        broken.load_error = message
        broken.extra["__broken_file__"] = True
        return broken
    settings = from_dict(data)
    if settings.load_error:
        settings.load_error = f"Settings file {path}: {settings.load_error}"
        log.warning(settings.load_error)
    return settings


def save(settings: Settings, path: Path | None = None) -> None:
    """Write settings atomically; a broken file on disk is first moved aside, never lost."""
    path = path or paths.settings_path()
    if settings.extra.pop("__broken_file__", False) and path.exists():
        backup = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        path.replace(backup)
        log.warning("Moved the broken settings file to %s", backup)
    write_text_atomic(path, tomli_w.dumps(to_dict(settings)))
    settings.load_error = None


def field_help(section: object, name: str) -> str:
    """The one-line help of a settings field (shown as a tooltip in the settings dialog)."""
    for f in fields(section):  # type: ignore[arg-type]
        if f.name == name:
            return str(f.metadata.get("help", ""))
    raise KeyError(name)
