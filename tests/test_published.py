"""The committed published figures: the seed figure, its conflicts, citations and quotes.

Expected numbers here are transcribed by hand from the cited documents (via the research dossier), not
taken from the code's output.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

import trafficking_stats as ts
from trafficking_stats import paths
from trafficking_stats.relations import read_relations


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return ts.read_counts()


@pytest.fixture(scope="module")
def raw_rows() -> list[dict[str, str]]:
    with open(paths.published_figures_csv(), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_fresno_2021_rescue_figure_is_a_lower_bound(counts):
    seed = counts[
        (counts.geo_code == "US-CA-fresno")
        & (counts.metric == "victims_rescued")
        & (counts.year == 2021)
        & (counts.breakdown == "total")
    ]
    assert len(seed) == 1  # one statement, reported by GV Wire and KSEE: one figure
    r = seed.iloc[0]
    assert (r.value, r.qualifier, r.value_low) == (230, "over", 230)
    assert pd.isna(r.value_high)
    assert "over 230" in r.quote
    rel = read_relations()
    also = rel[(rel.figure_id == r.figure_id) & (rel.relation == "also_reported_by")]
    assert list(also.other) == ["ksee-2022-01-18-fresno-pledge"]
    assert "over 230" in also.quote.iloc[0]


def test_the_106_girls_are_a_part_of_the_rescues_not_a_conflict(counts):
    conflicts = ts.read_conflicts()
    fresno = counts[(counts.geo_code == "US-CA-fresno") & (counts.metric == "victims_rescued")]
    assert not set(fresno.figure_id) & set(conflicts.figure_id), "a part is not a conflict"
    rel = read_relations()
    part = rel[rel.relation == "part_of"]
    girls = fresno[fresno.breakdown == "age=minor;sex=female"].figure_id.iloc[0]
    whole = fresno[fresno.breakdown == "total"].figure_id.iloc[0]
    assert (girls, whole) in set(zip(part.figure_id, part.other, strict=True))


def test_every_relation_names_known_figures_and_citations(counts):
    rel = read_relations()
    cites = set(pd.read_csv(paths.citations_csv(), dtype="str", keep_default_na=False)["citation"])
    assert set(rel.figure_id) <= set(counts.figure_id)
    assert set(rel.citation) <= cites
    assert set(rel[rel.relation == "part_of"].other) <= set(counts.figure_id)
    assert set(rel[rel.relation == "also_reported_by"].other) <= cites
    for q, n in zip(rel.quote, rel.figure_id, strict=True):
        assert 0 < len(q.split()) <= 12, n


def test_every_row_is_cited_and_traceable(counts):
    raw = set(pd.read_csv(paths.citations_csv(), dtype="str", keep_default_na=False)["citation"])
    assert set(counts[counts.dataset == "published"].citation) <= raw
    processed = pd.read_csv(paths.processed_dir() / "citations.csv", dtype="str", keep_default_na=False)
    assert set(counts.citation) <= set(processed["citation"])  # bulk sources cite their datasets
    pub = counts[counts.dataset == "published"]
    assert (pub.quote.notna() & pub.raw_file.notna() & pub.raw_row.notna()).all()
    # figures computed from publisher files name the file; raw_row is NA only for aggregates of many records
    assert counts.raw_file.notna().all()


def test_every_citation_row_is_used_and_has_url_and_licence():
    cit = pd.read_csv(paths.processed_dir() / "citations.csv", dtype="str", keep_default_na=False)
    assert (cit.n_figures.astype(int) > 0).all(), cit[cit.n_figures == "0"].citation.tolist()
    assert (cit.url.str.startswith("http")).all()
    assert (cit.licence != "").all()


HEDGES = (
    "more than",
    "over",
    "at least",
    "nearly",
    "almost",
    "just under",
    "under",
    "fewer than",
    "less than",
    "about",
    "approximately",
    "around",
    "roughly",
)


def test_each_count_and_its_hedge_appear_in_the_quote(raw_rows):
    for r in raw_rows:
        count, quote = r["count"].lower(), r["quote"].lower()
        number = re.search(r"\d[\d,. ]*\d|\d", count).group(0)
        assert number in quote, f"line for {r['figure_id']}: {count!r} not in quote {quote!r}"
        hedge = count[: count.index(number)].strip()
        if hedge:
            assert hedge in quote, f"{r['figure_id']}: hedge {hedge!r} not in quote {quote!r}"
        assert len([w for w in r["quote"].split() if w != "|"]) <= 12, r["figure_id"]


def test_hedged_counts_are_never_exact(counts, raw_rows):
    hedged = {r["figure_id"] for r in raw_rows if any(h in r["count"].lower() for h in HEDGES)}
    assert hedged, "expected some hedged figures"
    q = counts.set_index("figure_id").loc[sorted(hedged), "qualifier"]
    assert (q != "exact").all()


def _values(counts, **where) -> set[float]:
    m = pd.Series(True, index=counts.index)
    for k, v in where.items():
        m &= counts[k] == v
    return set(counts.loc[m, "value"].astype(float))


def test_required_series_are_present_with_their_vintages(counts):
    # UK NRM: the first release and the restatement of the same year are both kept.
    assert {17004.0, 16990.0} <= _values(counts, geo_code="GBR", metric="victims_referred", year=2023)
    assert {6993.0, 6986.0, 6985.0} <= _values(counts, geo_code="GBR", metric="victims_referred", year=2018)
    # US hotline: first-release and revised vintages of 2018.
    assert {10949.0, 10915.0} <= _values(counts, geo_code="USA", metric="hotline_cases", year=2018)
    # TIP global law-enforcement data, 2023 (TIP Report 2024 table).
    assert 18774.0 in _values(counts, geo_code="world", metric="prosecutions", year=2023, breakdown="total")
    # FBI UCR national offenses 2016 (1,196 published) and California hotline cases 2016-2018.
    assert 1196.0 in _values(counts, geo_code="USA", metric="offenses_actual", year=2016, breakdown="total")
    assert _values(counts, geo_code="US-CA", metric="hotline_cases", year=2016) >= {1323.0}
    # Clark County: police-identified vs NGO-served, same three years.
    assert 539.0 in _values(counts, geo_code="US-NV-32003", metric="victims_identified")
    assert 526.0 in _values(counts, geo_code="US-NV-32003", metric="victims_served")


def test_partial_and_cumulative_periods_have_no_year(counts):
    odd = counts[counts.period_kind.isin(["partial_year", "multi_year", "cumulative", "quarter"])]
    assert len(odd) > 0
    assert odd.year.isna().all()
    cvaht = counts[(counts.geo_code == "US-CA-central-valley-6") & (counts.value == 114)]
    assert set(cvaht.period_kind) >= {"partial_year"}
