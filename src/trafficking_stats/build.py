"""Build ``data/processed/`` from ``data/raw/``: load every source, validate, quarantine, write atomically.

Outputs (all deterministic: sorted by :data:`trafficking_stats.schema.SORT_KEY`, no timestamps, so a
rebuild from the same raw files and the same library versions is byte-identical):

* ``counts.parquet``, ``counts.csv``: the normalized table;
* ``citations.csv``: every cited document, with the number of figures citing it;
* ``conflicts.csv``: figures for the same thing that disagree, side by side (see :func:`find_conflicts`);
* ``quarantine.csv``: rows that could not be loaded, with file, line, column, text and reason;
* ``manifest.json``: each input's sha256 and row accounting (read = loaded + quarantined + skipped),
  each output's sha256, and the table descriptor generated from the schema.

All outputs are first written to a temporary folder beside ``data/processed`` and then renamed into
place, so a build that fails leaves the previous outputs whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths, schema
from .errors import Problem, ValidationError
from .outputs import build_lock, changed_inputs, recover, sha256, write_outputs
from .sources import registry
from .sources.base import QUARANTINE_COLUMNS, LoadResult, SourceInfo
from .sources.published import load_citations

if TYPE_CHECKING:
    import pandas as pd

OUTPUT_FILES: tuple[str, ...] = (
    "counts.parquet",
    "counts.csv",
    "citations.csv",
    "conflicts.csv",
    "quarantine.csv",
    "manifest.json",
)

#: Geography levels loaded and validated but not written to data/processed: agency-level figures are
#: nearly row-level copies of the publisher's file (and would triple its size); get them with
#: ``trafficking-stats load fbi_cde FILE``.
UNPUBLISHED_GEO_LEVELS: tuple[str, ...] = ("agency",)

CONFLICT_KEY: tuple[str, ...] = ("metric", "geo_code", "period_start", "period_end", "breakdown")
CONFLICT_COLUMNS: tuple[str, ...] = (
    "conflict_id",
    "rule",
    "n_figures",
    "intervals_overlap",
    "figure_id",
    "dataset",
    "reporter",
    "reporter_type",
    "geo_code",
    "metric",
    "breakdown",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "value_low",
    "value_high",
    "unit",
    "vintage",
    "citation",
    "note",
)


class BuildError(ValidationError):
    """A build that could not complete; nothing in ``data/processed`` was changed."""


@dataclass
class BuildResult:
    """What a build produced (the frames are also written to disk unless ``write=False``)."""

    counts: pd.DataFrame
    citations: pd.DataFrame
    conflicts: pd.DataFrame
    quarantine: pd.DataFrame
    manifest: dict[str, object]
    problems: list[Problem] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # bulk datasets carried over from the previous build


def _validate_load(lr: LoadResult, citation_keys: set[str]) -> list[Problem]:
    """Validate one file's rows; move each failing row to that file's quarantine with all its reasons."""
    import pandas as pd

    if not len(lr.rows):
        return []
    rows = lr.rows.reset_index(drop=True)
    found = schema.problems(rows)
    unknown = ~rows["citation"].astype("object").isin(citation_keys)
    for idx in rows.index[unknown.to_numpy(dtype=bool)]:
        found.append(
            (
                idx,
                Problem(
                    str(rows.at[idx, "raw_file"]),
                    int(rows.at[idx, "raw_row"]),
                    "citation",
                    f"citation {rows.at[idx, 'citation']!r} is not in citations.csv",
                ),
            )
        )
    by_row: dict[object, list[Problem]] = {}
    for idx, prob in found:
        by_row.setdefault(idx, []).append(prob)
    if not by_row:
        lr.rows = rows
        return []
    bad = []
    for idx, probs in by_row.items():
        texts = [_cell(rows.at[idx, p.column]) if p.column in rows.columns else "" for p in probs]
        bad.append(
            {
                "dataset": lr.source,
                "raw_file": lr.raw_file,
                "raw_row": probs[0].line,
                "column": "; ".join(p.column or "" for p in probs),
                "text": "; ".join(texts),
                "reason": "; ".join(p.message for p in probs),
            }
        )
    lr.rows = rows.drop(index=list(by_row)).reset_index(drop=True)
    lr.quarantine = pd.concat(
        [lr.quarantine, pd.DataFrame(bad, columns=list(QUARANTINE_COLUMNS))], ignore_index=True
    )
    return [p for probs in by_row.values() for p in probs]


def sort_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Sort the normalized table by the documented key and reset the index."""
    import pandas as pd

    key = list(schema.SORT_KEY)
    out = df.copy()
    for c in key:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("str")
    order = out.sort_values(key, kind="mergesort").index
    return df.loc[order].reset_index(drop=True)


