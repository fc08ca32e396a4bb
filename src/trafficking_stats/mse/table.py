"""The list-overlap table: observed capture patterns of cases on several lists, and its CSV format.

Definitions used throughout :mod:`trafficking_stats.mse`:

* a *list* (also "system" or "source") is one register of cases, e.g. the cases known to the police;
* a *capture pattern* (capture history) of a case is the set of lists it is on, written as one 0/1 flag
  per list;
* the *count* of a pattern is the number of distinct cases (people) with exactly that pattern;
* the all-zero pattern (on no list) is never observed: its count, the *dark figure*, is what multiple
  systems estimation estimates. The *observed total* is the sum of the counts, in cases.

CSV format (documented in ``data/raw/mse/README.md``): UTF-8, comma separated, a header on line 1 with one
column per list, named by the list, and a column ``count``; then one row per observed pattern, each list
column holding ``0`` or ``1`` and ``count`` a non-negative integer number of cases. Patterns not listed
have count 0; a pattern may appear at most once; the all-zero pattern is rejected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, SourceFormatError, ValidationError

__all__ = ["COUNT_COLUMN", "ListTable", "read_table"]

COUNT_COLUMN = "count"
MAX_LISTS = 16  # 2**16 - 1 cells: far beyond any published MSE table, small enough to enumerate


@dataclass(frozen=True)
class ListTable:
    """Observed capture patterns of cases on ``t >= 1`` lists.

    ``frame`` has one 0/1 integer column per list (in list order) and the integer column ``count``;
    one row per pattern, no duplicated pattern, no all-zero pattern. Build it with :func:`read_table`
    (from a CSV file) or :meth:`from_frame` (from a DataFrame), which validate; ``source`` names where the
    table came from (a file path), for messages.
    """

    frame: pd.DataFrame
    source: str | None = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str | None = None) -> ListTable:
        """Validate ``frame`` (list columns + ``count``) and wrap it; raises :class:`ValidationError`.

        Row numbers in messages are 1-based data rows plus one (the CSV line numbers when the frame
        was read from a file with a header).
        """
        if COUNT_COLUMN not in frame.columns:
            raise SourceFormatError(
                Problem(source, 1, COUNT_COLUMN, "no 'count' column: add one holding the number of cases")
            )
        lists = [str(c) for c in frame.columns if c != COUNT_COLUMN]
        if not lists:
            raise SourceFormatError(
                Problem(source, 1, None, "no list columns: one column per list is needed")
            )
        if len(lists) > MAX_LISTS:
            raise SourceFormatError(Problem(source, 1, None, f"{len(lists)} lists: at most {MAX_LISTS}"))
        problems: list[Problem] = []
        cells: dict[str, list[int]] = {c: [] for c in [*lists, COUNT_COLUMN]}
        seen: dict[tuple[int, ...], int] = {}
        for i, row in enumerate(frame.itertuples(index=False, name=None)):
            line = i + 2
            values = dict(zip([str(c) for c in frame.columns], row, strict=True))
            ok = True
            flags: list[int] = []
            for name in lists:
                flag = _as_int(values[name])
                if flag not in (0, 1):
                    problems.append(Problem(source, line, name, f"expected 0 or 1, found {values[name]!r}"))
                    ok = False
                else:
                    flags.append(flag)
            count = _as_int(values[COUNT_COLUMN])
            if count is None or count < 0:
                problems.append(
                    Problem(
                        source,
                        line,
                        COUNT_COLUMN,
                        f"expected a non-negative whole number of cases, found {values[COUNT_COLUMN]!r}",
                    )
                )
                ok = False
            if not ok:
                continue
            pattern = tuple(flags)
            if not any(pattern):
                problems.append(
                    Problem(
                        source,
                        line,
                        None,
                        "the all-zero pattern (on no list) cannot be observed: remove this row "
                        "(its count is what the estimate is for)",
                    )
                )
                continue
            if pattern in seen:
                problems.append(
                    Problem(
                        source,
                        line,
                        None,
                        f"pattern {''.join(map(str, pattern))} repeats line {seen[pattern]}: "
                        "give each pattern once, with the total count",
                    )
                )
                continue
            seen[pattern] = line
            for name, flag in zip(lists, flags, strict=True):
                cells[name].append(flag)
            cells[COUNT_COLUMN].append(int(count))  # type: ignore[arg-type]
        if problems:
            raise ValidationError(problems)
        clean = pd.DataFrame({k: np.asarray(v, dtype="int64") for k, v in cells.items()})
        return cls(clean, source)

    @property
    def lists(self) -> tuple[str, ...]:
        """The list names, in column order."""
        return tuple(str(c) for c in self.frame.columns if c != COUNT_COLUMN)

    @property
    def n_lists(self) -> int:
        """The number of lists ``t``."""
        return len(self.lists)

    @property
    def observed(self) -> int:
        """The observed total: the number of distinct cases on at least one list."""
        return int(self.frame[COUNT_COLUMN].sum())

    def patterns(self) -> np.ndarray:
        """The 0/1 patterns, one row per table row, shape ``(rows, t)``."""
        return self.frame[list(self.lists)].to_numpy(dtype=np.int64)

    def counts(self) -> np.ndarray:
        """The counts (cases), one per table row."""
        return self.frame[COUNT_COLUMN].to_numpy(dtype=np.int64)

    def codes(self) -> np.ndarray:
        """Each row's pattern as an integer: bit ``j`` set when the case is on list ``j`` (0-based)."""
        return self.patterns() @ (1 << np.arange(self.n_lists, dtype=np.int64))

    def cell_counts(self) -> np.ndarray:
        """Counts of all ``2**t - 1`` observable patterns, indexed by code - 1 (unlisted patterns 0)."""
        full = np.zeros(2**self.n_lists - 1, dtype=np.int64)
        full[self.codes() - 1] = self.counts()
        return full

    def list_totals(self) -> dict[str, int]:
        """The number of cases on each list (whatever other lists they are on)."""
        pats, cnt = self.patterns(), self.counts()
        return {name: int(cnt @ pats[:, j]) for j, name in enumerate(self.lists)}

    def overlap(self, a: str, b: str) -> int:
        """The number of cases on both lists ``a`` and ``b`` (whatever other lists they are on)."""
        pats, cnt = self.patterns(), self.counts()
        i, j = self.lists.index(a), self.lists.index(b)
        return int(cnt @ (pats[:, i] * pats[:, j]))

    def to_csv(self) -> str:
        """The table in the documented CSV format (``\\n`` line endings)."""
        return self.frame.to_csv(index=False, lineterminator="\n")


