"""CTDC loader: the real 63-column excerpt (hand counts), hand-written fixtures of both layouts, errors."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import ctdc, registry

DATA = Path(__file__).resolve().parents[1] / "data" / "ctdc"
EXCERPT = Path("ctdc") / "human_trafficking__EXCERPT.csv"
DICTIONARY = Path("ctdc") / "CTDC Global Dataset DATA DICTIONARY version 15082018.xlsx"


def _values(rows: pd.DataFrame, geo_code: str) -> dict[tuple[int, str], float]:
    sub = rows[rows["geo_code"] == geo_code]
    return {
        (int(y), b): float(v) for y, b, v in zip(sub["year"], sub["breakdown"], sub["value"], strict=True)
    }


def _check_common(res) -> None:  # type: ignore[no-untyped-def]
    assert res.balanced(), res.accounting()
    assert schema.problems(res.rows) == []
    assert res.rows["figure_id"].is_unique
    assert list(res.quarantine.columns) == ["dataset", "raw_file", "raw_row", "column", "text", "reason"]
    exact = res.rows[["value", "value_low", "value_high"]]
    assert (exact["value"] == exact["value_low"]).all() and (exact["value"] == exact["value_high"]).all()


def test_registered():
    assert registry()["ctdc"].info.reporter_type == "intergovernmental"
    # bulk patterns match publisher file names, never the excerpt
    assert not any(Path("ctdc/human_trafficking__EXCERPT.csv").match(p) for p in ctdc.INFO.bulk_patterns)
    assert any(Path("ctdc/human_trafficking.csv").match(p) for p in ctdc.INFO.bulk_patterns)


# ---------------------------------------------------------------------------------------------------------
# The real excerpt: counts checked against a hand count with the csv module
# ---------------------------------------------------------------------------------------------------------


def test_real_excerpt_matches_hand_count(real_data):
    path = real_data / EXCERPT
    with open(path, newline="") as fh:
        records = list(csv.DictReader(fh))
    per_year = Counter(r["yearOfRegistration"] for r in records)
    per_year_country = Counter(
        (r["yearOfRegistration"], r["CountryOfExploitation"])
        for r in records
        if r["CountryOfExploitation"] not in ("-99", "00")
    )
    res = ctdc.load(path)
    _check_common(res)
    assert res.read == len(records) == 17
    assert res.n_used == 17 and len(res.quarantine) == 0 and res.skipped == {}

    tot = res.rows[res.rows["breakdown"] == "total"]
    wt = tot[tot.geo_code == "world-ctdc"]
    world = {str(y): v for y, v in zip(wt.year, wt.value, strict=True)}
    assert world == {y: float(n) for y, n in per_year.items()}
    iso2 = {"PH": "PHL", "US": "USA", "UG": "UGA"}
    countries = {
        (str(y), c): v for y, c, v in zip(tot.year, tot.geo_code, tot.value, strict=True) if c != "world-ctdc"
    }
    assert countries == {(y, iso2[c]): float(n) for (y, c), n in per_year_country.items()}
    # 2016: six records, two without a country of exploitation (-99) -> world 6, Philippines 4
    assert world["2016"] == 6 and countries[("2016", "PHL")] == 4


def test_real_excerpt_breakdowns(real_data):
    path = real_data / EXCERPT
    with open(path, newline="") as fh:
        records = list(csv.DictReader(fh))
    res = ctdc.load(path)
    w = _values(res.rows, "world-ctdc")
    for year in (2002, 2016, 2018, 2019):
        recs = [r for r in records if r["yearOfRegistration"] == str(year)]
        hotline = sum(r["Datasource"] == "Hotline" for r in recs)
        assert w.get((year, "source=hotline"), 0) == hotline
        assert w.get((year, "source=case_management"), 0) == len(recs) - hotline
        sexual = sum(r["isSexualExploit"] == "1" or r["isSexAndLabour"] == "1" for r in recs)
        assert w.get((year, "exploitation=sexual"), 0) == sexual
        female = sum(r["gender"] == "Female" for r in recs)
        assert w.get((year, "sex=female"), 0) == female
    assert w[2002, "age=18_20"] == 3  # written 18--20 in the file
    assert w[2016, "exploitation=other"] == 2
    assert w[2019, "age=30_38"] == 2 and (2019, "age=18_20") not in w  # two are -99
    assert set(res.rows["geo_code"]) == {"world-ctdc", "PHL", "USA", "UGA"}


def test_dictionary_country_codes_all_load(real_data, tmp_path):
    """Every code of the 2018 dictionary's country lookup loads: known, unknown (00) or former (AN, ZR)."""
    sheets = pd.read_excel(
        real_data / DICTIONARY, sheet_name=None, header=None, engine="calamine", keep_default_na=False
    )
    lookups = next(v for k, v in sheets.items() if k.strip() == "Lookups")
    start = next(i for i, a in enumerate(lookups[0]) if str(a).strip() == "Country")
    codes = [str(c).strip() for c in lookups[1][start + 1 :] if str(c).strip()]
    assert "NA" in codes and "00" in codes and len(codes) > 240
    ages = [str(c).strip() for c in lookups[0]]  # the age bands sit in column A under "Age range 2"
    a0 = ages.index("Age range 2")
    bands = [str(c).strip() for c in lookups[1][a0 + 1 : a0 + 12] if str(c).strip()]
    assert bands[0] == "0--8" and bands[-1] == "48+"

    header = (real_data / EXCERPT).read_text().splitlines()[0].split(",")
    template = (real_data / EXCERPT).read_text().splitlines()[1].split(",")
    i_c, i_a = header.index("CountryOfExploitation"), header.index("ageBroad")
    lines = [",".join(header)]
    for n, code in enumerate(codes):
        row = list(template)
        row[i_c] = code
        row[i_a] = bands[n % len(bands)]
        lines.append(",".join(row))
    f = tmp_path / "all_codes.csv"
    f.write_text("\n".join(lines) + "\n")
    res = ctdc.load(f)
    _check_common(res)
    assert len(res.quarantine) == 0 and res.n_used == len(codes)
    w = _values(res.rows, "world-ctdc")
    assert w[2002, "total"] == len(codes)
    assert sum(v for (_, b), v in w.items() if b.startswith("age=")) == len(codes)  # every band maps
    nam = _values(res.rows, "NAM")
    assert nam[2002, "total"] == 1  # NA is Namibia, not missing
    n_country_rows = res.rows[(res.rows.geo_code != "world-ctdc") & (res.rows.breakdown == "total")]
    former_or_unknown = {"00", "AN", "ZR"}
    assert n_country_rows["value"].sum() == len(codes) - len(former_or_unknown)  # one record per lookup row
    # CN and TL appear twice in the lookup (TL: "TIMOR-LESTE" and "TIMOR LESTE")
    assert _values(res.rows, "TLS")[2002, "total"] == 2


