"""FBI NIBRS bundles from the Crime Data Explorer (CDE): human-trafficking incidents, 2021 on and before.

Since 2021 the FBI publishes crime data only through NIBRS (the incident-based system). A CDE NIBRS
download is one zip per state and year holding one CSV per table of the FBI's data dictionary
(``NIBRS_incident``, ``NIBRS_OFFENSE``, ``NIBRS_VICTIM``, ``NIBRS_VICTIM_OFFENSE``, ``NIBRS_OFFENDER``,
``NIBRS_ARRESTEE``, ``NIBRS_month``, ``agencies`` and the reference tables ``NIBRS_OFFENSE_TYPE``,
``NIBRS_VICTIM_TYPE``, ``NIBRS_ARREST_TYPE``, ``NIBRS_CLEARED_EXCEPT``), joined on ``INCIDENT_ID``,
``OFFENSE_ID``, ``VICTIM_ID``, ``AGENCY_ID`` and ``NIBRS_MONTH_ID``. A state-year is tens of MB to GB; the
nation over ten years hundreds of millions of rows, almost none of them trafficking.

How it is read: the tables are queried in place with DuckDB (embedded, in-process, streaming; or Spark,
``engine="spark"``, with the same SQL, :data:`FILTER_SQL`). The SQL keeps only the offense rows whose
``OFFENSE_CODE`` in ``NIBRS_OFFENSE_TYPE`` is ``64A`` (commercial sex acts) or ``64B`` (involuntary
servitude), plus offense rows whose type is not in the reference table at all (to quarantine them), and
only the incidents, victims, victim-offense links, offenders and arrestees of those; nothing else is
materialized. The few thousand rows left are checked and counted in pandas. ``load`` takes one bundle
(zip or folder) or a folder holding many (zips or folders, any depth); bundles are queried together, so
state and national rows sum every bundle given. Column names are matched case-insensitively (CDE
bundles spell them upper or lower case between years); zips are unpacked (only the needed members) into
a temporary folder.

Output (``dataset`` ``fbi_nibrs``, reporter "FBI Uniform Crime Reporting Program", ``year`` =
``DATA_YEAR``, calendar years), at agency (``US-XX-ori-<ORI>``, name and state from ``agencies``), state
and national (``USA``: the sum of the bundles loaded) level:

* ``incidents_recorded`` (unit ``incidents``): incidents with at least one 64A/64B offense;
  ``offense=commercial_sex_acts|involuntary_servitude`` and ``total`` (an incident with both offenses is
  counted once in each and once in the total, so the two do not add up to it);
* ``offenses_actual`` (unit ``offenses``): 64A/64B offense rows (NIBRS holds no unfounded offenses: an
  unfounded incident is deleted, so this is the UCR's "actual offenses"), by offense and ``total``;
* ``offenses_cleared`` (unit ``offenses``): those offenses in an incident cleared by arrest (an arrestee
  record) or exceptionally (``NIBRS_CLEARED_EXCEPT`` code other than ``N``), by offense and ``total``;
* ``victims_recorded`` (unit ``persons``): victims linked to a 64A/64B offense in
  ``NIBRS_VICTIM_OFFENSE``, ``total``, by offense, ``age=minor|adult|unknown`` (``AGE_NUM`` under 18 /
  18 or over; else the ``AGE_RANGE_LOW_NUM``-``AGE_RANGE_HIGH_NUM`` range when it lies on one side of
  18; else unknown) and ``sex=female|male|unknown`` (``SEX_CODE`` F, M, other);
* ``offenders_recorded`` (unit ``persons``): offender records of those incidents (sequence number 0, the
  "unknown offender" record, included: its age and sex are unknown), ``total``, ``age=``, ``sex=``;
* ``arrests`` (unit ``arrests``): arrestee records of those incidents, ``total``, ``age=``, ``sex=``,
  ``arrest_type=on_view|summoned|taken_into_custody`` (``NIBRS_ARREST_TYPE`` code O, S, T);
* ``agencies_reporting`` (unit ``agencies``, state and national): agencies with at least one month in
  ``NIBRS_month`` that year (a month with incidents or a zero report: the coverage denominator the CDE
  human-trafficking download cannot give); ``months_reported`` (unit ``months``, agencies): how many.

``load(path, monthly=True)`` adds the same figures per month (the month of the incident's
``NIBRS_MONTH_ID``; ``period_kind`` ``partial_year``), with the agencies that sent that month.

Every state and national place-year with an agency reporting gets every one of these figures, zeros
included: NIBRS is incident-based, so an agency that reported and has no 64A/64B incident reported zero
(unlike the CDE human-trafficking download, where zero is absence). Agencies get ``months_reported``
for every year they reported and the other figures only in years with a trafficking offense.

Row accounting (``read == used + quarantined``): the records read are the 64A/64B offense rows and the
offense rows of unknown type, their incidents, victim-offense links, victims, offenders and arrestees,
and every ``NIBRS_month`` row. Quarantined, with the table and column (``column`` =
``TABLE.COLUMN``), bundle member and line: an offense type missing from ``NIBRS_OFFENSE_TYPE``; orphan
keys (an offense whose incident, an incident whose agency or month, a link whose victim, a month whose
agency is missing); impossible dates (``INCIDENT_DATE`` that is not a date, after ``SUBMISSION_DATE`` or
after its ``DATA_YEAR``); a victim count contradicting the offense rows (an offense with no victim linked,
a link joining a victim and an offense of different incidents, a victim whose type is not a person); a
month number outside 1-12; an unknown arrest type; and the records of a quarantined incident or offense.
"""

from __future__ import annotations

import contextlib
import csv
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import geo
from ..errors import Problem, SourceFormatError
from ..geo import UnknownPlaceError
from ..paths import relative_to_root
from .base import LoadResult, SourceInfo, figure_id, quarantine_row, result
from .base import row as base_row

if TYPE_CHECKING:
    import pandas as pd

INFO = SourceInfo(
    id="fbi_nibrs",
    publisher="Federal Bureau of Investigation (FBI), Uniform Crime Reporting Program: Crime Data Explorer",
    reporter_type="police",
    home_page="https://cde.ucr.cjis.gov/",
    licence="US Government work (public domain in the United States); no licence terms attached",
    years="calendar year (DATA_YEAR: the year of the NIBRS month the incident was submitted in)",
    description=(
        "FBI Crime Data Explorer NIBRS downloads (one zip of CSV tables per state and year): human-"
        "trafficking incidents (offense codes 64A commercial sex acts, 64B involuntary servitude), their "
        "victims, offenders, arrestees and clearances, and the agencies reporting each month. Summed "
        "here to agency, state and national yearly figures."
    ),
    download_url=None,  # per state-year downloads behind the CDE's form; no stable URL to pin
    sha256=None,
    bulk_patterns=("fbi/nibrs",),  # one folder of bundles, loaded together (state + national sums)
    citation="fbi-cde-nibrs",
    title="Crime Data Explorer: NIBRS downloads by state and year",
)

