"""Download publishers' bulk files into a user cache, verified against pinned hashes.

Files go to ``$TRAFFICKING_STATS_CACHE`` or the platform's user cache folder
(``~/.cache/trafficking-stats`` on Linux), one sub-folder per source, never into the repository. Where a
source pins a sha256 in its :class:`~trafficking_stats.sources.base.SourceInfo`, a download whose hash
differs is a new vintage: it is refused (:class:`FetchError` reporting the new hash) and nothing is left
in the cache. Where nothing is pinned, the file is kept and its hash reported so that it can be pinned.
Only https addresses are fetched, with a size cap, and a file enters the cache only after its hash is
checked (see :func:`fetch_url`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .errors import TraffickingStatsError
from .outputs import sha256 as sha256_of


class FetchError(TraffickingStatsError):
    """A download that failed (offline, HTTP error) or did not match its pinned hash."""


@dataclass(frozen=True)
class Fetched:
    """A file in the cache: its path, sha256, and whether that hash was pinned by the source."""

    path: Path
    sha256: str
    pinned: bool


def cache_dir() -> Path:
    """The download cache (``$TRAFFICKING_STATS_CACHE`` or the user cache folder)."""
    env = os.environ.get("TRAFFICKING_STATS_CACHE")
    if env:
        return Path(env)
    import pooch

    return Path(pooch.os_cache("trafficking-stats"))


#: Largest download accepted, in bytes (the biggest publisher file used so far is about 30 MB).
MAX_BYTES = 512 * 1024 * 1024

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _check_url(url: str, allow_http_loopback: bool) -> None:
    u = urlparse(url)
    if u.scheme == "https" or (allow_http_loopback and u.scheme == "http" and u.hostname in _LOOPBACK):
        return
    raise FetchError(
        f"refusing to download {url}: only https:// addresses are fetched (the file's integrity and origin "
        "depend on it); use the publisher's https address"
    )


def fetch_url(
    url: str,
    folder: Path,
    sha256: str | None = None,
    fname: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    allow_http_loopback: bool = False,
    timeout: float = 60.0,
) -> Fetched:
    """Download ``url`` into ``folder``, verifying ``sha256`` (when given) *before* the file enters it.

    Safety: only ``https://`` addresses (also after redirects; ``allow_http_loopback`` admits plain http to
    this machine, for tests and local mirrors); at most ``max_bytes`` bytes (a larger ``Content-Length``
    is refused before downloading, a longer body is cut off and discarded); the body is streamed into a
    ``.part`` file and hashed on the way, and only a file whose hash matches is moved into place (one
    rename). Raises :class:`FetchError` with one clear line when the address is refused, the network is
    unreachable, the server answers with an error, the file is too large, or the hash differs (then
    nothing is kept and the new hash is in the message).
    """
    import requests

    _check_url(url, allow_http_loopback)
    fname = fname or Path(urlparse(url).path).name or "download"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / fname
    if target.exists() and sha256 and sha256_of(target) == sha256:
        return Fetched(target, sha256, True)
    part = folder / (fname + ".part")
    part.unlink(missing_ok=True)
    h = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=timeout) as resp:
            _check_url(resp.url, allow_http_loopback)  # a redirect must not leave https
            resp.raise_for_status()
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"refusing to download {url}: {int(declared):,} bytes is over {max_bytes:,}")
            size = 0
            with open(part, "wb") as fh:
                for chunk in resp.iter_content(chunk_size=1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"refusing to download {url}: more than {max_bytes:,} bytes")
                    h.update(chunk)
                    fh.write(chunk)
    except requests.exceptions.ConnectionError as exc:
        part.unlink(missing_ok=True)
        raise FetchError(f"cannot download {url}: network unreachable (offline?): {_reason(exc)}") from None
    except requests.exceptions.RequestException as exc:
        part.unlink(missing_ok=True)
        raise FetchError(f"cannot download {url}: {_reason(exc)}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    digest = h.hexdigest()
    if sha256 and digest != sha256:
        part.unlink(missing_ok=True)
        raise FetchError(
            f"{url}: sha256 {digest} does not match the pinned {sha256}; this looks like a new vintage "
            f"of the file: check it, then pin the new hash in the source module (nothing was kept)"
        )
    os.replace(part, target)
    return Fetched(target, digest, sha256 is not None)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def fetch(
    source_id: str,
    *,
    url: str | None = None,
    sha256: str | None = None,
    cache: Path | None = None,
    allow_http_loopback: bool = False,
) -> Fetched:
    """Download source ``source_id``'s current file into the cache.

    ``url`` and ``sha256`` override the source's metadata (a mirror, or a hash checked by hand).
    """
    from .sources import get

    info = get(source_id).info
    url = url or info.download_url
    if not url:
        raise FetchError(
            f"source {source_id!r} has no download URL; download its files by hand (see its docs)"
        )
    pinned = sha256 if sha256 is not None else info.sha256
    return fetch_url(url, (cache or cache_dir()) / source_id, pinned, allow_http_loopback=allow_http_loopback)
