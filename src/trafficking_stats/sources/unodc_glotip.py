"""UNODC GLOTIP: ``data_glotip.xlsx``, the country data behind the Global Report on Trafficking in Persons.

The file (UNODC Data Portal, dataset "Trafficking in Persons") has one sheet, ``data_glotip_1``, in long
format: one row = one country x indicator x breakdown x sex x age x reference year, with the count as
text in ``txtVALUE``. Layout and quirks are in ``shared/research/source-notes.md`` section 3. This module
does format work only:

* **Header by content.** The header is the first row whose first cell is ``Iso3_code`` (the 2024-03
  vintage has it in row 1; later vintages put title and date rows above it). Columns are matched by name.
* **Vintage.** A date in the rows above the header (``24/01/2023``, ``2023-01-24`` or a date cell) gives
  the vintage ``YYYY-MM``; otherwise the ``vintage`` argument; otherwise a ``YYYY-MM`` in the name of
  the file's folder (``glotip-2024-03`` -> ``2024-03``), else the folder name itself. The workbook's
  own "modified" property is not used: in the 2024-03 copy it is the re-poster's save date.
* **Counts.** ``txtVALUE`` is parsed with :func:`trafficking_stats.counts.parse_counts`: ``1,035`` is
  exact; ``<5`` is a suppressed count (value NA, interval 0-4), never 0 and never NA-as-missing.
* **Places.** ``Iso3_code`` -> :func:`trafficking_stats.geo.country` (joined on the code, never on the
  UN M49 name, which changes between vintages); Kosovo is ``XKX`` there.
* **Metrics.** Detected trafficking victims -> ``victims_identified``; Persons prosecuted ->
  ``prosecutions``; Persons convicted -> ``convictions``; Persons brought into formal contact ->
  ``persons_formal_contact`` (all unit ``persons``); Offences of trafficking in persons ->
  ``offenses_recorded`` (unit ``offenses``).
* **Breakdowns.** Dimension/Category, Sex and Age become sorted ``key=value`` slugs: ``exploitation``
  (``sexual``, ``forced_labour``, ``other``), ``citizenship`` and ``repatriation`` (the category text
  as submitted, free text in several languages, resolved by :func:`trafficking_stats.vocab.resolve_country`
  to a lower-case ISO 3166-1 alpha-3 code, ``Brazil``, ``Brasil``, ``BRASILERA`` and ``Bresil`` all
  ``bra``, or to ``nationals``, ``abroad``, ``unknown``, ``stateless``), ``sex`` (``female``, ``male``,
  ``other``, ``unknown``) and ``age`` (``minor`` = 0 to 17 years, ``adult`` = 18 years or over,
  ``unknown``). Dimension, Sex and Age all ``Total`` is ``total``. Category text that was UTF-8 read as
  Windows-1252 (``CÃ´te d'Ivoire``) is repaired byte-exactly. A category that names no known country or
  category (a region, a misspelling, a questionnaire item code such as ``Q6.1_10s_2019``) is quarantined:
  it is never turned into a new category.
* **Periods.** Calendar year (the GLOTIP reference year of the national report).

Row accounting (``read == used + quarantined + skipped``); ``read`` counts the non-blank rows below the
header (46,556 in the 2024-03 vintage); fully blank rows are not records. Every row read is

* **used**: one output row;
* **skipped** by a named rule:

  - ``regional_aggregate``: an empty Country and an ``Iso3_code`` that is one of UNODC's regional
    groupings (``CAR``, ``CAS``, ``EEU``, ``MCA``, ``MCN``, ``SAF``, ``SAM``, ``Aruba/Curacao``):
    they aggregate countries that have rows of their own and would double-count;
  - ``sark_no_country_code``: Country ``Sark`` with an empty ``Iso3_code``. Sark has no ISO 3166 code
    of its own; ``GGY`` (Guernsey) covers the whole Bailiwick, so mapping Sark's counts to it would
    present one island's figures as the Bailiwick's, while Guernsey itself does not report;

* or **quarantined** with its sheet row, column, text and reason:

  - damaged text: a category containing U+FFFD (``Ciudadanos de su pa�s``, ``ESPA�A``): the accented
    letters were lost before the file was written and cannot be restored byte-wise, and guessing would
    put figures under a country (or "nationals") that the text no longer names. Quarantined rather than
    skipped: they are in-scope figures that could not be normalized, and quarantine keeps them visible
    with their text;
  - an empty Category in a ``by citizenship`` / ``by country of repatriation`` row;
  - an unknown Indicator, Dimension, Sex, Age, exploitation category or unit of measurement, a Dimension
    ``Total`` whose Category is not ``Total``, an unreadable count or year, an empty ``Iso3_code``;
  - a code that is not an ISO 3166-1 alpha-3 country (nor ``XKX``);
  - a year before 2000 or after the vintage's year (outside anything the publisher can have reported);
  - a repeated key: rows with the same country, indicator, breakdown, sex, age and year. The 2024-03
    file repeats keys for unnamed sub-forms of "Other forms of exploitation" (up to five rows for one
    country-year) and for sex rows whose age label was lost (Bolivia 2017 has two "Female, Total" rows,
    62 and 43, equal to its adult and minor rows). The file does not say which row is which, so none is
    stored as the figure for that key (breakdowns whose category texts differ only in case, accents or
    punctuation collide the same way and are quarantined for the same reason);
  - plausibility: a breakdown cell whose lower bound exceeds the upper bound of its country, indicator
    and year total (Dimension, Sex and Age all ``Total``): with two exact numbers, the breakdown is
    larger than the total (278 rows in 2024-03, e.g. Malaysia 2020: forced labour 63, total 48); a
    breakdown of 5 or more under a ``<5`` total (at most 4) is just as impossible (63 rows). Which of
    the two cells is wrong is unknown; the breakdown is the one quarantined, the total stays.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import geo
from ..counts import parse_counts
from ..errors import Problem, SourceFormatError
from ..geo import UnknownPlaceError
from ..paths import relative_to_root
from ..vocab import NOT_KNOWN, resolve_country
from ._workbook import cell_text, read_sheet
from .base import (
    QUARANTINE_COLUMNS,
    LoadResult,
    breakdown_of,
    figure_ids,
    format_error,
    header_columns,
    maps,
    notes,
    result,
    source_info,
    year_frame,
)

if TYPE_CHECKING:
    import pandas as pd

INFO = source_info("unodc_glotip")

SHEET = "data_glotip_1"
HEADER_FIRST_CELL = "Iso3_code"
MAPS = maps("unodc_glotip")  # sources.toml [unodc_glotip.maps], commented there
REQUIRED_COLUMNS: tuple[str, ...] = tuple(MAPS["required_columns"])
REPORTER = "UNODC (national authorities' official statistics)"

INDICATORS: dict[str, tuple[str, str]] = {k: tuple(v) for k, v in MAPS["indicators"].items()}
DIMENSIONS: dict[str, str | None] = {k: v or None for k, v in MAPS["dimensions"].items()}
EXPLOITATION: dict[str, str] = MAPS["exploitation"]
SEX: dict[str, str | None] = {k: v or None for k, v in MAPS["sex"].items()}
AGE: dict[str, str | None] = {k: v or None for k, v in MAPS["age"].items()}
UNIT_OF_MEASUREMENT = "Counts"
REGIONAL_CODES: frozenset[str] = frozenset(MAPS["regional_codes"])
#: Earliest reference year accepted (the UN Trafficking Protocol dates from 2000; GLOTIP data from 2003).
EARLIEST_YEAR = 2000

NOTES = notes("unodc_glotip")

_SEP = "\x1f"
_DATE_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_FOLDER_VINTAGE = re.compile(r"(\d{4}-\d{2})")


# ------------------------------------------------------------------------------------------------ reading


def find_header(rows: list[list[object]], file: str, first_row: int = 1) -> int:
    """Index in ``rows`` of the header: the first row whose first cell is ``Iso3_code``.

    Raises :class:`SourceFormatError` naming what the first cells of the sheet hold instead.
    """
    for i, row in enumerate(rows):
        if row and cell_text(row[0]) == HEADER_FIRST_CELL:
            return i
    seen = [cell_text(r[0]) for r in rows[:5] if r]
    raise format_error(
        file,
        first_row,
        HEADER_FIRST_CELL,
        f"no header row: expected a row whose first cell is {HEADER_FIRST_CELL!r} in sheet {SHEET!r}; "
        f"the first cells of the first rows are {seen!r}",
    )


def vintage_from_title(rows: list[list[object]]) -> str | None:
    """``YYYY-MM`` from the first date in the title rows above the header (``24/01/2023``,
    ``2023-01-24`` or a date cell), or None when they carry no date."""
    for row in rows:
        for v in row:
            if isinstance(v, dt.datetime | dt.date):
                return f"{v.year:04d}-{v.month:02d}"
            if not isinstance(v, str):
                continue
            m = _DATE_DMY.search(v)
            if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(1)) <= 31:
                return f"{m.group(3)}-{int(m.group(2)):02d}"
            m = _DATE_ISO.search(v)
            if m and 1 <= int(m.group(2)) <= 12:
                return f"{m.group(1)}-{m.group(2)}"
    return None


def vintage_from_folder(path: Path) -> str:
    """The ``YYYY-MM`` in the name of the file's folder (``glotip-2024-03``), else the folder name."""
    folder = Path(path).resolve().parent.name
    m = _FOLDER_VINTAGE.search(folder)
    return m.group(1) if m else folder


