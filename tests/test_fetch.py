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
    res = fetch_url(f"{server}/HT_2013-2020.csv", tmp_path / "cache", SHA)
    assert res.path.read_bytes() == BODY
    assert res.sha256 == SHA and res.pinned
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["HT_2013-2020.csv"]


def test_hash_mismatch_is_refused_and_leaves_nothing(server, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match=f"sha256 {SHA} does not match the pinned {'0' * 64}"):
        fetch_url(f"{server}/HT_2013-2020.csv", cache, "0" * 64)
    assert list(cache.iterdir()) == []


def test_unpinned_download_reports_its_hash(server, tmp_path):
    res = fetch_url(f"{server}/HT_2013-2020.csv", tmp_path / "cache", None)
    assert (res.sha256, res.pinned) == (SHA, False)


def test_http_error_is_one_clear_error(server, tmp_path):
    with pytest.raises(FetchError, match="404"):
        fetch_url(f"{server}/missing.csv", tmp_path / "cache", None)
    assert list((tmp_path / "cache").iterdir()) == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_cli_prints_one_line_and_exits_5(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/HT_2013-2020.csv"
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


def test_cli_fetch_from_local_server(server, tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "fetch", "published", "--url",
         f"{server}/HT_2013-2020.csv", "--sha256", SHA, "--cache", str(tmp_path)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert f"sha256 {SHA} (verified against the pinned sha256)" in res.stdout
    assert (tmp_path / "published" / "HT_2013-2020.csv").read_bytes() == BODY


def test_a_pinned_source_refuses_a_different_file_as_a_new_vintage(server, tmp_path):
    from trafficking_stats.fetch import fetch

    # the UNODC source pins the 2024-03 vintage; the local server serves a different file
    with pytest.raises(FetchError, match="new vintage"):
        fetch("unodc_glotip", url=f"{server}/HT_2013-2020.csv", cache=tmp_path)
    assert not list((tmp_path / "unodc_glotip").iterdir())


def test_a_source_without_url_says_so(tmp_path):
    from trafficking_stats.fetch import fetch

    with pytest.raises(FetchError, match="no download URL"):
        fetch("published", cache=tmp_path)
