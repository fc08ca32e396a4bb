"""Build the static chart gallery (``trafficking-stats site``): an index, a page per standard chart, a page
per place and the notebooks' reports, from ``data/processed/`` and Jinja2 templates.

Layout of the output folder (every link relative, so the site works from ``file://`` and any host)::

    index.html              cards of the standard charts, the place finder
    about.html              how to read the charts, the sidecar CSV's columns
    charts/NAME.html        a standard chart; charts/files/ holds every preset x format + sidecars
    places/CODE.html        a place; places/files/ holds its web PNG and SVG + sidecars per metric
    reports/NN-name.html    a notebook, code hidden; reports/NN-name_files/ its images
    assets/                 site.css, finder.js (no request leaves the site)

Charts are drawn by :func:`trafficking_stats.charts.export` in worker processes (one per core); the pages
show what the sidecar files say (title, description, notes from the ``.txt``; rows and sources from the
``.csv``), so a page never says something its download does not.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SiteResult", "build_site", "chart_jobs"]

#: Presets and formats of the place pages' downloads (the ``chart`` command exports the others).
PLACE_PRESETS: tuple[str, ...] = ("web",)
PLACE_FORMATS: tuple[str, ...] = ("png", "svg")
#: The preset a chart page shows on narrow screens (its text is laid out for a phone-sized square).
PHONE_PRESET = "social-square"
#: Width in pixels of the index cards' thumbnails.
THUMB_WIDTH = 480

_HERE = Path(__file__).parent


@dataclass
class SiteResult:
    """What a build wrote: the output folder, the pages (relative paths) and the chart files count."""

    out: Path
    pages: list[str] = field(default_factory=list)
    files: int = 0
    reused: int = 0
    skipped_reports: str = ""
    #: CPU seconds the charts took in the workers (together), the workers, and the drawing's wall seconds.
    draw_cpu: float = 0.0
    workers: int = 0
    draw_wall: float = 0.0


# ---------------------------------------------------------------------------------------------- workers

#: Modules the drawing processes need, imported once by the forkserver they are forked from.
WORKER_PRELOAD: tuple[str, ...] = ("trafficking_stats.site.build", "trafficking_stats.charts", "scipy.stats")

_COUNTS: pd.DataFrame | None = None
_PLACE_ROWS: dict[str, pd.DataFrame] = {}


def _init_worker(processed: str | None) -> None:
    global _COUNTS
    import matplotlib

    matplotlib.use("Agg")
    from ..build import read_counts

    _COUNTS = read_counts(processed) if processed else read_counts()
    _PLACE_ROWS.clear()


def _place_rows(code: str) -> pd.DataFrame:
    """The rows a place chart of ``code`` reads: the place's rows and every row of their conflict groups
    (named in footnotes), in table order; the chart drawn from them is the one drawn from the whole table,
    without scanning 50,000 rows a dozen times per chart. Kept for the last few places (a worker gets a
    place's metrics one after the other)."""
    rows = _PLACE_ROWS.get(code)
    if rows is None:
        assert _COUNTS is not None
        here = (_COUNTS["geo_code"] == code).to_numpy(dtype=bool, na_value=False)
        groups = _COUNTS.loc[here, "conflict_group"].dropna().unique().tolist()
        mask = here | _COUNTS["conflict_group"].isin(groups).to_numpy(dtype=bool, na_value=False)
        rows = _COUNTS[mask]
        if len(_PLACE_ROWS) >= 8:
            _PLACE_ROWS.pop(next(iter(_PLACE_ROWS)))
        _PLACE_ROWS[code] = rows
    return rows


def _export_job(job: tuple[Any, tuple[str, ...], tuple[str, ...], str]) -> tuple[list[str], float]:
    """Export one chart; returns the files written and the CPU seconds it took this worker."""
    import time

    from ..charts import export

    cpu = time.process_time()
    spec, presets, formats, out = job
    counts = None
    if spec.kind == "place":
        counts = _place_rows(dict(spec.params)["geo_code"])
    elif spec.uses_counts:
        counts = _COUNTS
    res = export(spec, counts, presets=presets, formats=formats, out_dir=out)
    files = [str(p) for r in res for p in r.paths]
    if spec.kind == "place" and "svg" in formats:  # the copy the page shows, made here: both cores
        view = Path(out) / f"{spec.name}.view.svg"
        _view_svg(Path(out) / f"{spec.name}.web.svg", view)
    return files, time.process_time() - cpu


#: Where a site keeps the input key of each place chart (name -> sha256), to reuse unchanged charts.
KEYS_FILE = "places/files/build-keys.json"
#: The key name of the standard charts in :data:`KEYS_FILE` (one key for all: :func:`standard_chart_key`).
STANDARD_KEY = "standard-charts"


def _code_hash(processed: Path) -> Any:
    """sha256 of what every place chart is drawn with: :func:`~..charts.keys.code_hash` (package source
    and versions), the place presets and formats, ``citations.csv``."""
    from ..charts.keys import code_hash

    base = code_hash(f"{PLACE_PRESETS} {PLACE_FORMATS}")
    base.update((processed / "citations.csv").read_bytes())
    return base


def place_chart_keys(counts: pd.DataFrame, codes: Iterable[str], processed: Path) -> dict[str, str]:
    """The input key (sha256) of each place chart ``place-CODE-METRIC`` of ``codes``.

    A key covers everything the chart is drawn from: the place's whole-year ``total`` rows of the metric,
    every row of the conflict groups they belong to (named in footnotes), ``citations.csv``, the package's
    source and the package and matplotlib versions. Rows enter as pandas' row hashes (every column, in
    ``figure_id`` order), one vectorised pass over the table. Equal keys draw equal files, so a rebuild
    copies them from the previous site instead.
    """
    import pandas as pd

    base = _code_hash(processed)
    order = counts.sort_values(["dataset", "figure_id"], kind="stable")
    row_hash = pd.util.hash_pandas_object(order, index=False).to_numpy()
    mask = (
        order["year"].notna() & (order["breakdown"] == "total") & order["geo_code"].isin(list(codes))
    ).to_numpy(dtype=bool, na_value=False)
    group = order["conflict_group"].astype("object").where(order["conflict_group"].notna(), None).tolist()
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(group):
        if g is not None:
            by_group.setdefault(g, []).append(i)
    keys = {}
    chosen = order[mask]
    positions = mask.nonzero()[0]
    codes_ = chosen["geo_code"].astype("str").tolist()
    metrics = chosen["metric"].astype("str").tolist()
    charts: dict[str, list[int]] = {}
    for pos, code, metric in zip(positions, codes_, metrics, strict=True):
        charts.setdefault(f"place-{code}-{metric}", []).append(int(pos))
    for name in sorted(charts):
        h = base.copy()
        own = charts[name]
        h.update(row_hash[own].tobytes())
        groups = sorted({group[i] for i in own if group[i] is not None})
        if groups:
            h.update(row_hash[sorted({i for g in groups for i in by_group[g]})].tobytes())
        keys[name] = h.hexdigest()
    return keys


def _job_files(job: tuple[Any, tuple[str, ...], tuple[str, ...], str]) -> list[str]:
    """The file names an export job writes (and the page copy of a place chart's SVG)."""
    name = job[0].name
    files = [f"{name}.{p}.{e}" for p in job[1] for e in [*job[2], "csv", "txt"]]
    if job[0].kind == "place" and "svg" in job[2]:
        files.append(f"{name}.view.svg")
    return files


def _reuse(
    jobs: list[Any], keys: dict[str, str], old_site: Path | None, tmp: Path, charts_from: Path | None = None
) -> tuple[list[Any], int]:
    """Copy into ``tmp`` the files of charts whose key equals the previous site's (hard links where
    possible), or for standard charts the key recorded in ``charts_from`` (an export folder of the
    ``charts`` command); returns the jobs left to draw and the number of files reused."""
    import json

    from ..charts.keys import read_keys

    old: dict[str, str] = {}
    if old_site is not None:
        try:
            old = json.loads((old_site / KEYS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
    exported = read_keys(charts_from) if charts_from is not None else {}
    left, reused = [], 0
    for job in jobs:
        name, sub = job[0].name, Path(job[3]).relative_to(tmp)
        place = job[0].kind == "place"
        key = keys.get(name if place else STANDARD_KEY)
        files = _job_files(job)
        src_dir = None
        if (
            key is not None
            and old_site is not None
            and old.get(name if place else STANDARD_KEY) == key
            and all((old_site / sub / f).is_file() for f in files)
        ):
            src_dir = old_site / sub
        elif (
            key is not None
            and not place
            and charts_from is not None
            and all(exported.get(f) == key and (charts_from / f).is_file() for f in files)
        ):
            src_dir = charts_from
        if src_dir is None:
            left.append(job)
            continue
        for f in files:
            try:
                os.link(src_dir / f, tmp / sub / f)
            except OSError:
                shutil.copyfile(src_dir / f, tmp / sub / f)
        reused += len(files) - (1 if f"{name}.view.svg" in files else 0)
    return left, reused


def single_figure_charts(counts: pd.DataFrame, codes: Iterable[str]) -> set[str]:
    """Names of the place charts of ``codes`` that would draw a single figure (one reporter, one year)
    on a page that has charts of more: the page says that figure in a sentence and a table instead of a
    chart of one point. A place whose every metric has one figure keeps its charts (one point each, with
    its value), so that every place page has images to download."""
    mask = (
        counts["year"].notna() & (counts["breakdown"] == "total") & counts["geo_code"].isin(list(codes))
    ).to_numpy(dtype=bool, na_value=False)
    rows = counts.loc[mask, ["geo_code", "metric", "dataset", "reporter", "year"]].astype("str")
    n = rows.drop_duplicates().groupby(["geo_code", "metric"]).size()
    charted = {code for (code, _metric), k in n.items() if k > 1}
    return {f"place-{code}-{metric}" for (code, metric), k in n.items() if k == 1 and code in charted}


def chart_jobs(
    places: Sequence[Any],
    out: Path,
    presets: Sequence[str] | None = None,
    single: Iterable[str] = (),
) -> list[tuple[Any, tuple[str, ...], tuple[str, ...], str]]:
    """Export jobs of a site: every standard chart at each of ``presets`` (default all; ``web`` always)
    in every format, and each place's metrics at :data:`PLACE_PRESETS` x :data:`PLACE_FORMATS` (one job
    per chart and preset, largest first, so that the workers finish together). Place charts named in
    ``single`` (a metric with one figure: the page says it in words) get their CSV and text only."""
    from ..charts import FORMATS, PRESETS, STANDARD_CHARTS
    from ..charts.catalog import place_spec

    single = set(single)
    chosen = list(dict.fromkeys(["web", *(presets if presets is not None else PRESETS)]))
    jobs = [
        (STANDARD_CHARTS[n], (p,), tuple(FORMATS), str(out / "charts" / "files"))
        for n in STANDARD_CHARTS
        for p in chosen
    ]
    jobs.sort(key=lambda j: -PRESETS[j[1][0]].width_px * PRESETS[j[1][0]].height_px)
    for pl in places:
        for m in pl.metrics:
            spec = place_spec(pl.code, m)
            formats = () if spec.name in single else PLACE_FORMATS
            jobs.append((spec, PLACE_PRESETS, formats, str(out / "places" / "files")))
    return jobs


def run_jobs(
    jobs: list[Any],
    processed: str | None,
    workers: int | None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[int, float, int]:
    """Run export jobs on ``workers`` processes (default: every core), each reading the table and setting
    matplotlib up once and taking jobs in chunks; ``meanwhile`` runs in this process while they draw.
    Returns the number of files written, the CPU seconds the drawing took (all workers) and the number
    of workers."""
    n = workers or os.cpu_count() or 1
    if n <= 1 or len(jobs) < 2:
        if meanwhile:
            meanwhile()
        if not jobs:
            return 0, 0.0, 0
        _init_worker(processed)
        done = [_export_job(j) for j in jobs]
        return sum(len(f) for f, _ in done), sum(c for _, c in done), 1
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    if ctx.get_start_method() == "forkserver":
        # the server imports these once and forks every worker from itself: the workers skip ~3 s of
        # imports each (matplotlib, pandas, the chart code, scipy.stats for the trend verdicts)
        ctx.set_forkserver_preload(list(WORKER_PRELOAD))
    chunk = max(1, min(8, len(jobs) // (4 * n)))
    with ProcessPoolExecutor(n, mp_context=ctx, initializer=_init_worker, initargs=(processed,)) as pool:
        drawn = pool.map(_export_job, jobs, chunksize=chunk)  # submits every chunk now
        if meanwhile:
            meanwhile()
        done = list(drawn)
    return sum(len(f) for f, _ in done), sum(c for _, c in done), n


# ----------------------------------------------------------------------------------------- page models


def _read_txt(path: Path) -> dict[str, Any]:
    """Title, subtitle, description and notes of a chart's text sidecar (``export._txt``'s layout)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    sections: dict[str, list[str]] = {}
    current = ""
    for line in lines[2:]:
        if line in ("Description", "Sources", "Notes"):
            current = line
            sections[current] = []
        elif line.startswith("Preset: "):
            current = ""
        elif current:
            sections[current].append(line)
    description = " ".join(s.strip() for s in sections.get("Description", []) if s.strip())
    notes = [s[2:] for s in sections.get("Notes", []) if s.startswith("- ")]
    return {"title": lines[0], "subtitle": lines[1], "description": description, "notes": notes}


def _figure_words(r: dict[str, str]) -> str:
    from ..charts.labels import qualified

    def num(s: str) -> object:
        return None if s == "" else float(s)

    if not r["qualifier"] or (r["value"] == "" and r["qualifier"] != "suppressed"):
        return "no figure"
    if r["qualifier"] == "suppressed":
        return f"withheld (0 to {r['value_high'] or '4'})"
    return qualified(r["qualifier"], num(r["value"]), num(r["value_low"]), num(r["value_high"]))[1]


def _read_csv(path: Path) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The rows of a sidecar CSV (with a ``figure`` in words) and its sources with their quotes."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sources: dict[str, dict[str, Any]] = {}
    for r in rows:
        r["figure"] = _figure_words(r)
        s = sources.setdefault(
            r["citation"],
            {
                "key": r["citation"],
                "publisher": r["citation_publisher"],
                "title": r["citation_title"],
                "published": r["citation_published"],
                "url": r["citation_url"],
                "quotes": [],
            },
        )
        q = r["quote"].lstrip("'")
        if q and q not in s["quotes"] and len(s["quotes"]) < 4:
            s["quotes"].append(q)
    return rows, list(sources.values())


_DECIMALS = re.compile(r"(\d\.\d)\d+")
_GEOMETRY = re.compile(r'\b(d|x|y|x1|x2|y1|y2|transform|points)="[^"]*"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def _view_svg(src: Path, dst: Path) -> None:
    """The copy of an exported SVG a page shows: coordinates to a tenth of a point (at most 0.05 pt off, a
    fifteenth of a pixel on a 960 px chart) and no RDF metadata (the ``<title>`` and ``<desc>`` stay);
    about a fifth lighter. Downloads are the exported file, unchanged."""
    text = src.read_text(encoding="utf-8")
    text = _METADATA.sub("", text, count=1)
    text = _GEOMETRY.sub(lambda m: _DECIMALS.sub(r"\1", m.group(0)), text)  # attributes only, never text
    dst.write_text(text, encoding="utf-8")


_VIEW = re.compile(r'<view id="panel" viewBox="[\d.]+ [\d.]+ ([\d.]+) ([\d.]+)"')
#: Marker of the n-th series of a place chart (``charts.place``'s markers: o s ^ D v P) as an SVG shape in
#: a 12 x 12 box, for the legend a phone shows above the panel.
_MARKER_SHAPES = (
    '<circle cx="6" cy="6" r="5"/>',
    '<rect x="1.5" y="1.5" width="9" height="9"/>',
    '<path d="M6 1 11 11H1Z"/>',
    '<path d="M6 0 12 6 6 12 0 6Z"/>',
    '<path d="M6 11 11 1H1Z"/>',
    '<path d="M4 0h4v4h4v4H8v4H4V8H0V4h4Z"/>',
)


def _phone_view(svg: Path) -> dict[str, Any] | None:
    """The phone view of a place chart: the SVG's ``panel`` view (the panel and its axes, without the
    title, notes and legend, which the page prints as text) and its size in points; None without one."""
    with svg.open(encoding="utf-8") as fh:
        head = fh.read(4096)
    m = _VIEW.search(head)
    if not m:
        return None
    return {"src": f"files/{svg.name}#panel", "width": round(float(m[1])), "height": round(float(m[2]))}


def _legend(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The series of a place chart with several reporters, in drawing order, with their colour and
    marker (``charts.place`` gives the n-th series the n-th of each); [] for one series."""
    from ..charts.style import SERIES_COLORS

    names = list(dict.fromkeys(r["series"] for r in rows))
    if len(names) < 2:
        return []
    return [
        {"name": n, "color": SERIES_COLORS[i % len(SERIES_COLORS)], "shape": _MARKER_SHAPES[i % 6]}
        for i, n in enumerate(names)
    ]


def _dedupe_caveats(charts: list[dict[str, Any]]) -> None:
    """On a page of several charts, a long caveat repeated for several charts is printed once; the later
    charts point to it (``caveat_refs``)."""
    first: dict[str, dict[str, Any]] = {}
    for c in charts:
        keep, refs = [], []
        for n in c["caveats"]:
            if len(n) > 160 and n in first:
                refs.append(first[n])
            else:
                first.setdefault(n, c)
                keep.append(n)
        c["caveats"] = keep
        c["caveat_refs"] = list({id(r): r for r in refs}.values())


def _takeaway(description: str, limit: int = 150) -> str:
    """The first sentence of a description without "This chart shows", cut at a word within ``limit``."""
    first = description.removeprefix("This chart shows ").split(". ")[0].rstrip(".")
    first = first[:1].upper() + first[1:]
    if len(first) <= limit:
        return first + "."
    return first[: first.rfind(" ", 0, limit)].rstrip(",;:") + " …"


def _chart_model(files: Path, name: str, preset: str = "web") -> dict[str, Any]:
    txt = _read_txt(files / f"{name}.{preset}.txt")
    rows, sources = _read_csv(files / f"{name}.{preset}.csv")
    conflicts = [n for n in txt["notes"] if n[:1] in "¹²³⁴⁵⁶⁷⁸⁹"]
    caveats = [n for n in txt["notes"] if n not in conflicts]
    title = txt["title"]
    return {
        "name": name,
        "title": title,
        "subtitle": txt["subtitle"],
        "alt": f"Chart: {title}. {txt['subtitle']}",
        "description": txt["description"],
        "conflicts": conflicts,
        "caveats": caveats,
        "rows": rows,
        "sources": sources,
        "takeaway": _takeaway(txt["description"]),
    }


# ------------------------------------------------------------------------------------------ the build


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env


def _thumbnail(src: Path, dst: Path) -> None:
    from PIL import Image

    with Image.open(src) as im:
        h = round(im.height * THUMB_WIDTH / im.width)
        small = im.convert("RGB").resize((THUMB_WIDTH, h), Image.LANCZOS)
        small.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)


def _citation(model: dict[str, Any], url_hint: str) -> str:
    srcs = "; ".join(
        f"{s['publisher']}{', ' + s['published'] if s['published'] else ''}: {s['title']}"
        for s in model["sources"]
    )
    return (
        f"trafficking-stats {__version__}, chart \u201c{model['title']}\u201d ({url_hint}), "
        f"drawing on {srcs}."
    )


def build_site(
    out_dir: str | Path = "site",
    *,
    processed: str | Path | None = None,
    place_codes: Iterable[str] | None = None,
    notebooks: str | Path | None = "notebooks",
    workers: int | None = None,
    presets: Sequence[str] | None = None,
    reuse: bool = True,
    charts_from: str | Path | None = None,
) -> SiteResult:
    """Write the site into ``out_dir`` (replaced as a whole: it is an output, never edited by hand).

    ``place_codes`` limits the place pages (default: every place); ``notebooks`` is the folder whose
    ``NN-*.ipynb`` become report pages (None: no reports); ``workers`` the number of drawing processes
    (default: every core); ``presets`` the standard charts' download sizes (default: every preset; tests
    build fewer). ``reuse``: copy the place charts whose inputs are unchanged (:func:`place_chart_keys`)
    from the site already in ``out_dir`` instead of drawing them again, and the standard charts' files
    from ``charts_from`` (a folder ``trafficking-stats charts`` exported to, such as ``exports/`` in
    ``make run``) where it recorded the current key (:mod:`~..charts.keys`). Raises ValueError for an unknown
    place code or preset.
    """
    from ..build import read_counts
    from ..charts import FORMATS, PRESETS, STANDARD_CHARTS
    from ..places import places as all_places
    from .columns import COLUMN_DOCS

    out = Path(out_dir)
    charts_from = Path(charts_from) if charts_from is not None else None
    if out.exists() and not (out / "index.html").exists() and any(out.iterdir()):
        raise ValueError(f"{out} exists and is not a site built by trafficking-stats: refusing to replace it")
    counts = read_counts(processed) if processed else read_counts()
    found = all_places(counts)
    chosen = found
    if place_codes is not None:
        wanted = list(place_codes)
        by_code = {p.code: p for p in found}
        unknown = [c for c in wanted if c not in by_code]
        if unknown:
            raise ValueError(f"unknown place code(s): {', '.join(unknown)}")
        chosen = [by_code[c] for c in wanted]

    sizes = list(dict.fromkeys(["web", *(presets if presets is not None else PRESETS)]))
    for p in sizes:
        if p not in PRESETS:
            raise ValueError(f"unknown preset {p!r}; known presets: {', '.join(PRESETS)}")
    tmp = out.with_name(out.name + ".tmp-build")
    if tmp.exists():
        shutil.rmtree(tmp)
    for sub in ("charts/files", "places/files", "reports", "assets"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    result = SiteResult(out)
    from .. import paths

    pdir = Path(processed) if processed else paths.processed_dir()
    single = single_figure_charts(counts, [p.code for p in chosen])
    jobs = chart_jobs(chosen, tmp, sizes, single)
    keys = place_chart_keys(counts, [p.code for p in chosen], pdir)
    from ..charts.keys import standard_chart_key

    keys[STANDARD_KEY] = standard_chart_key(pdir)
    reused = 0
    if reuse and (out.is_dir() or charts_from is not None):
        jobs, reused = _reuse(jobs, keys, out if out.is_dir() else None, tmp, charts_from)
    env = _env()
    reports: list[dict[str, Any]] = []

    def render_reports() -> None:  # while the workers draw: the main process is idle otherwise
        if notebooks:
            reports.extend(_reports(Path(notebooks), tmp / "reports", env))

    import time

    t0 = time.perf_counter()
    drawn, result.draw_cpu, result.workers = run_jobs(
        jobs, str(processed) if processed else None, workers, render_reports
    )
    result.draw_wall = time.perf_counter() - t0
    result.files = reused + drawn
    result.reused = reused
    import json

    (tmp / KEYS_FILE).write_text(json.dumps(keys, indent=0, sort_keys=True) + "\n", encoding="utf-8")

    for f in (_HERE / "static").iterdir():
        shutil.copyfile(f, tmp / "assets" / f.name)

    def page(rel: str, template: str, **ctx: Any) -> None:
        depth = rel.count("/")
        html = env.get_template(template).render(root="../" * depth, version=__version__, **ctx)
        (tmp / rel).write_text(html, encoding="utf-8")
        result.pages.append(rel)

    if notebooks and not reports:
        result.skipped_reports = f"no notebooks rendered from {notebooks}"

    cfiles = tmp / "charts" / "files"
    charts = []
    for name in STANDARD_CHARTS:
        m = _chart_model(cfiles, name)
        _view_svg(cfiles / f"{name}.web.svg", cfiles / f"{name}.view.svg")
        m["phone_svg"] = ""
        if (
            PHONE_PRESET in sizes
        ):  # phones get the layout drawn for a phone-sized square, not a shrunk web page
            _view_svg(cfiles / f"{name}.{PHONE_PRESET}.svg", cfiles / f"{name}.phone.view.svg")
            m["phone_svg"] = f"files/{name}.phone.view.svg"
        _thumbnail(cfiles / f"{name}.web.png", cfiles / f"{name}.thumb.png")
        m["downloads"] = [
            {
                "preset": PRESETS[p],
                "files": [(f.upper(), f"files/{name}.{p}.{f}") for f in FORMATS],
                "csv": f"files/{name}.{p}.csv",
                "txt": f"files/{name}.{p}.txt",
            }
            for p in sizes
        ]
        m["citation"] = _citation(m, f"charts/{name}.html")
        charts.append(m)
    groups: dict[str, list[Any]] = {}
    for pl in found:
        groups.setdefault(pl.group, []).append(pl)
    built = {pl.code for pl in chosen}
    nav = {"reports": reports}
    page("index.html", "index.html.j2", charts=charts, groups=groups, built=built, nav=nav, title="Charts")
    page("about.html", "about.html.j2", columns=COLUMN_DOCS, nav=nav, title="About the data")
    for i, m in enumerate(charts):
        prev = charts[i - 1] if i else None
        nxt = charts[i + 1] if i + 1 < len(charts) else None
        page(
            f"charts/{m['name']}.html",
            "chart.html.j2",
            chart=m,
            prev=prev,
            next=nxt,
            nav=nav,
            title=m["title"],
        )
    pfiles = tmp / "places" / "files"
    for pl in chosen:
        metrics = []
        for metric in pl.metrics:
            name = f"place-{pl.code}-{metric}"
            m = _chart_model(pfiles, name)
            m["metric"] = metric
            m["downloads"] = [(f.upper(), f"files/{name}.web.{f}") for f in PLACE_FORMATS]
            m["csv"], m["txt"] = f"files/{name}.web.csv", f"files/{name}.web.txt"
            m["command"] = f"trafficking-stats chart --place {pl.code} --metric {metric} --out exports"
            m["single"] = name in single
            if m["single"]:  # one figure: said in words, no chart of one point (the command draws it)
                m["downloads"] = []
                m["statement"] = _takeaway(m["description"], limit=400)
            else:
                m["phone"] = _phone_view(pfiles / f"{name}.view.svg")
            m["legend"] = _legend(m["rows"])
            m["eager"] = not m["single"] and all(c["single"] for c in metrics)  # the first chart
            metrics.append(m)
        _dedupe_caveats(metrics)
        page(
            f"places/{pl.code}.html",
            "place.html.j2",
            place=pl,
            metrics=metrics,
            nav=nav,
            title=f"{pl.name}: charts",
        )
    for r in reports:
        page(f"reports/{r['slug']}.html", "report.html.j2", report=r, nav=nav, title=r["title"])

    # swap in: the previous site stays whole until the new one is complete
    old = out.with_name(out.name + ".old-build")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)
    return result


# ------------------------------------------------------------------------------------------- reports


def _reports(folder: Path, out: Path, env: Any) -> list[dict[str, Any]]:
    """Each ``NN-*.ipynb`` of ``folder`` as HTML (code hidden, images as files, no script); [] when
    nbconvert is not installed or there are no notebooks."""
    # nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed (a
    # dependency of jupyter-events): it compiles ~40 Lark grammars at import, 4 s of this process's CPU
    # while the workers draw, for IRI formats no notebook schema uses (python-jsonschema/jsonschema#1428).
    # Marked missing, jsonschema skips those two checkers, as it does where the package is not installed.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    try:
        import nbformat
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import ExtractOutputPreprocessor
    except ImportError:
        return []
    from PIL import Image

    reports = []
    for nb_path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        slug = nb_path.stem
        nb = nbformat.read(nb_path, as_version=4)
        exporter = HTMLExporter(
            template_file=str(_HERE / "templates" / "nbreport.html.j2"),
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        exporter.register_preprocessor(ExtractOutputPreprocessor(enabled=True), enabled=True)
        body, res = exporter.from_notebook_node(nb, resources={"output_files_dir": f"{slug}_files"})
        for name, data in res.get("outputs", {}).items():
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".png"):  # palette PNGs: a third of the bytes, same look for flat charts
                with Image.open(io.BytesIO(data)) as im:
                    im.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
                        target, optimize=True
                    )
            else:
                target.write_bytes(data)
        title = next(
            (
                line.lstrip("# ").strip()
                for c in nb.cells
                if c.cell_type == "markdown"
                for line in c.source.splitlines()
                if line.startswith("# ")
            ),
            slug,
        )
        body = body.replace("<pre>", '<pre tabindex="0">')  # scrollable text outputs reachable by keyboard
        # notebook tables (DataFrames) scroll inside a focusable region on a phone, not the whole page
        body = re.sub(
            r"(<table\b.*?</table>)",
            r'<div class="table-wrap" tabindex="0" role="region" aria-label="Table">\1</div>',
            body,
            flags=re.S,
        )
        reports.append({"slug": slug, "title": title, "body": body, "source": nb_path.name})
    return reports
