"""UK National Referral Mechanism (NRM) and Duty to Notify (DtN): British Red Cross chart extracts.

The British Red Cross re-tabulates the Home Office's "Modern Slavery: National Referral Mechanism and Duty
to Notify statistics" into small chart-ready CSVs (Flourish) in its ``state-of-asylum-system``
repository (``data-raw/flourish/5 - Trafficking/``). These are derived extracts, not the Home Office ODS
tables. This module reads the eight kinds of extract; each file's kind is detected from its **header**
(never from its name alone):

=========================  ============================================================  ===================
kind (header)              one record =                                                  metric, unit
=========================  ============================================================  ===================
referrals over time        ``Date`` ("2009 Q2") x ``Age at exploitation``; one column     victims_referred,
                           per location of exploitation (Overseas, UK, UK and Overseas,   persons
                           Not specified or unknown)
referrals by age and sex   ``Age at exploitation``; ``Female`` (stored **negative** for  victims_referred,
                           a population-pyramid chart), ``Male``                          persons
referrals by first         ``First responder type``; ``Other nationality``,              victims_referred,
responder                  ``UK national``                                                persons
referrals by nationality   ``Nationality`` (demonym); one column per first-responder     victims_referred,
                           type (Government agency, Local Authority, NGO and third        persons
                           sector, Police)
reasonable / conclusive    ``Date`` (quarter-end date "2014-03-31") x ``Age``;            grounds_decisions,
grounds by age             positive and negative decisions                                decisions
duty to notify over time   ``Date`` (quarter-end date); reports in the quarter            victim_reports,
                                                                                          reports
duty to notify by          ``Nationality``; ``Total``                                    victim_reports,
nationality                                                                               reports
=========================  ============================================================  ===================

Periods. Dated files give calendar quarters, as ``"YYYY Qn"`` labels or as quarter-end dates; rows are
emitted per quarter (``period_kind`` ``quarter``) and per year: a ``calendar_year`` row where all four
quarters of the year are in the file, a ``partial_year`` row covering the quarters present where two or
three consecutive quarters are (the NRM began on 1 April 2009, so 2009 has Q2-Q4 only). No year row is
emitted for a year with a single quarter (it would repeat the quarter row) or with a gap between its
quarters (a start and end date cannot describe it). Files without a date column take their period from
the file name: ``Dec 23`` (or ``Sept 23``, ``June 2023``) means the 12 months to the end of that month,
the calendar year 2023 for December; such a file without a month and year in its name raises
:class:`~trafficking_stats.errors.SourceFormatError`. The month in the name is also the file's
``vintage`` (``2023-12``); a dated file without one takes the last quarter it holds.

Breakdowns (sorted ``key=value`` slugs): ``age=adult|minor`` ("Adult (18 or over)", "Child (17 or under)"),
``location=overseas|uk|uk_and_overseas|not_specified``, ``sex=female|male``, ``first_responder=<slug>`` (the
label's trailing acronym dropped: "National Crime Agency NCA" -> ``national_crime_agency``),
``nationality=<slug of the demonym>`` ("South Sudanese" -> ``south_sudanese``; the first-responder file's
own groups are ``uk_national`` and ``other_nationality``),
``decision=positive|negative;stage=reasonable|conclusive``. Duty to Notify reports are about adults only and
carry ``age=adult``. Besides each cell of a file, the module emits the sums a reader needs (per quarter and
year: sums over age (breakdown ``age=known``: the extract has only adult and child rows, so these are not
the Home Office's totals), per age, per location; per first responder; per nationality); a sum is emitted
only when every cell it adds up loaded, so a quarantined cell never silently lowers a total. Sums over first
responders or nationalities are not emitted from the files that list only the top nationalities, and the
age-and-sex file gives no ``age=`` or ``total`` rows (it does not add up to the over-time file's totals; see
the note on its rows).

Quarantine (plausibility, one record at a time, with the line, column, text and reason): a count that
is not an exact whole number, a negative count anywhere except the age-and-sex file's ``Female`` column
(whose sign is the documented chart convention, so its absolute value is taken), an age label that is
not one of the two above, an unreadable period, a date that is not a quarter end, a quarter before the
scheme began (NRM: 1 April 2009; Duty to Notify: 1 November 2015) or after the month in the file name,
a record repeating the period and label of an earlier one, and a record with the wrong number of fields.

Skipped by a named rule: ``age_not_specified``: records whose age is "Not specified or unknown" (the
British Red Cross drops them from these extracts; older extracts kept them), skipped so that every
``age=``-free sum means "adults plus children" as its note says.

Row accounting: ``read`` = data records; ``used`` = records whose cells went into the rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import geo
from ..errors import Problem, SourceFormatError
from ..paths import relative_to_root
from ..vocab import normalize
from ._csvfile import read_records
from .base import (
    LoadResult,
    Reject,
    Tally,
    breakdown_of,
    figure_id,
    format_error,
    maps,
    notes,
    row,
    source_info,
    whole_count,
)

INFO = source_info("uk_nrm")

NRM_REPORTER = "UK Home Office (National Referral Mechanism)"  # Duty to Notify kinds: in sources.toml
NRM_START = dt.date(2009, 4, 1)  # the NRM began on 1 April 2009 (the Duty to Notify: in sources.toml)

AGES: dict[str, str] = {"adult (18 or over)": "adult", "child (17 or under)": "minor"}
AGE_NOT_SPECIFIED = "not specified or unknown"

NOTES = notes("uk_nrm")


# --------------------------------------------------------------------------------------------------------
# Labels -> slugs
# --------------------------------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A breakdown value slug of a label: ASCII, lowercase, runs of other characters -> ``_``.

    ``"South Sudanese"`` -> ``"south_sudanese"``; ``"NGO and third sector"`` -> ``"ngo_and_third_sector"``.
    """
    return normalize(text.replace("&", " and ")).replace(" ", "_")


