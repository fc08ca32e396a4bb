"""Checks that keep a bulk build from losing, doubling or silently replacing figures.

Two kinds of check, both run by :func:`trafficking_stats.build.build` on the publisher files of
``build --bulk DIR``:

* **Whole-file checks** (:func:`check_text_file`, before the loader reads a row; :func:`check_record_count`,
  after it and before any row is used). A text file (``.csv``, ``.txt``) is refused as a whole, with a
  :class:`~trafficking_stats.errors.SourceFormatError` naming the file, the line and what was found, when

  - its header line (line 1, compared ignoring case and surrounding blanks) appears again further down:
    two downloads were joined into one file;
  - its records are one block repeated two or more times (the same download saved into one file twice);
  - its last line has no line end and is too short: fewer fields than the header, a quote left open
    or an empty last field after a comma for a CSV, a length that is not a whole number of blocks for
    a fixed-width file (the UCR master file: an 87-character header plus 75 characters a month). The
    download was cut short;
  - the share of records that are exact copies of an earlier record is far above the one the publisher's
    file documents (:data:`DOCUMENTED_DUPLICATES`; the CDE 2013-2020 file has 927 real copies among its
    4,417 records, and they stay summed): more than ``2 x documented + 5`` percentage points;
  - it replaces the file of the same path from the previous build and holds more than
    :data:`DROP_THRESHOLD` fewer records than that file did (a download cut at a line end). No
    publisher format read here carries a row-count footer, so the previous vintage is the only count to
    compare with. ``--accept-changes`` lets a genuinely smaller vintage through.

  Workbooks (``.xlsx``, ``.xls``) have no lines to cut or join; only the record-count check and the
  guard below apply to them.

* **Guard against silent drops** (:func:`national_drops`): for every bulk dataset, each national (or
  all-records) yearly total of the previous build (``breakdown`` ``total`` at ``geo_level`` ``country``,
  ``region`` or ``world``) is compared with the same total after the build, taking the largest figure
  over the vintages present on each side. A total that falls by more than :data:`DROP_THRESHOLD`, or a
  year that disappears, stops the build (:class:`FigureDropError`, exit 4) naming the dataset, place,
  metric, year, old and new figure, unless the caller accepts the changes; accepted changes are recorded
  in the manifest (``accepted_changes``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, SourceFormatError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

#: A yearly total may fall by at most this fraction from the previous build (0.10: 10%) without
#: ``--accept-changes``; a replacing file may hold at most this fraction fewer records than its predecessor.
DROP_THRESHOLD = 0.10

#: Exact duplicate records a publisher's file documents as real: dataset -> (copies, records, where stated).
DOCUMENTED_DUPLICATES: dict[str, tuple[int, int, str]] = {
    "fbi_cde": (
        927,
        4417,
        "HT_2013-2020.csv: records of different (undisclosed) months with equal counts; "
        "see sources/fbi_cde.py",
    ),
    "fbi_ucr_master": (0, 22524, "one record per agency and year; traffickingCrimes_2015.txt has none"),
}

#: Fixed-width layouts: dataset -> (header length, block length); a whole record is header + k blocks.
FIXED_WIDTH: dict[str, tuple[int, int]] = {"fbi_ucr_master": (87, 75)}

#: Geography levels whose ``total`` rows are a dataset's top-level (national or all-records) figures.
TOP_LEVELS: tuple[str, ...] = ("country", "region", "world")

TEXT_SUFFIXES: tuple[str, ...] = (".csv", ".txt")


class FigureDropError(ValidationError):
    """A build that would lower or remove figures of the previous build; nothing was written."""


def check_text_file(source_id: str, path: Path, name: str | None = None) -> None:
    """Refuse a publisher text file that is joined, repeated, cut short or over-duplicated (see module).

    ``name`` is the file's name in messages (default: ``path``). Workbooks and other binary files are
    not checked here. Raises :class:`SourceFormatError` for the whole file.
    """
    path = Path(path)
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return
    name = name or str(path)
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return  # the loader reports an empty file
    fixed = FIXED_WIDTH.get(source_id)
    first = 0 if fixed else 1  # index of the first record line
    if not fixed:
        _check_header_repeated(lines, name)
    _check_repeated_block(lines, first, name)
    if not data.rstrip(b" \t").endswith((b"\n", b"\r")):
        _check_last_line(lines, fixed, name)
    if source_id in DOCUMENTED_DUPLICATES:
        _check_duplicates(source_id, lines, first, name)


def _key(line: bytes) -> bytes:
    return line.strip().lower()


def _check_header_repeated(lines: list[bytes], name: str) -> None:
    header = _key(lines[0])
    if not header.strip(b",;\t "):
        return  # a blank or all-commas first line is layout, not a header
    for i in range(1, len(lines)):
        if _key(lines[i]) == header:
            raise SourceFormatError(
                Problem(
                    name,
                    i + 1,
                    None,
                    "the header of line 1 appears again here: two downloads were joined into one file "
                    "(their figures would be counted twice); refusing the whole file: keep each download "
                    "as its own file",
                )
            )


def _check_repeated_block(lines: list[bytes], first: int, name: str) -> None:
    body = lines[first:]
    n = len(body)
    if n < 2:
        return
    head = body[0]
    for j in range(1, n // 2 + 1):
        if n % j or body[j] != head:
            continue
        if body[j:] == body[: n - j] and any(ln.strip(b" ,;\t") for ln in body[:j]):
            raise SourceFormatError(
                Problem(
                    name,
                    first + j + 1,
                    None,
                    f"lines {first + 1}-{first + n} are one block of {j:,} lines repeated {n // j:,} "
                    "times, starting again here (the download was saved into the file more than once; "
                    "its figures would be multiplied); refusing the whole file",
                )
            )


def _check_last_line(lines: list[bytes], fixed: tuple[int, int] | None, name: str) -> None:
    last = lines[-1]
    where = len(lines)
    cut = "the download was cut short (download it again); refusing the whole file"
    if fixed:
        head, block = fixed
        n = len(last)
        if n < head or (n - head) % block:
            raise SourceFormatError(
                Problem(
                    name,
                    where,
                    None,
                    f"the last line has no line end and {n} characters, not {head} plus a whole number "
                    f"of {block}-character blocks: {cut}",
                )
            )
        return
    text = last.decode("utf-8", errors="replace")
    if text.count('"') % 2:
        raise SourceFormatError(
            Problem(name, where, None, f"the last line has no line end and leaves a quote open: {cut}")
        )
    header = lines[0].decode("utf-8", errors="replace")
    want = len(next(csv.reader([header])))
    fields = next(csv.reader([text]))
    if len(fields) < want:
        raise SourceFormatError(
            Problem(
                name,
                where,
                None,
                f"the last line has no line end and {len(fields)} of the header's {want} fields: {cut}",
            )
        )
    if len(fields) == want and not fields[-1].strip() and any(f.strip() for f in fields):
        raise SourceFormatError(
            Problem(name, where, None, f"the last line has no line end and ends in an empty field: {cut}")
        )


def _check_duplicates(source_id: str, lines: list[bytes], first: int, name: str) -> None:
    body = [ln for ln in lines[first:] if ln.strip(b" ,\t\r")]
    if not body:
        return
    seen: set[bytes] = set()
    copies, first_copy = 0, None
    for i, ln in enumerate(lines[first:], start=first + 1):
        if not ln.strip(b" ,\t\r"):
            continue
        if ln in seen:
            copies += 1
            first_copy = first_copy or i
        seen.add(ln)
    doc_copies, doc_records, where = DOCUMENTED_DUPLICATES[source_id]
    documented = doc_copies / doc_records
    rate = copies / len(body)
    if rate > 2 * documented + 0.05:
        raise SourceFormatError(
            Problem(
                name,
                first_copy,
                None,
                f"{copies:,} of {len(body):,} records ({rate:.1%}) are exact copies of an earlier record "
                f"(the first one is on this line); the publisher's file documents {documented:.1%} "
                f"({doc_copies:,} of {doc_records:,}, {where}): the file holds records more than once; "
                "refusing the whole file",
            )
        )


def check_record_count(name: str, read: int, previous_read: int | None, *, accept: bool = False) -> None:
    """Refuse a file holding far fewer records than the file it replaces (same path, previous build).

    ``read`` and ``previous_read`` are record counts (``LoadResult.read`` and the previous manifest's
    ``row_accounting``); ``accept`` (``--accept-changes``) lets a genuinely smaller vintage through.
    """
    if accept or not previous_read or read >= (1 - DROP_THRESHOLD) * previous_read:
        return
    raise SourceFormatError(
        Problem(
            name,
            None,
            None,
            f"{read:,} records, {1 - read / previous_read:.0%} fewer than the {previous_read:,} of the "
            "file it replaces (the previous build's): the download was probably cut short; refusing the "
            "whole file (build with --accept-changes if this vintage really is smaller)",
        )
    )


def top_totals(counts: pd.DataFrame, datasets: Sequence[str]) -> pd.DataFrame:
    """Each dataset's top-level yearly totals: the largest value per (dataset, geo_code, metric, unit, year).

    Rows: ``breakdown`` ``total``, ``geo_level`` in :data:`TOP_LEVELS`, a ``year`` and a value; the
    largest over vintages and reporters, so a vintage kept beside another never reads as a drop.
    """
    import pandas as pd

    key = ["dataset", "geo_code", "metric", "unit", "year"]
    if counts is None or not len(counts):
        return pd.DataFrame(columns=[*key, "value"])
    c = counts[
        counts["dataset"].astype("str").isin(list(datasets))
        & (counts["breakdown"].astype("str") == "total")
        & counts["geo_level"].astype("str").isin(TOP_LEVELS)
        & counts["year"].notna()
        & counts["value"].notna()
    ]
    frame = pd.DataFrame({k: c[k].astype("str") for k in key[:-1]})
    frame["year"] = c["year"].astype("int64")
    frame["value"] = c["value"].astype("float64")
    return frame.groupby(key, sort=True, as_index=False)["value"].max()


def national_drops(
    previous: pd.DataFrame | None, current: pd.DataFrame, datasets: Sequence[str]
) -> list[dict[str, object]]:
    """Top-level totals of ``previous`` that fell by more than :data:`DROP_THRESHOLD` or disappeared.

    One dict per figure: dataset, geo_code, metric, unit, year, old, new (None when the year is gone).
    """
    if previous is None or not len(previous):
        return []
    old = top_totals(previous, datasets)
    new = top_totals(current, datasets)
    key = ["dataset", "geo_code", "metric", "unit", "year"]
    merged = old.merge(new, on=key, how="left", suffixes=("_old", "_new"))
    out = []
    for r in merged.itertuples(index=False):
        o, n = float(r.value_old), r.value_new
        gone = n != n  # NaN: the figure is no longer there
        if gone or (o > 0 and float(n) < (1 - DROP_THRESHOLD) * o):
            out.append(
                {
                    "dataset": r.dataset,
                    "geo_code": r.geo_code,
                    "metric": r.metric,
                    "unit": r.unit,
                    "year": int(r.year),
                    "old": _number(o),
                    "new": None if gone else _number(float(n)),
                }
            )
    return out


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def describe_drop(d: dict[str, object]) -> str:
    """One line for a dropped figure: ``fbi_cde: USA offenses_actual 2016: 1,280 -> 358 (-72%)``."""
    head = f"{d['dataset']}: {d['geo_code']} {d['metric']} ({d['unit']}) {d['year']}"
    old = d["old"]
    if d["new"] is None:
        return f"{head}: the year is gone (was {old:,})"
    new = d["new"]
    pct = (new - old) / old if old else 0.0  # type: ignore[operator]
    return f"{head}: {old:,} -> {new:,} ({pct:+.0%})"


def drop_error(drops: list[dict[str, object]], limit: int = 40) -> FigureDropError:
    """The error stopping a build that would lower or remove figures (at most ``limit`` lines listed)."""
    probs = []
    for d in drops[:limit]:
        dataset, text = describe_drop(d).split(": ", 1)
        probs.append(Problem(dataset, None, None, text))
    if len(drops) > limit:
        probs.append(Problem("build", None, None, f"... and {len(drops) - limit:,} more"))
    probs.append(
        Problem(
            "build",
            None,
            None,
            f"{len(drops):,} figure(s) of the previous build would fall by more than "
            f"{DROP_THRESHOLD:.0%} or disappear; nothing was written. Check the new files; if the "
            "changes are real, build again with --accept-changes (they are then recorded in "
            "manifest.json under accepted_changes)",
        )
    )
    return FigureDropError(probs)
