"""The FBI's published human-trafficking tables: "Human Trafficking, 2016" Tables 1-4, 2015 participation.

The FBI Uniform Crime Reporting (UCR) Program publishes state tables each year from its human-trafficking
collection (started January 2013). This module reads five of them, as shipped:

* **Table 1, "Offenses and Clearances by State, 2016"** (``table-1.xls``, the FBI's BIFF8 workbook, or its
  CSV export ``table-1.csv``): one row per state; for commercial sex acts, involuntary servitude and their
  total, the offenses (actual offenses: reported minus unfounded), the offenses cleared and the clearances
  involving only persons under 18. Rows -> ``offenses_actual``, ``offenses_cleared`` and
  ``offenses_cleared_juvenile`` by ``offense=commercial_sex_acts`` / ``offense=involuntary_servitude`` /
  ``total`` (unit ``offenses``).
* **Table 2, arrests by sex** (juvenile male/female, adult male/female), **Table 3, arrests by race**
  (juvenile and adult x White, Black or African American, American Indian or Alaska Native, Asian, Native
  Hawaiian or Other Pacific Islander, plus a juvenile and an adult total) and **Table 4, arrests by
  ethnicity** (juvenile and adult x Hispanic, Not Hispanic or Latino, total): one row per state x offense.
  Rows -> ``arrests`` (unit ``arrests``) by ``age=minor|adult`` (UCR juveniles are under 18), ``offense=``
  and ``sex=`` / ``race=`` / ``ethnicity=``; Table 3's totals give ``age=...;offense=...``.
  Table 4's "Total" columns are *not* emitted: they count only arrests whose ethnicity was reported
  (Wyoming, adult commercial sex acts: 0 in Table 4 against 2 in Tables 2 and 3) and Table 4 lists fewer
  states, so they are not total arrests; they are used to check ``Hispanic + Not Hispanic == Total``.
* **Participation by State, 2015** (``human_trafficking_participation_by_state_2015.csv``, columns
  ``state,agencies``): per the FBI's data declaration, "the number of agencies per state participating in
  the UCR Program" in the states whose program had added human trafficking to its collection; "the
  individual agencies in that state may or may not have added it". This is not ``agencies_reporting``
  (agencies that reported human-trafficking data): Texas has 1,080 here but 948 agencies with at least one
  month of human-trafficking data in the 2015 UCR master file, Arkansas 296 against 2, Florida 698 against
  none. No metric in the vocabulary fits, so until one does (proposed: ``agencies_participating``, unit
  ``agencies``; see :data:`PARTICIPATION_METRIC`) the records are read and checked, and the valid ones are
  skipped by the named rule ``participation_no_metric``: no rows, nothing mislabelled.

Which table a file holds is decided from its content, never its name: the header row (the first whose
first cell is ``State``) is compared position by position, after folding case, newlines, repeated spaces
and the re-poster's typo ``Junevile``, with each known layout (``[fbi_tables.maps]`` in ``sources.toml``);
title rows above it, where present, must name the table. A header matching no layout, or a known layout
with one wrong cell, raises :class:`~trafficking_stats.errors.SourceFormatError` naming the file, line
(CSV) or sheet row (xls) and column. Columns are then taken by position. The file type is sniffed from its
bytes (OLE2/zip workbook or UTF-8 text); CSVs are read with a CSV parser (quoted header cells hold bare LFs
inside CRLF rows; the participation file has CR-only line endings).

The year is the one a title row states (Table 1: "..., 2016"). The re-posted Tables 2-4 and the
participation file have no title rows, so their year is the edition this module reads (2016 for the
arrest tables, 2015 for participation) and each row's note says so; a title-less file whose name carries a
different year is refused rather than mislabelled.

Records and row accounting: a record is a non-blank row below the header; title, header and blank rows (the
4 rows of bare commas ending ``table-1.csv``, the empty row under Table 3's header, the workbook's empty
trailing rows) are layout, not records. Every record gives one row per published cell or is quarantined
whole, with its line, column, text and reason; one skip rule, ``participation_no_metric`` (above).
Quarantine reasons:

* the state name is not a US state, DC or territory in :mod:`trafficking_stats.geo` (Tables 2-4 write the
  name only on a state's first row; the next row's empty name is forward-filled from it);
* the offense is neither "Commercial sex acts" nor "Involuntary servitude";
* a count is missing, not a whole number, or negative (the tables document no adjustments);
* a breakdown does not fit its total: Table 1's offense columns do not add up to its Total columns, or
  clearances under 18 exceed the offenses cleared; Table 3's races do not add up to the juvenile or adult
  total; Table 4's Hispanic + Not Hispanic is not its Total;
* the same state (x offense) appeared earlier in the file;
* a row has more fields than the header.

Not checks: clearances may exceed offenses (the FBI counts clearances of offenses from earlier years in the
year of clearance). Footnote asterisks (``California*`` in Tables 2-4, ``Connecticut,2*`` in the
participation file) are removed from the name or number and reported in the row's note; the footnote texts
are not in the files. Table 2 and Table 3 disagree on one cell in the files as re-posted (Rhode Island,
adult arrests for commercial sex acts: 2 males and no females in Table 2, a total of 1 in Table 3); both are
loaded as published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import geo
from ..errors import Problem, SourceFormatError
from ..paths import relative_to_root
from ..schema import METRICS
from ._csvfile import csv_rows, read_text
from ._workbook import cell_text, read_sheet
from .base import LoadResult, Reject, Tally, breakdown_of, format_error, maps, notes, source_info, whole_count

INFO = source_info("fbi_tables")

REPORTER = "FBI Uniform Crime Reporting Program"
#: The UCR human-trafficking collection began in January 2013.
FIRST_YEAR = 2013
#: Metric for the participation table: ``agencies_participating`` once the vocabulary has it, else None
#: (not ``agencies_reporting``; see the module docstring): its records are then skipped by the rule below.
PARTICIPATION_METRIC: str | None = "agencies_participating" if "agencies_participating" in METRICS else None
#: Skip rule for the participation table's valid records while :data:`PARTICIPATION_METRIC` is None.
SKIP_NO_METRIC = "participation_no_metric"

MAPS = maps("fbi_tables")  # sources.toml [fbi_tables.maps], commented there
OFFENSES: dict[str, str] = MAPS["offenses"]
RACES: tuple[tuple[str, str], ...] = tuple(tuple(r) for r in MAPS["races"])
AGES: tuple[tuple[str, str], ...] = tuple(tuple(a) for a in MAPS["ages"])

#: How many rows above the header may be title rows.
MAX_TITLE_ROWS = 10


@dataclass(frozen=True)
class _Row:
    """One row of the input: its 1-based line (CSV) or sheet row (xls) and its cells."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class _Layout:
    """A known table: its header rows (normalized expected text per position), title word, default year."""

    kind: str
    label: str
    header: tuple[tuple[str, ...], ...]
    title_word: str
    default_year: int | None  # for a file without title rows; None: the title must give the year


