"""The built site in a real browser: Debian's chromium driven by Playwright, axe-core run in each page.

Skips (saying why) only where no browser can be had: Playwright not installed, or no chromium at
/usr/bin/chromium (``make setup`` installs it with apt-get when run as root). The pages are served over
HTTP from the site folder (any static host) and the index also opened from ``file://``. Screenshots of
the index, a chart page and a place page at 360x800 and 1440x900 go to .cache/screenshots/ (a test run
leaves the committed tree alone); ``make screenshots`` writes them to docs/screenshots/ for reviewers
(``TRAFFICKING_STATS_SCREENSHOTS=DIR``).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = {
    "index": "index.html",
    "chart": "charts/fresno-rescues-and-cases.html",
    "place": "places/US-TX.html",
    # a place chart with three reporters, scrolled to: the phone's panel view with its legend as text
    "place-chart": "places/US-TX.html#offenses_actual",
}
VIEWPORTS = {"phone": (360, 800), "desktop": (1440, 900)}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} missing (install it with `apt-get install -y chromium`)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(built_site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=built_site))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _watch(page: object) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"console": [], "failed": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["console"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} ({r.failure})"))
    page.on(
        "response", lambda r: seen["failed"].append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None
    )
    return seen


def test_every_page_loads_cleanly_fits_a_phone_and_passes_axe(browser, server, built_site):
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    assert len(pages) >= 15
    ctx = browser.new_context(viewport={"width": 360, "height": 800})
    problems: list[str] = []
    for rel in pages:
        page = ctx.new_page()
        seen = _watch(page)
        page.set_default_timeout(20_000)
        page.goto(server + rel, wait_until="load")
        # lazy images too: load them all, then wait until every image is complete
        page.evaluate(
            "() => document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
        )
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{rel}: scrolls sideways by {overflow} px at 360 px")
        no_alt = page.evaluate(
            "() => [...document.images].filter(i => !i.getAttribute('alt')).map(i => i.src)"
        )
        if no_alt:
            problems.append(f"{rel}: images without alt text: {no_alt}")
        broken = page.evaluate("() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
        if broken:
            problems.append(f"{rel}: images that do not load: {broken}")
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
            )
            problems += [f"{rel}: axe {v}" for v in result]
        problems += [f"{rel}: console error: {c}" for c in seen["console"]]
        problems += [f"{rel}: failed request: {f}" for f in seen["failed"]]
        page.close()
    ctx.close()
    assert not problems, "\n".join(problems)
    if not AXE.exists():
        pytest.skip(f"axe-core not installed at {AXE} (make setup installs it with npm): a11y not checked")


def test_a_phone_sees_the_place_charts_panel_in_readable_type(browser, built_site):
    """At 360 px the place page shows each chart's panel (``#panel`` view of its SVG), so its 10 pt tick
    labels are at least 12 px tall there (the whole 16:10 chart would show them at 9 px); a desktop gets
    the whole chart."""
    import re

    for (w, h), panel in (((360, 800), True), ((1440, 900), False)):
        ctx = browser.new_context(viewport={"width": w, "height": h})
        page = ctx.new_page()
        page.goto((built_site / "places" / "NGA.html").as_uri())
        img = page.locator("figure.chart img").first
        img.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('figure.chart img').complete")
        src, width = img.evaluate("i => [i.currentSrc, i.getBoundingClientRect().width]")
        assert src.endswith("#panel") == panel, src
        if panel:
            svg = (built_site / "places" / "files" / src.rsplit("/", 1)[1].split("#")[0]).read_text("utf-8")
            view_w = float(re.search(r'<view id="panel" viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg)[1])
            assert 10 * width / view_w >= 12, f"tick labels {10 * width / view_w:.1f} px on a phone"
        ctx.close()


def test_every_link_and_download_resolves(browser, server, built_site):
    ctx = browser.new_context()
    page = ctx.new_page()
    checked: set[str] = set()
    bad: list[str] = []
    for rel in ("index.html", "charts/us-offenses-trend.html", "places/US-TX.html", "places/GBR.html"):
        page.goto(server + rel)
        urls = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        for url in urls:
            url = url.split("#")[0]
            if not url.startswith(server) or url in checked:
                continue
            checked.add(url)
            r = ctx.request.head(url)
            if r.status != 200:
                bad.append(f"{rel}: {url} -> HTTP {r.status}")
    ctx.close()
    assert not bad, "\n".join(bad)
    assert sum("/files/" in u for u in checked) >= 40  # the download panels' files


def test_site_works_from_file_urls_and_the_finder_filters(browser, built_site):
    ctx = browser.new_context(viewport={"width": 360, "height": 800})
    page = ctx.new_page()
    seen = _watch(page)
    page.goto((built_site / "index.html").as_uri())
    page.fill("#place-filter", "texas")
    visible = page.evaluate(
        "() => [...document.querySelectorAll('.places li')].filter(l => !l.hidden)"
        ".map(l => l.textContent.trim())"
    )
    assert visible == ["Texas US-TX"]
    assert "1 place matches" in page.inner_text("#place-count")
    page.click("text=Texas")
    assert page.url.endswith("places/US-TX.html")
    assert page.locator("figure.chart img").first.evaluate("i => i.naturalWidth") > 0
    # keyboard: the skip link is the first stop and is visible when focused
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, document.activeElement.getBoundingClientRect().left]"
    )
    assert focused[0] == "Skip to content" and focused[1] >= 0
    assert not seen["console"] and not seen["failed"], seen
    ctx.close()


def test_screenshots(browser, server):
    import os

    out = Path(os.environ.get("TRAFFICKING_STATS_SCREENSHOTS", ROOT / ".cache" / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    for vname, (w, h) in VIEWPORTS.items():
        ctx = browser.new_context(viewport={"width": w, "height": h})
        page = ctx.new_page()
        for name, rel in SHOTS.items():
            page.goto(server + rel, wait_until="networkidle")
            page.wait_for_function(
                "() => [...document.images].filter(i => { const r = i.getBoundingClientRect();"
                " return r.bottom > 0 && r.top < innerHeight; }).every(i => i.complete && i.naturalWidth)"
            )
            path = out / f"{name}-{vname}-{w}x{h}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 5000
        ctx.close()
