"""Build ``data/processed/`` from ``data/raw/``: load every source, validate, quarantine, write atomically.

Outputs (all deterministic: sorted by :data:`trafficking_stats.schema.SORT_KEY`, no timestamps, so a
rebuild from the same raw files and the same library versions is byte-identical):

* ``counts.parquet``, ``counts.csv``: the normalized table, one row per figure with short keys into
  ``measures.csv``, ``periods.csv``, ``notes.csv``, ``series.csv`` and ``places.csv`` (see
  :mod:`trafficking_stats.metadata`; :func:`read_counts` joins them back);
* ``citations.csv``: every cited document, with the number of figures citing it;
* ``conflicts.csv``: figures for the same thing that disagree, side by side (see :func:`find_conflicts`);
* ``quarantine.csv``: rows that could not be loaded, with file, line, column, text and reason;
* ``manifest.json``: each input's sha256 and row accounting (read = loaded + quarantined + skipped),
  each output's sha256 (``datapackage.json`` included), and the table descriptor generated from the
  schema;
* ``datapackage.json``: the outputs as a Frictionless Data Package (:mod:`trafficking_stats.datapackage`).

All outputs are first written to a temporary folder beside ``data/processed`` and then renamed into
place, so a build that fails leaves the previous outputs whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import datapackage, guards, metadata, paths, plausibility, schema, vintages
from .errors import Problem, ValidationError
from .outputs import build_lock, changed_inputs, recover, remove_stale, sha256, write_outputs
from .sources import registry
from .sources.base import QUARANTINE_COLUMNS, LoadResult, Source, SourceInfo
from .sources.published import load_citations

if TYPE_CHECKING:
    import pandas as pd

OUTPUT_FILES: tuple[str, ...] = (
    "counts.parquet",
    "counts.csv",
    "measures.csv",
    "periods.csv",
    "notes.csv",
    "series.csv",
    "places.csv",
    "datapackage.json",
    "citations.csv",
    "conflicts.csv",
    "quarantine.csv",
    "manifest.json",
)


def reference_files() -> tuple[str, ...]:
    """Names of the reference tables under data/raw that change outputs without being figures
    (vocabularies, aliases, populations, regions, relations), each from the function that reads it:
    recorded in the manifest's inputs (source ``reference``) so that ``build --check`` reports a change
    to them."""
    from . import population, relations, vocab

    return tuple(
        p.name
        for p in (
            vocab.country_aliases_csv(),
            relations.relations_csv(),
            paths.population_csv(),
            paths.population_citations_csv(),
            population.country_population_csv(),
            paths.regions_csv(),
            vocab.vocabularies_csv(),
        )
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
    #: one line per bulk dataset: files added, replaced, unchanged, kept and ignored (same content)
    summary: list[str] = field(default_factory=list)
    #: figures that fell by more than the threshold or disappeared, accepted with ``accept_changes``
    accepted_changes: list[dict[str, object]] = field(default_factory=list)


def quarantine_invalid(lr: LoadResult, citation_keys: set[str]) -> list[Problem]:
    """Validate one file's rows; move each failing row to that file's quarantine with all its reasons."""
    import pandas as pd

    if not len(lr.rows):
        return []
    rows = lr.rows.reset_index(drop=True)
    found = schema.problems(rows) + plausibility.problems(rows)
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
    if lr.used == len(rows):  # one output row per record: the records of the rows moved are not used
        lr.used -= len(by_row)
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


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the columns pandas would write differently from the project's CSV convention converted:
    dates as ``YYYY-MM-DD`` text, floats that are all whole numbers as nullable integers (``12``, not
    ``12.0``); a float column with fractions is written cell by cell as :func:`_cell` does."""
    import pandas as pd

    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(s.dtype):
            whole = (s.isna() | (s % 1 == 0)).all()
            s = s.astype("Int64") if whole else s.astype("object").map(_cell)
        elif s.dtype == object:
            s = s.map(_cell)  # mixed Python objects (quarantine texts, timestamps): one rule for all
        out[c] = s
    return pd.DataFrame(out, index=df.index)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic UTF-8 CSV (``\\n`` line endings, minimal quoting, NA as empty) of ``df``, written by
    pandas (the csv module's quoting rules)."""
    text = csv_frame(df).to_csv(index=False, lineterminator="\n", na_rep="")
    return text.encode("utf-8")


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
    strict_raw: bool = False,
    accept_changes: bool = False,
) -> BuildResult:
    """Load every registered source's files, validate, and write ``out_dir``.

    Hand-transcribed sources read their files from ``raw_dir`` (default ``data/raw``). Bulk sources
    (publisher files: FBI, UNODC, CTDC, UK NRM) read the files matching their ``bulk_patterns`` under
    ``bulk_dir``. Bulk rows are keyed by the file they came from (:mod:`trafficking_stats.vintages`): a
    file at a new path is added beside the previous ones, a file at a previous path with new content
    replaces that file's rows, and every previous input not found now keeps its rows, quarantine and
    manifest entries (``BuildResult.kept`` lists the datasets with no file this time), so a build without
    the bulk files reproduces the committed outputs byte for byte. ``BuildResult.summary`` says per
    dataset what was added, replaced and kept. Files with the same content are one input; two different
    files with the same vintage of the same figures are refused.

    Every bulk text file passes :func:`trafficking_stats.guards.check_text_file` before it is loaded
    (joined, repeated, cut short or over-duplicated files are refused whole). A bulk dataset's national
    total that falls by more than 10% from the previous build, or a year that disappears, raises
    :class:`~trafficking_stats.guards.FigureDropError` unless ``accept_changes=True``; accepted changes
    are recorded in the manifest (``accepted_changes``).

    Rows that fail to normalize or validate are quarantined with reasons. ``strict=True``: any
    quarantined row, of any input (publisher files and rows kept from the previous build included),
    fails the build with :class:`BuildError` before anything is written. ``strict_raw=True``: only
    quarantined rows of the hand-transcribed inputs (``data/raw``) fail it; publisher files' faults are
    quarantined and reported (``make run`` and ``make test`` use this on the committed data, whose
    UNODC file has quarantined rows). A :class:`~trafficking_stats.errors.SourceFormatError` (an
    unreadable file) always fails the build, leaving previous outputs untouched.
    """
    from contextlib import nullcontext

    raw_dir = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    out_dir = Path(out_dir) if out_dir is not None else paths.processed_dir()
    with build_lock(out_dir) if write else nullcontext():
        recover(out_dir)
        if write:
            remove_stale(out_dir)  # folders of builds that died (we hold the lock: none is running)
        return _build(raw_dir, out_dir, bulk_dir, strict, write, strict_raw, accept_changes)


