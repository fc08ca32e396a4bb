"""Download publishers' bulk files into a user cache, verified against pinned hashes (with pooch).

Files go to ``$TRAFFICKING_STATS_CACHE`` or the platform's user cache folder
(``~/.cache/trafficking-stats`` on Linux), one sub-folder per source, never into the repository. Where a
source pins a sha256 in its :class:`~trafficking_stats.sources.base.SourceInfo`, a download whose hash
differs is a new vintage: it is refused (:class:`FetchError` reporting the new hash) and nothing is left
in the cache. Where nothing is pinned, the file is kept and its hash reported so that it can be pinned.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .errors import TraffickingStatsError


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_url(url: str, folder: Path, sha256: str | None = None, fname: str | None = None) -> Fetched:
    """Download ``url`` into ``folder`` (atomically), verifying ``sha256`` when given.

    Raises :class:`FetchError` with one clear line when the network is unreachable, the server answers
    with an error, or the hash differs (then the file is not kept and the new hash is in the message).
    """
    import pooch
    import requests

    fname = fname or Path(urlparse(url).path).name or "download"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / fname
    if target.exists() and sha256 and _sha256(target) == sha256:
        return Fetched(target, sha256, True)
    (folder / (fname + ".part")).unlink(missing_ok=True)
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        path = pooch.retrieve(url, known_hash=None, fname=fname + ".part", path=folder, progressbar=False)
    except requests.exceptions.ConnectionError as exc:
        raise FetchError(f"cannot download {url}: network unreachable (offline?): {_reason(exc)}") from None
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"cannot download {url}: {_reason(exc)}") from None
    finally:
        logger.setLevel(level)
    part = Path(path)
    digest = _sha256(part)
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
    source_id: str, *, url: str | None = None, sha256: str | None = None, cache: Path | None = None
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
    return fetch_url(url, (cache or cache_dir()) / source_id, pinned)