REPORTER = "FBI Uniform Crime Reporting Program"

#: Offense codes of the trafficking offenses -> breakdown slug (as ``fbi_cde`` names them).
OFFENSE_CODES: dict[str, str] = {"64A": "commercial_sex_acts", "64B": "involuntary_servitude"}

#: Table (lower-case file stem) -> the lower-case columns the loader needs.
TABLES: dict[str, tuple[str, ...]] = {
    "nibrs_offense_type": ("offense_type_id", "offense_code"),
    "nibrs_offense": ("offense_id", "incident_id", "offense_type_id"),
    "nibrs_incident": (
        "data_year",
        "agency_id",
        "incident_id",
        "nibrs_month_id",
        "submission_date",
        "incident_date",
        "cleared_except_id",
    ),
    "nibrs_victim_offense": ("victim_id", "offense_id"),
    "nibrs_victim": (
        "victim_id",
        "incident_id",
        "victim_type_id",
        "age_num",
        "sex_code",
        "age_range_low_num",
        "age_range_high_num",
    ),
    "nibrs_offender": (
        "offender_id",
        "incident_id",
        "age_num",
        "sex_code",
        "age_range_low_num",
        "age_range_high_num",
    ),
    "nibrs_arrestee": (
        "arrestee_id",
        "incident_id",
        "arrest_type_id",
        "age_num",
        "sex_code",
        "age_range_low_num",
        "age_range_high_num",
    ),
    "nibrs_month": ("data_year", "nibrs_month_id", "agency_id", "month_num"),
    "agencies": ("agency_id", "data_year", "ori", "pub_agency_name", "state_abbr"),
    "nibrs_victim_type": ("victim_type_id", "victim_type_code"),
    "nibrs_arrest_type": ("arrest_type_id", "arrest_type_code"),
    "nibrs_cleared_except": ("cleared_except_id", "cleared_except_code"),
}

#: Columns read where present (missing in some years' bundles).
OPTIONAL: dict[str, tuple[str, ...]] = {"agencies": ("pub_agency_unit",)}

#: Published file names of the tables (their case as in the CDE bundles), for messages.
TABLE_NAMES: dict[str, str] = {
    "nibrs_offense_type": "NIBRS_OFFENSE_TYPE",
    "nibrs_offense": "NIBRS_OFFENSE",
    "nibrs_incident": "NIBRS_incident",
    "nibrs_victim_offense": "NIBRS_VICTIM_OFFENSE",
    "nibrs_victim": "NIBRS_VICTIM",
    "nibrs_offender": "NIBRS_OFFENDER",
    "nibrs_arrestee": "NIBRS_ARRESTEE",
    "nibrs_month": "NIBRS_month",
    "agencies": "agencies",
    "nibrs_victim_type": "NIBRS_VICTIM_TYPE",
    "nibrs_arrest_type": "NIBRS_ARREST_TYPE",
    "nibrs_cleared_except": "NIBRS_CLEARED_EXCEPT",
}

#: The filter, written once for every engine: (result name, SELECT over the table views). Each result is
#: materialized by the engine (a DuckDB temp table, a cached Spark view) and may be used by the next ones.
#: Portable SQL only (no dialect functions): the views hold the strings as read (trimmed after the filter).
#: In every join and ``IN (SELECT ...)`` the small, already filtered side is on the right: DuckDB builds its
#: hash table there as written (see :func:`_run_duckdb`).
FILTER_SQL: tuple[tuple[str, str], ...] = (
    (
        "ht_type",
        """SELECT DISTINCT offense_type_id,
                  CASE UPPER(offense_code) WHEN '64A' THEN 'commercial_sex_acts'
                       WHEN '64B' THEN 'involuntary_servitude' END AS offense
           FROM nibrs_offense_type""",
    ),
    (
        "ht_offense",
        """SELECT o._file, o._table, o.offense_id, o.incident_id, o.offense_type_id, t.offense,
                  CASE WHEN t.offense_type_id IS NULL THEN 1 ELSE 0 END AS unknown_type
           FROM nibrs_offense o LEFT JOIN ht_type t ON o.offense_type_id = t.offense_type_id
           WHERE t.offense_type_id IS NULL OR t.offense IS NOT NULL""",
    ),
    (
        "ht_incident",
        """SELECT i._file, i._table, i.data_year, i.agency_id, i.incident_id, i.nibrs_month_id,
                  i.submission_date, i.incident_date, i.cleared_except_id
           FROM nibrs_incident i
           WHERE i.incident_id IN (SELECT incident_id FROM ht_offense WHERE offense IS NOT NULL)""",
    ),
    (
        "ht_victim_offense",
        """SELECT l._file, l._table, l.victim_id, l.offense_id
           FROM nibrs_victim_offense l
           WHERE l.offense_id IN (SELECT offense_id FROM ht_offense WHERE offense IS NOT NULL)""",
    ),
    (
        "ht_victim",
        """SELECT v._file, v._table, v.victim_id, v.incident_id, v.victim_type_id, v.age_num, v.sex_code,
                  v.age_range_low_num, v.age_range_high_num
           FROM nibrs_victim v
           WHERE v.victim_id IN (SELECT victim_id FROM ht_victim_offense)""",
    ),
    (
        "ht_offender",
        """SELECT f._file, f._table, f.offender_id, f.incident_id, f.age_num, f.sex_code,
                  f.age_range_low_num, f.age_range_high_num
           FROM nibrs_offender f
           WHERE f.incident_id IN (SELECT incident_id FROM ht_offense WHERE offense IS NOT NULL)""",
    ),
    (
        "ht_arrestee",
        """SELECT a._file, a._table, a.arrestee_id, a.incident_id, a.arrest_type_id, a.age_num, a.sex_code,
                  a.age_range_low_num, a.age_range_high_num
           FROM nibrs_arrestee a
           WHERE a.incident_id IN (SELECT incident_id FROM ht_offense WHERE offense IS NOT NULL)""",
    ),
    (
        "ht_month",
        """SELECT m._file, m._table, m.data_year, m.nibrs_month_id, m.agency_id, m.month_num
           FROM nibrs_month m""",
    ),
    (
        "ht_agency",
        """SELECT DISTINCT a.agency_id, a.data_year, a.ori, a.pub_agency_name, a.pub_agency_unit, a.state_abbr
           FROM agencies a""",
    ),
    ("ht_victim_type", "SELECT DISTINCT victim_type_id, victim_type_code FROM nibrs_victim_type"),
    ("ht_arrest_type", "SELECT DISTINCT arrest_type_id, arrest_type_code FROM nibrs_arrest_type"),
    ("ht_cleared_except", "SELECT DISTINCT cleared_except_id, cleared_except_code FROM nibrs_cleared_except"),
)

