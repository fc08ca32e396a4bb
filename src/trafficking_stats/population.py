"""Resident population (for rates per 100,000 residents), from a committed, cited table.

``data/raw/population.csv`` has one row per place and year: ``geo_code`` (a code from
:mod:`trafficking_stats.geo`), ``year``, ``population`` (persons, an integer), ``citation`` (a key into
``data/raw/population_citations.csv``) and ``quote`` (at most 12 words of the cited page showing the
number). Every number is transcribed from a stored page: none is estimated, interpolated or carried to
another year. The figures are US Census Bureau counts (2020 Census, resident population on April 1,
2020); a year without a row has no population, and a rate for it is NA with a reason.

``data/raw/population_citations.csv`` has the columns of ``citations.csv`` (citation, publisher, title,
url, published, accessed, licence, note).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from . import geo, paths
from .counts import numbers_in
from .errors import Problem, ValidationError
from .schema import MAX_QUOTE_WORDS

if TYPE_CHECKING:
    import pandas as pd

POPULATION_COLUMNS: tuple[str, ...] = ("geo_code", "year", "population", "citation", "quote")
CITATION_COLUMNS: tuple[str, ...] = (
    "citation",
    "publisher",
    "title",
    "url",
    "published",
    "accessed",
    "licence",
    "note",
)


population_csv = paths.population_csv  # re-exported: the paths live in paths.py
population_citations_csv = paths.population_citations_csv


def read_population(path: Path | None = None, citations_path: Path | None = None) -> pd.DataFrame:
    """The population table, validated: one row per (geo_code, year), columns as in the module docstring.

    Checks, all reported together in one :class:`~trafficking_stats.errors.ValidationError` naming the
    file, line and column: the columns; a known ``geo_code``; an integer ``year`` and a positive integer
    ``population``; no repeated (geo_code, year); a ``citation`` present in the citations file; a quote of
    at most 12 words that shows the population number itself.
    """
    import pandas as pd

    path = Path(path) if path is not None else population_csv()
    citations_path = Path(citations_path) if citations_path is not None else population_citations_csv()
    name = path.name
    df = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8")
    cites = pd.read_csv(citations_path, dtype="str", keep_default_na=False, encoding="utf-8")
    problems: list[Problem] = []
    for cols, n, frame in ((POPULATION_COLUMNS, name, df), (CITATION_COLUMNS, citations_path.name, cites)):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            problems += [Problem(n, 1, c, "required column is missing") for c in missing]
    if problems:
        raise ValidationError(problems)
    keys = set(cites["citation"])
    seen: set[tuple[str, int]] = set()
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2
        try:
            geo.place(r["geo_code"])
        except KeyError:
            problems.append(Problem(name, line, "geo_code", f"unknown geo_code {r['geo_code']!r}"))
        year = pop = None
        if re.fullmatch(r"\d{4}", r["year"]):
            year = int(r["year"])
        else:
            problems.append(Problem(name, line, "year", f"expected a 4-digit year, found {r['year']!r}"))
        if re.fullmatch(r"[1-9]\d*", r["population"]):
            pop = int(r["population"])
        else:
            msg = f"expected a positive integer without separators, found {r['population']!r}"
            problems.append(Problem(name, line, "population", msg))
        if year is not None:
            if (r["geo_code"], year) in seen:
                problems.append(Problem(name, line, "year", f"repeated geo_code and year {r['geo_code']}"))
            seen.add((r["geo_code"], year))
        if r["citation"] not in keys:
            msg = f"citation {r['citation']!r} is not in {citations_path.name}"
            problems.append(Problem(name, line, "citation", msg))
        words = len(r["quote"].split())
        if not 0 < words <= MAX_QUOTE_WORDS:
            msg = f"the quote must have 1 to {MAX_QUOTE_WORDS} words, found {words}"
            problems.append(Problem(name, line, "quote", msg))
        elif pop is not None and pop not in numbers_in(r["quote"]):
            problems.append(Problem(name, line, "quote", f"the quote does not show the number {pop:,}"))
    if problems:
        raise ValidationError(problems)
    out = pd.DataFrame(
        {
            "geo_code": df["geo_code"].astype("str"),
            "year": df["year"].astype("int64").astype("Int16"),
            "population": df["population"].astype("int64"),
            "citation": df["citation"].astype("str"),
            "quote": df["quote"].astype("str"),
        }
    )
    return out.sort_values(["geo_code", "year"], kind="mergesort").reset_index(drop=True)


def read_population_citations(path: Path | None = None) -> pd.DataFrame:
    """The documents cited by the population table (all columns as text, empty = not stated)."""
    import pandas as pd

    path = Path(path) if path is not None else population_citations_csv()
    return pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8")


COUNTRY_POPULATION_COLUMNS: tuple[str, ...] = ("geo_code", "year", "population", "citation", "name_in_source")


def country_population_csv() -> Path:
    """``data/raw/population_countries.csv``: one row per country and year (World Bank SP.POP.TOTL,
    2000-2022, via great_tables; regenerated by ``tools/population_countries.py``)."""
    return paths.raw_dir() / "population_countries.csv"


def read_country_population(path: Path | None = None, citations_path: Path | None = None) -> pd.DataFrame:
    """The population of every country the World Bank lists (``data/raw/population_countries.csv``).

    Columns ``geo_code`` (ISO 3166-1 alpha-3), ``year``, ``population`` (persons), ``citation`` (a key
    of ``population_citations.csv``) and ``name_in_source``. The figures are copied unchanged from the
    cited dataset (a machine-readable table, so rows carry no quote). Kept apart from
    :func:`read_population`, whose transcribed figures are the rates' denominators: these serve as the
    plausibility ceiling of :mod:`trafficking_stats.plausibility`. Raises
    :class:`~trafficking_stats.errors.ValidationError` naming file, line and column for an unknown code,
    a year or population that is not a positive integer, a repeated (geo_code, year) or an unknown citation.
    """
    import pandas as pd

    path = Path(path) if path is not None else country_population_csv()
    citations_path = Path(citations_path) if citations_path is not None else population_citations_csv()
    df = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8")
    keys = set(read_population_citations(citations_path)["citation"])
    name = path.name
    missing = [c for c in COUNTRY_POPULATION_COLUMNS if c not in df.columns]
    if missing:
        raise ValidationError([Problem(name, 1, c, "required column is missing") for c in missing])
    problems: list[Problem] = []
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2
        try:
            if geo.place(r["geo_code"]).level != "country":
                raise KeyError(r["geo_code"])
        except KeyError:
            problems.append(Problem(name, line, "geo_code", f"not a country code {r['geo_code']!r}"))
        if not re.fullmatch(r"\d{4}", r["year"]):
            problems.append(Problem(name, line, "year", f"expected a 4-digit year, found {r['year']!r}"))
        if not re.fullmatch(r"[1-9]\d*", r["population"]):
            msg = f"expected a positive integer without separators, found {r['population']!r}"
            problems.append(Problem(name, line, "population", msg))
        if r["citation"] not in keys:
            msg = f"citation {r['citation']!r} is not in {citations_path.name}"
            problems.append(Problem(name, line, "citation", msg))
    dup = df.duplicated(["geo_code", "year"])
    problems += [Problem(name, int(i) + 2, "year", "repeated geo_code and year") for i in df.index[dup]]
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(
        {
            "geo_code": df["geo_code"].astype("str"),
            "year": df["year"].astype("int64").astype("Int16"),
            "population": df["population"].astype("int64"),
            "citation": df["citation"].astype("str"),
            "name_in_source": df["name_in_source"].astype("str"),
        }
    )
