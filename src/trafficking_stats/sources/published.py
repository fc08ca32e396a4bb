"""The published-figures source: hand-transcribed figures from press statements, reports and tables.

Reads ``data/raw/published_figures.csv`` (layout in ``data/raw/README.md``). Each row holds the count as
published, with its hedge (``over 230``); this module only does format work: it reads the file, parses
the count with :mod:`trafficking_stats.counts`, looks up the place in :mod:`trafficking_stats.geo` and
derives ``year`` from the period. Rows that cannot be normalized are quarantined with their reason.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from .. import geo
from ..counts import parse_count
from ..errors import CountParseError
from ..geo import UnknownPlaceError
from ..paths import relative_to_root
from ._csvfile import read_records
from .base import LoadResult, Reject, Tally, maps, row, source_info

if TYPE_CHECKING:
    import pandas as pd

INFO = source_info("published")

MAPS = maps("published")
COLUMNS: tuple[str, ...] = tuple(MAPS["columns"])

#: Columns copied to the row as written; optional ones, where an empty cell means none.
COPIED = ("figure_id", "reporter", "reporter_type", "metric", "breakdown", "unit", "vintage", "citation")
OPTIONAL = ("quote", "conflict_group", "note")

CITATION_COLUMNS: tuple[str, ...] = tuple(MAPS["citation_columns"])


def _date(text: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Reject(column, text, f"{text!r} is not a date YYYY-MM-DD") from None


def _year(kind: str, start: dt.date, end: dt.date) -> int | None:
    """The year of a one-year period: calendar year, or the year a fiscal year ends; else None."""
    if kind == "calendar_year":
        return start.year
    if kind == "fiscal_year":
        return end.year
    return None


def load(path: Path) -> LoadResult:
    """The rows of a published-figures CSV; a row with an unreadable count, date or place is quarantined,
    a header without a column raises :class:`~trafficking_stats.errors.SourceFormatError`."""

    path = Path(path)
    raw_file = relative_to_root(path)
    _, records = read_records(path, COLUMNS)
    tally = Tally(INFO, raw_file)
    for rec in records:
        tally.read += 1
        f = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.fields.items()}

        def quarantine(column: str, reason: str, rec=rec, f=f) -> None:
            tally.quarantine(rec.line, column, f.get(column, ""), reason)

        if rec.n_fields != len(rec.fields):
            quarantine("", f"expected {len(rec.fields)} fields, found {rec.n_fields}")
            continue
        try:
            count = parse_count(f["count"])
        except CountParseError as exc:
            quarantine("count", f"cannot read a count from {exc.text!r}")
            continue
        if count is None:
            quarantine("count", "count is required (found a missing-value marker)")
            continue
        try:
            place = geo.place(f["geo_code"])
        except UnknownPlaceError as exc:
            quarantine("geo_code", str(exc.args[0]))
            continue
        try:
            start, end = (_date(f[c], c) for c in ("period_start", "period_end"))
        except Reject as exc:
            tally.reject(rec.line, exc)
            continue
        period = (start.isoformat(), end.isoformat(), f["period_kind"], _year(f["period_kind"], start, end))
        tally.used += 1
        tally.rows.append(
            row(
                INFO,
                place=place,
                period=period,
                count=(count.value, count.qualifier, count.low, count.high),
                raw_file=raw_file,
                raw_row=rec.line,
                **{c: f[c] for c in COPIED},
                **{c: f[c] or None for c in OPTIONAL},
            )
        )
    return tally.result()


def load_citations(path: Path) -> pd.DataFrame:
    """Read ``citations.csv``: one row per cited document, every column as text, keyed by ``citation``.

    Raises :class:`~trafficking_stats.errors.SourceFormatError` for a missing column, and
    :class:`~trafficking_stats.errors.ValidationError` listing every row with an empty key, publisher,
    title or URL, a duplicated key, or a date that is not ``YYYY[-MM[-DD]]``.
    """
    import re

    import pandas as pd

    from ..errors import Problem, ValidationError

    path = Path(path)
    name = str(path)
    _, records = read_records(path, CITATION_COLUMNS)
    rows, problems, seen = [], [], set()
    date_re = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
    for rec in records:
        f = {c: rec.fields[c].strip() for c in CITATION_COLUMNS}
        for col in ("citation", "publisher", "title", "url", "licence"):
            if not f[col]:
                problems.append(Problem(name, rec.line, col, "value is required"))
        for col in ("published", "accessed"):
            if f[col] and not date_re.match(f[col]):
                problems.append(Problem(name, rec.line, col, f"{f[col]!r} is not a date YYYY[-MM[-DD]]"))
        if f["citation"] in seen:
            problems.append(Problem(name, rec.line, "citation", f"duplicate citation key {f['citation']!r}"))
        seen.add(f["citation"])
        rows.append(f)
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(rows, columns=list(CITATION_COLUMNS)).sort_values("citation", ignore_index=True)
