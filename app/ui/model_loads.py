"""Which model answers in the window: the loads asked for, and what each one's answer means.

The model thread answers every load once, in order (loaded or failed), so the window keeps
the settings' model path of each load it asked for and pairs them up as the answers come.
A failed switch leaves the previous model serving; when llama.cpp refused the file itself,
the settings go back to the serving model and stop listing the refused file.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from app import settings as settings_mod
from app.ui.banner import Banner
from app.ui.status_bar import StatusBar
from app.ui.workers import ModelThread


class ModelLoads(QObject):
    """Loads of the served model and their answers, shown in the status bar and the banner.

    ``settings`` is read at each answer (the window replaces it); ``take_settings`` hands
    the window settings that name the serving model again after a refused file.
    """

    def __init__(self, model: ModelThread, status: StatusBar, banner: Banner,
                 settings: Callable[[], settings_mod.Settings],
                 take_settings: Callable[[settings_mod.Settings], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.status = status
        self.banner = banner
        self._settings = settings
        self._take_settings = take_settings
        self._model_name = ""
        self._loads: deque[str] = deque()  # settings' model path of each load asked for
        self._serving_path: str | None = None  # that of the model answering now
        worker = model.worker
        worker.model_loading.connect(self._model_loading)
        worker.model_loaded.connect(self._model_loaded)
        worker.model_failed.connect(self._model_failed)

    @property
    def ready(self) -> bool:
        """A model is loaded and answering (possibly the previous one after a failed switch)."""
        return bool(self._model_name)

    def load(self, settings: settings_mod.Settings) -> None:
        """Ask the model thread for a load; each load answers once, in order (see above)."""
        self._loads.append(settings.model.path)
        self.model.load(settings)

    @Slot(str)
    def _model_loading(self, name: str) -> None:
        self.status.set_model_loading(name)

    @Slot(str)
    def _model_loaded(self, name: str) -> None:
        self._serving_path = self._loads.popleft() if self._loads else self._settings().model.path
        self._model_name = name
        self.status.set_model(name)
        self.status.set_adapter("")

    @Slot(str, bool)
    def _model_failed(self, message: str, file_refused: bool) -> None:
        refused = self._loads.popleft() if self._loads else None
        if self._model_name:
            self.status.set_model(self._model_name)
            message += f"\nStill using {self._model_name}."
            if file_refused and refused is not None and not self._loads:
                message += self._forget_refused_model(refused)
        else:
            self.status.set_model_error(message)
        self.banner.show_message(message, "Settings…")

    def _forget_refused_model(self, refused: str) -> str:
        """A model file llama.cpp refused while another model serves: the settings go back to
        the serving one and stop listing the refused file, so they say what is in use and the
        next start does not try it again. Returns what to add to the message."""
        from app.model.catalog import forget_local_model

        settings = self._settings()
        if self._serving_path is None or refused in ("", self._serving_path):
            return ""
        if settings.model.path != refused:
            return ""
        new = copy.deepcopy(settings)
        new.model.path = self._serving_path
        new.model.local_models = forget_local_model(new.model.local_models, refused)
        try:
            settings_mod.save(new)
        except OSError as exc:
            return f"\nThe settings could not be updated: {exc}"
        self._take_settings(new)  # (the model serving is already the one they name)
        return " The settings were set back to it and no longer list the refused file."
