"""CTDC: the Counter-Trafficking Data Collaborative's victim-level Global Dataset, as yearly counts.

One input record is one registered victim of trafficking (a case record). The loader counts records per
year of registration and country of exploitation and writes ``victims_identified`` rows (unit
``persons``). It reads two layouts, told apart by the header (line 1; names compared case-insensitively):

* **k-anonymised Global Dataset** (63 columns, codebook v6.0 and the 2018 data dictionary): it has a
  ``Datasource`` column (``Case Management`` / ``Hotline``, compared case-insensitively) and
  ``majorityStatus``. Missing is ``-99``; ``Unknown`` (hotline records) is missing-like too. Countries are
  ISO 3166-1 alpha-2 where ``NA`` is Namibia (never missing), ``00`` is "Unknown Country" (dictionary)
  and ``ZZ`` is "unknown" (codebook v6.0). Age bands are written ``18--20``.
* **Global Synthetic Dataset, 2024 layout** (27 columns, codebook v2 of February 2024): no
  ``Datasource`` column, and one of its own columns (``traffickMonths``, ``meansThreats``, ...).
  Missing is ``NULL`` or an empty cell; countries are ISO 3166-1 alpha-3; gender is ``Woman`` / ``Man`` /
  ``Trans/Transgender/NonConforming``; age bands are written ``0—8`` (em dash); flags are ``1`` or NULL.

Any other header raises :class:`~trafficking_stats.errors.SourceFormatError` (file, line 1, column).
Only the columns needed are read (pyarrow's CSV reader, every value as dictionary-encoded text, no
missing-value conversion, so ``NA`` stays Namibia), which keeps a 1,000,000-record file well under half
the time and memory of reading it whole (``benchmarks/ctdc_load.py``). Consequences: a byte that is not
UTF-8 is reported (with its line) only in a column that is read; a row with the wrong number of fields
is quarantined; line breaks inside quoted values are not supported (none occur in CTDC files).

Rows written, per year of registration (``calendar_year``):

* ``geo_code`` ``world-ctdc`` (the dataset's coverage, not the world: CTDC holds the registrations of its
  contributing organisations): every record of the year, including those whose country of exploitation is
  missing (``-99``, NULL, empty, ``Unknown``), unknown (``00``, ``ZZ``) or a former code without a
  current country (``AN`` Netherlands Antilles, ``ZR`` Zaire, both in the 2018 dictionary's lookup);
* one row set per known country of exploitation, counting only records with that country. So the
  country rows of a year add up to the world row only when no record lacks a country.

For each place and year: ``breakdown`` ``total``; ``sex=female|male|transgender`` (the ``gender`` column:
``Female``/``Woman``, ``Male``/``Man``, ``Transgender/NonConforming``/``Trans/...``); ``age=0_8``,
``age=9_17``, ``age=18_20``, ``age=21_23``, ``age=24_26``, ``age=27_29``, ``age=30_38``, ``age=39_47``,
``age=48_plus`` (``ageBroad``, separators ``--``, ``—``, ``–`` or ``-``); ``exploitation=sexual`` (flag
``isSexualExploit`` or ``isSexAndLabour`` is 1), ``exploitation=labour`` (``isForcedLabour`` or
``isSexAndLabour``), ``exploitation=other`` (``isOtherExploit``, ``isForcedMarriage``, ``isForcedMilitary``,
``isOrganRemoval`` or ``isSlaveryAndPractices``, those present); and, in the k-anonymised layout only,
``source=case_management`` (``Datasource`` ``Case Management``: IOM's and, per codebook v6.0, Liberty Asia's
case records) and ``source=hotline`` (``Hotline``: Polaris). A record with a missing value adds to no row of
that breakdown; one person can have several forms of exploitation, so exploitation rows do not add up to the
total (nor do the other breakdowns, because of missing values). Only non-zero cells are written: a breakdown
value absent for a place and year had no record. Duplicate rows are separate people (k- anonymity
generalises records until several look alike) and are all counted.

Row accounting (``read == used + quarantined + skipped``), every record read is:

* used: counted in the aggregates above;
* skipped by the rule ``year_missing``: ``yearOfRegistration`` is a missing marker, so the record
  belongs to no year;
* quarantined, with its line, column, text and reason (the first problem found, in this order): a row
  whose number of fields differs from the header's; a year that is not a 4-digit year or lies outside
  2002..the current year (IOM's records start in 2002); a country of exploitation that is no ISO code
  of the layout's kind (nor a missing/unknown/former code above); a gender, age band, data source or
  exploitation flag value outside the codebook's values.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import geo
from ..errors import Problem, SourceFormatError
from ..geo import UnknownPlaceError
from ..paths import relative_to_root
from ._csvfile import check_text_bytes, check_utf8, decode_text
from .base import (
    QUARANTINE_COLUMNS,
    LoadResult,
    figure_ids,
    format_error,
    header_columns,
    maps,
    notes,
    quarantine_row,
    result,
    source_info,
    year_frame,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

INFO = source_info("ctdc")

REPORTER = "Counter-Trafficking Data Collaborative (IOM, Polaris, Liberty Shared)"
METRIC = "victims_identified"
FIRST_YEAR = 2002

MAPS = maps("ctdc")  # sources.toml [ctdc.maps], commented there
MISSING: frozenset[str] = frozenset(MAPS["missing"])
UNKNOWN_COUNTRY: frozenset[str] = frozenset(MAPS["unknown_country"])
FORMER_COUNTRY: dict[str, str] = MAPS["former_country"]
SEX: dict[str, str] = MAPS["sex"]
AGE_BANDS: tuple[str, ...] = tuple(MAPS["age_bands"])
SOURCE: dict[str, str] = MAPS["source"]

#: The place of the all-records rows: the dataset's coverage (geo region ``world-ctdc``), never ``world``,
#: so that CTDC's registrations are not set beside worldwide counts such as the TIP report's.
COVERAGE = "world-ctdc"
EXPLOITATION: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in MAPS["exploitation"].items()}
REQUIRED_FLAGS: tuple[str, ...] = tuple(MAPS["required_flags"])
_TRUE = frozenset({"1", "1.0", "true"})
_FALSE = frozenset({"0", "0.0", "false"})
SYNTHETIC_MARKERS: tuple[str, ...] = tuple(MAPS["synthetic_markers"])

NOTES = notes("ctdc")


@dataclass(frozen=True)
class Layout:
    """One of the two CTDC layouts: its name, country code kind and the header names of the columns read."""

    name: str  # "k_anonymised" or "synthetic_2024"
    alpha: int  # 2 or 3: ISO 3166-1 alpha-2 or alpha-3 country codes
    columns: dict[str, str]  # role -> header name as written in the file
    n_fields: int


#: Dates as spreadsheet programs write them: 2020-10-18, 18/10/2020, 10/18/20, 18-Oct, Oct-20, 18-Oct-2020.
_SPREADSHEET_DATE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{1,2}-[A-Za-z]{3}(-\d{2,4})?|[A-Za-z]{3}-\d{2,4})\s*$"
)


def _read_header(path: Path) -> list[str]:
    """The header (line 1) of ``path`` as a list of names; clear errors for empty, binary or non-UTF-8."""
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
        while b"\n" not in head:
            more = fh.read(1 << 16)
            if not more:
                break
            head += more
    check_text_bytes(head, name)
    if not head.split(b"\n", 1)[-1].strip() and Path(path).stat().st_size == len(head):
        raise format_error(name, 1, None, "the file has a header but no records below it (nothing to load)")
    text = decode_text(head.split(b"\n", 1)[0].rstrip(b"\r"), name)
    try:
        return [h.strip() for h in next(csv.reader([text], strict=True))]
    except csv.Error as exc:
        raise format_error(name, 1, None, f"cannot read the header as CSV: {exc}") from None


def detect_layout(header: list[str], name: str = "<input>") -> Layout:
    """Tell the layout from the header names; raise SourceFormatError (line 1, column) for neither."""
    by_lower = header_columns(name, 1, header, (), fold_case=True)
    shown = ", ".join(repr(h) for h in header[:12]) + (", ..." if len(header) > 12 else "")
    if "yearofregistration" not in by_lower:
        raise format_error(
            name,
            1,
            "yearOfRegistration",
            "not a CTDC Global Dataset header: expected a 'yearOfRegistration' column with 'Datasource' "
            f"(k-anonymised, 63 columns) or 'traffickMonths' (synthetic 2024); found {shown}",
        )
    if "datasource" in by_lower:
        layout, alpha, roles = "k_anonymised", 2, ["Datasource"]
        flags = [f for fs in EXPLOITATION.values() for f in fs]
        if "majoritystatus" not in by_lower:
            raise format_error(
                name,
                1,
                "majorityStatus",
                "header has 'Datasource' (k-anonymised Global Dataset) but no 'majorityStatus' column; "
                f"found {shown}",
            )
    elif any(m.lower() in by_lower for m in SYNTHETIC_MARKERS):
        layout, alpha, roles = "synthetic_2024", 3, []
        flags = list(REQUIRED_FLAGS)
    else:
        raise format_error(
            name,
            1,
            "Datasource",
            "header is neither CTDC layout: expected 'Datasource' (k-anonymised Global Dataset, 63 "
            "columns) or one of " + ", ".join(repr(m) for m in SYNTHETIC_MARKERS) + " (Global Synthetic "
            f"Dataset, 2024 layout); found {shown}",
        )
    required = ["yearOfRegistration", "gender", "ageBroad", "CountryOfExploitation", *REQUIRED_FLAGS, *roles]
    missing = [c for c in required if c.lower() not in by_lower]
    if missing:
        raise SourceFormatError(
            [
                Problem(name, 1, c, f"required column is missing ({layout} layout; found {shown})")
                for c in missing
            ]
        )
    columns = {c: by_lower[c.lower()] for c in dict.fromkeys([*required, *flags]) if c.lower() in by_lower}
    return Layout(layout, alpha, columns, len(header))


# --------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Column:
    """One column read as dictionary-encoded text: per-record codes into ``categories``."""

    codes: np.ndarray
    categories: list[str]


def _read_columns(path: Path, header: list[str], layout: Layout) -> tuple[dict[str, _Column], int, list[str]]:
    """Read the layout's columns; return them by role, the number of good rows and the bad rows' text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    name = str(path)
    invalid: list[str] = []

    def on_invalid(row: object) -> str:
        try:
            invalid.append(row.text)  # type: ignore[attr-defined]
        except UnicodeDecodeError:  # not UTF-8: stop, and let read_text name the line (below)
            return "error"
        return "skip"

    check_utf8(path)  # before pyarrow, which reports a bad byte without its line
    names = [f"c{i}" for i in range(len(header))]  # positional names: the header is already checked
    pos = {h: i for i, h in enumerate(header)}
    wanted = {role: names[pos[col]] for role, col in layout.columns.items()}
    text = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(wanted.values()),
                column_types={c: text for c in wanted.values()},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if "utf8" in str(exc).lower() or isinstance(exc, UnicodeDecodeError):
            from ._csvfile import read_text

            read_text(path)  # raises SourceFormatError naming the line of the first bad byte
        raise format_error(name, None, None, f"cannot read as CSV: {exc}") from None
    out = {}
    for role, col in wanted.items():
        cat = table.column(col).to_pandas()
        out[role] = _Column(cat.cat.codes.to_numpy(), [str(c) for c in cat.cat.categories])
    return out, table.num_rows, invalid


