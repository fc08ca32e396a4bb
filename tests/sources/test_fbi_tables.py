"""The FBI's published human-trafficking tables (Human Trafficking 2016 Tables 1-4, 2015 participation).

Expected numbers are the FBI's published national totals (1,007 / 189 / 1,196 offenses and 654 cleared
in 2016; 880 arrests for commercial sex acts, as given by BJS), hand counts from the files done here with
the csv module, or values read off the hand-written fixtures in tests/data/fbi_tables/.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import fbi_tables, registry
from trafficking_stats.sources.base import QUARANTINE_COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data" / "fbi_tables"
TABLES = "fbi/ucr-ht-2016-tables"
PARTICIPATION = "fbi/ucr-ht-2015-participation/human_trafficking_participation_by_state_2015.csv"


def _value(rows: pd.DataFrame, geo: str, metric: str, breakdown: str) -> float:
    hit = rows[(rows.geo_code == geo) & (rows.metric == metric) & (rows.breakdown == breakdown)]
    assert len(hit) == 1, hit
    return float(hit.value.iloc[0])


def _check(lr) -> None:
    """Every loader result: balanced, valid, unique figure ids, exact counts."""
    assert lr.balanced(), lr.accounting()
    assert schema.problems(lr.rows) == []
    assert lr.rows.figure_id.is_unique
    assert list(lr.rows.columns) == list(schema.COLUMN_NAMES)


def _plain_rows(path: Path, skip: int) -> list[list[str]]:
    """Data rows of a CSV with the csv module: skip the title/header records and blank rows."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[skip:]
    return [r for r in rows if any(c.strip() for c in r)]


def test_registered():
    assert registry()["fbi_tables"].info is fbi_tables.INFO
    assert fbi_tables.INFO.reporter_type in schema.REPORTER_TYPES
    # no metric of the vocabulary fits the participation table yet; agencies_reporting must not be used
    assert fbi_tables.PARTICIPATION_METRIC in (None, "agencies_participating")
    assert fbi_tables.PARTICIPATION_METRIC is None or fbi_tables.PARTICIPATION_METRIC in schema.METRICS


@pytest.fixture
def with_metric(monkeypatch) -> str:
    """Emit participation rows under a vocabulary metric (the module skips them while none fits)."""
    metric = fbi_tables.PARTICIPATION_METRIC or "agencies_reporting"
    monkeypatch.setattr(fbi_tables, "PARTICIPATION_METRIC", metric)
    return metric


# ------------------------------------------------------------------------------------------------------
# Real files
# ------------------------------------------------------------------------------------------------------


def test_bulk_patterns_match_the_publisher_files_only(real_data):
    found = sorted(
        p.relative_to(real_data).as_posix()
        for pat in fbi_tables.INFO.bulk_patterns
        for p in real_data.glob(pat)
    )
    assert found == [
        PARTICIPATION,
        f"{TABLES}/table-1.xls",
        f"{TABLES}/table-2.csv",
        f"{TABLES}/table-3.csv",
        f"{TABLES}/table-4.csv",
    ]


@pytest.mark.parametrize("name", ["table-1.xls", "table-1.csv"])
def test_table1_adds_up_to_the_published_national_totals(real_data, name):
    path = real_data / TABLES / "table-1.csv"
    plain = [r for r in _plain_rows(path, 5) if r[0].strip()]
    assert len(plain) == 36
    # columns: State, CSA offenses/cleared/under 18, IS offenses/cleared/under 18, Total ditto
    assert sum(int(r[1]) for r in plain) == 1007
    assert sum(int(r[4]) for r in plain) == 189
    assert sum(int(r[7]) for r in plain) == 1196
    assert sum(int(r[8]) for r in plain) == 654

    lr = fbi_tables.load(real_data / TABLES / name)
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine), lr.skipped) == (36, 36, 0, {})
    rows = lr.rows
    assert len(rows) == 36 * 9
    sums = rows.groupby(["metric", "breakdown"]).value.sum()
    assert sums["offenses_actual", "offense=commercial_sex_acts"] == 1007
    assert sums["offenses_actual", "offense=involuntary_servitude"] == 189
    assert sums["offenses_actual", "total"] == 1196
    assert sums["offenses_cleared", "total"] == 654
    assert set(rows.year) == {2016}
    assert {"US-PR", "US-VI"} <= set(rows.geo_code)
    assert "US-CA" not in set(rows.geo_code)
    assert _value(rows, "US-TX", "offenses_actual", "offense=involuntary_servitude") == 127
    assert _value(rows, "US-NV", "offenses_cleared_juvenile", "offense=commercial_sex_acts") == 35
    assert (rows.unit == "offenses").all()
    assert (rows.vintage == "Human Trafficking, 2016").all()


