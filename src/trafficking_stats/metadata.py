"""The normalized table as stored: one row per figure with short keys, each piece of metadata once.

``data/processed/counts.{parquet,csv}`` holds one row per figure: which figure (``dataset``,
``figure_id``), what it counts (``measure_id``), where (``geo_code``), when (``period``), how many
(``value``, ``qualifier``, ``value_low``, ``value_high``) and where it was read (``quote``,
``conflict_group``, ``raw_row``). Everything many figures share is stored once, in a table of its own,
and referenced by a short key:

* ``measures.csv`` (``measure_id``, ``series_id``, ``metric``, ``breakdown``, ``unit``, ``citation``,
  ``note_id``): what a figure counts, who counted it, the cited document and the caveat; in SDMX terms
  the series key without place and time (about 1,400 measures for 51,000 figures);
* ``periods.csv`` (``period``, ``period_start``, ``period_end``, ``period_kind``, ``year``): the periods,
  keyed by a readable label (:func:`period_label`: ``2014``, ``2019-Q3``, ``2021-01-01/2021-07-31``);
* ``notes.csv`` (``note_id``, ``note``): the caveats (246 distinct notes);
* ``series.csv`` (``series_id``, ``reporter``, ``reporter_type``, ``vintage``, ``raw_file``): who counted,
  which edition and which input file, shared by every figure of one file and edition;
* ``places.csv`` (``geo_code``, ``geo_level``, ``geo_name``, ``parent``): the places of
  :mod:`trafficking_stats.geo` the table uses.

Hashed keys (``measure_id``, ``note_id``, ``series_id``) are the first 10 hex digits of the sha256 of the
row they stand for, so a key does not change when other rows are added (a collision is an error, never a
silent merge). :func:`split` makes the stored tables from the normalized table; :func:`join` puts the
normalized table back together, so ``read_counts()`` returns the columns of
:data:`trafficking_stats.schema.COLUMNS` as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import geo, schema
from .errors import Problem, SourceFormatError

if TYPE_CHECKING:
    import pandas as pd

NOTE_COLUMNS: tuple[str, ...] = ("note_id", "note")
SERIES_FIELDS: tuple[str, ...] = ("reporter", "reporter_type", "vintage", "raw_file")
SERIES_COLUMNS: tuple[str, ...] = ("series_id", *SERIES_FIELDS)
PLACE_FIELDS: tuple[str, ...] = ("geo_level", "geo_name")
PLACE_COLUMNS: tuple[str, ...] = ("geo_code", *PLACE_FIELDS, "parent")
MEASURE_FIELDS: tuple[str, ...] = ("series_id", "metric", "breakdown", "unit", "citation", "note_id")
MEASURE_COLUMNS: tuple[str, ...] = ("measure_id", *MEASURE_FIELDS)
PERIOD_FIELDS: tuple[str, ...] = ("period_start", "period_end", "period_kind", "year")
PERIOD_COLUMNS: tuple[str, ...] = ("period", *PERIOD_FIELDS)
#: Columns of the stored counts table, in order.
STORED_COLUMNS: tuple[str, ...] = (
    "dataset",
    "figure_id",
    "measure_id",
    "geo_code",
    "period",
    "value",
    "qualifier",
    "value_low",
    "value_high",
    "quote",
    "conflict_group",
    "raw_row",
)
#: The key tables beside the stored counts, in the order ``join`` takes them.
KEY_TABLES: tuple[str, ...] = ("measures.csv", "periods.csv", "notes.csv", "series.csv", "places.csv")
KEY_LENGTH = 10


@dataclass
class Stored:
    """The stored form of the normalized table: counts with keys, and the tables the keys point into."""

    counts: pd.DataFrame
    measures: pd.DataFrame
    periods: pd.DataFrame
    notes: pd.DataFrame
    series: pd.DataFrame
    places: pd.DataFrame


def _key(*parts: object) -> str:
    text = "\x1f".join("" if p is None or p != p else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def _combos(frame: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series:
    import pandas as pd

    parts = [frame[c].astype("object").where(frame[c].notna(), None) for c in cols]
    return pd.Series(list(zip(*parts, strict=True)), index=frame.index)


def _keys(frame: pd.DataFrame, cols: tuple[str, ...], what: str) -> pd.Series:
    """A key per row of ``frame`` from ``cols``, computed once per distinct combination."""
    combos = _combos(frame, cols)
    keys = {t: _key(*t) for t in set(combos)}
    if len(set(keys.values())) != len(keys):
        raise ValueError(f"two different {what} share a key: lengthen metadata.KEY_LENGTH")
    return combos.map(keys).astype("str")


def period_label(start: str, end: str, kind: str) -> str:
    """The key of a period in ``periods.csv``: ``2014`` for a calendar year, ``2019-Q3`` for a calendar
    quarter, else the ISO 8601 interval ``start/end`` (dates as ``YYYY-MM-DD``)."""
    y = start[:4]
    if kind == "calendar_year" and start == f"{y}-01-01" and end == f"{y}-12-31":
        return y
    quarters = {"01-01": ("03-31", 1), "04-01": ("06-30", 2), "07-01": ("09-30", 3), "10-01": ("12-31", 4)}
    q = quarters.get(start[5:])
    if kind == "quarter" and q and end == f"{y}-{q[0]}":
        return f"{y}-Q{q[1]}"
    return f"{start}/{end}"


def _periods(c: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    import pandas as pd

    text = pd.DataFrame(
        {
            "period_start": c["period_start"].dt.strftime("%Y-%m-%d"),
            "period_end": c["period_end"].dt.strftime("%Y-%m-%d"),
            "period_kind": c["period_kind"].astype("str"),
            "year": c["year"].astype("str").where(c["year"].notna(), None),
        }
    )
    combos = _combos(text, PERIOD_FIELDS)
    labels = {t: period_label(t[0], t[1], t[2]) for t in set(combos)}
    if len(set(labels.values())) != len(labels):
        raise ValueError("two different periods (dates, kind or year) share a label: see period_label")
    period = combos.map(labels).astype("str")
    table = (
        text.assign(period=period)[list(PERIOD_COLUMNS)]
        .drop_duplicates("period")
        .sort_values(["period_start", "period_end"], ignore_index=True)
    )
    return period, table


def split(counts: pd.DataFrame) -> Stored:
    """The stored tables of a normalized table (columns of ``schema.COLUMNS``)."""
    import pandas as pd

    c = counts
    note_id = _keys(c, ("note",), "notes").where(c["note"].notna(), None).astype("str")
    series_id = _keys(c, SERIES_FIELDS, "series")
    c = c.assign(note_id=note_id, series_id=series_id)
    measure_id = _keys(c, ("dataset", *MEASURE_FIELDS), "measures")
    period, periods = _periods(c)
    notes = (
        pd.DataFrame({"note_id": note_id, "note": c["note"]})
        .dropna()
        .drop_duplicates("note_id")
        .sort_values("note_id", ignore_index=True)
    )
    series = (
        pd.DataFrame({"series_id": series_id, **{f: c[f] for f in SERIES_FIELDS}})
        .drop_duplicates("series_id")
        .sort_values("series_id", ignore_index=True)
    )
    series["reporter_type"] = series["reporter_type"].astype("str")
    measures = (
        c.assign(measure_id=measure_id)[list(MEASURE_COLUMNS)]
        .drop_duplicates("measure_id")
        .sort_values("measure_id", ignore_index=True)
    )
    measures = measures.astype({f: "str" for f in ("metric", "unit")})
    codes = sorted(set(c["geo_code"].astype("str")))
    places_list = [geo.place(code) for code in codes]
    places = pd.DataFrame(
        {
            "geo_code": codes,
            "geo_level": [p.level for p in places_list],
            "geo_name": [p.name for p in places_list],
            "parent": [p.parent for p in places_list],
        },
        columns=list(PLACE_COLUMNS),
    ).astype({"geo_code": "str", "geo_level": "str", "geo_name": "str", "parent": "str"})
    stored = c.assign(measure_id=measure_id, period=period)[list(STORED_COLUMNS)].reset_index(drop=True)
    return Stored(stored, measures, periods, notes, series, places)


def _expand(stored: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``stored`` with the schema's columns: every key replaced by the fields of the row it names (an
    unknown key gives NA, which validation reports). Also reads the form written before measures and
    periods were factored out (``series_id`` and ``note_id`` on every row), so a build can keep the rows
    of an older ``data/processed``."""
    out = stored.copy()
    if "measure_id" in out.columns:
        m = tables["measures.csv"].set_index("measure_id")
        mid = out["measure_id"].astype("object")
        out = out.assign(**{f: mid.map(m[f]) for f in MEASURE_FIELDS})
    if "period" in out.columns:
        per = tables["periods.csv"].set_index("period")
        out = out.assign(**{f: out["period"].astype("object").map(per[f]) for f in PERIOD_FIELDS})
    s = tables["series.csv"].set_index("series_id")
    p = tables["places.csv"].set_index("geo_code")
    note_of = dict(zip(tables["notes.csv"]["note_id"], tables["notes.csv"]["note"], strict=True))
    sid = out["series_id"].astype("object")
    cols = {
        **{f: sid.map(s[f]) for f in SERIES_FIELDS},
        **{f: out["geo_code"].astype("object").map(p[f]) for f in PLACE_FIELDS},
        "note": out["note_id"].astype("object").map(note_of),
    }
    return out.assign(**cols)[list(schema.COLUMN_NAMES)]


