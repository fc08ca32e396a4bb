"""What each column of a chart's sidecar CSV means (shown on the site's "About the data" page).

The columns are :data:`trafficking_stats.charts.export.CSV_COLUMNS`; a test checks that every one is
described here. The first four say how a row was drawn; the rest are the normalized table's columns
(docs/DESIGN.md) and the cited document's details.
"""

from __future__ import annotations

__all__ = ["COLUMN_DOCS"]

COLUMN_DOCS: dict[str, str] = {
    "panel": "The panel (sub-chart) the row is drawn in, by what it shows: 'offenses recorded by police', "
    "'agencies reporting'. One chart may have several panels; rows of different panels are never added.",
    "series": "The series within the panel: who counted (reporter and source document), as in the legend. "
    "Figures of different series are shown side by side and never added.",
    "x": "Where the row is drawn along the horizontal axis, in years (a calendar or fiscal year). "
    "Series of one panel are nudged sideways by a fraction of a year so that figures of one year stand "
    "next to each other: 2016.25 is the year 2016, drawn a quarter-year to the right. Use 'year' for "
    "the year itself.",
    "drawn_as": "How the figure is drawn: 'point' (an exact count), 'lower bound (open marker, upward "
    "arrow)' for 'over 230', 'upper bound ...', 'interval (shaded)' for a range, 'approximate figure "
    "(open diamond)', 'suppressed cell (hatched band)' for a count the publisher withheld (0 to 4), "
    "or a chart's own marks such as 'estimate' and 'known count' on the hidden-population chart.",
    "figure_id": "Stable key of the figure, unique within its dataset.",
    "dataset": "The loader that produced the row: published (hand-transcribed), fbi_cde, fbi_tables, "
    "fbi_ucr_master, unodc_glotip, uk_nrm, ctdc.",
    "reporter": "Who produced the figure (a police department, UNODC, the FBI).",
    "reporter_type": "police, task_force, ngo, hotline, government, intergovernmental or research.",
    "geo_code": "The place: ISO 3166-1 alpha-3 country (NGA), ISO 3166-2 US state (US-TX), or a city or "
    "county code.",
    "geo_name": "The place's name.",
    "metric": "What is counted (victims identified, offenses recorded, convictions ...); the package's "
    "METRICS gives each definition. Different metrics are never added.",
    "breakdown": "'total', or the subgroup as sorted key=value pairs ('age=minor;sex=female').",
    "period_start": "First day of the period the figure covers (YYYY-MM-DD).",
    "period_end": "Last day of the period the figure covers (YYYY-MM-DD).",
    "year": "The calendar year, or the year a fiscal year ends.",
    "value": "The number as published ('over 230' gives 230); empty for a withheld cell.",
    "qualifier": "exact, over, at_least, under, at_most, approximately, range or suppressed: the hedge "
    "the publisher put on the number. 'over 230' is not 230.",
    "value_low": "Lowest number the figure allows (a withheld '<5' cell: 0).",
    "value_high": "Highest number the figure allows (a withheld '<5' cell: 4); empty when unbounded.",
    "unit": "persons, cases, offenses, contacts, referrals ...",
    "vintage": "Which edition of the source the figure comes from.",
    "conflict_group": "Set when other figures answer the same question differently; all are listed on "
    "the chart and in the description.",
    "citation": "Key of the cited document.",
    "citation_publisher": "Publisher of the cited document.",
    "citation_title": "Title of the cited document.",
    "citation_published": "Publication date of the cited document, where known.",
    "citation_url": "Where to read the cited document.",
    "quote": "For hand-transcribed figures: the shortest fragment of the source that shows the number "
    "and its hedge.",
    "note": "Caveats a reader must see.",
}