def _as_int(value: object) -> int | None:
    """``value`` as an int when it is a whole number written without a fraction or sign noise, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def read_table(path: str | Path) -> ListTable:
    """Read a list-overlap CSV (see the module docstring) into a validated :class:`ListTable`.

    Raises :class:`SourceFormatError` for layout problems (unreadable file, missing header or ``count``
    column, duplicated or empty column names, rows with the wrong number of fields) and
    :class:`ValidationError` for bad cells (not 0/1, negative or fractional counts, duplicated or all-zero
    patterns). Every problem names the file, the 1-based line (header = line 1) and the column.
    """
    p = Path(path)
    name = str(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise SourceFormatError(Problem(name, None, None, "no such file")) from exc
    except UnicodeDecodeError as exc:
        raise SourceFormatError(Problem(name, None, None, f"not UTF-8 text ({exc.reason})")) from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SourceFormatError(Problem(name, 1, None, "empty file: a header line is expected"))
    header = [h.strip() for h in rows[0]]
    problems: list[Problem] = []
    if COUNT_COLUMN not in header:
        problems.append(
            Problem(
                name, 1, COUNT_COLUMN, "no 'count' column in the header: add one holding the number of cases"
            )
        )
    for k, h in enumerate(header):
        if not h:
            problems.append(Problem(name, 1, f"#{k + 1}", "empty column name: name every list"))
        elif header.index(h) != k:
            problems.append(Problem(name, 1, h, "column name appears twice"))
    data: list[Sequence[str]] = []
    for i, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue  # blank lines are allowed (e.g. a trailing newline)
        if len(row) != len(header):
            problems.append(Problem(name, i, None, f"{len(row)} fields, the header has {len(header)}"))
            continue
        data.append([cell.strip() for cell in row])
    if problems:
        raise SourceFormatError(problems)
    # keep the file's line numbers: re-number after skipped blank lines by validating with the raw rows
    frame = pd.DataFrame(data, columns=header, dtype="str") if data else pd.DataFrame(columns=header)
    lines = [i for i, row in enumerate(rows[1:], start=2) if row and any(c.strip() for c in row)]
    try:
        return ListTable.from_frame(frame, source=name)
    except ValidationError as exc:
        fixed = [
            Problem(pr.file, lines[pr.line - 2] if pr.line else None, pr.column, pr.message)
            for pr in exc.problems
        ]
        raise ValidationError(fixed) from None
