"""fbi_nibrs: CDE NIBRS bundles queried with DuckDB (and Spark), checked against counts made by hand.

The fixtures (tests/data/fbi_nibrs, described in its README.md) are three bundles in the CDE layout:
CA-2021 (upper-case headers, every awkward case), CA-2022 (lower-case headers), NV-2021. Every expected
number below was counted by hand from those CSVs, not from the loader's output.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import fbi_nibrs, get

DATA = Path(__file__).parents[1] / "data" / "fbi_nibrs"


@pytest.fixture(scope="module")
def result():
    return get("fbi_nibrs").load(DATA, allow_small_cells=True)


def value(rows, code, year, metric, breakdown="total"):
    sel = rows[
        (rows["geo_code"] == code)
        & (rows["year"] == year)
        & (rows["metric"] == metric)
        & (rows["breakdown"] == breakdown)
    ]
    assert len(sel) == 1, (code, year, metric, breakdown, len(sel))
    return float(sel["value"].iloc[0])


# California 2021, counted by hand (README.md lists the records used and quarantined)
CA_2021 = {
    ("incidents_recorded", "total"): 4,  # 5001, 5002, 5003, 5009
    ("incidents_recorded", "offense=commercial_sex_acts"): 3,  # 5001, 5002, 5009
    ("incidents_recorded", "offense=involuntary_servitude"): 2,  # 5001, 5003
    ("offenses_actual", "total"): 5,  # 9001, 9002, 9004, 9005, 9012
    ("offenses_actual", "offense=commercial_sex_acts"): 3,
    ("offenses_actual", "offense=involuntary_servitude"): 2,
    ("offenses_cleared", "total"): 4,  # 5001 and 5003 by arrest, 5002 exceptionally (D)
    ("offenses_cleared", "offense=commercial_sex_acts"): 2,
    ("victims_recorded", "total"): 6,  # 7001, 7002, 7004, 7005, 7006, 7011
    ("victims_recorded", "offense=commercial_sex_acts"): 5,
    ("victims_recorded", "offense=involuntary_servitude"): 2,  # 7001 (both offenses), 7006
    ("victims_recorded", "age=minor"): 3,  # 16, range 14-16, 15
    ("victims_recorded", "age=adult"): 2,
    ("victims_recorded", "age=unknown"): 1,
    ("victims_recorded", "sex=female"): 4,
    ("victims_recorded", "sex=unknown"): 1,
    ("offenders_recorded", "total"): 5,  # 8001, 8002, 8003 (unknown offender), 8004, 8007
    ("offenders_recorded", "age=adult"): 4,  # 40, range 25-30, 50, 33
    ("offenders_recorded", "sex=male"): 3,
    ("arrests", "total"): 3,  # 6001, 6002, 6003 (6004 has an unknown arrest type)
    ("arrests", "arrest_type=on_view"): 1,
    ("arrests", "arrest_type=summoned"): 1,
    ("arrests", "arrest_type=taken_into_custody"): 1,
    ("arrests", "age=minor"): 1,
    ("agencies_reporting", "total"): 2,  # 101 (12 months), 102 (6 months); 103 sent no month
}


@pytest.mark.parametrize(("key", "expected"), sorted(CA_2021.items()))
def test_state_counts_by_hand(result, key, expected):
    assert value(result.rows, "US-CA", 2021, *key) == expected


def test_lower_case_headers_and_zero_reporting_agency(result):
    rows = result.rows
    # CA-2022 spells every column in lower case; one incident (64B + 13A): 2 victims, 1 arrest
    assert value(rows, "US-CA", 2022, "incidents_recorded") == 1
    assert value(rows, "US-CA", 2022, "offenses_actual", "offense=commercial_sex_acts") == 0
    assert value(rows, "US-CA", 2022, "victims_recorded") == 2
    # 101 and 103 (12 months with no incident: a zero report) report; 102 sent no month in 2022
    assert value(rows, "US-CA", 2022, "agencies_reporting") == 2
    assert value(rows, "US-CA-ori-CA0000300", 2022, "months_reported") == 12
    assert not ((rows["geo_code"] == "US-CA-ori-CA0000200") & (rows["year"] == 2022)).any()


def test_agencies_months_and_names(result):
    rows = result.rows
    assert value(rows, "US-CA-ori-CA0000100", 2021, "months_reported") == 12
    assert value(rows, "US-CA-ori-CA0000200", 2021, "months_reported") == 6  # the month 13 row is quarantined
    assert value(rows, "US-CA-ori-CA0000100", 2021, "incidents_recorded") == 2
    assert value(rows, "US-CA-ori-CA0000200", 2021, "offenses_actual") == 2
    name = rows.loc[rows["geo_code"] == "US-CA-ori-CA0000200", "geo_name"].iloc[0]
    assert name == "Sample County Sheriff's Office"
    # an agency that sent no month that year has no row: "not reported", not zero
    assert not ((rows["geo_code"] == "US-CA-ori-CA0000300") & (rows["year"] == 2021)).any()


def test_nation_sums_the_bundles(result):
    rows = result.rows
    assert value(rows, "USA", 2021, "offenses_actual") == 6  # CA 5 + NV 1
    assert value(rows, "USA", 2021, "victims_recorded", "age=minor") == 4  # CA 3 + NV 1 (17)
    assert value(rows, "USA", 2021, "agencies_reporting") == 3
    assert value(rows, "USA", 2022, "agencies_reporting") == 2
    note = rows.loc[(rows["geo_code"] == "USA") & (rows["year"] == 2021), "note"].iloc[0]
    assert "2 state(s)" in note


def test_accounting_and_quarantine(result):
    # read, counted by hand: CA-2021 70 (11 offenses, 8 incidents, 11 links, 9 victims, 7 offenders,
    # 4 arrestees, 20 months), CA-2022 32, NV-2021 17
    assert result.read == 119
    assert len(result.quarantine) == 22
    assert result.balanced()
    q = result.quarantine
    by = {
        (c, int(line)): reason for c, line, reason in zip(q["column"], q["raw_row"], q["reason"], strict=True)
    }
    assert "orphan key: AGENCY_ID" in by[("NIBRS_incident.AGENCY_ID", 5)]  # incident 5004, agency 999
    assert "impossible date" in by[("NIBRS_incident.INCIDENT_DATE", 6)]  # 31-NOV-21
    assert "unknown offense type" in by[("NIBRS_OFFENSE.OFFENSE_TYPE_ID", 9)]  # type 99
    assert "orphan key: INCIDENT_ID" in by[("NIBRS_OFFENSE.INCIDENT_ID", 12)]  # incident 5999
    assert "no victim is linked" in by[("NIBRS_OFFENSE.OFFENSE_ID", 10)]  # 9009
    assert "victim 7006 is in incident 5003" in by[("NIBRS_VICTIM_OFFENSE.OFFENSE_ID", 9)]
    assert "'S'" in by[("NIBRS_VICTIM.VICTIM_TYPE_ID", 11)]  # Society/Public victim of 64A
    assert "orphan key: AGENCY_ID" in by[("NIBRS_month.AGENCY_ID", 20)]
    assert "impossible month" in by[("NIBRS_month.MONTH_NUM", 21)]
    assert "unknown arrest type" in by[("NIBRS_ARRESTEE.ARREST_TYPE_ID", 5)]
    assert all(r.startswith("CA-2021/") for r in q["reason"])  # the bundle member is named


def test_quarantined_line_counts_quoted_line_breaks(tmp_path):
    # NIBRS_incident of CA-2021 with DATA_HOME moved first and, in incident 5002's record, a quoted
    # DATA_HOME spanning two lines: the records after it start one line later, and the key columns of
    # 5002 sit on its second line. The line each quarantined incident starts on, counted here by hand:
    # header 1, 5001 line 2, 5002 lines 3-4, 5003 line 5, 5004 line 6, 5005 line 7.
    bundle = tmp_path / "CA-2021"
    shutil.copytree(DATA / "CA-2021", bundle)
    src = (DATA / "CA-2021" / "NIBRS_incident.csv").read_text(encoding="utf-8").splitlines()
    out = []
    for line in src:
        head, _, rest = line.rpartition(',"C","F",')  # DATA_HOME, ORIG_FORMAT, DID (empty)
        if line.startswith('"DATA_YEAR"'):
            out.append('"DATA_HOME",' + line.replace(',"DATA_HOME"', ""))
            continue
        home = '"C\nsecond line, with a comma"' if ",5002," in head else '"C"'
        out.append(f'{home},{head},"F",{rest}')
    (bundle / "NIBRS_incident.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    q = fbi_nibrs.load(bundle).quarantine
    lines = {
        c: int(n) for c, n in zip(q["column"], q["raw_row"], strict=True) if c.startswith("NIBRS_incident")
    }
    assert lines["NIBRS_incident.AGENCY_ID"] == 6  # incident 5004, agency 999 (line 5 in the fixture)
    assert lines["NIBRS_incident.INCIDENT_DATE"] == 7  # incident 5005, 31-NOV-21 (line 6 in the fixture)


def test_rows_validate(result):
    assert schema.problems(result.rows) == []
    assert result.rows["figure_id"].is_unique


def test_zip_bundles_give_the_same_rows(tmp_path, result):
    for bundle in ("CA-2021", "CA-2022", "NV-2021"):
        with zipfile.ZipFile(tmp_path / f"{bundle}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted((DATA / bundle).iterdir()):
                zf.write(f, f"{bundle}/{f.name}")
    zipped = fbi_nibrs.load(tmp_path, allow_small_cells=True)
    cols = ["geo_code", "year", "metric", "breakdown", "value"]
    assert zipped.rows[cols].equals(result.rows[cols])
    assert zipped.read == result.read and len(zipped.quarantine) == len(result.quarantine)
    assert set(zipped.quarantine["raw_row"].astype(int)) == set(result.quarantine["raw_row"].astype(int))


def test_small_victim_cells_are_suppressed_by_default():
    rows = fbi_nibrs.load(DATA).rows
    victims = rows[
        (rows["metric"] == "victims_recorded") & (rows["geo_code"] == "US-CA") & (rows["year"] == 2021)
    ]
    total = victims[victims["breakdown"] == "total"]
    assert total["value"].tolist() == [6.0] and total["qualifier"].tolist() == ["exact"]  # totals are shown
    minors = victims[victims["breakdown"] == "age=minor"].iloc[0]
    assert minors["qualifier"] == "suppressed" and minors["value"] is pd.NA  # 3, withheld as 0 to 4
    assert (minors["value_low"], minors["value_high"]) == (0, 4)
    # every breakdown cell but 64A (5 victims) is below 5: 64B 2, minor 3, adult 2, age unknown 1, ...
    assert (victims["qualifier"] == "suppressed").sum() == 7
    female = victims[victims["breakdown"] == "offense=commercial_sex_acts"].iloc[0]
    assert female["value"] == 5 and female["qualifier"] == "exact"  # 5 is not below the threshold


def test_one_bundle(result):
    one = fbi_nibrs.load(DATA / "NV-2021")
    assert value(one.rows, "US-NV", 2021, "incidents_recorded") == 1
    assert value(one.rows, "USA", 2021, "offenses_actual") == 1
    assert one.read == 17 and len(one.quarantine) == 0


def test_missing_table_and_column(tmp_path):
    bundle = tmp_path / "XX"
    shutil.copytree(DATA / "NV-2021", bundle)
    (bundle / "NIBRS_VICTIM_OFFENSE.csv").unlink()
    with pytest.raises(SourceFormatError, match=r"NIBRS_VICTIM_OFFENSE\.csv"):
        fbi_nibrs.load(bundle)
    shutil.copy(DATA / "NV-2021" / "NIBRS_VICTIM_OFFENSE.csv", bundle)
    text = (bundle / "NIBRS_incident.csv").read_text().replace('"INCIDENT_DATE"', '"INC_DATE"')
    (bundle / "NIBRS_incident.csv").write_text(text)
    with pytest.raises(SourceFormatError, match="INCIDENT_DATE"):
        fbi_nibrs.load(bundle)


def test_a_short_row_names_the_zip_member_and_line(tmp_path):
    # incident 5002 (line 3 of CA-2021's NIBRS_incident.csv) loses its last two fields, in a zipped bundle
    lines = (DATA / "CA-2021" / "NIBRS_incident.csv").read_text().splitlines()
    lines[2] = lines[2].removesuffix(',"F",')
    bundle = tmp_path / "CA-2021.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for f in sorted((DATA / "CA-2021").iterdir()):
            text = "\n".join(lines) + "\n" if f.name == "NIBRS_incident.csv" else f.read_text()
            zf.writestr(f.name, text)
    with pytest.raises(SourceFormatError) as err:
        fbi_nibrs.load(bundle)
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == ("CA-2021.zip!NIBRS_incident.csv", 3)
    assert "Expected Number of Columns: 15 Found: 13" in problem.message
    assert "/unpacked/" not in str(err.value)  # the temporary copy of the member is not what the user gave


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14-SEP-19", (2019, 9, 14)),
        ("15-OCT-22", (2022, 10, 15)),
        ("2021-03-05T00:00:00", (2021, 3, 5)),
        ("29-FEB-20", (2020, 2, 29)),
        ("29-FEB-21", None),
        ("31-NOV-21", None),
        ("2021-03-05", (2021, 3, 5)),
        ("01-JAN-95", (1995, 1, 1)),
        ("", None),
        ("5/3/21", None),
    ],
)
def test_parse_date(text, expected):
    assert fbi_nibrs.parse_date(text) == expected


def test_real_layout_columns(real_data):
    """The real CDE samples hold every column the loader needs, and the real offense-type table maps
    64A and 64B to the ids the ORIGIN.md names (59, 60)."""
    import csv

    folder = real_data / "fbi" / "nibrs-layout"
    for name, table in (
        ("NIBRS_OFFENSE.head.csv", "nibrs_offense"),
        ("NIBRS_incident.head.csv", "nibrs_incident"),
    ):
        with open(folder / name, newline="") as fh:
            header = [h.lower() for h in next(csv.reader(fh))]
        assert set(fbi_nibrs.TABLES[table]) <= set(header)
    with open(folder / "NIBRS_OFFENSE_TYPE.csv", newline="") as fh:
        codes = {r["OFFENSE_CODE"]: r["OFFENSE_TYPE_ID"] for r in csv.DictReader(fh)}
    assert codes["64A"] == "59" and codes["64B"] == "60"
    for d in ("14-SEP-19", "31-MAR-20"):
        assert fbi_nibrs.parse_date(d) is not None


def _spark_missing() -> str | None:
    """Why the Spark engine cannot run here, or None."""
    import importlib.util
    import os

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'trafficking-stats[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not installed (Spark needs a JDK 17 on PATH or JAVA_HOME)"
    return None


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_spark_gives_the_same_rows(result):
    """The same FILTER_SQL on a local Spark session gives the rows and quarantine of DuckDB."""
    reason = _spark_missing()
    if reason:
        pytest.skip(f"Spark engine not tested: {reason}")
    spark = fbi_nibrs.load(DATA, engine="spark", allow_small_cells=True)
    cols = ["geo_code", "year", "metric", "breakdown", "value", "note"]
    assert spark.rows[cols].equals(result.rows[cols])
    assert spark.quarantine.equals(result.quarantine)
    assert spark.read == result.read == 119


def test_build_picks_the_bundles_up_from_the_bulk_folder(tmp_path):
    """`build --bulk DIR` loads DIR/fbi/nibrs (every bundle in it, together), hashes the folder and
    publishes state and national rows, not agency rows."""
    from trafficking_stats.build import build

    bulk = tmp_path / "bulk"
    shutil.copytree(DATA, bulk / "fbi" / "nibrs", ignore=shutil.ignore_patterns("*.md"))
    res = build(out_dir=tmp_path / "out", bulk_dir=bulk, write=False)
    rows = res.counts[res.counts["dataset"] == "fbi_nibrs"]
    assert set(rows["geo_level"].astype(str)) == {"state", "country"}
    assert value(rows, "US-CA", 2021, "offenses_actual") == 5
    assert res.manifest["row_accounting"]["fbi_nibrs:fbi/nibrs"]["read"] == 119
    (entry,) = [i for i in res.manifest["inputs"] if i["source"] == "fbi_nibrs"]
    assert entry["path"] == "fbi/nibrs" and len(entry["sha256"]) == 64
    assert entry["bytes"] == sum(f.stat().st_size for f in (bulk / "fbi" / "nibrs").rglob("*.csv"))


def test_monthly_figures():
    """monthly=True adds each month: the incident's NIBRS month, and the agencies that sent that month."""
    rows = fbi_nibrs.load(DATA, monthly=True).rows
    ca = rows[
        (rows["geo_code"] == "US-CA")
        & (rows["period_kind"] == "partial_year")
        & (rows["breakdown"] == "total")
    ]
    by_month = {
        (m, str(start)[:7]): v
        for m, start, v in zip(ca["metric"], ca["period_start"], ca["value"], strict=True)
    }
    inc = {k: v for (m, k), v in by_month.items() if m == "incidents_recorded"}
    # 2021: 5003 in February, 5001 and 5009 in March, 5002 in July; 2022: 15001 in June
    assert {k: v for k, v in inc.items() if v} == {"2021-02": 1, "2021-03": 2, "2021-07": 1, "2022-06": 1}
    ag = {k: v for (m, k), v in by_month.items() if m == "agencies_reporting"}
    assert ag["2021-06"] == 2 and ag["2021-07"] == 1  # agency 102 sent January to June only
    assert ca["year"].isna().all() and (ca["period_end"].astype(str).str[:10] == "2021-02-28").any()
    yearly = rows[rows["period_kind"] == "calendar_year"]
    assert value(yearly, "US-CA", 2021, "incidents_recorded") == 4


def test_the_command_line_loads_a_folder_of_bundles_and_one_zip(tmp_path):
    """``trafficking-stats load fbi_nibrs FOLDER`` (as DESIGN.md documents) and a single zip both load."""
    import subprocess
    import sys

    def load(path):
        out = tmp_path / "out.csv"
        res = subprocess.run(
            [sys.executable, "-m", "trafficking_stats.cli", "load", "fbi_nibrs", str(path), "-o", str(out)],
            capture_output=True,
            text=True,
        )
        assert "is a directory" not in res.stderr and "Traceback" not in res.stderr, res.stderr
        return res, pd.read_csv(out, keep_default_na=False)

    res, rows = load(DATA / "NV-2021")
    assert res.returncode == 0, res.stderr
    assert value(rows, "US-NV", 2021, "incidents_recorded") == 1  # counted by hand, as test_one_bundle
    zipped = tmp_path / "NV-2021.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in sorted((DATA / "NV-2021").iterdir()):
            zf.write(f, f.name)
    res, rows = load(zipped)
    assert res.returncode == 0, res.stderr
    assert value(rows, "US-NV", 2021, "incidents_recorded") == 1
    res = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "load", "fbi_nibrs", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "no such" in res.stderr
