"""Write the bad-input corpus: one small file per case, each derived from a good fixture of its source.

``python tests/data/bad/make_corpus.py`` rewrites the files in this folder from the good fixtures. What
each file must produce is in ``cases.csv`` (read by ``tests/test_bad_inputs.py``; ``docs/bad-inputs.md``
holds the same table, and a test checks that the two agree). Two cases are made at test time instead of
committed, because of their size: a single 50 MB line, and an xlsx whose parts expand to gigabytes
(:func:`make_large`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
ROOT = HERE.parents[2]


def _published() -> str:
    lines = (ROOT / "data" / "raw" / "published_figures.csv").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[:6]) + "\n"


def _read(rel: str) -> str:
    return (DATA / rel).read_text(encoding="utf-8")


#: Good text of each source, and the name pattern of its files (the NRM loader reads the period from
#: the file name, so its corpus files keep "... Dec 21").
BASES: dict[str, tuple[str, str]] = {
    "published": (_published(), "{}.csv"),
    "fbi_cde": (_read("fbi_cde/ht_lowercase.csv"), "{}.csv"),
    "ctdc": (_read("ctdc/synthetic_2024.csv"), "{}.csv"),
    "uk_nrm": (_read("uk_nrm/NRM referrals over time Dec 21.csv"), "NRM referrals over time {} Dec 21.csv"),
    "fbi_tables": (_read("fbi_tables/table1_small.csv"), "{}.csv"),
    "unodc_glotip": (_read("unodc_glotip/quirks.csv"), "{}.xlsx"),
    "fbi_ucr_master": (_read("fbi_ucr_master/ht_master_small.txt"), "{}.txt"),
}


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), strict=False))


def _csv(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def xlsx_bytes(rows: list[list[object]], sheet: str = "data_glotip_1") -> bytes:
    """A small workbook (openpyxl) with fixed document dates."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.properties.created = wb.properties.modified = dt.datetime(2024, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _glotip(rows: list[list[str]]) -> bytes:
    out: list[list[object]] = [list(rows[0])]
    year = rows[0].index("Year") if "Year" in rows[0] else None
    for r in rows[1:]:
        r2: list[object] = list(r)
        if year is not None and year < len(r2) and r2[year].isdigit():
            r2[year] = int(r2[year])
        out.append(r2)
    return xlsx_bytes(out)


def _encode(source: str, rows: list[list[str]]) -> bytes:
    return _glotip(rows) if source == "unodc_glotip" else _csv(rows).encode()