def _interval(q: str, v: float | None, lo: float | None, hi: float | None) -> tuple[float, float] | None:
    """Closed integer interval a count allows; None where it is unknown (approximately)."""
    inf = math.inf
    if q == "exact":
        return (v, v)  # type: ignore[return-value]
    if q == "over":
        return (lo + 1, inf)  # type: ignore[operator]
    if q == "at_least":
        return (lo, inf)  # type: ignore[return-value]
    if q == "under":
        return (0.0, hi - 1)  # type: ignore[operator]
    if q == "at_most":
        return (0.0, hi)  # type: ignore[return-value]
    if q in ("range", "suppressed"):
        return (lo, hi)  # type: ignore[return-value]
    return None


def _num(x: object) -> float | None:
    """A float, or None for any missing marker (None, NaN, pd.NA)."""
    import pandas as pd

    return None if x is None or bool(pd.isna(x)) else float(x)  # type: ignore[arg-type]


def _overlap(group: pd.DataFrame) -> str:
    ivs = []
    for q, v, lo, hi in zip(
        group["qualifier"].astype("str"), group["value"], group["value_low"], group["value_high"], strict=True
    ):
        iv = _interval(q, _num(v), _num(lo), _num(hi))
        if iv is None:
            return "unknown"
        ivs.append(iv)
    return "yes" if max(a for a, _ in ivs) <= min(b for _, b in ivs) else "no"