#: Results of :data:`FILTER_SQL` fetched into pandas (the others only feed later steps).
FETCHED: tuple[str, ...] = (
    "ht_offense",
    "ht_incident",
    "ht_victim_offense",
    "ht_victim",
    "ht_offender",
    "ht_arrestee",
    "ht_month",
    "ht_agency",
    "ht_victim_type",
    "ht_arrest_type",
    "ht_cleared_except",
)

#: Key column of each fact table, for finding a quarantined record's line.
KEYS: dict[str, tuple[str, ...]] = {
    "nibrs_offense": ("offense_id",),
    "nibrs_incident": ("incident_id",),
    "nibrs_victim_offense": ("victim_id", "offense_id"),
    "nibrs_victim": ("victim_id",),
    "nibrs_offender": ("offender_id",),
    "nibrs_arrestee": ("arrestee_id",),
    "nibrs_month": ("nibrs_month_id",),
}

#: DuckDB's memory limit: it spills to the temporary folder beyond it. A ceiling, not what keeps memory
#: flat: with the semi-joins' hash tables on the filtered rows (see :func:`_run_duckdb`) the loader's peak
#: at scale 30 of benchmarks/nibrs.py is about 0.3 GB with or without it (it was 770 MB without it when
#: the hash tables held whole CSVs).
DUCKDB_MEMORY_LIMIT = "256MB"

#: Victim breakdown cells below this are published as suppressed (the same threshold as
#: ``charts.privacy.SMALL_CELL_THRESHOLD``, not imported: that would import matplotlib).
SMALL_CELL_THRESHOLD = 5

#: A zip member expanding more than this many times (and past 128 MB) is refused (a "zip bomb"); CDE
#: CSVs compress about 5 to 15 times.
MAX_RATIO = 200

ARREST_TYPES: dict[str, str] = {"O": "on_view", "S": "summoned", "T": "taken_into_custody"}
PERSON_VICTIM_TYPES: frozenset[str] = frozenset({"I", "L"})  # individual, law-enforcement officer
SEXES: dict[str, str] = {"F": "female", "M": "male"}
AGE_GROUPS: tuple[str, ...] = ("minor", "adult", "unknown")
SEX_GROUPS: tuple[str, ...] = ("female", "male", "unknown")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

UNITS: dict[str, str] = {
    "incidents_recorded": "incidents",
    "offenses_actual": "offenses",
    "offenses_cleared": "offenses",
    "victims_recorded": "persons",
    "offenders_recorded": "persons",
    "arrests": "arrests",
    "agencies_reporting": "agencies",
    "months_reported": "months",
}

NOTE_COMMON = (
    "FBI NIBRS (incident-based) data from CDE downloads: a different collection from the summary-based "
    "human-trafficking counts of 2013-2020 (fbi_cde, fbi_ucr_master), so the two are not one series. "
    "Only agencies reporting to NIBRS are counted; see agencies_reporting."
)
NOTES: dict[str, str] = {
    "incidents_recorded": "Incidents with at least one 64A/64B offense; an incident with both is in each.",
    "offenses_actual": "64A/64B offense records (NIBRS removes unfounded incidents, so these are actual).",
    "offenses_cleared": "64A/64B offenses in incidents cleared by arrest or exceptionally.",
    "victims_recorded": "Victims linked to a 64A/64B offense; a person in two incidents counts twice.",
    "offenders_recorded": "Offender records of 64A/64B incidents, the 'unknown offender' record included.",
    "arrests": "Arrestee records of 64A/64B incidents (the arrest offense may be another of the incident).",
    "agencies_reporting": "Agencies with at least one month (incidents or a zero report) in NIBRS_month.",
    "months_reported": "Months of the year the agency submitted to NIBRS (incidents or a zero report).",
}


@dataclass(frozen=True)
class _Member:
    """One table file of one bundle: where it is on disk, how to name it, and its header."""

    table: str  # lower-case table name
    path: Path  # on disk (extracted for zips)
    label: str  # "<bundle>/<member>" for messages
    header: tuple[str, ...]


# --------------------------------------------------------------------------------------------------------
# Finding bundles and their tables
# --------------------------------------------------------------------------------------------------------


def _bundles(path: Path) -> list[Path]:
    """The bundles under ``path``: itself if a zip or a folder with the tables, else every zip and every
    folder holding ``NIBRS_OFFENSE.csv`` (any case) below it, sorted."""
    if path.is_file():
        return [path]
    found = [
        p
        for p in sorted(path.rglob("*"))
        if (p.is_file() and p.suffix.lower() == ".zip")
        or (p.is_dir() and any(c.name.lower() == "nibrs_offense.csv" for c in p.iterdir()))
    ]
    if any(c.name.lower() == "nibrs_offense.csv" for c in path.iterdir()):
        found.insert(0, path)
    if not found:
        raise SourceFormatError(
            Problem(
                str(path), None, None, "no NIBRS bundle here: expected zips or folders with NIBRS_OFFENSE.csv"
            )
        )
    return found


def _members(bundle: Path, root: Path, tmp: Path) -> list[_Member]:
    """The needed table files of one bundle, unpacking a zip's into ``tmp``; raises for a missing table."""
    rel = bundle.relative_to(root).as_posix() if bundle != root else bundle.name
    files: dict[str, tuple[Path, str]] = {}
    if bundle.is_file():
        try:
            zf = zipfile.ZipFile(bundle)
        except zipfile.BadZipFile:
            raise SourceFormatError(
                Problem(str(bundle), None, None, "not a zip archive (a CDE NIBRS bundle is one)")
            ) from None
        with zf:
            for info in zf.infolist():
                stem = Path(info.filename).name.lower().removesuffix(".csv")
                if info.is_dir() or not info.filename.lower().endswith(".csv") or stem not in TABLES:
                    continue
                if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1 << 27:
                    raise SourceFormatError(
                        Problem(
                            f"{bundle}!{info.filename}",
                            None,
                            None,
                            f"expands {info.file_size / max(info.compress_size, 1):.0f} times (over "
                            f"{MAX_RATIO}): not a CSV export; the zip is damaged or malicious",
                        )
                    )
                out = tmp / f"{len(list(tmp.iterdir()))}_{Path(info.filename).name}"
                with zf.open(info) as src, open(out, "wb") as dst:
                    while chunk := src.read(1 << 22):
                        dst.write(chunk)
                files[stem] = (out, f"{rel}!{info.filename}")
    else:
        for p in sorted(bundle.iterdir()):
            stem = p.name.lower().removesuffix(".csv")
            if p.is_file() and p.name.lower().endswith(".csv") and stem in TABLES:
                files[stem] = (p, f"{rel}/{p.name}" if bundle != root else p.name)
    missing = [TABLE_NAMES[t] for t in TABLES if t not in files]
    if missing:
        raise SourceFormatError(
            Problem(
                str(bundle), None, None, f"bundle lacks the table(s) {', '.join(m + '.csv' for m in missing)}"
            )
        )
    out = []
    for t, (p, label) in files.items():  # errors name the file as the user knows it (zip!member or path)
        where = f"{bundle}!{label.split('!', 1)[1]}" if bundle.is_file() else str(bundle / p.name)
        out.append(_Member(t, p, label, _header(p, where, t)))
    return out


