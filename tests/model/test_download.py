"""Model downloads against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gguf
import numpy as np
import pytest

from app import paths
from app.model.catalog import validate_gguf
from app.model.download import (
    DownloadCancelled,
    DownloadError,
    DownloadInterrupted,
    download_gguf,
    hf_url,
    target_name,
)

SLOW_CHUNKS = 250  # the slow endpoint stops by itself after SLOW_CHUNKS * 20 ms


def write_tiny_gguf(path: Path) -> bytes:
    """A small but complete GGUF model file (one 512 KB tensor), returned as bytes."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-test-model")
    writer.add_context_length(64)
    writer.add_tensor("token_embd.weight", np.ones((256, 512), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def _head(self, code: int, length: int, content_type: str, extra: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def do_GET(self) -> None:
        self.server.ranges.append(self.headers.get("Range"))
        name = self.path.rsplit("/", 1)[-1]
        body = self.server.model
        if name == "tiny.gguf":
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match:
                start = int(match.group(1))
                content_range = f"bytes {start}-{len(body) - 1}/{len(body)}"
                self._head(206, len(body) - start, "application/octet-stream",
                           {"Content-Range": content_range})  # fmt: skip
                self.wfile.write(body[start:])
            else:
                self._head(200, len(body), "application/octet-stream")
                self.wfile.write(body)
        elif name == "cut.gguf":  # promises the whole model, sends half, hangs up
            self._head(200, len(body), "application/octet-stream", {"Connection": "close"})
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif name == "page.gguf":
            page = b"<html><body>Sign in to download</body></html>"
            self._head(200, len(page), "text/html; charset=utf-8")
            self.wfile.write(page)
        elif name == "fake.gguf":  # right magic, garbage after it
            fake = b"GGUF" + b"\xff" * 5000
            self._head(200, len(fake), "application/octet-stream")
            self.wfile.write(fake)
        elif name == "huge.gguf":
            self._head(200, 10**15, "application/octet-stream", {"Connection": "close"})
            self.close_connection = True
        elif name == "slow.gguf":
            self._head(200, 4 + SLOW_CHUNKS * 4096, "application/octet-stream")
            try:
                self.wfile.write(b"GGUF")
                for _ in range(SLOW_CHUNKS):
                    self.wfile.write(b"\0" * 4096)
                    self.wfile.flush()
                    time.sleep(0.02)
            except (BrokenPipeError, ConnectionResetError):
                return
        else:
            self._head(404, 9, "text/plain")
            self.wfile.write(b"not found")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    model: bytes
    ranges: list[str | None]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.model = write_tiny_gguf(tmp_path / "source.gguf")
    httpd.ranges = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def _url(server: _Server, name: str) -> str:
    return hf_url("owner/repo", name, endpoint=f"http://127.0.0.1:{server.server_port}")


def _leftovers() -> list[str]:
    folder = paths.models_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_hf_url_builds_a_resolve_address(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        hf_url("owner/my.repo", "sub dir/m.Q4_K_M.gguf", revision="v1.0")
        == "https://huggingface.co/owner/my.repo/resolve/v1.0/sub%20dir/m.Q4_K_M.gguf"
    )
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.test/")
    assert hf_url("a/b", "c.gguf") == "http://mirror.test/a/b/resolve/main/c.gguf"


@pytest.mark.parametrize(
    ("repo", "filename"),
    [("no-slash", "m.gguf"), ("a/b/c", "m.gguf"), ("a/b", "model.bin"), ("a/b", "../x.gguf")],
)
def test_hf_url_rejects_bad_input(repo: str, filename: str) -> None:
    with pytest.raises(ValueError):
        hf_url(repo, filename)


def test_target_name_is_a_bare_gguf_name() -> None:
    assert target_name("https://x.test/a/b/model%20q4.gguf") == "model q4.gguf"
    assert target_name("https://x.test/dl?id=3", "../../evil") == "evil.gguf"
    assert target_name("https://x.test/f", ".hidden.gguf") == "hidden.gguf"


def test_download_succeeds_with_progress(server: _Server) -> None:
    calls: list[tuple[int, int | None]] = []
    path = download_gguf(_url(server, "tiny.gguf"), progress=lambda d, t: calls.append((d, t)))
    assert path == paths.models_dir() / "tiny.gguf"
    assert path.read_bytes() == server.model
    validate_gguf(path)
    size = len(server.model)
    assert calls[0] == (0, size)
    assert calls[-1] == (size, size)
    assert len(calls) >= 3
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert _leftovers() == ["tiny.gguf"]


def test_cancel_removes_the_partial_file(server: _Server) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int | None) -> None:
        if done > 0:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        download_gguf(_url(server, "slow.gguf"), progress=progress, cancel=cancel)
    assert _leftovers() == []


def test_404_is_a_clear_error(server: _Server) -> None:
    with pytest.raises(DownloadError, match=r"not found \(HTTP 404\)"):
        download_gguf(_url(server, "missing.gguf"))
    assert _leftovers() == []


def test_html_page_is_refused_and_removed(server: _Server) -> None:
    with pytest.raises(DownloadError, match=r"not a GGUF model.*text/html"):
        download_gguf(_url(server, "page.gguf"))
    assert _leftovers() == []


def test_corrupt_gguf_is_refused_and_removed(server: _Server) -> None:
    with pytest.raises(DownloadError, match="not a usable GGUF model"):
        download_gguf(_url(server, "fake.gguf"))
    assert _leftovers() == []


def test_existing_model_survives_a_failed_download(server: _Server) -> None:
    first = download_gguf(_url(server, "tiny.gguf"))
    with pytest.raises(DownloadError):
        download_gguf(_url(server, "page.gguf"), filename="tiny.gguf")
    assert first.read_bytes() == server.model


def test_broken_connection_keeps_part_and_next_try_resumes(server: _Server) -> None:
    with pytest.raises(DownloadInterrupted, match="resume"):
        download_gguf(_url(server, "cut.gguf"), filename="tiny.gguf")
    part = paths.models_dir() / "tiny.gguf.part"
    half = len(server.model) // 2
    assert part.stat().st_size == half
    path = download_gguf(_url(server, "tiny.gguf"))
    assert server.ranges[-1] == f"bytes={half}-"
    assert path.read_bytes() == server.model
    assert _leftovers() == ["tiny.gguf"]


def test_not_enough_disk_space_is_reported_before_writing(server: _Server) -> None:
    with pytest.raises(DownloadError, match="not enough disk space"):
        download_gguf(_url(server, "huge.gguf"))
    assert _leftovers() == []


def test_only_http_and_https(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="only http and https"):
        download_gguf(f"file://{tmp_path}/x.gguf")


def test_unreachable_server_is_a_clear_error(server: _Server) -> None:
    port = server.server_port
    server.shutdown()
    server.server_close()
    with pytest.raises(DownloadInterrupted, match=r"could not reach 127\.0\.0\.1"):
        download_gguf(f"http://127.0.0.1:{port}/owner/repo/resolve/main/tiny.gguf")
