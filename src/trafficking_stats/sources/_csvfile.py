"""Reading a text CSV with line numbers and clear errors: shared by the CSV-based source modules.

Every text input passes :func:`read_text` (or :func:`check_text_bytes`), which refuses, naming the file
and line: an empty file, a zip archive (an ``.xlsx`` saved under a ``.csv`` name), UTF-16, NUL bytes
(a binary file), bytes that are not UTF-8 (Latin-1 from a spreadsheet), and a line longer than
:data:`MAX_LINE_BYTES` (a damaged file or one without line breaks). :func:`read_records` adds the header
checks (duplicated names, missing required columns, a file separated by ``;`` or tabs) and refuses a file
with a header but no records.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .base import format_error, header_columns


@dataclass(frozen=True)
class Record:
    """One CSV record: the 1-based line it starts on and its fields by header name."""

    line: int
    fields: dict[str, str]
    n_fields: int


#: Longest line accepted in a text input (bytes). The longest line of any real publisher file is under 10 kB.
MAX_LINE_BYTES = 1 << 20


def check_text_bytes(data: bytes, name: str) -> None:
    """Refuse what cannot be a text table, before any parser sees it (see the module docstring)."""
    if not data.strip():
        raise format_error(name, None, None, "file is empty")
    if data.startswith(b"PK\x03\x04"):
        raise format_error(
            name,
            1,
            None,
            "file is a zip archive (an Excel workbook?), not CSV text: "
            "export the sheet as 'CSV UTF-8' and load that",
        )
    start = 0
    for line_no, nl in enumerate(_newlines(data), start=1):
        if nl - start > MAX_LINE_BYTES:
            raise format_error(
                name,
                line_no,
                None,
                f"line is longer than {MAX_LINE_BYTES:,} bytes "
                f"({nl - start:,}): the file is damaged or has no line breaks",
            )
        start = nl + 1


def _newlines(data: bytes):
    """Positions of each line's end (the last line ends at ``len(data)``), found with ``bytes.find``."""
    i = data.find(b"\n")
    while i != -1:
        yield i
        i = data.find(b"\n", i + 1)
    yield len(data)


def check_utf8(path: Path) -> None:
    """Check that ``path`` is UTF-8 throughout, reading it in chunks (for files too large to hold twice).

    Raises :class:`SourceFormatError` naming the line of the first byte that is not UTF-8.
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines_before + chunk[: max(exc.start, 0)].count(b"\n") + 1
                raise format_error(str(path), line, None, not_utf8_message(chunk[exc.start])) from None
            lines_before += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise format_error(
                str(path),
                lines_before + 1,
                None,
                "the file ends inside a UTF-8 character: it was cut off; download it again",
            ) from None


def not_utf8_message(byte: int) -> str:
    return (
        f"byte {byte:#04x} is not UTF-8; expected UTF-8 CSV text (the file is probably Latin-1 or "
        "Windows-1252, as a spreadsheet program saves it: re-save it as 'CSV UTF-8')"
    )


def read_text(path: Path) -> str:
    """Read ``path`` (opened read-only) as UTF-8 (a byte-order mark is allowed and dropped).

    Raises :class:`SourceFormatError` naming the line of the first byte that is not UTF-8, and for
    empty, binary, zipped or UTF-16 files and over-long lines.
    """
    data = Path(path).read_bytes()
    check_text_bytes(data, str(path))
    return decode_text(data, str(path))


def decode_text(data: bytes, name: str) -> str:
    """``data`` decoded as UTF-8 without its byte-order mark; :class:`SourceFormatError` naming the line
    for UTF-16, NUL bytes (a binary file) and bytes that are not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise format_error(name, 1, None, "file is UTF-16; expected UTF-8 text (save as CSV UTF-8)")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise format_error(
            name,
            line,
            None,
            "file contains NUL bytes; expected UTF-8 CSV text (is it a binary file, or UTF-16?)",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise format_error(name, line, None, not_utf8_message(data[exc.start])) from None
    return text.removeprefix("\ufeff")


def csv_rows(text: str, name: str, strict: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Each row of the CSV ``text`` (blank ones included) with the 1-based line it starts on; malformed CSV
    raises :class:`SourceFormatError` naming the line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise format_error(name, start, None, f"malformed CSV: {exc}") from None
        yield start, row
        start = reader.line_num + 1


def read_records(path: Path, required: Sequence[str]) -> tuple[list[str], Iterator[Record]]:
    """Return the header and an iterator of :class:`Record` for a comma-separated UTF-8 file.

    The header must be on line 1, hold every ``required`` column and no duplicated names; otherwise a
    :class:`SourceFormatError` names the file, line 1 and the column. Blank lines are not records.
    """
    name = str(path)
    text = read_text(path)
    rows = csv_rows(text, name)
    header = next(rows)[1]  # read_text refuses an empty file
    header = [h.strip() for h in header]
    if len(header) == 1:
        for sep, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if sep in header[0]:
                raise format_error(
                    name,
                    1,
                    None,
                    f"the header is separated by {word}, not commas: save the file as "
                    "comma-separated CSV (UTF-8)",
                )
    if not text[len(text.split("\n", 1)[0]) :].strip(" \t\r\n,;"):
        raise format_error(name, 1, None, "the file has a header but no records below it (nothing to load)")
    header_columns(name, 1, header, required)

    def records() -> Iterator[Record]:
        for line, row in rows:
            if row and any(cell.strip() for cell in row):
                yield Record(
                    line, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}, len(row)
                )

    return header, records()