def generic(source: str) -> dict[str, bytes]:
    """The byte-level cases every text source meets (for the xlsx source: its sheet's rows)."""
    good, _ = BASES[source]
    lines = good.splitlines(keepends=True)
    rows = _rows(good)
    out: dict[str, bytes] = {}
    if source == "unodc_glotip":
        out["header_only"] = _glotip(rows[:1])
        out["missing_column"] = _glotip([r[:11] + r[12:] for r in rows])  # no txtVALUE
        out["extra_reordered"] = _glotip([["Note", *r[::-1]] for r in rows])
        out["dup_header"] = _glotip([[*r, r[11]] for r in rows])
        out["csv_named_xlsx"] = good.encode()
        full = _glotip(rows)
        out["truncated_xlsx"] = full[: len(full) // 2]
        out["empty"] = b""
        return out
    if source == "fbi_ucr_master":
        out["empty"] = b""
        out["truncated"] = "".join(lines)[:-40].encode()
        out["utf16"] = good.encode("utf-16")
        out["binary"] = bytes(range(256)) * 8
        out["latin1"] = good.replace("JEFFERSON ", "JÉFFERSON ", 1).encode("latin-1")
        out["bom"] = ("\ufeff" + good).encode()
        return out
    out["empty"] = b""
    out["header_only"] = lines[0].encode()
    while lines and not lines[-1].strip(", \n"):  # trailing blank rows (fbi_tables) carry no data
        lines = lines[:-1]
    out["truncated"] = "".join(lines)[: -(len(lines[-1]) // 2)].encode()  # the last line cut in half
    out["semicolons"] = _csv(rows).replace(",", ";").encode()
    out["utf16"] = good.encode("utf-16")
    last = rows[-1]
    out["latin1"] = _csv([*rows[:-1], [last[0], "é" + last[1], *last[2:]]]).encode("latin-1", "replace")
    out["bom"] = ("\ufeff" + good).encode()
    out["binary"] = bytes(range(256)) * 8
    out["zip_named_csv"] = xlsx_bytes([["a", "b"], [1, 2]], "Sheet1")
    if source == "fbi_tables":  # its header is below title rows, in a fixed layout
        return out
    out["dup_header"] = _csv([[*r, r[-1]] for r in rows]).encode()
    out["missing_column"] = _csv([r[1:] for r in rows]).encode()
    out["extra_reordered"] = _csv(
        [["extra_column" if i == 0 else "x", *reversed(r)] for i, r in enumerate(rows)]
    ).encode()
    return out


#: Cells to spoil, per source: (column, data row (1 = first below the header)) of a count and a year,
#: and for CTDC the age band. Value cases are made by writing one bad text into that cell.
CELLS: dict[str, dict[str, tuple[str, int]]] = {
    "published": {"count": ("count", 1), "year": ("period_start", 1)},
    "fbi_cde": {"count": ("actual_count", 1), "year": ("data_year", 1)},
    "ctdc": {"year": ("yearOfRegistration", 1), "age": ("ageBroad", 1)},
    "uk_nrm": {"count": ("UK", 1), "year": ("Date", 1)},
    "unodc_glotip": {"count": ("txtVALUE", 1), "year": ("Year", 1)},
}

#: case -> (kind of cell, bad text); "{y}" is the cell's own year.
VALUE_CASES: dict[str, tuple[str, str]] = {
    "footnote_marker": ("count", "{v}*"),
    "negative_count": ("count", "-{v}"),
    "split_year": ("year", "{y}/{y2}"),
    "two_digit_year": ("year", "{yy}"),
    "future_year": ("year", "2099"),
    "age_band_as_date": ("age", "2020-10-18"),  # "18--20" after a spreadsheet read it as a date
}


def value_cases(source: str) -> dict[str, bytes]:
    good, _ = BASES[source]
    rows = _rows(good)
    out: dict[str, bytes] = {}
    for name, (kind, pattern) in VALUE_CASES.items():
        if kind not in CELLS.get(source, {}):
            continue
        column, row = CELLS[source][kind]
        bad = [list(r) for r in rows]
        cell = bad[row][bad[0].index(column)]
        year = cell[:4] if cell[:4].isdigit() else "2019"
        text = pattern.format(v=cell or "1", y=year, y2=str(int(year) + 1)[2:], yy=year[2:])
        if source == "uk_nrm" and kind == "year":  # "2019 Q3": keep the quarter
            text = {"future_year": "2099 Q1", "two_digit_year": f"{year[2:]} {cell[5:]}",
                    "split_year": f"{year}/{str(int(year) + 1)[2:]} {cell[5:]}"}[name]  # fmt: skip
        if source == "published" and kind == "year":  # a date column
            text = {"future_year": "2099-01-01", "two_digit_year": f"{year[2:]}-01-01",
                    "split_year": f"{year}/{str(int(year) + 1)[2:]}"}[name]  # fmt: skip
        bad[row][bad[0].index(column)] = text
        out[name] = _encode(source, bad)
    return out


def make_large(kind: str, folder: Path) -> Path:
    """The cases too large to commit, written into ``folder``.

    * ``long_line``: an FBI CDE file whose second line is 50 MB (no line break);
    * ``zip_bomb``: a UNODC workbook whose sheet part declares 4 GiB in the zip directory;
    * ``zip_ratio``: a UNODC workbook whose sheet part really is 64 MB of spaces compressed 1,000 times;
    * ``zip_lying``: a UNODC workbook whose sheet part declares 100 bytes and expands to more.
    """
    if kind not in ("long_line", "zip_bomb", "zip_ratio", "zip_lying"):
        raise ValueError(kind)
    if kind == "long_line":
        p = folder / "long_line.csv"
        with open(p, "wb") as fh:
            fh.write(BASES["fbi_cde"][0].splitlines(keepends=True)[0].encode())
            fh.write(b"2019," + b"9" * (50 * 1024 * 1024) + b"\n")
        return p
    base = zipfile.ZipFile(io.BytesIO(_glotip(_rows(BASES["unodc_glotip"][0]))))
    p = folder / f"{kind}.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            data = base.read(info.filename)
            if kind == "zip_ratio" and info.filename == "xl/worksheets/sheet1.xml":
                data = data + b" " * (64 << 20)
            z.writestr(info.filename, data)
    if kind in ("zip_bomb", "zip_lying"):  # rewrite the sheet's uncompressed size in the central directory
        raw = bytearray(p.read_bytes())
        entry = raw.find(b"PK\x01\x02", raw.find(b"xl/worksheets/sheet1.xml") - 46 - 200)
        while raw[entry + 46 : entry + 46 + 24] != b"xl/worksheets/sheet1.xml":
            entry = raw.find(b"PK\x01\x02", entry + 4)
        size = 0xFFFFFFFF - 1 if kind == "zip_bomb" else 100  # declares 4 GiB, or declares only 100 bytes
        raw[entry + 24 : entry + 28] = size.to_bytes(4, "little")
        p.write_bytes(bytes(raw))
    elif kind != "zip_ratio":
        raise ValueError(kind)
    return p


DOCS_BEGIN = "<!-- corpus table: generated by tests/data/bad/make_corpus.py from cases.csv -->"
DOCS_END = "<!-- end of corpus table -->"


def cases() -> list[dict[str, str]]:
    with open(HERE / "cases.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def docs_table() -> str:
    """The docs' table: one line per case, the outcome per source, and why (from cases.csv)."""
    by_case: dict[str, list[dict[str, str]]] = {}
    for c in cases():
        by_case.setdefault(c["case"], []).append(c)
    words = {
        "format": "format error (exit 3)",
        "quarantine": "row quarantined, rest loads",
        "invalid": "row fails validation (build quarantines it; `load` exits 4)",
        "loads": "loads",
    }
    lines = [DOCS_BEGIN, "", "| case | outcome by source | why |", "|---|---|---|"]
    for name, rows in by_case.items():
        outcomes: dict[str, list[str]] = {}
        for r in rows:
            outcomes.setdefault(words[r["outcome"]], []).append(f"`{r['source']}`")
        cell = "; ".join(f"{o}: {', '.join(srcs)}" for o, srcs in outcomes.items())
        lines.append(f"| `{name}` | {cell} | {rows[0]['why']} |")
    lines += ["", DOCS_END]
    return "\n".join(lines)


#: fbi_nibrs cases: zip bundles made from the NV-2021 test bundle, one table spoiled:
#: case -> (table, text to replace, replacement); a None table removes NIBRS_VICTIM_OFFENSE.csv.
NIBRS_CASES: dict[str, tuple[str | None, str, str]] = {
    "missing_table": (None, "", ""),
    "missing_column": ("NIBRS_incident", '"INCIDENT_DATE"', '"INC_DATE"'),
    "impossible_date": ("NIBRS_incident", "14-SEP-21", "31-SEP-21"),
    "orphan_agency": ("NIBRS_incident", "2021,201,25001", "2021,999,25001"),
    "unknown_offense_type": ("NIBRS_OFFENSE", "29001,25001,59", "29001,25001,99"),
}


def nibrs_cases() -> dict[str, bytes]:
    """The fbi_nibrs corpus: zip bundles (the source reads bundles, not single files)."""
    bundle = DATA / "fbi_nibrs" / "NV-2021"
    out: dict[str, bytes] = {"not_a_zip": b"this is not a zip archive\n"}
    for case, (table, old, new) in NIBRS_CASES.items():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(bundle.iterdir()):
                if table is None and f.name == "NIBRS_VICTIM_OFFENSE.csv":
                    continue
                text = f.read_text(encoding="utf-8")
                if f.stem == table:
                    assert old in text, (case, old)
                    text = text.replace(old, new, 1)
                info = zipfile.ZipInfo(f"NV-2021/{f.name}", date_time=(2024, 1, 1, 0, 0, 0))
                z.writestr(info, text, zipfile.ZIP_DEFLATED)
        out[case] = buf.getvalue()
    return out


def write() -> list[Path]:
    written = []
    folder = HERE / "fbi_nibrs"
    folder.mkdir(exist_ok=True)
    for stem, data in nibrs_cases().items():
        (folder / f"{stem}.zip").write_bytes(data)
        written.append(folder / f"{stem}.zip")
    for source, (_, pattern) in BASES.items():
        folder = HERE / source
        folder.mkdir(exist_ok=True)
        for stem, data in {**generic(source), **value_cases(source)}.items():
            ext = pattern.rsplit(".", 1)[1]
            if stem == "csv_named_xlsx" or stem == "truncated_xlsx":
                ext = "xlsx"
            name = pattern.format(stem).rsplit(".", 1)[0] + "." + ext
            (folder / name).write_bytes(data)
            written.append(folder / name)
    return written


if __name__ == "__main__":
    for p in write():
        print(p.relative_to(ROOT))
    doc = ROOT / "docs" / "bad-inputs.md"
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(DOCS_BEGIN, 1)
    doc.write_text(head + docs_table() + rest.split(DOCS_END, 1)[1], encoding="utf-8")