def test_table1_xls_and_csv_give_identical_rows(real_data):
    xls = fbi_tables.load(real_data / TABLES / "table-1.xls").rows
    txt = fbi_tables.load(real_data / TABLES / "table-1.csv").rows
    # raw_row is the sheet row in the workbook, the physical line in the CSV (its header spans 8 lines)
    ak_x = xls[xls.geo_code == "US-AK"].raw_row.unique().tolist()
    ak_c = txt[txt.geo_code == "US-AK"].raw_row.unique().tolist()
    assert (ak_x, ak_c) == ([6], [12])
    cols = [c for c in schema.COLUMN_NAMES if c not in ("raw_file", "raw_row")]
    pd.testing.assert_frame_equal(xls[cols], txt[cols])


def test_table2_forward_fills_states_and_matches_table3_totals(real_data):
    lr = fbi_tables.load(real_data / TABLES / "table-2.csv")
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (48, 48, 0)
    rows = lr.rows
    assert len(rows) == 48 * 4
    assert _value(rows, "US-TX", "arrests", "age=adult;offense=commercial_sex_acts;sex=female") == 119
    # the Involuntary servitude row has an empty State cell: it belongs to Texas
    assert _value(rows, "US-TX", "arrests", "age=adult;offense=involuntary_servitude;sex=male") == 9
    ca = rows[rows.geo_code == "US-CA"]
    assert len(ca) == 8 and ca.note.str.contains("'California\\*'").all()

    # independent: juvenile (male + female) and adult sums per state x offense, with plain csv, against
    # Table 3's published totals; the files disagree on one cell (Rhode Island, adult CSA: 2 vs 1)
    t2, state = {}, ""
    for r in _plain_rows(real_data / TABLES / "table-2.csv", 1):
        state = r[0] or state
        t2[(state.rstrip("*"), r[1])] = (int(r[2]) + int(r[3]), int(r[4]) + int(r[5]))
    t3 = fbi_tables.load(real_data / TABLES / "table-3.csv").rows
    t3_total = {(r.geo_name, r.breakdown): r.value for r in t3.itertuples()}
    diffs = []
    for (st, offense), (juv, adult) in t2.items():
        slug = offense.lower().replace(" ", "_")
        got = (t3_total[st, f"age=minor;offense={slug}"], t3_total[st, f"age=adult;offense={slug}"])
        if got != (juv, adult):
            diffs.append((st, offense, (juv, adult), got))
    assert diffs == [("Rhode Island", "Commercial sex acts", (0, 2), (0.0, 1.0))]


def test_table3_commercial_sex_arrests_match_the_published_national_total(real_data):
    path = real_data / TABLES / "table-3.csv"
    plain = _plain_rows(path, 1)
    # columns: State, Offense, 5 juvenile races, Juvenile total, 5 adult races, Adult total
    csa = [r for r in plain if r[1] == "Commercial sex acts"]
    assert sum(int(r[7]) + int(r[13]) for r in csa) == 880  # BJS: 880 CSA arrests in 2016
    lr = fbi_tables.load(path)
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (48, 48, 0)
    rows = lr.rows
    totals = rows[
        rows.breakdown.isin(
            ["age=minor;offense=commercial_sex_acts", "age=adult;offense=commercial_sex_acts"]
        )
    ]
    assert totals.value.sum() == 880
    assert _value(rows, "US-MN", "arrests", "age=adult;offense=commercial_sex_acts;race=white") == 142
    assert (
        _value(
            rows,
            "US-WA",
            "arrests",
            "age=minor;offense=involuntary_servitude;race=american_indian_or_alaska_native",
        )
        == 4
    )
    assert len(rows) == 48 * 12


