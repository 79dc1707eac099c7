from pathlib import Path

from app import paths, settings


def test_defaults_when_no_file() -> None:
    loaded = settings.load()
    assert loaded.community.share_enabled is False
    assert loaded.learning.idle_minutes == 10
    assert loaded.load_error is None


def test_round_trip_keeps_unknown_keys() -> None:
    path = paths.settings_path()
    path.write_text(
        '[model]\nthreads = 3\nfuture_knob = "x"\n\n[plugins]\nfoo = 1\n', encoding="utf-8"
    )
    loaded = settings.load()
    assert loaded.model.threads == 3
    loaded.community.share_enabled = True
    settings.save(loaded)
    text = path.read_text(encoding="utf-8")
    assert 'future_knob = "x"' in text
    assert "[plugins]" in text
    again = settings.load()
    assert again.community.share_enabled is True
    assert again.model.threads == 3


def test_broken_file_is_reported_and_not_overwritten() -> None:
    path = paths.settings_path()
    broken = "[model\nthreads = = 3\n"
    path.write_text(broken, encoding="utf-8")
    loaded = settings.load()
    assert loaded.load_error and str(path) in loaded.load_error
    assert loaded.model.threads == settings.ModelSettings().threads
    assert path.read_text(encoding="utf-8") == broken


def test_saving_over_a_broken_file_moves_it_aside() -> None:
    path = paths.settings_path()
    path.write_text("not = [toml", encoding="utf-8")
    loaded = settings.load()
    settings.save(loaded)
    backups = list(Path(path.parent).glob("settings.toml.broken-*"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == "not = [toml"
    assert settings.load().load_error is None


def test_ill_typed_value_falls_back_to_default_field_by_field() -> None:
    paths.settings_path().write_text(
        '[model]\nthreads = "many"\ncontext_size = 2048\n', encoding="utf-8"
    )
    loaded = settings.load()
    assert loaded.model.threads == 0
    assert loaded.model.context_size == 2048
    assert "model.threads" in (loaded.load_error or "")


def test_every_field_has_help() -> None:
    from dataclasses import fields, is_dataclass

    config = settings.Settings()
    sections = [getattr(config, f.name) for f in fields(config)]
    for section in filter(is_dataclass, sections):
        for f in fields(section):
            assert settings.field_help(section, f.name), f"{type(section).__name__}.{f.name}"


def test_out_of_range_numbers_are_refused_at_load_and_the_file_is_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.toml"
    text = "[model]\ncontext_size = 0\nmax_reply_tokens = -1\ntemperature = -5\nthreads = 2\n"
    path.write_text(text, encoding="utf-8")
    loaded = settings.load(path)
    defaults = settings.ModelSettings()
    assert loaded.model.context_size == defaults.context_size
    assert loaded.model.max_reply_tokens == defaults.max_reply_tokens
    assert loaded.model.temperature == defaults.temperature
    assert loaded.model.threads == 2
    assert loaded.load_error is not None
    for key in ("context_size = 0", "max_reply_tokens = -1", "temperature = -5"):
        assert key in loaded.load_error
    assert path.read_text(encoding="utf-8") == text


def test_penalty_and_text_size_out_of_range_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[model]\nrepeat_penalty = 0\n[ui]\nfont_size = 10000\n", encoding="utf-8")
    loaded = settings.load(path)
    assert loaded.model.repeat_penalty == settings.ModelSettings().repeat_penalty
    assert loaded.ui.font_size == settings.UiSettings().font_size
    assert loaded.load_error is not None and "font_size = 10000" in loaded.load_error
