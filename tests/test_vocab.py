"""Closed vocabularies and plausibility: nothing implausible ships.

Expected values are worked out by hand (ISO codes, populations from data/raw/population_countries.csv as
published by the World Bank) or counted independently on the real file with plain pandas.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from trafficking_stats import plausibility, vocab
from trafficking_stats.build import quarantine_invalid
from trafficking_stats.population import read_country_population
from trafficking_stats.sources import unodc_glotip
from trafficking_stats.sources.base import LoadResult

COLS = list(unodc_glotip.REQUIRED_COLUMNS)


def _glotip(*rows: tuple[str, str, str, str, str], iso: str = "ALB", year: float = 2019.0) -> pd.DataFrame:
    """GLOTIP rows in the publisher's layout: (Indicator, Dimension, Category, Sex, txtVALUE)."""
    return pd.DataFrame(
        [
            [iso, "Albania", ind, dim, cat, sex, "Total", year, "Counts", val]
            for ind, dim, cat, sex, val in rows
        ],
        columns=COLS,
    )


def _load(df: pd.DataFrame) -> LoadResult:
    rows, q, skipped, read = unodc_glotip.normalize_frame(df, raw_file="x.xlsx", vintage="2024-03")
    return LoadResult("unodc_glotip", "x.xlsx", read, rows, q, skipped)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Viet Nam", "vnm"),
        ("Brazil", "bra"),
        ("Brasil", "bra"),  # Spanish/Portuguese name, from pycountry's translations
        ("BRASILERA", "bra"),  # Spanish demonym, data/raw/country_aliases.csv
        ("Bresil", "bra"),  # French, accent lost
        ("Alemania", "deu"),
        ("Côte d'Ivoire", "civ"),
        ("Kosovo under UNSCR 1244", "xkx"),
        ("Netherlands (Kingdom of the)", "nld"),
        ("Nationals", "nationals"),
        ("Abroad", "abroad"),
        ("Q6.1_10s_2019", None),  # a questionnaire item code
        ("M49 Region: Africa", None),  # a region
        ("Kazakhistan", None),  # a misspelling is not guessed
        ("6,112,019", None),
        ("", None),
    ],
)
def test_resolve_country(text, value):
    assert vocab.resolve_country(text) == value


