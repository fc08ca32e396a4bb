"""Tests of the FBI Crime Data Explorer human-trafficking loader (``sources/fbi_cde.py``)."""

from __future__ import annotations

import csv
import functools
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import LoadResult, fbi_cde, get

DATA = Path(__file__).resolve().parents[1] / "data" / "fbi_cde"
REAL = Path("fbi") / "cde" / "HT_2013-2020.csv"

#: National actual offenses by year, as listed in source-notes.md §2a.
PUBLISHED_ACTUAL = {
    2013: 20,
    2014: 468,
    2015: 832,
    2016: 1280,
    2017: 1298,
    2018: 1457,
    2019: 2084,
    2020: 2160,
}


def _value(rows: pd.DataFrame, year: int, code: str, metric: str, breakdown: str = "total") -> float:
    sel = rows[
        (rows["year"] == year)
        & (rows["geo_code"] == code)
        & (rows["metric"] == metric)
        & (rows["breakdown"] == breakdown)
    ]
    assert len(sel) == 1, (year, code, metric, breakdown, len(sel))
    return float(sel["value"].iloc[0])


def _row(rows: pd.DataFrame, year: int, code: str, metric: str, breakdown: str = "total") -> pd.Series:
    sel = rows[
        (rows["year"] == year)
        & (rows["geo_code"] == code)
        & (rows["metric"] == metric)
        & (rows["breakdown"] == breakdown)
    ]
    assert len(sel) == 1, (year, code, metric, breakdown, len(sel))
    return sel.iloc[0]


# ----------------------------------------------------------------------------------------------------------
# The real file
# ----------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _load_real(path: Path) -> LoadResult:
    return fbi_cde.load(path)


@pytest.fixture
def real_result(real_data: Path) -> tuple[Path, LoadResult]:
    path = real_data / REAL
    if not path.is_file():
        pytest.skip(f"{path} is not in the real-data folder")
    return path, _load_real(path)


def test_real_national_actual_matches_source_notes_and_plain_csv_sums(real_result) -> None:
    path, res = real_result
    # independent hand count: plain csv, every record summed (duplicates included)
    with open(path, newline="", encoding="utf-8") as fh:
        by_year: Counter[int] = Counter()
        for rec in csv.DictReader(fh):
            by_year[int(rec["DATA_YEAR"])] += int(rec["ACTUAL_COUNT"])
    assert dict(by_year) == PUBLISHED_ACTUAL
    for year, expected in PUBLISHED_ACTUAL.items():
        assert _value(res.rows, year, "USA", "offenses_actual") == expected


def test_real_breakdowns_and_state_sums_add_up(real_result) -> None:
    path, res = real_result
    rows = res.rows
    with open(path, newline="", encoding="utf-8") as fh:
        recs = list(csv.DictReader(fh))
    csa_2016 = sum(
        int(r["CLEARED_COUNT"]) for r in recs if r["DATA_YEAR"] == "2016" and r["OFFENSE_SUBCAT_ID"] == "81"
    )
    assert _value(rows, 2016, "USA", "offenses_cleared", "offense=commercial_sex_acts") == csa_2016
    tx_2019 = sum(
        int(r["ACTUAL_COUNT"]) for r in recs if r["DATA_YEAR"] == "2019" and r["STATE_ABBR"] == "TX"
    )
    assert _value(rows, 2019, "US-TX", "offenses_actual") == tx_2019
    ne_2019 = sum(
        int(r["ACTUAL_COUNT"]) for r in recs if r["DATA_YEAR"] == "2019" and r["STATE_ABBR"] == "NB"
    )
    assert ne_2019 > 0 and _value(rows, 2019, "US-NE", "offenses_actual") == ne_2019
    agencies_2020 = len({r["ORI"] for r in recs if r["DATA_YEAR"] == "2020"})
    assert _value(rows, 2020, "USA", "agencies_reporting") == agencies_2020
    # the one negative adjustment record stays in the agency's sum
    harford = _row(rows, 2020, "US-MD-ori-MD0130000", "offenses_actual", "offense=commercial_sex_acts")
    assert harford["value"] == sum(
        int(r["ACTUAL_COUNT"])
        for r in recs
        if r["DATA_YEAR"] == "2020" and r["ORI"] == "MD0130000" and r["OFFENSE_SUBCAT_ID"] == "81"
    )


def test_real_rows_valid_and_accounting_balances(real_result) -> None:
    _, res = real_result
    assert schema.problems(res.rows) == []
    assert res.read == 4417 and res.n_used == 4417 and len(res.quarantine) == 0
    assert res.balanced()
    assert not res.rows["figure_id"].duplicated().any()
    assert set(res.rows["geo_level"]) == {"agency", "state", "country"}
    assert (res.rows.loc[res.rows["metric"] == "agencies_reporting", "geo_level"] != "agency").all()


# ----------------------------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------------------------