def first_responder_slug(label: str) -> str:
    """Slug of a first-responder label without its trailing acronym.

    The extracts append the body's acronym ("Home Office - UK Visas and Immigration UKVI", "National
    Crime Agency NCA"); a last word of two or more capitals after at least two other words is dropped.
    """
    words = label.split()
    if len(words) >= 3 and re.fullmatch(r"[A-Z]{2,}", words[-1]):
        words = words[:-1]
    return slug(" ".join(words))


def _age(label: str) -> str | None:
    return AGES.get(" ".join(label.split()).lower())


# --------------------------------------------------------------------------------------------------------
# File kinds
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """One kind of extract, recognised by its exact header."""

    name: str  # slug used in figure ids
    header: tuple[str, ...]
    note: str
    value_columns: dict[str, tuple[str, str] | None]  # value column -> (dim, value) or None
    subsets: tuple[tuple[str, ...], ...]  # the breakdown dims each emitted figure fixes
    metric: str = "victims_referred"
    unit: str = "persons"
    reporter: str = NRM_REPORTER
    geo_code: str = "GBR"
    scheme_start: dt.date = NRM_START
    label_column: str | None = None  # the column whose label is a breakdown value
    label_dim: str | None = None
    label_map: Callable[[str], str | None] | None = None
    closed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dims with a fixed set of values
    constant: tuple[tuple[str, str], ...] = ()  # breakdown pairs on every row
    date_column: str | None = None
    date_style: str | None = None  # "label" ("2009 Q2") or "quarter_end" ("2014-03-31")
    negative_by_convention: frozenset[str] = frozenset()  # columns whose sign is a chart convention
    open_sum_needs_clean_file: tuple[str, ...] = ()  # dims summed over an open list of labels


_LABEL_MAPS: dict[str, Callable[[str], str | None]] = {
    "age": _age,
    "slug": slug,
    "first_responder": first_responder_slug,
}
_TUPLES = ("header", "subsets", "constant", "open_sum_needs_clean_file")


def _kind(entry: dict) -> _Kind:  # type: ignore[type-arg]
    """A :class:`_Kind` from its table in ``sources.toml`` (``[[uk_nrm.maps.kinds]]``)."""
    e = dict(entry)
    special = {
        "note": NOTES[e.pop("note")],
        "label_map": _LABEL_MAPS.get(e.pop("label_map", "")),
        "value_columns": {c: tuple(d) if d else None for c, d in e.pop("value_columns").items()},
        "closed": {d: tuple(v) for d, v in e.pop("closed", {}).items()},
        "negative_by_convention": frozenset(e.pop("negative_by_convention", ())),
    }
    tuples = {
        k: tuple(tuple(x) if isinstance(x, list) else x for x in v) for k, v in e.items() if k in _TUPLES
    }
    return _Kind(**{**e, **tuples, **special})


