"""What every source module provides: its metadata and the result of loading one file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, SourceFormatError

if TYPE_CHECKING:
    import pandas as pd

QUARANTINE_COLUMNS: tuple[str, ...] = ("dataset", "raw_file", "raw_row", "column", "text", "reason")


@dataclass(frozen=True)
class SourceInfo:
    """Metadata a source module declares beside its ``load(path)`` function.

    ``years`` says how the source defines its years (calendar, fiscal, report year, ...); ``sha256`` pins a
    downloadable file where one exists.
    """

    id: str
    publisher: str
    reporter_type: str
    home_page: str
    licence: str
    years: str
    description: str
    download_url: str | None = None
    sha256: str | None = None
    default_files: tuple[str, ...] = ()  # relative to data/raw, loaded by `trafficking-stats build`
    #: bulk publisher files: glob patterns relative to a bulk folder (``build --bulk DIR``), e.g.
    #: ``("fbi/cde/HT_*.csv",)``; their yearly aggregates go to data/processed, never the rows themselves
    bulk_patterns: tuple[str, ...] = ()
    citation: str = ""  # key of the citation row the build writes for this source (bulk sources)
    title: str = ""  # title of the cited dataset
    #: a few words telling this dataset from the same publisher's others, for chart legends
    #: ("CDE bulk download"); the full title goes in descriptions and sidecars
    short_title: str = ""


@lru_cache(maxsize=2)
def _catalog(file: str = "sources.toml") -> dict[str, dict[str, object]]:
    import tomllib
    from importlib.resources import files

    return tomllib.loads(files(__package__).joinpath(file).read_text(encoding="utf-8"))


def source_info(source_id: str) -> SourceInfo:
    """The metadata of source ``source_id`` as written in ``sources/sources.toml`` (the one place source
    metadata is kept; lists become tuples)."""
    entry = _catalog()[source_id]
    return SourceInfo(
        id=source_id, **{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k != "maps"}
    )


def maps(source_id: str) -> dict[str, object]:
    """The label maps and column lists of source ``source_id`` (``[<id>.maps]`` in ``sources.toml``: how
    the module reads its publisher's labels; ``""`` stands for none)."""
    return dict(_catalog()[source_id].get("maps", {}))  # type: ignore[call-overload]


def notes(table: str) -> dict[str, str]:
    """The notes of ``table`` in ``sources/notes.toml`` (a source id, or ``fbi`` for the notes the FBI
    sources share), with each ``{name}`` naming another note of the table replaced by its text."""
    raw = _catalog("notes.toml")[table]
    return {k: re.sub(r"\{(\w+)\}", lambda m: str(raw.get(m[1], m[0])), str(v)) for k, v in raw.items()}


@dataclass
class LoadResult:
    """Rows normalized from one input file, plus everything that did not load and why.

    Row accounting: ``read == used + len(quarantine) + sum(skipped.values())``, where ``used`` is the
    number of input records that went into ``rows`` (equal to ``len(rows)`` for a loader that emits one
    row per record; for an aggregating loader, the records summed into its aggregates). ``skipped`` maps
    the name of a documented skip rule to the number of records it skipped.
    """

    source: str
    raw_file: str
    read: int
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)
    used: int | None = None  # None: one output row per used record

    @property
    def n_used(self) -> int:
        """Input records that went into ``rows``."""
        return len(self.rows) if self.used is None else self.used

    def balanced(self) -> bool:
        """True when every record read is used, quarantined or skipped by a named rule."""
        return self.read == self.n_used + len(self.quarantine) + sum(self.skipped.values())

    def accounting(self) -> dict[str, object]:
        """The manifest entry for this file: rows read, loaded, quarantined and skipped by rule."""
        return {
            "read": self.read,
            "loaded": self.n_used,
            "rows_out": len(self.rows),
            "quarantined": len(self.quarantine),
            "skipped": dict(sorted(self.skipped.items())),
        }


@dataclass(frozen=True)
class Source:
    """A registered source: its metadata and its loader."""

    info: SourceInfo
    load: Callable[[Path], LoadResult]


def format_error(file: str, line: int | None, column: str | None, message: str) -> SourceFormatError:
    """The error for a file that is not the layout its loader reads, naming the file, line and column."""
    return SourceFormatError(Problem(file, line, column, message))


def header_columns(
    file: str,
    line: int,
    header: Sequence[str],
    required: Sequence[str],
    *,
    fold_case: bool = False,
    skip_blank: bool = False,
) -> dict[str, str]:
    """The header's column names by the name a loader asks for (lower case where ``fold_case``), once
    checked: :class:`SourceFormatError` lists each duplicated name (blank ones too, unless ``skip_blank``)
    and each missing ``required`` column, with the header as found."""
    by_key: dict[str, str] = {}
    problems = []
    for h in header:
        key = h.strip().lower() if fold_case else h
        if key in by_key and (h or not skip_blank):
            why = f" (case ignored: {by_key[key]!r})" if by_key[key] != h else ""
            problems.append(Problem(file, line, h, f"duplicated column name in the header{why}"))
        by_key[key] = h
    found = ", ".join(repr(h) for h in header[:20] if h or not skip_blank)
    for c in required:
        if (c.lower() if fold_case else c) not in by_key:
            hint = f"expected {c.lower()!r} in any case; found" if fold_case else "header has"
            problems.append(Problem(file, line, c, f"required column is missing ({hint} {found})"))
    if problems:
        raise SourceFormatError(problems)
    return by_key


