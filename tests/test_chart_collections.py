"""police_collections: the FBI series across the 2020/2021 break, two collections, never joined."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import read_counts, schema
from trafficking_stats.charts import chart_info, describe, police_collections
from trafficking_stats.sources import fbi_nibrs

NIBRS = Path(__file__).parent / "data" / "fbi_nibrs"


@pytest.fixture(scope="module")
def counts():
    return read_counts()


def test_without_nibrs_rows_the_break_and_the_absence_are_stated(counts):
    fig = police_collections(counts, "USA")
    text = describe(fig)
    assert "2,160 in 2020" in text  # the CDE 2020 national count (data/processed)
    assert "No NIBRS figures in this build." in text
    info = chart_info(fig)
    assert any("collection changes in 2021" in n for n in info.notes)
    lines = [a for a in fig.axes for ln in a.get_lines() if ln.get_gid() == "vintage-change"]
    assert len(lines) == 2  # the break is marked on the counts and on the coverage panel


def test_two_series_are_drawn_apart(counts):
    # test bundles (fictional agencies) beside the real summary rows, for the drawing only
    demo = schema.coerce(fbi_nibrs.load(NIBRS).rows)
    both = pd.concat([counts, demo], ignore_index=True)
    fig = police_collections(both, "USA")
    plotted = chart_info(fig).plotted
    text = describe(fig)
    assert "NIBRS: 6 in 2021 and 1 in 2022" in text  # offenses: CA 5 + NV 1; CA 1
    assert "NIBRS: 3 in 2021 and 2 in 2022" in text  # agencies reporting
    assert "Summary collection: 20 in 2013" in text
    assert set(plotted["dataset"]) == {"fbi_cde", "fbi_nibrs"}
    cov = plotted[plotted["metric"] == "agencies_reporting"]
    assert set(cov["dataset"]) == {"fbi_cde", "fbi_nibrs"}


def test_neither_collection(counts):
    with pytest.raises(ValueError, match="no 'offenses_actual' figures"):
        police_collections(counts, "US-CA")
