"""The UK NRM source (British Red Cross chart extracts of Home Office NRM and Duty to Notify statistics).

Checks on the real files compute their expected numbers independently with plain ``csv`` (or take them
from source-notes.md and data/raw/published_figures.csv); fixture checks use values worked out by hand
from the small files in tests/data/uk_nrm/.
"""

from __future__ import annotations

import csv
import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import paths, schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import LoadResult, registry, uk_nrm

DATA = Path(__file__).resolve().parents[1] / "data" / "uk_nrm"
REAL_FILES = (
    "NRM referrals by age and sex Dec 23.csv",
    "NRM referrals by first responder Dec 23.csv",
    "NRM referrals by nationality Dec 23.csv",
    "NRM referrals over time Dec 23.csv",
    "conclusive grounds by age Dec 23.csv",
    "duty to notify - longitudinal Dec 23.csv",
    "duty to notify - nationality Dec 23.csv",
    "reasonable grounds by age Dec 23.csv",
)


@functools.cache
def _load_real(path: Path) -> LoadResult:
    """Load a real file once per test session (the tests only read the result)."""
    return uk_nrm.load(path)


def _plain(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _one(rows: pd.DataFrame, **where: object) -> pd.Series:
    sel = rows
    for col, val in where.items():
        sel = sel[sel[col].astype("object") == val]
    assert len(sel) == 1, (where, sel[["figure_id", "value"]])
    return sel.iloc[0]


def _published(figure_id: str) -> float:
    for r in _plain(paths.published_figures_csv()):
        if r["figure_id"] == figure_id:
            return float(r["count"].replace(",", ""))
    raise AssertionError(f"{figure_id} not in published_figures.csv")


@pytest.fixture
def nrm_dir(real_data: Path) -> Path:
    d = real_data / "uk-nrm"
    if not d.is_dir():
        pytest.skip(f"UK NRM extracts not found in {d}")
    return d


# --------------------------------------------------------------------------------------------------------
# Real files
# --------------------------------------------------------------------------------------------------------


def test_registered_with_bulk_patterns_matching_every_real_file(nrm_dir):
    assert registry()["uk_nrm"].info is uk_nrm.INFO
    matched = {p.name for pat in uk_nrm.INFO.bulk_patterns for p in nrm_dir.parent.glob(pat)}
    assert matched == set(REAL_FILES)


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_real_file_loads_cleanly_and_balances(nrm_dir, name):
    res = _load_real(nrm_dir / name)
    n_records = len(_plain(nrm_dir / name))
    assert res.read == n_records
    assert res.balanced(), res.accounting()
    assert res.n_used == n_records and len(res.quarantine) == 0 and res.skipped == {}
    assert len(res.rows) > 0
    assert schema.problems(res.rows) == []
    assert (res.rows["value"] >= 0).all()
    assert (res.rows["vintage"] == "2023-12").all()


def test_figure_ids_are_unique_across_all_real_files(nrm_dir):
    rows = pd.concat([_load_real(nrm_dir / n).rows for n in REAL_FILES], ignore_index=True)
    assert schema.problems(rows) == []
    assert rows["figure_id"].is_unique


def test_2023_referrals_total_is_adults_plus_children_and_below_the_headline(nrm_dir):
    path = nrm_dir / "NRM referrals over time Dec 23.csv"
    locations = ["Overseas", "UK", "UK and Overseas", "Not specified or unknown"]
    by_hand = sum(int(r[c]) for r in _plain(path) if r["Date"].startswith("2023 ") for c in locations)
    assert by_hand == 16054  # source-notes.md, section 5
    rows = _load_real(path).rows
    total = _one(rows, period_kind="calendar_year", year=2023, breakdown="age=known")
    assert total["value"] == by_hand
    assert total["metric"] == "victims_referred" and total["unit"] == "persons"
    assert (total["geo_code"], total["reporter"]) == ("GBR", "UK Home Office (National Referral Mechanism)")
    assert (total["period_start"], total["period_end"]) == ("2023-01-01", "2023-12-31")
    assert pd.isna(total["raw_row"])
    # the Home Office headline (first release and revision) is higher, and the note says why
    first, revised = _published("gbr-nrm-2023-referred-ho-2024"), _published("gbr-nrm-2023-referred-ho-2025")
    assert (first, revised) == (17004, 16990)
    assert total["value"] < revised < first
    assert "Adult" in total["note"] and "Child" in total["note"] and "dropped" in total["note"]
    assert "headline" in total["note"]


def test_every_referral_row_of_the_over_time_file_carries_the_coverage_notes(nrm_dir):
    rows = _load_real(nrm_dir / "NRM referrals over time Dec 23.csv").rows
    assert (rows["metric"] == "victims_referred").all()
    assert rows["note"].str.contains("age not specified or unknown were dropped", regex=False).all()
    assert rows["note"].str.contains("from 2022 'Not specified or unknown' is 0", regex=False).all()


def test_2009_is_a_partial_year_from_april(nrm_dir):
    path = nrm_dir / "NRM referrals over time Dec 23.csv"
    plain = [r for r in _plain(path) if r["Date"].startswith("2009 ")]
    assert sorted({r["Date"] for r in plain}) == ["2009 Q2", "2009 Q3", "2009 Q4"]
    by_hand = sum(int(v) for r in plain for k, v in r.items() if k not in ("Date", "Age at exploitation"))
    rows = _load_real(path).rows
    y2009 = rows[rows["period_start"].str.startswith("2009") & (rows["period_kind"] != "quarter")]
    assert set(y2009["period_kind"]) == {"partial_year"}
    assert y2009["year"].isna().all()
    total = _one(y2009, breakdown="age=known")
    assert (total["period_start"], total["period_end"], total["value"]) == (
        "2009-04-01",
        "2009-12-31",
        by_hand,
    )
    # every other year has all four quarters
    years = rows[rows["period_kind"] == "calendar_year"]
    assert sorted(set(years["year"].astype(int))) == list(range(2010, 2024))


def test_quarter_rows_are_cells_of_one_record(nrm_dir):
    path = nrm_dir / "NRM referrals over time Dec 23.csv"
    plain = _plain(path)
    line = next(
        i
        for i, r in enumerate(plain, start=2)
        if r["Date"] == "2023 Q4" and r["Age at exploitation"][0] == "C"
    )
    rows = _load_real(path).rows
    cell = _one(rows, period_start="2023-10-01", breakdown="age=minor;location=uk")
    assert (cell["value"], cell["raw_row"], cell["period_end"]) == (
        float(plain[line - 2]["UK"]),
        line,
        "2023-12-31",
    )
    assert cell["period_kind"] == "quarter" and pd.isna(cell["year"])


def test_female_counts_become_positive(nrm_dir):
    path = nrm_dir / "NRM referrals by age and sex Dec 23.csv"
    plain = {r["Age at exploitation"]: r for r in _plain(path)}
    assert int(plain["Adult (18 or over)"]["Female"]) < 0  # the chart convention in the file
    rows = _load_real(path).rows
    assert (rows["value"] > 0).all()
    adult_f = _one(rows, breakdown="age=adult;sex=female")
    assert adult_f["value"] == -int(plain["Adult (18 or over)"]["Female"]) == 1752
    female = _one(rows, breakdown="age=known;sex=female")
    assert female["value"] == 1752 + 1152
    assert (female["period_kind"], female["year"], female["period_start"]) == (
        "calendar_year",
        2023,
        "2023-01-01",
    )
    assert "negative" in female["note"]
    assert not rows["breakdown"].isin(["total", "age=known", "age=adult", "age=minor"]).any()


def test_undated_files_take_2023_from_their_name(nrm_dir):
    for name in ("NRM referrals by first responder Dec 23.csv", "NRM referrals by nationality Dec 23.csv"):
        rows = _load_real(nrm_dir / name).rows
        assert set(rows["period_kind"]) == {"calendar_year"} and set(rows["year"]) == {2023}
    fr = _load_real(nrm_dir / "NRM referrals by first responder Dec 23.csv").rows
    ukvi = _one(
        fr, breakdown="first_responder=home_office_uk_visas_and_immigration;nationality=other_nationality"
    )
    assert ukvi["value"] == 5212
    police = _one(fr, breakdown="first_responder=police")
    assert police["value"] == 1877 + 2069 and police["raw_row"] == 9
    nat = _load_real(nrm_dir / "NRM referrals by nationality Dec 23.csv").rows
    assert _one(nat, breakdown="nationality=south_sudanese")["value"] == 55 + 9 + 10 + 0
    assert _one(nat, breakdown="first_responder=police;nationality=uk")["value"] == 1899


def test_duty_to_notify_2023_matches_the_home_office_figure(nrm_dir):
    path = nrm_dir / "duty to notify - longitudinal Dec 23.csv"
    col = "Referrals through Duty to Notify process"
    by_hand = sum(int(r[col]) for r in _plain(path) if r["Date"].startswith("2023-"))
    assert by_hand == _published("gbr-eaw-dtn-2023-reports-ho-2025") == 4929
    rows = _load_real(path).rows
    y = _one(rows, period_kind="calendar_year", year=2023)
    assert y["value"] == by_hand
    assert (y["metric"], y["unit"], y["geo_code"], y["breakdown"]) == (
        "victim_reports",
        "reports",
        "GB-EAW",
        "age=adult",
    )
    assert "do not consent" in y["note"] and "England and Wales" in y["note"]
    # 2015 holds one quarter only (the Duty began in November 2015): no year row repeats it
    assert not ((rows["period_kind"] != "quarter") & rows["period_start"].str.startswith("2015")).any()


def test_grounds_decisions(nrm_dir):
    path = nrm_dir / "reasonable grounds by age Dec 23.csv"
    plain = [r for r in _plain(path) if r["Date"].startswith("2023-")]
    neg = sum(int(r["Negative reasonable grounds"]) for r in plain)
    rows = _load_real(path).rows
    assert set(rows["metric"]) == {"grounds_decisions"} and set(rows["unit"]) == {"decisions"}
    assert _one(rows, year=2023, breakdown="age=known;decision=negative;stage=reasonable")["value"] == neg
    q4 = _one(rows, period_start="2023-10-01", breakdown="age=adult;decision=negative;stage=reasonable")
    assert (q4["value"], q4["period_kind"]) == (1405, "quarter")
    cg = _load_real(nrm_dir / "conclusive grounds by age Dec 23.csv").rows
    assert cg["breakdown"].str.contains("stage=conclusive", regex=False).all()


# --------------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------------


def test_fixture_over_time_with_a_missing_quarter():
    res = uk_nrm.load(DATA / "NRM referrals over time Dec 21.csv")
    assert (res.read, res.n_used, len(res.quarantine), res.skipped) == (19, 18, 0, {"age_not_specified": 1})
    assert res.balanced()
    rows = res.rows
    assert schema.problems(rows) == []
    assert len(rows) == 9 * 15 + 2 * 15  # 9 quarters and two years, 15 breakdowns each
    # 2019: Q3-Q4 only -> partial year
    p = _one(rows, period_start="2019-07-01", period_end="2019-12-31", breakdown="age=known")
    assert (p["period_kind"], p["value"]) == ("partial_year", 16) and pd.isna(p["year"])
    assert "2019 Q3-Q4 only" in p["note"]
    assert _one(rows, period_start="2019-07-01", period_end="2019-12-31", breakdown="age=minor")["value"] == 5
    # 2020: four quarters -> calendar year; "1,000" read as 1000; the age-unknown line is not in it
    y = _one(rows, period_kind="calendar_year", year=2020, breakdown="age=known")
    assert (y["value"], y["period_start"], y["period_end"]) == (1024, "2020-01-01", "2020-12-31")
    assert _one(rows, year=2020, breakdown="age=adult")["value"] == 1010
    assert _one(rows, year=2020, breakdown="age=known;location=uk")["value"] == 9
    # 2021: Q3 missing -> no year row at all
    assert (
        not rows["period_start"]
        .str.startswith("2021")
        .pipe(lambda s: s & (rows["period_kind"] != "quarter"))
        .any()
    )
    assert set(rows.loc[rows["period_start"].str.startswith("2021"), "period_start"]) == {
        "2021-01-01",
        "2021-04-01",
        "2021-10-01",
    }
    cell = _one(
        rows, period_start="2019-07-01", period_end="2019-09-30", breakdown="age=adult;location=not_specified"
    )
    assert (cell["value"], cell["raw_row"], cell["vintage"]) == (3, 2, "2021-12")
    q_total = _one(rows, period_start="2019-07-01", period_end="2019-09-30", breakdown="age=known")
    assert q_total["value"] == 8 and pd.isna(q_total["raw_row"])


def test_fixture_age_and_sex_negatives():
    res = uk_nrm.load(DATA / "NRM referrals by age and sex Dec 22.csv")
    assert res.balanced() and len(res.quarantine) == 0
    rows = res.rows
    assert schema.problems(rows) == []
    got = dict(zip(rows["breakdown"], rows["value"], strict=True))
    assert got == {
        "age=adult;sex=female": 3,
        "age=adult;sex=male": 5,
        "age=minor;sex=female": 2,
        "age=minor;sex=male": 4,
        "age=known;sex=female": 5,
        "age=known;sex=male": 9,
    }
    assert set(rows["year"]) == {2022} and set(rows["period_kind"]) == {"calendar_year"}


def test_fixture_negative_male_count_is_quarantined():
    res = uk_nrm.load(DATA / "NRM referrals by age and sex Jun 22.csv")
    assert (res.read, res.n_used, len(res.quarantine)) == (2, 1, 1)
    assert res.balanced()
    q = res.quarantine.iloc[0]
    assert (q["raw_row"], q["column"], q["text"]) == (3, "Male", "-4")
    assert "negative count -4" in q["reason"]
    rows = res.rows
    assert schema.problems(rows) == []
    # the 12 months to June 2022; no female/male totals without the child row
    assert set(rows["breakdown"]) == {"age=adult;sex=female", "age=adult;sex=male"}
    r = _one(rows, breakdown="age=adult;sex=female")
    assert (r["period_start"], r["period_end"], r["period_kind"], r["value"]) == (
        "2021-07-01",
        "2022-06-30",
        "multi_year",
        3,
    )
    assert pd.isna(r["year"])


def test_fixture_first_responder_file_without_a_period_in_its_name():
    with pytest.raises(SourceFormatError) as exc:
        uk_nrm.load(DATA / "NRM referrals by first responder.csv")
    msg = str(exc.value)
    assert "NRM referrals by first responder.csv:1" in msg
    assert "column 'First responder type'" in msg
    assert "no month and year" in msg


def test_fixture_malformed_header():
    with pytest.raises(SourceFormatError) as exc:
        uk_nrm.load(DATA / "conclusive grounds by age Dec 23 bad header.csv")
    p = exc.value.problems
    assert {(x.line, x.column) for x in p} == {(1, "Positive conclusive grounds"), (1, "Positive CG")}
    assert all(x.file.endswith("conclusive grounds by age Dec 23 bad header.csv") for x in p)
    assert "bad header.csv:1: column 'Positive conclusive grounds': required column" in str(exc.value)


def test_unknown_header_names_what_was_expected(tmp_path):
    f = tmp_path / "something Dec 23.csv"
    f.write_text("Year,Count\n2023,5\n", encoding="utf-8")
    with pytest.raises(
        SourceFormatError, match=r"something Dec 23.csv:1: column 'Year': not a known NRM extract"
    ):
        uk_nrm.load(f)


def test_kind_comes_from_the_header_not_the_name(tmp_path):
    f = tmp_path / "duty to notify - nationality Dec 22.csv"
    shutil.copy(DATA / "NRM referrals by age and sex Dec 22.csv", f)
    rows = uk_nrm.load(f).rows
    assert set(rows["metric"]) == {"victims_referred"}
    assert _one(rows, breakdown="age=known;sex=male")["value"] == 9


def test_fixture_grounds_quarantine_reasons():
    res = uk_nrm.load(DATA / "reasonable grounds by age Dec 19.csv")
    assert (res.read, res.n_used, len(res.quarantine)) == (10, 3, 7)
    assert res.balanced()
    reasons = {int(r.raw_row): (r.column, r.reason) for r in res.quarantine.itertuples()}
    assert reasons[2] == ("Date", "2008 Q4 is before the scheme began (2009-04-01)")
    assert reasons[5] == ("Date", "'2019-05-15' is not the last day of a calendar quarter")
    assert reasons[7][0] == "Positive reasonable grounds" and "'12a'" in reasons[7][1]
    assert reasons[8] == ("Age", "repeats the period and label of line 3")
    assert reasons[9][0] == "Date" and "after the end of the file's data period" in reasons[9][1]
    assert reasons[10] == ("Age", "unknown age group label 'Pensioner'")
    assert reasons[11][0] == "Negative reasonable grounds" and "negative count -1" in reasons[11][1]
    rows = res.rows
    assert schema.problems(rows) == []
    # Q1 complete: 4 cells + 2 decision totals; Q2 has only the adult cells; no year sums (cells missing)
    assert len(rows) == 8
    assert (rows["period_kind"] == "quarter").all()
    pos = _one(rows, period_start="2019-01-01", breakdown="age=known;decision=positive;stage=reasonable")
    assert pos["value"] == 15
    q2 = _one(rows, period_start="2019-04-01", breakdown="age=adult;decision=negative;stage=reasonable")
    assert (q2["value"], q2["raw_row"]) == (3, 6)
    assert not ((rows["period_start"] == "2019-04-01") & ~rows["breakdown"].str.startswith("age=")).any()


def test_fixture_duty_to_notify_before_it_began():
    res = uk_nrm.load(DATA / "duty to notify - longitudinal Dec 16.csv")
    assert (res.read, res.n_used, len(res.quarantine)) == (6, 5, 1)
    assert (
        res.quarantine.iloc[0]["raw_row"] == 2
        and "before the scheme began" in res.quarantine.iloc[0]["reason"]
    )
    rows = res.rows
    assert schema.problems(rows) == []
    assert len(rows) == 6  # five quarters and 2016
    y = _one(rows, period_kind="calendar_year")
    assert (y["year"], y["value"], y["geo_code"], y["breakdown"]) == (2016, 762, "GB-EAW", "age=adult")


def test_period_from_name():
    p = uk_nrm.period_from_name("NRM referrals by nationality Sept 23.csv")
    assert (p.start.isoformat(), p.end.isoformat(), p.kind) == ("2022-10-01", "2023-09-30", "multi_year")
    p = uk_nrm.period_from_name("x December 2023.csv")
    assert (p.start.isoformat(), p.end.isoformat(), p.kind, p.year) == (
        "2023-01-01",
        "2023-12-31",
        "calendar_year",
        2023,
    )
    assert uk_nrm.period_from_name("NRM referrals by first responder.csv") is None


def test_first_responder_slugs_drop_the_trailing_acronym():
    assert uk_nrm.first_responder_slug("Home Office - UK Border Force UKBF") == "home_office_uk_border_force"
    assert uk_nrm.first_responder_slug("Gangmasters and Labour Abuse Authority GLAA") == (
        "gangmasters_and_labour_abuse_authority"
    )
    assert uk_nrm.first_responder_slug("Police") == "police"
    assert uk_nrm.first_responder_slug("NGO and third sector") == "ngo_and_third_sector"


def test_cli_load_prints_the_normalized_csv():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trafficking_stats.cli",
            "load",
            "uk_nrm",
            str(DATA / "NRM referrals over time Dec 21.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ",".join(schema.COLUMN_NAMES)
    assert len(lines) == 1 + 165