def test_table4_emits_ethnicity_cells_not_its_totals(real_data):
    lr = fbi_tables.load(real_data / TABLES / "table-4.csv")
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (38, 38, 0)
    rows = lr.rows
    assert len(rows) == 38 * 4
    assert rows.breakdown.str.contains("ethnicity=").all()
    assert _value(rows, "US-MN", "arrests", "age=adult;ethnicity=hispanic;offense=commercial_sex_acts") == 42
    assert (
        _value(rows, "US-TX", "arrests", "age=adult;ethnicity=not_hispanic;offense=commercial_sex_acts")
        == 352
    )
    assert "US-AK" not in set(rows.geo_code)  # Table 4 lists fewer states than Tables 2 and 3
    assert rows.note.str.contains("ethnicity was reported").all()


def test_participation_2015(real_data, with_metric):
    path = real_data / PARTICIPATION
    raw = path.read_bytes().decode("ascii")
    assert "\n" not in raw  # CR-only line endings
    hand = {}
    for r in csv.reader(raw.split("\r")[1:]):
        hand[r[0].strip()] = int(r[1].rstrip("*").replace(",", ""))
    assert hand["Texas"] == 1080 and len(hand) == 39

    lr = fbi_tables.load(path)
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (39, 39, 0)
    rows = lr.rows
    assert len(rows) == 39
    assert (rows.metric == with_metric).all()
    assert (rows.unit == "agencies").all() and set(rows.year) == {2015}
    assert rows.value.sum() == sum(hand.values())
    assert _value(rows, "US-TX", with_metric, "total") == 1080
    assert _value(rows, "US-AZ", with_metric, "total") == 124  # 'Arizona '
    assert _value(rows, "US-CT", with_metric, "total") == 2  # '2*'
    ct = rows[rows.geo_code == "US-CT"].note.iloc[0]
    assert "footnote asterisk" in ct and "2*" in ct
    starred = set(rows[rows.note.str.contains("footnote asterisk")].geo_code)
    assert starred == {"US-CT", "US-ID", "US-ME", "US-NE", "US-NC", "US-RI"}
    assert {"US-GU", "US-PR", "US-VI"} <= set(rows.geo_code)


def test_participation_without_a_metric_is_skipped_by_a_named_rule(real_data, tmp_path, monkeypatch):
    monkeypatch.setattr(fbi_tables, "PARTICIPATION_METRIC", None)
    lr = fbi_tables.load(real_data / PARTICIPATION)
    assert lr.balanced() and len(lr.rows) == 0 and len(lr.quarantine) == 0
    assert (lr.read, lr.skipped) == (39, {"participation_no_metric": 39})
    # records are still checked: a bad one is quarantined, not skipped
    p = tmp_path / "p.csv"
    p.write_text("state,agencies\nTexas,5\nAtlantis,3\n", encoding="utf-8")
    lr = fbi_tables.load(p)
    assert lr.balanced() and (lr.read, lr.skipped, len(lr.quarantine)) == (
        2,
        {"participation_no_metric": 1},
        1,
    )


def test_cli_load_prints_the_normalized_csv(real_data):
    for name in ("table-1.xls",):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "trafficking_stats.cli",
                "load",
                "fbi_tables",
                str(real_data / TABLES / name),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[0] == ",".join(schema.COLUMN_NAMES)


# ------------------------------------------------------------------------------------------------------
# Fixtures written by hand
# ------------------------------------------------------------------------------------------------------


