"""The lock (packaging/constraints.txt) pins what set-up installs, within pyproject's ranges."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def lock_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flywheel_lock", ROOT / "packaging" / "lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def direct_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines.extend(extra)
    return [Requirement(line) for line in lines]


def test_every_direct_dependency_is_pinned_within_its_range() -> None:
    lock = lock_module()
    pins = lock.read_lock()
    problems = []
    for req in direct_requirements():
        version = pins.get(lock.canonical(req.name))
        if version is None:
            problems.append(f"{req.name} is not in the lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req.specifier}")
    assert problems == [], "run `make lock` (see its header): " + "; ".join(problems)


def test_the_torch_set_up_installs_first_is_the_locked_release() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    spec = re.search(r"^TORCH_SPEC \?= torch==(\S+)$", makefile, re.MULTILINE)
    assert spec is not None
    assert lock_module().read_lock()["torch"] == spec.group(1)


def test_pins_are_exact_releases_without_local_labels() -> None:
    pins = lock_module().read_lock()
    assert len(pins) > 50  # the whole resolved set, not only the direct dependencies
    assert not [f"{n}=={v}" for n, v in pins.items() if "+" in v or not v[0].isdigit()]


def test_a_written_lock_reads_back_and_a_range_is_refused(tmp_path: Path) -> None:
    lock = lock_module()
    path = tmp_path / "constraints.txt"
    path.write_text(lock.render({"torch": "2.13.0", "pyside6-essentials": "6.11.3"}))
    assert lock.read_lock(path) == {"pyside6-essentials": "6.11.3", "torch": "2.13.0"}
    path.write_text("torch>=2.4\n")
    with pytest.raises(ValueError, match="not an exact pin"):
        lock.read_lock(path)


def test_names_and_versions_are_compared_as_pip_does() -> None:
    lock = lock_module()
    assert lock.canonical("PySide6_Essentials") == "pyside6-essentials"
    assert lock.canonical("backports.tarfile") == "backports-tarfile"
    assert lock.public("2.13.0+cpu") == "2.13.0"


def test_differences_name_what_is_missing_extra_or_other() -> None:
    lock = lock_module()
    locked = {"torch": "2.13.0", "peft": "0.21.2", "kernels": "0.19.1"}
    present = {"torch": "2.13.0", "peft": "0.22.0", "accelerate": "1.16.0"}
    assert lock.differences(locked, present) == [
        "accelerate: locked -, installed 1.16.0",
        "kernels: locked 0.19.1, installed -",
        "peft: locked 0.21.2, installed 0.22.0",
    ]
    assert lock.differences(locked, dict(locked)) == []