def _header(path: Path, label: str, table: str) -> tuple[str, ...]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            header = next(csv.reader(fh))
        except StopIteration:
            raise SourceFormatError(Problem(label, 1, None, "file is empty")) from None
        except UnicodeDecodeError:
            raise SourceFormatError(Problem(label, 1, None, "header is not UTF-8 text")) from None
    header = [h.strip() for h in header]
    lower = [h.lower() for h in header]
    problems = [
        Problem(
            label,
            1,
            f"{TABLE_NAMES[table]}.{c.upper()}",
            f"required column is missing (found {', '.join(header[:20])})",
        )
        for c in TABLES[table]
        if c not in lower
    ]
    dup = {h for h in lower if lower.count(h) > 1}
    problems += [Problem(label, 1, h, "column appears twice when case is ignored") for h in sorted(dup)]
    if problems:
        raise SourceFormatError(problems)
    return tuple(header)


# --------------------------------------------------------------------------------------------------------
# Engines: the same views and FILTER_SQL on DuckDB or Spark
# --------------------------------------------------------------------------------------------------------


def _select_list(member: _Member, quote: str) -> list[str]:
    """``"COL" AS col`` for the needed columns, NULL for missing optional ones, plus the member's label
    and table (one expression each; ``STRING`` is a type name both engines know). Values are trimmed
    (and blanks made NULL) after the filter, on the few rows left: doing it in the scan cost a fifth of
    the query's time."""
    by_lower = {h.lower(): h for h in member.header}
    cols = []
    for c in TABLES[member.table] + OPTIONAL.get(member.table, ()):
        cols.append(
            f"{quote}{by_lower[c]}{quote} AS {c}" if c in by_lower else f"CAST(NULL AS STRING) AS {c}"
        )
    label = member.label.replace("'", "''")
    cols += [f"'{label}' AS _file", f"'{member.table}' AS _table"]
    return cols


def _run_duckdb(members: list[_Member], tmp: Path) -> dict[str, pd.DataFrame]:
    import duckdb

    con = duckdb.connect(
        config={
            "temp_directory": str(tmp / "duckdb.tmp"),
            "preserve_insertion_order": False,
            "memory_limit": DUCKDB_MEMORY_LIMIT,
        }
    )
    try:
        # no progress bar on the terminal (in Jupyter DuckDB draws none without ipywidgets, and refuses this)
        with contextlib.suppress(duckdb.Error):
            con.execute("SET enable_progress_bar = false")
        # Keep each semi-join's hash table on the few filtered rows. DuckDB cannot estimate a CSV's size
        # without sniffing it, guesses it tiny, and so builds the hash table of every `IN (SELECT ...)` on
        # the whole CSV (every row hashed and kept, spilled beyond the memory limit): measured at scale
        # 30 of benchmarks/nibrs.py, the query's CPU time halves (6.6 s to 3.7 s) without that swap.
        with contextlib.suppress(duckdb.Error):  # an optimizer name that a later DuckDB may drop
            con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        for table in TABLES:
            parts = []
            for m in (m for m in members if m.table == table):
                cols = ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in m.header)
                src = str(m.path).replace("'", "''")
                # a short row is an error naming file and line (no null_padding: with it, DuckDB's parallel
                # reader refuses a quoted field holding a line break)
                scan = (
                    f"read_csv('{src}', header=true, delim=',', quote='\"', escape='\"', auto_detect=false, "
                    f"columns={{{cols}}})"
                )
                parts.append(f"SELECT {', '.join(_select_list(m, chr(34)))} FROM {scan}")
            con.execute(f"CREATE VIEW {table} AS " + " UNION ALL BY NAME ".join(parts))
        for name, sql in FILTER_SQL:
            con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        return {name: _fetch_clean(con, name) for name in FETCHED}
    except duckdb.Error as exc:  # a malformed CSV: DuckDB's message names the file and line
        raise SourceFormatError(_duckdb_problem(str(exc), members)) from exc
    finally:
        con.close()


def _duckdb_problem(message: str, members: list[_Member]) -> Problem:
    """DuckDB's error as a :class:`Problem` naming the bundle member as the user knows it (``zip!member``
    or its path under the folder given, not the temporary copy) and DuckDB's line."""
    import re

    where = None
    for m in members:
        if str(m.path) in message:
            message, where = message.replace(str(m.path), m.label), m.label
    message = message.split("\nPossible fixes")[0].strip()  # DuckDB's advice to DuckDB users
    line = re.search(r"CSV Error on Line: (\d+)", message)
    return Problem(
        where, int(line.group(1)) if line else None, None, f"cannot read the table: {message}"[:800]
    )


def _fetch_clean(con, name: str) -> pd.DataFrame:
    """Result ``name`` as :func:`_clean` makes it (object columns, strings stripped, None for NULL and
    blank cells), trimmed by DuckDB and fetched as Python values: no pandas pass per column."""
    import pandas as pd

    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {name})").fetchall())
    space = "||".join(f"chr({i})" for i in (32, 9, 10, 11, 12, 13))  # what str.strip removes, ASCII
    cols = [f"NULLIF(TRIM({c}, {space}), '') AS {c}" if t == "VARCHAR" else c for c, t in types.items()]
    rows = con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall()
    return pd.DataFrame.from_records(rows, columns=list(types), coerce_float=False).astype("object")


