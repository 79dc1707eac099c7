"""Downloading a GGUF model into the user's models folder.

Models are hundreds of megabytes to gigabytes, so a download must survive the real world:
it streams into ``<name>.gguf.part`` and resumes from there after a broken connection, it
can be cancelled at any moment (the partial file is then removed), and only a file that
parses as an intact GGUF is renamed into place. Nothing here touches Qt: the settings
dialog runs :func:`download_gguf` on a worker thread and the CLI can call it directly.

TLS certificates are always verified and a redirect never downgrades https to http.
"""

from __future__ import annotations

import errno
import http.client
import os
import re
import shutil
import ssl
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, unquote, urlsplit

from app import __version__, paths
from app.model.catalog import ModelFileError, validate_gguf

DEFAULT_HF_ENDPOINT = "https://huggingface.co"
# The same variable huggingface_hub honours, so a mirror configured for one works for both.
HF_ENDPOINT_ENV = "HF_ENDPOINT"
PART_SUFFIX = ".part"

_CHUNK = 256 * 1024
_GGUF_MAGIC = b"GGUF"
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")

ProgressCallback = Callable[[int, int | None], None]


class DownloadError(Exception):
    """A download that did not produce a usable model; the message says why in plain words."""


class DownloadCancelled(DownloadError):
    """The user cancelled; the partial file has been removed."""


class DownloadInterrupted(DownloadError):
    """The connection broke; the partial file is kept so that the next try resumes."""


def hf_endpoint() -> str:
    """Base address of the Hugging Face hub (or a mirror, or a test server)."""
    return os.environ.get(HF_ENDPOINT_ENV, "").strip().rstrip("/") or DEFAULT_HF_ENDPOINT


def hf_url(repo_id: str, filename: str, revision: str = "main", endpoint: str | None = None) -> str:
    """The download address of ``filename`` in a Hugging Face model repository.

    Raises ``ValueError`` with a message fit for the user when the repository id or file name
    cannot be right, so the dialog can say so before any network traffic.
    """
    repo_id = repo_id.strip().strip("/")
    filename = filename.strip().lstrip("/")
    revision = revision.strip() or "main"
    if not _REPO_ID.fullmatch(repo_id):
        raise ValueError(f"{repo_id!r} is not a repository id like 'owner/name'")
    if not filename.lower().endswith(".gguf"):
        raise ValueError(f"{filename!r} is not a .gguf file name")
    if any(part in ("", ".", "..") for part in filename.split("/")):
        raise ValueError(f"{filename!r} is not a valid file name")
    base = (endpoint or hf_endpoint()).rstrip("/")
    return f"{base}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(filename)}"


def target_name(url: str, filename: str | None = None) -> str:
    """The local file name for a download: ``filename`` or the URL's last path segment.

    Only a bare name is kept (no folders, no leading dot), and it always ends in ``.gguf`` so
    that the model list finds it.
    """
    raw = filename if filename else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = Path(raw.strip()).name.lstrip(".")
    if not name:
        raise DownloadError(f"cannot tell a file name from {url}; give one explicitly")
    return name if name.lower().endswith(".gguf") else f"{name}.gguf"


def download_gguf(
    url: str,
    *,
    filename: str | None = None,
    dest_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download a GGUF model and return its final path inside ``dest_dir`` (the models folder).

    ``progress(done, total)`` is called from the calling thread after every chunk (``total``
    is None when the server does not say). Setting ``cancel`` stops the download within one
    chunk or ``timeout`` seconds. Raises :class:`DownloadError` (or a subclass) for every
    failure; the file in place before, if any, is replaced only by a validated download.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"only http and https addresses can be downloaded, not {url!r}")
    folder = dest_dir or paths.models_dir()
    final = folder / target_name(url, filename)
    part = final.with_name(final.name + PART_SUFFIX)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    with _claim(final):
        try:
            _fetch(url, part, progress, cancel, timeout)
            _accept(url, part, final)
        except DownloadInterrupted:
            raise
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return final


_active: set[Path] = set()
_active_lock = threading.Lock()


@contextmanager
def _claim(final: Path) -> Iterator[None]:
    """Refuse a second simultaneous download into the same file (they would share a .part)."""
    key = final.resolve()
    with _active_lock:
        if key in _active:
            raise DownloadError(f"{final.name} is already being downloaded")
        _active.add(key)
    try:
        yield
    finally:
        with _active_lock:
            _active.discard(key)


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects (the hub sends files from a CDN) but never from https to plain http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        old, new = urlsplit(req.full_url).scheme, urlsplit(newurl).scheme.lower()
        if new not in ("http", "https") or (old == "https" and new != "https"):
            raise DownloadError(f"refused an unsafe redirect from {req.full_url} to {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    tls = ssl.create_default_context()  # verifies certificates and host names
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls), _SafeRedirects())


