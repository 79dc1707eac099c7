"""May training start now? The user is away, the machine is plugged in and quiet, and there
is something new to learn.

Training takes both cores for minutes; started while the user types it makes the app feel
broken, started on battery it drains it. So each condition is checked and the first one that
fails is reported in words for the status bar ("waiting: you used the app 2 min ago").

Idleness comes from two places: the window reports its last input (app-level idleness,
always available), and the OS is asked for the session's idle time where it can tell (the
user may be busy in another program). Every OS probe is best effort: any failure falls back
to the app's own idleness. No Qt here, so the logic is testable and reusable by the CLI.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from app.learning.community import community_lessons
from app.settings import LearningSettings
from app.store import examples, training_runs

PROBE_TIMEOUT_S = 2.0
MAX_LOAD_PER_CORE = 0.5
POWER_SUPPLY = Path("/sys/class/power_supply")


@dataclass(frozen=True)
class Decision:
    """Whether to train now, and why (or why not) in a few plain words."""

    train: bool
    reason: str


def _run(argv: list[str]) -> str | None:
    """Output of a short probe command, or ``None`` when it is missing or fails."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _linux_dbus_idle_s() -> float | None:
    """Session idle time from GNOME's Mutter IdleMonitor or the freedesktop ScreenSaver."""
    probes = (
        (
            ["gdbus", "call", "--session", "--dest", "org.gnome.Mutter.IdleMonitor",
             "--object-path", "/org/gnome/Mutter/IdleMonitor/Core",
             "--method", "org.gnome.Mutter.IdleMonitor.GetIdletime"],
            1000.0,
        ),
        (
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.ScreenSaver",
             "--object-path", "/org/freedesktop/ScreenSaver",
             "--method", "org.freedesktop.ScreenSaver.GetSessionIdleTime"],
            1.0,
        ),
    )
    for argv, per_second in probes:
        out = _run(argv)
        match = re.search(r"(\d+)", out or "")
        if match:
            return int(match.group(1)) / per_second
    return None


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    ]


def _x11_idle_s() -> float | None:
    """X11 idle time through libXss, when an X display and the library are present."""
    if not os.environ.get("DISPLAY"):
        return None
    xlib_name, xss_name = ctypes.util.find_library("X11"), ctypes.util.find_library("Xss")
    if not xlib_name or not xss_name:
        return None
    try:
        xlib, xss = ctypes.CDLL(xlib_name), ctypes.CDLL(xss_name)
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_XScreenSaverInfo)
        ]
        display = xlib.XOpenDisplay(None)
        if not display:
            return None
        try:
            info = xss.XScreenSaverAllocInfo()
            if not xss.XScreenSaverQueryInfo(display, xlib.XDefaultRootWindow(display), info):
                return None
            idle_ms = info.contents.idle
            xlib.XFree(info)
            return idle_ms / 1000.0
        finally:
            xlib.XCloseDisplay(display)
    except (OSError, AttributeError):
        return None


def _macos_idle_s() -> float | None:
    match = re.search(r'"HIDIdleTime"\s*=\s*(\d+)', _run(["ioreg", "-c", "IOHIDSystem"]) or "")
    return int(match.group(1)) / 1e9 if match else None


def _windows_idle_s() -> float | None:
    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

    try:
        info = LastInputInfo(ctypes.sizeof(LastInputInfo), 0)
        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        if not user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        tick = ctypes.windll.kernel32.GetTickCount() & 0xFFFFFFFF  # type: ignore[attr-defined]
        return ((tick - info.dwTime) & 0xFFFFFFFF) / 1000.0
    except (OSError, AttributeError):
        return None


def os_idle_seconds() -> float | None:
    """Seconds since the user last touched keyboard or mouse anywhere; ``None``: unknown."""
    if sys.platform == "darwin":
        return _macos_idle_s()
    if sys.platform == "win32":
        return _windows_idle_s()
    if sys.platform.startswith("linux"):
        return _linux_dbus_idle_s() or _x11_idle_s()
    return None


def on_ac_power() -> bool | None:
    """``True`` on mains or with no battery, ``False`` on battery, ``None`` when unknown."""
    if sys.platform.startswith("linux"):
        return _linux_on_ac(POWER_SUPPLY)
    if sys.platform == "darwin":
        out = _run(["pmset", "-g", "batt"])
        return None if out is None else "Battery Power" not in out
    if sys.platform == "win32":
        return _windows_on_ac()
    return None


