"""Export charts at presets in PNG, SVG and PDF, each beside a CSV of the plotted data and a text file.

For a chart ``NAME`` at preset ``P`` the files are ``NAME.P.png|svg|pdf``, ``NAME.P.csv`` (exactly the
plotted rows, with their citations) and ``NAME.P.txt`` (title, description, sources, notes). The
description is also the SVG's ``<title>``/``<desc>``, the PNG's ``Title``/``Description`` text chunks
and the PDF's ``Title``/``Subject``; SVG and PDF state the language (``en``). Text stays text: SVG
``<text>`` elements with a CSS font stack (``svg.fonttype: none``), PDF fonts embedded as TrueType
(``pdf.fonttype: 42``), never Type 3.

Files are byte-identical from run to run with the same library versions: SVG ids come from a fixed
``svg.hashsalt``, no dates are written (``Date``, ``CreationDate`` and PNG ``Software`` removed), text is
laid out with the bundled DejaVu fonts, and rows are written in a fixed order.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from .catalog import ChartSpec
from .describe import describe_info
from .info import CSV_COLUMNS, ChartInfo, chart_info
from .presets import PRESETS, get_preset
from .style import house_style

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "ExportResult",
    "export",
    "figure_bytes",
    "pdf_with_language",
    "plotted_csv",
    "spreadsheet_safe",
    "svg_with_views",
]

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")


@dataclass(frozen=True)
class ExportResult:
    """Files written for one chart at one preset: the images (by format), the CSV and the text file."""

    images: dict[str, Path]
    csv: Path
    txt: Path

    @property
    def paths(self) -> list[Path]:
        return [*self.images.values(), self.csv, self.txt]


#: First characters that make spreadsheet programs read a text cell as a formula (CSV injection), plus the
#: tab and carriage return that some of them strip before looking.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Names of exported files: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def spreadsheet_safe(text: str) -> str:
    """``text`` made inert for spreadsheet programs: a text cell starting with ``= + - @`` (or tab/CR) gets
    a leading apostrophe, which spreadsheets show as text; numbers (``-5``, ``+3.2``) stay as they are."""
    if text.startswith(FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _cell(v: object) -> str:
    s = str(v)
    if v is None or s in ("<NA>", "nan", "NaT", "None"):
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if s.endswith(" 00:00:00"):
        return s[:10]
    return spreadsheet_safe(s)


def _file_stem(chart_name: str, preset: str, out: Path) -> str:
    """``NAME.PRESET``, refusing names that could write outside ``out`` (``../x``, ``/etc/x``, ``a/b``)."""
    stem = f"{chart_name}.{preset}"
    if not _SAFE_NAME.match(stem) or ".." in stem or not (out / stem).resolve().is_relative_to(out.resolve()):
        raise ValueError(
            f"refusing to export a chart named {chart_name!r}: file names may hold only letters, digits, "
            "'.', '_' and '-' (no folders), so that every file stays inside the output folder"
        )
    return stem


def plotted_csv(info: ChartInfo) -> bytes:
    """The sidecar CSV: the plotted rows in drawing order, with citation details (UTF-8, ``\\n`` lines)."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in info.plotted.to_dict("records"):
        c = info.citation(str(r["citation"]))
        r = dict(r)
        r.update(
            citation_publisher=c.publisher,
            citation_title=c.title,
            citation_published=c.published,
            citation_url=c.url,
            x=round(float(r["x"]), 3),
        )
        w.writerow([_cell(r.get(k)) for k in CSV_COLUMNS])
    return buf.getvalue().encode("utf-8")


def _txt(info: ChartInfo, description: str, preset: str) -> bytes:
    from .style import wrap

    lines = [info.title, info.subtitle, "", "Description", wrap(description, 9.5, 9.5), "", "Sources"]
    for key in info.citations:
        c = info.citation(key)
        when = f", {c.published}" if c.published else ""
        lines.append(f"- {c.publisher}{when}: {c.title}. {c.url} [{key}]".replace(": .", ":"))
    lines += ["", "Notes"] + [f"- {n}" for n in info.notes] + [f"- {d}" for d in info.details]
    p = get_preset(preset)
    lines += ["", f"Preset: {p.name} ({p.width_px} x {p.height_px} px at {p.dpi} dpi; {p.description})."]
    return ("\n".join(lines) + "\n").encode("utf-8")


def figure_bytes(fig: Figure, fmt: str, title: str, description: str) -> bytes:
    """``fig`` saved as ``fmt`` (png, svg or pdf) with the description embedded and no dates.

    Call it inside :func:`~.style.house_style` (the export does) so that the SVG hash salt applies.
    """
    buf = io.BytesIO()
    extra: dict[str, object] = {}
    if fmt == "png":
        meta = {"Software": None, "Title": title, "Description": description}
        extra["pil_kwargs"] = {"compress_level": PNG_LEVEL}
    elif fmt == "svg":
        meta = {"Date": None, "Title": title, "Description": description, "Language": LANGUAGE}
    elif fmt == "pdf":
        meta = {"CreationDate": None, "Title": title, "Subject": description, "Creator": None}
    else:
        raise ValueError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    fig.savefig(buf, format=fmt, dpi=fig.dpi, metadata=meta, **extra)
    data = buf.getvalue()
    if fmt == "pdf":
        data = pdf_with_language(data, LANGUAGE)
    if fmt == "svg":  # matplotlib writes <title>; add the accessible <desc> right after it
        head, sep, tail = data.partition(b"</title>")
        if sep:
            data = head + sep + b"\n <desc>" + escape(description).encode("utf-8") + b"</desc>" + tail
    return data