KINDS: tuple[_Kind, ...] = tuple(_kind(e) for e in maps("uk_nrm")["kinds"])  # type: ignore[union-attr]


def detect_kind(header: list[str], file: str) -> _Kind:
    """The kind of extract whose header is exactly ``header`` (any column order).

    Raises :class:`SourceFormatError` (line 1) naming the first missing or unexpected column of the
    closest known layout, or listing every known layout when nothing is close.
    """
    cols = [h.strip() for h in header]
    found = ", ".join(repr(c) for c in cols)
    for kind in KINDS:
        if sorted(cols) == sorted(kind.header):
            return kind
    best = max(KINDS, key=lambda k: (len(set(k.header) & set(cols)), -len(set(k.header) ^ set(cols))))
    if not set(best.header) & set(cols):
        known = "; ".join(", ".join(k.header) for k in KINDS)
        raise format_error(
            file,
            1,
            cols[0] if cols else None,
            f"not a known NRM extract header: found {found}; expected one of: {known}",
        )
    missing = [c for c in best.header if c not in cols]
    extra = [c for c in cols if c not in best.header]
    problems = [
        Problem(file, 1, c, f"required column of the {best.name} extract is missing (header has {found})")
        for c in missing
    ]
    problems += [
        Problem(
            file, 1, c, f"unexpected column for the {best.name} extract (expected {', '.join(best.header)})"
        )
        for c in extra
    ]
    if len(cols) != len(set(cols)):
        dups = sorted({c for c in cols if cols.count(c) > 1})
        problems += [Problem(file, 1, c, "duplicated column name in the header") for c in dups]
    raise SourceFormatError(problems)


# --------------------------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_NAME_PERIOD_RE = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?[ _-]*'?(\d{4}|\d{2})(?!\d)",
    re.IGNORECASE,
)
_QUARTER_LABEL_RE = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A period with first and last day; ``kind`` from schema.PERIOD_KINDS; ``year`` for one whole year."""

    start: dt.date
    end: dt.date
    kind: str
    year: int | None = None
    label: str = ""


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter(year: int, q: int) -> Period:
    """Calendar quarter ``q`` (1-4) of ``year``."""
    return Period(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), "quarter", None, f"{year} Q{q}")


def period_from_name(name: str) -> Period | None:
    """The 12 months to the month named in a file name (``... Dec 23.csv`` -> calendar year 2023).

    Accepts a month name or abbreviation (``Dec``, ``Sept``, ``June``) followed by a 2- or 4-digit year.
    A December gives a ``calendar_year``; another month the 12 months ending with it (``multi_year``: the
    period spans two calendar years). None when the name holds no month and year.
    """
    matches = list(_NAME_PERIOD_RE.finditer(Path(name).stem))
    if not matches:
        return None
    m = matches[-1]
    month = _MONTHS[m.group(1).lower()]
    year = int(m.group(2))
    if year < 100:
        year += 2000
    end = _month_end(year, month)
    if month == 12:
        return Period(dt.date(year, 1, 1), end, "calendar_year", year, f"12 months to {m.group(0)}")
    start = dt.date(year - 1, month + 1, 1)
    return Period(start, end, "multi_year", None, f"12 months to {m.group(0)}")


_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$")
_DAY_MON_YEAR = re.compile(r"^(?:(\d{1,2})[- ])?([A-Za-z]{3,9})[- ](\d{4}|\d{2})$")


def quarter_end_date(text: str) -> dt.date | None:
    """The date of a quarter-end cell: ISO ``2015-12-31`` as published, or as a spreadsheet program
    rewrote it: with a time (``2015-12-31 00:00:00``), day first or month first (``31/12/2015``,
    ``12/31/2015``, ``31/12/15``; taken only when exactly one reading is the last day of a quarter), or
    with a month name (``31-Dec-2015``, ``31-Dec-15``, ``Dec-15``: the month's last day). None otherwise."""
    t = text.strip()
    try:
        return dt.datetime.fromisoformat(t).date()  # 2015-12-31, also with a time of day
    except ValueError:
        pass

    def year_of(y: str) -> int:
        return int(y) + 2000 if len(y) == 2 else int(y)

    m = _SLASHED.match(t)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), year_of(m.group(3))
        found = set()
        for day, month in ((a, b), (b, a)):
            if 1 <= month <= 12 and month % 3 == 0 and day == _month_end(y, month).day:
                found.add(dt.date(y, month, day))
        return found.pop() if len(found) == 1 else None
    m = _DAY_MON_YEAR.match(t)
    if m and m.group(2).lower() in _MONTHS:
        month, y = _MONTHS[m.group(2).lower()], year_of(m.group(3))
        end = _month_end(y, month)
        if m.group(1) is None or int(m.group(1)) == end.day:
            return end
    return None


