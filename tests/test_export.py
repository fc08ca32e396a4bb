"""Exports: exact pixel sizes, byte-identical files, sidecars with exactly the plotted data, the CLI."""

from __future__ import annotations

import argparse
import csv
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from trafficking_stats import read_counts
from trafficking_stats.charts import PRESETS, STANDARD_CHARTS, export
from trafficking_stats.charts.export import spreadsheet_safe
from trafficking_stats.cli_charts import add_parser

FRESNO = STANDARD_CHARTS["fresno-rescues-and-cases"]

# The issue's presets, in pixels (print: 8.5 x 11 in and 210 x 297 mm at 300 dpi).
EXPECTED_PIXELS = {
    "social-square": (1080, 1080),
    "social-portrait": (1080, 1350),
    "social-wide": (1200, 675),
    "slide": (1920, 1080),
    "web": (960, 600),
    "print-letter": (2550, 3300),
    "print-a4": (2480, 3508),
}


def png_chunks(data: bytes) -> dict[bytes, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out: dict[bytes, list[bytes]] = {}
    i = 8
    while i < len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        out.setdefault(kind, []).append(data[i + 8 : i + 8 + n])
        i += 12 + n
    return out


@pytest.fixture(scope="module")
def counts():
    return read_counts()


def test_preset_table_is_the_issues():
    assert {k: (p.width_px, p.height_px) for k, p in PRESETS.items()} == EXPECTED_PIXELS
    a4 = PRESETS["print-a4"]
    assert abs(a4.width_px / 300 * 25.4 - 210) < 0.1 and abs(a4.height_px / 300 * 25.4 - 297) < 0.1


def test_png_pixel_sizes_equal_the_presets(counts, tmp_path: Path):
    res = export(FRESNO, counts, presets=list(EXPECTED_PIXELS), formats=["png"], out_dir=tmp_path)
    for r, (name, (w, h)) in zip(res, EXPECTED_PIXELS.items(), strict=True):
        ihdr = png_chunks(r.images["png"].read_bytes())[b"IHDR"][0]
        assert struct.unpack(">II", ihdr[:8]) == (w, h), name


def test_two_exports_are_byte_identical(counts, tmp_path: Path):
    """One export here, one in a fresh interpreter: every file (images and sidecars) is the same."""
    a, b = tmp_path / "a", tmp_path / "b"
    export(FRESNO, counts, presets=["social-square"], out_dir=a)
    code = (
        "from trafficking_stats.charts import STANDARD_CHARTS, export; "
        f"export(STANDARD_CHARTS['fresno-rescues-and-cases'], presets=['social-square'], out_dir={str(b)!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {Path(n).suffix for n in names} == {".png", ".svg", ".pdf", ".csv", ".txt"}
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_description_is_embedded_in_every_format(counts, tmp_path: Path):
    (r,) = export(FRESNO, counts, presets=["web"], out_dir=tmp_path)
    txt = r.txt.read_text(encoding="utf-8")
    description = txt.split("Description\n", 1)[1].split("\n\n", 1)[0].replace("\n", " ")
    assert description.startswith("This chart shows") and "over 230" in description
    svg = r.images["svg"].read_text(encoding="utf-8")
    title = "Fresno, CA: victims rescued in 2021, and a claim about cases"
    assert re.search(rf"<title>{title}</title>\s*<desc>This chart shows", svg)
    assert svg.count("<text") > 20, "text is editable <text>, not outlined paths"
    assert "font-family: 'DejaVu Sans', 'Verdana', 'Arial', 'Helvetica', sans-serif" in svg
    assert "lower bound" in svg.split("<desc>", 1)[1].split("</desc>", 1)[0]
    chunks = png_chunks(r.images["png"].read_bytes())
    texts = [c for kind in (b"tEXt", b"iTXt", b"zTXt") for c in chunks.get(kind, [])]
    desc = [c for c in texts if c.startswith(b"Description\x00")]
    assert desc, "PNG Description chunk"
    body = desc[0].split(b"\x00", 1)[1]
    if b"iTXt" in chunks and desc[0] in chunks[b"iTXt"]:  # keyword\0 flag method lang\0 key\0 text
        flag, rest = body[0], body[2:]
        text = rest.split(b"\x00", 2)[2]
        body = zlib.decompress(text) if flag else text
    assert b"This chart shows" in body
    assert not any(c.startswith(b"Software") for c in texts)
    pdf = r.images["pdf"].read_bytes()
    assert f"/Title ({title})".encode() in pdf
    assert b"/FontFile2" in pdf and b"/Subtype /CIDFontType2" in pdf, "embedded TrueType outlines"
    assert b"/Type3" not in pdf, "never Type 3 fonts (print shops reject them)"
    assert b"/Subject" in pdf and b"/CreationDate" not in pdf
    assert b"<dc:date>" not in svg.encode()


def test_sidecar_csv_holds_exactly_the_plotted_rows(counts, tmp_path: Path):
    (r,) = export(FRESNO, counts, presets=["web"], formats=["png"], out_dir=tmp_path)
    with r.csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = {(x["figure_id"], x["value"], x["qualifier"], x["value_high"]) for x in rows}
    assert got == {  # transcribed by hand from data/processed/counts.csv
        ("fresno-2021-rescues-joint-gvwire", "230", "over", ""),
        ("fresno-pd-2021-girls-rescued-fresnobee", "106", "exact", "106"),
        ("fresno-pd-2020-sex-trafficking-arrests-gvwire", "14", "exact", "14"),
        ("fresno-pd-2021-sex-trafficking-arrests-gvwire", "27", "exact", "27"),
        ("fresno-pd-2022-sex-trafficking-arrests-gvwire", "35", "exact", "35"),
        ("fresno-pd-2021-arrests-fresnobee", "186", "exact", "186"),
    }
    over = next(x for x in rows if x["figure_id"] == "fresno-2021-rescues-joint-gvwire")
    assert over["drawn_as"].startswith("lower bound")
    assert over["citation"] == "gvwire-2022-01-19-fresno-leads-way" and over["citation_url"].startswith(
        "https://"
    )
    arrests = [x for x in rows if x["metric"] == "arrests"]
    assert all(float(x["x"]) == float(x["year"]) for x in arrests), "each point at its own year"
    assert all(x["citation_publisher"] for x in rows)


def test_unknown_preset_or_format_is_refused(counts, tmp_path: Path):
    with pytest.raises(ValueError, match="unknown preset"):
        export(FRESNO, counts, presets=["billboard"], out_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown format"):
        export(FRESNO, counts, formats=["gif"], out_dir=tmp_path)


def _cli(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(argv)
    return args.func(args)


def test_cli_charts_writes_the_chosen_files(tmp_path: Path, capsys):
    code = _cli(
        [
            "charts",
            "--chart",
            "mexico-convictions-trend",
            "--preset",
            "web",
            "--preset",
            "slide",
            "--format",
            "svg",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".trafficking-stats-keys.json",  # each file's input key, for `site --charts-from`
        "mexico-convictions-trend.slide.csv",
        "mexico-convictions-trend.slide.svg",
        "mexico-convictions-trend.slide.txt",
        "mexico-convictions-trend.web.csv",
        "mexico-convictions-trend.web.svg",
        "mexico-convictions-trend.web.txt",
    ]
    assert "wrote 6 files" in capsys.readouterr().out


def test_cli_rejects_unknown_chart(tmp_path: Path):
    with pytest.raises(SystemExit):
        _cli(["charts", "--chart", "nope", "--out", str(tmp_path)])


def test_cli_choices_match_the_charts_package():
    # cli_charts repeats the names so that building the parser does not import matplotlib
    import importlib

    from trafficking_stats import cli_charts
    from trafficking_stats.charts import catalog, presets

    export = importlib.import_module("trafficking_stats.charts.export")  # the package re-exports a function
    assert tuple(cli_charts._CHART_NAMES) == tuple(catalog.STANDARD_CHARTS)
    assert tuple(cli_charts._PRESET_NAMES) == tuple(presets.PRESETS)
    assert tuple(cli_charts._FORMATS) == tuple(export.FORMATS)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 more", "'+1 more"),
        ("-see note", "'-see note"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("over 230", "over 230"),
    ],
)
def test_text_cells_that_spreadsheets_would_run_are_neutralised(text: str, safe: str):
    assert spreadsheet_safe(text) == safe


def test_exported_csv_neutralises_a_formula_in_the_data(counts, tmp_path: Path):
    rows = counts.copy()
    fresno = rows["figure_id"] == "fresno-pd-2021-girls-rescued-fresnobee"
    rows.loc[fresno, "note"] = '=HYPERLINK("http://evil.example","click")'
    (r,) = export(FRESNO, rows, presets=["web"], formats=["svg"], out_dir=tmp_path)
    with r.csv.open(encoding="utf-8", newline="") as fh:
        notes = [
            x["note"]
            for x in csv.DictReader(fh)
            if x["figure_id"] == "fresno-pd-2021-girls-rescued-fresnobee"
        ]
    assert notes == ['\'=HYPERLINK("http://evil.example","click")']


def test_processed_csvs_hold_no_formula_like_text(root: Path):
    """data/processed CSVs are data files (not neutralised); this keeps them free of formula-like text."""
    for name in ("counts.csv", "citations.csv", "conflicts.csv", "quarantine.csv"):
        with (root / "data" / "processed" / name).open(encoding="utf-8", newline="") as fh:
            for line, row in enumerate(csv.DictReader(fh), start=2):
                for col, v in row.items():
                    assert spreadsheet_safe(v) == v, f"{name}:{line}: column {col!r} starts like a formula"


@pytest.mark.parametrize("name", ["../escape", "/tmp/abs", "a/b", "..", "x\\y", ""])
def test_export_names_cannot_leave_the_output_folder(counts, tmp_path: Path, name: str):
    import dataclasses

    bad = dataclasses.replace(FRESNO, name=name)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="refusing to export a chart named"):
        export(bad, counts, presets=["web"], formats=["svg"], out_dir=out)
    assert not out.exists(), "nothing is written for a refused name"


def test_pdf_states_its_language_in_a_valid_incremental_update(counts, tmp_path: Path):
    (r,) = export(FRESNO, counts, presets=["social-square"], formats=["pdf"], out_dir=tmp_path)
    pdf = r.images["pdf"].read_bytes()
    # the last cross-reference section points at the catalogue object that carries /Lang (en)
    last = pdf.rsplit(b"\nxref\n", 1)[1]
    num, _count = (int(x) for x in last.split(b"\n", 1)[0].split())
    offset = int(last.split(b"\n")[1][:10])
    assert pdf[offset:].startswith(b"%d 0 obj\n<< /Type /Catalog" % num)
    assert b"/Lang (en)" in pdf[offset : offset + 200]
    startxref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[startxref:].startswith(b"xref\n")
    assert b"/Prev " in pdf.rsplit(b"trailer", 1)[1]