def spark_session():
    """A local Spark session for the NIBRS query (``local[*]``, no UI); raises ImportError without pyspark."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("trafficking-stats-nibrs")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def _run_spark(members: list[_Member], tmp: Path) -> dict[str, pd.DataFrame]:
    from pyspark.sql import SparkSession

    spark = SparkSession.getActiveSession() or spark_session()  # a cluster's session when one is active
    cached = []
    for table in TABLES:
        frame = None
        for m in (m for m in members if m.table == table):
            df = spark.read.csv(
                str(m.path), header=True, quote='"', escape='"', inferSchema=False, multiLine=True
            )  # multiLine: a quoted field may hold a line break (as DuckDB reads it)
            df = df.selectExpr(*_select_list(m, "`"))
            frame = df if frame is None else frame.unionByName(df, allowMissingColumns=True)
        frame.createOrReplaceTempView(table)
    for name, sql in FILTER_SQL:
        df = spark.sql(sql).cache()
        cached.append(df)
        df.createOrReplaceTempView(name)
    out = {}
    for name in FETCHED:
        out[name] = _clean(spark.table(name).toPandas())
    for df in cached:
        df.unpersist()
    return out


ENGINES = {"duckdb": _run_duckdb, "spark": _run_spark}


# --------------------------------------------------------------------------------------------------------
# Checks, counting and rows (pandas, on the few filtered rows)
# --------------------------------------------------------------------------------------------------------


def _int(s: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(s.astype("object").where(s.notna(), None), errors="coerce").astype("Float64")


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns of stripped strings, None for NULL and blank cells (numbers kept as numbers);
    vectorized: ``NIBRS_month`` and ``agencies`` come back whole, one row per agency-month."""
    import pandas as pd

    out = {}
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            col = col.astype("object")
        else:
            col = col.astype("str").str.strip()
            col = col.where(col != "").astype("object")
        out[c] = col.where(col.notna(), None)
    return pd.DataFrame(out, columns=list(frame.columns), dtype="object")


def parse_date(text: object) -> tuple[int, int, int] | None:
    """(year, month, day) of a CDE date (``14-SEP-19`` or ``2019-09-14``, a time part ignored), None if
    it is not a real date. Two-digit years are 2000-2099 up to 69 and 1970-1999 above."""
    import datetime as dt

    if not isinstance(text, str):
        return None
    s = text.strip().split(" ")[0]
    s = s[:10] if len(s) > 10 and s[10] == "T" else s  # ISO date-time: the date part
    try:
        if len(s) == 9 and s[2] == "-" and s[6] == "-":
            yy = int(s[7:9])
            y, m, d = (2000 + yy if yy <= 69 else 1900 + yy), MONTHS.index(s[3:6].upper()) + 1, int(s[0:2])
        elif len(s) == 10 and s[4] == "-" and s[7] == "-":
            y, m, d = int(s[0:4]), int(s[5:7]), int(s[8:10])
        else:
            return None
        dt.date(y, m, d)
    except ValueError:
        return None
    return (y, m, d)


def _age_group(df: pd.DataFrame) -> pd.Series:
    import numpy as np

    age, lo, hi = _int(df["age_num"]), _int(df["age_range_low_num"]), _int(df["age_range_high_num"])
    group = np.where(
        age.notna() & (age < 18),
        "minor",
        np.where(
            age.notna() & (age >= 18),
            "adult",
            np.where(hi.notna() & (hi < 18), "minor", np.where(lo.notna() & (lo >= 18), "adult", "unknown")),
        ),
    )
    return group


def _sex_group(df: pd.DataFrame) -> list[str]:
    return [SEXES.get(str(s).upper(), "unknown") if isinstance(s, str) else "unknown" for s in df["sex_code"]]


class _Quarantine:
    """Collects quarantined records: (table, file label, key values, column, text, reason)."""

    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []

    def add(
        self, frame: pd.DataFrame, mask: object, table: str, column: str, text_col: str | None, reason
    ) -> None:
        """Quarantine the rows of ``frame`` where ``mask``; ``reason``: a string or a function of the row."""
        import numpy as np

        for r in frame[np.asarray(mask, dtype=bool)].to_dict("records"):
            self.items.append(
                {
                    "table": table,
                    "file": r["_file"],
                    "keys": tuple(r[k] for k in KEYS[table]),
                    "column": f"{TABLE_NAMES[table]}.{column.upper()}",
                    "text": "" if text_col is None or r.get(text_col) is None else str(r.get(text_col)),
                    "reason": reason(r) if callable(reason) else reason,
                }
            )


