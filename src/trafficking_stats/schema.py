"""The normalized table (``counts``): its columns, dtypes, vocabularies and validation.

One row = one figure: one reporter's count of one metric, for one place, one period and one breakdown.
This module is the single source of truth for the table. The column specs below drive the dtype coercion,
the vocabulary checks, the row rules, the column documentation in ``docs/`` and the data-package
descriptor written beside the processed files, so the check and the description cannot drift apart.

The schema is declarative (column specs + named row rules, all data) rather than pandera-based: pandera
0.35 adds ~1 s to ``import`` and its failure-case tables do not carry the file and line of each row, which
our error messages must name. See DESIGN.md, "The normalized table".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import geo
from .counts import QUALIFIERS
from .errors import Problem, ValidationError

if TYPE_CHECKING:
    import pandas as pd

# --------------------------------------------------------------------------------------------------------
# Vocabularies: data, in one place.
# --------------------------------------------------------------------------------------------------------

#: Metric -> one-paragraph definition. Shown in notebooks and chart footnotes. Add a metric only with its
#: definition and the sources that use it.
METRICS: dict[str, str] = {
    "victims_rescued": (
        "Persons a reporter says it 'rescued' or 'recovered' from a trafficking situation, usually police "
        "or a police-led operation. The word is the reporter's own: it is not verified, it does not mean the "
        "person was later confirmed as a victim, and some reporters count rescues made jointly with NGO "
        "partners. Used by: Fresno Police Department, Orange County Human Trafficking Task Force "
        "(2021-22 on)."
    ),
    "victims_identified": (
        "Persons identified as victims or potential victims of trafficking by an authority or programme "
        "(police, a task force, a government, or an NGO programme that screens cases). Identification "
        "criteria differ between reporters and are rarely a legal finding. Used by: US State Department TIP "
        "report (figures from governments), task forces, Fresno EOC's CVAHT programme."
    ),
    "victims_referred": (
        "Potential victims referred into a formal identification and support mechanism by a first "
        "responder, counted at referral, before any decision on whether they are victims. Used by: UK "
        "National Referral Mechanism (NRM)."
    ),
    "victims_served": (
        "Persons who received services or assistance (shelter, case management, legal or health help) from a "
        "service provider in the period. A person can be served in several periods, and people served are "
        "not all newly identified. Used by: NGO service providers, Orange County task force (2014-2020 "
        "reports), Signs of HOPE (Las Vegas)."
    ),
    "hotline_cases": (
        "Trafficking cases ('situations' from 2019) that a hotline learned of from calls, texts, emails and "
        "webforms. Cases are described by callers and are not verified; one case can involve several "
        "victims; they are not crimes. The scope changed over time (hotline only, then with the BeFree "
        "textline and overseas cases). Used by: US National Human Trafficking Hotline (Polaris)."
    ),
    "hotline_victims": (
        "Potential victims described in the cases a hotline learned of (not verified, can repeat across "
        "cases). Used by: US National Human Trafficking Hotline (Polaris)."
    ),
    "hotline_contacts": (
        "Communications a hotline received (calls, texts, emails, webforms; 'signals'), of any kind, "
        "including calls that are not about trafficking. Used by: US National Human Trafficking Hotline."
    ),
    "cases_identified": (
        "Trafficking cases an NGO or programme identified in the period; one case may involve one or more "
        "victims, so cases are not persons. Used by: Fresno EOC's Central Valley Against Human Trafficking."
    ),
    "victim_reports": (
        "Reports about victims filed by participating agencies to a regional data collection; the same "
        "victim can be reported by more than one agency, so reports are not unique persons. Used by: "
        "Central Valley Human Trafficking Project (Fresno Pacific University)."
    ),
    "cases_investigated": (
        "Trafficking investigations opened or cases investigated by a law-enforcement agency in the period. "
        "Used by: federal agencies and police departments."
    ),
    "offenses_reported": (
        "Human-trafficking offenses reported to police before unfounded (false or baseless) reports are "
        "removed. Used by: FBI UCR human-trafficking collection (reported counts)."
    ),
    "offenses_unfounded": (
        "Human-trafficking offenses reported to police that investigation showed to be false or baseless "
        "('unfounded'); reported minus unfounded gives actual offenses. Used by: FBI UCR (CDE bulk download, "
        "UCR human-trafficking master file)."
    ),
    "offenses_actual": (
        "Human-trafficking offenses recorded by police after unfounded reports are removed ('actual "
        "offenses'); the 'offenses' in the FBI's published human-trafficking tables. Counts only agencies "
        "that report, and the number of reporting agencies changes every year. Used by: FBI UCR."
    ),
    "offenses_cleared": (
        "Offenses cleared by at least one arrest or by exceptional means (the offender is known but cannot "
        "be arrested). A clearance can be counted in a later year than the offense. Used by: FBI UCR."
    ),
    "offenses_cleared_juvenile": (
        "Offenses cleared (by arrest or exceptional means) that involved only persons under 18; a subset of "
        "offenses_cleared. Used by: FBI UCR ('clearances under 18', 'juvenile cleared count')."
    ),
    "offenses_recorded": (
        "Offences of trafficking in persons recorded by national authorities (police or other competent "
        "bodies) in the reference year, as reported to UNODC; national recording rules differ, so counts are "
        "not comparable across countries without reading UNODC's country notes. Used by: UNODC GLOTIP."
    ),
    "agencies_reporting": (
        "Law-enforcement agencies that reported human-trafficking data for at least one month of the year. "
        "Participation in the FBI's human-trafficking collection is voluntary and grows year on year, so "
        "changes in offense counts partly reflect coverage; every chart of FBI counts should show it. "
        "Used by: FBI UCR human-trafficking master file, CDE bulk download (agencies with records), FBI "
        "NIBRS (agencies with a month in NIBRS_month, incidents or a zero report: all NIBRS agencies)."
    ),
    "incidents_recorded": (
        "Crime incidents recorded by police that include at least one human-trafficking offense (NIBRS "
        "offense codes 64A commercial sex acts, 64B involuntary servitude); one incident can hold several "
        "offenses, victims and offenders. Used by: FBI NIBRS (CDE downloads, 2021 on)."
    ),
    "victims_recorded": (
        "Victims recorded by police in human-trafficking incidents (linked to a 64A/64B offense); a person "
        "victimized in two incidents is counted twice; not victims identified or served by any programme. "
        "Used by: FBI NIBRS (CDE downloads)."
    ),
    "offenders_recorded": (
        "Offenders recorded by police in human-trafficking incidents, as described by victims and "
        "witnesses (not persons charged or convicted); includes records of offenders about whom nothing is "
        "known. Used by: FBI NIBRS (CDE downloads)."
    ),
    "months_reported": (
        "Months of the year for which an agency submitted data to NIBRS (incidents or a zero report): the "
        "coverage of one agency's counts. Used by: FBI NIBRS (NIBRS_month)."
    ),
    "agencies_participating": (
        "Law-enforcement agencies participating in the FBI UCR Program in the states whose UCR program has "
        "added human-trafficking offenses to its data collection (the FBI's 'Participation by State' table). "
        "Not the agencies that reported human-trafficking data: an agency in such a state may or may not "
        "collect them (Arkansas 2015: 296 participating, 2 with human-trafficking data in the UCR master "
        "file). Used by: FBI UCR Human Trafficking, 2015."
    ),
    "persons_formal_contact": (
        "Persons brought into formal contact with the police and/or criminal justice system for trafficking "
        "in persons (suspected, arrested or cautioned), as reported by national authorities to UNODC. Used "
        "by: UNODC GLOTIP."
    ),
    "grounds_decisions": (
        "Decisions on referrals to the UK National Referral Mechanism: 'reasonable grounds' (a first-stage "
        "decision that the person may be a victim) or 'conclusive grounds' (a final decision, on the "
        "balance of probabilities), broken down by stage and outcome (`stage=reasonable|conclusive;"
        "decision=positive|negative`). Used by: UK Home Office NRM statistics."
    ),
    "arrests": (
        "Arrests (or persons arrested) for trafficking-related offenses. Reporters differ on what counts: "
        "trafficking charges only, sex trafficking only, or operation arrests that include other offenses; "
        "the note on each figure says which. Used by: police departments, FBI UCR."
    ),
    "prosecutions": (
        "Prosecutions initiated or defendants charged with trafficking offenses in the period. Reporters "
        "count cases or defendants differently; the note says which. Used by: US State Department TIP "
        "report, task forces, prosecutors."
    ),
    "convictions": (
        "Convictions (or persons convicted) for trafficking offenses in the period. Used by: US State "
        "Department TIP report, task forces, prosecutors."
    ),
}

REPORTER_TYPES: tuple[str, ...] = (
    "police",
    "task_force",
    "ngo",
    "hotline",
    "government",
    "intergovernmental",
    "research",
)

PERIOD_KINDS: tuple[str, ...] = (
    "calendar_year",
    "fiscal_year",
    "quarter",
    "partial_year",
    "multi_year",
    "cumulative",
)

UNITS: tuple[str, ...] = (
    "persons",
    "cases",
    "offenses",
    "contacts",
    "referrals",
    "reports",
    "arrests",
    "prosecutions",
    "convictions",
    "agencies",
    "decisions",
    "incidents",
    "months",
)

#: Period kinds for which ``year`` is set (the period is one whole year); NA for every other kind.
ONE_YEAR_KINDS: frozenset[str] = frozenset({"calendar_year", "fiscal_year"})

MAX_QUOTE_WORDS = 12

BREAKDOWN_RE = re.compile(r"^(total|[a-z_]+=[a-z0-9_]+(;[a-z_]+=[a-z0-9_]+)*)$")
FIGURE_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


# --------------------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the normalized table: name, pandas dtype, whether it may be NA, and what it means."""

    name: str
    dtype: str
    nullable: bool
    description: str
    vocabulary: tuple[str, ...] | None = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "dataset", "str", False, "The loader (source id) that produced the row: `published`, `fbi_cde`, ..."
    ),
    Column("figure_id", "str", False, "Stable key of the row, unique within its dataset."),
    Column("reporter", "str", False, "Who produced the figure (the body that counted)."),
    Column("reporter_type", "category", False, "Kind of reporter.", REPORTER_TYPES),
    Column("geo_level", "category", False, "Level of the place.", geo.GEO_LEVELS),
    Column("geo_code", "str", False, "Place code (see trafficking_stats.geo)."),
    Column("geo_name", "str", False, "Place name."),
    Column("period_start", "datetime64[s]", False, "First day of the period the figure covers, as stated."),
    Column("period_end", "datetime64[s]", False, "Last day of the period the figure covers, as stated."),
    Column("period_kind", "category", False, "Kind of period.", PERIOD_KINDS),
    Column(
        "year",
        "Int16",
        True,
        "The year, only where the period is one whole year (calendar_year: that year; fiscal_year: the "
        "year the fiscal year ends); NA for quarters, partial years, multi-year and cumulative periods.",
    ),
    Column("metric", "category", False, "What is counted (see METRICS for definitions).", tuple(METRICS)),
    Column("breakdown", "str", False, "`total`, or sorted `key=value` pairs joined by `;`."),
    Column("value", "Float64", True, "The number as published ('over 230' -> 230); NA only when suppressed."),
    Column("qualifier", "category", False, "The hedge of the published number.", QUALIFIERS),
    Column("value_low", "Float64", True, "Lower end of the interval the figure allows (see counts.py)."),
    Column("value_high", "Float64", True, "Upper end of the interval the figure allows (see counts.py)."),
    Column("unit", "category", False, "What one unit of the count is.", UNITS),
    Column("vintage", "str", False, "Which edition of the source (publication date or edition label)."),
    Column("citation", "str", False, "Key into citations.csv."),
    Column(
        "quote",
        "str",
        True,
        f"Shortest source fragment showing number and hedge (<= {MAX_QUOTE_WORDS} words).",
    ),
    Column(
        "conflict_group",
        "str",
        True,
        "Editor-declared group of figures that answer one question differently.",
    ),
    Column("raw_file", "str", True, "Input file the row came from, relative to the raw root."),
    Column("raw_row", "Int64", True, "1-based line (or sheet row) of the input file; NA for aggregates."),
    Column("note", "str", True, "Caveats a reader must see."),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