def _read_tables(folder: Path, stored: pd.DataFrame) -> dict[str, pd.DataFrame]:
    import pandas as pd

    key_of = {"measures.csv": "measure_id", "periods.csv": "period"}  # absent from the older stored form
    out = {}
    for name in KEY_TABLES:
        if name in key_of and key_of[name] not in stored.columns:
            continue
        if not (folder / name).is_file():
            msg = f"the stored counts table has keys into {name}, which must be beside it"
            raise SourceFormatError(Problem(str(folder / name), None, None, msg))
        out[name] = pd.read_csv(folder / name, dtype="str", keep_default_na=False, na_values=[""])
    return out


def is_stored(columns: object) -> bool:
    """Whether a table with these columns is the stored form (keys into the tables beside it)."""
    cols = set(columns)  # type: ignore[arg-type]
    return "measure_id" in cols or ("note_id" in cols and "note" not in cols)


def join(stored: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The normalized table (``schema.COLUMNS``, coerced) from its stored tables (``KEY_TABLES`` by file
    name); inverse of :func:`split`."""
    return schema.coerce(_expand(stored, tables))


def read_stored(folder: Path, counts: pd.DataFrame) -> pd.DataFrame:
    """The normalized table from stored ``counts`` and the key tables beside it in ``folder``."""
    return join(counts, _read_tables(folder, counts))


def unfold(stored: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Stored ``counts`` rows as text (uncoerced, for validation) with the schema's columns: the keys
    replaced by the rows of the tables beside it in ``folder``. Unknown keys give NA (which validation
    then reports)."""
    out = _expand(stored, _read_tables(folder, stored))
    return out.astype("object").where(out.notna(), None)