def _check(
    t: dict[str, pd.DataFrame], places: dict[str, tuple[geo.Place, geo.Place] | str]
) -> tuple[dict[str, pd.DataFrame], _Quarantine]:
    """Flag every record read (``places``: from :func:`_places`); return the used records of each fact
    table and the quarantine."""
    import numpy as np

    q = _Quarantine()
    off, inc, link, vic = t["ht_offense"], t["ht_incident"], t["ht_victim_offense"], t["ht_victim"]
    fdr, arr, mon = t["ht_offender"], t["ht_arrestee"], t["ht_month"]
    month_ids = set(mon["nibrs_month_id"].dropna())

    # NIBRS_month: orphan agency, impossible month
    mnum = _int(mon["month_num"])
    bad_m = ~mon["agency_id"].isin({k for k, v in places.items() if not isinstance(v, str)})
    q.add(mon, bad_m, "nibrs_month", "agency_id", "agency_id", lambda r: _agency_problem(r, places))
    bad_n = ~bad_m & ~(mnum.between(1, 12).fillna(False).astype(bool))
    q.add(mon, bad_n, "nibrs_month", "month_num", "month_num", "impossible month number (expected 1-12)")
    mon_ok = mon[~bad_m & ~bad_n]

    # offenses of unknown type
    unknown = off["unknown_type"].astype(int) == 1
    q.add(
        off,
        unknown,
        "nibrs_offense",
        "offense_type_id",
        "offense_type_id",
        "unknown offense type: OFFENSE_TYPE_ID is not in NIBRS_OFFENSE_TYPE",
    )
    off = off[~unknown]

    # incidents: orphan agency / month, impossible dates
    reasons: list[tuple[str, str, str | None]] = []
    for r in inc.to_dict("records"):
        reasons.append(_incident_problem(r, places, month_ids) or ("", "", None))
    col = [x[0] for x in reasons]
    bad_i = inc.assign(_col=col, _reason=[x[1] for x in reasons], _text=[x[2] for x in reasons])
    for c in sorted({c for c in col if c}):
        sel = bad_i["_col"] == c
        q.add(bad_i, sel, "nibrs_incident", c, "_text", lambda r: r["_reason"])
    inc_ok = inc[np.asarray([c == "" for c in col], dtype=bool)]
    bad_inc_ids = set(inc["incident_id"]) - set(inc_ok["incident_id"])

    # offenses: orphan incident, quarantined incident, no victim linked
    orphan = ~off["incident_id"].isin(set(inc["incident_id"]))
    q.add(
        off,
        orphan,
        "nibrs_offense",
        "incident_id",
        "incident_id",
        "orphan key: INCIDENT_ID is not in NIBRS_incident",
    )
    dep = ~orphan & off["incident_id"].isin(bad_inc_ids)
    q.add(off, dep, "nibrs_offense", "incident_id", "incident_id", "its incident is quarantined")
    off = off[~orphan & ~dep]

    # links: orphan victim, victim of another incident
    vic_inc = dict(zip(vic["victim_id"], vic["incident_id"], strict=False))
    off_inc = dict(zip(off["offense_id"], off["incident_id"], strict=False))
    orphan_l = ~link["victim_id"].isin(set(vic["victim_id"]))
    q.add(
        link,
        orphan_l,
        "nibrs_victim_offense",
        "victim_id",
        "victim_id",
        "orphan key: VICTIM_ID is not in NIBRS_VICTIM",
    )
    gone = ~orphan_l & ~link["offense_id"].isin(set(off["offense_id"]))
    q.add(link, gone, "nibrs_victim_offense", "offense_id", "offense_id", "its offense is quarantined")
    link = link[~orphan_l & ~gone]
    other = [
        vic_inc.get(v) != off_inc.get(o) for v, o in zip(link["victim_id"], link["offense_id"], strict=False)
    ]
    q.add(
        link,
        other,
        "nibrs_victim_offense",
        "offense_id",
        "offense_id",
        lambda r: (
            f"contradicts the offense rows: victim {r['victim_id']} is in incident "
            f"{vic_inc.get(r['victim_id'])}, "
            f"offense {r['offense_id']} in incident {off_inc.get(r['offense_id'])}"
        ),
    )
    link = link[~np.asarray(other, dtype=bool)]

    # victims: type must be a person; a victim left with no usable link is dependent
    vtype = dict(
        zip(t["ht_victim_type"]["victim_type_id"], t["ht_victim_type"]["victim_type_code"], strict=False)
    )
    codes = [str(vtype.get(v, "")).upper() for v in vic["victim_type_id"]]
    not_person = [c not in PERSON_VICTIM_TYPES for c in codes]
    q.add(
        vic,
        not_person,
        "nibrs_victim",
        "victim_type_id",
        "victim_type_id",
        lambda r: (
            f"contradicts the offense rows: a 64A/64B offense is a crime against persons, but the victim's "
            f"type is {vtype.get(r['victim_type_id'], 'unknown')!r} (expected I or L)"
        ),
    )
    vic = vic[~np.asarray(not_person, dtype=bool)]
    unlinked = ~vic["victim_id"].isin(set(link["victim_id"]))
    q.add(
        vic,
        unlinked,
        "nibrs_victim",
        "victim_id",
        "victim_id",
        "its links to 64A/64B offenses are quarantined",
    )
    vic = vic[~unlinked]
    lost = ~link["victim_id"].isin(set(vic["victim_id"]))
    q.add(link, lost, "nibrs_victim_offense", "victim_id", "victim_id", "its victim is quarantined")
    link = link[~lost]

    # an offense with no (usable) victim linked contradicts NIBRS: a crime against persons has at least one
    # individual victim. Quarantined; its incident goes too if no other 64A/64B offense is left in it.
    no_victim = ~off["offense_id"].isin(set(link["offense_id"]))
    q.add(
        off,
        no_victim,
        "nibrs_offense",
        "offense_id",
        "offense_id",
        "contradicts the victim rows: no victim is linked to this 64A/64B offense in NIBRS_VICTIM_OFFENSE",
    )
    off = off[~no_victim]

    # offenders and arrestees of quarantined or missing incidents; unknown arrest types
    for name, frame in (("nibrs_offender", fdr), ("nibrs_arrestee", arr)):
        miss = ~frame["incident_id"].isin(set(inc["incident_id"]))
        q.add(
            frame,
            miss,
            name,
            "incident_id",
            "incident_id",
            "orphan key: INCIDENT_ID is not in NIBRS_incident",
        )
        dep = ~miss & ~frame["incident_id"].isin(set(inc_ok["incident_id"]))
        q.add(frame, dep, name, "incident_id", "incident_id", "its incident is quarantined")
        frame = frame[~miss & ~dep]
        if name == "nibrs_offender":
            fdr = frame
        else:
            arr = frame
    atype = dict(
        zip(t["ht_arrest_type"]["arrest_type_id"], t["ht_arrest_type"]["arrest_type_code"], strict=False)
    )
    bad_a = [str(atype.get(a, "")).upper() not in ARREST_TYPES for a in arr["arrest_type_id"]]
    q.add(
        arr,
        bad_a,
        "nibrs_arrestee",
        "arrest_type_id",
        "arrest_type_id",
        "unknown arrest type (not O, S or T in NIBRS_ARREST_TYPE)",
    )
    arr = arr[~np.asarray(bad_a, dtype=bool)]
    arr = arr.assign(arrest_type=[ARREST_TYPES[str(atype[a]).upper()] for a in arr["arrest_type_id"]])
    # an incident whose offenses all went is no longer a trafficking incident: its other records follow
    live = set(off["incident_id"])
    for name in ("nibrs_offender", "nibrs_arrestee"):
        frame = fdr if name == "nibrs_offender" else arr
        gone_i = ~frame["incident_id"].isin(live)
        q.add(
            frame,
            gone_i,
            name,
            "incident_id",
            "incident_id",
            "the 64A/64B offenses of its incident are quarantined",
        )
        if name == "nibrs_offender":
            fdr = frame[~gone_i]
        else:
            arr = frame[~gone_i]
    gone_inc = inc_ok["incident_id"].isin(live)
    q.add(
        inc_ok,
        ~gone_inc,
        "nibrs_incident",
        "incident_id",
        "incident_id",
        "its 64A/64B offenses are quarantined",
    )
    inc_ok = inc_ok[gone_inc]
    used = {
        "offense": off,
        "incident": inc_ok,
        "link": link,
        "victim": vic,
        "offender": fdr,
        "arrestee": arr,
        "month": mon_ok,
    }
    return used, q


def _agency_problem(r: dict[str, object], places: dict[str, object]) -> str:
    p = places.get(r["agency_id"])  # type: ignore[call-overload]
    return p if isinstance(p, str) else "orphan key: AGENCY_ID is not in agencies"


def _incident_problem(
    r: dict[str, object], places: dict, month_ids: set
) -> tuple[str, str, str | None] | None:
    """(column, reason, text) of the first problem of an incident record, None if it has none."""
    if not isinstance(places.get(r["agency_id"]), tuple):
        return ("agency_id", _agency_problem(r, places), r["agency_id"])  # type: ignore[return-value]
    if r["nibrs_month_id"] not in month_ids:
        return ("nibrs_month_id", "orphan key: NIBRS_MONTH_ID is not in NIBRS_month", r["nibrs_month_id"])  # type: ignore[return-value]
    date = parse_date(r["incident_date"])
    if date is None:
        return ("incident_date", "impossible date: not a real date (expected DD-MON-YY)", r["incident_date"])  # type: ignore[return-value]
    sub = parse_date(r["submission_date"]) if r["submission_date"] is not None else None
    if sub is not None and date > sub:
        return (
            "incident_date",
            f"impossible date: the incident is dated after its submission ({r['submission_date']})",
            r["incident_date"],
        )  # type: ignore[return-value]
    year = str(r["data_year"] or "")
    if year.isdigit() and date[0] > int(year):
        return (
            "incident_date",
            f"impossible date: after the end of its DATA_YEAR {year}",
            r["incident_date"],
        )  # type: ignore[return-value]
    return None


