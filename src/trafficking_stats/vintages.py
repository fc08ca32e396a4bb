"""Bulk inputs keyed by the file they came from: vintages are added beside each other, never swapped silently.

Each bulk dataset's rows in ``data/processed`` belong to one input file, recorded in the manifest by its
path under the bulk folder, its sha256 and its vintage (the rows' ``vintage`` values). A build with
``--bulk DIR`` plans each dataset's inputs with :func:`plan` against the previous manifest:

* a file found now whose path the previous build had, with the same sha256, is **unchanged**; with
  another sha256 it is the same file **replaced** by a newer vintage of itself (its old rows go, the
  new ones come, and :mod:`trafficking_stats.guards` checks the new figures did not fall);
* a file found now at a new path is **added** beside the previous ones;
* a previous input not found now is **kept** (rows, quarantine, accounting and manifest entry), so a
  folder holding one year's file never removes another year;
* files with the same content (a browser's ``HT_2013-2020 (1).csv`` beside ``HT_2013-2020.csv``, or a
  file moved since the previous build) are one input: the others are named in a note and not loaded.

After loading, :func:`reconcile` keeps ``(dataset, figure_id)`` unique: a file whose figure ids meet
those of another vintage of the same dataset gets its ids prefixed with its vintage (the previous
build's rows keep theirs); two different files giving the same figures under the same vintage are
refused (:class:`VintageConflictError`). :func:`summary` says in one line per dataset what was added,
replaced, kept and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, ValidationError
from .outputs import sha256
from .sources.base import figure_id

if TYPE_CHECKING:
    import pandas as pd

    from .sources.base import LoadResult

#: A browser's or file manager's name for a second copy: ``X (1).csv``, ``X(2).csv``, ``X - Copy.csv``.
_COPY_RE = re.compile(r"(\s*\(\d+\)|\s*-\s*copy(\s*\(\d+\))?|\s+copy)$", re.IGNORECASE)


class VintageConflictError(ValidationError):
    """Two different input files claiming the same vintage of the same figures; nothing was written."""


@dataclass
class Plan:
    """What a build does with one bulk dataset's files (paths relative to the bulk folder)."""

    dataset: str
    load: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, rel, sha256) to load
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[dict[str, object]] = field(default_factory=list)  # previous manifest entries kept
    same_content: list[tuple[str, str]] = field(default_factory=list)  # (ignored file, the input it equals)


def is_copy_name(path: Path) -> bool:
    """True for a name a browser gives a second download of a file (``X (1).csv``, ``X - Copy.csv``)."""
    return bool(_COPY_RE.search(Path(path).stem))


def plan(dataset: str, found: list[Path], bulk_dir: Path | None, previous: list[dict[str, object]]) -> Plan:
    """Plan ``dataset``'s inputs from the files ``found`` under ``bulk_dir`` and its ``previous`` entries.

    ``previous`` are the previous manifest's ``inputs`` entries of this dataset (path, sha256, ...).
    """
    p = Plan(dataset)
    prev_by_path = {str(e["path"]): e for e in previous}
    prev_by_sha = {str(e["sha256"]): str(e["path"]) for e in previous}
    by_sha: dict[str, list[tuple[Path, str]]] = {}
    for f in found:
        rel = f.relative_to(bulk_dir).as_posix() if bulk_dir is not None else f.name
        by_sha.setdefault(sha256(f), []).append((f, rel))
    found_rels = {r for files in by_sha.values() for _, r in files}
    taken: set[str] = set()  # previous paths accounted for (reloaded or equal in content to a file found)
    for digest, files in sorted(by_sha.items(), key=lambda kv: min(r for _, r in kv[1])):
        # the input is the file the previous build had, else one not named as a copy, else the first
        files.sort(key=lambda fr: (fr[1] not in prev_by_path, is_copy_name(fr[0]), len(fr[1]), fr[1]))
        path, rel = files[0]
        same_prev = prev_by_sha.get(digest)
        if same_prev is not None and same_prev not in found_rels:
            # moved or renamed since the previous build: the previous input stands
            p.same_content += [(r, same_prev) for _, r in files]
            taken.add(same_prev)
            p.kept.append(prev_by_path[same_prev])
            continue
        p.same_content += [(r, rel) for _, r in files[1:]]
        p.load.append((path, rel, digest))
        if rel not in prev_by_path:
            p.added.append(rel)
        elif str(prev_by_path[rel]["sha256"]) == digest:
            p.unchanged.append(rel)
        else:
            p.replaced.append(rel)
        taken.add(rel)
    for e in previous:
        if str(e["path"]) not in taken:
            p.kept.append(e)
    p.kept.sort(key=lambda e: str(e["path"]))
    p.load.sort(key=lambda t: t[1])
    return p


