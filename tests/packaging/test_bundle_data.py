"""The spec bundles the data files and metadata of every package the analysis bundled."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bundle_data() -> ModuleType:
    path = ROOT / "packaging" / "bundle_data.py"
    spec = importlib.util.spec_from_file_location("flywheel_bundle_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``fakepkg`` on sys.path: a data file read at import, code, a library, a build file."""
    root = tmp_path / "site" / "fakepkg"
    (root / "_internals" / "__pycache__").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "_internals" / "deps.py").write_text("")
    (root / "_internals" / "python_depends.json").write_text("{}")
    (root / "_internals" / "__pycache__" / "deps.cpython-311.pyc").write_bytes(b"")
    (root / "templates").mkdir()
    (root / "templates" / "chat.jinja").write_text("{{ x }}")
    (root / "libfake.so.1").write_bytes(b"")
    (root / "fake.h").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    importlib.invalidate_caches()
    return root


def test_a_package_without_a_hook_brings_every_file_that_is_not_code(
    fake_package: Path, tmp_path: Path
) -> None:
    entries = bundle_data().extra_datas(["fakepkg._internals.deps"], [tmp_path / "hooks"], set())
    assert sorted(entries) == [
        ("fakepkg/_internals/python_depends.json",
         str(fake_package / "_internals" / "python_depends.json"), "DATA"),
        ("fakepkg/templates/chat.jinja", str(fake_package / "templates" / "chat.jinja"), "DATA"),
    ]


def test_a_package_with_a_hook_gets_what_its_hook_collects(
    fake_package: Path, tmp_path: Path
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "hook-fakepkg.py").write_text("datas = []\n")
    assert bundle_data().extra_datas(["fakepkg"], [hooks], set()) == []


def test_files_already_collected_are_not_added_again(fake_package: Path) -> None:
    present = {"fakepkg/templates/chat.jinja"}
    entries = bundle_data().extra_datas(["fakepkg"], [], present)
    assert [dest for dest, _, _ in entries] == ["fakepkg/_internals/python_depends.json"]


def test_transformers_start_up_finds_kernels_data_file_and_the_versions_it_checks() -> None:
    """transformers imports kernels, which reads python_depends.json next to its code, and
    checks installed versions (importlib.metadata) before it takes a code path."""
    entries = bundle_data().extra_datas(
        ["transformers.modeling_utils", "kernels._internals.python_deps", "gguf.gguf_reader"],
        [], set(),
    )
    destinations = {dest for dest, _, _ in entries}
    assert "kernels/_internals/python_depends.json" in destinations
    for dist in ("kernels", "transformers", "gguf"):
        assert any(d.startswith(f"{dist}-") and d.endswith(".dist-info/METADATA")
                   for d in destinations), dist
