"""Reading a text CSV with line numbers and clear errors: shared by the CSV-based source modules."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, SourceFormatError


@dataclass(frozen=True)
class Record:
    """One CSV record: the 1-based line it starts on and its fields by header name."""

    line: int
    fields: dict[str, str]
    n_fields: int


def read_text(path: Path) -> str:
    """Read ``path`` (opened read-only) as UTF-8 (a byte-order mark is allowed and dropped).

    Raises :class:`SourceFormatError` naming the line of the first byte that is not UTF-8, and for
    empty or binary files.
    """
    data = Path(path).read_bytes()
    name = str(path)
    if not data.strip():
        raise SourceFormatError(Problem(name, None, None, "file is empty"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceFormatError(
            Problem(name, 1, None, "file is UTF-16; expected UTF-8 text (save as CSV UTF-8)")
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceFormatError(Problem(name, line, None, "file contains NUL bytes; expected UTF-8 CSV text"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFormatError(
            Problem(name, line, None, f"byte {data[exc.start]:#04x} is not UTF-8; expected UTF-8 CSV text")
        ) from None
    return text.removeprefix("\ufeff")


def read_records(path: Path, required: Sequence[str]) -> tuple[list[str], Iterator[Record]]:
    """Return the header and an iterator of :class:`Record` for a comma-separated UTF-8 file.

    The header must be on line 1, hold every ``required`` column and no duplicated names; otherwise a
    :class:`SourceFormatError` names the file, line 1 and the column. Blank lines are not records.
    """
    name = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:  # pragma: no cover - read_text rejects empty files
        raise SourceFormatError(Problem(name, 1, None, f"cannot read the header: {exc}")) from None
    header = [h.strip() for h in header]
    problems = []
    seen: set[str] = set()
    for h in header:
        if h in seen:
            problems.append(Problem(name, 1, h, "duplicated column name in the header"))
        seen.add(h)
    missing = [c for c in required if c not in seen]
    if missing:
        found = ", ".join(repr(h) for h in header[:20])
        problems += [Problem(name, 1, c, f"required column is missing (header has {found})") for c in missing]
    if problems:
        raise SourceFormatError(problems)

    def records() -> Iterator[Record]:
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise SourceFormatError(Problem(name, start, None, f"malformed CSV: {exc}")) from None
            if row and any(cell.strip() for cell in row):
                fields = {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
                yield Record(start, fields, len(row))
            start = reader.line_num + 1

    return header, records()
