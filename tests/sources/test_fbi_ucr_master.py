"""Tests of the FBI UCR human-trafficking ASCII master-file loader (``sources/fbi_ucr_master.py``)."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import LoadResult, fbi_ucr_master, get

DATA = Path(__file__).resolve().parents[1] / "data" / "fbi_ucr_master"
REAL = Path("fbi") / "ucr-ht-master-file" / "traffickingCrimes_2015.txt"


def _row(rows: pd.DataFrame, year: int, code: str, metric: str, breakdown: str = "total") -> pd.Series:
    sel = rows[
        (rows["year"] == year)
        & (rows["geo_code"] == code)
        & (rows["metric"] == metric)
        & (rows["breakdown"] == breakdown)
    ]
    assert len(sel) == 1, (year, code, metric, breakdown, len(sel))
    return sel.iloc[0]


def _value(rows: pd.DataFrame, year: int, code: str, metric: str, breakdown: str = "total") -> float:
    return float(_row(rows, year, code, metric, breakdown)["value"])


@functools.lru_cache(maxsize=1)
def _load_real(path: Path) -> LoadResult:
    return fbi_ucr_master.load(path)


@pytest.fixture
def real_result(real_data: Path) -> tuple[Path, LoadResult]:
    path = real_data / REAL
    if not path.is_file():
        pytest.skip(f"{path} is not in the real-data folder")
    return path, _load_real(path)


def _hand_sums(path: Path) -> dict[str, object]:
    """Independent count: national 2015 actual offenses and agencies, sliced by hand from the layout."""
    csa = inv = total = agencies = 0
    texas = 0
    for raw in path.read_bytes().decode("ascii").split("\r\n"):
        if not raw:
            continue
        line = raw.ljust(987)
        codes = line[75:87]
        agencies += "N" in codes
        for m, code in enumerate(codes):
            if code == "N":
                block = line[87 + 75 * m : 87 + 75 * (m + 1)]
                # actual offenses are the 7th-9th five-digit fields of a month block
                a_csa, a_is, a_tot = (int(block[5 * i : 5 * i + 5]) for i in (6, 7, 8))
                csa, inv, total = csa + a_csa, inv + a_is, total + a_tot
                if line[1:3] == "42":
                    texas += a_tot
    return {"csa": csa, "is": inv, "total": total, "agencies": agencies, "texas": texas}


# ----------------------------------------------------------------------------------------------------------
# The real file
# ----------------------------------------------------------------------------------------------------------


def test_real_national_actual_2015(real_result) -> None:
    path, res = real_result
    hand = _hand_sums(path)
    # source-notes.md §2b: 797 = 589 commercial sex acts + 208 involuntary servitude
    assert (hand["total"], hand["csa"], hand["is"]) == (797, 589, 208)
    rows = res.rows
    assert _value(rows, 2015, "USA", "offenses_actual") == 797
    assert _value(rows, 2015, "USA", "offenses_actual", "offense=commercial_sex_acts") == 589
    assert _value(rows, 2015, "USA", "offenses_actual", "offense=involuntary_servitude") == 208
    assert _value(rows, 2015, "USA", "agencies_reporting") == hand["agencies"]
    assert _value(rows, 2015, "US-TX", "offenses_actual") == hand["texas"]
    assert set(rows["year"]) == {2015}


def test_real_rows_valid_and_accounting_balances(real_result) -> None:
    _, res = real_result
    assert schema.problems(res.rows) == []
    assert res.read == 22524
    assert len(res.quarantine) == 0
    assert res.n_used + res.skipped["no_month_reported"] == 22524
    assert res.balanced()
    assert not res.rows["figure_id"].duplicated().any()
    # actual = reported - unfounded holds in the 2015 sums
    rows = res.rows
    usa = {m: _value(rows, 2015, "USA", m) for m in ("offenses_reported", "offenses_unfounded")}
    assert usa["offenses_reported"] - usa["offenses_unfounded"] == 797


# ----------------------------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------------------------


def test_small_file_variable_lengths_crlf() -> None:
    path = DATA / "ht_master_small.txt"
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == 3 and [len(x) for x in raw.split(b"\r\n")[:3]] == [87, 162, 237]
    res = fbi_ucr_master.load(path)
    rows = res.rows
    assert schema.problems(rows) == []
    assert (res.read, res.n_used, len(res.quarantine), res.skipped) == (3, 2, 0, {"no_month_reported": 1})
    assert res.balanced()
    # Nevada (line 2): January only
    nv = {m: _value(rows, 2015, "US-NV", m) for _, m in fbi_ucr_master.MEASURES}
    assert nv == {
        "offenses_reported": 6,
        "offenses_unfounded": 1,
        "offenses_actual": 5,
        "offenses_cleared": 2,
        "offenses_cleared_juvenile": 1,
    }
    assert _value(rows, 2015, "US-NV", "offenses_actual", "offense=commercial_sex_acts") == 4
    assert _row(rows, 2015, "US-NV", "offenses_actual")["raw_row"] == 2
    # Nebraska (code 26, ORI prefix NB, line 3): January blank (X), February holds the data
    ne = _row(rows, 2015, "US-NE", "offenses_actual", "offense=involuntary_servitude")
    assert ne["value"] == 3 and ne["geo_name"] == "Nebraska" and ne["raw_row"] == 3
    assert _value(rows, 2015, "US-NE", "offenses_cleared") == 1
    # Alabama reported nothing: no rows (absence, not zero)
    assert rows[rows["geo_code"] == "US-AL"].empty
    # national sums
    assert _value(rows, 2015, "USA", "offenses_reported") == 11
    assert _value(rows, 2015, "USA", "offenses_actual", "offense=commercial_sex_acts") == 6
    assert _value(rows, 2015, "USA", "offenses_actual", "offense=involuntary_servitude") == 4
    assert _value(rows, 2015, "USA", "offenses_actual") == 10
    assert _value(rows, 2015, "USA", "offenses_cleared_juvenile") == 1
    usa = _row(rows, 2015, "USA", "agencies_reporting")
    assert usa["value"] == 2 and usa["unit"] == "agencies" and pd.isna(usa["raw_row"])
    assert pd.isna(_row(rows, 2015, "USA", "offenses_actual")["raw_row"])
    r = _row(rows, 2015, "USA", "offenses_actual")
    assert (r["period_start"], r["period_end"], r["period_kind"]) == (
        "2015-01-01",
        "2015-12-31",
        "calendar_year",
    )
    assert (r["qualifier"], r["value_low"], r["value_high"], r["unit"]) == ("exact", 10, 10, "offenses")
    assert r["figure_id"] == "2015-usa-offenses-actual-total"
    assert r["vintage"] == "UCR master file ht_master_small"
    assert "not zero" in r["note"]
    # 3 places x (5 metrics x 3 breakdowns + agencies_reporting)
    assert len(rows) == 3 * 16


def test_implausible_records_quarantined_with_line_and_reason() -> None:
    res = fbi_ucr_master.load(DATA / "implausible.txt")
    assert res.balanced()
    assert (res.read, res.n_used, len(res.quarantine), res.skipped) == (10, 1, 8, {"no_month_reported": 1})
    q = res.quarantine.set_index("raw_row")
    expected = {
        1: ("feb_reported_commercial_sex_acts", "cols 163-167 is not a five-digit count"),
        2: ("jan_actual_total", "actual total 3 is not commercial sex acts 1 + involuntary servitude 1"),
        4: ("state code", "Canal Zone"),
        5: ("jan_block", "coded 'X'"),
        7: ("state code", "not a numeric UCR state code"),
        8: ("jan_actual_commercial_sex_acts", "signed"),
        9: ("ori", "does not start with 'TX'"),
        10: ("jan_cleared_under_18_total", "juvenile clearances (2) exceed total clearances (1)"),
    }
    assert sorted(q.index) == sorted(expected)
    for line, (column, reason) in expected.items():
        assert q.at[line, "column"] == column, line
        assert reason in q.at[line, "reason"], (line, q.at[line, "reason"])
    assert q.at[8, "text"] == "-0001"
    # only line 3 (Pflugerville) is summed
    assert _value(res.rows, 2015, "US-TX", "offenses_actual") == 3
    assert _row(res.rows, 2015, "US-TX", "offenses_actual")["raw_row"] == 3
    assert schema.problems(res.rows) == []


def test_wrong_identifier_raises_source_format_error() -> None:
    path = DATA / "wrong_identifier.txt"
    with pytest.raises(SourceFormatError) as exc:
        fbi_ucr_master.load(path)
    msg = str(exc.value)
    assert f"{path}:2: column 'identifier code (col 1)'" in msg and "found '8'" in msg


def test_csv_is_not_a_master_file() -> None:
    path = Path(__file__).resolve().parents[1] / "data" / "fbi_cde" / "ht_lowercase.csv"
    with pytest.raises(SourceFormatError) as exc:
        fbi_ucr_master.load(path)
    assert f"{path}:1: column 'identifier code (col 1)'" in str(exc.value)


def test_state_codes_are_ucr_not_fips() -> None:
    # UCR numbers states alphabetically with DC at 08 and Alaska/Hawaii moved to 50/51
    assert fbi_ucr_master.UCR_STATES["02"] == "AZ" and fbi_ucr_master.UCR_STATES["50"] == "AK"
    assert fbi_ucr_master.UCR_STATES["26"] == "NE" and fbi_ucr_master.UCR_STATES["62"] == "VI"


def test_registered_with_metadata() -> None:
    info = get("fbi_ucr_master").info
    assert info is fbi_ucr_master.INFO
    assert info.reporter_type == "police"
    assert info.citation == "fbi-ucr-ht-master-file"
    assert REAL.match(info.bulk_patterns[0])


def test_cli_load_prints_normalized_csv() -> None:
    cmd = [sys.executable, "-m", "trafficking_stats.cli", "load", "fbi_ucr_master"]
    proc = subprocess.run(
        [*cmd, str(DATA / "ht_master_small.txt")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ",".join(schema.COLUMN_NAMES)
    assert len(lines) == 1 + 48