#: zlib level of exported PNGs (Pillow's ``compress_level``). Level 6 made the 25 screen-size files of the
#: standard charts 5% smaller for 50% more encoding time, and a 300 dpi page three times as slow.
PNG_LEVEL = 1
#: Language of the charts' text (BCP 47), written into SVG metadata and the PDF catalogue (``/Lang``).
LANGUAGE = "en"


def pdf_with_language(data: bytes, lang: str) -> bytes:
    """``data`` (a PDF from matplotlib) with the document language (``/Lang``) in its catalogue, which
    screen readers and PDF/UA checkers read and matplotlib cannot write.

    Done the way the PDF format provides for edits (ISO 32000-1, 7.5.6 incremental updates): the
    catalogue object is appended again with ``/Lang`` added, followed by a cross-reference section for it
    and a trailer pointing back (``/Prev``) at the original one. The original bytes are untouched, so the
    file stays byte-identical from run to run. Returns ``data`` unchanged if its trailer is not the
    simple one matplotlib writes.
    """
    import re

    tail = data[-1024:]
    trailer = re.search(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", tail, re.S)
    root = re.search(rb"/Root (\d+) 0 R", trailer.group(1)) if trailer else None
    size = re.search(rb"/Size (\d+)", trailer.group(1)) if trailer else None
    if not (trailer and root and size):
        return data
    num = int(root.group(1))
    obj = re.search(rb"(?m)^%d 0 obj\s*<<(.*?)>>\s*endobj" % num, data, re.S)
    if obj is None or b"/Lang" in obj.group(1):
        return data
    body = obj.group(1).strip() + b" /Lang (" + lang.encode("ascii") + b")"
    head = data if data.endswith(b"\n") else data + b"\n"
    offset = len(head)
    new_obj = b"%d 0 obj\n<< %s >>\nendobj\n" % (num, body)
    xref = b"xref\n%d 1\n%010d 00000 n \n" % (num, offset)
    rest = re.sub(rb"\s*/Prev \d+", b"", trailer.group(1)).strip()
    new_trailer = b"trailer\n<< %s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        rest,
        trailer.group(2),
        offset + len(new_obj),
    )
    return head + new_obj + xref + new_trailer


def svg_with_views(
    data: bytes, views: dict[str, tuple[float, float, float, float]], height_in: float
) -> bytes:
    """``data`` (an SVG from matplotlib, in points) with a ``<view id=NAME viewBox=...>`` per named box
    (x0, y0, x1, y1 in inches from the canvas' bottom left): ``file.svg#NAME`` then shows only that box,
    in any browser, from the same file."""
    if not views:
        return data
    els = "".join(
        f'\n <view id="{name}" viewBox="{x0 * 72:.1f} {(height_in - y1) * 72:.1f} '
        f'{(x1 - x0) * 72:.1f} {(y1 - y0) * 72:.1f}"/>'
        for name, (x0, y0, x1, y1) in views.items()
    )
    head, sep, tail = data.partition(b"</desc>")
    if not sep:
        head, sep, tail = data.partition(b"</title>")
    return head + sep + els.encode("ascii") + tail if sep else data


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)


def export(
    chart: ChartSpec,
    counts: pd.DataFrame | None = None,
    *,
    presets: Iterable[str] = ("web",),
    formats: Iterable[str] = FORMATS,
    out_dir: str | Path = "exports",
    allow_small_cells: bool = False,
) -> list[ExportResult]:
    """Draw ``chart`` at each preset and write it in each format into ``out_dir`` with its sidecars.

    ``counts`` defaults to the processed table (read only for charts drawn from it). Raises ValueError
    for an unknown preset or format and :class:`~.privacy.SmallCellError` (before writing anything) for
    small victim breakdown cells.
    """
    presets = list(presets)
    formats = list(formats)
    for p in presets:
        get_preset(p)
    for f in formats:
        if f not in FORMATS:
            raise ValueError(f"unknown format {f!r}; known formats: {', '.join(FORMATS)}")
    if counts is None and chart.uses_counts:
        from ..build import read_counts

        counts = read_counts()
    out = Path(out_dir)
    stems = {p: _file_stem(chart.name, p, out) for p in presets}
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for p in presets:
        fig = chart.build(counts, p, allow_small_cells=allow_small_cells)
        info = chart_info(fig)
        description = describe_info(info)
        stem = stems[p]
        images = {}
        with house_style(PRESETS[p]):
            for f in formats:
                path = out / f"{stem}.{f}"
                data = figure_bytes(fig, f, info.title, description)
                if f == "svg":
                    data = svg_with_views(data, info.views, fig.get_size_inches()[1])
                _write(path, data)
                images[f] = path
        csv_path, txt_path = out / f"{stem}.csv", out / f"{stem}.txt"
        _write(csv_path, plotted_csv(info))
        _write(txt_path, _txt(info, description, p))
        results.append(ExportResult(images, csv_path, txt_path))
    return results
