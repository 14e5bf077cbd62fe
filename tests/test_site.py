"""The built site (run after `make book`): every chapter page exists, shows its figures,
has working launch links, and left no notebook error or raw math behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/")


@pytest.fixture(scope="module", autouse=True)
def built():
    if not (HTML / "index.html").exists():
        pytest.fail("no site in _build/html: run `make book` first")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_page_has_figures_and_launch_links(chapter):
    page = (HTML / "chapters" / f"{chapter.stem}.html").read_text()
    # The theme's own images (launch-button logos) live in _static/; figures do not.
    sources = [s for s in re.findall(r'<img [^>]*src="([^"]+)"', page) if not s.startswith("../_static/")]
    assert sources, "the chapter page shows no figure"
    for src in sources:
        assert src.startswith("data:image/") or (HTML / "chapters" / src).resolve().exists(), src
    assert f"colab.research.google.com/github/{REPO}/blob/main/chapters/{chapter.name}" in page
    assert re.search(rf"mybinder\.org/v2/gh/{re.escape(REPO)}/main\?urlpath=lab/tree/chapters/{chapter.name}", page)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_page_hides_the_assertion_cells_and_shows_no_errors(chapter):
    page = (HTML / "chapters" / f"{chapter.stem}.html").read_text()
    assert "assert " not in page, "a remove-cell assertion leaked onto the page"
    assert "google.colab" not in page
    assert "Traceback (most recent call last)" not in page
    assert 'class="output traceback' not in page


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_markdown_outputs_render_their_tables_and_math(chapter):
    """A chapter's Markdown(...) results (tables of runs) are parsed as MyST, as its text is:
    a table becomes a <table>, not a paragraph of pipes, and $...$ becomes math."""
    page = (HTML / "chapters" / f"{chapter.stem}.html").read_text()
    outputs = re.findall(r'<div class="cell_output docutils container">(.*?)</div>\n</div>', page, re.S)
    for output in outputs:
        text = re.sub(r"<[^>]+>", "", output)
        assert not re.search(r"^\|.*\|\s*$", text, re.M), f"a Markdown table left as text: {text[:200]!r}"
        assert not re.search(r"\$[^$\n]*\\[a-zA-Z]+[^$\n]*\$", text), f"raw $...$ math in an output: {text[:200]!r}"


def test_front_page_tells_three_ways_to_use_the_course():
    page = (HTML / "intro.html").read_text()
    for phrase in ("Read it here", "Launch a chapter", "Run it on your machine"):
        assert phrase in page
