"""The built site as a reader's browser shows it (run after `make book`).

The site is served on localhost and every page is opened in headless Chromium, driven by
Playwright: no console errors, every formula typeset by MathJax, every image loaded,
every figure a chapter makes on its page, launch buttons that point at the page's own
notebook, internal links that resolve, and a search that finds a chapter. A screenshot of
each page is kept in `_build/screenshots/` for review.

Chromium: `$CHROMIUM`, else Debian's `chromium` on PATH, else Playwright's own browser
(`make browser` installs one of them). The test fails rather than skips without one.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CACHE = ROOT / "_build" / ".jupyter_cache"  # the executed notebooks the build rendered
SHOTS = ROOT / "_build" / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/")
PAGES = sorted(
    str(p.relative_to(HTML))
    for p in HTML.rglob("*.html")
    if not p.relative_to(HTML).parts[0].startswith("_") and p.name != "genindex.html"
)
CHAPTER_PAGES = [p for p in PAGES if p.startswith("chapters/")]
# Flags from the machine notes: no first-run work and no background connections, which a
# closed network refuses and would report as errors.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="\d+; url=([^"]+)"', re.I)
# Raw TeX that MathJax should have replaced: inline/display delimiters and common commands.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\frac|\\sum|\\mathbf|\\vtheta|\\grad|\\norm|\\E\b|\\R\b")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail("no site in _build/html: run `make book` first")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def chromium_path() -> str | None:
    """A system Chromium, or None to use Playwright's own browser."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        except Error as err:
            pytest.fail(f"no Chromium for the browser tests (run `make browser`): {err}")
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def visits(site, browser) -> dict[str, dict]:
    """Open every page once; record what the checks below need."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for path in PAGES:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        # Name the file behind a "Failed to load resource" message.
        page.on("response", lambda r, errors=errors: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
        response = page.goto(site + path, wait_until="load")
        # jupyter-book's index.html only redirects (<meta http-equiv="Refresh">): check the
        # page it sends the reader to, once that has loaded rather than while it loads.
        redirect = REDIRECT.search((HTML / path).read_text())
        if redirect:
            page.wait_for_url(urljoin(site + path, redirect.group(1)), wait_until="load")
        # MathJax loads asynchronously; wait until it has typeset the page.
        page.wait_for_function(
            "() => !document.querySelector('script[src*=\"mathjax\"]')"
            " || (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        )
        page.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        page.screenshot(path=str(SHOTS / (path.replace("/", "__").removesuffix(".html") + ".png")), full_page=True)
        results[path] = {
            "status": response.status,
            "url": page.url,
            "errors": errors,
            "text": page.evaluate(
                """() => {
                    const body = document.querySelector('main') || document.body;
                    const copy = body.cloneNode(true);
                    copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
                    return copy.innerText;
                }"""
            ),
            "math": page.evaluate(
                "() => [document.querySelectorAll('.math').length, document.querySelectorAll('.math mjx-container').length]"
            ),
            "images": page.evaluate(
                "() => [...document.images].map(i => [i.currentSrc.slice(0, 80), i.complete && i.naturalWidth > 0])"
            ),
            "output_images": page.evaluate("() => document.querySelectorAll('.cell_output img').length"),
            # Package source a chapter shows (IPython's Code, an HTML output) that the code
            # column cannot show whole: the longest line's start and the overflow in pixels.
            "wide_source": page.evaluate(
                """() => [...document.querySelectorAll('.cell_output .output.text_html pre')]
                        .filter(e => e.scrollWidth > e.clientWidth + 1)
                        .map(e => [e.innerText.split('\\n').reduce((a, b) => b.length > a.length ? b : a, '').slice(0, 60),
                                   e.scrollWidth - e.clientWidth])"""
            ),
            "links": page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"),
            "ids": page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"),
            "launch": page.evaluate(
                """() => [...document.querySelectorAll('a[href]')].map(a => a.href)
                        .filter(h => h.includes('colab.research.google.com') || h.includes('mybinder.org'))"""
            ),
            "first_screen": page.evaluate(
                """() => { const r = []; document.querySelectorAll('main p, main li, main h1, main h2').forEach(e => {
                        const b = e.getBoundingClientRect(); if (b.top < window.innerHeight) r.push(e.innerText); });
                        return r.join('\\n'); }"""
            ),
        }
        page.close()
    return results


def test_every_page_loads_without_console_errors(visits):
    for path, visit in visits.items():
        assert visit["status"] == 200, path
        assert not visit["errors"], f"{path}: {visit['errors']}"


def test_the_front_door_redirects_to_the_introduction(site, visits):
    assert visits["index.html"]["url"] == site + "intro.html"


def test_the_site_root_serves_a_favicon(site):
    # Asked for by pages that name no icon, such as the redirect page index.html; whether
    # the browser asks before the redirect is a matter of timing, so check it directly.
    with urllib.request.urlopen(site + "favicon.ico") as response:
        assert response.status == 200
        assert response.read(4) == b"\x00\x00\x01\x00"  # the ICO header


def test_mathjax_typeset_every_formula(visits):
    for path, visit in visits.items():
        found, typeset = visit["math"]
        assert typeset == found, f"{path}: {found - typeset} of {found} formulas not typeset"
        raw = RAW_TEX.search(visit["text"])
        assert raw is None, f"{path}: raw TeX left in the text near {visit['text'][max(raw.start() - 40, 0):raw.end() + 40]!r}"


def test_every_image_loads(visits):
    for path, visit in visits.items():
        broken = [src for src, ok in visit["images"] if not ok]
        assert not broken, f"{path}: images that did not load: {broken}"


def figures_made(notebook: Path) -> int:
    """How many figures (image outputs of cells the page shows) the build's run of a notebook made."""
    from jupyter_cache import get_cache

    _, executed = get_cache(str(CACHE)).merge_match_into_file(str(notebook))
    count = 0
    for cell in executed.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or {"remove-cell", "remove-output"} & set(tags):
            continue
        count += sum(1 for out in cell.get("outputs", []) if any(k.startswith("image/") for k in out.get("data", {})))
    return count


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_every_figure_a_chapter_makes_is_on_its_page(visits, path):
    made = figures_made(ROOT / path.replace(".html", ".ipynb"))
    assert made > 0, f"{path}: the chapter makes no figure"
    assert visits[path]["output_images"] >= made, (path, visits[path]["output_images"], made)


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_package_source_shown_on_a_page_fits_the_code_column(visits, path):
    # At the test's 1280-pixel viewport (page outline shown) the column shows 78
    # characters of code at the theme's 14 px monospace; the package is wrapped at 76.
    wide = visits[path]["wide_source"]
    assert not wide, f"{path}: source blocks that scroll sideways (longest line, overflow in px): {wide}"


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_launch_buttons_point_at_the_pages_own_notebook(visits, path):
    notebook = path.replace(".html", ".ipynb")
    launch = visits[path]["launch"]
    assert f"https://colab.research.google.com/github/{REPO}/blob/main/{notebook}" in launch, launch
    assert any(
        h.startswith(f"https://mybinder.org/v2/gh/{REPO}/main?urlpath=") and h.endswith(f"tree/{notebook}") for h in launch
    ), launch


def test_internal_links_resolve(site, visits):
    checked: dict[str, int] = {}
    for path, visit in visits.items():
        for href in visit["links"]:
            url, fragment = urldefrag(href)
            if urlparse(url).netloc != urlparse(site).netloc:
                continue
            if url not in checked:
                try:
                    checked[url] = urllib.request.urlopen(url).status
                except urllib.error.HTTPError as err:
                    checked[url] = err.code
            assert checked[url] == 200, f"{path} links to {href}: HTTP {checked[url]}"
            target = url.removeprefix(site) or "index.html"
            if fragment and target in visits:
                assert fragment in visits[target]["ids"], f"{path} links to a missing anchor: {href}"


def test_search_finds_a_chapter(site, browser):
    page = browser.new_page()
    page.goto(site + "search.html?q=Rosenbrock")
    page.wait_for_selector("#search-results li a", timeout=30_000)
    results = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
    page.close()
    assert any("chapters/05_momentum.html" in r for r in results), results


def test_front_page_shows_the_three_ways_in_the_first_screen(visits):
    first = visits["intro.html"]["first_screen"]
    for phrase in ("Read it here", "Launch a chapter", "Run it on your machine"):
        assert phrase in first, f"{phrase!r} is not in the first screenful of the front page"