def _parse_quarter(text: str, style: str) -> Period | str:
    """The quarter a date cell names, or the reason it cannot be read."""
    t = text.strip()
    if style == "label":
        m = _QUARTER_LABEL_RE.match(t)
        if not m:
            return f"{t!r} is not a quarter label 'YYYY Qn'"
        return quarter(int(m.group(1)), int(m.group(2)))
    d = quarter_end_date(t)
    if d is None:
        return f"{t!r} is not a date YYYY-MM-DD (nor a quarter's last day as a spreadsheet writes it)"
    if d.month % 3 or d != _month_end(d.year, d.month):
        return f"{t!r} is not the last day of a calendar quarter"
    return quarter(d.year, d.month // 3)


def _years(quarters: set[Period]) -> list[tuple[Period, list[Period]]]:
    """Year periods built from quarters: calendar years (4 quarters), partial years (2-3 consecutive)."""
    out = []
    by_year: dict[int, list[Period]] = {}
    for q in quarters:
        by_year.setdefault(q.start.year, []).append(q)
    for year, qs in sorted(by_year.items()):
        qs = sorted(qs)
        nums = [(q.start.month + 2) // 3 for q in qs]
        if len(qs) == 4:
            out.append((Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "calendar_year", year), qs))
        elif len(qs) >= 2 and nums == list(range(nums[0], nums[-1] + 1)):
            label = f"{year} Q{nums[0]}-Q{nums[-1]}"
            out.append((Period(qs[0].start, qs[-1].end, "partial_year", None, label), qs))
    return out


# --------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    value: int
    line: int


def load(path: Path) -> LoadResult:
    """Each cell of one NRM / Duty to Notify chart extract, plus its quarterly and yearly sums (module
    docstring); :class:`~trafficking_stats.errors.SourceFormatError` for an unknown header, or a file
    without a date column whose name has no month and year."""

    path = Path(path)
    name = str(path)
    raw_file = relative_to_root(path)
    header, records = read_records(path, ())
    kind = detect_kind(header, name)
    name_period = period_from_name(path.name)
    if kind.date_column is None and name_period is None:
        raise format_error(
            name,
            1,
            kind.header[0],
            f"the {kind.name} extract has no date column, so its period must be in the file name "
            f"(e.g. '... Dec 23.csv' = the 12 months to December 2023); found no month and year in "
            f"{path.name!r}",
        )
    tally = Tally(INFO, raw_file, reporter=kind.reporter)
    cells: dict[tuple[Period, tuple[tuple[str, str], ...]], _Cell] = {}
    seen_keys: dict[tuple[object, ...], int] = {}
    open_values: dict[str, set[str]] = {}
    quarters_seen: set[Period] = set()
    for rec in records:
        tally.read += 1

        def quarantine(column: str, reason: str, rec=rec) -> None:
            tally.quarantine(rec.line, column, rec.fields.get(column, "") if column else "", reason)

        if rec.n_fields != len(header):
            quarantine("", f"expected {len(header)} fields, found {rec.n_fields}")
            continue
        f = {k.strip(): v for k, v in rec.fields.items()}
        # the period
        if kind.date_column is not None:
            per = _parse_quarter(f[kind.date_column], kind.date_style or "label")
            if isinstance(per, str):
                quarantine(kind.date_column, per)
                continue
            if per.end < kind.scheme_start:
                quarantine(
                    kind.date_column,
                    f"{per.label} is before the scheme began ({kind.scheme_start.isoformat()})",
                )
                continue
            if name_period is not None and per.end > name_period.end:
                quarantine(
                    kind.date_column,
                    f"{per.label} is after the end of the file's data period ({name_period.label})",
                )
                continue
        else:
            assert name_period is not None
            per = name_period
        # the label
        dims: dict[str, str] = {}
        if kind.label_column is not None:
            text = f[kind.label_column]
            if kind.label_dim == "age" and " ".join(text.split()).lower() == AGE_NOT_SPECIFIED:
                tally.skip("age_not_specified")
                continue
            value = kind.label_map(text) if kind.label_map else None
            if not value:  # an empty slug is no label either
                what = "age group" if kind.label_dim == "age" else kind.label_dim
                quarantine(kind.label_column, f"unknown {what} label {text.strip()!r}")
                continue
            dims[kind.label_dim] = value  # type: ignore[index]
        key = (per, tuple(sorted(dims.items())))
        if key in seen_keys:
            quarantine(
                kind.label_column or kind.date_column or "",
                f"repeats the period and label of line {seen_keys[key]}",
            )
            continue
        seen_keys[key] = rec.line
        if kind.date_column is not None:
            quarters_seen.add(per)
        # the counts
        values: dict[tuple[tuple[str, str], ...], int] = {}
        try:
            for col, dim in kind.value_columns.items():
                v = whole_count(f[col], col, sign_convention=col in kind.negative_by_convention)
                values[tuple(sorted({**dims, **dict([dim] if dim else [])}.items()))] = v
        except Reject as exc:
            tally.reject(rec.line, exc)
            continue
        tally.used += 1
        for d, v in values.items():
            cells[(per, d)] = _Cell(v, rec.line)
            for k, val in d:
                if k not in kind.closed:
                    open_values.setdefault(k, set()).add(val)

    # the periods to emit
    if kind.date_column is not None:
        periods = [(q, [q]) for q in sorted(quarters_seen)] + _years(quarters_seen)
    else:
        periods = [(name_period, [name_period])] if cells else []  # type: ignore[list-item]
    vintage = _vintage(name_period, quarters_seen)
    place = geo.place(kind.geo_code)
    all_dims = [*kind.closed, *(d for d in open_values if d not in kind.closed)]
    domains = {**{d: tuple(sorted(v)) for d, v in open_values.items()}, **kind.closed}
    for per, members in periods:
        for subset in kind.subsets:
            if tally.bad and any(d not in subset for d in kind.open_sum_needs_clean_file):
                continue  # a sum over an open list of labels with a quarantined record is not a total
            free = [d for d in all_dims if d not in subset]
            for fixed in itertools.product(*(domains.get(d, ()) for d in subset)):
                assign = dict(zip(subset, fixed, strict=True))
                parts = []
                for q in members:
                    for rest in itertools.product(*(domains.get(d, ()) for d in free)):
                        d = {**assign, **dict(zip(free, rest, strict=True))}
                        parts.append(cells.get((q, tuple(sorted(d.items())))))
                if not parts or any(p is None for p in parts):
                    continue
                lines = {p.line for p in parts}  # type: ignore[union-attr]
                value = float(sum(p.value for p in parts))  # type: ignore[union-attr]
                pairs = [*assign.items(), *kind.constant]
                if "age" in kind.closed and not any(k == "age" for k, _ in pairs):
                    # a sum over the extract's adult and child rows: people of unknown age are not in the
                    # extract, so this is not the Home Office's total (breakdown `age=known`)
                    pairs.append(("age", "known"))
                breakdown = breakdown_of(pairs)
                note = kind.note
                if per.kind == "calendar_year" and kind.date_column is not None:
                    note = f"Sum of the four quarters of {per.year} in the extract. {note}"
                elif per.kind == "partial_year":
                    note = (
                        f"Sum of {per.label} only: the other quarters of the year are not in the extract. "
                        f"{note}"
                    )
                elif kind.date_column is None:
                    note = f"Period from the file name: {per.label}. {note}"
                period = (per.start.isoformat(), per.end.isoformat(), per.kind, per.year)
                tally.rows.append(
                    row(
                        INFO,
                        place=place,
                        period=period,
                        count=(value, "exact", value, value),
                        figure_id=figure_id("nrm", vintage, kind.name, *period[:2], breakdown),
                        reporter=kind.reporter,
                        metric=kind.metric,
                        breakdown=breakdown,
                        unit=kind.unit,
                        vintage=vintage,
                        raw_file=raw_file,
                        raw_row=next(iter(lines)) if len(lines) == 1 else None,
                        note=note,
                    )
                )
    return tally.result()


def _vintage(name_period: Period | None, quarters: set[Period]) -> str:
    """The edition: the month in the file name (``2023-12``), else the last quarter's end month."""
    if name_period is not None:
        return name_period.end.strftime("%Y-%m")
    if quarters:
        return max(quarters).end.strftime("%Y-%m")
    return "unknown"