# ------------------------------------------------------------------------------------------ normalizing


def repair_double_encoding(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 (``CÃ´te`` -> ``Côte``) when it round-trips exactly;
    other text is returned unchanged. Text with U+FFFD cannot be repaired (the bytes are gone)."""
    if not any(ch in text for ch in "ÃÂâÅ"):
        return text
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return fixed


def _breakdown(dimension: str, category: str, sex: str, age: str) -> tuple[str | None, str, str]:
    """(breakdown, column, reason): the breakdown slug, or None with the failing column and reason."""
    if dimension not in DIMENSIONS:
        return None, "Dimension", f"unknown Dimension {dimension!r} (expected one of {list(DIMENSIONS)})"
    if sex not in SEX:
        return None, "Sex", f"unknown Sex {sex!r} (expected one of {list(SEX)})"
    if age not in AGE:
        return None, "Age", f"unknown Age {age!r} (expected one of {list(AGE)})"
    key = DIMENSIONS[dimension]
    parts = {"sex": SEX[sex], "age": AGE[age]}
    if key is None:
        if category != "Total":
            return None, "Category", f"Dimension 'Total' with Category {category!r} (expected 'Total')"
    elif key == "exploitation":
        if category not in EXPLOITATION:
            return (
                None,
                "Category",
                f"unknown form of exploitation {category!r} (expected {list(EXPLOITATION)})",
            )
        parts["exploitation"] = EXPLOITATION[category]
    else:
        if not category:
            return None, "Category", f"empty Category in a {dimension!r} row"
        if "\ufffd" in category:
            return (
                None,
                "Category",
                "category text is damaged (U+FFFD replacement characters: the accented letters were lost "
                "before the file was written) and cannot be mapped to a citizenship or country reliably",
            )
        value = resolve_country(repair_double_encoding(category))
        if value is None:
            return None, "Category", f"category {category!r} ({dimension}): {NOT_KNOWN}"
        parts[key] = value
    return breakdown_of(parts), "", ""


def _place(code: str) -> tuple[geo.Place | None, str]:
    if not code:
        return None, "Iso3_code is empty: the row cannot be joined to a country"
    try:
        return geo.country(code), ""
    except UnknownPlaceError as exc:
        return None, str(exc.args[0])


class _Col:
    """One column as integer codes into its distinct cleaned texts (the per-value work runs once each)."""

    def __init__(self, values: object) -> None:
        import numpy as np
        import pandas as pd

        raw_codes, raw_uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
        cleaned = np.array([cell_text(u) for u in raw_uniques], dtype=object)
        codes, uniques = pd.factorize(cleaned)
        self.codes = codes[raw_codes] if len(raw_codes) else raw_codes
        self.uniques = np.asarray(uniques, dtype=object)

    def take(self, keep: object) -> None:
        """Keep the rows where ``keep`` is True."""
        self.codes = self.codes[keep]

    def text(self) -> object:
        """The cleaned text of every row (object ndarray)."""
        return self.uniques[self.codes]

    def map(self, f: Callable[[str], object]) -> object:
        """``f`` of each row's text (object ndarray), evaluated once per distinct value."""
        import numpy as np

        out = np.empty(len(self.uniques), dtype=object)
        out[:] = [f(u) for u in self.uniques]
        return out[self.codes]


def normalize_frame(
    df: pd.DataFrame | Mapping[str, Sequence[object]], *, raw_file: str, vintage: str, first_row: int = 2
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], int]:
    """Normalize the data rows of ``data_glotip_1`` (columns named as in the header).

    ``df`` (a DataFrame, or a dict of equally long columns) holds the cells as read (text, or numbers
    for ``Year``); ``first_row`` is the 1-based sheet row of its first row (``raw_row`` of each
    figure). Returns ``(rows, quarantine, skipped, read)``: the normalized rows (columns of
    ``schema.COLUMN_NAMES``), the quarantine (``QUARANTINE_COLUMNS``), the records skipped per named rule
    and the number of records read. Blank rows are dropped and not counted.
    The work is vectorised: every mapping runs once per distinct value, not once per row.
    """
    import numpy as np
    import pandas as pd

    missing = [c for c in REQUIRED_COLUMNS if c not in df]
    if missing:
        raise SourceFormatError(
            [Problem(raw_file, first_row - 1, c, "required column is missing") for c in missing]
        )
    col = {c: _Col(np.asarray(df[c], dtype=object)) for c in REQUIRED_COLUMNS}
    n_in = len(col["Iso3_code"].codes)
    sheet_row = np.arange(first_row, first_row + n_in, dtype="int64")
    blank = np.ones(n_in, dtype=bool)
    for c in col.values():
        blank &= (c.uniques == "")[c.codes] if len(c.codes) else blank
    for c in col.values():
        c.take(~blank)
    sheet_row = sheet_row[~blank]
    n = len(sheet_row)

    iso, country = col["Iso3_code"].text(), col["Country"].text()
    no_country = col["Country"].map(lambda u: u == "").astype(bool)
    skip_regional = col["Iso3_code"].map(lambda u: u in REGIONAL_CODES).astype(bool) & no_country
    skip_sark = col["Iso3_code"].map(lambda u: u == "").astype(bool) & (country == "Sark")
    skipped = {"regional_aggregate": int(skip_regional.sum()), "sark_no_country_code": int(skip_sark.sum())}
    keep = ~(skip_regional | skip_sark)

    reason = np.full(n, None, dtype=object)
    column = np.full(n, None, dtype=object)
    bad_text = np.full(n, None, dtype=object)
    failed = np.zeros(n, dtype=bool)

    def fail(mask: np.ndarray, name: str | np.ndarray, why: object, what: object) -> None:
        """Quarantine the rows of ``mask`` not yet skipped or quarantined (the first reason wins)."""
        m = mask & keep & ~failed
        if not m.any():
            return
        failed[m] = True
        reason[m] = why[m] if isinstance(why, np.ndarray) else why
        column[m] = name[m] if isinstance(name, np.ndarray) else name
        bad_text[m] = np.asarray(what, dtype=object)[m]

    # Indicator -> metric and unit
    ind = col["Indicator"]
    metric = ind.map(lambda u: INDICATORS.get(u, (None, None))[0])
    unit = ind.map(lambda u: INDICATORS.get(u, (None, None))[1])
    fail(
        pd.isna(metric),
        "Indicator",
        ind.map(lambda u: f"unknown Indicator {u!r} (expected one of {list(INDICATORS)})"),
        ind.text(),
    )

    unit_col = col["Unit of measurement"]
    fail(
        unit_col.text() != UNIT_OF_MEASUREMENT,
        "Unit of measurement",
        f"unit of measurement is not {UNIT_OF_MEASUREMENT!r} (a count)",
        unit_col.text(),
    )

    # Breakdown, once per distinct (Dimension, Category, Sex, Age)
    parts = [col[c] for c in ("Dimension", "Category", "Sex", "Age")]
    combo = np.zeros(n, dtype="int64")
    for c in parts:
        combo = combo * (len(c.uniques) + 1) + c.codes
    b_codes, b_uniques = pd.factorize(combo)
    one_row = np.zeros(len(b_uniques), dtype="int64")
    one_row[b_codes] = np.arange(n)  # any row of each distinct combination
    b_res = [_breakdown(*(str(c.uniques[c.codes[i]]) for c in parts)) for i in one_row]
    breakdown = np.array([r[0] for r in b_res], dtype=object)[b_codes]
    b_col = np.array([r[1] for r in b_res], dtype=object)[b_codes]
    b_why = np.array([r[2] for r in b_res], dtype=object)[b_codes]
    bad_b = pd.isna(breakdown)
    if bad_b.any():
        texts = {
            name: c.text() for name, c in zip(("Dimension", "Category", "Sex", "Age"), parts, strict=True)
        }
        what = np.array([texts[c][i] if c else "" for i, c in enumerate(b_col)], dtype=object)
        fail(bad_b, b_col, b_why, what)

    # Counts: each distinct text is parsed once
    val = col["txtVALUE"]
    counts, errors = parse_counts(list(val.uniques))
    err_u = {i: f"cannot read a count: {e.reason}" for i, e in errors}

    def num(x: float | None) -> float:
        return np.nan if x is None else x

    value = np.array([np.nan if c is None else num(c.value) for c in counts], dtype="float64")[val.codes]
    low = np.array([np.nan if c is None else num(c.low) for c in counts], dtype="float64")[val.codes]
    high = np.array([np.nan if c is None else num(c.high) for c in counts], dtype="float64")[val.codes]
    qualifier = np.array([None if c is None else c.qualifier for c in counts], dtype=object)[val.codes]
    why_u = np.array([err_u.get(i, "txtVALUE is empty (no count)") for i in range(len(counts))], dtype=object)
    fail(pd.isna(qualifier), "txtVALUE", why_u[val.codes], val.text())
    fail(
        np.nan_to_num(low, nan=0.0) < 0,
        "txtVALUE",
        "a count of victims or persons cannot be negative",
        val.text(),
    )

    # Year
    yc = col["Year"]
    vy = int(vintage[:4]) if re.match(r"\d{4}", vintage) else None  # the vintage's year

    def year_of(u: str) -> tuple[int, str]:
        if not re.fullmatch(r"\d{4}", u):
            return -1, f"Year {u!r} is not a calendar year"
        if int(u) < EARLIEST_YEAR or (vy is not None and int(u) > vy):
            return -1, f"year {u} is outside the publisher's range ({EARLIEST_YEAR} to the vintage year {vy})"
        return int(u), ""

    y_res = [year_of(u) for u in yc.uniques]
    year = np.array([y for y, _ in y_res] or [0], dtype="int64")[yc.codes]
    fail(year < 0, "Year", np.array([w for _, w in y_res] or [""], dtype=object)[yc.codes], yc.text())

    # Geography, once per distinct code
    ic = col["Iso3_code"]
    g_res = [_place(u) for u in ic.uniques]
    g_code = np.array([p.code if p else None for p, _ in g_res] or [None], dtype=object)[ic.codes]
    g_name = np.array([p.name if p else None for p, _ in g_res] or [None], dtype=object)[ic.codes]
    g_why = np.array([w for _, w in g_res] or [""], dtype=object)[ic.codes]
    fail(pd.isna(g_code), "Iso3_code", g_why, iso)

    ok = keep & ~failed
    idx = np.flatnonzero(ok)
    fids = np.full(n, None, dtype=object)
    fids[idx] = figure_ids(vintage, g_code[idx], year[idx], metric[idx], breakdown[idx])

    # Repeated keys: none of the rows can be stored as the figure for that key
    fid_s = pd.Series(fids[idx], index=idx)
    dup = fid_s[fid_s.duplicated(keep=False)]
    if len(dup):
        raw_key = combo.astype(str).astype(object) + "|" + iso + "|" + ind.text() + "|" + yc.text()
        dim_text, cat_text = col["Dimension"].text(), col["Category"].text()
        why = np.full(n, None, dtype=object)
        where = np.full(n, None, dtype=object)
        for _, grp in dup.groupby(dup, sort=False):
            members = grp.index.to_numpy()
            rows_txt = ", ".join(str(r) for r in sheet_row[members])
            first = members[0]
            if len(set(raw_key[members])) > 1:
                text = (
                    f"breakdown {breakdown[first]!r} comes from differently written categories on sheet rows "
                    f"{rows_txt}; they cannot be told apart once slugged, so none is stored"
                )
            elif dim_text[first] == "by form of exploitation":
                text = (
                    f"the key (country, indicator, category, sex, age, year) is repeated on sheet rows "
                    f"{rows_txt}: unnamed sub-forms of {cat_text[first]!r}; the file does not say which row "
                    "is which, so none is stored as the figure for this key"
                )
            else:
                text = (
                    f"the key (country, indicator, dimension, category, sex, age, year) is repeated on sheet "
                    f"rows {rows_txt} (an age or category label appears to be lost); the file does not say "
                    "which row is which, so none is stored as the figure for this key"
                )
            why[members] = text
            where[members] = "Category" if dim_text[first] != "Total" else "Age"
        fail(~pd.isna(why), where, why, val.text())

    # Plausibility: a breakdown cannot exceed its (country, indicator, year) total
    ok = keep & ~failed
    is_total = ok & (breakdown == "total")
    part = ok & ~is_total
    if is_total.any() and part.any():
        tkey = pd.Series(g_code.astype(str) + "|" + metric.astype(str) + "|" + year.astype(str))
        t_index = tkey[is_total].to_numpy()
        high_of_total = tkey.map(pd.Series(high[is_total], index=t_index)).to_numpy(
            dtype="float64", na_value=np.nan
        )
        row_of_total = tkey.map(pd.Series(sheet_row[is_total], index=t_index)).to_numpy(dtype=object)
        too_big = part & (low > high_of_total)
        if too_big.any():
            why = np.full(n, None, dtype=object)
            why[too_big] = [
                f"breakdown {b!r} is at least {lo:g}, more than the total of at most {hi:g} for this "
                f"country, indicator and year (sheet row {int(tr)})"
                for b, lo, hi, tr in zip(
                    breakdown[too_big],
                    low[too_big],
                    high_of_total[too_big],
                    row_of_total[too_big],
                    strict=True,
                )
            ]
            fail(too_big, "txtVALUE", why, val.text())

    # Assemble
    idx = np.flatnonzero(keep & ~failed)
    note_of = {
        b: NOTES["all"] + (NOTES["free_text"] if ("citizenship=" in b or "repatriation=" in b) else "")
        for b in set(breakdown[idx])
    }
    rows = year_frame(
        INFO,
        year[idx],
        figure_id=fids[idx],
        reporter=REPORTER,
        geo_level="country",
        geo_code=g_code[idx],
        geo_name=g_name[idx],
        metric=metric[idx],
        breakdown=breakdown[idx],
        value=value[idx],  # NA only for suppressed cells
        qualifier=qualifier[idx],
        value_low=low[idx],
        value_high=high[idx],
        unit=unit[idx],
        vintage=vintage,
        raw_file=raw_file,
        raw_row=sheet_row[idx],
        note=np.array([note_of[b] for b in breakdown[idx]], dtype=object),
    )
    qidx = np.flatnonzero(failed)
    quarantine = pd.DataFrame(
        {
            "dataset": INFO.id,
            "raw_file": raw_file,
            "raw_row": sheet_row[qidx],
            "column": column[qidx],
            "text": bad_text[qidx],
            "reason": reason[qidx],
        },
        columns=list(QUARANTINE_COLUMNS),
        index=pd.RangeIndex(len(qidx)),
    )
    return rows, quarantine, skipped, n


