"""``charts.hidden_population``: known against estimated victims (UK 2013 lists), drawn and exported.

Expected numbers are computed independently here (the known count from the CSV with the csv module) or
come from the Home Office's published range ("between 10 thousand and 13 thousand", 29 November 2014).
"""

from __future__ import annotations

import csv
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from trafficking_stats.charts import STANDARD_CHARTS, chart_info, describe, export, hidden_population
from trafficking_stats.charts.export import CSV_COLUMNS
from trafficking_stats.charts.hidden import approx_label, round_sig

UK6 = Path(__file__).resolve().parents[1] / "data" / "raw" / "mse" / "uk2013_6lists.csv"
SPEC = STANDARD_CHARTS["uk-2013-hidden-population"]


def csv_total(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(int(r["count"]) for r in csv.DictReader(fh))


@pytest.fixture(scope="module")
def fig():
    return hidden_population("uk2013_6lists", preset="print-a4")


def by_gid(fig, gid: str) -> list:
    return [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]


def test_the_estimate_is_drawn_as_an_interval_not_an_exact_point(fig):
    info = chart_info(fig)
    est = info.plotted[info.plotted["series"] == "estimated total (aic)"].iloc[0]
    (box,) = by_gid(fig, "estimate-interval")
    assert isinstance(box, Rectangle)
    assert box.get_y() == pytest.approx(est["value_low"])
    assert box.get_y() + box.get_height() == pytest.approx(est["value_high"])
    assert est["value_low"] < est["value"] < est["value_high"]
    (point,) = by_gid(fig, "estimate-approximate")
    assert isinstance(point, Line2D) and point.get_markerfacecolor() == "white"  # open, not a filled point
    assert point.get_marker() == "D"
    assert not by_gid(fig, "exact")
    (label,) = by_gid(fig, "estimate-label")
    assert label.get_text() == "≈11,400\n95%: 9,980–13,200"
    assert est["qualifier"] == "approximately"


def test_known_count_is_the_tables_total(fig):
    total = csv_total(UK6)
    assert total == 2744  # the published NCA figure for 2013
    info = chart_info(fig)
    known = info.plotted[info.plotted["series"] == "known"].iloc[0]
    assert known["value"] == total and known["qualifier"] == "exact"
    (bar,) = by_gid(fig, "known-count")
    assert bar.get_height() == total


def test_published_range_is_a_band_with_its_source(fig):
    assert len(by_gid(fig, "published-range-band")) == 2  # both panels
    (col,) = by_gid(fig, "published-range")
    assert (col.get_y(), col.get_y() + col.get_height()) == (10_000, 13_000)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert any("Home Office, 2014" in t.replace("\n", " ") for t in ticks)


def test_description_mentions_known_interval_and_published_range(fig):
    text = describe(fig)
    assert text.startswith("This chart shows")
    assert "Known: 2,744 people" in text
    assert "about 11,400 people, 95% model-conditional interval 9,980 to 13,200" in text
    assert "Published range: 10,000 to 13,000 (Home Office, 2014)" in text
    assert "not as an exact point" in text and "not a count" in text
    assert "BIC: not fitted" in text


def test_footer_names_the_tables_citations_and_caveats(fig):
    footer = chart_info(fig).footer.replace("\n", " ")
    for who in ("Silverman (2014), Home Office", "Bales, Hesketh and Silverman (2015)", "Vincent (2021)"):
        assert who in footer
    assert "not a count" in footer


def test_by_method_panel_holds_each_method():
    fig = hidden_population("uk2013_6lists", preset="slide", by_method=True)
    p = chart_info(fig).plotted
    rows = p[p["panel"] == "estimate by method"]
    assert list(rows["series"]) == [
        "published range",
        "stepwise (threshold 0.02)",
        "aic (threshold 0.05)",
        "bic",
        "main",
    ]
    bic = rows[rows["series"] == "bic"].iloc[0]
    assert bic["drawn_as"] == "text (not fitted)" and "5 lists" in bic["note"]
    assert len(by_gid(fig, "by-method-main-interval")) == 1
    five = chart_info(hidden_population("uk2013_5lists", by_method=True, published=None)).plotted
    assert "bic" in set(five["series"]) and five["value"].notna().sum() == 6  # known, estimate, 4 methods


def test_rounding_to_three_significant_figures():
    assert round_sig(11417.99) == 11400
    assert round_sig(9982.26, direction="down") == 9980
    assert round_sig(13181.69, direction="up") == 13200
    assert round_sig(268.78) == 269 and round_sig(0.012345) == 0.0123
    assert approx_label(11417.99, 9982.26, 13181.69) == "≈11,400 (95%: 9,980–13,200)"


def test_published_range_needs_a_source_unless_known():
    with pytest.raises(ValueError, match="published_source"):
        hidden_population("uk2013_5lists", published=(10_000, 13_000), by_method=False)
    fig = hidden_population(
        "uk2013_5lists", published=(10_000, 13_000), published_source="Home Office, 2014", by_method=False
    )
    assert "Published range: 10,000 to 13,000" in describe(fig)
    with pytest.raises(ValueError, match="no list table"):
        hidden_population("nowhere_7lists")


def test_sidecar_csv_has_the_plotted_rows(tmp_path: Path):
    (r,) = export(SPEC, presets=["print-letter"], formats=["svg"], out_dir=tmp_path)
    with r.csv.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    got = [
        (x["panel"], x["series"], x["value"], x["qualifier"], x["value_low"], x["value_high"]) for x in rows
    ]
    assert got[:3] == [
        ("known and estimated", "known", "2744", "exact", "2744", "2744"),
        ("known and estimated", "estimated total (aic)", "11418", "approximately", "9982.3", "13181.7"),
        ("known and estimated", "published range", "10000", "range", "10000", "13000"),
    ]
    assert len(rows) == len(chart_info(SPEC.build(None, "print-letter")).plotted) == 8
    assert all(x["unit"] == "persons" for x in rows)
    assert rows[0]["citation"] == "silverman-2014" and rows[0]["citation_url"].startswith(
        "https://www.gov.uk/"
    )
    assert "10 thousand and 13 thousand" in rows[2]["quote"]
    txt = r.txt.read_text(encoding="utf-8")
    assert "[chan-silverman-vincent-2021]" in txt and "https://doi.org/10.1080/01621459.2019.1708748" in txt


def test_png_sizes_equal_the_presets(tmp_path: Path):
    presets = {"social-square": (1080, 1080), "social-wide": (1200, 675), "print-a4": (2480, 3508)}
    for r, (name, size) in zip(
        export(SPEC, presets=list(presets), formats=["png"], out_dir=tmp_path), presets.items(), strict=True
    ):
        data = r.images["png"].read_bytes()
        assert struct.unpack(">II", data[16:24]) == size, name


def test_two_exports_are_byte_identical(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    export(SPEC, presets=["social-square"], out_dir=a)
    code = (
        "from trafficking_stats.charts import STANDARD_CHARTS, export; "
        f"export(STANDARD_CHARTS['uk-2013-hidden-population'], presets=['social-square'], out_dir={str(b)!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and len(names) == 5
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_spec_ignores_the_counts_table():
    assert not SPEC.uses_counts
    assert describe(SPEC).startswith("This chart shows the number of potential victims of modern slavery")


def test_a_changed_copy_of_a_published_table_gets_no_published_citations(tmp_path: Path):
    lines = UK6.read_text(encoding="utf-8").splitlines()
    lines[1] = "1,0,0,0,0,0,60"  # LA only: 54 in the published table
    copy = tmp_path / "uk2013_6lists.csv"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    info = chart_info(hidden_population(copy, by_method=False))
    assert info.citations == ["uk2013_6lists.csv"]
    assert "published range" not in set(info.plotted["series"])
    assert info.plotted.iloc[0]["value"] == csv_total(copy) == 2750
    same = chart_info(hidden_population(UK6, by_method=False))  # the published file by its path
    assert "silverman-2014" in same.citations and "published range" in set(same.plotted["series"])


def test_an_interval_without_upper_limit_is_drawn_open():
    # New Orleans, eight lists (185 cases), aic: the profile likelihood interval has no upper limit
    fig = hidden_population("new_orleans_8lists_185", by_method=False, preset="web")
    (label,) = by_gid(fig, "estimate-label")
    assert label.get_text().startswith("≈3,390\n95%: ≥1,410")
    (box,) = by_gid(fig, "estimate-interval")
    assert box.get_y() + box.get_height() == pytest.approx(fig.axes[0].get_ylim()[1])
    assert "from 1,410, no upper limit" in describe(fig)
    assert "Published range" not in describe(fig)  # none printed for this table


def test_small_estimates_are_whole_persons():
    fig = hidden_population("korea_3lists", by_method=False)
    assert "about 34 are estimated to be on no list" in describe(fig)