def _line_numbers(path: Path, n_fields: int) -> tuple[list[int], list[tuple[int, str, int]]]:
    """Physical line numbers of the good records (in order), and (line, text, fields) of the rows with a
    wrong number of fields.

    Mirrors the fast reader: blank lines are not records, one physical line is one record (the reader
    does not allow line breaks inside quoted values). Only called when something is quarantined.
    """
    good: list[int] = []
    bad: list[tuple[int, str, int]] = []
    with open(path, "rb") as fh:
        fh.readline()
        for lineno, raw in enumerate(fh, start=2):
            line = raw.rstrip(b"\r\n")
            if not line:
                continue
            if b'"' in line:
                n = len(next(csv.reader([line.decode("utf-8", "replace")])))
            else:
                n = line.count(b",") + 1
            if n == n_fields:
                good.append(lineno)
            else:
                bad.append((lineno, line.decode("utf-8", "replace"), n))
    return good, bad


# --------------------------------------------------------------------------------------------------------
# Mapping the (few) distinct values of each column
# --------------------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return text.strip().lower()


def _label(mapping: dict[str, str | None]) -> Callable[[str], str | bool | None]:
    """A codebook value (case-insensitive) -> its slug: None for a missing marker, False for other values."""
    return lambda t: None if _norm(t) in MISSING else mapping.get(_norm(t), False)