def find_conflicts(counts: pd.DataFrame) -> pd.DataFrame:
    """Figures for the same thing that disagree, one line per figure per conflict.

    Two rules, named in the ``rule`` column:

    * ``same_key``: rows with the same metric, place, period and breakdown whose published numbers differ
      (a different value, qualifier or interval), e.g. a first release and its revision;
    * ``declared``: rows an editor put in one ``conflict_group`` in the raw data because they answer the
      same question differently even though their keys differ (e.g. "over 230" rescued and "106 girls");
      a declared group with exactly the figures of a ``same_key`` conflict is listed once, as ``same_key``.

    ``intervals_overlap`` says whether one true number could satisfy every figure of the conflict
    (``unknown`` when a figure is only approximate). No figure is dropped.
    """
    import pandas as pd

    parts = []
    if len(counts):
        df = counts.copy()
        key_cols = [
            df["metric"].astype("str"),
            df["geo_code"].astype("str"),
            df["period_start"].dt.strftime("%Y-%m-%d"),
            df["period_end"].dt.strftime("%Y-%m-%d"),
            df["breakdown"].astype("str"),
        ]
        key = key_cols[0].str.cat(key_cols[1:], sep="|")
        sig = (
            df["qualifier"]
            .astype("str")
            .str.cat([df[c].astype("str") for c in ("value", "value_low", "value_high")], sep="|")
        )
        stats = pd.DataFrame({"key": key, "sig": sig}).groupby("key")["sig"].agg(["size", "nunique"])
        conflicted = stats.index[(stats["size"] > 1) & (stats["nunique"] > 1)]
        hit = key.isin(set(conflicted))
        for k, g in df[hit].groupby(key[hit], sort=True):
            parts.append(g.assign(conflict_id=k, rule="same_key"))
        same_key_sets = {frozenset(g["figure_id"]) for g in parts}
        declared = df[df["conflict_group"].notna()]
        for k, g in declared.groupby(declared["conflict_group"].astype("str"), sort=True):
            if frozenset(g["figure_id"]) not in same_key_sets:  # else it is listed once, as same_key
                parts.append(g.assign(conflict_id=k, rule="declared"))
    if not parts:
        return pd.DataFrame(columns=list(CONFLICT_COLUMNS))
    out = []
    for g in parts:
        out.append(g.assign(n_figures=len(g), intervals_overlap=_overlap(g)))
    res = pd.concat(out, ignore_index=True)
    res = res.sort_values(["rule", "conflict_id", "period_start", "vintage", "figure_id"], kind="mergesort")
    return res[list(CONFLICT_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------


def _cell(x: object) -> str:
    """Text of one CSV cell: NA -> empty, dates -> YYYY-MM-DD, integral floats without '.0'."""
    import pandas as pd

    if x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else repr(x)
    return str(x)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic UTF-8 CSV (``\\n`` line endings, minimal quoting) of ``df``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(df.columns))
    cols = [df[c].astype("object").tolist() for c in df.columns]
    for row in zip(*cols, strict=True):
        w.writerow([_cell(x) for x in row])
    return buf.getvalue().encode("utf-8")


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """Parquet bytes of the normalized table (pyarrow, snappy, no index)."""
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow", compression="snappy")
    return buf.getvalue()


def _source_citation(info: SourceInfo) -> dict[str, str]:
    """The citations.csv row a bulk source declares in its metadata."""
    return {
        "citation": info.citation,
        "publisher": info.publisher,
        "title": info.title or info.description,
        "url": info.download_url or info.home_page,
        "published": "",
        "accessed": "",
        "licence": info.licence,
        "note": info.description,
    }


def _previous(out_dir: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None, dict[str, object]]:
    """The last build's counts, quarantine and manifest in ``out_dir`` (None/empty where absent)."""
    import pandas as pd

    counts = read_counts(out_dir / "counts.parquet") if (out_dir / "counts.parquet").exists() else None
    q = None
    if (out_dir / "quarantine.csv").exists():
        q = pd.read_csv(out_dir / "quarantine.csv", dtype="str", keep_default_na=False)
        q = q.astype("object").where(q != "", None)
        q["raw_row"] = pd.to_numeric(q["raw_row"]).astype("Int64")
    manifest = (
        json.loads((out_dir / "manifest.json").read_text()) if (out_dir / "manifest.json").exists() else {}
    )
    return counts, q, manifest


def _load_file(source_id: str, load: object, path: Path, rel: str) -> LoadResult:
    lr = load(path)  # type: ignore[operator]
    lr.raw_file = rel
    if len(lr.rows):
        lr.rows["raw_file"] = rel
    if len(lr.quarantine):
        lr.quarantine["raw_file"] = rel
    return lr


def build(
    raw_dir: Path | None = None,
    out_dir: Path | None = None,
    *,
    bulk_dir: Path | None = None,
    strict: bool = False,
    write: bool = True,
) -> BuildResult:
    """Load every registered source's files, validate, and write ``out_dir``.

    Hand-transcribed sources read their files from ``raw_dir`` (default ``data/raw``). Bulk sources
    (publisher files: FBI, UNODC, CTDC, UK NRM) read the files matching their ``bulk_patterns`` under
    ``bulk_dir``; a bulk source with no file there keeps its rows, quarantine and manifest entries from
    the previous build in ``out_dir`` (reported in ``BuildResult.kept``), so a build without the bulk
    files reproduces the committed outputs byte for byte.

    Rows that fail to normalize or validate are quarantined with reasons; with ``strict=True`` any
    quarantined row of the hand-transcribed inputs (``data/raw``) makes the build fail with
    :class:`BuildError` before anything is written (publisher files' faults are quarantined and reported,
    never fatal: they are the publisher's, and the rest of the file still loads). A
    :class:`~trafficking_stats.errors.SourceFormatError` (an unreadable file) always fails the build,
    leaving previous outputs untouched.
    """
    from contextlib import nullcontext

    raw_dir = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    out_dir = Path(out_dir) if out_dir is not None else paths.processed_dir()
    with build_lock(out_dir) if write else nullcontext():
        recover(out_dir)
        return _build(raw_dir, out_dir, bulk_dir, strict, write)


def _build(raw_dir: Path, out_dir: Path, bulk_dir: Path | None, strict: bool, write: bool) -> BuildResult:
    import pandas as pd

    citations_path = raw_dir / "citations.csv"
    citations = load_citations(citations_path)
    prev_counts, prev_quarantine, prev_manifest = _previous(out_dir)
    loads: list[LoadResult] = []
    inputs: list[dict[str, object]] = [
        {
            "path": "citations.csv",
            "sha256": sha256(citations_path),
            "bytes": citations_path.stat().st_size,
            "source": "citations",
        }
    ]
    kept_rows, kept_quarantine, kept_accounting, kept = [], [], {}, []
    source_citations = []
    for source in registry().values():
        info = source.info
        for rel in info.default_files:
            p = raw_dir / rel
            loads.append(_load_file(info.id, source.load, p, rel))
            inputs.append({"path": rel, "sha256": sha256(p), "bytes": p.stat().st_size, "source": info.id})
        if not info.bulk_patterns:
            continue
        source_citations.append(_source_citation(info))
        found = sorted({f for pat in info.bulk_patterns for f in (bulk_dir.glob(pat) if bulk_dir else [])})
        for p in found:
            rel = p.relative_to(bulk_dir).as_posix()  # type: ignore[arg-type]
            loads.append(_load_file(info.id, source.load, p, rel))
            size = (
                sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
            )
            inputs.append({"path": rel, "sha256": sha256(p), "bytes": size, "source": info.id})
        if not found:  # keep the last processed rows of this dataset
            if prev_counts is not None and (prev_counts["dataset"] == info.id).any():
                kept_rows.append(prev_counts[prev_counts["dataset"] == info.id])
                kept.append(info.id)
            if prev_quarantine is not None and len(prev_quarantine):
                kept_quarantine.append(prev_quarantine[prev_quarantine["dataset"] == info.id])
            for entry in prev_manifest.get("inputs", []):  # type: ignore[union-attr]
                if entry.get("source") == info.id:
                    inputs.append(entry)
            for key, entry in prev_manifest.get("row_accounting", {}).items():  # type: ignore[union-attr]
                if key.startswith(f"{info.id}:"):
                    kept_accounting[key] = entry
    if source_citations:
        extra = pd.DataFrame(source_citations, columns=list(citations.columns))
        citations = pd.concat([citations, extra], ignore_index=True).drop_duplicates("citation")
        citations = citations.sort_values("citation", ignore_index=True)
    keys = set(citations["citation"])
    problems = [p for lr in loads for p in _validate_load(lr, keys)]
    frames = [lr.rows for lr in loads if len(lr.rows)] + [schema.coerce(k) for k in kept_rows]
    good = pd.concat([schema.coerce(f) for f in frames], ignore_index=True) if frames else schema.empty()
    qframes = [lr.quarantine for lr in loads if len(lr.quarantine)] + [q for q in kept_quarantine if len(q)]
    quarantine = (
        pd.concat(qframes, ignore_index=True) if qframes else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    )
    bulk_ids = {s.info.id for s in registry().values() if s.info.bulk_patterns}
    ours = quarantine[~quarantine["dataset"].isin(bulk_ids)] if len(quarantine) else quarantine
    if strict and len(ours):
        probs = [
            Problem(
                str(r.raw_file), None if pd.isna(r.raw_row) else int(r.raw_row), r.column or None, r.reason
            )
            for r in ours.itertuples()
        ]
        raise BuildError(probs)
    good = schema.coerce(good)
    unpublished = good["geo_level"].astype("str").isin(UNPUBLISHED_GEO_LEVELS)
    not_published = {
        f"{ds}:geo_level={lvl}": int(n)
        for (ds, lvl), n in good[unpublished]
        .groupby(["dataset", good["geo_level"].astype("str")])
        .size()
        .items()
    }
    counts = sort_counts(good[~unpublished])
    for key, n in prev_manifest.get("not_published", {}).items():  # type: ignore[union-attr]
        if key.split(":", 1)[0] in kept:
            not_published[key] = n
    conflicts = find_conflicts(counts)
    n_by_citation = counts["citation"].value_counts()
    cit = citations.assign(n_figures=citations["citation"].map(n_by_citation).fillna(0).astype("int64"))
    cit = cit[(cit["n_figures"] > 0) | cit["citation"].isin(set(load_citations(citations_path)["citation"]))]
    cit = cit.reset_index(drop=True)
    quarantine = quarantine.sort_values(["dataset", "raw_file", "raw_row"], kind="mergesort").reset_index(
        drop=True
    )
    accounting = dict(kept_accounting)
    for lr in loads:
        if not lr.balanced():
            raise BuildError(
                [Problem(lr.raw_file, None, None, f"row accounting does not balance: {lr.accounting()}")]
            )
        accounting[f"{lr.source}:{lr.raw_file}"] = lr.accounting()
    accounting = dict(sorted(accounting.items()))
    inputs = [inputs[0], *sorted(inputs[1:], key=lambda e: (str(e["source"]), str(e["path"])))]
    files: dict[str, bytes] = {
        "counts.parquet": parquet_bytes(counts),
        "counts.csv": csv_bytes(counts),
        "citations.csv": csv_bytes(cit),
        "conflicts.csv": csv_bytes(conflicts),
        "quarantine.csv": csv_bytes(quarantine),
    }
    manifest: dict[str, object] = {
        "package": "trafficking-stats",
        "version": _version(),
        "inputs": inputs,
        "row_accounting": accounting,
        "not_published": dict(sorted(not_published.items())),
        "totals": {
            "rows": len(counts),
            "quarantined": len(quarantine),
            "conflict_lines": len(conflicts),
            "citations": len(cit),
        },
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        "sort_key": list(schema.SORT_KEY),
        "schema": schema.descriptor(),
    }
    files["manifest.json"] = (
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    ).encode()
    if write:
        write_outputs(files, out_dir)
    return BuildResult(counts, cit, conflicts, quarantine, manifest, problems, kept)


def stale_inputs(
    raw_dir: Path | None = None, out_dir: Path | None = None, bulk_dir: Path | None = None
) -> list[str]:
    """Inputs changed or missing since ``out_dir`` was built (``[]``: up to date); see ``build --check``.

    Hand-transcribed inputs are checked under ``raw_dir`` (default ``data/raw``); bulk publisher files
    only when ``bulk_dir`` is given. Raises FileNotFoundError if nothing was built yet.
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    out_dir = Path(out_dir) if out_dir is not None else paths.processed_dir()
    recover(out_dir)
    roots = {"citations": raw_dir}
    for sid, src in registry().items():
        if src.info.default_files:
            roots[sid] = raw_dir
        elif bulk_dir is not None:
            roots[sid] = Path(bulk_dir)
    return changed_inputs(out_dir, roots)


def read_counts(path: Path | None = None) -> pd.DataFrame:
    """The processed normalized table (``data/processed/counts.parquet``), with the schema's dtypes.

    Run ``trafficking-stats build`` (or ``make run``) first if it is missing.
    """
    import pandas as pd

    p = Path(path) if path is not None else paths.processed_dir() / "counts.parquet"
    recover(p.parent)  # a build killed between its two renames left the previous outputs aside
    if not p.exists():
        from .errors import TraffickingStatsError

        raise TraffickingStatsError(
            f"{p} does not exist: run `trafficking-stats build` (or `make run`) first"
        )
    return schema.coerce(pd.read_parquet(p))


def read_conflicts(path: Path | None = None) -> pd.DataFrame:
    """The processed conflicts table (``data/processed/conflicts.csv``)."""
    import pandas as pd

    p = Path(path) if path is not None else paths.processed_dir() / "conflicts.csv"
    return pd.read_csv(p, keep_default_na=False, na_values=[""], dtype={"conflict_id": "str", "note": "str"})


def _version() -> str:
    from . import __version__

    return __version__