def figure_id(*parts: object) -> str:
    """A figure_id slug from key parts: lowercase letters and digits joined by ``-``.

    ``figure_id(2016, "US-CA", "offenses_actual", "offense=commercial_sex_acts")`` ->
    ``"2016-us-ca-offenses-actual-offense-commercial-sex-acts"``.
    """
    text = "-".join(str(p) for p in parts if p is not None and str(p) != "")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def figure_ids(*parts: object) -> list[str]:
    """:func:`figure_id` of every row from columns of parts (sequences of one length, or scalars shared by
    every row), slugging each distinct part once: for loaders that build their rows column by column."""
    import numpy as np

    n = max((len(p) for p in parts if np.ndim(p)), default=1)  # type: ignore[arg-type]
    cols = [p if np.ndim(p) else [p] * n for p in parts]
    slugs = [{v: figure_id(v) for v in set(c)} for c in cols]  # type: ignore[call-overload]
    return [
        "-".join(s for s in (sl[v] for sl, v in zip(slugs, row, strict=True)) if s)
        for row in zip(*cols, strict=True)
    ]


def breakdown_of(parts: Mapping[str, str | None] | Iterable[tuple[str, str]]) -> str:
    """The ``breakdown`` of key -> value parts (a mapping or pairs; empty values dropped): ``key=value``
    sorted and joined by ``;``, or ``total`` when none is left."""
    items = parts.items() if isinstance(parts, Mapping) else parts
    return ";".join(f"{k}={v}" for k, v in sorted(items) if v) or "total"  # type: ignore[type-var]


# --------------------------------------------------------------------------------------------------------
# Row building, dtype coercion and accounting: once, for every loader
# --------------------------------------------------------------------------------------------------------


def row(
    info: SourceInfo,
    *,
    place: object,
    period: tuple[str, str, str, int | None],
    count: tuple[float | None, str, float | None, float | None],
    **columns: object,
) -> dict[str, object]:
    """One normalized row (a dict of the schema's columns): ``place`` a :class:`trafficking_stats.geo.Place`,
    ``period`` (start, end, kind, year), ``count`` (value, qualifier, low, high), the other columns by name;
    ``dataset``, ``reporter_type`` and ``citation`` default to the source's, the rest to empty."""
    start, end, kind, year = period
    value, qualifier, low, high = count
    return {
        "dataset": info.id,
        "reporter_type": info.reporter_type,
        "citation": info.citation,
        "quote": None,
        "conflict_group": None,
        "geo_level": place.level,  # type: ignore[attr-defined]
        "geo_code": place.code,  # type: ignore[attr-defined]
        "geo_name": place.name,  # type: ignore[attr-defined]
        "period_start": start,
        "period_end": end,
        "period_kind": kind,
        "year": year,
        "value": value,
        "qualifier": qualifier,
        "value_low": low,
        "value_high": high,
        **columns,
    }


def rows_frame(rows: list[dict[str, object]] | pd.DataFrame) -> pd.DataFrame:
    """Normalized rows as a frame with the schema's columns, in order; counts as ``Float64``, ``year`` as
    ``Int16`` and ``raw_row`` as ``Int64`` (an empty list gives an empty frame with the columns)."""
    import pandas as pd

    from ..schema import COLUMN_NAMES

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=list(COLUMN_NAMES))
    for c in ("value", "value_low", "value_high"):
        frame[c] = frame[c].astype("Float64")
    frame["year"] = frame["year"].astype("Int16")
    frame["raw_row"] = frame["raw_row"].astype("Int64")
    return frame


def quarantine_row(raw_file: str, raw_row: int | None, column: str | None, text: object, reason: str) -> dict:
    """One quarantine record (``dataset`` is filled in by :func:`result`)."""
    return {"raw_file": raw_file, "raw_row": raw_row, "column": column, "text": text, "reason": reason}


def result(
    info: SourceInfo,
    raw_file: str,
    read: int,
    rows: list[dict[str, object]] | pd.DataFrame,
    bad: list[dict[str, object]] | pd.DataFrame,
    *,
    skipped: dict[str, int] | None = None,
    used: int | None = None,
) -> LoadResult:
    """The :class:`LoadResult` of one file: rows through :func:`rows_frame`, the quarantine with the
    :data:`QUARANTINE_COLUMNS` (``dataset`` set to the source, ``raw_row`` as ``Int64``), the skip counts
    and records used."""
    import pandas as pd

    q = bad if isinstance(bad, pd.DataFrame) else pd.DataFrame(bad, columns=list(QUARANTINE_COLUMNS))
    if len(q):
        q["dataset"] = info.id
    q["raw_row"] = q["raw_row"].astype("Int64")
    return LoadResult(
        source=info.id,
        raw_file=raw_file,
        read=read,
        rows=rows_frame(rows),
        quarantine=q[list(QUARANTINE_COLUMNS)],
        skipped=dict(skipped or {}),
        used=used,
    )


