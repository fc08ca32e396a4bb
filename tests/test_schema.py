"""The normalized table's rules: each must reject what it is meant to reject, and list every failing row."""

from __future__ import annotations

import pandas as pd
import pytest

from trafficking_stats import schema
from trafficking_stats.errors import ValidationError


def row(**over):
    base = {
        "dataset": "published",
        "figure_id": "fresno-test",
        "reporter": "Fresno Police Department",
        "reporter_type": "police",
        "geo_level": "city",
        "geo_code": "US-CA-fresno",
        "geo_name": "Fresno, CA",
        "period_start": "2021-01-01",
        "period_end": "2021-12-31",
        "period_kind": "calendar_year",
        "year": 2021,
        "metric": "victims_rescued",
        "breakdown": "total",
        "value": 230.0,
        "qualifier": "over",
        "value_low": 230.0,
        "value_high": None,
        "unit": "persons",
        "vintage": "2022-01-18",
        "citation": "c",
        "quote": "the department rescued over 230 victims",
        "conflict_group": None,
        "raw_file": "published_figures.csv",
        "raw_row": 2,
        "note": None,
    }
    base.update(over)
    return base


def frame(*rows):
    return pd.DataFrame(list(rows))


def test_valid_row_passes_and_is_coerced():
    df = schema.validate(frame(row()))
    assert list(df.columns) == list(schema.COLUMN_NAMES)
    assert str(df["value"].dtype) == "Float64"
    assert str(df["year"].dtype) == "Int16"
    assert isinstance(df["metric"].dtype, pd.CategoricalDtype)
    assert df.loc[0, "qualifier"] == "over"


@pytest.mark.parametrize(
    ("over", "column"),
    [
        ({"metric": "victims_saved"}, "metric"),
        ({"reporter_type": "newspaper"}, "reporter_type"),
        ({"qualifier": "exact"}, "qualifier"),  # over-230 interval with an 'exact' qualifier
        ({"value_low": 240.0}, "value"),  # low > value
        ({"period_start": "2022-01-01"}, "period_end"),
        ({"year": 2020}, "year"),
        ({"period_kind": "multi_year"}, "year"),  # year must be NA for multi-year periods
        ({"breakdown": "sex=female;age=minor"}, "breakdown"),  # keys not sorted
        ({"breakdown": "girls"}, "breakdown"),
        ({"geo_name": "Fresno"}, "geo_code"),
        ({"geo_code": "US-CA-atlantis"}, "geo_code"),
        ({"quote": " ".join(["word"] * 13)}, "quote"),
        ({"quote": None, "raw_file": None}, "quote"),
        ({"period_start": "2021-13-01"}, "period_start"),
        ({"unit": "people"}, "unit"),
        ({"value": None, "value_low": None, "qualifier": "exact"}, "qualifier"),
        ({"figure_id": "Fresno Test"}, "figure_id"),
        ({"value": 231.0, "value_low": 231.0}, "quote"),  # the quote says "over 230"
    ],
)
def test_each_rule_rejects_its_case(over, column):
    with pytest.raises(ValidationError) as err:
        schema.validate(frame(row(**over)))
    cols = {p.column for p in err.value.problems}
    assert column in cols, err.value


def test_every_failing_row_is_listed_with_file_and_line():
    df = frame(
        row(figure_id="a", raw_row=2),
        row(figure_id="b", raw_row=3, metric="nonsense"),
        row(figure_id="c", raw_row=4),
        row(figure_id="d", raw_row=5, period_start="2022-06-01"),
    )
    with pytest.raises(ValidationError) as err:
        schema.validate(df)
    lines = sorted({p.line for p in err.value.problems})
    assert lines == [3, 5]
    text = str(err.value)
    assert "published_figures.csv:3: column 'metric'" in text
    assert "published_figures.csv:5:" in text


def test_duplicate_figure_ids_are_rejected():
    with pytest.raises(ValidationError, match="duplicate figure_id"):
        schema.validate(frame(row(raw_row=2), row(raw_row=3)))


def test_qualifier_intervals():
    ok = [
        row(
            figure_id="e",
            value=106.0,
            qualifier="exact",
            value_low=106.0,
            value_high=106.0,
            quote="106 girls",
        ),
        row(
            figure_id="u",
            value=50000.0,
            qualifier="under",
            value_low=None,
            value_high=50000.0,
            quote="<50,000",
        ),
        row(
            figure_id="r",
            value=100.0,
            qualifier="range",
            value_low=100.0,
            value_high=130.0,
            quote="100 to 130",
        ),
        row(figure_id="s", value=None, qualifier="suppressed", value_low=0.0, value_high=4.0, quote="<5"),
        row(
            figure_id="a",
            value=500.0,
            qualifier="approximately",
            value_low=None,
            value_high=None,
            quote="~500",
        ),
    ]
    assert len(schema.validate(frame(*ok))) == 5


def test_fiscal_year_and_partial_year():
    fy = row(
        figure_id="fy",
        period_kind="fiscal_year",
        period_start="2018-10-01",
        period_end="2019-09-30",
        year=2019,
    )
    part = row(
        figure_id="p",
        period_kind="partial_year",
        period_start="2021-01-01",
        period_end="2021-07-31",
        year=None,
    )
    assert len(schema.validate(frame(fy, part))) == 2
    with pytest.raises(ValidationError):
        schema.validate(
            frame(
                row(
                    figure_id="p2",
                    period_kind="partial_year",
                    period_start="2021-01-01",
                    period_end="2022-07-31",
                    year=None,
                )
            )
        )


def test_metric_definitions_are_paragraphs():
    for metric, text in schema.METRICS.items():
        assert len(text.split()) >= 20, f"{metric} needs a real definition"


def test_descriptor_lists_every_column_with_vocabularies():
    d = schema.descriptor()
    names = [f["name"] for f in d["fields"]]
    assert names == list(schema.COLUMN_NAMES)
    metric = next(f for f in d["fields"] if f["name"] == "metric")
    assert metric["constraints"]["enum"] == list(schema.METRICS)
