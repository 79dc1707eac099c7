"""Help → About: version, data folder (opens in the file manager), model, license."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from app import paths
from app import settings as settings_mod
from app.model.catalog import embedded_model_path
from app.ui.about_dialog import PROJECT_LICENSE, AboutDialog, app_license
from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


class OpenedUrls(QObject):
    """Receives what QDesktopServices would hand to the desktop (the file manager)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def opened() -> Iterator[OpenedUrls]:
    receiver = OpenedUrls()
    QDesktopServices.setUrlHandler("file", receiver, "open")
    yield receiver
    QDesktopServices.unsetUrlHandler("file")


def test_help_about_shows_version_data_folder_model_and_license(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, opened: OpenedUrls
) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[-1] == "&Help"
    window.about_action.trigger()
    dialog = window.about_dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    text = dialog.details.text()
    assert metadata.version("flywheel") in text and dialog.version == metadata.version("flywheel")
    assert str(paths.user_dir()) in text
    assert str(embedded_model_path()) in text
    assert PROJECT_LICENSE in text

    dialog.details.linkActivated.emit(QUrl.fromLocalFile(str(paths.user_dir())).toString())
    assert [url.toLocalFile() for url in opened.urls] == [str(paths.user_dir())]
    dialog.details.linkActivated.emit("file:///etc")  # nothing else is opened from here
    assert len(opened.urls) == 1
    dialog.reject()


def test_the_license_shown_is_the_projects() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"]["text"] == PROJECT_LICENSE == app_license()


def test_the_configured_model_file_is_named(qtbot: QtBot) -> None:
    settings = settings_mod.Settings()
    settings.model.path = "/nowhere/model.gguf"
    dialog = AboutDialog(settings)
    qtbot.addWidget(dialog)
    assert "/nowhere/model.gguf" in dialog.details.text()