def reconcile(dataset: str, kept_rows: pd.DataFrame | None, loads: list[LoadResult]) -> None:
    """Make ``dataset``'s figure ids unique across its input files, in place (see the module docstring).

    ``kept_rows`` are the previous build's rows of the inputs kept (their ids are not changed); ``loads``
    the files loaded now, in path order. Raises :class:`VintageConflictError` for two files with the same
    vintage and figures.
    """
    owner: dict[str, tuple[str, str]] = {}  # figure_id -> (raw_file, vintage)
    if kept_rows is not None and len(kept_rows):
        for fid, rf, v in zip(
            kept_rows["figure_id"].astype("str"),
            kept_rows["raw_file"].astype("str"),
            kept_rows["vintage"].astype("str"),
            strict=True,
        ):
            owner.setdefault(fid, (rf, v))
    for lr in loads:
        if not len(lr.rows):
            continue
        ids = lr.rows["figure_id"].astype("str")
        vint = lr.rows["vintage"].astype("str")
        clash = [(f, v) for f, v in zip(ids, vint, strict=True) if f in owner]
        same = [(f, v) for f, v in clash if owner[f][1] == v]
        if same:
            _refuse(dataset, lr.raw_file, same[0], owner)
        if clash:
            prefixed = [
                f if f.startswith(figure_id(v) + "-") else f"{figure_id(v)}-{f}"
                for f, v in zip(ids, vint, strict=True)
            ]
            again = [(f, v) for f, v in zip(prefixed, vint, strict=True) if f in owner]
            if again:
                _refuse(dataset, lr.raw_file, again[0], owner)
            lr.rows = lr.rows.assign(figure_id=prefixed)
            ids = lr.rows["figure_id"].astype("str")
        for f, v in zip(ids, vint, strict=True):
            owner.setdefault(f, (lr.raw_file, v))


def _refuse(dataset: str, raw_file: str, hit: tuple[str, str], owner: dict[str, tuple[str, str]]) -> None:
    fid, vintage = hit
    other = owner[fid][0]
    raise VintageConflictError(
        [
            Problem(
                raw_file,
                None,
                None,
                f"{dataset}: this file and {other} are different files claiming the same vintage "
                f"{vintage!r} of the same figures (e.g. figure {fid!r}); keep only the right one in the "
                "bulk folder (nothing was written)",
            )
        ]
    )


def _describe(rows: pd.DataFrame | None, rel: str) -> str:
    if rows is None or not len(rows):
        return rel
    mine = rows[rows["raw_file"].astype("str") == rel]
    if not len(mine):
        return f"{rel} (no published rows)"
    years = mine["year"].dropna()
    span = ""
    if len(years):
        lo, hi = int(years.min()), int(years.max())
        span = f"{lo}" if lo == hi else f"{lo}-{hi}"
        span = f", {span}"
    vintages = "; ".join(sorted(set(mine["vintage"].astype("str"))))
    return f"{rel} (vintage {vintages!r}{span}, {len(mine):,} rows)"


def summary(p: Plan, counts: pd.DataFrame) -> str | None:
    """One line saying what the build did with dataset ``p.dataset`` (None when it has no input at all)."""
    parts = []
    for word, rels in (("added", p.added), ("replaced", p.replaced), ("unchanged", p.unchanged)):
        if rels:
            parts.append(f"{word} " + ", ".join(_describe(counts, r) for r in rels))
    if p.kept:
        kept = ", ".join(_describe(counts, str(e["path"])) for e in p.kept)
        parts.append(f"kept from the previous build {kept}")
    if p.same_content:
        same = ", ".join(f"{a!r} (same content as {b!r})" for a, b in p.same_content)
        parts.append(f"ignored {same}: one input")
    if not parts:
        return None
    return f"{p.dataset}: " + "; ".join(parts)