def test_every_alias_names_a_country_or_a_listed_category(root):
    allowed = vocab.vocabularies()[("unodc_glotip", "citizenship")]
    with open(root / "data" / "raw" / "country_aliases.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            value = r["value"].lower() if r["value"].isupper() else r["value"]
            assert vocab.resolve_country(r["text"]) == value, r
            assert allowed.allows(value), r


def test_questionnaire_code_with_date_shaped_value_is_quarantined_not_a_new_category():
    """The GLOTIP case: a Category that is a questionnaire item code, a date-shaped count, no total."""
    res = _load(
        _glotip(
            ("Persons convicted", "by citizenship", "Q6.1_10s_2019", "Total", "6,112,019"),
            ("Persons convicted", "by citizenship", "Albania", "Total", "12"),
        )
    )
    assert res.rows["breakdown"].tolist() == ["citizenship=alb"]
    (q,) = res.quarantine.itertuples()
    assert (q.raw_row, q.column, q.text) == (2, "Category", "Q6.1_10s_2019")
    assert "not a known country or category" in q.reason
    assert res.balanced()


def test_count_above_the_population_is_quarantined():
    # Albania: 2,854,191 inhabitants in 2019 (World Bank); 6,112,019 persons convicted is impossible
    res = _load(
        _glotip(
            ("Persons convicted", "Total", "Total", "Total", "6,112,019"),
            ("Persons convicted", "by citizenship", "Nationals", "Total", "7"),
            ("Detected trafficking victims", "Total", "Total", "Total", "2,854,191"),  # equal: possible
        )
    )
    assert len(res.rows) == 3
    quarantine_invalid(res, {"unodc-glotip"})
    assert sorted(res.rows["value"].tolist()) == [7, 2854191]
    (q,) = res.quarantine.itertuples()
    assert q.raw_row == 2 and q.column == "value"
    assert "above the population of ALB (2,854,191 in 2019" in q.reason
    assert res.balanced()


def test_out_of_vocabulary_value_of_any_source_is_reported():
    rows = pd.DataFrame(
        {
            "dataset": ["uk_nrm", "uk_nrm", "uk_nrm", "unodc_glotip"],
            "breakdown": [
                "nationality=albanian",
                "nationality=q6_1_10s_2019",
                "colour=red",
                "citizenship=zzz",
            ],
            "raw_file": "f.csv",
            "raw_row": [2, 3, 4, 5],
        }
    )
    found = {idx: p for idx, p in vocab.breakdown_problems(rows)}
    assert set(found) == {1, 2, 3}
    assert "not a known country or category" in found[1].message and found[1].line == 3
    assert "'colour' is not a dimension of uk_nrm" in found[2].message
    assert "not a known country or category" in found[3].message


def test_country_population_table_is_complete_and_cited(root):
    pop = read_country_population()
    # 215 countries x 23 years (2000-2022) from great_tables' countrypops, plus Kosovo's one 2019 row
    assert not pop.duplicated(["geo_code", "year"]).any()
    assert len(pop) == 215 * 23 + 1 and pop["geo_code"].nunique() == 216
    by = pop.set_index(["geo_code", "year"])["population"]
    # World Bank SP.POP.TOTL as printed in great_tables' countrypops CSV (1.1.0)
    assert by[("DEU", 2019)] == 83092962 and by[("DEU", 2021)] == 83196078
    assert by[("ALB", 2019)] == 2854191 and by[("ALB", 2021)] == 2811666
    assert by[("XKX", 2019)] == 1794248  # not in countrypops: the earlier pypopulation row is kept
    assert set(pop["citation"]) == {
        "worldbank-sp-pop-totl-2000-2022-great-tables-1-1-0",
        "worldbank-sp-pop-totl-2019-pypopulation-2020-3",
    }


def test_population_ceiling_is_the_figures_own_year():
    # Albania had 2,854,191 inhabitants in 2019 and 2,811,666 in 2021 (World Bank): 2,830,000 persons
    # identified passes in 2019 and is quarantined in 2021
    row = ("Detected trafficking victims", "Total", "Total", "Total", "2,830,000")
    ok = _load(_glotip(row, year=2019.0))
    quarantine_invalid(ok, {"unodc-glotip"})
    assert len(ok.quarantine) == 0 and len(ok.rows) == 1
    res = _load(_glotip(row, year=2021.0))
    quarantine_invalid(res, {"unodc-glotip"})
    (q,) = res.quarantine.itertuples()
    assert "above the population of ALB (2,811,666 in 2021" in q.reason


def test_real_glotip_every_breakdown_in_vocabulary_and_no_count_above_population(real_data):
    res = unodc_glotip.load(real_data / "unodc" / "glotip-2024-03" / "data_glotip.xlsx")
    assert vocab.breakdown_problems(res.rows) == []
    assert plausibility.population_problems(res.rows) == []
    values = {p.split("=")[1] for b in res.rows["breakdown"] for p in b.split(";") if p.startswith("citiz")}
    assert {"alb", "bra", "nga", "nationals", "unknown"} <= values
    assert not any("_" in v for v in values)  # no slugged free text left
    # the regions and codes of the file are quarantined with the reason, counted independently
    sheet = pd.read_excel(
        real_data / "unodc" / "glotip-2024-03" / "data_glotip.xlsx", dtype=str, engine="calamine"
    )
    regions = sheet["Category"].str.startswith("M49 Region:", na=False).sum()
    q = res.quarantine
    got = q[q["text"].str.startswith("M49 Region:", na=False)]
    assert len(got) == regions > 0
    assert got["reason"].str.contains("not a known country or category").all()
