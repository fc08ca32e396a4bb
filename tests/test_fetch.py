"""Downloading publisher files: hash-verified, atomic, and one clear line when offline.

A real HTTP server on 127.0.0.1 serves a fixture; no internet is needed.
"""

from __future__ import annotations

import hashlib
import http.server
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from trafficking_stats.fetch import FetchError, fetch_url

BODY = b"DATA_YEAR,ORI,ACTUAL_COUNT\n2016,MD0130000,1\n"
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "HT_2013-2020.csv").write_bytes(BODY)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):  # keep test output clean
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_verified_against_pinned_hash(server, tmp_path):
    res = fetch_url(f"{server}/HT_2013-2020.csv", tmp_path / "cache", SHA, allow_http_loopback=True)
    assert res.path.read_bytes() == BODY
    assert res.sha256 == SHA and res.pinned
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["HT_2013-2020.csv"]


def test_hash_mismatch_is_refused_and_leaves_nothing(server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match=f"sha256 {SHA} does not match the pinned {'0' * 64}"):
        fetch_url(f"{server}/HT_2013-2020.csv", cache, "0" * 64, allow_http_loopback=True)
    assert list(cache.iterdir()) == []


def test_unpinned_download_reports_its_hash(server, tmp_path):
    res = fetch_url(f"{server}/HT_2013-2020.csv", tmp_path / "cache", None, allow_http_loopback=True)
    assert (res.sha256, res.pinned) == (SHA, False)


def test_http_error_is_one_clear_error(server, tmp_path):
    with pytest.raises(FetchError, match="404"):
        fetch_url(f"{server}/missing.csv", tmp_path / "cache", None, allow_http_loopback=True)
    assert list((tmp_path / "cache").iterdir()) == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_cli_prints_one_line_and_exits_5(tmp_path):
    url = f"https://127.0.0.1:{_closed_port()}/HT_2013-2020.csv"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "trafficking_stats.cli",
            "fetch",
            "published",
            "--url",
            url,
            "--cache",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 5
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot download {url}: network unreachable")
    assert not any(Path(tmp_path).rglob("*.csv"))


def test_cli_fetch_refuses_plain_http(server, tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "fetch", "published", "--url",
         f"{server}/HT_2013-2020.csv", "--sha256", SHA, "--cache", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert res.returncode == 5
    assert "only https:// addresses are fetched" in res.stderr
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("url", ["http://example.org/x.csv", "ftp://example.org/x.csv", "file:///etc/passwd"])
def test_only_https_is_fetched(tmp_path, url):
    with pytest.raises(FetchError, match="only https:// addresses"):
        fetch_url(url, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_a_file_over_the_size_cap_is_refused_and_nothing_kept(server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match=f"{len(BODY):,} bytes is over 10"):
        fetch_url(f"{server}/HT_2013-2020.csv", cache, None, max_bytes=10, allow_http_loopback=True)
    assert list(cache.iterdir()) == []


def test_a_body_longer_than_declared_is_cut_off(tmp_path, monkeypatch):
    """A server that sends no Content-Length (or lies) is stopped at the cap while streaming."""
    import requests

    class Endless:
        url, headers = "https://example.org/big.csv", {}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def raise_for_status(self):
            pass

        def iter_content(self, chunk_size):
            while True:
                yield b"x" * 1000

    monkeypatch.setattr(requests, "get", lambda *a, **k: Endless())
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match="more than 5,000 bytes"):
        fetch_url("https://example.org/big.csv", cache, None, max_bytes=5000)
    assert list(cache.iterdir()) == []


def test_a_redirect_away_from_https_is_refused(tmp_path, monkeypatch):
    import requests

    class Redirected:
        url, headers = "http://mirror.example.org/x.csv", {}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(requests, "get", lambda *a, **k: Redirected())
    with pytest.raises(FetchError, match="refusing to download http://mirror"):
        fetch_url("https://example.org/x.csv", tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_hash_is_checked_before_the_file_enters_the_cache(server, tmp_path, monkeypatch):
    """The file is moved into place by one rename, after the hash check: a mismatch never reaches it."""
    import os

    from trafficking_stats import fetch as fetch_mod

    moves = []
    real_replace = os.replace
    monkeypatch.setattr(
        fetch_mod.os, "replace", lambda a, b: (moves.append(Path(b).name), real_replace(a, b))
    )
    with pytest.raises(FetchError):
        fetch_url(f"{server}/HT_2013-2020.csv", tmp_path / "c1", "0" * 64, allow_http_loopback=True)
    assert moves == []
    fetch_url(f"{server}/HT_2013-2020.csv", tmp_path / "c2", SHA, allow_http_loopback=True)
    assert moves == ["HT_2013-2020.csv"]


def test_a_pinned_source_refuses_a_different_file_as_a_new_vintage(server, tmp_path):
    from trafficking_stats.fetch import fetch

    # the UNODC source pins the 2024-03 vintage; the local server serves a different file
    with pytest.raises(FetchError, match="new vintage"):
        fetch("unodc_glotip", url=f"{server}/HT_2013-2020.csv", cache=tmp_path, allow_http_loopback=True)
    assert not list((tmp_path / "unodc_glotip").iterdir())


def test_a_source_without_url_says_so(tmp_path):
    from trafficking_stats.fetch import fetch

    with pytest.raises(FetchError, match="no download URL"):
        fetch("published", cache=tmp_path)
