"""Help → About: which Flywheel this is, where its data lives, which model answers, the license.

The version and license come from the installed package's metadata, so they cannot drift
from what was installed; a build without metadata (a frozen app that did not collect it)
falls back to the version in :mod:`app` and the license the project is published under.
The data folder is a link that opens it in the file manager (another process: nothing here
opens the files inside it).
"""

from __future__ import annotations

import html
from importlib import metadata

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import app
from app import paths
from app.settings import Settings

DISTRIBUTION = "flywheel"
PROJECT_LICENSE = "Apache-2.0"  # pyproject.toml's license; tests keep the two equal


def app_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return app.__version__


def app_license() -> str:
    try:
        meta = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return PROJECT_LICENSE
    return meta.get("License-Expression") or meta.get("License") or PROJECT_LICENSE


def _model_text(settings: Settings) -> str:
    from app.assistant import configured_model_path
    from app.model.catalog import ModelFileError

    try:
        return str(configured_model_path(settings))
    except ModelFileError as exc:
        return f"none usable ({exc})"


class AboutDialog(QDialog):
    """Version, data folder (click to open), settings file, model, license."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Flywheel")
        self.data_folder = paths.user_dir()
        self.version = app_version()
        folder = html.escape(str(self.data_folder))
        folder_url = html.escape(QUrl.fromLocalFile(str(self.data_folder)).toString())
        rows = [
            ("Version", html.escape(self.version)),
            ("Data folder", f'<a href="{folder_url}">{folder}</a>'),
            ("Settings file", html.escape(str(paths.settings_path()))),
            ("Model", html.escape(_model_text(settings))),
            ("License", html.escape(app_license())),
        ]
        table = "".join(
            f'<tr><td style="padding-right:12px;"><b>{name}</b></td><td>{value}</td></tr>'
            for name, value in rows
        )
        self.details = QLabel(
            "<h2>Flywheel</h2><p>A local assistant that learns from you, on your machine. "
            "Nothing leaves it unless you turn sharing on.</p>"
            f"<table>{table}</table>"
        )
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.details.setWordWrap(True)
        self.details.linkActivated.connect(self._open_link)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def _open_link(self, link: str) -> None:
        """Only the data folder is a link; it opens in the desktop's file manager."""
        url = QUrl(link)
        if url.isLocalFile() and url.toLocalFile() == str(self.data_folder):
            self.data_folder.mkdir(parents=True, exist_ok=True)
            QDesktopServices.openUrl(url)