def test_fixture_table1_title_rows_two_level_header_and_blank_rows():
    lr = fbi_tables.load(DATA / "table1_small.csv")
    _check(lr)
    # 4 states; the 4 rows of bare commas at the end are not records
    assert (lr.read, lr.n_used, len(lr.quarantine), lr.skipped) == (4, 4, 0, {})
    rows = lr.rows
    assert len(rows) == 36
    nv = rows[rows.geo_code == "US-NV"]
    assert set(nv.raw_row) == {12}  # 3 title lines, header lines 4-11 (embedded newlines)
    got = {(r.metric, r.breakdown): r.value for r in nv.itertuples()}
    assert got == {
        ("offenses_actual", "offense=commercial_sex_acts"): 10,
        ("offenses_cleared", "offense=commercial_sex_acts"): 4,
        ("offenses_cleared_juvenile", "offense=commercial_sex_acts"): 1,
        ("offenses_actual", "offense=involuntary_servitude"): 2,
        ("offenses_cleared", "offense=involuntary_servitude"): 1,
        ("offenses_cleared_juvenile", "offense=involuntary_servitude"): 0,
        ("offenses_actual", "total"): 12,
        ("offenses_cleared", "total"): 5,
        ("offenses_cleared_juvenile", "total"): 1,
    }
    first = nv[(nv.metric == "offenses_actual") & (nv.breakdown == "total")].iloc[0]
    assert first.figure_id == "2016-t1-us-nv-offenses-actual-total"
    assert (first.period_start, first.period_end, first.period_kind, first.year) == (
        "2016-01-01",
        "2016-12-31",
        "calendar_year",
        2016,
    )
    assert (first.value, first.qualifier, first.value_low, first.value_high) == (12, "exact", 12, 12)
    assert (first.reporter, first.reporter_type, first.geo_name) == (
        "FBI Uniform Crime Reporting Program",
        "police",
        "Nevada",
    )
    # cleared (6) above offenses (5) is allowed: clearances can be of earlier years' offenses
    assert _value(rows, "US-TX", "offenses_cleared", "offense=involuntary_servitude") == 6
    assert _value(rows, "US-VI", "offenses_actual", "total") == 1  # 'U.S. Virgin Islands ' (trailing space)
    assert set(rows[rows.geo_code == "US-PR"].value) == {0}
    assert "Year from the edition" not in first.note  # the year came from the title row


def test_fixture_table1_implausible_rows_are_quarantined_with_reasons():
    lr = fbi_tables.load(DATA / "table1_implausible.csv")
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (6, 1, 5)
    assert set(lr.rows.geo_code) == {"US-OH"}
    q = {int(r.raw_row): r for r in lr.quarantine.itertuples()}
    assert sorted(q) == [13, 14, 15, 16, 17]
    assert q[13].column == "Total: offenses" and "3 + involuntary servitude 1 != total 5" in q[13].reason
    assert q[14].column == "Commercial sex acts: clearances under 18"
    assert "exceed the offenses cleared" in q[14].reason and q[14].text == "3"
    assert q[15].column == "State" and "'Atlantis' is not a US state" in q[15].reason
    assert q[16].text == "-1" and "negative" in q[16].reason
    assert "duplicate of the row on line 12" in q[17].reason
    assert set(lr.quarantine.columns) == set(QUARANTINE_COLUMNS)


def test_fixture_participation_cr_only_asterisks_and_thousands(with_metric):
    lr = fbi_tables.load(DATA / "participation_cr.csv")
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (5, 5, 0)
    got = {(r.geo_code, int(r.raw_row)): r.value for r in lr.rows.itertuples()}
    assert got == {("US-AZ", 2): 124, ("US-CT", 3): 2, ("US-GU", 4): 1, ("US-TX", 5): 1080, ("US-VI", 6): 1}
    notes = lr.rows.set_index("geo_code").note
    assert "footnote asterisk (agencies 2*)" in notes["US-CT"]
    assert "footnote asterisk" not in notes["US-TX"]
    assert (
        lr.rows.figure_id
        == lr.rows.geo_code.map(
            lambda c: f"2015-participation-{c.lower()}-{with_metric.replace('_', '-')}-total"
        )
    ).all()


