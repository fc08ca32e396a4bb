"""The FBI UCR human-trafficking ASCII master file (``traffickingCrimes_YYYY.txt``): one agency-year a line.

Layout (1-based columns; cross-checked against the data and against the SPSS setup file
``jacobkap/crime_data/setup_files/human_trafficking.sps``):

* fixed width, **variable record length**: an 87-character agency header followed by one 75-character
  block per month up to the last month reported (trailing blank months are cut off), so every line is
  padded to 987 characters before slicing; CRLF or LF line ends;
* col 1 identifier ``9``; cols 2-3 the **numeric UCR state code** (not FIPS: ``01`` Alabama, ``02``
  Arizona, ... ``26`` Nebraska, ... ``50`` Alaska, ``51`` Hawaii, ``52`` Canal Zone, ``53`` Puerto Rico,
  ``54`` American Samoa, ``55`` Guam, ``62`` Virgin Islands; see :data:`UCR_STATES`); cols 4-10 the ORI;
  cols 14-15 the year in **two digits**; cols 46-69 agency name; cols 70-75 the FBI's state abbreviation
  (``ALA``, ``N Y``); cols 76-87 twelve monthly report codes, January to December;
* month ``m`` block at cols 88 + 75(m-1): 15 five-digit counts, reported / unfounded / actual / total
  cleared / cleared under 18, each as commercial sex acts, involuntary servitude, total.

Only months coded ``N`` ("data received") carry data. ``X`` (no human-trafficking information) and
``Q`` ("type 14, no report") months are blank: **not reported, never zero**. The "number of months
reported" field (cols 34-35) is always ``00`` and is not used.

Output, per year, at state (``US-XX``) and national (``USA``) level: ``offenses_reported``,
``offenses_unfounded``, ``offenses_actual``, ``offenses_cleared`` and ``offenses_cleared_juvenile``
(unit ``offenses``) by ``offense=commercial_sex_acts``, ``offense=involuntary_servitude`` and ``total``,
summed over the months coded ``N``; and ``agencies_reporting`` (unit ``agencies``): agencies with at
least one month coded ``N``. States without such an agency have no rows (absence, not zero).
``raw_row`` is the record's line where a figure comes from one record, NA for sums of several.

Row accounting: ``read == used + quarantined + skipped``, with one skip rule:

* ``no_month_reported``: a well-formed record with no month coded ``N`` (about 21,000 of the 22,524
  agencies in 2015): it carries no data.

Quarantined (the whole agency-year record, with its line, the column and the reason): a state code that
is not a UCR code, or a UCR code with no place in :mod:`trafficking_stats.geo` (Canal Zone) on a record
with data; an ORI that is not 7 letters/digits or does not start with the state's ORI prefix; a year
that is not two digits or lies outside 2013 to the current year; a month report code other than
``N``/``X``/``Q``/blank; a month coded ``N`` whose block holds a field that is not five digits (blank,
signed or over-punched values are rejected); a month not coded ``N`` whose block is not blank; a triple
whose total is not commercial sex acts + involuntary servitude; juvenile clearances larger than total
clearances in a month. Lines shorter than the 87-character header, longer than 987 characters or not
starting with ``9`` are not this layout: :class:`~trafficking_stats.errors.SourceFormatError`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .. import geo
from ..paths import relative_to_root
from .base import LoadResult, Reject, Tally, format_error, maps, notes, source_info

INFO = source_info("fbi_ucr_master")

REPORTER = "FBI Uniform Crime Reporting Program"
FIRST_YEAR = 2013
HEADER_LEN = 87
BLOCK_LEN = 75
RECORD_LEN = HEADER_LEN + 12 * BLOCK_LEN  # 987

MAPS = maps("fbi_ucr_master")  # sources.toml [fbi_ucr_master.maps], commented there
UCR_STATES: dict[str, str | None] = {k: v or None for k, v in MAPS["ucr_states"].items()}
ORI_PREFIX: dict[str, str] = MAPS["ori_prefix"]

MONTHS: tuple[str, ...] = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

MEASURES: tuple[tuple[str, str], ...] = tuple(tuple(m) for m in MAPS["measures"])
OFFENSES: tuple[tuple[str, str], ...] = tuple(tuple(o) for o in MAPS["offenses"])

NOTES = notes("fbi_ucr_master")
#: The note of each offense metric (shared with the CDE download).
NOTE_BY_METRIC = notes("fbi")

_DIGITS5 = re.compile(r"^[0-9]{5}$")
_DIGITS75 = re.compile(r"^[0-9]{75}$")


def _cols(start: int, width: int) -> str:
    """1-based inclusive column range of a 0-based slice start."""
    return f"cols {start + 1}-{start + width}"


def _month_values(padded: str, m: int, code: str) -> list[int] | None:
    """The 15 counts of month ``m`` (0-based) if its code is ``N``; None otherwise. Raises Reject."""
    mon = MONTHS[m]
    start = HEADER_LEN + BLOCK_LEN * m
    block = padded[start : start + BLOCK_LEN]
    if code != "N":
        if block.strip():
            raise Reject(
                f"{mon}_block",
                block.rstrip(),
                f"month {mon} is coded {code.strip() or 'blank'!r} (not reported) but its block "
                f"({_cols(start, BLOCK_LEN)}) is not blank",
            )
        return None
    if not _DIGITS75.match(block):  # find the first field that is not five digits
        for i in range(15):
            measure, offense = MEASURES[i // 3][0], OFFENSES[i % 3][0]
            s = start + 5 * i
            text = padded[s : s + 5]
            if not _DIGITS5.match(text):
                raise Reject(
                    f"{mon}_{measure}_{offense}",
                    text,
                    f"month {mon} is coded 'N' but {_cols(s, 5)} is not a five-digit count "
                    "(blank, signed or over-punched values are not read)",
                )
    values = [int(block[i : i + 5]) for i in range(0, BLOCK_LEN, 5)]
    for k, (measure, _) in enumerate(MEASURES):
        csa, inv, total = values[3 * k : 3 * k + 3]
        if total != csa + inv:
            raise Reject(
                f"{mon}_{measure}_total",
                f"{csa}+{inv}={total}",
                f"month {mon}: {measure} total {total} is not commercial sex acts {csa} + involuntary "
                f"servitude {inv}",
            )
    if values[14] > values[11]:
        raise Reject(
            f"{mon}_cleared_under_18_total",
            str(values[14]),
            f"month {mon}: juvenile clearances ({values[14]}) exceed total clearances ({values[11]})",
        )
    return values


def _lines(path: Path) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers; bytes are read as Latin-1 (every byte is a character)."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise format_error(str(path), None, None, "file is empty")
    text = data.removeprefix(b"\xef\xbb\xbf").decode("latin-1")  # an editor's BOM would shift every column
    return [(i, line) for i, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1) if line.strip()]


def _check_layout(name: str, line_no: int, line: str) -> None:
    if len(line) > RECORD_LEN:
        raise format_error(
            name,
            line_no,
            "record length",
            f"expected at most {RECORD_LEN} characters (87-character header + 12 months x 75), "
            f"found {len(line)}",
        )
    if len(line) < HEADER_LEN:
        raise format_error(
            name,
            line_no,
            "record length",
            f"expected at least the {HEADER_LEN}-character agency header, found {len(line)} characters",
        )
    if line[0] != "9":
        raise format_error(
            name,
            line_no,
            "identifier code (col 1)",
            f"expected '9' (UCR human-trafficking master record), found {line[0]!r}",
        )


def _parse(line: str, last_year: int) -> tuple[int, str, str, list[list[int]]] | None:
    """(year, state geo code, ORI, months with data) of one record; None if no month is coded N."""
    padded = line.ljust(RECORD_LEN)
    code, ori, yy = padded[1:3], padded[3:10], padded[13:15]
    if code not in UCR_STATES:
        raise Reject("state code", code, "not a numeric UCR state code (cols 2-3)")
    usps = UCR_STATES[code]
    prefix = "CZ" if usps is None else ORI_PREFIX.get(usps, usps)
    if not re.fullmatch(r"[A-Z0-9]{7}", ori):
        raise Reject("ori", ori, "ORI (cols 4-10) must be 7 letters or digits")
    if ori[:2] != prefix:
        raise Reject("ori", ori, f"ORI does not start with {prefix!r}, the prefix of UCR state code {code}")
    if not yy.isdigit():
        raise Reject("year", yy, "year (cols 14-15) is not two digits")
    year = 2000 + int(yy)
    if not FIRST_YEAR <= year <= last_year:
        raise Reject("year", yy, f"year {year} is outside the collection's range ({FIRST_YEAR}-{last_year})")
    codes = padded[75:87]
    for m, c in enumerate(codes):
        if c not in "NXQ ":
            raise Reject(
                f"{MONTHS[m]}_report_code", c, f"unknown month report code (col {76 + m}; expected N, X or Q)"
            )
    if "N" not in codes and not line[HEADER_LEN:].strip():
        return None  # the common case (no month reported, no blocks): skip the per-month checks
    months = [v for m, c in enumerate(codes) if (v := _month_values(padded, m, c)) is not None]
    if not months:
        return None
    if usps is None:
        raise Reject("state code", code, f"UCR state code {code} (Canal Zone) has no place in geo")
    return year, geo.state_by_usps(usps).code, ori, months


def load(path: Path) -> LoadResult:
    """Yearly state and national figures of a UCR human-trafficking master file (module docstring);
    :class:`~trafficking_stats.errors.SourceFormatError` for a file that is not this layout."""

    path = Path(path)
    raw_file = relative_to_root(path)
    name = str(path)
    last_year = dt.date.today().year
    vintage = f"UCR master file {path.stem}"
    tally = Tally(INFO, raw_file, skipped={"no_month_reported": 0}, reporter=REPORTER, vintage=vintage)
    sums: dict[tuple[int, str], list[int]] = {}
    used_lines: dict[tuple[int, str], list[int]] = {}
    for line_no, line in _lines(path):
        _check_layout(name, line_no, line)
        tally.read += 1
        try:
            parsed = _parse(line, last_year)
        except Reject as r:
            tally.reject(line_no, r)
            continue
        if parsed is None:
            tally.skip("no_month_reported")
            continue
        year, state, _ori, months = parsed
        tally.used += 1
        for key in ((year, state), (year, "USA")):
            acc = sums.setdefault(key, [0] * 15)
            for values in months:
                for i, v in enumerate(values):
                    acc[i] += v
            used_lines.setdefault(key, []).append(line_no)
    _rows(tally, sums, used_lines)
    return tally.result()


def _rows(
    tally: Tally, sums: dict[tuple[int, str], list[int]], used_lines: dict[tuple[int, str], list[int]]
) -> None:
    for (year, code), acc in sorted(sums.items()):
        place = geo.place(code) if code != "USA" else geo.country("USA")
        lines = used_lines[(year, code)]
        one = lines[0] if len(lines) == 1 else None
        figures = [
            (
                metric,
                breakdown,
                acc[3 * k + j],
                "offenses",
                one,
                f"{NOTE_BY_METRIC[metric]} {NOTES['common']}",
            )
            for k, (_, metric) in enumerate(MEASURES)
            for j, (_, breakdown) in enumerate(OFFENSES)
        ]
        figures.append(("agencies_reporting", "total", len(lines), "agencies", None, NOTES["agencies"]))
        for metric, breakdown, value, unit, line, note in figures:
            tally.add_year(place, year, metric, breakdown, value, unit=unit, raw_row=line, note=note)
