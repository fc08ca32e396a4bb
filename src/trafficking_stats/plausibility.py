"""Checks that hold a figure against what is possible, beyond the schema's row rules.

Two checks, each returning ``(row index, Problem)`` pairs like :func:`trafficking_stats.schema.problems`;
:func:`problems` runs both and is called wherever rows are validated (``build``, ``load``):

* **vocabulary**: every breakdown pair is in its dataset's closed vocabulary
  (:func:`trafficking_stats.vocab.breakdown_problems`);
* **population ceiling**: a count of persons (unit ``persons``) whose lower bound exceeds the population
  of its place is impossible ("6,112,019 convictions of nationals" in a country of 2 million). The
  ceiling is the cited population of the place (:func:`trafficking_stats.population.read_population`,
  then the World Bank table of :func:`~trafficking_stats.population.read_country_population`) for the
  figure's year, or the nearest year the tables have (population changes slowly; a count above it is not
  a borderline case).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import Problem
from .vocab import breakdown_problems

if TYPE_CHECKING:
    import pandas as pd

#: Units counted in persons, held against the population of the place.
PERSON_UNITS: frozenset[str] = frozenset({"persons"})


def population_table() -> pd.DataFrame:
    """Every cited population figure: ``geo_code``, ``year``, ``population``, ``citation`` (transcribed
    figures first, then the World Bank country table)."""
    import pandas as pd

    from .population import read_country_population, read_population

    cols = ["geo_code", "year", "population", "citation"]
    return pd.concat([read_population()[cols], read_country_population()[cols]], ignore_index=True)


def population_problems(df: pd.DataFrame, table: pd.DataFrame | None = None) -> list[tuple[object, Problem]]:
    """Rows counting more persons than live in their place (see the module docstring)."""
    import numpy as np
    import pandas as pd

    if not len(df):
        return []
    table = population_table() if table is None else table
    by_place: dict[str, list[tuple[int, int, str]]] = {}
    for g, y, p, c in zip(
        table["geo_code"], table["year"], table["population"], table["citation"], strict=True
    ):
        by_place.setdefault(str(g), []).append((int(y), int(p), str(c)))
    persons = df["unit"].astype("str").isin(PERSON_UNITS).to_numpy()
    known = df["geo_code"].astype("str").isin(set(by_place)).to_numpy()
    low = pd.to_numeric(df["value_low"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    value = pd.to_numeric(df["value"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    low = np.where(np.isnan(low), value, low)
    cand = np.flatnonzero(persons & known & ~np.isnan(low))
    if not len(cand):
        return []
    years = pd.to_datetime(df["period_start"], errors="coerce").dt.year.fillna(0).astype("int64").to_numpy()
    codes = df["geo_code"].astype("str").to_numpy()
    nearest = {
        (g, y): min(by_place[g], key=lambda t: (abs(t[0] - y), -t[0]))
        for g, y in set(zip(codes[cand].tolist(), years[cand].tolist(), strict=True))
    }
    ceiling = np.array([nearest[(codes[i], years[i])][1] for i in cand], dtype="float64")
    out: list[tuple[object, Problem]] = []
    for i in cand[low[cand] > ceiling]:
        y, pop, cit = nearest[(codes[i], years[i])]
        f = df["raw_file"].iat[i] if "raw_file" in df.columns else None
        r = df["raw_row"].iat[i] if "raw_row" in df.columns else None
        msg = (
            f"a count of at least {low[i]:,.0f} persons is above the population of {codes[i]} "
            f"({pop:,} in {y}, {cit}): not a possible count"
        )
        where = (None if f is None or pd.isna(f) else str(f), None if r is None or pd.isna(r) else int(r))
        out.append((df.index[i], Problem(*where, "value", msg)))
    return out


def problems(df: pd.DataFrame) -> list[tuple[object, Problem]]:
    """Vocabulary and population-ceiling problems of ``df`` as ``(row index, Problem)`` pairs."""
    return breakdown_problems(df) + population_problems(df)