def _places(ag: pd.DataFrame) -> dict[str, tuple[geo.Place, geo.Place] | str]:
    """AGENCY_ID -> (agency, state) places from ``agencies`` (the latest year's name), or why not."""
    ag = ag.assign(_y=_int(ag["data_year"]).fillna(0)).sort_values(["agency_id", "_y"])
    out: dict[str, tuple[geo.Place, geo.Place] | str] = {}
    for r in ag.drop_duplicates("agency_id", keep="last").to_dict("records"):
        abbr = str(r["state_abbr"] or "").upper()
        try:
            state = geo.state_by_usps({"NB": "NE"}.get(abbr, abbr))
        except UnknownPlaceError:
            out[str(r["agency_id"])] = f"its agency's STATE_ABBR {abbr!r} in agencies is not a US state code"
            continue
        name = " ".join(str(x) for x in (r["pub_agency_name"], r.get("pub_agency_unit")) if x)
        try:
            out[str(r["agency_id"])] = (geo.agency(state.code, str(r["ori"] or ""), name), state)
        except UnknownPlaceError:
            out[str(r["agency_id"])] = (
                f"its agency's ORI {r['ori']!r} in agencies is not 7-9 letters or digits"
            )
    return out


def _slots(metric: str) -> list[str]:
    offense = [f"offense={o}" for o in OFFENSE_CODES.values()]
    demo = [f"age={a}" for a in AGE_GROUPS] + [f"sex={s}" for s in SEX_GROUPS]
    return {
        "incidents_recorded": ["total", *offense],
        "offenses_actual": ["total", *offense],
        "offenses_cleared": ["total", *offense],
        "victims_recorded": ["total", *offense, *demo],
        "offenders_recorded": ["total", *demo],
        "arrests": ["total", *demo, *(f"arrest_type={a}" for a in ARREST_TYPES.values())],
    }[metric]