def _linux_on_ac(root: Path) -> bool | None:
    """Mains online, or no battery at all (a desktop), from ``/sys/class/power_supply``."""
    try:
        supplies = list(root.iterdir())
    except OSError:
        return None
    has_battery = False
    for supply in supplies:
        try:
            kind = (supply / "type").read_text().strip()
            if kind == "Battery":
                has_battery = True
            elif kind in ("Mains", "USB") and (supply / "online").read_text().strip() == "1":
                return True
        except OSError:
            continue
    return not has_battery


def _windows_on_ac() -> bool | None:
    class PowerStatus(ctypes.Structure):
        _fields_ = [
            ("ACLineStatus", ctypes.c_ubyte),
            ("BatteryFlag", ctypes.c_ubyte),
            ("BatteryLifePercent", ctypes.c_ubyte),
            ("SystemStatusFlag", ctypes.c_ubyte),
            ("BatteryLifeTime", ctypes.c_ulong),
            ("BatteryFullLifeTime", ctypes.c_ulong),
        ]

    try:
        status = PowerStatus()
        if not ctypes.windll.kernel32.GetSystemPowerStatus(ctypes.byref(status)):  # type: ignore[attr-defined]
            return None
    except (OSError, AttributeError):
        return None
    return {0: False, 1: True}.get(status.ACLineStatus)


def load_per_core() -> float:
    """The 1-minute load average per core (psutil emulates it where the OS has none)."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):
        try:
            import psutil

            load = psutil.getloadavg()[0]
        except (ImportError, OSError, AttributeError):
            return 0.0
    return load / max(1, os.cpu_count() or 1)


def new_examples(db: sqlite_utils.Database, *, community: bool = False) -> int:
    """Examples created since the last training run started (all of them before any run);
    with ``community``, also the worked examples of community skills imported (and enabled)
    since then, which the next run learns from (:mod:`app.learning.community`).

    An interrupted run does not count: its examples are still waiting for a finished run,
    and the resumed run picks up its checkpoint.
    """
    last = training_runs.last_finished_start(db)
    since = last if last is not None else 0.0
    own = examples.count_created_after(db, since)
    return own + (len(community_lessons(db, imported_after=since)) if community else 0)


def _ago(seconds: float) -> str:
    return f"{int(seconds)} s" if seconds < 60 else f"{int(seconds // 60)} min"


@dataclass
class IdleCheck:
    """The conditions for idle training; the probes are injectable so tests use real logic."""

    os_idle: Callable[[], float | None] = os_idle_seconds
    ac_power: Callable[[], bool | None] = on_ac_power
    load: Callable[[], float] = load_per_core
    max_load_per_core: float = MAX_LOAD_PER_CORE

    def decide(
        self,
        settings: LearningSettings,
        last_input: float,
        db: sqlite_utils.Database,
        *,
        now: float | None = None,
        forced: bool = False,
    ) -> Decision:
        """``forced`` ("Train now") skips idleness, power, load and the example count."""
        if not settings.enabled:
            return Decision(False, "off")
        if settings.paused:
            return Decision(False, "paused")
        if forced:
            return Decision(True, "training now (you asked)")
        now = time.time() if now is None else now
        needed = settings.idle_minutes * 60.0
        app_idle = now - last_input
        if app_idle < needed:
            return Decision(False, f"waiting: you used the app {_ago(app_idle)} ago")
        os_idle = self.os_idle()
        if os_idle is not None and os_idle < needed:
            return Decision(False, f"waiting: you used the computer {_ago(os_idle)} ago")
        if settings.ac_power_only and self.ac_power() is False:
            return Decision(False, "waiting: on battery")
        load = self.load()
        if load > self.max_load_per_core:
            return Decision(False, f"waiting: the computer is busy (load {load:.1f} per core)")
        fresh = new_examples(db, community=settings.learn_from_community)
        if fresh < settings.min_new_examples:
            return Decision(
                False, f"waiting: {fresh} new examples of {settings.min_new_examples} needed"
            )
        return Decision(True, f"training on {fresh} new examples")