_T1_MEASURES = ("offenses", "total cleared", "clearances under 18")
#: The five known tables, from ``sources.toml`` (``[[fbi_tables.maps.layouts]]``; default year 0: none).
LAYOUTS: tuple[_Layout, ...] = tuple(
    _Layout(L["kind"], L["label"], tuple(map(tuple, L["header"])), L["title_word"], L["default_year"] or None)
    for L in MAPS["layouts"]
)
NOTES = notes("fbi_tables")
_STATES_BY_NAME: dict[str, str] = {name.lower(): abbr for abbr, _fips, name in geo.US_STATES}
_YEAR_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


# --------------------------------------------------------------------------------------------------------
# Reading the file into rows
# --------------------------------------------------------------------------------------------------------


def _norm(cell: str) -> str:
    """Header text folded for comparison: lowercase, whitespace collapsed, the typo 'junevile' fixed."""
    return " ".join(cell.split()).lower().replace("junevile", "juvenile")


def _read_rows(path: Path) -> list[_Row]:
    """Every row of the file (blank rows included), with its 1-based line or sheet row."""
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0") or head.startswith(b"PK\x03\x04"):
        return _read_workbook(path)
    rows = csv_rows(read_text(path), str(path), strict=True)
    return [_Row(line, tuple(c.strip() for c in cells)) for line, cells in rows]