def _columns(path: Path) -> tuple[dict[str, list[object]], int, str | None]:
    """The required columns of the sheet (cells as read, below the header), the sheet row of the first
    of them, and the vintage its title rows carry (None when they carry none)."""
    cells, first = read_sheet(path, SHEET)
    h = find_header(cells, str(path), first)
    header = [cell_text(c) for c in cells[h]]
    header_row = first + h
    header_columns(str(path), header_row, header, REQUIRED_COLUMNS, skip_blank=True)
    body = cells[h + 1 :]
    if not any(any(cell_text(c) for c in r) for r in body):
        raise format_error(str(path), header_row, None, "the sheet has a header but no records below it")
    width = len(header)
    if any(len(r) != width for r in body):  # calamine rows are rectangular; pad anything else
        body = [[*r, *([""] * (width - len(r)))] for r in body]
    columns = list(zip(*body, strict=True)) if body else [() for _ in header]
    data = {c: columns[header.index(c)] for c in REQUIRED_COLUMNS}
    return data, header_row + 1, vintage_from_title(cells[:h])


def load(path: Path, vintage: str | None = None) -> LoadResult:
    """The rows of UNODC's ``data_glotip.xlsx``; ``vintage`` where its title rows carry no date (default:
    the ``YYYY-MM`` in its folder's name). :class:`~trafficking_stats.errors.SourceFormatError` for a file
    that is not a workbook or lacks the ``data_glotip_1`` sheet, its header row or a required column."""
    path = Path(path)
    raw_file = relative_to_root(path)
    # ~600,000 cell objects are created at once; the cyclic garbage collector has nothing to free among
    # them but would rescan them many times, so it is paused while the sheet is read and normalized.
    enabled = gc.isenabled()
    gc.disable()
    try:
        data, first_row, title_vintage = _columns(path)
        vint = title_vintage or vintage or vintage_from_folder(path)
        rows, quarantine, skipped, read = normalize_frame(
            data, raw_file=raw_file, vintage=vint, first_row=first_row
        )
    finally:
        if enabled:
            gc.enable()
    return result(INFO, raw_file, read, rows, quarantine, skipped=skipped, used=len(rows))