def _http_message(code: int, url: str) -> str:
    if code == 404:
        return f"not found (HTTP 404): check the repository, revision and file name ({url})"
    if code in (401, 403):
        return (
            f"access denied (HTTP {code}): the repository may be private or gated, "
            f"or the address is wrong ({url})"
        )
    if code >= 500:
        return f"the server had an error (HTTP {code}); try again later ({url})"
    return f"the server refused the download (HTTP {code}) ({url})"


def _open(url: str, start: int, timeout: float) -> http.client.HTTPResponse:
    headers = {"User-Agent": f"flywheel/{__version__}", "Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        return _opener().open(request, timeout=timeout)
    except HTTPError as exc:
        exc.close()
        raise DownloadError(_http_message(exc.code, url)) from None
    except URLError as exc:
        host = urlsplit(url).netloc
        raise DownloadInterrupted(f"could not reach {host}: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise DownloadInterrupted(f"could not connect to {urlsplit(url).netloc}: {exc}") from exc


def _resume_offset(response: http.client.HTTPResponse, start: int) -> int:
    """Where the body starts: ``start`` if the server honoured the Range request, else 0."""
    if not start or response.status != 206:
        return 0
    content_range = response.headers.get("Content-Range", "")
    match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", content_range.strip())
    if not match or int(match.group(1)) != start:
        raise DownloadError(f"the server answered a resume request with {content_range!r}")
    return start


def _total_size(response: http.client.HTTPResponse, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def _check_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise DownloadError(
            f"not enough disk space in {folder}: the model needs {needed / 1e6:,.0f} MB more, "
            f"{free / 1e6:,.0f} MB are free"
        )


def _fetch(
    url: str,
    part: Path,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    timeout: float,
) -> None:
    """Stream ``url`` into ``part``, resuming from what it already holds."""
    start = part.stat().st_size if part.exists() else 0
    try:
        response = _open(url, start, timeout)
    except DownloadInterrupted:
        raise
    except DownloadError:
        if not start:
            raise
        # A stale partial file (server file changed, range refused): start over once.
        part.unlink(missing_ok=True)
        start = 0
        response = _open(url, start, timeout)
    with response:
        offset = _resume_offset(response, start)
        total = _total_size(response, offset)
        if total is not None:
            _check_space(part.parent, total - offset)
        content_type = response.headers.get("Content-Type", "unknown")
        done = offset
        head = b""
        with part.open("ab" if offset else "wb") as out:
            if progress:
                progress(done, total)
            while True:
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelled("download cancelled; the partial file was removed")
                chunk = _read(response, url)
                if not chunk:
                    break
                if not offset and len(head) < len(_GGUF_MAGIC):
                    head += chunk[: len(_GGUF_MAGIC) - len(head)]
                    _check_magic(head, url, content_type)
                with _disk_errors(part):
                    out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            with _disk_errors(part):
                out.flush()
                os.fsync(out.fileno())
    if total is not None and done < total:
        raise DownloadInterrupted(
            f"the connection closed after {done} of {total} bytes; try again to resume"
        )


def _read(response: http.client.HTTPResponse, url: str) -> bytes:
    try:
        return response.read1(_CHUNK)
    except (OSError, http.client.HTTPException) as exc:
        raise DownloadInterrupted(
            f"the connection to {urlsplit(url).netloc} broke ({exc}); try again to resume"
        ) from exc


@contextmanager
def _disk_errors(part: Path) -> Iterator[None]:
    """Turn a failed write into a message; a full disk is the usual cause."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DownloadError(
                f"the disk is full; the partial download was removed ({part})"
            ) from exc
        raise DownloadError(f"cannot write {part}: {exc.strerror or exc}") from exc


def _check_magic(head: bytes, url: str, content_type: str) -> None:
    """Stop at the first bytes when the server sends something else (an HTML page, say)."""
    if len(head) < len(_GGUF_MAGIC) or head == _GGUF_MAGIC:
        return
    hint = " (use a '/resolve/' address, not '/blob/')" if "/blob/" in url else ""
    raise DownloadError(f"{url} is not a GGUF model: the server sent {content_type}{hint}")


def _accept(url: str, part: Path, final: Path) -> None:
    """Validate the finished download and move it into place atomically."""
    try:
        validate_gguf(part)
    except ModelFileError as exc:
        raise DownloadError(f"{url} is not a usable GGUF model: {exc.reason}") from None
    try:
        os.replace(part, final)
    except OSError as exc:
        raise DownloadError(
            f"cannot move the download into {final}: {exc.strerror or exc}"
        ) from exc