def _facts(used: dict[str, pd.DataFrame], t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per counted fact: (incident_id, metric, breakdown, unit key); counted per agency-year."""
    import numpy as np
    import pandas as pd

    off, inc, link, vic = used["offense"], used["incident"], used["link"], used["victim"]
    cleared_codes = dict(
        zip(
            t["ht_cleared_except"]["cleared_except_id"],
            t["ht_cleared_except"]["cleared_except_code"],
            strict=False,
        )
    )
    arrested = set(used["arrestee"]["incident_id"])
    exceptional = {
        i
        for i, c in zip(inc["incident_id"], inc["cleared_except_id"], strict=False)
        if str(cleared_codes.get(c, "N")).upper() != "N"
    }
    cleared = arrested | exceptional
    parts = []

    def add(frame: pd.DataFrame, metric: str, breakdown: object, key: pd.Series) -> None:
        br = breakdown if isinstance(breakdown, str) else np.asarray(breakdown, dtype="object")
        parts.append(
            pd.DataFrame(
                {
                    "incident_id": frame["incident_id"].to_numpy(),
                    "metric": metric,
                    "breakdown": br,
                    "key": key.to_numpy(),
                }
            )
        )

    o_br = "offense=" + off["offense"].astype("str")
    for br in ("total", o_br):
        add(off, "incidents_recorded", br, off["incident_id"])
        add(off, "offenses_actual", br, off["offense_id"])
        c = off[off["incident_id"].isin(cleared)]
        add(c, "offenses_cleared", br if isinstance(br, str) else o_br[c.index], c["offense_id"])
    lv = link.merge(off[["offense_id", "offense"]], on="offense_id").merge(
        vic[["victim_id", "incident_id", "age_num", "sex_code", "age_range_low_num", "age_range_high_num"]],
        on="victim_id",
    )
    add(lv, "victims_recorded", "total", lv["victim_id"])
    add(lv, "victims_recorded", "offense=" + lv["offense"].astype("str"), lv["victim_id"])
    for metric, frame, key in (
        ("victims_recorded", lv, "victim_id"),
        ("offenders_recorded", used["offender"], "offender_id"),
        ("arrests", used["arrestee"], "arrestee_id"),
    ):
        if metric != "victims_recorded":
            add(frame, metric, "total", frame[key])
        add(frame, metric, pd.Series(["age=" + g for g in _age_group(frame)], dtype="object"), frame[key])
        add(frame, metric, pd.Series(["sex=" + g for g in _sex_group(frame)], dtype="object"), frame[key])
    arr = used["arrestee"]
    add(arr, "arrests", "arrest_type=" + arr["arrest_type"].astype("str"), arr["arrestee_id"])
    facts = pd.concat(parts, ignore_index=True).astype(
        {"breakdown": "str", "key": "str", "incident_id": "str"}
    )
    month_of = dict(zip(used["month"]["nibrs_month_id"], used["month"]["month_num"], strict=False))
    inc = inc.assign(month=[int(month_of[m]) for m in inc["nibrs_month_id"]])
    keys = inc[["incident_id", "data_year", "agency_id"]].astype("str").assign(month=inc["month"].to_numpy())
    return facts.merge(keys, on="incident_id")


def load(
    path: Path, *, engine: str = "duckdb", allow_small_cells: bool = False, monthly: bool = False
) -> LoadResult:
    """Normalize CDE NIBRS bundles (a zip, a folder, or a folder of either) into yearly trafficking figures.

    ``engine`` is ``duckdb`` (default, in-process) or ``spark`` (a local PySpark session from
    :func:`spark_session`, or the active one; the same SQL). See the module docstring for the metrics,
    the breakdowns and the accounting. ``monthly`` adds the same figures per month (the incident's
    ``NIBRS_month``; ``period_kind`` ``partial_year``, ``year`` NA), agencies reporting that month
    included. Victim breakdown cells (``victims_recorded`` by offense, age or
    sex) below :data:`SMALL_CELL_THRESHOLD` are published as ``suppressed`` (0 to 4) unless
    ``allow_small_cells`` is True: these are our own aggregates of incident records. Raises
    :class:`~trafficking_stats.errors.SourceFormatError` for a bundle missing a table or a table missing a
    column, and for a CSV the engine cannot parse.
    """

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    path = Path(path)
    raw_file = relative_to_root(path)
    with tempfile.TemporaryDirectory(prefix="nibrs-") as tmpname:
        tmp = Path(tmpname)
        unpack = tmp / "unpacked"
        unpack.mkdir()
        root = path if path.is_dir() else path.parent
        members = [m for b in _bundles(path) for m in _members(b, root, unpack)]
        tables = ENGINES[engine](members, tmp)
        places = _places(tables["ht_agency"])
        used, q = _check(tables, places)
        lines = _lines(q.items, members)
    read = sum(len(tables[n]) for n in ("ht_offense", "ht_incident", "ht_victim_offense", "ht_victim"))
    read += sum(len(tables[n]) for n in ("ht_offender", "ht_arrestee", "ht_month"))
    n_used = sum(len(used[k]) for k in used)
    rows = _rows(used, tables, places, path, raw_file, allow_small_cells, monthly)
    bad = [
        quarantine_row(
            raw_file,
            lines.get((it["file"], it["keys"])),
            it["column"],
            it["text"],
            f"{it['file']}: {it['reason']}",
        )
        for it in q.items
    ]
    out = result(INFO, raw_file, read, rows, bad, used=n_used)
    out.quarantine["raw_row"] = out.quarantine["raw_row"].astype("Int64")
    return out


def _lines(items: list[dict[str, object]], members: list[_Member]) -> dict[tuple[str, tuple], int]:
    """1-based line of each quarantined record, found by its key in its file: only the files holding one
    are read again, with the csv module (a quoted field may span lines: a record's line is the line it
    starts on), and each stops once its keys are found. DuckDB cannot say where a record was (its CSV
    reader has no row number; a record count would miss lines inside quoted fields)."""
    wanted: dict[str, set[tuple]] = {}
    for it in items:
        wanted.setdefault(str(it["file"]), set()).add(it["keys"])  # type: ignore[arg-type]
    out: dict[tuple[str, tuple], int] = {}
    for m in members:
        keys = set(wanted.get(m.label, ()))
        if not keys:
            continue
        lower = [h.lower() for h in m.header]
        idx = [lower.index(k) for k in KEYS[m.table]]
        with open(m.path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            start = reader.line_num + 1
            for fields in reader:
                key = tuple((fields[i].strip() or None) if i < len(fields) else None for i in idx)
                if key in keys:
                    out[(m.label, key)] = start
                    keys.discard(key)
                    if not keys:
                        break
                start = reader.line_num + 1
    return out


def _month_end(year: int, month: int) -> str:
    import calendar

    return f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _rows(
    used: dict[str, pd.DataFrame],
    t: dict[str, pd.DataFrame],
    places: dict[str, tuple[geo.Place, geo.Place] | str],
    path: Path,
    raw_file: str,
    allow_small: bool,
    monthly: bool,
) -> list[dict[str, object]]:
    """The normalized rows (dicts, see :func:`.base.row`) of the used records."""
    facts = _facts(used, t)
    periods = (lambda m: (0, m)) if monthly else (lambda m: (0,))
    usa = geo.country("USA")
    month = used["month"].astype({"agency_id": "str", "data_year": "str"})
    months = (
        month.drop_duplicates(["data_year", "agency_id", "month_num"])
        .groupby(["data_year", "agency_id"])
        .size()
    )
    # counts per (year, month or 0 for the year, code, metric, breakdown): distinct keys
    counts: dict[tuple[int, int, str, str, str], set] = {}
    geo_of: dict[str, geo.Place] = {"USA": usa}
    for f in facts.itertuples(index=False):
        pl = places[f.agency_id]
        for p in (pl[0], pl[1], usa):
            geo_of[p.code] = p
            for mon in periods(int(f.month)):
                counts.setdefault((int(f.data_year), mon, p.code, f.metric, f.breakdown), set()).add(f.key)
    coverage: dict[tuple[int, int, str], set] = {}
    agency_months: dict[tuple[int, str], int] = {}
    for (year, agency_id), n in months.items():
        pl = places[agency_id]
        agency_months[(int(year), pl[0].code)] = int(n)
        geo_of[pl[0].code] = pl[0]
        for p in (pl[1], usa):
            geo_of[p.code] = p
            coverage.setdefault((int(year), 0, p.code), set()).add(agency_id)
    if monthly:
        for r in month.drop_duplicates(["data_year", "agency_id", "month_num"]).to_dict("records"):
            for p in places[r["agency_id"]][1], usa:  # type: ignore[index]
                coverage.setdefault((int(r["data_year"]), int(r["month_num"]), p.code), set()).add(
                    r["agency_id"]
                )
    out = []
    vintage = f"CDE NIBRS download {path.stem}"
    states_by_year: dict[int, set[str]] = {}
    for year, _mon, code in coverage:
        if geo_of[code].level == "state":
            states_by_year.setdefault(year, set()).add(code)

    def row(year: int, mon: int, code: str, metric: str, breakdown: str, value: int) -> dict[str, object]:
        note = f"{NOTES[metric]} {NOTE_COMMON}"
        small = not allow_small and metric == "victims_recorded" and breakdown != "total"
        small = small and value < SMALL_CELL_THRESHOLD
        if small:
            note += " Withheld here: a count from 0 to 4 (victim breakdown cell below 5)."
        if code == "USA":
            note += f" National figures sum the bundles loaded: {len(states_by_year.get(year, ()))} state(s)."
        period = (
            (f"{year}-{mon:02d}-01", _month_end(year, mon), "partial_year", None)
            if mon
            else (f"{year}-01-01", f"{year}-12-31", "calendar_year", year)
        )
        count = (None, "suppressed", 0.0, SMALL_CELL_THRESHOLD - 1.0) if small else (float(value), "exact")
        return base_row(
            INFO,
            figure_id=figure_id(year, f"m{mon:02d}" if mon else None, code, metric, breakdown),
            reporter=REPORTER,
            place=geo_of[code],
            period=period,
            metric=metric,
            breakdown=breakdown,
            count=count if small else (*count, float(value), float(value)),
            unit=UNITS[metric],
            vintage=vintage,
            raw_file=raw_file,
            raw_row=None,
            note=note,
        )

    metrics = (
        "incidents_recorded",
        "offenses_actual",
        "offenses_cleared",
        "victims_recorded",
        "offenders_recorded",
        "arrests",
    )
    agency_years = {(y, mon, c) for (y, mon, c, _m, _b) in counts if geo_of[c].level == "agency"}
    for year, mon, code in sorted(set(coverage) | agency_years):
        for metric in metrics:
            for br in _slots(metric):
                out.append(
                    row(year, mon, code, metric, br, len(counts.get((year, mon, code, metric, br), ())))
                )
        if (year, mon, code) in coverage:
            out.append(row(year, mon, code, "agencies_reporting", "total", len(coverage[(year, mon, code)])))
    for (year, code), n in sorted(agency_months.items()):
        out.append(row(year, 0, code, "months_reported", "total", n))
    return out