def test_cli_load_real_excerpt(real_data):
    proc = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "load", "ctdc", str(real_data / EXCERPT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == ",".join(schema.COLUMN_NAMES)
    assert len(proc.stdout.splitlines()) == 1 + 34


# ---------------------------------------------------------------------------------------------------------
# Hand-written fixtures
# ---------------------------------------------------------------------------------------------------------


def test_kanon_fixture_values():
    res = ctdc.load(DATA / "kanon_quirks.csv")
    _check_common(res)
    # 13 records (line 9 is blank): 8 used, 1 without a year, 4 quarantined
    assert res.read == 13 and res.n_used == 8
    assert res.skipped == {"year_missing": 1}
    q = res.quarantine
    assert list(q["raw_row"]) == [7, 10, 12, 15]
    assert list(q["column"]) == ["yearOfRegistration", "CountryOfExploitation", "", "gender"]
    assert list(q["text"])[:2] == ["1999", "XX"] and q["text"][3] == "Robot"
    assert "outside 2002.." in q["reason"][0]
    assert "not an ISO 3166-1 alpha-2" in q["reason"][1]
    assert q["reason"][2] == "expected 63 fields (as in the header), found 3"

    w = _values(res.rows, "world-ctdc")
    assert w == {
        # 2017: lines 4 (US), 5 (-99), 6 (00), 11 (AN, a former code): all in the world row
        (2017, "total"): 4,
        (2017, "sex=female"): 1,
        (2017, "sex=male"): 1,
        (2017, "sex=transgender"): 1,  # line 4 is Unknown: in no sex row
        (2017, "age=9_17"): 1,
        (2017, "age=21_23"): 1,
        (2017, "age=48_plus"): 1,
        (2017, "exploitation=labour"): 2,  # isForcedLabour (4) + isSexAndLabour (5)
        (2017, "exploitation=sexual"): 1,  # isSexAndLabour (5)
        (2017, "exploitation=other"): 1,  # isForcedMarriage (6)
        (2017, "source=case_management"): 2,  # "Case management" (5) and "Case Management" (6)
        (2017, "source=hotline"): 2,
        (2018, "total"): 1,
        (2018, "sex=male"): 1,
        (2018, "age=0_8"): 1,
        (2018, "exploitation=sexual"): 1,
        (2018, "source=hotline"): 1,
        # 2019: lines 2, 3 (an exact duplicate) and 13, all NA = Namibia
        (2019, "total"): 3,
        (2019, "sex=female"): 3,
        (2019, "age=18_20"): 2,
        (2019, "age=24_26"): 1,
        (2019, "exploitation=sexual"): 2,
        (2019, "exploitation=labour"): 1,
        (2019, "source=case_management"): 3,
    }
    nam = _values(res.rows, "NAM")
    assert nam[2019, "total"] == 3 and nam[2019, "age=18_20"] == 2
    assert _values(res.rows, "USA") == {
        (2017, "total"): 1,
        (2017, "age=9_17"): 1,
        (2017, "exploitation=labour"): 1,
        (2017, "source=hotline"): 1,
        (2018, "total"): 1,
        (2018, "sex=male"): 1,
        (2018, "age=0_8"): 1,
        (2018, "exploitation=sexual"): 1,
        (2018, "source=hotline"): 1,
    }
    assert set(res.rows["geo_code"]) == {"world-ctdc", "NAM", "USA"}


def test_kanon_fixture_row_fields():
    res = ctdc.load(DATA / "kanon_quirks.csv")
    r = res.rows.set_index("figure_id").loc["kanon-2019-nam-victims-identified-total"]
    assert r["geo_level"] == "country" and r["geo_name"] == "Namibia"
    assert (r["period_start"], r["period_end"], r["period_kind"], r["year"]) == (
        "2019-01-01",
        "2019-12-31",
        "calendar_year",
        2019,
    )
    assert r["metric"] == "victims_identified" and r["unit"] == "persons" and r["qualifier"] == "exact"
    assert r["reporter"] == "Counter-Trafficking Data Collaborative (IOM, Polaris, Liberty Shared)"
    assert r["reporter_type"] == "intergovernmental" and r["citation"] == ctdc.INFO.citation
    assert pd.isna(r["raw_row"])
    assert "not a measure of prevalence" in r["note"] and "k-anonymised" in r["note"]
    ex = res.rows[res.rows.breakdown.str.startswith("exploitation=")]
    assert ex["note"].str.contains("do not add up to the total").all()
    world = res.rows[res.rows.geo_code == "world-ctdc"]
    assert world["note"].str.contains("country of exploitation is missing").all()


def test_synthetic_2024_fixture():
    res = ctdc.load(DATA / "synthetic_2024.csv")
    _check_common(res)
    assert res.read == 8 and res.n_used == 6 and res.skipped == {}
    assert list(res.quarantine["raw_row"]) == [8, 9]
    assert list(res.quarantine["text"]) == ["NA", "2099"]  # NA is no alpha-3 code; 2099 is in the future
    assert not res.rows["breakdown"].str.startswith("source=").any()  # no Datasource column
    assert _values(res.rows, "world-ctdc") == {
        (2021, "total"): 4,  # lines 4 (NULL country), 5 (empty everything), 6, 7 (a duplicate)
        (2021, "sex=female"): 2,
        (2021, "sex=transgender"): 1,
        (2021, "age=9_17"): 2,
        (2021, "age=18_20"): 1,  # written 18—20 (em dash)
        (2021, "exploitation=sexual"): 2,
        (2021, "exploitation=other"): 1,
        (2022, "total"): 2,
        (2022, "sex=female"): 1,
        (2022, "sex=male"): 1,
        (2022, "age=0_8"): 1,
        (2022, "age=48_plus"): 1,
        (2022, "exploitation=sexual"): 2,
        (2022, "exploitation=labour"): 1,
    }
    assert _values(res.rows, "PHL") == {
        (2021, "total"): 2,
        (2021, "sex=female"): 2,
        (2021, "age=9_17"): 2,
        (2021, "exploitation=sexual"): 2,
    }
    assert _values(res.rows, "NAM")[2022, "total"] == 1
    assert _values(res.rows, "POL")[2022, "exploitation=labour"] == 1
    assert res.rows["figure_id"].str.startswith("synthetic-").all()
    assert res.rows["note"].str.contains("synthetic records").all()


def test_line_numbers_follow_unsorted_rows_and_blank_lines(tmp_path):
    text = (DATA / "kanon_quirks.csv").read_text().splitlines()
    # move the impossible-year row (line 7) to the end, after two blank lines
    moved = [*text[:6], *text[7:], "", "", text[6]]
    f = tmp_path / "moved.csv"
    f.write_text("\n".join(moved) + "\n")
    res = ctdc.load(f)
    assert res.balanced()
    assert res.quarantine.set_index("text").loc["1999", "raw_row"] == len(moved)


@pytest.mark.parametrize(
    ("name", "column"),
    [("bad_header.csv", "Datasource"), ("kanon_missing_column.csv", "CountryOfExploitation")],
)
def test_unknown_header_raises(name, column):
    with pytest.raises(SourceFormatError) as exc:
        ctdc.load(DATA / name)
    p = exc.value.problems[0]
    assert (Path(p.file).name, p.line, p.column) == (name, 1, column)
    assert f"{name}:1: column '{column}'" in str(exc.value)


def test_other_headers_raise(tmp_path):
    f = tmp_path / "fbi.csv"
    f.write_text("DATA_YEAR,ORI,ACTUAL_COUNT\n2019,MD0130000,1\n")
    with pytest.raises(SourceFormatError, match=r"fbi.csv:1: column 'yearOfRegistration'"):
        ctdc.load(f)
    e = tmp_path / "empty.csv"
    e.write_text("")
    with pytest.raises(SourceFormatError, match="empty"):
        ctdc.load(e)


def test_bad_byte_in_a_read_column_names_its_line(tmp_path):
    lines = (DATA / "kanon_quirks.csv").read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"Hotline", b"Hot\xe9line")
    f = tmp_path / "latin1.csv"
    f.write_bytes(b"\n".join(lines))
    with pytest.raises(SourceFormatError, match=r"latin1.csv:4: byte 0xe9 is not UTF-8"):
        ctdc.load(f)


def test_header_only_is_a_format_error(tmp_path):
    """A header with nothing below it is a broken export, not an empty year: say so (issue 6)."""
    f = tmp_path / "header.csv"
    f.write_text((DATA / "kanon_quirks.csv").read_text().splitlines()[0] + "\n")
    with pytest.raises(SourceFormatError, match=r"header.csv:1: the file has a header but no records"):
        ctdc.load(f)


def test_a_header_with_a_lone_carriage_return_is_a_format_error(tmp_path):
    """Found by tests/test_fuzz.py: csv.Error escaped from the header reader."""
    f = tmp_path / "cr.csv"
    f.write_bytes(b"yearOfRegistration,gender\r,x\n2019,Female\n")
    with pytest.raises(SourceFormatError, match=r"cr.csv:1: cannot read the header as CSV"):
        ctdc.load(f)
