"""Leftovers: footnote markers on numbers, UK NRM dates rewritten by a spreadsheet program, ranges whose
ends are equal. Each loads cleanly (or is quarantined with a clear reason)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest

from trafficking_stats import schema
from trafficking_stats.counts import CountParseError, parse_count
from trafficking_stats.sources import published, uk_nrm


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234*", 1234), ("56¹", 56), ("56²³", 56), ("1,080 *", 1080), ("12‡", 12), ("7§", 7)],
)
def test_footnote_markers_are_not_part_of_the_number(text, value):
    c = parse_count(text)
    assert (c.value, c.qualifier, c.low, c.high) == (value, "exact", value, value)


def test_a_footnote_marker_alone_is_an_error():
    with pytest.raises(CountParseError, match="a footnote marker without a count"):
        parse_count("¹")


def test_range_with_equal_ends_is_that_number_exact():
    c = parse_count("100 to 100")
    assert (c.value, c.qualifier, c.low, c.high) == (100, "exact", 100, 100)
    assert parse_count("between 7 and 7").qualifier == "exact"
    with pytest.raises(CountParseError, match="low end is above"):
        parse_count("100 to 99")


def test_published_row_with_equal_range_and_footnote_loads_cleanly(tmp_path, raw_copy):
    path = raw_copy / "published_figures.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    h = rows[0]
    # line 2: a transcribed figure; its count rewritten as the publisher could have printed it
    value = parse_count(rows[1][h.index("count")]).value
    n = int(value)
    rows[1][h.index("count")] = f"{n:,} to {n:,}"
    rows[2][h.index("count")] = rows[2][h.index("count")] + "¹"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    res = published.load(path)
    assert len(res.quarantine) == 0
    assert schema.problems(res.rows) == []
    first = res.rows[res.rows["raw_row"] == 2].iloc[0]
    assert (first["value"], first["qualifier"]) == (n, "exact")


SPREADSHEET_STYLES = {
    "day first": lambda d: d.strftime("%d/%m/%Y"),
    "month first": lambda d: f"{d.month}/{d.day}/{d.year}",
    "two-digit year": lambda d: d.strftime("%d/%m/%y"),
    "with time": lambda d: d.strftime("%Y-%m-%d 00:00:00"),
    "month name": lambda d: d.strftime("%d-%b-%y"),
}


@pytest.mark.parametrize("style", list(SPREADSHEET_STYLES))
def test_uk_nrm_dates_rewritten_by_a_spreadsheet_load_like_the_original(real_data, tmp_path, style):
    name = "duty to notify - longitudinal Dec 23.csv"
    original = real_data / "uk-nrm" / name
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(original, a / name)
    with open(original, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    for r in rows[1:]:
        r[0] = SPREADSHEET_STYLES[style](dt.date.fromisoformat(r[0]))
    with open(b / name, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    got, want = uk_nrm.load(b / name), uk_nrm.load(a / name)
    assert len(got.quarantine) == 0 and len(want.rows) > 20
    cols = ["figure_id", "period_start", "period_end", "period_kind", "value", "breakdown", "raw_row"]
    assert got.rows[cols].equals(want.rows[cols])


def test_uk_nrm_ambiguous_or_impossible_dates_are_quarantined_with_the_reason():
    assert uk_nrm.quarter_end_date("1/2/2015") is None  # neither reading is a quarter's last day
    assert uk_nrm.quarter_end_date("30/12/2015") is None
    assert uk_nrm.quarter_end_date("31-Nov-15") is None
    assert uk_nrm.quarter_end_date("31/12/2015") == dt.date(2015, 12, 31)
    assert uk_nrm.quarter_end_date("12/31/2015") == dt.date(2015, 12, 31)
