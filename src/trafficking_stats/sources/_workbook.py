"""Reading a workbook's sheet (:func:`read_sheet`), after checks on the file before python-calamine opens it.

A legacy ``.xls`` (an OLE2 compound file, not compressed) passes as it is.

An ``.xlsx`` workbook is a zip archive of XML parts. Before python-calamine reads one,
:func:`check_workbook` refuses, with the file named: a file that is not a zip archive (a CSV saved
under an ``.xlsx`` name, an empty file), a damaged or truncated archive, and an archive whose parts
would expand beyond :data:`MAX_UNCOMPRESSED_BYTES` or at a ratio above :data:`MAX_RATIO` (a "zip bomb":
a few megabytes that expand to gigabytes). The sizes are read from the archive's central directory, so
nothing is expanded to find out. A part that lies about its size (declares little, expands to much) is
inflated only up to one byte past what it declares, and refused there (after the approach of the
``badinput`` branch's guard).
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
import zlib
from pathlib import Path

from .base import format_error

#: Largest total size of a workbook's parts once expanded (the UNODC workbook expands to ~40 MB).
MAX_UNCOMPRESSED_BYTES = 1 << 30
#: Largest expansion ratio of one large part (XML sheets compress about 10-30 times).
MAX_RATIO = 200
_LARGE_PART = 50 << 20


def check_workbook(path: Path) -> None:
    """Raise :class:`SourceFormatError` unless ``path`` is a sane ``.xlsx`` zip archive (module docstring)."""
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if not head:
        raise format_error(name, None, None, "file is empty")
    if head == b"\xd0\xcf\x11\xe0":  # a legacy .xls (OLE2 compound file): not compressed, nothing to expand
        return
    if head != b"PK\x03\x04":
        kind = "text (a CSV saved under an .xlsx name?)" if head.isascii() else "not a zip archive"
        raise format_error(
            name,
            None,
            None,
            f"not an .xlsx workbook: the file is {kind}; open it in a "
            "spreadsheet program and save it as .xlsx, or load the CSV with its CSV name",
        )
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise format_error(
            name, None, None, f"the workbook is damaged or truncated ({exc}): download it again"
        ) from None
    total = sum(p.file_size for p in parts)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise format_error(
            name,
            None,
            None,
            f"refusing to open: the workbook's parts expand to {total:,} bytes "
            f"(more than {MAX_UNCOMPRESSED_BYTES:,}); it is damaged or malicious",
        )
    for p in parts:
        if p.file_size > _LARGE_PART and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            raise format_error(
                name,
                None,
                None,
                f"refusing to open: part {p.filename!r} expands "
                f"{p.file_size / max(p.compress_size, 1):,.0f} times; it is damaged or malicious",
            )
    try:
        _inflate_up_to_declared(path, parts)
    except (OSError, ValueError, EOFError, zlib.error) as exc:  # e.g. a header offset outside the file
        raise format_error(
            name, None, None, f"the workbook is damaged or truncated ({exc}): download it again"
        ) from None


def read_sheet(
    path: Path, sheet: str | None = None, skip_empty_area: bool = True
) -> tuple[list[list[object]], int]:
    """The cells of ``sheet`` (default: the first) as Python values, read with python-calamine once
    :func:`check_workbook` passes, and the 1-based sheet row of the first. Raises
    :class:`SourceFormatError` for a file that is not a workbook, lacks the sheet or cannot be read."""
    from python_calamine import CalamineWorkbook

    name = str(path)
    check_workbook(path)
    try:
        wb = CalamineWorkbook.from_path(name)
    except Exception as exc:  # calamine raises its own error types for non-workbooks
        raise format_error(name, None, None, f"cannot read the workbook: {exc}") from None
    if sheet is not None and sheet not in wb.sheet_names:
        raise format_error(name, None, None, f"no sheet {sheet!r}; the workbook has {wb.sheet_names!r}")
    try:
        ws = wb.get_sheet_by_index(0) if sheet is None else wb.get_sheet_by_name(sheet)
        return ws.to_python(skip_empty_area=skip_empty_area), (ws.start[0] + 1) if ws.start is not None else 1
    except Exception as exc:
        raise format_error(
            name, None, None, f"cannot read the workbook (sheet {sheet or 1!r}): {exc}"
        ) from None


def cell_text(v: object) -> str:
    """A cell as python-calamine gives it, as stripped text: whole numbers without ``.0``, dates in ISO
    form, empty cells and NaN as ``''``."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return str(v).strip()


def _inflate_up_to_declared(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    """Inflate each part at most one byte past its declared size; refuse a part that goes beyond it."""
    with open(path, "rb") as fh:
        for p in parts:
            if p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                continue
            fh.seek(p.header_offset)
            head = fh.read(30)
            if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
                raise ValueError(f"no local header for part {p.filename!r}")
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            fh.seek(p.header_offset + 30 + name_len + extra_len)
            left, out = p.compress_size, 0
            inflate = zlib.decompressobj(-15)
            while left > 0 and out <= p.file_size:
                chunk = fh.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
                if p.compress_type == zipfile.ZIP_STORED:
                    out += len(chunk)
                    continue
                out += len(inflate.decompress(chunk, p.file_size + 1 - out))
                while inflate.unconsumed_tail and out <= p.file_size:
                    out += len(inflate.decompress(inflate.unconsumed_tail, p.file_size + 1 - out))
            if out > p.file_size:
                raise format_error(
                    str(path),
                    None,
                    None,
                    f"refusing to open: part {p.filename!r} expands beyond "
                    f"the {p.file_size:,} bytes it declares; it is damaged or malicious",
                )
