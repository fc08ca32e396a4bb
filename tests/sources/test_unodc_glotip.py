"""The UNODC GLOTIP source (``data_glotip.xlsx``, sheet ``data_glotip_1``).

Checks on the real file compute their expected numbers independently with plain pandas (or take them from
source-notes.md section 3); fixture checks use values worked out by hand from the small sheets in
tests/data/unodc_glotip/*.csv.

No xlsx writer (openpyxl, xlsxwriter) is installed in the project's environment, so the fixtures are kept
as CSV text and turned into real ``.xlsx`` workbooks at test time by :func:`write_xlsx` below, a minimal
SpreadsheetML writer using only ``zipfile`` (inline strings; the ``Year`` cells of data rows as numbers,
as in UNODC's file). The loader then reads them through python-calamine exactly like the real file.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.sources import registry, unodc_glotip
from trafficking_stats.sources.base import figure_id

DATA = Path(__file__).resolve().parents[1] / "data" / "unodc_glotip"
REAL = Path("unodc") / "glotip-2024-03" / "data_glotip.xlsx"

# ----------------------------------------------------------------------------------- a tiny xlsx writer


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "data_glotip_1") -> Path:
    """Write ``rows`` as the only sheet of a minimal .xlsx (strings inline, ints and floats as numbers)."""
    cells = []
    for r, row in enumerate(rows, start=1):
        out = []
        for c, v in enumerate(row):
            ref = f"{_col(c)}{r}"
            if isinstance(v, int | float):
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif v != "":
                out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>')
        cells.append(f'<row r="{r}">{"".join(out)}</row>')
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'
            + "".join(cells)
            + "</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def fixture_rows(name: str) -> list[list[object]]:
    """A fixture sheet from its CSV text; below the ``Iso3_code`` header, ``Year`` cells become numbers."""
    with open(DATA / name, newline="", encoding="utf-8") as fh:
        rows: list[list[object]] = [list(r) for r in csv.reader(fh)]
    for i, row in enumerate(rows):
        if row and row[0] == "Iso3_code":
            y = row.index("Year")
            for r in rows[i + 1 :]:
                if r[y].isdigit():
                    r[y] = int(r[y])
            break
    return rows


def fixture_xlsx(tmp_path: Path, name: str, folder: str = "glotip-2099-01") -> Path:
    d = tmp_path / folder
    d.mkdir(exist_ok=True)
    return write_xlsx(d / "data_glotip.xlsx", fixture_rows(name))


def _one(rows: pd.DataFrame, **where: object) -> pd.Series:
    sel = rows
    for col, val in where.items():
        sel = sel[sel[col].astype("object") == val]
    assert len(sel) == 1, (where, sel[["figure_id", "value"]])
    return sel.iloc[0]


# --------------------------------------------------------------------------------------------- metadata


def test_registered_with_metadata():
    src = registry()["unodc_glotip"]
    info = src.info
    assert info.reporter_type == "intergovernmental"
    assert info.citation == "unodc-glotip"
    assert info.bulk_patterns == ("unodc/glotip-*/data_glotip.xlsx",)
    assert info.download_url.endswith("/data_glotip.xlsx")
    assert src.load.__wrapped__ is unodc_glotip.load  # behind the registry's library-error guard


# ------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def quirks(tmp_path: Path):
    return unodc_glotip.load(fixture_xlsx(tmp_path, "quirks.csv"))


def test_quirks_row_accounting(quirks):
    # 24 data rows below the header, one of them blank (not a record): 23 read.
    assert quirks.read == 23
    assert quirks.skipped == {"regional_aggregate": 2, "sark_no_country_code": 1}
    assert len(quirks.quarantine) == 9
    assert len(quirks.rows) == 11
    assert quirks.balanced()
    assert sorted(quirks.rows["raw_row"].tolist()) == [2, 3, 4, 5, 8, 10, 12, 14, 20, 21, 24]
    assert list(quirks.quarantine.columns) == ["dataset", "raw_file", "raw_row", "column", "text", "reason"]


def test_quirks_values_by_hand(quirks):
    rows = quirks.rows
    total = _one(rows, raw_row=2)
    assert (total.geo_code, total.geo_name, total.metric, total.breakdown) == (
        "ALB",
        "Albania",
        "victims_identified",
        "total",
    )
    assert (total.value, total.qualifier, total.value_low, total.value_high) == (95, "exact", 95, 95)
    assert (total.period_start, total.period_end, total.period_kind, total.year) == (
        "2017-01-01",
        "2017-12-31",
        "calendar_year",
        2017,
    )
    assert (total.unit, total.vintage, total.citation, total.reporter, total.reporter_type) == (
        "persons",
        "2099-01",  # from the folder name glotip-2099-01: the sheet has no title rows
        "unodc-glotip",
        "UNODC (national authorities' official statistics)",
        "intergovernmental",
    )
    assert total.figure_id == "2099-01-alb-2017-victims-identified-total"
    assert _one(rows, raw_row=3).breakdown == "age=minor;sex=female"
    sup = _one(rows, raw_row=4)
    assert sup.breakdown == "age=adult;sex=male"
    assert pd.isna(sup.value) and (sup.qualifier, sup.value_low, sup.value_high) == ("suppressed", 0, 4)
    assert _one(rows, raw_row=5).breakdown == "exploitation=sexual"
    assert _one(rows, raw_row=8).breakdown == "citizenship=nationals"
    ivoire = _one(rows, raw_row=10)  # "CÃ´te d'Ivoire": UTF-8 read as Windows-1252, repaired
    assert ivoire.breakdown == "citizenship=civ"
    assert "resolved to an ISO 3166-1 alpha-3 code" in ivoire.note
    thousands = _one(rows, raw_row=12)
    assert (thousands.metric, thousands.value, thousands.qualifier) == ("convictions", 1035, "exact")
    kosovo = _one(rows, raw_row=14)
    assert (kosovo.geo_code, kosovo.geo_name, kosovo.metric, kosovo.unit, kosovo.value) == (
        "XKX",
        "Kosovo",
        "offenses_recorded",
        "offenses",
        12,
    )
    unknown = _one(rows, raw_row=20)
    assert (unknown.metric, unknown.breakdown) == ("persons_formal_contact", "age=unknown;sex=unknown")
    assert _one(rows, raw_row=21).breakdown == "repatriation=abroad"
    pros = _one(rows, raw_row=24)
    assert (pros.metric, pros.qualifier, pros.breakdown) == ("prosecutions", "suppressed", "total")
    assert rows["figure_id"].is_unique


def test_quirks_quarantine_reasons(quirks):
    q = quirks.quarantine.set_index("raw_row")
    assert sorted(q.index) == [6, 7, 9, 11, 13, 18, 22, 23, 25]
    assert "unnamed sub-forms of 'Other forms of exploitation'" in q.at[6, "reason"]
    assert "sheet rows 6, 7" in q.at[7, "reason"]
    assert (q.at[9, "column"], q.at[9, "text"]) == ("Category", "Ciudadanos de su pa\ufffds")
    assert "U+FFFD" in q.at[9, "reason"]
    assert q.at[11, "reason"] == "empty Category in a 'by citizenship' row"
    assert q.at[13, "column"] == "txtVALUE" and q.at[13, "text"] == "1,200"
    assert "at least 1200, more than the total of at most 1035" in q.at[13, "reason"]
    assert "(sheet row 12)" in q.at[13, "reason"]
    assert (q.at[18, "column"], q.at[18, "text"]) == ("Iso3_code", "XXX")
    assert "'XXX' is not an ISO 3166-1 alpha-3 country code" in q.at[18, "reason"]
    assert q.at[22, "column"] == "Year" and "outside the publisher's range" in q.at[22, "reason"]
    assert q.at[23, "column"] == "Indicator" and "Persons arrested" in q.at[23, "reason"]
    # a breakdown of 9 cannot sit under a suppressed total (<5: at most 4)
    assert "at least 9, more than the total of at most 4" in q.at[25, "reason"]
    assert set(q["dataset"]) == {"unodc_glotip"}


def test_quirks_suppressed_cells_all_accounted_for(quirks, tmp_path):
    # by hand from quirks.csv: <5 on sheet rows 4, 6, 9, 10, 16, 17, 24
    raw = fixture_rows("quirks.csv")
    n_lt5 = sum(1 for r in raw[1:] if r[11] == "<5")
    assert n_lt5 == 7
    suppressed = int((quirks.rows["qualifier"] == "suppressed").sum())
    quarantined = sum(1 for r in quirks.quarantine["raw_row"] if raw[int(r) - 1][11] == "<5")
    assert (suppressed, quarantined) == (3, 2)
    assert suppressed + quarantined + 2 == n_lt5  # rows 16 (regional) and 17 (Sark) were skipped


def test_quirks_rows_pass_the_schema(quirks):
    assert schema.problems(quirks.rows) == []
    schema.coerce(quirks.rows)


def test_title_rows_header_found_by_content_and_vintage_from_the_file(tmp_path):
    path = fixture_xlsx(tmp_path, "title_rows.csv", folder="somewhere")
    res = unodc_glotip.load(path, vintage="ignored-because-the-file-has-a-date")
    assert res.read == 5 and res.balanced() and len(res.quarantine) == 0
    assert set(res.rows["vintage"]) == {"2023-01"}  # "Last update: 24/01/2023" in row 2
    assert sorted(res.rows["raw_row"].tolist()) == [5, 6, 7, 8, 9]  # header on sheet row 4
    usa = _one(res.rows, raw_row=5)
    assert (usa.geo_code, usa.geo_name, usa.value, usa.qualifier, usa.breakdown) == (
        "USA",
        "United States",
        10070,
        "exact",
        "total",
    )
    assert _one(res.rows, raw_row=7).breakdown == "citizenship=vnm"
    gbr = _one(res.rows, raw_row=8)
    assert (gbr.geo_code, gbr.breakdown, gbr.value) == (
        "GBR",
        "age=adult;exploitation=forced_labour;sex=male",
        2004,
    )
    assert gbr.figure_id == figure_id("2023-01", "GBR", 2020, "victims_identified", gbr.breakdown)
    assert schema.problems(res.rows) == []


def test_vintage_argument_and_folder_name_fallbacks(tmp_path):
    path = fixture_xlsx(tmp_path, "quirks.csv", folder="glotip-latest")
    assert set(unodc_glotip.load(path, vintage="2024-07").rows["vintage"]) == {"2024-07"}
    assert set(unodc_glotip.load(path).rows["vintage"]) == {"glotip-latest"}


def test_missing_column_is_a_format_error_naming_row_and_column(tmp_path):
    path = fixture_xlsx(tmp_path, "missing_column.csv")
    with pytest.raises(SourceFormatError) as exc:
        unodc_glotip.load(path)
    (p,) = exc.value.problems
    assert (p.file, p.line, p.column) == (str(path), 2, "txtVALUE")
    assert "required column is missing" in p.message and "'VALUE'" in p.message


def test_no_header_row_is_a_format_error(tmp_path):
    path = fixture_xlsx(tmp_path, "no_header.csv")
    with pytest.raises(
        SourceFormatError, match="no header row: expected a row whose first cell is 'Iso3_code'"
    ):
        unodc_glotip.load(path)


def test_wrong_sheet_and_not_a_workbook_are_format_errors(tmp_path):
    other = write_xlsx(tmp_path / "other.xlsx", fixture_rows("title_rows.csv"), sheet="Sheet1")
    with pytest.raises(SourceFormatError, match=r"no sheet 'data_glotip_1'.*Sheet1"):
        unodc_glotip.load(other)
    text = tmp_path / "data_glotip.xlsx"
    text.write_text("Iso3_code,Country\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"not an \.xlsx workbook"):
        unodc_glotip.load(text)


def test_normalize_frame_entry_point():
    nld = ["NLD", "Netherlands (Kingdom of the)", "Detected trafficking victims"]
    df = pd.DataFrame(
        [
            [*nld, "Total", "Total", "Total", "Total", 2019.0, "Counts", "1,035"],
            [*nld, "by citizenship", "T\u00fcrkiye", "Total", "Total", 2019.0, "Counts", "<5"],
        ],
        columns=list(unodc_glotip.REQUIRED_COLUMNS),
    )
    rows, quarantine, skipped, read = unodc_glotip.normalize_frame(
        df, raw_file="x.xlsx", vintage="2024-03", first_row=10
    )
    assert (read, len(quarantine), skipped) == (2, 0, {"regional_aggregate": 0, "sark_no_country_code": 0})
    assert rows["raw_row"].tolist() == [10, 11]
    assert rows["breakdown"].tolist() == ["total", "citizenship=tur"]
    assert rows["value"].tolist()[0] == 1035 and rows["year"].tolist() == [2019, 2019]


def test_cli_load_prints_the_normalized_header(tmp_path):
    path = fixture_xlsx(tmp_path, "title_rows.csv")
    proc = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "load", "unodc_glotip", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ",".join(schema.COLUMN_NAMES)
    assert len(lines) == 6


# ------------------------------------------------------------------------------------------ real file


@pytest.fixture(scope="module")
def real_path() -> Path:
    from trafficking_stats import paths

    p = paths.real_data_dir() / REAL
    if not p.is_file():
        pytest.skip(f"UNODC GLOTIP file not found at {p} (set TRAFFICKING_STATS_REAL_DATA)")
    return p


@pytest.fixture(scope="module")
def real(real_path: Path):
    return unodc_glotip.load(real_path)


@pytest.fixture(scope="module")
def plain(real_path: Path) -> pd.DataFrame:
    """The sheet read with plain pandas (header in row 1 in this vintage), with its sheet row numbers."""
    df = pd.read_excel(real_path, sheet_name="data_glotip_1", engine="calamine", dtype=str)
    df = df.fillna("")
    df["sheet_row"] = range(2, len(df) + 2)
    return df


def test_real_file_row_accounting(real, plain):
    assert len(plain) == 46_556  # source-notes.md and MANIFEST.md
    assert real.read == len(plain)
    assert real.balanced()
    regional = plain[(plain["Country"] == "") & plain["Iso3_code"].isin(unodc_glotip.REGIONAL_CODES)]
    sark = plain[(plain["Iso3_code"] == "") & (plain["Country"] == "Sark")]
    assert (len(regional), len(sark)) == (957, 26)  # source-notes: 957 regional rows
    assert real.skipped == {"regional_aggregate": 957, "sark_no_country_code": 26}
    assert real.rows["figure_id"].is_unique
    assert set(real.rows["vintage"]) == {"2024-03"}


def test_real_file_suppressed_counts_all_accounted_for(real, plain):
    lt5 = plain["txtVALUE"] == "<5"
    assert int(lt5.sum()) == 23_076  # source-notes.md
    by_row = plain.set_index("sheet_row")["txtVALUE"]
    skipped_rows = (plain["Country"] == "") & plain["Iso3_code"].isin(unodc_glotip.REGIONAL_CODES)
    skipped_rows |= (plain["Iso3_code"] == "") & (plain["Country"] == "Sark")
    skipped_lt5 = int((lt5 & skipped_rows).sum())
    quarantined_lt5 = int((by_row.loc[real.quarantine["raw_row"].astype(int)] == "<5").sum())
    suppressed = int((real.rows["qualifier"] == "suppressed").sum())
    assert suppressed + skipped_lt5 + quarantined_lt5 == 23_076
    rows_lt5 = by_row.loc[real.rows["raw_row"].astype(int)] == "<5"
    assert rows_lt5.to_numpy().tolist() == (real.rows["qualifier"] == "suppressed").tolist()
    sup = real.rows[real.rows["qualifier"] == "suppressed"]
    assert sup["value"].isna().all() and (sup["value_low"] == 0).all() and (sup["value_high"] == 4).all()


def test_real_file_specific_cells(real, plain):
    def raw(row: int) -> pd.Series:
        return plain.set_index("sheet_row").loc[row]

    # United States, detected victims, 2021 total: "10,070" on sheet row 36843
    r = raw(36843)
    assert (r.Iso3_code, r.Indicator, r.Dimension, r.Sex, r.Age, r.Year, r.txtVALUE) == (
        "USA", "Detected trafficking victims", "Total", "Total", "Total", "2021", "10,070"
    )  # fmt: skip
    usa = _one(real.rows, geo_code="USA", metric="victims_identified", year=2021, breakdown="total")
    assert (usa.value, usa.qualifier, usa.raw_row) == (10070, "exact", 36843)
    # Angola, persons convicted, 2018 total: "<5" on sheet row 114
    assert raw(114).txtVALUE == "<5" and raw(114).Indicator == "Persons convicted"
    ago = _one(real.rows, geo_code="AGO", metric="convictions", year=2018, breakdown="total")
    assert pd.isna(ago.value) and (ago.qualifier, ago.value_low, ago.value_high, ago.raw_row) == (
        "suppressed", 0, 4, 114
    )  # fmt: skip
    # Albania, detected victims, 2017: total 95 (row 318), girls 36 (row 312)
    alb = _one(real.rows, geo_code="ALB", metric="victims_identified", year=2017, breakdown="total")
    assert (alb.value, alb.raw_row) == (95, 318) and raw(318).txtVALUE == "95"
    girls = _one(
        real.rows, geo_code="ALB", metric="victims_identified", year=2017, breakdown="age=minor;sex=female"
    )
    assert (girls.value, girls.raw_row) == (36, 312)
    # Malaysia 2020: forced labour 63 (row 24778) exceeds the total 48 (row 24786): quarantined
    assert (raw(24778).txtVALUE, raw(24786).txtVALUE) == ("63", "48")
    q = real.quarantine.set_index("raw_row")
    assert "at least 63, more than the total of at most 48" in q.at[24778, "reason"]


def test_real_file_totals_match_a_plain_pandas_count(real, plain):
    # every (country, indicator, year) total row that is a country code in ISO 3166 is loaded exactly once
    tot = plain[(plain["Dimension"] == "Total") & (plain["Sex"] == "Total") & (plain["Age"] == "Total")]
    tot = tot[tot["Iso3_code"].str.fullmatch(r"[A-Z]{3}") & (tot["Country"] != "")]
    loaded = real.rows[real.rows["breakdown"] == "total"]
    assert len(loaded) == len(tot)
    exact = tot[tot["txtVALUE"] != "<5"]
    assert loaded["value"].sum() == exact["txtVALUE"].str.replace(",", "").astype(int).sum()


def test_real_file_years_and_vocabularies(real, plain):
    years = plain["Year"].astype(int)
    assert (years.min(), years.max()) == (2003, 2021)  # source-notes: 2003-2021 in this vintage
    assert real.rows["year"].min() == 2003 and real.rows["year"].max() == 2021
    assert set(real.rows["metric"]) == {
        "victims_identified", "prosecutions", "convictions", "persons_formal_contact", "offenses_recorded"
    }  # fmt: skip
    assert set(real.rows.loc[real.rows["metric"] == "offenses_recorded", "unit"]) == {"offenses"}
    # U+FFFD categories are quarantined, never loaded
    moj = plain[plain["Category"].str.contains("\ufffd") & plain["Iso3_code"].str.fullmatch(r"[A-Z]{3}")]
    q = real.quarantine.set_index("raw_row")
    assert all("U+FFFD" in q.at[r, "reason"] for r in moj["sheet_row"])
    assert not real.rows["breakdown"].str.contains("\ufffd").any()


def test_real_file_rows_pass_the_schema(real):
    assert schema.problems(real.rows) == []