def _read_workbook(path: Path) -> list[_Row]:
    """The first sheet of a workbook (read with calamine) as text, with 1-based sheet row numbers."""
    values, first_row = read_sheet(path, skip_empty_area=False)
    return [_Row(first_row + i, tuple(cell_text(c) for c in cells)) for i, cells in enumerate(values)]


# --------------------------------------------------------------------------------------------------------
# Recognising the table
# --------------------------------------------------------------------------------------------------------


def _trimmed(cells: Sequence[str]) -> list[str]:
    out = [_norm(c) for c in cells]
    while out and not out[-1]:
        out.pop()
    return out


def _score(layout: _Layout, header_rows: list[_Row]) -> int:
    score = 0
    for expected, row in zip(layout.header, header_rows, strict=False):
        found = _trimmed(row.cells)
        score += sum(1 for i, e in enumerate(expected) if e and i < len(found) and found[i] == e)
    return score


def _header_problems(name: str, layout: _Layout, header_rows: list[_Row]) -> list[Problem]:
    problems = []
    for k, expected in enumerate(layout.header):
        if k >= len(header_rows):
            problems.append(Problem(name, None, None, f"{layout.label}: header row {k + 1} is missing"))
            continue
        row = header_rows[k]
        found = _trimmed(row.cells)
        for i in range(max(len(expected), len(found))):
            e = expected[i] if i < len(expected) else None
            f = found[i] if i < len(found) else ""
            if e is None:
                problems.append(
                    Problem(name, row.line, f"column {i + 1}", f"{layout.label}: unexpected header {f!r}")
                )
            elif f != e:
                problems.append(
                    Problem(
                        name,
                        row.line,
                        e or f"column {i + 1}",
                        f"{layout.label}: expected header {e!r} in column {i + 1}, found {f!r}",
                    )
                )
    return problems


def _detect(name: str, rows: list[_Row]) -> tuple[_Layout, int, list[_Row]]:
    """The layout of the file, the index of its first data row, and its title rows."""
    header_at = None
    for i, row in enumerate(rows[: MAX_TITLE_ROWS + 1]):
        if row.cells and _norm(row.cells[0]) == "state":
            header_at = i
            break
    if header_at is None:
        first = next((r for r in rows if any(c.strip() for c in r.cells)), None)
        found = repr(first.cells[0]) if first else "an empty file"
        raise format_error(
            name,
            first.line if first else None,
            "State",
            f"unknown table: no header row starting with 'State' in the first {MAX_TITLE_ROWS + 1} rows "
            f"(found {found}); expected one of {', '.join(lay.label for lay in LAYOUTS)}",
        )
    titles = [r for r in rows[:header_at] if any(c.strip() for c in r.cells)]
    candidates = rows[header_at : header_at + 2]
    scores = [(_score(lay, candidates), lay) for lay in LAYOUTS]
    best_score, layout = max(scores, key=lambda s: s[0])
    if 2 * best_score <= sum(1 for row in layout.header for e in row if e):
        found = ", ".join(repr(c) for c in _trimmed(candidates[0].cells))
        raise format_error(
            name,
            candidates[0].line,
            None,
            f"unknown table: header ({found}) matches none of {'; '.join(lay.label for lay in LAYOUTS)}",
        )
    problems = _header_problems(name, layout, candidates)
    if problems:
        raise SourceFormatError(problems)
    if titles:
        text = " ".join(_norm(c) for r in titles for c in r.cells if c.strip())
        if layout.title_word not in text:
            raise format_error(
                name,
                titles[0].line,
                None,
                f"the title rows ({text!r}) do not name the table the header shows ({layout.label}; "
                f"expected a title with {layout.title_word!r})",
            )
    return layout, header_at + len(layout.header), titles


