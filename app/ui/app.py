"""Start the Qt application and show the main window."""

from __future__ import annotations

import sqlite3
import sys

from app import paths
from app.store.db import SchemaTooNewError


def run_gui() -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import settings as settings_mod
    from app.ui import theme
    from app.ui.icons import app_icon
    from app.ui.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv)
    qt_app.setApplicationName("Flywheel")
    qt_app.setOrganizationName("Flywheel")
    qt_app.setDesktopFileName("flywheel")
    qt_app.setWindowIcon(app_icon())
    settings = settings_mod.load()
    theme.install(qt_app, settings.ui.theme)
    try:
        window = MainWindow(settings)
    except (SchemaTooNewError, sqlite3.DatabaseError) as exc:
        # The database is the user's history: explain, never "repair" it by overwriting.
        QMessageBox.critical(
            None,
            "Flywheel cannot open its database",
            f"{exc}\n\nDatabase: {paths.db_path()}",
        )
        return 1
    window.show()
    return qt_app.exec()
