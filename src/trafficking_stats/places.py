"""The places a place chart and a place page cover, and the metrics the table holds for each.

A *place* is a country (every country of UNODC's GLOTIP data, plus any other country the table holds,
such as the United Kingdom and the United States from other reporters) or a US state (every state of the
FBI datasets). Its *metrics* are those with at least one whole-year figure for the whole place
(``breakdown == "total"``); metrics published only by breakdown (age, sex, ...) are listed apart, never
summed into a total. No matplotlib here: the ``chart`` command lists places without drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PLACE_LEVELS", "Place", "place", "place_metrics", "places"]

#: Geography levels that get a place chart and page.
PLACE_LEVELS: tuple[str, ...] = ("country", "state")


@dataclass(frozen=True)
class Place:
    """One place: its code (ISO 3166-1 alpha-3 or ISO 3166-2 ``US-TX``), name, level and group.

    ``group`` is the finder's heading: the UNODC region of a country (``Africa``, ``Europe``, ...) or
    ``US states``. ``metrics`` are the metrics with whole-place yearly figures (drawn); ``breakdown_only``
    those published only by breakdown (listed, not drawn).
    """

    code: str
    name: str
    level: str
    group: str
    datasets: tuple[str, ...]
    metrics: tuple[str, ...]
    breakdown_only: tuple[str, ...]

    @property
    def slug(self) -> str:
        """File-name stem of the place's page and charts (the code as it is: letters, digits, ``-``)."""
        return self.code


def _metric_order(metric: str) -> tuple[int, int, str]:
    """Page order of a place's metrics: the counts first, in the vocabulary's order (victims, hotline,
    offenses, ..., convictions), the reporting-coverage metrics (``agencies_*``) last."""
    from .schema import METRICS

    order = list(METRICS)
    return (metric.startswith("agencies_"), order.index(metric) if metric in order else len(order), metric)


def _yearly(counts: pd.DataFrame) -> pd.DataFrame:
    mask = counts["year"].notna() & counts["geo_level"].astype("str").isin(PLACE_LEVELS)
    return counts[mask.to_numpy(dtype=bool, na_value=False)]


def places(counts: pd.DataFrame) -> list[Place]:
    """Every place of ``counts`` (countries, then US states; by group, then name), with its metrics."""
    from .regions import read_regions

    rows = _yearly(counts)
    region = dict(zip(read_regions()["geo_code"], read_regions()["region"], strict=True))
    cols = rows[["geo_code", "geo_name", "geo_level", "dataset", "metric", "breakdown"]].astype("str")
    out = []
    for code, g in cols.groupby("geo_code", sort=True):
        level = g["geo_level"].iloc[0]
        total = set(g.loc[g["breakdown"] == "total", "metric"])
        other = set(g["metric"]) - total
        group = "US states" if level == "state" else region.get(str(code), "Other countries")
        out.append(
            Place(
                code=str(code),
                name=str(g["geo_name"].iloc[0]),
                level=str(level),
                group=group,
                datasets=tuple(sorted(set(g["dataset"]))),
                metrics=tuple(sorted(total, key=_metric_order)),
                breakdown_only=tuple(sorted(other, key=_metric_order)),
            )
        )
    order = {"US states": 1}
    return sorted(out, key=lambda p: (order.get(p.group, 0), p.group, p.name))


def place(counts: pd.DataFrame, code: str) -> Place:
    """The place ``code``; ValueError naming close codes when the table has no yearly figure for it."""
    import difflib

    found = {p.code: p for p in places(counts)}
    if code in found:
        return found[code]
    up = code.upper()
    if up in found:
        return found[up]
    close = difflib.get_close_matches(up, list(found), n=5, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ValueError(
        f"no place {code!r} in the table.{hint} Codes are ISO 3166-1 alpha-3 for countries (NGA, GBR) "
        "and ISO 3166-2 for US states (US-TX); `trafficking-stats chart --list` lists them all."
    )


def place_metrics(counts: pd.DataFrame, code: str) -> tuple[str, ...]:
    """The metrics drawn for place ``code`` (whole-place yearly figures)."""
    return place(counts, code).metrics