#: Documented sort key of the processed table: a rebuild is byte-identical because of it.
SORT_KEY: tuple[str, ...] = (
    "dataset",
    "geo_code",
    "metric",
    "breakdown",
    "period_start",
    "period_end",
    "reporter",
    "vintage",
    "figure_id",
)


# --------------------------------------------------------------------------------------------------------
# Coercion and validation
# --------------------------------------------------------------------------------------------------------


def empty() -> pd.DataFrame:
    """An empty normalized table with the right columns and dtypes."""
    import pandas as pd

    return coerce(pd.DataFrame({c: [] for c in COLUMN_NAMES}))


def coerce(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, cast to the schema's dtypes.

    Values outside a vocabulary become NA in the categorical column, so call :func:`problems` on the
    *uncoerced* frame (as :func:`validate` does) to report them.
    """
    import pandas as pd

    missing = [c for c in COLUMN_NAMES if c not in df.columns]
    if missing:
        raise ValidationError([Problem(None, None, c, "required column is missing") for c in missing])
    out = {}
    for col in COLUMNS:
        s = df[col.name]
        if col.dtype == "category":
            s = pd.Categorical(
                s.astype("object").where(s.notna(), None), categories=list(col.vocabulary or ())
            )
            s = pd.Series(s, index=df.index, name=col.name)
        elif col.dtype == "str":
            s = s.astype("object").where(s.notna(), None).astype("str")
        elif col.dtype.startswith("datetime64"):
            s = pd.to_datetime(s, format="%Y-%m-%d").astype(col.dtype)
        else:
            s = s.astype(col.dtype)
        out[col.name] = s
    return pd.DataFrame(out, index=df.index)


RowRule = Callable[["pd.DataFrame"], "pd.Series"]


@dataclass(frozen=True)
class Rule:
    """A named row rule: ``ok(df)`` returns a boolean Series, True where the row passes."""

    name: str
    column: str
    message: str
    ok: RowRule


def _na(s: pd.Series) -> pd.Series:
    return s.isna()


def _le(a: pd.Series, b: pd.Series) -> pd.Series:
    """a <= b where both are set; True where either is NA."""
    return (a.isna() | b.isna() | (a <= b)).fillna(True).astype(bool)


def _eq(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a.notna() & b.notna() & (a == b)).fillna(False).astype(bool)


def _qualifier_interval_ok(df: pd.DataFrame) -> pd.Series:
    q, v, lo, hi = df["qualifier"].astype("object"), df["value"], df["value_low"], df["value_high"]
    ok = {
        "exact": _eq(lo, v) & _eq(hi, v),
        "over": _eq(lo, v) & _na(hi),
        "at_least": _eq(lo, v) & _na(hi),
        "under": _na(lo) & _eq(hi, v),
        "at_most": _na(lo) & _eq(hi, v),
        "approximately": v.notna() & _na(lo) & _na(hi),
        "range": _eq(lo, v) & hi.notna() & (hi > lo).fillna(False),
        "suppressed": _na(v) & lo.notna() & hi.notna(),
    }
    result = q.isna()  # a missing qualifier is reported by the not-null rule
    for name, mask in ok.items():
        result = result | ((q == name) & mask)
    return result.fillna(False).astype(bool)


def _year_ok(df: pd.DataFrame) -> pd.Series:
    kind = df["period_kind"].astype("object")
    start, end, year = df["period_start"], df["period_end"], df["year"]
    cal = (
        (start.dt.month == 1)
        & (start.dt.day == 1)
        & (end.dt.month == 12)
        & (end.dt.day == 31)
        & (start.dt.year == end.dt.year)
        & _eq(year.astype("Float64"), start.dt.year.astype("Float64"))
    )
    days = (end - start).dt.days
    fiscal = (days >= 364) & (days <= 365) & _eq(year.astype("Float64"), end.dt.year.astype("Float64"))
    other = year.isna() & ~kind.isin(list(ONE_YEAR_KINDS))
    return (
        ((kind == "calendar_year") & cal | (kind == "fiscal_year") & fiscal | other)
        .fillna(False)
        .astype(bool)
    )


def _same_calendar_year(df: pd.DataFrame) -> pd.Series:
    kind = df["period_kind"].astype("object")
    same = df["period_start"].dt.year == df["period_end"].dt.year
    return (~kind.isin(["quarter", "partial_year"]) | same).fillna(False).astype(bool)


def _quote_short(df: pd.DataFrame) -> pd.Series:
    words = (
        df["quote"]
        .astype("object")
        .map(lambda q: 0 if q is None or q != q else len([w for w in str(q).split() if w not in "|"]))
    )
    return words <= MAX_QUOTE_WORDS


def _non_negative(df: pd.DataFrame) -> pd.Series:
    """Transcribed figures (rows with a quote) are never negative. Figures from publisher files are left to
    their loaders, which know the publisher's signs: the FBI's CDE file has documented negative
    adjustment records (kept), UK NRM extracts and UNODC's workbook have none (quarantined there)."""
    quoted = df["quote"].notna() & (df["quote"].astype("str").str.strip() != "")
    negative = (df["value"] < 0) | (df["value_low"] < 0) | (df["value_high"] < 0)
    return ~(quoted & negative.fillna(False)).astype(bool)


def _not_future(df: pd.DataFrame) -> pd.Series:
    """True unless the period starts after today (no figure can describe a period that has not begun)."""
    import pandas as pd

    today = pd.Timestamp.today().normalize()
    return ~(df["period_start"] > today).fillna(False).astype(bool)


def _quoted(df: pd.DataFrame) -> pd.Series:
    """A figure with a quote must show its number in that quote (both ends for a range).

    Withheld cells (``suppressed``) are exempt: their quote shows the threshold ("<5"), not a value.
    """
    import pandas as pd

    from .counts import numbers_in

    ok = []
    cols = ("quote", "qualifier", "value", "value_low", "value_high")
    for quote, q, v, lo, hi in zip(*(df[c].astype("object") for c in cols), strict=True):
        if pd.isna(quote) or not str(quote).strip() or str(q) == "suppressed":
            ok.append(True)
            continue
        want = [lo, hi] if str(q) == "range" else [v]
        seen = numbers_in(str(quote))
        ok.append(all(pd.isna(x) or float(x) in seen for x in want))
    return pd_bool(ok, df)


def _traceable(df: pd.DataFrame) -> pd.Series:
    """Transcribed figures need a quote; figures computed from a publisher file need that file.

    ``raw_row`` is the 1-based line of a single-record figure, or NA for an aggregate of many records.
    """
    has_quote = df["quote"].notna() & (df["quote"].astype("str").str.strip() != "")
    has_raw = df["raw_file"].notna() & (df["raw_file"].astype("str").str.strip() != "")
    return (has_quote | has_raw).fillna(False).astype(bool)


def _geo_ok(df: pd.DataFrame) -> pd.Series:
    cols = [df[c].astype("str") for c in ("geo_code", "geo_level", "geo_name")]
    triples = list(zip(*cols, strict=True))
    valid = {t: geo.is_valid(*t) for t in set(triples)}  # checked once per distinct place
    return pd_bool([valid[t] for t in triples], df)


def pd_bool(values: list[bool], df: pd.DataFrame) -> pd.Series:
    """A boolean Series aligned with ``df`` (helper for rules written as Python loops)."""
    import pandas as pd

    return pd.Series(values, index=df.index, dtype=bool)


RULES: tuple[Rule, ...] = (
    Rule(
        "interval",
        "value",
        "value_low <= value <= value_high does not hold",
        lambda d: (
            _le(d["value_low"], d["value"])
            & _le(d["value"], d["value_high"])
            & _le(d["value_low"], d["value_high"])
        ),
    ),
    Rule(
        "qualifier_interval",
        "qualifier",
        "value/value_low/value_high do not match the qualifier",
        _qualifier_interval_ok,
    ),
    Rule(
        "period_order",
        "period_end",
        "period_start is after period_end",
        lambda d: _le(d["period_start"], d["period_end"]),
    ),
    Rule(
        "year",
        "year",
        "year is inconsistent with the period (set only for one whole calendar or fiscal year)",
        _year_ok,
    ),
    Rule(
        "within_year",
        "period_kind",
        "a quarter or partial year must lie within one calendar year",
        _same_calendar_year,
    ),
    Rule(
        "breakdown",
        "breakdown",
        "breakdown must be 'total' or sorted key=value pairs joined by ';'",
        lambda d: d["breakdown"].astype("object").map(_breakdown_ok).astype(bool),
    ),
    Rule(
        "figure_id",
        "figure_id",
        "figure_id must be a lowercase slug",
        lambda d: (
            d["figure_id"].astype("object").map(lambda s: bool(FIGURE_ID_RE.match(str(s)))).astype(bool)
        ),
    ),
    Rule("geo", "geo_code", "geo_code/geo_level/geo_name do not match trafficking_stats.geo", _geo_ok),
    Rule(
        "non_negative",
        "value",
        "a count of people or events cannot be negative (a transcribed figure: check the sign)",
        _non_negative,
    ),
    Rule(
        "not_future",
        "period_start",
        "the period starts in the future (a year typed wrong, or a spreadsheet date?)",
        _not_future,
    ),
    Rule("quote_length", "quote", f"quote is longer than {MAX_QUOTE_WORDS} words", _quote_short),
    Rule("traceable", "quote", "row has neither a quote nor a raw file", _traceable),
    Rule("quoted", "quote", "the quote does not show the figure's number (check the transcription)", _quoted),
    Rule(
        "raw_row",
        "raw_row",
        "raw_row must be >= 1",
        lambda d: (d["raw_row"].isna() | (d["raw_row"] >= 1)).fillna(False).astype(bool),
    ),
)


def _breakdown_ok(text: object) -> bool:
    s = str(text)
    if not BREAKDOWN_RE.match(s):
        return False
    if s == "total":
        return True
    keys = [p.split("=")[0] for p in s.split(";")]
    return keys == sorted(keys) and len(set(keys)) == len(keys)


def _where(df: pd.DataFrame, idx: object) -> tuple[str | None, int | None]:
    f = df.at[idx, "raw_file"] if "raw_file" in df.columns else None
    r = df.at[idx, "raw_row"] if "raw_row" in df.columns else None
    import pandas as pd

    f = None if f is None or bool(pd.isna(f)) else str(f)
    r = None if r is None or bool(pd.isna(r)) else int(r)
    return f, r


def problems(df: pd.DataFrame) -> list[tuple[object, Problem]]:
    """Every problem in ``df`` as ``(row index, Problem)`` pairs, in row order, without raising.

    Checks required columns, non-null columns, vocabularies, dtypes that cannot be cast, the row rules in
    :data:`RULES` and uniqueness of ``(dataset, figure_id)``.
    """
    import pandas as pd

    found: list[tuple[object, Problem]] = []
    missing = [c for c in COLUMN_NAMES if c not in df.columns]
    if missing:
        return [(None, Problem(None, None, c, "required column is missing")) for c in missing]

    def add(mask: pd.Series, column: str, message: str | Callable[[object], str]) -> None:
        for idx in df.index[~mask.to_numpy(dtype=bool)]:
            f, r = _where(df, idx)
            msg = message(idx) if callable(message) else message
            found.append((idx, Problem(f, r, column, msg)))

    for col in COLUMNS:
        s = df[col.name]
        if not col.nullable:
            blank = s.isna() | (s.astype("object").map(lambda v: isinstance(v, str) and v.strip() == ""))
            add(~blank, col.name, "value is required")
        if col.vocabulary is not None:
            allowed = set(col.vocabulary)
            ok = s.isna() | s.astype("object").isin(allowed)
            add(
                ok, col.name, lambda i, s=s, col=col: f"{s.at[i]!r} is not one of {', '.join(col.vocabulary)}"
            )
    # dtype casts that would fail (dates, numbers)
    cast_ok: dict[str, pd.Series] = {}
    for col in COLUMNS:
        if col.dtype.startswith("datetime64"):
            parsed = pd.to_datetime(df[col.name], format="%Y-%m-%d", errors="coerce")
            ok = parsed.notna() | df[col.name].isna()
            add(ok, col.name, lambda i, c=col.name: f"{df.at[i, c]!r} is not a date YYYY-MM-DD")
            cast_ok[col.name] = ok
        elif col.dtype in ("Float64", "Int64", "Int16"):
            num = pd.to_numeric(df[col.name], errors="coerce")
            ok = num.notna() | df[col.name].isna()
            if col.dtype != "Float64":
                ok = ok & ((num % 1 == 0) | num.isna())
            add(
                ok,
                col.name,
                lambda i, c=col.name: f"{df.at[i, c]!r} is not a number of type {_BY_NAME[c].dtype}",
            )
            cast_ok[col.name] = ok
    good = pd.Series(True, index=df.index)
    for ok in cast_ok.values():
        good &= ok
    if good.any():
        sub = df[good].copy()
        for c in ("period_start", "period_end"):
            sub[c] = pd.to_datetime(sub[c], format="%Y-%m-%d")
        for c in ("value", "value_low", "value_high"):
            sub[c] = pd.to_numeric(sub[c]).astype("Float64")
        sub["year"] = pd.to_numeric(sub["year"]).astype("Int64")
        sub["raw_row"] = pd.to_numeric(sub["raw_row"]).astype("Int64")
        for rule in RULES:
            mask = pd.Series(True, index=df.index)
            mask[sub.index] = rule.ok(sub).to_numpy(dtype=bool)
            add(mask, rule.column, f"{rule.message} [{rule.name}]")
    dup = df.duplicated(["dataset", "figure_id"], keep="first")
    add(
        ~dup,
        "figure_id",
        lambda i: f"duplicate figure_id {df.at[i, 'figure_id']!r} in dataset {df.at[i, 'dataset']!r}",
    )
    order = {idx: n for n, idx in enumerate(df.index)}
    found.sort(
        key=lambda t: (order.get(t[0], -1), COLUMN_NAMES.index(t[1].column) if t[1].column in _BY_NAME else 0)
    )
    return found


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """Check ``df`` against the schema and return it coerced to the schema's columns and dtypes.

    Raises :class:`~trafficking_stats.errors.ValidationError` listing every failing row (file, line,
    column, message), not only the first.
    """
    found = problems(df)
    if found:
        raise ValidationError([p for _, p in found])
    return coerce(df)


#: pandas dtype of a column -> Frictionless Table Schema type.
TABLE_SCHEMA_TYPES: dict[str, str] = {
    "str": "string",
    "category": "string",
    "datetime64[s]": "date",
    "Int16": "year",
    "Int64": "integer",
    "Float64": "number",
}

#: Patterns (Table Schema ``constraints.pattern``, matched against the whole value) of text columns.
PATTERNS: dict[str, str] = {
    "breakdown": BREAKDOWN_RE.pattern.removeprefix("^").removesuffix("$"),
    "figure_id": FIGURE_ID_RE.pattern.removeprefix("^").removesuffix("$"),
}


def field(c: Column) -> dict[str, object]:
    """The Frictionless Table Schema field of column ``c``: type, description and constraints."""
    out: dict[str, object] = {"name": c.name, "type": TABLE_SCHEMA_TYPES[c.dtype]}
    out["description"] = c.description
    constraints: dict[str, object] = {}
    if not c.nullable:
        constraints["required"] = True
    if c.vocabulary is not None:
        constraints["enum"] = list(c.vocabulary)
    if c.name in PATTERNS:
        constraints["pattern"] = PATTERNS[c.name]
    if c.name == "raw_row":
        constraints["minimum"] = 1
    if constraints:
        out["constraints"] = constraints
    return out


def descriptor() -> dict[str, object]:
    """The Frictionless Table Schema of ``counts`` (all columns, as ``read_counts()`` returns them),
    generated from :data:`COLUMNS`; ``sortKey`` is this project's addition."""
    return {
        "fields": [field(c) for c in COLUMNS],
        "primaryKey": ["dataset", "figure_id"],
        "missingValues": [""],
        "sortKey": list(SORT_KEY),
    }
