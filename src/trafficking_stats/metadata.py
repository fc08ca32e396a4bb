"""The normalized table as stored: one row per figure with short keys, each piece of metadata once.

``data/processed/counts.{parquet,csv}`` holds one row per figure. Text that many figures share is
stored once, in a table of its own, and referenced by a short key:

* ``notes.csv`` (``note_id``, ``note``): the caveats (246 distinct notes on 51,000 rows);
* ``series.csv`` (``series_id``, ``reporter``, ``reporter_type``, ``vintage``, ``raw_file``): who counted,
  which edition and which input file, shared by every figure of one file and edition;
* ``places.csv`` (``geo_code``, ``geo_level``, ``geo_name``, ``parent``): the places of
  :mod:`trafficking_stats.geo` the table uses.

Keys are the first 10 hex digits of the sha256 of the row they stand for, so a key does not change when
other notes or series are added (a collision is an error, never a silent merge). :func:`split` makes
the stored tables from the normalized table; :func:`join` puts the normalized table back together, so
``read_counts()`` returns the columns of :data:`trafficking_stats.schema.COLUMNS` as before.
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
#: Columns of the stored counts table, in order: the schema's, with the factored-out ones replaced by keys.
STORED_COLUMNS: tuple[str, ...] = tuple(
    c
    for name in schema.COLUMN_NAMES
    for c in (
        ("series_id",)
        if name == "reporter"
        else ("note_id",)
        if name == "note"
        else ()
        if name in SERIES_FIELDS or name in PLACE_FIELDS
        else (name,)
    )
)
KEY_LENGTH = 10


@dataclass
class Stored:
    """The stored form of the normalized table: counts with keys, and the tables the keys point into."""

    counts: pd.DataFrame
    notes: pd.DataFrame
    series: pd.DataFrame
    places: pd.DataFrame


def _key(*parts: object) -> str:
    text = "\x1f".join("" if p is None or p != p else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def _keys(frame: pd.DataFrame, cols: tuple[str, ...], what: str) -> pd.Series:
    """A key per row of ``frame`` from ``cols``, computed once per distinct combination."""
    import pandas as pd

    parts = [frame[c].astype("object").where(frame[c].notna(), None) for c in cols]
    combos = pd.Series(list(zip(*parts, strict=True)), index=frame.index)
    keys = {t: _key(*t) for t in set(combos)}
    if len(set(keys.values())) != len(keys):
        raise ValueError(f"two different {what} share a key: lengthen metadata.KEY_LENGTH")
    return combos.map(keys).astype("str")


def split(counts: pd.DataFrame) -> Stored:
    """The stored tables of a normalized table (columns of ``schema.COLUMNS``)."""
    import pandas as pd

    c = counts
    note_id = _keys(c, ("note",), "notes").where(c["note"].notna(), None).astype("str")
    series_id = _keys(c, SERIES_FIELDS, "series")
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
    stored = c.assign(note_id=note_id, series_id=series_id)[list(STORED_COLUMNS)].reset_index(drop=True)
    for col in ("reporter_type",):
        series[col] = series[col].astype("str")
    return Stored(stored, notes, series, places)


def join(
    stored: pd.DataFrame, notes: pd.DataFrame, series: pd.DataFrame, places: pd.DataFrame
) -> pd.DataFrame:
    """The normalized table (``schema.COLUMNS``, coerced) from its stored tables; inverse of :func:`split`."""
    note_of = dict(zip(notes["note_id"].astype("str"), notes["note"], strict=True))
    s = series.set_index(series["series_id"].astype("str"))
    p = places.set_index(places["geo_code"].astype("str"))
    sid = stored["series_id"].astype("str")
    code = stored["geo_code"].astype("str")
    cols = {
        **{f: sid.map(s[f]) for f in SERIES_FIELDS},
        **{f: code.map(p[f]) for f in PLACE_FIELDS},
        "note": stored["note_id"].astype("object").map(note_of),
    }
    out = stored.assign(**cols)
    return schema.coerce(out)


def read_stored(folder: Path, counts: pd.DataFrame) -> pd.DataFrame:
    """The normalized table from stored ``counts`` and the key tables beside it in ``folder``."""
    import pandas as pd

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype="str", keep_default_na=False, na_values=[""])

    return join(counts, read("notes.csv"), read("series.csv"), read("places.csv"))


def unfold(stored: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Stored ``counts`` rows as text (uncoerced, for validation) with the schema's columns: the keys
    replaced by the notes, series and places of the tables beside it in ``folder``. Unknown keys give NA
    (which validation then reports)."""
    import pandas as pd

    def read(name: str) -> pd.DataFrame:
        if not (folder / name).is_file():
            msg = f"the stored counts table has note_id/series_id keys; {name} must be beside it"
            raise SourceFormatError(Problem(str(folder / name), None, None, msg))
        return pd.read_csv(folder / name, dtype="str", keep_default_na=False, na_values=[""])

    notes, series, places = read("notes.csv"), read("series.csv"), read("places.csv")
    s = series.set_index("series_id")
    p = places.set_index("geo_code")
    cols = {
        **{f: stored["series_id"].map(s[f]) for f in SERIES_FIELDS},
        **{f: stored["geo_code"].map(p[f]) for f in PLACE_FIELDS},
        "note": stored["note_id"].map(dict(zip(notes["note_id"], notes["note"], strict=True))),
    }
    out = stored.assign(**cols)
    return out[list(schema.COLUMN_NAMES)].astype("object").where(out[list(schema.COLUMN_NAMES)].notna(), None)
