"""Analysis on the normalized table: series, consistency verdicts, comparisons, totals, rates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import trafficking_stats as ts
from trafficking_stats import analysis, schema
from trafficking_stats.errors import TraffickingStatsError, ValidationError
from trafficking_stats.population import read_population


def rows(*specs: dict) -> pd.DataFrame:
    """A small normalized table; each spec overrides a plain exact calendar-year row."""
    out = []
    for i, s in enumerate(specs):
        year = s.get("year", 2020)
        r = {
            "dataset": "published",
            "figure_id": f"f-{i}",
            "reporter": "Police A",
            "reporter_type": "police",
            "geo_level": "city",
            "geo_code": "US-CA-fresno",
            "geo_name": "Fresno, CA",
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            "period_kind": "calendar_year",
            "year": year,
            "metric": "arrests",
            "breakdown": "total",
            "value": 10.0,
            "qualifier": "exact",
            "value_low": None,
            "value_high": None,
            "unit": "arrests",
            "vintage": "v1",
            "citation": "c1",
            "quote": "q",
            "conflict_group": None,
            "raw_file": None,
            "raw_row": None,
            "note": None,
        }
        r.update(s)
        if r["qualifier"] == "exact" and "value_low" not in s:
            r["value_low"] = r["value_high"] = r["value"]
        out.append(r)
    return schema.coerce(pd.DataFrame(out))


def yearly(values: list[float], start: int = 2010) -> pd.Series:
    return pd.Series(values, index=range(start, start + len(values)))


# ----------------------------------------------------------------------------------------- consistency


def test_constant_series_is_steady():
    c = analysis.consistency(yearly([50] * 6))
    assert c.label == "steady" and c.enough
    assert (c.n, c.mean, c.cv, c.max_dev_pct, c.slope) == (6, 50.0, 0.0, 0.0, 0.0)
    assert c.verdict.startswith("steady:")


def test_nearly_constant_series_is_steady():
    c = analysis.consistency(yearly([100, 104, 98, 102, 97, 101]))
    assert c.label == "steady"
    assert c.mean == pytest.approx(100.333, abs=1e-3)  # 602 / 6
    assert c.max_dev_pct == pytest.approx(3.654, abs=1e-3)  # |104 - 100.333| / 100.333


def test_rising_series():
    c = analysis.consistency(yearly([10, 20, 30, 40, 50, 60, 70, 80], start=2013))
    assert c.label == "rising" and c.verdict.startswith("rising:")
    assert c.slope == pytest.approx(10.0)  # +10 a year by construction
    assert c.mk_tau == pytest.approx(1.0) and c.mk_p < 0.05
    assert c.mean == 45.0
    assert c.cv == pytest.approx(0.5443, abs=1e-4)  # sd of 10..80 = 10 * sqrt(6) = 24.495; / 45
    assert c.max_dev_pct == pytest.approx(77.78, abs=0.01)  # 35 / 45
    assert c.slope_low <= 10.0 <= c.slope_high


def test_falling_series():
    c = analysis.consistency(yearly([90, 80, 75, 60, 52, 40, 31]))
    assert c.label == "falling" and c.slope < 0


def test_noisy_series_is_variable():
    c = analysis.consistency(yearly([10, 100, 15, 90, 12, 95]))
    assert c.label == "variable"
    assert c.mk_p >= 0.05 and c.cv > 0.15


def test_too_short_series_gives_no_verdict():
    c = analysis.consistency(yearly([5, 50, 500]))
    assert (c.label, c.enough, c.n) == ("not enough data", False, 3)
    assert c.mean is None and c.mk_p is None and c.slope is None
    assert c.verdict.startswith("too few points") and "4" in c.verdict


def test_na_years_are_dropped_and_gaps_named():
    s = pd.Series([10, None, 11, 10, None, 10], index=range(2010, 2016), dtype="Float64")
    c = analysis.consistency(s)
    assert c.n == 4 and c.label == "steady"
    assert "no data for 2011, 2014" in c.verdict


def test_consistency_of_refuses_bounds():
    df = rows(
        {"year": 2019, "value": 10.0},
        {"year": 2020, "value": 12.0},
        {"year": 2021, "value": 230.0, "qualifier": "over", "value_low": 230.0},
        {"year": 2022, "value": 11.0},
    )
    with pytest.raises(analysis.InexactSeriesError) as err:
        analysis.consistency_of(df)
    assert err.value.years == {2021: "over 230"}
    assert "over 230" in err.value.sentence


def test_consistency_of_exact_rows():
    df = rows(*({"year": y, "value": 20.0} for y in range(2015, 2021)))
    assert analysis.consistency_of(df).label == "steady"


# ---------------------------------------------------------------------------------------------- series


def test_series_refuses_to_mix_vintages_and_lists_candidates():
    df = rows({"year": 2019, "vintage": "v1"}, {"year": 2020, "vintage": "v2"})
    with pytest.raises(analysis.AmbiguousSeriesError) as err:
        analysis.series(df, "arrests", "US-CA-fresno")
    assert set(err.value.candidates["vintage"]) == {"v1", "v2"}
    assert "v1" in str(err.value) and "v2" in str(err.value)
    assert isinstance(err.value, TraffickingStatsError)


def test_series_refuses_to_mix_reporters():
    df = rows({"year": 2019}, {"year": 2020, "reporter": "NGO B"})
    with pytest.raises(analysis.AmbiguousSeriesError):
        analysis.series(df, "arrests", "US-CA-fresno")
    assert list(analysis.series(df, "arrests", "US-CA-fresno", reporter="NGO B")["year"]) == [2020]


def test_series_with_nothing_matching_says_what_exists():
    """A typo in a breakdown or vintage must not give an empty series (and a 'too few points' verdict)."""
    df = rows({"year": 2019, "breakdown": "offense=sex_trafficking"}, {"year": 2020, "vintage": "v2"})
    with pytest.raises(ValueError, match=r"breakdown 'age=minor'; breakdowns with data: offense=sex_traff"):
        analysis.series(df, "arrests", "US-CA-fresno", breakdown="age=minor")
    with pytest.raises(ValueError, match=r"from the chosen reporter/vintage; candidates:\n(.|\n)*v2"):
        analysis.series(df, "arrests", "US-CA-fresno", vintage="v3")


def test_series_keeps_gaps_and_bounds():
    df = rows(
        {"year": 2018, "value": 7.0},
        {"year": 2020, "value": 230.0, "qualifier": "over", "value_low": 230.0},
        {"year": 2021, "value": None, "qualifier": "suppressed", "value_low": 0.0, "value_high": 4.0},
        {"year": 2019, "value": 5.0, "breakdown": "age=minor"},  # another breakdown: not in the series
    )
    s = analysis.series(df, "arrests", "US-CA-fresno")
    assert list(s["year"]) == [2018, 2020, 2021]  # 2019 absent: a gap, not a zero
    over = s[s["year"] == 2020].iloc[0]
    assert (over["qualifier"], over["text"], over["low"], bool(over["low_open"])) == (
        "over",
        "over 230",
        230,
        True,
    )
    assert pd.isna(over["high"])
    sup = s[s["year"] == 2021].iloc[0]
    assert (sup["text"], sup["low"], sup["high"]) == ("<5", 0, 4)


def test_series_with_chosen_vintages_still_refuses_two_rows_a_year():
    df = rows({"year": 2020, "vintage": "v1", "value": 5.0}, {"year": 2020, "vintage": "v2", "value": 6.0})
    with pytest.raises(analysis.AmbiguousSeriesError):
        analysis.series(df, "arrests", "US-CA-fresno", vintage=["v1", "v2"])


def test_series_on_real_fbi_table_needs_a_vintage():
    counts = ts.read_counts()
    with pytest.raises(analysis.AmbiguousSeriesError):
        analysis.series(counts, "offenses_actual", "USA")
    s = analysis.series(counts, "offenses_actual", "USA", vintage="CDE download HT_2013-2020")
    assert s["year"].is_unique and s["vintage"].nunique() == 1


# ---------------------------------------------------------------------------------------- compare


def test_compare_fresno_2021_rescues_side_by_side():
    cmp = analysis.compare(ts.read_counts(), "victims_rescued", "US-CA-fresno", period=2021)
    # one statement reported by GV Wire and KSEE is one figure (data/raw/figure_relations.csv)
    assert sorted(cmp["text"]) == ["106", "over 230"]
    assert cmp["reporter"].nunique() == 2 and cmp["citation"].nunique() == 2
    assert (cmp["definition"] == ts.METRICS["victims_rescued"]).all()
    assert cmp.attrs["definition"] == ts.METRICS["victims_rescued"]
    assert cmp["note"].notna().all()


def test_compare_period_pair_selects_exact_period():
    df = rows({"year": 2020}, {"year": 2021})
    cmp = analysis.compare(df, "arrests", "US-CA-fresno", period=("2021-01-01", "2021-12-31"))
    assert list(cmp["year"]) == [2021]


def test_conflicts_is_find_conflicts_with_text():
    from trafficking_stats.build import find_conflicts

    counts = ts.read_counts()
    got = analysis.conflicts(counts)
    want = find_conflicts(counts)
    pd.testing.assert_frame_equal(got.drop(columns="text"), want)
    fresno = got[got["conflict_id"] == "fresno-2021-arrests"]  # 186 people vs 27 sex-trafficking arrests
    assert sorted(fresno["text"]) == ["186", "27"]
    assert "fresno-2021-rescued" not in set(got["conflict_id"])  # 106 girls are a part of the 230+


# ------------------------------------------------------------------------------------------ total


def test_total_refuses_different_metrics_even_with_overlap_allowed():
    df = rows({"metric": "arrests"}, {"metric": "convictions", "unit": "convictions", "year": 2021})
    with pytest.raises(analysis.IncomparableError, match="different metrics"):
        analysis.total(df, allow_overlap=True)


def test_total_refuses_different_units():
    df = rows({"unit": "arrests"}, {"unit": "persons", "year": 2021})
    with pytest.raises(analysis.IncomparableError, match="units"):
        analysis.total(df)


def test_total_refuses_reporters_unless_overlap_allowed():
    df = rows({"value": 5.0}, {"value": 7.0, "reporter": "NGO B"})
    with pytest.raises(analysis.IncomparableError, match="allow_overlap"):
        analysis.total(df)
    assert analysis.total(df, allow_overlap=True).value == 12.0


def test_total_refuses_overlapping_breakdowns_and_places():
    with pytest.raises(analysis.IncomparableError, match="overlapping"):
        analysis.total(rows({"breakdown": "total"}, {"breakdown": "age=minor"}))
    with pytest.raises(analysis.IncomparableError, match="overlapping"):
        analysis.total(rows({"breakdown": "age=minor"}, {"breakdown": "sex=female"}))
    nested = rows(
        {"geo_code": "US-CA", "geo_level": "state", "geo_name": "California"},
        {"geo_code": "US-CA-06019", "geo_level": "county", "geo_name": "Fresno County, CA"},
    )
    with pytest.raises(analysis.IncomparableError, match="overlapping"):
        analysis.total(nested)


def test_total_adds_disjoint_figures_with_bounds():
    df = rows(
        {"breakdown": "age=minor", "value": 230.0, "qualifier": "over", "value_low": 230.0},
        {"breakdown": "age=adult", "value": 20.0},
    )
    t = analysis.total(df)
    assert (t.qualifier, t.value) == ("over", 250.0)
    years = rows({"year": 2019, "value": 3.0}, {"year": 2020, "value": 4.0})
    assert analysis.total(years).text() == "7"


# ------------------------------------------------------------------------------------------ rates


def test_rates_per_100k_carry_bounds_and_give_reasons():
    df = rows(
        {"year": 2020, "value": 14.0},
        {"year": 2020, "value": 230.0, "qualifier": "over", "value_low": 230.0, "metric": "victims_rescued"},
        {"year": 2021, "value": 27.0},
    )
    r = analysis.rate_per_100k(df)
    assert r.loc[0, "population"] == 542_107  # Fresno city, 2020 Census
    assert r.loc[0, "rate"] == pytest.approx(2.5825, abs=1e-4)  # 1,400,000 / 542,107
    assert r.loc[0, "rate_qualifier"] == "exact"
    assert r.loc[1, "rate_qualifier"] == "over"
    assert r.loc[1, "rate"] == pytest.approx(42.4270, abs=1e-4)  # 23,000,000 / 542,107
    assert pd.isna(r.loc[1, "rate_high"])
    assert pd.isna(r.loc[2, "rate"]) and "no population for US-CA-fresno in 2021" in r.loc[2, "rate_reason"]
    assert r.loc[0, "rate_reason"] == ""


def test_population_table_is_cited_and_quotes_show_numbers():
    pop = read_population()
    assert pop[["geo_code", "year"]].duplicated().sum() == 0
    got = dict(zip(pop["geo_code"], pop["population"], strict=True))
    assert got["USA"] == 331_449_281 and got["US-CA-06019"] == 1_008_654
    for q, n in zip(pop["quote"], pop["population"], strict=True):
        assert f"{n:,}" in q and len(q.split()) <= 12


def test_population_table_rejects_uncited_or_unquoted_rows(tmp_path: Path):
    bad = tmp_path / "population.csv"
    bad.write_text(
        "geo_code,year,population,citation,quote\n"
        "US-CA-fresno,2020,542107,nope,Fresno has 542,107 people\n"
        "US-CA-fresno,2021,999,fresnobee-2021-census-fresno,Fresno has many people\n",
        encoding="utf-8",
    )
    from trafficking_stats.population import population_citations_csv

    with pytest.raises(ValidationError) as err:
        read_population(bad, population_citations_csv())
    text = str(err.value)
    assert "population.csv:2: column 'citation'" in text
    assert "population.csv:3: column 'quote'" in text
