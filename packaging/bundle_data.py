"""The data files and metadata the bundled packages need, for ``flywheel.spec``.

PyInstaller bundles a package's Python modules by following imports, but the files a package
reads next to its code (``kernels`` reads ``_internals/python_depends.json`` at import) and
its ``*.dist-info`` (what ``importlib.metadata.version`` answers, which transformers and
peft use to decide which code path to take) come only when a hook asks for them. A package
with a PyInstaller hook gets what its hook collects (torch's and Qt's hooks leave out
hundreds of MB of headers, examples and QML nobody loads); every other bundled package gets
all its files that are not code, as ``pip install`` gave them; every bundled distribution
gets its metadata. So a new release that starts reading a data file, or a new dependency
that does, is bundled without editing the spec.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

# Code (PyInstaller's import and binary analysis bundles what is used) and build inputs.
NOT_DATA_SUFFIXES = frozenset({
    ".py", ".pyc", ".pyo", ".pyi", ".pyd", ".so", ".dylib", ".dll", ".a", ".lib",
    ".c", ".cc", ".cpp", ".h", ".hpp", ".cuh", ".cmake",
})
NOT_DATA_DIRS = frozenset({"__pycache__"})


def top_levels(modules: Iterable[str]) -> set[str]:
    """Top-level names of dotted module names (``kernels._internals.x`` -> ``kernels``)."""
    return {name.split(".", 1)[0] for name in modules}


def hook_dirs() -> list[Path]:
    """PyInstaller's own hook folder and those registered by hook packages (hooks-contrib)."""
    spec = importlib.util.find_spec("PyInstaller")
    locations = (spec.submodule_search_locations or []) if spec else []
    dirs = [Path(location) / "hooks" for location in locations]
    for entry in metadata.entry_points(group="pyinstaller40"):
        if entry.name == "hook-dirs":
            dirs.extend(Path(d) for d in entry.load()())
    return dirs


def has_hook(top: str, hooks: Iterable[Path]) -> bool:
    return any((folder / f"hook-{top}.py").is_file() for folder in hooks)


def is_data(path: Path) -> bool:
    if path.suffix in NOT_DATA_SUFFIXES or ".so." in path.name:  # libfoo.so.1 is a library
        return False
    return not NOT_DATA_DIRS.intersection(path.parts)


def package_files(top: str) -> list[tuple[str, str]]:
    """``(destination, source)`` of every data file of the importable package ``top``."""
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return []  # a single-module distribution has no data folder
    found = []
    for location in spec.submodule_search_locations:
        root = Path(location)
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and is_data(relative):
                found.append(((Path(top) / relative).as_posix(), str(path)))
    return found


def metadata_files(tops: Iterable[str]) -> list[tuple[str, str]]:
    """``(destination, source)`` of the ``*.dist-info`` files of the distributions that
    provide the packages ``tops``."""
    owners = metadata.packages_distributions()
    names = {dist for top in tops for dist in owners.get(top, [])}
    found = []
    for name in sorted(names):
        dist = metadata.distribution(name)
        for file in dist.files or []:
            if file.parts[0].endswith((".dist-info", ".egg-info")):
                found.append((file.as_posix(), str(dist.locate_file(file))))
    return found


def extra_datas(
    modules: Iterable[str], hooks: Iterable[Path], present: set[str]
) -> list[tuple[str, str, str]]:
    """PyInstaller TOC entries to add to an Analysis whose pure modules are ``modules`` and
    whose collected files already have the destinations ``present``."""
    tops = top_levels(modules)
    hooks = list(hooks)
    files = [f for top in sorted(tops) if not has_hook(top, hooks) for f in package_files(top)]
    files += metadata_files(tops)
    entries, seen = [], set(present)
    for dest, src in files:
        if dest not in seen:
            seen.add(dest)
            entries.append((dest, src, "DATA"))
    return entries
