"""``data/processed/datapackage.json``: the processed outputs as a Frictionless Data Package.

Generated from :mod:`trafficking_stats.schema` (the counts columns, their types, vocabularies and
patterns) and :mod:`trafficking_stats.metadata` (the tables the counts' keys point into), so the package
cannot drift from the checks. One resource per CSV output, each with its Table Schema (``string``,
``integer``, ``number``, ``date``, ``year``), ``enum`` and ``pattern`` constraints, primary key, foreign
keys (counts -> measures, periods, places; measures -> series, citations, notes), licences and sources.
``counts.parquet`` holds the same rows as ``counts.csv`` and is listed in the counts resource's
description (Frictionless reads it only with a plugin, so it is not a resource of its own).
Deterministic: no dates or timestamps.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import metadata, schema
from .sources.base import QUARANTINE_COLUMNS, SourceInfo

PACKAGE_NAME = "trafficking-stats"
#: Licence of the package as a whole: the project's code licence does not cover the figures; each
#: resource lists the licences and terms of the documents its figures come from.
TRANSCRIBED_LICENCE = {
    "name": "other-at",
    "title": (
        "Figures are facts; quotes are short quotations, each with its citation (citations.csv) and licence"
    ),
}


def _string(
    name: str, description: str, *, required: bool = False, enum: Iterable[str] | None = None
) -> dict:
    f: dict[str, object] = {"name": name, "type": "string", "description": description}
    constraints: dict[str, object] = {}
    if required:
        constraints["required"] = True
    if enum is not None:
        constraints["enum"] = list(enum)
    if constraints:
        f["constraints"] = constraints
    return f


#: The normalized table's columns by name (:data:`schema.COLUMNS`).
_COLUMN: dict[str, schema.Column] = {c.name: c for c in schema.COLUMNS}


def _key_fields() -> dict[str, dict[str, object]]:
    """Fields of the stored tables that are keys into another table (or the key of their own)."""
    return {
        "measure_id": _string(
            "measure_id",
            "Key into measures.csv: metric, breakdown, unit, series, citation and note.",
            required=True,
        ),
        "period": _string(
            "period",
            "Key into periods.csv: '2014' (a calendar year), '2019-Q3' (a quarter) or 'start/end' "
            "(ISO 8601 interval).",
            required=True,
        ),
        "series_id": _string(
            "series_id",
            "Key into series.csv: reporter, reporter type, vintage and input file.",
            required=True,
        ),
        "note_id": _string("note_id", "Key into notes.csv: the caveats a reader must see (empty: none)."),
    }


def _fields(names: Iterable[str]) -> list[dict[str, object]]:
    keys = _key_fields()
    return [keys[n] if n in keys else schema.field(_COLUMN[n]) for n in names]


def _licences(sources: Iterable[SourceInfo]) -> list[dict[str, str]]:
    out = [TRANSCRIBED_LICENCE]
    for s in sources:
        if s.bulk_patterns:
            name = "other-pd" if "public domain" in s.licence.lower() else "other-at"  # opendefinition ids
            out.append({"name": name, "title": f"{s.id}: {s.licence}", "path": s.home_page})
    return out


def _sources(sources: Iterable[SourceInfo]) -> list[dict[str, str]]:
    out = [{"title": "Hand-transcribed published figures, each cited in citations.csv"}]
    for s in sources:
        if s.bulk_patterns:
            out.append(
                {"title": f"{s.publisher}: {s.title or s.description}", "path": s.download_url or s.home_page}
            )
    return out


def descriptor(
    sources: Iterable[SourceInfo], version: str, conflict_columns: Iterable[str]
) -> dict[str, object]:
    """The data package descriptor of ``data/processed`` (see the module docstring); ``conflict_columns``
    are the columns of ``conflicts.csv`` (``build.CONFLICT_COLUMNS``)."""
    infos = list(sources)
    lic, src = _licences(infos), _sources(infos)
    counts_schema = {
        "fields": _fields(metadata.STORED_COLUMNS),
        "missingValues": [""],
        "primaryKey": ["dataset", "figure_id"],
        "foreignKeys": [
            {"fields": "measure_id", "reference": {"resource": "measures", "fields": "measure_id"}},
            {"fields": "period", "reference": {"resource": "periods", "fields": "period"}},
            {"fields": "geo_code", "reference": {"resource": "places", "fields": "geo_code"}},
        ],
    }

    def res(name: str, title: str, description: str, fields: list, pk: list[str] | None, **extra) -> dict:
        table: dict[str, object] = {"fields": fields, "missingValues": [""]}
        if pk:
            table["primaryKey"] = pk
        table.update(extra)
        return {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "title": title,
            "description": description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "header": True},
            "schema": table,
            "licenses": lic,
            "sources": src,
        }

    counts = res(
        "counts",
        "Normalized counts",
        "One row = one figure: one reporter's count of one metric, for one place, one period and one "
        "breakdown. What a figure counts is kept once in measures.csv (with notes.csv and series.csv), "
        "its period in periods.csv, its place in places.csv; trafficking_stats.read_counts() joins them "
        "back. counts.parquet holds the same rows.",
        [],
        None,
    )
    counts["schema"] = counts_schema
    measures = res(
        "measures",
        "Measures",
        "What a figure counts (metric, breakdown, unit), who counted it (series), the cited document and "
        "the caveat: shared by the figures of one measure across places and periods.",
        _fields(metadata.MEASURE_COLUMNS),
        ["measure_id"],
        foreignKeys=[
            {"fields": "series_id", "reference": {"resource": "series", "fields": "series_id"}},
            {"fields": "citation", "reference": {"resource": "citations", "fields": "citation"}},
            {"fields": "note_id", "reference": {"resource": "notes", "fields": "note_id"}},
        ],
    )
    periods = res(
        "periods",
        "Periods",
        "The periods the counts use, keyed by a readable label.",
        _fields(metadata.PERIOD_COLUMNS),
        ["period"],
    )
    notes = res(
        "notes",
        "Notes",
        "The caveats of the figures, each once, keyed by note_id.",
        [_string("note_id", "Key.", required=True), schema.field(_COLUMN["note"])],
        ["note_id"],
    )
    series = res(
        "series",
        "Series",
        "Who counted, which edition and which input file, shared by the figures of one file and edition.",
        [
            _string("series_id", "Key.", required=True),
            *(schema.field(_COLUMN[f]) for f in metadata.SERIES_FIELDS),
        ],
        ["series_id"],
    )
    places = res(
        "places",
        "Places",
        "The places the counts use (trafficking_stats.geo).",
        [
            _string("geo_code", "Place code.", required=True),
            schema.field(_COLUMN["geo_level"]),
            schema.field(_COLUMN["geo_name"]),
            _string("parent", "Code of the enclosing place (empty for the world)."),
        ],
        ["geo_code"],
    )
    citations = res(
        "citations",
        "Citations",
        "Every cited document, with the number of figures citing it.",
        [
            _string("citation", "Key.", required=True),
            *(_string(c, c.capitalize() + ".") for c in ("publisher", "title", "url")),
            {"name": "published", "type": "string", "description": "Publication date as stated (text)."},
            {"name": "accessed", "type": "string", "description": "Date the document was read (text)."},
            _string("licence", "Licence or terms of the document."),
            _string("note", "Note on the document."),
            {
                "name": "n_figures",
                "type": "integer",
                "description": "Figures citing it.",
                "constraints": {"minimum": 0},
            },
        ],
        ["citation"],
    )
    conflicts = res(
        "conflicts",
        "Conflicts",
        "Figures for the same thing that disagree, one line per figure per conflict (build.find_conflicts).",
        [_conflict_field(n, _COLUMN) for n in conflict_columns],
        None,
    )
    quarantine = res(
        "quarantine",
        "Quarantine",
        "Input rows that could not be loaded, with file, line, column, text and reason.",
        [
            _string("dataset", "The loader.", required=True),
            _string("raw_file", "Input file."),
            {"name": "raw_row", "type": "integer", "description": "1-based line or sheet row."},
            _string("column", "Failing column(s)."),
            _string("text", "The text found."),
            _string("reason", "Why the row was quarantined.", required=True),
        ],
        None,
    )
    assert tuple(f["name"] for f in quarantine["schema"]["fields"]) == QUARANTINE_COLUMNS
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "trafficking-stats: cited, normalized human-trafficking statistics",
        "version": version,
        "licenses": lic,
        "sources": src,
        "resources": [counts, measures, periods, notes, series, places, citations, conflicts, quarantine],
    }


def _conflict_field(name: str, by_name: dict[str, schema.Column]) -> dict[str, object]:
    own = {
        "conflict_id": _string("conflict_id", "The conflict: its key or declared group.", required=True),
        "rule": _string(
            "rule", "Why the figures are listed together.", required=True, enum=("same_key", "declared")
        ),
        "n_figures": {"name": "n_figures", "type": "integer", "description": "Figures in the conflict."},
        "intervals_overlap": _string(
            "intervals_overlap",
            "Whether one number could satisfy every figure.",
            enum=("yes", "no", "unknown"),
        ),
    }
    if name in own:
        return own[name]
    f = dict(schema.field(by_name[name]))
    f.pop("constraints", None)  # a conflict line repeats the figure; the counts resource checks it
    return f
