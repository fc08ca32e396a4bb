"""The place chart, the ``chart`` and ``site`` commands, and the built site's files (no browser here; see
test_site_browser.py)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from trafficking_stats import read_counts
from trafficking_stats.places import place, places

#: Page weight limit (issue 17): a page with what it loads (CSS, scripts, images), without downloads.
PAGE_LIMIT = 300 * 1024


@pytest.fixture(scope="module")
def counts():
    return read_counts()


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------------------ places


def test_places_cover_every_glotip_country_every_fbi_state_and_the_uk(counts):
    found = {p.code: p for p in places(counts)}
    glotip = set(counts.loc[counts["dataset"] == "unodc_glotip", "geo_code"].astype("str"))
    fbi_states = set(
        counts.loc[
            counts["dataset"].astype("str").str.startswith("fbi") & (counts["geo_level"] == "state"),
            "geo_code",
        ].astype("str")
    )
    assert glotip <= set(found)
    assert fbi_states <= set(found)
    assert "GBR" in found and found["GBR"].name == "United Kingdom"
    assert len(fbi_states) >= 50  # the 50 states and DC
    assert len(found) >= 200  # the site has a page per place: at least 200 pages
    assert found["US-TX"].group == "US states"
    assert found["NGA"].group == "Africa"


def test_place_metrics_are_those_with_whole_place_yearly_figures(counts):
    nga = place(counts, "NGA")
    rows = counts[(counts["geo_code"] == "NGA") & counts["year"].notna()]
    total = set(rows.loc[rows["breakdown"] == "total", "metric"].astype("str"))
    assert set(nga.metrics) == total
    assert "victims_identified" in nga.metrics
    # a place whose figures are all breakdowns has no charted metric, and says which metrics it has
    irn = place(counts, "IRN")
    assert irn.metrics == () and irn.breakdown_only


def test_unknown_place_is_a_clear_error(counts):
    with pytest.raises(ValueError, match=r"no place 'NGR'.*Did you mean"):
        place(counts, "NGR")


# ------------------------------------------------------------------------------------- place chart


def test_place_chart_puts_reporters_side_by_side_never_summed(counts, tmp_path):
    from trafficking_stats.charts import export, place_spec

    res = export(
        place_spec("US-TX", "offenses_actual"), counts, presets=["web"], formats=["svg"], out_dir=tmp_path
    )
    rows = _rows(res[0].csv)
    t = counts[
        (counts["geo_code"] == "US-TX")
        & (counts["metric"] == "offenses_actual")
        & (counts["breakdown"] == "total")
        & counts["year"].notna()
    ]
    # every year: one figure per dataset, each drawn with its own published value; no row holds a sum
    for year, g in t.groupby("year"):
        drawn = {r["dataset"]: float(r["value"]) for r in rows if r["year"] == str(year)}
        assert drawn == {str(d): float(v) for d, v in zip(g["dataset"], g["value"], strict=True)}
    both = t[t["year"] == 2015]
    assert len(both) == 2  # the CDE download and the UCR master file
    assert float(both["value"].sum()) not in {float(r["value"]) for r in rows}
    assert len({r["series"] for r in rows}) == t["dataset"].nunique() == 3
    # every figure at its own year (issue 14): the two 2015 figures both sit on 2015, told apart by marker
    xs = [float(r["x"]) for r in rows if r["year"] == "2015"]
    assert xs == [2015.0, 2015.0]


def test_place_chart_keeps_withheld_cells_withheld_and_gaps_as_gaps(counts, tmp_path):
    from trafficking_stats.charts import export, place_spec

    res = export(place_spec("MEX", "convictions"), counts, presets=["web"], formats=["svg"], out_dir=tmp_path)
    rows = _rows(res[0].csv)
    t = counts[
        (counts["geo_code"] == "MEX")
        & (counts["metric"] == "convictions")
        & (counts["breakdown"] == "total")
        & counts["year"].notna()
    ]
    withheld = sorted(int(y) for y in t.loc[t["qualifier"] == "suppressed", "year"])
    assert withheld  # the publisher withheld some years (<5)
    drawn_withheld = sorted(int(r["year"]) for r in rows if r["qualifier"] == "suppressed")
    assert drawn_withheld == withheld
    assert all(
        r["value"] == "" and r["drawn_as"] == "suppressed cell (hatched band)"
        for r in rows
        if r["qualifier"] == "suppressed"
    )
    years = {int(y) for y in t["year"]}
    gaps = [y for y in range(min(years), max(years) + 1) if y not in years]
    assert gaps
    text = res[0].txt.read_text(encoding="utf-8")
    assert f"No data for {', '.join(map(str, gaps))}" in " ".join(text.split())


def test_place_chart_refuses_a_metric_the_place_lacks(counts):
    from trafficking_stats.charts import place_chart

    with pytest.raises(ValueError, match=r"metrics with such figures there: .*victims_identified"):
        place_chart(counts, "NGA", "hotline_cases")


def test_place_kind_is_registered():
    from trafficking_stats.charts import KINDS

    assert KINDS["place"].uses_counts


# -------------------------------------------------------------------------------------------- CLI


def test_chart_command_exports_a_place_in_the_given_preset_and_format(tmp_path):
    res = _cli(
        "chart", "--place", "NGA", "--metric", "victims_identified", "--preset", "social-square",
        "--format", "png", "--out", str(tmp_path),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    stem = "place-NGA-victims_identified.social-square"
    assert names == [f"{stem}.csv", f"{stem}.png", f"{stem}.txt"]
    from PIL import Image

    with Image.open(tmp_path / f"{stem}.png") as im:
        assert im.size == (1080, 1080)


def test_chart_command_errors_and_listing():
    bad = _cli("chart", "--place", "XXX")
    assert bad.returncode == 2 and "no place 'XXX'" in bad.stderr and "Traceback" not in bad.stderr
    wrong = _cli("chart", "--place", "NGA", "--metric", "hotline_cases")
    assert wrong.returncode == 2 and "its metrics: " in wrong.stderr
    listing = _cli("chart", "--list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert len(lines) >= 200
    assert any(line.startswith("US-TX\tTexas\tUS states\t") for line in lines)


def test_help_of_every_subcommand_has_examples_and_version_works():
    import trafficking_stats

    v = _cli("--version")
    assert v.returncode == 0 and trafficking_stats.__version__ in v.stdout
    for cmd in ("build", "load", "fetch", "sources", "validate", "mse", "charts", "chart", "site"):
        h = _cli(cmd, "--help")
        assert h.returncode == 0 and "example" in h.stdout, cmd
    h = _cli("chart", "--help")
    assert "web" in h.stdout and "print-a4" in h.stdout and "--list" in h.stdout


# ------------------------------------------------------------------------------------- built site


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.imgs: list[dict[str, str | None]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        for key in ("href", "src"):
            if a.get(key):
                self.links.append((tag, str(a[key])))
        for candidate in (a.get("srcset") or "").split(","):
            if candidate.strip():
                self.links.append((tag, candidate.split()[0]))
        if tag == "img":
            self.imgs.append(a)


def _parse(page: Path) -> _Links:
    p = _Links()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def _local(page: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or url.startswith("#"):
        return None
    return (page.parent / unquote(parts.path)).resolve()


def test_site_pages_links_and_weight(built_site):
    pages = sorted(built_site.rglob("*.html"))
    rel = {p.relative_to(built_site).as_posix() for p in pages}
    assert {"index.html", "about.html", "places/US-TX.html", "charts/us-offenses-trend.html"} <= rel
    assert {f"places/{c}.html" for c in ("NGA", "US-TX", "GBR", "MEX", "IRN", "USA")} <= rel
    notebooks = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sum(r.startswith("reports/") for r in rel) == len(notebooks) == 7
    for page in pages:
        parsed = _parse(page)
        assert parsed.html_lang == "en", page
        loaded: set[Path] = set()  # one file once: a <picture>'s phone view is the same SVG (#panel)
        for tag, url in parsed.links:
            if urlsplit(url).scheme in ("http", "https"):
                assert tag == "a", f"{page}: {tag} loads {url} from outside the site"
                continue
            target = _local(page, url)
            if target is None:
                continue
            assert target.is_file(), f"{page}: link {url} does not resolve"
            if tag in ("img", "source", "script", "link"):  # both a <picture>'s images: the upper bound
                loaded.add(target)
        assert all(img.get("alt") for img in parsed.imgs), page
        weight = page.stat().st_size + sum(t.stat().st_size for t in loaded)
        assert weight <= PAGE_LIMIT, f"{page.relative_to(built_site)}: {weight / 1024:.0f} KB"


def test_site_has_no_script_or_font_from_outside(built_site):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=\"https?:", html), page
        assert "cdn" not in html.lower() or "cdnjs" not in html.lower(), page
        assert "fonts.googleapis" not in html, page
    css = (built_site / "assets" / "site.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css


def test_chart_page_offers_every_built_preset_and_format_with_sidecars(built_site):
    page = built_site / "charts" / "us-offenses-trend.html"
    hrefs = {u for _, u in _parse(page).links}
    for preset in ("web", "social-square"):
        for ext in ("png", "svg", "pdf", "csv", "txt"):
            assert f"files/us-offenses-trend.{preset}.{ext}" in hrefs
    html = page.read_text(encoding="utf-8")
    assert "<table>" in html and '<th scope="col">' in html
    assert "pd.read_csv(" in html and "Cite this chart" in html


def _one_figure_metrics(counts, code: str) -> set[str]:
    """Metrics of ``code`` whose whole-year totals are one figure: one reporter, one year."""
    rows = counts[
        (counts["geo_code"] == code) & (counts["breakdown"] == "total") & counts["year"].notna()
    ].astype({"metric": "str", "dataset": "str", "reporter": "str", "year": "str"})
    n = rows[["metric", "dataset", "reporter", "year"]].drop_duplicates().groupby("metric").size()
    return set(n[n == 1].index)


def test_place_page_shows_each_metric_with_its_downloads_and_command(built_site, counts):
    tx = place(counts, "US-TX")
    single = _one_figure_metrics(counts, "US-TX")
    assert single and single < set(tx.metrics)  # Texas has both kinds
    html = (built_site / "places" / "US-TX.html").read_text(encoding="utf-8")
    for metric in tx.metrics:
        stem = f"files/place-US-TX-{metric}.web"
        for ext in ("csv", "txt") if metric in single else ("png", "svg", "csv", "txt"):
            assert f'href="{stem}.{ext}"' in html, (metric, ext)
            assert (built_site / "places" / f"{stem}.{ext}").is_file()
        assert f"trafficking-stats chart --place US-TX --metric {metric}" in html
    assert html.count('<figure class="chart">') == len(tx.metrics) - len(single)
    # a metric with one figure is said in words, with its table open, and no chart of one point is drawn
    assert html.count("One figure only, so no chart") == len(single)
    for metric in single:
        assert not (built_site / "places" / f"files/place-US-TX-{metric}.web.png").exists()
        figure = _rows(built_site / "places" / f"files/place-US-TX-{metric}.web.csv")
        assert len(figure) == 1
        assert f"in {figure[0]['year']}" in html
    assert html.count('<details class="data" open>') == len(single)
    # a place without whole-place figures gets a page that says so
    irn = (built_site / "places" / "IRN.html").read_text(encoding="utf-8")
    assert "no whole-place yearly figure" in irn


def test_a_place_with_one_figure_per_metric_still_has_charts_to_download(built_site, counts):
    """Benin: UNODC gives each of its metrics for one year only. Its page draws them (one point each) so
    that it has images to download like every other place page, and says there is no change to show."""
    ben = place(counts, "BEN")
    assert ben.metrics and _one_figure_metrics(counts, "BEN") == set(ben.metrics)
    html = (built_site / "places" / "BEN.html").read_text(encoding="utf-8")
    assert html.count('<figure class="chart">') == len(ben.metrics)
    assert "One figure only, so no chart" not in html
    for metric in ben.metrics:
        for ext in ("png", "svg", "csv", "txt"):
            assert (built_site / "places" / f"files/place-BEN-{metric}.web.{ext}").is_file(), (metric, ext)
        text = (built_site / "places" / f"files/place-BEN-{metric}.web.txt").read_text(encoding="utf-8")
        assert "one figure only" in text.lower() and "1 year" not in text and "–2017" not in text


def test_place_charts_offer_phones_their_panel(built_site):
    """Each place chart's SVG names its panel (``<view id="panel">``, inside the canvas, without the
    title); the page gives phones that view, with the series named in the page when there are several."""
    html = (built_site / "places" / "US-TX.html").read_text(encoding="utf-8")
    sources = re.findall(r'<source media="\(max-width: 37.5em\)" srcset="([^"#]+)#panel"', html)
    assert len(sources) == html.count('<figure class="chart">')
    for src in sources:
        svg = (built_site / "places" / src).read_text(encoding="utf-8")
        canvas = [float(v) for v in re.search(r'<svg[^>]*viewBox="([^"]+)"', svg)[1].split()]
        box = [float(v) for v in re.search(r'<view id="panel" viewBox="([^"]+)"', svg)[1].split()]
        assert box[0] >= 0 and box[0] + box[2] <= canvas[2] + 0.1 and box[1] + box[3] <= canvas[3] + 0.1
        assert box[1] > 20  # below the title
        assert box[2] < 0.85 * canvas[2]  # zoomed in: the text is larger on a phone than in the whole chart
    # US-TX's offenses come from three FBI reporters: the phone legend names each
    assert '<ul class="legend">' in html


def test_reports_hide_code_and_load_nothing_from_outside(built_site):
    html = (built_site / "reports" / "03-united-states.html").read_text(encoding="utf-8")
    assert "import trafficking_stats" not in html and "from trafficking_stats" not in html
    assert "require.js" not in html and "MathJax" not in html
    assert "<img" in html


def test_site_takes_the_standard_charts_from_an_export_folder_only_where_their_key_is_current(tmp_path):
    from trafficking_stats.charts import STANDARD_CHARTS
    from trafficking_stats.charts.keys import KEYS_NAME
    from trafficking_stats.site import build_site

    exports = tmp_path / "exports"
    assert _cli("charts", "--preset", "web", "--out", str(exports)).returncode == 0
    assert (exports / KEYS_NAME).is_file()
    res = build_site(
        tmp_path / "site", place_codes=["IRN"], notebooks=None, presets=["web"], charts_from=exports
    )
    assert res.reused == 5 * len(STANDARD_CHARTS) and res.files == res.reused
    name = next(iter(STANDARD_CHARTS))
    assert (tmp_path / "site/charts/files" / f"{name}.web.png").read_bytes() == (
        exports / f"{name}.web.png"
    ).read_bytes()
    # a key that is not the current one (other data or code): drawn again, not taken
    keys = (exports / KEYS_NAME).read_text(encoding="utf-8")
    (exports / KEYS_NAME).write_text(re.sub(r'": "[0-9a-f]+"', '": "0"', keys), encoding="utf-8")
    res = build_site(
        tmp_path / "site2", place_codes=["IRN"], notebooks=None, presets=["web"], charts_from=exports
    )
    assert res.reused == 0 and res.files == 5 * len(STANDARD_CHARTS)


def test_sidecar_columns_are_documented():
    from trafficking_stats.charts.export import CSV_COLUMNS
    from trafficking_stats.site.columns import COLUMN_DOCS

    assert tuple(COLUMN_DOCS) == CSV_COLUMNS
    design = (Path(__file__).resolve().parents[1] / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    for col in ("panel", "series", "x", "drawn_as"):
        assert f"`{col}`" in design


def test_place_chart_keys_change_with_the_charts_inputs_only(counts):
    from trafficking_stats import paths
    from trafficking_stats.site.build import place_chart_keys

    before = place_chart_keys(counts, ["NGA", "MEX"], paths.processed_dir())
    assert "place-NGA-convictions" in before and "place-MEX-victims_identified" in before
    changed = counts.copy()
    row = (
        (changed["geo_code"] == "NGA")
        & (changed["metric"] == "convictions")
        & (changed["breakdown"] == "total")
        & (changed["year"] == 2018)
    ).to_numpy(dtype=bool, na_value=False)
    assert row.sum() == 1
    changed.loc[row, "value"] = changed.loc[row, "value"] + 1
    after = place_chart_keys(changed, ["NGA", "MEX"], paths.processed_dir())
    assert after["place-NGA-convictions"] != before["place-NGA-convictions"]
    assert {k: v for k, v in after.items() if k != "place-NGA-convictions"} == {
        k: v for k, v in before.items() if k != "place-NGA-convictions"
    }


def test_a_rebuild_reuses_unchanged_place_charts_byte_for_byte(built_site, tmp_path):
    import shutil

    from trafficking_stats.site import build_site

    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    before = (site / "places" / "files" / "place-NGA-convictions.web.png").read_bytes()
    res = build_site(site, place_codes=["NGA"], notebooks=None, presets=["web"], workers=1)
    from trafficking_stats.charts import STANDARD_CHARTS

    # NGA's charts (png, svg, csv, txt) and the standard charts at the web preset (png, svg, pdf, csv, txt)
    assert res.reused == 4 * len(place(read_counts(), "NGA").metrics) + 5 * len(STANDARD_CHARTS)
    assert (site / "places" / "files" / "place-NGA-convictions.view.svg").is_file()
    assert (site / "places" / "files" / "place-NGA-convictions.web.png").read_bytes() == before
