"""Input keys of exported charts: a sha256 of everything a chart file is drawn from, so that a later
build can reuse a file whose key is unchanged instead of drawing it again.

``trafficking-stats charts --out DIR`` records the key of every file it writes in
``DIR/.trafficking-stats-keys.json``; ``trafficking-stats site --charts-from DIR`` (what ``make run``
does with ``exports/``) links those files into the site when their key is still the current one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["KEYS_NAME", "code_hash", "read_keys", "record_keys", "standard_chart_key"]

#: The file in an export folder that holds the key of each file exported there (name -> sha256).
KEYS_NAME = ".trafficking-stats-keys.json"


def code_hash(extra: str = "") -> Any:
    """A sha256 object fed with the package and matplotlib versions, ``extra`` and the package's source
    (every module a chart may call), file by file."""
    import hashlib

    import matplotlib

    from .. import __version__

    pkg = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"{__version__} {matplotlib.__version__} {extra}".encode())
    for f in sorted(pkg.rglob("*.py")):
        h.update(f.relative_to(pkg).as_posix().encode() + b"\0" + f.read_bytes())
    return h


def standard_chart_key(processed: Path | None = None) -> str:
    """The key of the standard charts' files: the package's source and versions and every file of
    ``data/processed/`` (or ``processed``) and ``data/raw/`` (a standard chart may read any of them)."""
    from .. import paths
    from ..outputs import sha256

    h = code_hash("standard")
    for folder in (Path(processed) if processed else paths.processed_dir(), paths.raw_dir()):
        h.update(sha256(folder).encode())  # a folder's hash: its files' relative paths and hashes
    return h.hexdigest()


def read_keys(folder: Path) -> dict[str, str]:
    """The recorded keys of ``folder`` (file name -> key); {} when there are none or they are unreadable."""
    try:
        keys = json.loads((Path(folder) / KEYS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) else {}


def record_keys(folder: Path, files: Iterable[Path], key: str) -> None:
    """Record ``key`` for each of ``files`` (in ``folder``) beside the keys already recorded there."""
    keys = read_keys(folder)
    keys.update({Path(f).name: key for f in files})
    (Path(folder) / KEYS_NAME).write_text(json.dumps(keys, indent=0, sort_keys=True) + "\n", encoding="utf-8")