def _year(name: str, path: Path, layout: _Layout, titles: list[_Row]) -> int:
    """The calendar year of the table: from its title rows, else the edition this module reads."""
    if titles:
        for r in titles:
            for c in r.cells:
                m = _YEAR_RE.search(str(c)) if isinstance(c, str) else None
                if m:
                    year = int(m.group(1))
                    if not FIRST_YEAR <= year <= dt.date.today().year:
                        raise format_error(
                            name,
                            r.line,
                            None,
                            f"title year {year} is outside the UCR human-trafficking collection "
                            f"({FIRST_YEAR} on)",
                        )
                    return year
    if layout.default_year is None:
        line = titles[0].line if titles else None
        raise format_error(name, line, None, f"{layout.label}: no title row states the year of the table")
    m = _YEAR_RE.search(path.name)
    if m and int(m.group(1)) != layout.default_year:
        raise format_error(
            name,
            None,
            None,
            f"{layout.label} without a title row is read as the {layout.default_year} edition, but the "
            f"file name says {m.group(1)}; add the FBI's title rows so the year can be read",
        )
    return layout.default_year


# --------------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------------


def _count(cell: str, column: str) -> tuple[int, bool]:
    """A whole, non-negative count from a cell, and whether a footnote asterisk was removed."""
    text = cell.strip()
    return whole_count(text.rstrip("*"), column, shown=text), text.endswith("*")


def _state(text: str) -> tuple[geo.Place, bool]:
    starred = text.endswith("*")
    name = " ".join(text.rstrip("*").split())
    abbr = _STATES_BY_NAME.get(name.lower())
    if abbr is None:
        raise Reject("State", text, f"{name!r} is not a US state, DC or territory in trafficking_stats.geo")
    return geo.state_by_usps(abbr), starred


def _offense(cell: str) -> str:
    slug = OFFENSES.get(_norm(cell))
    if slug is None:
        raise Reject(
            "Offense", str(cell), "expected offense 'Commercial sex acts' or 'Involuntary servitude'"
        )
    return slug