def test_fixture_table2_forward_fill():
    lr = fbi_tables.load(DATA / "table2_ffill.csv")
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (4, 4, 0)  # the blank row is not a record
    got = {(r.geo_code, int(r.raw_row), r.breakdown): r.value for r in lr.rows.itertuples() if r.value}
    assert got == {
        ("US-CA", 6, "age=adult;offense=commercial_sex_acts;sex=male"): 1,
        ("US-TX", 9, "age=minor;offense=commercial_sex_acts;sex=male"): 1,
        ("US-TX", 9, "age=minor;offense=commercial_sex_acts;sex=female"): 39,
        ("US-TX", 9, "age=adult;offense=commercial_sex_acts;sex=male"): 352,
        ("US-TX", 9, "age=adult;offense=commercial_sex_acts;sex=female"): 119,
        ("US-TX", 10, "age=adult;offense=involuntary_servitude;sex=male"): 9,
        ("US-TX", 10, "age=adult;offense=involuntary_servitude;sex=female"): 5,
    }
    ca = lr.rows[lr.rows.geo_code == "US-CA"]
    assert len(ca) == 8 and set(ca.raw_row) == {6, 7}
    assert ca.note.str.contains("'California\\*' with a footnote asterisk").all()
    assert lr.rows.note.str.contains("Year from the edition").all()
    assert set(lr.rows.year) == {2016}


# ------------------------------------------------------------------------------------------------------
# Layout errors and checks, on small files written here
# ------------------------------------------------------------------------------------------------------

