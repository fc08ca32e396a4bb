"""The FBI Crime Data Explorer (CDE) human-trafficking bulk download (``HT_2013-2020.csv`` and later).

One CSV record is one agency (ORI) x offense subcategory x (undisclosed) month with a non-zero count; the
month column is not in the download, so **several records per agency, year and subcategory are separate
records that are summed, never de-duplicated** (927 records of the 2013-2020 file are exact copies of
another record, and they are real). Agencies with nothing to report are absent.

Format work done here:

* the header's case varies between downloads (``DATA_YEAR`` in the 2013-2020 file, ``data_year`` in
  newer ones): names are matched case-insensitively;
* ``STATE_ABBR`` uses the FBI's legacy code ``NB`` for Nebraska (ISO/USPS ``NE``);
* ``OFFENSE_SUBCAT_ID`` 81 = commercial sex acts, 82 = involuntary servitude (checked against
  ``OFFENSE_SUBCAT_NAME`` where that column is present);
* **negative counts are publisher adjustments** (e.g. ``ACTUAL_COUNT`` -1 for MD0130000 in 2020, an
  offense of an earlier month later unfounded) and are kept in the sums: they are not a plausibility
  failure.

Output, per calendar year (``DATA_YEAR``), at agency (``US-XX-ori-<ORI>``), state (``US-XX``) and
national (``USA``) level: ``offenses_actual``, ``offenses_unfounded``, ``offenses_cleared`` and
``offenses_cleared_juvenile`` (unit ``offenses``), by ``offense=commercial_sex_acts``,
``offense=involuntary_servitude`` (each emitted only where the place has at least one record of that
subcategory that year: an absent subcategory is "no record", not a published zero) and ``total`` (the
sum of both subcategories). At state and national level also ``agencies_reporting`` (unit
``agencies``): agencies with at least one record that year. Agencies with zero offenses are absent from
CDE downloads, so this is a lower bound of participation, not the FBI's participation count.
``raw_row`` is the record's line where a figure comes from exactly one record, NA for sums of several.

Row accounting (``read == used + quarantined``; no skip rules): every record is summed or quarantined.
Quarantined, with line, column and reason: a record with the wrong number of fields; a year that is not
a number or lies outside the collection's range (2013 to the current year); a state code that does not
exist; an ORI that is not 9 letters/digits or does not start with the record's state code; an unknown
offense subcategory, or a subcategory name contradicting its id; a count that is empty or not a whole
number; a juvenile clearance count larger than the record's clearance count (juvenile clearances are a
subset of clearances).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import geo
from ..geo import UnknownPlaceError
from ..paths import relative_to_root
from ._csvfile import read_records
from .base import LoadResult, Tally, header_columns, maps, notes, source_info

INFO = source_info("fbi_cde")

REPORTER = "FBI Uniform Crime Reporting Program"

#: First data year of the FBI's human-trafficking collection.
FIRST_YEAR = 2013

MAPS = maps("fbi_cde")  # sources.toml [fbi_cde.maps], commented there
REQUIRED: tuple[str, ...] = tuple(MAPS["required"])
COUNT_METRICS: dict[str, str] = MAPS["count_metrics"]
OFFENSES: dict[str, tuple[str, str]] = {k: tuple(v) for k, v in MAPS["offenses"].items()}
LEGACY_STATES: dict[str, str] = MAPS["legacy_states"]

_INT_RE = re.compile(r"^-?\d+$")

NOTES = notes("fbi_cde")
#: The note of each offense metric (shared with the UCR master file).
NOTE_BY_METRIC = notes("fbi")


@dataclass
class _Sum:
    """Running sums of the four counts for one (year, place, offense), with the contributing lines."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_METRICS, 0))
    lines: list[int] = field(default_factory=list)
    negative: set[str] = field(default_factory=set)  # count columns with a negative (adjustment) record

    def add(self, counts: dict[str, int], line: int) -> None:
        for k, v in counts.items():
            self.counts[k] += v
            if v < 0:
                self.negative.add(k)
        self.lines.append(line)

    def merge(self, other: _Sum) -> None:
        for k, v in other.counts.items():
            self.counts[k] += v
        self.lines += other.lines
        self.negative |= other.negative