def _label(layout: _Layout, col: int) -> str:
    """Display name of a data column (for quarantine rows): the header text, both levels for Table 1."""
    if layout.kind == "table1":
        group = ("Commercial sex acts", "Involuntary servitude", "Total")[(col - 1) // 3]
        return f"{group}: {_T1_MEASURES[(col - 1) % 3]}"
    return layout.header[0][col]


def _cells_table1(layout: _Layout, vals: list[int]) -> list[tuple[str, str, int]]:
    """(metric, breakdown, value) for Table 1, after its plausibility checks."""
    metrics = ("offenses_actual", "offenses_cleared", "offenses_cleared_juvenile")
    groups = ("offense=commercial_sex_acts", "offense=involuntary_servitude", "total")
    for m in range(3):
        csa, inv, tot = vals[m], vals[3 + m], vals[6 + m]
        if csa + inv != tot:
            raise Reject(
                _label(layout, 7 + m),
                str(tot),
                f"{_T1_MEASURES[m]}: commercial sex acts {csa} + involuntary servitude {inv} != total {tot}",
            )
    for g in range(3):
        cleared, juvenile = vals[3 * g + 1], vals[3 * g + 2]
        if juvenile > cleared:
            raise Reject(
                _label(layout, 3 * g + 3),
                str(juvenile),
                f"clearances under 18 ({juvenile}) exceed the offenses cleared ({cleared})",
            )
    return [(metrics[m], groups[g], vals[3 * g + m]) for g in range(3) for m in range(3)]


def _cells_arrests(layout: _Layout, offense: str, vals: list[int]) -> list[tuple[str, str, int]]:
    """(metric, breakdown, value) for Tables 2-4, after their plausibility checks."""
    out: list[tuple[str, str, int]] = []

    def cell(value: int, **parts: str) -> tuple[str, str, int]:
        return "arrests", breakdown_of({"offense": offense, **parts}), value

    if layout.kind == "table2":
        ages_sexes = [("minor", "male"), ("minor", "female"), ("adult", "male"), ("adult", "female")]
        out += [cell(v, age=age, sex=sex) for v, (age, sex) in zip(vals, ages_sexes, strict=True)]
    elif layout.kind == "table3":
        width = len(RACES) + 1
        for a, (_, age) in enumerate(AGES):
            block = vals[a * width : (a + 1) * width]
            if sum(block[:-1]) != block[-1]:
                raise Reject(
                    _label(layout, 2 + a * width + len(RACES)),
                    str(block[-1]),
                    f"{age} arrests by race add up to {sum(block[:-1])}, not to the total {block[-1]}",
                )
            for (_, race), v in zip(RACES, block[:-1], strict=True):
                out.append(cell(v, age=age, race=race))
            out.append(cell(block[-1], age=age))
    else:  # table4
        for a, (_, age) in enumerate(AGES):
            hisp, non, tot = vals[3 * a : 3 * a + 3]
            if hisp + non != tot:
                raise Reject(
                    _label(layout, 4 + 3 * a),
                    str(tot),
                    f"{age} arrests: Hispanic {hisp} + Not Hispanic {non} != total {tot}",
                )
            out.append(cell(hisp, age=age, ethnicity="hispanic"))
            out.append(cell(non, age=age, ethnicity="not_hispanic"))
    return out


def load(path: Path) -> LoadResult:
    """The figures of one FBI human-trafficking table (Tables 1-4 of 2016, the 2015 participation table;
    layouts, checks and accounting in the module docstring);
    :class:`~trafficking_stats.errors.SourceFormatError` for a file that is none of these tables."""

    path = Path(path)
    name = str(path)
    raw_file = relative_to_root(path)
    rows = _read_rows(path)
    layout, first_data, titles = _detect(name, rows)
    year = _year(name, path, layout, titles)
    width = len(layout.header[0])
    arrests = layout.kind in ("table2", "table3", "table4")
    base_note = NOTES["arrests" if arrests else layout.kind].format(year=year, label=layout.label)
    if layout.kind == "table4":
        base_note += NOTES["table4"]
    if not titles:
        base_note += NOTES["edition"]
    tally = Tally(INFO, raw_file, reporter=REPORTER, vintage=f"Human Trafficking, {year}")
    tag = {"participation": "participation"}.get(layout.kind, layout.kind.replace("table", "t"))
    seen: dict[tuple[str, str], int] = {}
    last_state = ""
    for row in rows[first_data:]:
        cells = list(row.cells)
        if not any(c.strip() for c in cells):
            continue
        tally.read += 1
        cells += [""] * (width - len(cells))
        state_text = str(cells[0]).strip()
        if arrests and not state_text:
            state_text = last_state  # the state name is only on a state's first row
        elif state_text:
            last_state = state_text
        try:
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                raise Reject("", str(extra[0]), f"expected {width} fields, found {len(cells)}")
            if not state_text:
                raise Reject("State", "", "state name is missing and there is no state above it")
            place, state_star = _state(state_text)
            offense = ""
            if arrests:
                offense = _offense(cells[1])
            vals, stars = [], []
            for col in range(2 if arrests else 1, width):
                v, starred = _count(cells[col], _label(layout, col))
                vals.append(v)
                if starred:
                    stars.append(f"{_label(layout, col)} {cells[col]!s}")
            key = (place.code, offense)
            if key in seen:
                raise Reject("State", state_text, f"duplicate of the row on line {seen[key]}")
            if layout.kind == "table1":
                cells_out = _cells_table1(layout, vals)
                unit = "offenses"
            elif layout.kind == "participation":
                cells_out = [(PARTICIPATION_METRIC, "total", vals[0])]
                unit = "agencies"
            else:
                cells_out = _cells_arrests(layout, offense, vals)
                unit = "arrests"
        except Reject as exc:
            tally.reject(row.line, exc)
            continue
        seen[key] = row.line
        if layout.kind == "participation" and PARTICIPATION_METRIC is None:
            tally.skip(SKIP_NO_METRIC)
            continue
        tally.used += 1
        note = base_note
        if state_star:
            note += f" The table marks {state_text!r} with a footnote asterisk whose text is not in the file."
        if stars:
            note += (
                f" The count carries a footnote asterisk ({'; '.join(stars)}) whose text is not in the file "
                "(unexplained); the number is kept."
            )
        for metric, breakdown, value in cells_out:
            tally.add_year(
                place, year, metric, breakdown, value, unit=unit, raw_row=row.line, note=note, tag=tag
            )
    return tally.result()