def _year(text: str, last_year: int) -> int | str | None:
    """A year, None for a missing marker, or the reason it cannot be right."""
    t = _norm(text)
    if t in MISSING:
        return None
    m = re.fullmatch(r"(\d{4})(\.0+)?", t)
    if not m:
        return "not a year (expected YYYY)"
    y = int(m.group(1))
    if not FIRST_YEAR <= y <= last_year:
        return f"year {y} is outside {FIRST_YEAR}..{last_year} (CTDC records start in {FIRST_YEAR})"
    return y


def _country(text: str, alpha: int) -> geo.Place | str | None:
    """A country Place, None for missing/unknown/former codes, or the reason the code does not exist."""
    t = text.strip()
    if t.lower() in MISSING:
        return None
    code = t.upper()
    if alpha == 2 and (code in UNKNOWN_COUNTRY or code in FORMER_COUNTRY):
        return None
    if len(code) == alpha:
        try:
            return geo.country_from_alpha2(code) if alpha == 2 else geo.country(code)
        except UnknownPlaceError:
            pass
    return f"{t!r} is not an ISO 3166-1 alpha-{alpha} country code"


def _age(text: str) -> str | bool | None:
    """An age slug, None for missing, False for a value outside the bands."""
    t = _norm(text)
    if t in MISSING:
        return None
    t = re.sub(r"\s*(--|—|–|-)\s*", "_", t).replace("+", "_plus")
    return t if t in AGE_BANDS else False