def year_frame(info: SourceInfo, year: Sequence[int], **columns: object) -> pd.DataFrame:
    """Normalized rows built column by column, one figure per calendar year of ``year``: other columns are
    scalars or sequences as long; periods follow from the year, the qualifier is ``exact`` unless given,
    and columns not given default as in :func:`row`. Dtypes as :func:`rows_frame`."""
    import numpy as np
    import pandas as pd

    from ..schema import COLUMN_NAMES

    years = np.asarray(year, dtype="int64").tolist()
    start = {y: f"{y}-01-01" for y in set(years)}
    end = {y: f"{y}-12-31" for y in set(years)}
    data = {
        "dataset": info.id,
        "reporter_type": info.reporter_type,
        "period_start": [start[y] for y in years],
        "period_end": [end[y] for y in years],
        "period_kind": "calendar_year",
        "year": years,
        "qualifier": "exact",
        "citation": info.citation,
        "quote": None,
        "conflict_group": None,
        **columns,
    }
    return rows_frame(pd.DataFrame(data, columns=list(COLUMN_NAMES), index=pd.RangeIndex(len(years))))


class Reject(Exception):
    """A record that goes to the quarantine: the column, the text and the reason (raised while a record
    is read, counted by :meth:`Tally.reject`)."""

    def __init__(self, column: str, text: object, reason: str) -> None:
        super().__init__(reason)
        self.column, self.text, self.reason = column, text, reason


def whole_count(text: str, column: str, *, shown: str | None = None, sign_convention: bool = False) -> int:
    """A whole, non-negative count from a cell's text as published (read with
    :func:`trafficking_stats.counts.parse_count`). Raises :class:`Reject`
    naming ``column`` and the cell's text (``shown``, where the caller stripped a footnote marker) when the
    count is missing, unreadable, not a whole number, or negative; a negative count is taken as its
    absolute value where ``sign_convention`` says its sign is the publisher's documented convention."""
    from ..counts import parse_count
    from ..errors import CountParseError

    text = text.strip()
    shown = text if shown is None else shown
    try:
        c = parse_count(text)
    except CountParseError as exc:
        why = "" if exc.reason == "cannot read a count" else f" ({exc.reason})"
        raise Reject(column, shown, f"cannot read a count from {shown!r}{why}") from None
    if c is None:
        raise Reject(column, shown, "count is missing")
    if c.qualifier != "exact" or c.value is None or not float(c.value).is_integer():
        raise Reject(column, shown, "expected a whole count")
    v = int(c.value)
    if v < 0 and not sign_convention:
        raise Reject(column, shown, f"negative count {v} (not a documented adjustment)")
    return abs(v)


@dataclass
class Tally:
    """The accounting of one file as a loader reads it, record by record: records ``read`` and ``used``, the
    rows, the quarantine and the records skipped per named rule; :meth:`result` is its :class:`LoadResult`."""

    info: SourceInfo
    raw_file: str
    rows: list[dict[str, object]] = field(default_factory=list)
    bad: list[dict[str, object]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    read: int = 0
    used: int = 0
    reporter: str = ""  # of the rows :meth:`add_year` writes
    vintage: str = ""

    def add_year(
        self,
        place: object,
        year: int,
        metric: str,
        breakdown: str,
        value: float,
        *,
        unit: str,
        raw_row: int | None,
        note: str | None,
        tag: str | None = None,
    ) -> None:
        """Add the row of an exact count of one calendar year; its figure id is ``year``, ``tag`` (if
        any), the place's code, ``metric`` and ``breakdown`` (:func:`figure_id`)."""
        fid = figure_id(year, tag, place.code, metric, breakdown)  # type: ignore[attr-defined]
        self.rows.append(
            row(
                self.info,
                figure_id=fid,
                reporter=self.reporter,
                place=place,
                period=(f"{year}-01-01", f"{year}-12-31", "calendar_year", year),
                metric=metric,
                breakdown=breakdown,
                count=(float(value), "exact", float(value), float(value)),
                unit=unit,
                vintage=self.vintage,
                raw_file=self.raw_file,
                raw_row=raw_row,
                note=note,
            )
        )

    def quarantine(self, line: int | None, column: str | None, text: object, reason: str) -> None:
        """Quarantine the record of ``line`` for ``reason``, naming the column and its text."""
        self.bad.append(quarantine_row(self.raw_file, line, column, text, reason))

    def reject(self, line: int | None, exc: Reject) -> None:
        """Quarantine the record of ``line`` for the reason ``exc`` gives."""
        self.quarantine(line, exc.column, exc.text, exc.reason)

    def skip(self, rule: str) -> None:
        """Count one record skipped by the named ``rule``."""
        self.skipped[rule] = self.skipped.get(rule, 0) + 1

    def result(self) -> LoadResult:
        """The file's :class:`LoadResult`."""
        return result(
            self.info, self.raw_file, self.read, self.rows, self.bad, skipped=self.skipped, used=self.used
        )