T2_HEADER = "State,Offense,Juvenile male,Juvenile female,Adult male,Adult female\n"
T3_HEADER = (
    "State,Offense,Juvenile White,Junevile Black or African American,"
    "Junevile American Indian or Alaska Native,Junevile Asian,"
    "Junevile Native Hawaiian or Other Pacific Islander,Junevile Total,Adult White,"
    "Adult Black or African American,Adult American Indian or Alaska Native,Adult Asian,"
    "Adult Native Hawaiian or Other Pacific Islander,Adult Total\n"
)
T4_HEADER = (
    "State,Offense,Juvenile Hispanic,Not Hispanic or Latino,Total,"
    "Adult  Hispanic ,Not Hispanic or Latino,Total\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _error(path: Path) -> str:
    with pytest.raises(SourceFormatError) as exc:
        fbi_tables.load(path)
    return str(exc.value)


def test_wrong_header_cell_names_line_and_column(tmp_path):
    p = _write(
        tmp_path,
        "t.csv",
        T2_HEADER.replace("Juvenile male", "Juvenile boys") + "Texas,Commercial sex acts,0,0,1,0\n",
    )
    msg = _error(p)
    assert f"{p}:1: column 'juvenile male'" in msg
    assert "expected header 'juvenile male' in column 3, found 'juvenile boys'" in msg


def test_wrong_second_header_row_of_table1(tmp_path):
    text = (DATA / "table1_small.csv").read_text(encoding="utf-8").replace('"Total  \ncleared"', "Cleared", 1)
    p = _write(tmp_path, "t1.csv", text)
    msg = _error(p)
    assert ":5: column 'total cleared'" in msg and "found 'cleared'" in msg


def test_unknown_tables_are_refused(tmp_path):
    msg = _error(_write(tmp_path, "a.csv", "State,Population\nTexas,29000000\n"))
    assert "unknown table" in msg and ":1:" in msg
    msg = _error(_write(tmp_path, "b.csv", "Country,Victims\nMexico,3\n"))
    assert "unknown table: no header row starting with 'State'" in msg
    msg = _error(_write(tmp_path, "c.csv", "State,Offense,Foo,Bar\nTexas,Commercial sex acts,1,2\n"))
    assert "unknown table" in msg


def test_detection_uses_content_not_the_file_name(tmp_path):
    # a Table 2 layout in a file named like Table 1 is read as Table 2
    p = _write(tmp_path, "table-1.csv", T2_HEADER + "Ohio,Commercial sex acts,0,1,2,3\n")
    rows = fbi_tables.load(p).rows
    assert set(rows.metric) == {"arrests"} and len(rows) == 4


def test_title_rows_must_name_the_table_and_a_year_in_range(tmp_path):
    text = (DATA / "table1_small.csv").read_text(encoding="utf-8")
    msg = _error(
        _write(tmp_path, "x.csv", text.replace("Offenses and Clearances by State, 2016", "Arrests, 2016"))
    )
    assert "do not name the table" in msg and ":1:" in msg
    msg = _error(_write(tmp_path, "y.csv", text.replace("State, 2016", "State, 2009")))
    assert "title year 2009 is outside" in msg
    msg = _error(_write(tmp_path, "z.csv", text.replace("State, 2016", "State")))
    assert "no title row states the year" in msg
    # with the FBI's title rows, Tables 2-4 take their year from the title
    t2 = _write(
        tmp_path,
        "t2.csv",
        'Table 2,,,,,\n"Arrests by State, 2017",,,,,\n' + T2_HEADER + "Ohio,Commercial sex acts,0,1,2,3\n",
    )
    rows = fbi_tables.load(t2).rows
    assert set(rows.year) == {2017} and not rows.note.str.contains("Year from the edition").any()


def test_title_less_file_named_for_another_year_is_refused(tmp_path):
    msg = _error(_write(tmp_path, "participation_by_state_2016.csv", "state,agencies\nTexas,5\n"))
    assert "file name says 2016" in msg


def test_not_a_workbook_and_not_text(tmp_path):
    p = tmp_path / "t.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert "cannot read the workbook" in _error(p)


def test_table3_and_table4_sums_are_checked(tmp_path):
    t3 = _write(
        tmp_path,
        "t3.csv",
        T3_HEADER
        + "Ohio,Commercial sex acts,1,1,0,0,0,2,3,0,0,0,0,3\n"
        + ",Involuntary servitude,1,1,0,0,0,2,3,1,0,0,0,3\n",
    )
    lr = fbi_tables.load(t3)
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (2, 1, 1)
    q = lr.quarantine.iloc[0]
    assert (q.raw_row, q.column) == (3, "adult total")
    assert "adult arrests by race add up to 4, not to the total 3" in q.reason
    t4 = _write(
        tmp_path,
        "t4.csv",
        T4_HEADER + "Ohio,Commercial sex acts,0,1,1,2,3,5\n" + ",Involuntary servitude,0,1,2,0,0,0\n",
    )
    lr = fbi_tables.load(t4)
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (2, 1, 1)
    q = lr.quarantine.iloc[0]
    assert q.raw_row == 3 and "Hispanic 0 + Not Hispanic 1 != total 2" in q.reason


def test_forward_fill_from_an_unknown_state_quarantines_both_rows(tmp_path):
    p = _write(
        tmp_path,
        "t.csv",
        T2_HEADER
        + "Atlantis,Commercial sex acts,0,0,1,0\n,Involuntary servitude,0,0,0,0\n"
        + "Ohio,Human smuggling,0,0,1,0\nOhio,Commercial sex acts,0,0,x,0\n",
    )
    lr = fbi_tables.load(p)
    _check(lr)
    assert (lr.read, lr.n_used, len(lr.quarantine)) == (4, 0, 4)
    reasons = lr.quarantine.reason.tolist()
    assert "'Atlantis' is not a US state" in reasons[0] and "'Atlantis' is not a US state" in reasons[1]
    assert "expected offense" in reasons[2]
    assert lr.quarantine.iloc[3].column == "adult male" and "cannot read a count" in reasons[3]