def test_lowercase_header_duplicates_negative_adjustment_and_nebraska() -> None:
    res = fbi_cde.load(DATA / "ht_lowercase.csv")
    rows = res.rows
    assert schema.problems(rows) == []
    assert (res.read, res.n_used, len(res.quarantine), res.skipped) == (6, 6, 0, {})
    assert res.balanced()
    # 2019: two identical records (lines 2-3) are summed, not de-duplicated
    csa = "offense=commercial_sex_acts"
    h = "US-MD-ori-MD0130000"
    assert _value(rows, 2019, h, "offenses_actual", csa) == 4
    assert _value(rows, 2019, h, "offenses_cleared", csa) == 2
    assert pd.isna(_row(rows, 2019, h, "offenses_actual", csa)["raw_row"])
    assert _value(rows, 2019, "USA", "offenses_actual") == 4
    assert _value(rows, 2019, "USA", "agencies_reporting") == 1
    # 2020: -1 (line 4, an adjustment) + 3 (line 6) = 2, and the note says so
    r = _row(rows, 2020, h, "offenses_actual", csa)
    assert r["value"] == 2 and r["value_low"] == 2 and r["value_high"] == 2 and r["qualifier"] == "exact"
    assert "negative adjustment" in r["note"]
    assert "negative adjustment" not in _row(rows, 2020, h, "offenses_cleared", csa)["note"]
    assert _value(rows, 2020, h, "offenses_unfounded", csa) == 1
    assert _value(rows, 2020, h, "offenses_cleared_juvenile", csa) == 1
    assert _row(rows, 2020, h, "offenses_actual", csa)["geo_name"] == "Harford"
    # one agency with one record: raw_row is its line; name joined with the unit
    sp = _row(rows, 2020, "US-MD-ori-MDMSP0100", "offenses_actual", "offense=involuntary_servitude")
    assert sp["value"] == 4 and sp["raw_row"] == 7 and sp["geo_name"] == "State Police: Bel Air Barrack"
    # NB is Nebraska
    ne = _row(rows, 2020, "US-NE", "offenses_actual", "offense=involuntary_servitude")
    assert ne["value"] == 1 and ne["geo_name"] == "Nebraska" and ne["raw_row"] == 5
    assert _value(rows, 2020, "US-NE-ori-NB0280100", "offenses_actual") == 1
    # a subcategory without records is absent, not zero
    assert rows[(rows["geo_code"] == "US-NE") & (rows["breakdown"] == csa)].empty
    # state and national sums
    assert _value(rows, 2020, "US-MD", "offenses_actual") == 6
    assert _value(rows, 2020, "US-MD", "agencies_reporting") == 2
    assert _value(rows, 2020, "USA", "offenses_actual", csa) == 2
    assert _value(rows, 2020, "USA", "offenses_actual", "offense=involuntary_servitude") == 5
    assert _value(rows, 2020, "USA", "offenses_actual") == 7
    assert _value(rows, 2020, "USA", "agencies_reporting") == 3
    usa = _row(rows, 2020, "USA", "agencies_reporting")
    assert usa["unit"] == "agencies" and usa["geo_name"] == "United States" and "lower bound" in usa["note"]
    assert _row(rows, 2020, "USA", "offenses_actual")["unit"] == "offenses"
    assert set(rows["period_kind"]) == {"calendar_year"}
    assert set(rows["reporter"]) == {"FBI Uniform Crime Reporting Program"}
    assert set(rows["vintage"]) == {"CDE download ht_lowercase"}
    fid = _row(rows, 2020, "US-NE", "offenses_actual")["figure_id"]
    assert fid == "2020-us-ne-offenses-actual-total"
    # by hand: 2019 agency 8 (4 metrics x CSA, total) + MD 9 + USA 9; 2020 three agencies 8 each,
    # MD 13 (4 x CSA, IS, total + agencies), NE 9, USA 13
    assert len(rows) == 26 + 59


def test_plausibility_quarantine_with_reasons() -> None:
    res = fbi_cde.load(DATA / "implausible.csv")
    assert res.balanced()
    assert (res.read, res.n_used, len(res.quarantine)) == (10, 1, 9)
    q = res.quarantine.set_index("raw_row")
    expected = {
        2: ("JUVENILE_CLEARED_COUNT", "exceed the record's clearances"),
        3: ("STATE_ABBR", "is not a US state"),
        4: ("DATA_YEAR", "outside the collection's range"),
        5: ("OFFENSE_SUBCAT_ID", "unknown offense subcategory"),
        6: ("OFFENSE_SUBCAT_NAME", "contradicts"),
        7: ("ACTUAL_COUNT", "not a whole number"),
        8: ("ACTUAL_COUNT", "count is empty"),
        9: ("ORI", "does not start with the record's state code"),
        10: ("", "expected 10 fields, found 9"),
    }
    for line, (column, reason) in expected.items():
        assert q.at[line, "column"] == column, line
        assert reason in q.at[line, "reason"], (line, q.at[line, "reason"])
    assert q.at[7, "text"] == "1.5"
    assert _value(res.rows, 2016, "US-TX", "offenses_actual") == 7
    assert schema.problems(res.rows) == []


def test_missing_column_raises_source_format_error() -> None:
    path = DATA / "missing_column.csv"
    with pytest.raises(SourceFormatError) as exc:
        fbi_cde.load(path)
    msg = str(exc.value)
    assert f"{path}:1: column 'ACTUAL_COUNT'" in msg
    assert "required column is missing" in msg and "'Data_Year'" in msg


def test_registered_with_metadata() -> None:
    info = get("fbi_cde").info
    assert info is fbi_cde.INFO
    assert info.reporter_type in schema.REPORTER_TYPES
    assert info.bulk_patterns == ("fbi/cde/HT_*.csv",)
    assert info.citation == "fbi-cde-human-trafficking"


def test_cli_load_prints_normalized_csv() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "load", "fbi_cde", str(DATA / "ht_lowercase.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ",".join(schema.COLUMN_NAMES)
    assert len(lines) == 1 + 85