def _build(
    raw_dir: Path,
    out_dir: Path,
    bulk_dir: Path | None,
    strict: bool,
    write: bool,
    strict_raw: bool = False,
    accept_changes: bool = False,
) -> BuildResult:
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
    for rel in reference_files():  # tables that decide what is quarantined or how figures relate
        p = raw_dir / rel
        if p.is_file():
            entry = {"path": rel, "sha256": sha256(p), "bytes": p.stat().st_size, "source": "reference"}
            inputs.append(entry)
    kept_rows, kept_quarantine, kept_accounting, kept = [], [], {}, []
    source_citations = []
    plans: list[vintages.Plan] = []
    kept_by_dataset: dict[str, pd.DataFrame] = {}
    kept_not_published: dict[str, int] = {}
    for source in registry().values():
        info = source.info
        for rel in info.default_files:
            p = raw_dir / rel
            loads.append(_load_file(info.id, source.load, p, rel))
            inputs.append({"path": rel, "sha256": sha256(p), "bytes": p.stat().st_size, "source": info.id})
        if not info.bulk_patterns:
            continue
        source_citations.append(_source_citation(info))
        part = _bulk_dataset(source, bulk_dir, prev_counts, prev_quarantine, prev_manifest, accept_changes)
        plans.append(part.plan)
        loads += part.loads
        inputs += part.inputs
        kept_rows.append(part.kept_rows)
        kept_by_dataset[info.id] = part.kept_rows
        kept_quarantine.append(part.kept_quarantine)
        kept_accounting.update(part.kept_accounting)
        kept_not_published.update(part.kept_not_published)
        if part.all_kept:
            kept.append(info.id)
    if source_citations:
        extra = pd.DataFrame(source_citations, columns=list(citations.columns))
        citations = pd.concat([citations, extra], ignore_index=True).drop_duplicates("citation")
        citations = citations.sort_values("citation", ignore_index=True)
    keys = set(citations["citation"])
    problems = [p for lr in loads for p in quarantine_invalid(lr, keys)]
    for plan in plans:
        vintages.reconcile(
            plan.dataset, kept_by_dataset.get(plan.dataset), [lr for lr in loads if lr.source == plan.dataset]
        )
    frames = [lr.rows for lr in loads if len(lr.rows)] + [schema.coerce(k) for k in kept_rows if len(k)]
    good = pd.concat([schema.coerce(f) for f in frames], ignore_index=True) if frames else schema.empty()
    qframes = [lr.quarantine for lr in loads if len(lr.quarantine)] + [q for q in kept_quarantine if len(q)]
    quarantine = (
        pd.concat(qframes, ignore_index=True) if qframes else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    )
    bulk_ids = {s.info.id for s in registry().values() if s.info.bulk_patterns}
    ours = quarantine[~quarantine["dataset"].isin(bulk_ids)] if len(quarantine) else quarantine
    if (strict or strict_raw) and len(ours):
        probs = [
            Problem(
                str(r.raw_file), None if pd.isna(r.raw_row) else int(r.raw_row), r.column or None, r.reason
            )
            for r in ours.itertuples()
        ]
        raise BuildError(probs)
    if strict and len(quarantine):
        raise BuildError(_strict_problems(quarantine[quarantine["dataset"].isin(bulk_ids)]))
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
    not_published_by_file = {
        f"{lr.source}:{lr.raw_file}": int(unpublished_n)
        for lr in loads
        if (unpublished_n := int(lr.rows["geo_level"].astype("str").isin(UNPUBLISHED_GEO_LEVELS).sum())) > 0
    }
    for key, n in kept_not_published.items():
        ds = key.split(":", 1)[0]
        name = f"{ds}:geo_level=agency"
        not_published[name] = not_published.get(name, 0) + n
        not_published_by_file[key] = n
    drops = guards.national_drops(prev_counts, counts, sorted(bulk_ids))
    if drops and not accept_changes:
        raise guards.drop_error(drops)
    accepted = [*prev_manifest.get("accepted_changes", []), *drops]  # type: ignore[misc]
    conflicts = find_conflicts(counts)
    # a figure's citations: its own, and the other outlets that reported the same statement
    # (data/raw/figure_relations.csv, relation also_reported_by)
    from .relations import read_relations

    rel = read_relations()
    also = rel.loc[rel["relation"] == "also_reported_by", "other"]
    n_by_citation = counts["citation"].value_counts().add(also.value_counts(), fill_value=0)
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
    inputs = _describe_bulk_inputs(inputs, bulk_ids, counts, not_published_by_file)
    summary = [line for plan in plans if (line := vintages.summary(plan, counts))]
    same_content = [
        {"source": plan.dataset, "path": a, "same_as": b} for plan in plans for a, b in plan.same_content
    ]
    stored = metadata.split(counts)
    files: dict[str, bytes] = {
        "counts.parquet": parquet_bytes(stored.counts),
        "counts.csv": csv_bytes(stored.counts),
        "measures.csv": csv_bytes(stored.measures),
        "periods.csv": csv_bytes(stored.periods),
        "notes.csv": csv_bytes(stored.notes),
        "series.csv": csv_bytes(stored.series),
        "places.csv": csv_bytes(stored.places),
        "citations.csv": csv_bytes(cit),
        "conflicts.csv": csv_bytes(conflicts),
        "quarantine.csv": csv_bytes(quarantine),
    }
    package = datapackage.descriptor([s.info for s in registry().values()], _version(), CONFLICT_COLUMNS)
    files["datapackage.json"] = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()
    manifest: dict[str, object] = {
        "package": "trafficking-stats",
        "version": _version(),
        "inputs": inputs,
        "row_accounting": accounting,
        "not_published": dict(sorted(not_published.items())),
        "same_content_inputs": same_content,
        "accepted_changes": accepted,
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
    return BuildResult(counts, cit, conflicts, quarantine, manifest, problems, kept, summary, drops)


@dataclass
class _BulkPart:
    """One bulk dataset's share of a build: files loaded now and what is kept from the previous build."""

    plan: vintages.Plan
    loads: list[LoadResult]
    inputs: list[dict[str, object]]
    kept_rows: pd.DataFrame
    kept_quarantine: pd.DataFrame
    kept_accounting: dict[str, object]
    kept_not_published: dict[str, int]
    all_kept: bool  # no file of the dataset this time, its previous rows kept


def _bulk_dataset(
    source: Source,
    bulk_dir: Path | None,
    prev_counts: pd.DataFrame | None,
    prev_quarantine: pd.DataFrame | None,
    prev_manifest: dict[str, object],
    accept_changes: bool,
) -> _BulkPart:
    """Plan, check and load one bulk dataset's files; take its kept inputs from the previous build."""
    import pandas as pd

    info = source.info
    found = sorted({f for pat in info.bulk_patterns for f in (bulk_dir.glob(pat) if bulk_dir else [])})
    found = [f for f in found if f.is_file() or f.is_dir()]  # a folder: one input of bundles (fbi_nibrs)
    previous = [e for e in prev_manifest.get("inputs", []) if e.get("source") == info.id]  # type: ignore[union-attr]
    plan = vintages.plan(info.id, found, bulk_dir, previous)
    prev_accounting: dict[str, dict[str, object]] = prev_manifest.get("row_accounting", {})  # type: ignore[assignment]
    loads, inputs = [], []
    for p, rel, digest in plan.load:
        guards.check_text_file(info.id, p, rel)
        lr = _load_file(info.id, source.load, p, rel)
        if rel in plan.replaced:
            before = prev_accounting.get(f"{info.id}:{rel}", {}).get("read")
            guards.check_record_count(rel, lr.read, before, accept=accept_changes)  # type: ignore[arg-type]
        loads.append(lr)
        size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
        inputs.append({"path": rel, "sha256": digest, "bytes": size, "source": info.id})
    kept_paths = {str(e["path"]) for e in plan.kept}
    rows = schema.empty()
    if kept_paths and prev_counts is not None:
        mine = (prev_counts["dataset"] == info.id) & prev_counts["raw_file"].astype("str").isin(kept_paths)
        rows = prev_counts[mine]
    quarantine = pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    if kept_paths and prev_quarantine is not None and len(prev_quarantine):
        mine = (prev_quarantine["dataset"] == info.id) & prev_quarantine["raw_file"].isin(kept_paths)
        quarantine = prev_quarantine[mine]
    accounting = {
        key: entry
        for key, entry in prev_accounting.items()
        if key.split(":", 1)[0] == info.id and key.split(":", 1)[1] in kept_paths
    }
    return _BulkPart(
        plan,
        loads,
        inputs + plan.kept,
        rows,
        quarantine,
        accounting,
        _kept_not_published(info.id, plan, previous, prev_manifest),
        all_kept=not found and bool(len(rows)),
    )


def _strict_problems(bulk_quarantine: pd.DataFrame) -> list[Problem]:
    """One problem per publisher file with quarantined rows (``--strict``): count, first line and reason."""
    out = []
    for (dataset, raw_file), g in bulk_quarantine.groupby(["dataset", "raw_file"], sort=True):
        first = g.iloc[0]
        line = (
            None
            if first["raw_row"] is None or first["raw_row"] != first["raw_row"]
            else int(first["raw_row"])
        )
        out.append(
            Problem(
                str(raw_file),
                line,
                None,
                f"{len(g):,} {dataset} row(s) quarantined (first: {first['reason']}; all in the quarantine "
                "of a build without --strict); --strict fails on any quarantined row: fix or remove the "
                "file, or build with --strict-raw, which fails only on rows of data/raw",
            )
        )
    return out


def _kept_not_published(
    dataset: str, plan: vintages.Plan, previous: list[dict[str, object]], prev_manifest: dict[str, object]
) -> dict[str, int]:
    """Unpublished (agency-level) row counts of the inputs kept, by ``dataset:path``."""
    out = {}
    legacy = prev_manifest.get("not_published", {}).get(f"{dataset}:geo_level=agency")  # type: ignore[union-attr]
    for e in plan.kept:
        if "rows_not_published" in e:
            n = int(e["rows_not_published"])  # type: ignore[call-overload]
        elif legacy is not None and len(previous) == 1:  # a manifest from before per-file counts
            n = int(legacy)
        else:
            n = 0
        if n:
            out[f"{dataset}:{e['path']}"] = n
    return out


def _describe_bulk_inputs(
    inputs: list[dict[str, object]], bulk_ids: set[str], counts: pd.DataFrame, not_published: dict[str, int]
) -> list[dict[str, object]]:
    """Bulk inputs' manifest entries with their vintage (the rows' vintages) and unpublished row count."""
    bulk = counts[counts["dataset"].isin(bulk_ids)]
    vint = (
        bulk.assign(v=bulk["vintage"].astype("str"))
        .groupby([bulk["dataset"].astype("str"), bulk["raw_file"].astype("str")])["v"]
        .agg(lambda s: "; ".join(sorted(set(s))))
        .to_dict()
    )
    out = []
    for e in inputs:
        if e["source"] in bulk_ids:
            e = {k: v for k, v in e.items() if k not in ("vintage", "rows_not_published")}
            e["vintage"] = vint.get((str(e["source"]), str(e["path"])), "")
            n = not_published.get(f"{e['source']}:{e['path']}", 0)
            if n:
                e["rows_not_published"] = n
        out.append(e)
    return out


def stale_inputs(
    raw_dir: Path | None = None, out_dir: Path | None = None, bulk_dir: Path | None = None
) -> list[str]:
    """Inputs changed or missing since ``out_dir`` was built (``[]``: up to date); see ``build --check``.

    Hand-transcribed inputs are checked under ``raw_dir`` (default ``data/raw``); bulk publisher files
    only when ``bulk_dir`` is given: a file there that the last build did not have is ``new``, one at a
    path it had with other content ``changed``; a previous bulk file absent from ``bulk_dir`` is not
    stale (a build keeps it). Raises FileNotFoundError if nothing was built yet.
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    out_dir = Path(out_dir) if out_dir is not None else paths.processed_dir()
    recover(out_dir)
    roots = {"citations": raw_dir, "reference": raw_dir}
    for sid, src in registry().items():
        if src.info.default_files:
            roots[sid] = raw_dir
    out = changed_inputs(out_dir, roots)
    if bulk_dir is not None:  # a build adds and replaces files found; one not found is kept, not stale
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        for sid, src in registry().items():
            pats = src.info.bulk_patterns
            found = sorted({f for pat in pats for f in Path(bulk_dir).glob(pat) if f.is_file() or f.is_dir()})
            previous = [e for e in manifest["inputs"] if e.get("source") == sid]
            plan = vintages.plan(sid, found, Path(bulk_dir), previous)
            out += [f"new: {rel} (a file the last build did not have)" for rel in plan.added]
            out += [f"changed: {rel} (sha256 differs from the last build's)" for rel in plan.replaced]
    return out


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
    df = pd.read_parquet(p)
    if metadata.is_stored(df.columns):  # the stored form: measures, periods, notes... kept once, beside it
        return metadata.read_stored(p.parent, df)
    return schema.coerce(df)


def read_conflicts(path: Path | None = None) -> pd.DataFrame:
    """The processed conflicts table (``data/processed/conflicts.csv``)."""
    import pandas as pd

    p = Path(path) if path is not None else paths.processed_dir() / "conflicts.csv"
    return pd.read_csv(p, keep_default_na=False, na_values=[""], dtype={"conflict_id": "str", "note": "str"})


def _version() -> str:
    from . import __version__

    return __version__
