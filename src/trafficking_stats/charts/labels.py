"""Plain-language labels: metric names, breakdowns, reporters, hedged numbers and citations for footers."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CitationInfo",
    "breakdown_label",
    "citation_info",
    "clean_title",
    "number",
    "qualified",
    "series_name",
    "short_publisher",
    "source_line",
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


def short_publisher(publisher: str) -> str:
    """A publisher in a few words: its acronym when it gives one (``Federal Bureau of Investigation (FBI),
    ...`` -> ``FBI``; ``US General Services Administration (GSA/...)`` -> ``GSA``), else its name without
    the parenthesised part and a leading "The" (``The Fresno Bee (via Yahoo News)`` -> ``Fresno Bee``)."""
    acronym = re.match(r"^[^,(]*\(([A-Z][A-Za-z-]{1,10})[/,)]", publisher)
    if acronym:
        return acronym.group(1)
    return publisher.split(" (")[0].split(",")[0].strip().removeprefix("The ")


_FILE_NAME = re.compile(r"\s*\(?\b[\w./-]+\.(?:csv|xlsx|xls|zip|txt|json|ods)\b\)?", re.IGNORECASE)


def clean_title(title: str) -> str:
    """A document title as readers should see it: no editor's brackets, no file names
    (``UNODC Data Portal: Trafficking in Persons (data_glotip.xlsx)`` -> ``UNODC Data Portal: Trafficking
    in Persons``; ``data/indicator_16-2-2.csv (Number of ...)`` -> ``Number of ...``)."""
    t = title.strip().strip("[]").strip()
    t = _FILE_NAME.sub("", t).strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    return re.sub(r"\s{2,}", " ", t).strip(" :;,")


def _dedupe_phrases(publisher: str, title: str) -> str:
    """``title`` without a leading phrase the publisher already says (``Crime Data Explorer: Crime Data
    Explorer: Human Trafficking ...`` says the name once)."""
    head, sep, rest = title.partition(": ")
    if sep and head.lower() in publisher.lower():
        return rest
    return title


def source_line(info: CitationInfo) -> str:
    """One cited document for a footer: publisher, title (said once, no file names) and date."""
    pub = info.publisher.strip()
    # a bracketed title is an editor's description of an untitled page: the publisher and date say it
    title = "" if info.title.strip().startswith("[") else _dedupe_phrases(pub, clean_title(info.title))
    acronym = re.search(r"\s\(([A-Z][A-Za-z]{1,9})\)", pub)
    if acronym and title.startswith(acronym.group(1)):  # "... (UNODC): UNODC Data Portal" names it once
        pub = pub.replace(acronym.group(0), "")
    when = f", {info.published}" if info.published else ""
    return f"{pub}: {title}{when}" if title else f"{pub}{when}"


def series_name(info: CitationInfo, max_chars: int = 42, others: list[CitationInfo] | None = None) -> str:
    """A legend name for a series from one cited document: the publisher in a few words, the title (said
    once, shortened at a word to ``max_chars``) and the year published: ``FBI: Human Trafficking bulk
    download``, ``Good Faith Media, 2017``. Never a file name. With ``others`` (the documents of the other
    series), the words a publisher's titles share are left out, so that what tells them apart shows:
    ``FBI: bulk download (agency level)`` and ``FBI: ASCII master file``."""
    pub = short_publisher(info.publisher)

    def words(i: CitationInfo) -> str:
        if i.title.strip().startswith("["):
            return ""
        return _dedupe_phrases(i.publisher, clean_title(i.title))

    title = words(info)
    same = [words(o) for o in others or [] if short_publisher(o.publisher) == pub and words(o) != title]
    if same and title:
        mine = title.split()

        def tok(t: str, k: int) -> str:
            return t.split()[k].strip(",;:").lower()

        k = 0
        while all(k < len(t.split()) and k < len(mine) - 1 and tok(t, k) == tok(title, k) for t in same):
            k += 1
        title = " ".join(mine[k:]).strip(" ,;:")
    if len(title) > max_chars:
        title = title.split(" (")[0]  # a parenthesised aside goes first
    if len(title) > max_chars:
        title = title[:max_chars].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    year = f", {info.published[:4]}" if info.published else ""
    return f"{pub}: {title}{year}" if title else f"{pub}{year}"


def source_names(keys: list[str]) -> list[str]:
    """Footer names of the citations ``keys``, in order, each cited once and no phrase said twice."""
    return [source_line(citation_info(k)) for k in dict.fromkeys(keys)]