def _lookup(values: list[str], fn, vocab: Sequence[object]) -> tuple[np.ndarray, dict[int, str]]:  # type: ignore[no-untyped-def]
    """Map each category through ``fn`` to an index into ``vocab`` (-1 = missing); collect bad ones.

    ``fn`` returns a vocabulary item, None (missing) or a reason string / False (bad value).
    """
    import numpy as np

    index = {v: i for i, v in enumerate(vocab)}
    lut = np.full(len(values) + 1, -1, dtype=np.int16)
    bad: dict[int, str] = {}
    for i, v in enumerate(values):
        r = fn(v)
        if r is None:
            continue
        if r is False or r not in index:
            bad[i] = r if isinstance(r, str) else "unrecognised value"
            continue
        lut[i] = index[r]
    return lut, bad


# --------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------


def _vintage(path: Path, layout: Layout, last_year: int | None) -> tuple[str, str]:
    """The edition label and a short figure_id tag, from the file name (date or version) when it has one."""
    stem = path.stem
    if layout.name == "synthetic_2024":
        m = re.search(r"v(\d{4})", stem)
        if m:
            return f"Global Synthetic Dataset v{m.group(1)}", f"synthetic-v{m.group(1)}"
        return f"Global Synthetic Dataset (2024 layout), registrations to {last_year}", "synthetic"
    for fmt, rx in (("%d %b %Y", r"\d{1,2} [A-Za-z]{3} \d{4}"), ("%d %B %Y", r"\d{1,2} [A-Za-z]+ \d{4}")):
        m = re.search(rx, stem)
        if m:
            try:
                d = dt.datetime.strptime(m.group(0), fmt).date().isoformat()
            except ValueError:
                continue
            return f"Global Dataset (k-anonymised) {d}", f"kanon-{d}"
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", stem)
    if m:
        return f"Global Dataset (k-anonymised) {m.group(0)}", f"kanon-{m.group(0)}"
    return f"Global Dataset (k-anonymised), registrations to {last_year}", "kanon"