def load(path: Path) -> LoadResult:
    """Yearly agency, state and national figures of a CDE human-trafficking bulk CSV (module docstring);
    :class:`~trafficking_stats.errors.SourceFormatError` for a file without the required columns."""

    path = Path(path)
    raw_file = relative_to_root(path)
    header, records = read_records(path, ())
    cols = header_columns(str(path), 1, header, [c.upper() for c in REQUIRED], fold_case=True)
    last_year = dt.date.today().year
    tally = Tally(INFO, raw_file, reporter=REPORTER, vintage=f"CDE download {path.stem}")
    # (year, geo_code) -> offense slug -> sums; places by code; (year, geo_code) -> ORIs with records
    sums: dict[tuple[int, str], dict[str, _Sum]] = {}
    places: dict[str, geo.Place] = {}
    agencies: dict[tuple[int, str], set[str]] = {}
    for rec in records:
        tally.read += 1
        f = {k: rec.fields[h].strip() for k, h in cols.items()}

        def quarantine(column: str, reason: str, rec=rec, f=f) -> None:
            tally.quarantine(rec.line, cols.get(column, column), f.get(column, ""), reason)

        if rec.n_fields != len(header):
            quarantine("", f"expected {len(header)} fields, found {rec.n_fields}")
            continue
        if not re.fullmatch(r"\d{4}", f["data_year"]):
            quarantine("data_year", "not a four-digit year")
            continue
        year = int(f["data_year"])
        if not FIRST_YEAR <= year <= last_year:
            quarantine(
                "data_year", f"year {year} is outside the collection's range ({FIRST_YEAR}-{last_year})"
            )
            continue
        abbr = f["state_abbr"].upper()
        try:
            state = geo.state_by_usps(LEGACY_STATES.get(abbr, abbr))
        except UnknownPlaceError:
            quarantine("state_abbr", f"{abbr!r} is not a US state, DC or territory code")
            continue
        ori = f["ori"].upper()
        if not re.fullmatch(r"[A-Z0-9]{9}", ori):
            quarantine("ori", "ORI must be 9 letters or digits")
            continue
        if LEGACY_STATES.get(ori[:2], ori[:2]) != LEGACY_STATES.get(abbr, abbr):
            quarantine("ori", f"ORI does not start with the record's state code {abbr!r}")
            continue
        offense = OFFENSES.get(f["offense_subcat_id"])
        if offense is None:
            known = ", ".join(f"{k} ({v[1]})" for k, v in OFFENSES.items())
            quarantine("offense_subcat_id", f"unknown offense subcategory (expected {known})")
            continue
        sub_name = f.get("offense_subcat_name", "")
        if sub_name and sub_name.lower() != offense[1].lower():
            quarantine(
                "offense_subcat_name",
                f"subcategory name contradicts OFFENSE_SUBCAT_ID {f['offense_subcat_id']} ({offense[1]!r})",
            )
            continue
        counts: dict[str, int] = {}
        for col in COUNT_METRICS:
            if not _INT_RE.match(f[col]):
                quarantine(col, "count is empty" if not f[col] else "count is not a whole number")
                break
            counts[col] = int(f[col])
        if len(counts) < len(COUNT_METRICS):
            continue
        juvenile, cleared = counts["juvenile_cleared_count"], counts["cleared_count"]
        if juvenile > 0 and juvenile > cleared:
            quarantine(
                "juvenile_cleared_count",
                f"juvenile clearances ({juvenile}) exceed the record's clearances ({cleared}); "
                "juvenile clearances are a subset of clearances",
            )
            continue
        name = f["pub_agency_name"]
        unit = f.get("pub_agency_unit", "")
        if unit:
            name = f"{name} {unit}".strip()
        agency = geo.agency(state.code, ori, name)
        places.setdefault(agency.code, agency)
        places.setdefault(state.code, state)
        tally.used += 1
        for level_code in (agency.code, state.code, "USA"):
            by_offense = sums.setdefault((year, level_code), {})
            by_offense.setdefault(offense[0], _Sum()).add(counts, rec.line)
        for level_code in (state.code, "USA"):
            agencies.setdefault((year, level_code), set()).add(ori)
    places["USA"] = geo.country("USA")
    _rows(tally, sums, agencies, places)
    return tally.result()


def _rows(
    tally: Tally,
    sums: dict[tuple[int, str], dict[str, _Sum]],
    agencies: dict[tuple[int, str], set[str]],
    places: dict[str, geo.Place],
) -> None:
    for (year, code), by_offense in sorted(sums.items()):
        total = _Sum()
        for slug in sorted(by_offense):
            total.merge(by_offense[slug])
        sums_out = [*((f"offense={k}", by_offense[k]) for k in sorted(by_offense)), ("total", total)]
        figures = [
            (
                metric,
                breakdown,
                s.counts[col],
                "offenses",
                s.lines[0] if len(s.lines) == 1 else None,
                _note(s, col),
            )
            for breakdown, s in sums_out
            for col, metric in COUNT_METRICS.items()
        ]
        if (year, code) in agencies:
            n = len(agencies[(year, code)])
            figures.append(("agencies_reporting", "total", n, "agencies", None, NOTES["agencies"]))
        for metric, breakdown, value, unit, line, note in figures:
            tally.add_year(places[code], year, metric, breakdown, value, unit=unit, raw_row=line, note=note)


def _note(s: _Sum, col: str) -> str:
    adjust = " Includes negative adjustment records." if col in s.negative else ""
    return f"{NOTE_BY_METRIC[COUNT_METRICS[col]]}{adjust} {NOTES['common']}"
