"""Plain-language labels: metric names, breakdowns, reporters, hedged numbers and citations for footers."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CitationInfo",
    "breakdown_label",
    "citation_info",
    "number",
    "qualified",
    "source_names",
]

#: Metric -> short chart name (title case comes from the caller). Definitions are in schema.METRICS.
METRIC_NAMES: dict[str, str] = {
    "victims_rescued": "victims rescued",
    "victims_identified": "victims identified",
    "victims_referred": "potential victims referred",
    "victims_served": "victims served",
    "hotline_cases": "hotline cases",
    "hotline_victims": "potential victims in hotline cases",
    "hotline_contacts": "hotline contacts",
    "cases_identified": "cases identified",
    "victim_reports": "reports about victims",
    "cases_investigated": "cases investigated",
    "offenses_reported": "offenses reported to police",
    "offenses_unfounded": "offenses found unfounded",
    "offenses_actual": "offenses recorded by police",
    "offenses_cleared": "offenses cleared",
    "offenses_cleared_juvenile": "offenses cleared (juveniles only)",
    "offenses_recorded": "offenses recorded",
    "agencies_reporting": "agencies reporting",
    "agencies_participating": "agencies participating",
    "persons_formal_contact": "persons in formal contact with police",
    "grounds_decisions": "grounds decisions",
    "arrests": "arrests",
    "prosecutions": "prosecutions",
    "convictions": "convictions",
}

_REPORTER_TYPES: dict[str, str] = {
    "police": "Police",
    "task_force": "Task force",
    "ngo": "NGO",
    "hotline": "Hotline",
    "government": "Government",
    "intergovernmental": "Intergovernmental body",
    "research": "Researchers",
}

_KEY_VALUES: dict[tuple[str, str], str] = {
    ("age", "minor"): "minors",
    ("age", "adult"): "adults",
    ("sex", "female"): "female",
    ("sex", "male"): "male",
    ("offense", "sex_trafficking"): "sex trafficking",
    ("offense", "commercial_sex_acts"): "commercial sex acts",
    ("offense", "involuntary_servitude"): "involuntary servitude",
}


def metric_name(metric: str) -> str:
    """Short lower-case name of ``metric`` for titles and sentences."""
    return METRIC_NAMES.get(str(metric), str(metric).replace("_", " "))


def reporter_type_name(reporter_type: str) -> str:
    return _REPORTER_TYPES.get(str(reporter_type), str(reporter_type))


def breakdown_label(breakdown: str) -> str:
    """``age=minor;sex=female`` -> ``girls``; ``total`` -> ``all``; other pairs spelled out."""
    b = str(breakdown)
    if b == "total":
        return "all"
    pairs = dict(p.split("=", 1) for p in b.split(";"))
    if pairs == {"age": "minor", "sex": "female"}:
        return "girls"
    if pairs == {"age": "minor", "sex": "male"}:
        return "boys"
    parts = [
        _KEY_VALUES.get((k, v), f"{k.replace('_', ' ')}: {v.replace('_', ' ')}") for k, v in pairs.items()
    ]
    return ", ".join(parts)


def number(v: float) -> str:
    """A count as text: thousands commas, no ``.0``."""
    f = float(v)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.1f}"


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "<NA>"


def qualified(qualifier: str, value: object, low: object, high: object) -> tuple[str, str]:
    """(chart label, words) for a hedged figure: ``over`` 230 -> (``230+``, ``over 230``).

    Suppressed cells are (``0–4``, ``withheld (0 to 4)``) from their interval.
    """
    q = str(qualifier)
    if q == "suppressed":
        lo = 0 if _missing(low) else low
        hi = "?" if _missing(high) else number(high)  # type: ignore[arg-type]
        return f"{number(lo)}–{hi}", f"withheld by the publisher (between {number(lo)} and {hi})"  # type: ignore[arg-type]
    n = number(value)  # type: ignore[arg-type]
    if q == "exact":
        return n, n
    if q == "over":
        return f"{n}+", f"over {n}"
    if q == "at_least":
        return f"≥{n}", f"at least {n}"
    if q == "under":
        return f"<{n}", f"under {n}"
    if q == "at_most":
        return f"≤{n}", f"at most {n}"
    if q == "approximately":
        return f"~{n}", f"about {n}"
    if q == "range":
        return f"{number(low)}–{number(high)}", f"between {number(low)} and {number(high)}"  # type: ignore[arg-type]
    return n, n


@dataclass(frozen=True)
class CitationInfo:
    """One cited document: key, publisher, title, url and publication date (may be empty)."""

    key: str
    publisher: str
    title: str
    url: str
    published: str

    @property
    def short(self) -> str:
        """How a footer names it: ``Publisher, date`` or ``Publisher: title`` when the date is unknown."""
        if self.published:
            return f"{self.publisher}, {self.published}"
        return f"{self.publisher}: {self.title.strip('[]')}"


@lru_cache(maxsize=4)
def _citations(path: str) -> dict[str, CitationInfo]:
    p = Path(path)
    if not p.is_file():
        return {}
    with p.open(newline="", encoding="utf-8") as fh:
        return {
            r["citation"]: CitationInfo(
                r["citation"],
                r.get("publisher", ""),
                r.get("title", ""),
                r.get("url", ""),
                r.get("published", ""),
            )
            for r in csv.DictReader(fh)
        }


def citation_info(key: str) -> CitationInfo:
    """The row of ``data/processed/citations.csv`` for ``key`` (the key itself as publisher if absent)."""
    from .. import paths

    table = _citations(str(paths.processed_dir() / "citations.csv"))
    return table.get(key) or CitationInfo(key, key, "", "", "")


def source_names(keys: list[str]) -> list[str]:
    """Footer names of the citations ``keys``, in order, each cited once; ambiguous names get the title."""
    infos = [citation_info(k) for k in dict.fromkeys(keys)]
    shorts = [i.short for i in infos]
    out = []
    for i, s in zip(infos, shorts, strict=True):
        if shorts.count(s) > 1 and i.title:
            s = f"{s} ({i.title.strip('[]')})"
        out.append(s)
    return out