def load(path: Path) -> LoadResult:
    """CTDC victim records counted per year of registration, country of exploitation and breakdown
    (module docstring; ``raw_row`` NA: each figure aggregates many records);
    :class:`~trafficking_stats.errors.SourceFormatError` for a header that is neither CTDC layout."""
    import numpy as np

    path = Path(path)
    name = str(path)
    raw_file = relative_to_root(path)
    header = _read_header(path)
    layout = detect_layout(header, name)
    cols, n, invalid = _read_columns(path, header, layout)
    last_year = dt.date.today().year

    # Per-record reasons for quarantine: (role, index into categories -> reason), checked in this order.
    bad_masks: list[tuple[str, np.ndarray, np.ndarray, dict[int, str]]] = []

    def mapped(role: str, fn, vocab: Sequence[object]) -> np.ndarray:  # type: ignore[no-untyped-def]
        c = cols[role]
        lut, bad = _lookup(c.categories, fn, vocab)
        codes = c.codes.astype(np.int32, copy=False)
        if bad:
            badlut = np.zeros(len(c.categories) + 1, dtype=bool)
            badlut[list(bad)] = True
            bad_masks.append((role, badlut[codes], codes, bad))
        return lut[codes]

    year_cats = cols["yearOfRegistration"].categories
    year_vals = sorted({y for y in (_year(t, last_year) for t in year_cats) if isinstance(y, int)})
    year_missing_cat = np.array([_year(t, last_year) is None for t in year_cats] + [False])
    yi = mapped("yearOfRegistration", lambda t: _year(t, last_year), year_vals)
    no_year = year_missing_cat[cols["yearOfRegistration"].codes]

    country_of = {t: _country(t, layout.alpha) for t in cols["CountryOfExploitation"].categories}
    found = {p.code: p for p in country_of.values() if isinstance(p, geo.Place)}
    places = [found[k] for k in sorted(found)]

    def country(t: str) -> object:
        r = country_of[t]
        return r.code if isinstance(r, geo.Place) else r  # code, None (unknown) or the reason

    ci = mapped("CountryOfExploitation", country, [p.code for p in places])
    sex_vocab = ["female", "male", "transgender"]
    si = mapped("gender", _label(SEX), sex_vocab)
    ai = mapped("ageBroad", _age, list(AGE_BANDS))
    src_vocab = list(dict.fromkeys(SOURCE.values()))
    di = mapped("Datasource", _label(SOURCE), src_vocab) if "Datasource" in cols else None
    flag = _label({**dict.fromkeys(_TRUE, "1"), **dict.fromkeys(_FALSE)})  # 1: flagged; 0 or missing: not
    flags = {role: mapped(role, flag, ["1"]) >= 0 for role in cols if role.startswith("is")}

    # Quarantine: first reason per record, in the order the checks were registered.
    quarantined = np.zeros(n, dtype=bool)
    q_rows: list[tuple[int, str, str, str]] = []  # (record index, column, text, reason)
    for role, mask, codes, bad in bad_masks:
        new = mask & ~quarantined
        for idx in np.flatnonzero(new):
            k = int(codes[idx])
            reason = bad[k]
            if role not in ("yearOfRegistration", "CountryOfExploitation"):
                reason = f"{reason}: not one of the codebook's {role} values"
            if role == "ageBroad" and _SPREADSHEET_DATE.match(cols[role].categories[k]):
                reason += (
                    "; it looks like a date, as a spreadsheet program writes an age band such as '18--20' "
                    "after reading it as a date: load the original download, not a copy saved from a "
                    "spreadsheet"
                )
            q_rows.append((int(idx), layout.columns[role], cols[role].categories[k], reason))
        quarantined |= new
    skipped = no_year & ~quarantined
    used = ~quarantined & ~skipped

    # Aggregate: counts[year, place, slot], place 0 = world, slot 0 = total.
    slots: list[str] = ["total"]
    slots += [f"sex={s}" for s in sex_vocab]
    slots += [f"age={a}" for a in AGE_BANDS]
    slots += [f"exploitation={e}" for e in EXPLOITATION]
    if di is not None:
        slots += [f"source={s}" for s in src_vocab]
    ny, ng, nb = len(year_vals), len(places) + 1, len(slots)
    counts = np.zeros(ny * ng * nb, dtype=np.int64)
    y_u = yi[used].astype(np.int64)
    c_u = ci[used].astype(np.int64)

    def add(slot: np.ndarray | int, where: np.ndarray | None = None) -> None:
        yy, cc, ss = y_u, c_u, slot
        if where is not None:
            yy, cc = y_u[where], c_u[where]
            ss = slot[where] if isinstance(slot, np.ndarray) else slot
        base = yy * ng * nb + ss
        counts[:] += np.bincount(base, minlength=counts.size)  # world
        k = cc >= 0
        counts[:] += np.bincount(base[k] + (cc[k] + 1) * nb, minlength=counts.size)

    add(np.zeros(len(y_u), dtype=np.int64))
    off = 1
    for arr, width in ((si, len(sex_vocab)), (ai, len(AGE_BANDS))):
        a = arr[used].astype(np.int64)
        add(a + off, a >= 0)
        off += width
    for roles in EXPLOITATION.values():
        m = np.zeros(len(y_u), dtype=bool)
        for r in roles:
            if r in flags:
                m |= flags[r][used]
        add(off, m)
        off += 1
    if di is not None:
        a = di[used].astype(np.int64)
        add(a + off, a >= 0)

    rows = _rows(counts.reshape(ny, ng, nb), year_vals, places, slots, layout, path)
    quarantine = _quarantine(q_rows, n, invalid, path, layout.n_fields, raw_file)
    skips = {"year_missing": int(skipped.sum())} if skipped.any() else {}
    return result(INFO, raw_file, n + len(invalid), rows, quarantine, skipped=skips, used=int(used.sum()))


