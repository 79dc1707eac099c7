"""The machine a benchmark report was measured on, so its figures can be read in context.

A decode speed or a start-up time means little without the CPU, the core count and how busy
the machine was; the library versions say which llama.cpp and PyTorch builds were measured.
Versions come from the installed packages' metadata, so nothing heavy is imported.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

PACKAGES = ("torch", "llama-cpp-python", "PySide6-Essentials", "transformers", "peft")


def cpu_model() -> str:
    """The CPU's marketing name (Linux: /proc/cpuinfo), or what the platform module knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def os_name() -> str:
    """The distribution's name (e.g. "Debian GNU/Linux 12 (bookworm)") and the kernel."""
    try:
        release = platform.freedesktop_os_release()
        return f"{release.get('PRETTY_NAME', release.get('NAME', ''))}, {platform.platform()}"
    except OSError:
        return platform.platform()


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> float:
    """The 1-minute load average: above the core count, other work was competing."""
    return round(os.getloadavg()[0], 2)


def describe() -> dict[str, Any]:
    """CPU, cores, memory, OS, Python and the versions of the measured libraries."""
    return {
        "cpu": cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": os_name(),
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in PACKAGES},
    }
