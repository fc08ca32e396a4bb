"""Writing the build's outputs safely: all or nothing, one build at a time, and knowing when they are stale.

* **All or nothing.** :func:`write_outputs` writes every file into a new sibling folder
  (``.processed.new-*``), then swaps it in with two renames: the old folder becomes ``.processed.old-*``,
  the new one takes its name, and the old one is removed. A build killed at any moment leaves either the
  previous outputs or the new ones, never a mix: if it dies between the two renames, the folder is missing
  and :func:`recover` (run at the start of every build and by :func:`~trafficking_stats.build.read_counts`)
  renames the previous outputs back. Files in the folder that the build does not write are carried over.
* **Leftovers of dead builds.** :func:`remove_stale`, run by every build once it holds the lock (so no
  other build is running), removes ``.processed.new-*`` folders a killed build left, and
  ``.processed.old-*`` folders once the outputs are back in place.
* **Ordinary permissions.** The new folder is made with the mode ``mkdir`` would give (``0o777`` less the
  umask: ``0755`` under the usual ``022``), not ``tempfile``'s private ``0700``; files get ``0644``
  likewise, as git checks them out.
* **One build at a time.** :func:`build_lock` takes an exclusive lock on ``.processed.lock`` beside the
  folder; a second build started meanwhile fails at once with :class:`BuildLockedError` (no waiting, no
  interleaving).
* **Stale outputs.** The manifest records the sha256 of every input; :func:`changed_inputs` lists the
  inputs whose files now differ (or are gone), so ``trafficking-stats build --check`` can say which raw
  file changed since the last build.

Inputs are only ever opened for reading (``open(path, "rb")``); nothing here writes under ``data/raw``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import TraffickingStatsError

__all__ = [
    "BuildLockedError",
    "build_lock",
    "changed_inputs",
    "recover",
    "remove_stale",
    "sha256",
    "write_outputs",
]


class BuildLockedError(TraffickingStatsError):
    """Another build is writing the same output folder."""


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (read-only); of a folder (a bundle of publisher files,
    e.g. FBI NIBRS), the sha256 of its files' relative paths and hashes, sorted."""
    path = Path(path)
    if path.is_dir():
        files = (p for p in path.rglob("*") if p.is_file())
        lines = sorted(f"{p.relative_to(path).as_posix()} {sha256(p)}" for p in files)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def recover(out_dir: Path) -> bool:
    """Put back the previous outputs if a build died between its two renames; True if it did."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        return False
    olds = sorted(out_dir.parent.glob(f".{out_dir.name}.old-*")) if out_dir.parent.is_dir() else []
    if not olds:
        return False
    os.rename(olds[-1], out_dir)
    return True


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove the temporary folders of builds that died (call only while holding :func:`build_lock`).

    ``.NAME.new-*`` folders are always stale under the lock; ``.NAME.old-*`` folders are stale once
    ``out_dir`` exists (:func:`recover` has put the outputs back). Returns the folders removed.
    """
    out_dir = Path(out_dir)
    parent = out_dir.parent
    if not parent.is_dir():
        return []
    stale = sorted(parent.glob(f".{out_dir.name}.new-*"))
    if out_dir.exists():
        stale += sorted(parent.glob(f".{out_dir.name}.old-*"))
    for p in stale:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
    return stale


def write_outputs(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Replace the outputs in ``out_dir`` by ``files`` (name -> bytes), all at once.

    If anything fails before the swap, ``out_dir`` is untouched and the new folder is removed.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        os.chmod(new, 0o777 & ~_umask())  # mkdtemp makes it 0700; the outputs are for everyone to read
        for name, data in files.items():
            _write_file(new / name, data)
        if out_dir.is_dir():
            for p in out_dir.iterdir():  # carry over what the build does not write (not its leftovers)
                if p.name not in files and not p.name.startswith(".tmp-"):
                    (shutil.copytree if p.is_dir() else shutil.copy2)(p, new / p.name)
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(new, out_dir)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        recover(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for building into ``out_dir``; raise :class:`BuildLockedError` if taken."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    fh = open(lock_path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows
            import msvcrt

            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise BuildLockedError(
            f"another build ({holder}) is writing {out_dir}; wait for it to finish, then build again "
            f"(the lock is {lock_path}; it is released when that build exits)"
        ) from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock


def changed_inputs(out_dir: Path, roots: Mapping[str, Path]) -> list[str]:
    """Inputs recorded in ``out_dir/manifest.json`` whose file now differs from the recorded sha256.

    ``roots`` maps a manifest ``source`` to the folder its paths are relative to; inputs of other sources
    (bulk files not at hand) are not checked. Each line says ``changed`` or ``missing``; an
    empty list means the outputs are up to date with those inputs. Raises FileNotFoundError when there
    is no manifest (nothing was built yet).
    """
    manifest = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for entry in manifest["inputs"]:
        root = roots.get(str(entry["source"]))
        if root is None:
            continue
        p = root / str(entry["path"])
        if not p.exists():
            out.append(f"missing: {entry['path']} (was sha256 {str(entry['sha256'])[:12]}...)")
        elif sha256(p) != entry["sha256"]:
            now = sha256(p)[:12]
            out.append(
                f"changed: {entry['path']} (sha256 {now}..., built from {str(entry['sha256'])[:12]}...)"
            )
    return out