def _rows(
    counts: np.ndarray,
    years: list[int],
    places: list[geo.Place],
    slots: list[str],
    layout: Layout,
    path: Path,
) -> pd.DataFrame:
    """The normalized rows for the non-zero cells of ``counts[year, place, slot]``."""
    import numpy as np

    world = geo.place(COVERAGE)
    geos = [world, *places]
    yi, gi, bi = np.nonzero(counts)
    vintage, tag = _vintage(path, layout, years[-1] if years else None)
    value = counts[yi, gi, bi].astype("float64")
    year = np.asarray(years, dtype=np.int64)[yi]
    codes = np.asarray([g.code for g in geos], dtype=object)
    layout_note = NOTES["base"] + NOTES["kanon" if layout.name == "k_anonymised" else "synthetic"]
    slot_note = [
        NOTES.get(s.split("=")[0], "") if s.startswith(("exploitation=", "source=")) else "" for s in slots
    ]
    notes = {
        (w, b): layout_note + (NOTES["world"] if w else "") + slot_note[b]
        for w in (0, 1)
        for b in range(len(slots))
    }
    note = [notes[int(g == 0), b] for g, b in zip(gi.tolist(), bi.tolist(), strict=True)]  # shared strings
    fid = figure_ids(tag, year, codes[gi], METRIC, np.asarray(slots, dtype=object)[bi])
    return year_frame(
        INFO,
        year,
        figure_id=fid,
        reporter=REPORTER,
        geo_level=np.asarray([g.level for g in geos], dtype=object)[gi],
        geo_code=codes[gi],
        geo_name=np.asarray([g.name for g in geos], dtype=object)[gi],
        metric=METRIC,
        breakdown=np.asarray(slots, dtype=object)[bi],
        value=value,
        value_low=value,
        value_high=value,
        unit="persons",
        vintage=vintage,
        raw_file=relative_to_root(path),
        raw_row=[None] * len(yi),
        note=note,
    )


def _quarantine(
    q_rows: list[tuple[int, str, str, str]],
    n_good: int,
    invalid: list[str],
    path: Path,
    n_fields: int,
    raw_file: str,
) -> pd.DataFrame:
    """Quarantine frame with each record's physical line (found by one scan, only when needed)."""
    import pandas as pd

    out: list[dict[str, object]] = []
    if q_rows or invalid:
        good, bad = _line_numbers(path, n_fields)
        if len(bad) != len(invalid) or len(good) != n_good:
            raise format_error(
                str(path),
                None,
                None,
                "cannot tell the line numbers of records: the file has line breaks inside quoted values",
            )
        for line, text, n in bad:
            why = f"expected {n_fields} fields (as in the header), found {n}"
            out.append(quarantine_row(raw_file, line, "", text[:200], why))
        for idx, column, text, reason in q_rows:
            out.append(quarantine_row(raw_file, good[idx], column, text, reason))
    q = pd.DataFrame(out, columns=list(QUARANTINE_COLUMNS)).assign(dataset=INFO.id)
    return q.sort_values("raw_row", kind="mergesort", ignore_index=True)
