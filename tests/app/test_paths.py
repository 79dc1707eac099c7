from pathlib import Path

from app import paths


def test_user_dir_follows_env_override(flywheel_home: Path) -> None:
    assert paths.user_dir() == flywheel_home
    assert flywheel_home.is_dir()
    assert paths.db_path().parent == flywheel_home


def test_user_dir_defaults_to_platform_folder(monkeypatch) -> None:
    monkeypatch.delenv("FLYWHEEL_HOME")
    monkeypatch.setattr(paths.platformdirs, "user_data_dir", lambda name: f"/tmp/pd-test/{name}")
    assert paths.user_dir() == Path("/tmp/pd-test/flywheel")


def test_assets_are_found() -> None:
    assert (paths.assets_dir() / "system_prompt.txt").is_file()


def test_file_dialogs_never_open_in_the_data_folder(
    flywheel_home: Path, tmp_path: Path, monkeypatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert paths.dialog_start_dir() == home
    assert paths.dialog_start_dir(paths.user_dir()) == home
    assert paths.dialog_start_dir(paths.models_dir()) == home  # missing: not its parent
    paths.models_dir().mkdir()
    assert paths.dialog_start_dir(paths.models_dir()) == paths.models_dir().resolve()
    model = paths.models_dir() / "m.gguf"
    model.write_bytes(b"GGUF")
    assert paths.dialog_start_dir(model) == paths.models_dir().resolve()
    assert paths.dialog_start_dir(paths.db_path()) == home
