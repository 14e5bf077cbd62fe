"""The repository's notebooks and configuration: clean, launchable, consistent."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
NOTEBOOKS = CHAPTERS + EXERCISES
NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def _toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def test_there_is_a_chapter_and_an_exercise():
    assert CHAPTERS and EXERCISES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"run `make strip` ({path.name})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_starts_with_the_colab_install_cell(path):
    first = nbformat.read(path, as_version=4).cells[0]
    url = CONFIG["repository"]["url"]
    assert first.cell_type == "code"
    assert 'if "google.colab" in sys.modules:' in first.source
    assert re.search(rf'%pip install .*"regopt @ git\+{re.escape(url)}"', first.source), first.source
    assert "remove-cell" in first.metadata.get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_named_by_chapter_number_and_slug(path):
    assert NAME.match(path.name)
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    toc = _toc_files()
    for chapter in CHAPTERS:
        assert f"chapters/{chapter.stem}" in toc, f"{chapter.name} is missing from _toc.yml"
    for entry in toc:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry


def test_every_chapter_has_its_exercise():
    assert {c.name for c in CHAPTERS} == {e.name for e in EXERCISES}


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_chapter_checks_its_claims_in_hidden_cells(path):
    nb = nbformat.read(path, as_version=4)
    hidden = [c for c in nb.cells if c.cell_type == "code" and "remove-cell" in c.metadata.get("tags", [])]
    assert any("assert" in c.source for c in hidden), "state no number in prose without a hidden assert"
    assert "import regopt" in "\n".join(c.source for c in nb.cells)


def test_requirements_pin_exact_versions_and_install_the_package():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert "-e ." in lines
    pins = dict(l.split("==") for l in lines if l != "-e .")
    assert all("=" not in l or "==" in l for l in lines)
    assert pins["torch"] == "2.13.0"
    assert pins["jupyter-book"].startswith("1.")
    for needed in ("jupyterlab", "numpy", "matplotlib", "nbval", "nbgrader", "scikit-learn", "tqdm", "pytest", "pytest-xdist"):
        assert needed in pins, needed


def test_binder_uses_the_pinned_versions():
    pins = dict(l.split("==") for l in (ROOT / "requirements.txt").read_text().splitlines() if "==" in l)
    binder = [l for l in (ROOT / "binder" / "requirements.txt").read_text().splitlines() if "==" in l]
    assert binder, "binder/requirements.txt pins nothing"
    for line in binder:
        name, version = line.split("==")
        assert pins.get(name) == version, f"binder pins {line}, requirements.txt has {pins.get(name)}"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()


def test_book_configuration():
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "cache" and execute["raise_on_error"] is True and execute["timeout"] > 0
    assert CONFIG["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert CONFIG["launch_buttons"]["colab_url"] and CONFIG["launch_buttons"]["binderhub_url"]
    assert CONFIG["bibtex_bibfiles"] == ["references.bib"]
    assert CONFIG["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]


# --- Notebooks read right outside the book (JupyterLab, Binder, Colab): issue 18 ----------
# Math macros: _config.yml is the one source of truth; tools/nbmacros.py copies them into a
# `remove-cell` markdown cell (cell 1) of every notebook for the notebook's own MathJax.
# Citations: Markdown links that read as text anywhere, which tools/site_fixes.py turns into
# sphinxcontrib-bibtex citations on the site.
import sys  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
import nbmacros  # noqa: E402
import site_fixes  # noqa: E402

MACROS = CONFIG["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
# Standard TeX/AMS commands the notebooks' math may use (all known to MathJax 3). Add one
# here only if it is standard LaTeX; a course macro goes into _config.yml instead.
STANDARD_TEX = set("""
Big Bigl Bigr big bigl bigr bigg biggl biggr left right middle
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi
ell varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
approx arg argmin argmax bar begin end bmod pmod boldsymbol mathbf mathbb mathcal mathrm mathit
mathsf mathtt operatorname text textbf textit cdot cdots ldots dots vdots ddots cos sin tan exp
log ln lim sup inf max min det tr diag frac tfrac dfrac sqrt sum prod int oint partial nabla infty
tanh sinh cosh sec csc cot arcsin arccos arctan liminf limsup Pr lg
ge geq le leq gg ll ne neq equiv sim simeq propto in notin subset subseteq cup cap setminus forall
exists mid parallel perp top intercal hat tilde vec dot ddot widehat widetilde overline underline
underbrace overbrace lfloor rfloor lceil rceil langle rangle lVert rVert lvert rvert vert Vert
mapsto to leftarrow rightarrow Leftarrow Rightarrow iff implies longrightarrow leftrightarrow
odot otimes oplus times div pm mp circ star ast bullet quad qquad label tag nonumber notag
displaystyle textstyle limits nolimits mathop stackrel overset underset substack
""".split())
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$|\\begin\{(\w+\*?)\}(.+?)\\end\{\3\}", re.S)


def _markdown(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_defines_every_macro_it_uses(path):
    cells = _markdown(path)
    nb = nbformat.read(path, as_version=4)
    fix = "run `.venv/bin/python tools/nbmacros.py` (it writes the macro cell from _config.yml)"
    assert nb.cells[1].source == nbmacros.macro_source(MACROS), f"{path.name}: cell 2 is not the macro cell: {fix}"
    assert "remove-cell" in nb.cells[1].metadata.get("tags", []), fix
    unknown = set()
    for cell in cells[1:] if cells and cells[0].source.startswith(nbmacros.MARKER) else cells:
        for formula in MATH.finditer(cell.source):
            unknown |= set(re.findall(r"\\([A-Za-z]+)", formula.group(0))) - set(MACROS) - STANDARD_TEX
    assert not unknown, (
        f"{path.name} uses {sorted(unknown)}, defined nowhere for JupyterLab/Colab: define a course macro "
        "in _config.yml (sphinx.config.mathjax3_config.tex.macros) and run tools/nbmacros.py, or write "
        "standard LaTeX (add a standard command to STANDARD_TEX in this test)"
    )


def test_macro_cell_is_what_nbmacros_writes():
    assert nbmacros.macro_source({"vx": "\\mathbf{x}", "norm": ["\\lVert #1 \\rVert", 1]}).endswith(
        "$\\newcommand{\\vx}{\\mathbf{x}}\n\\newcommand{\\norm}[1]{\\lVert #1 \\rVert}$"
    )


LABELS = nbmacros._bib_labels()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_cites_with_links_that_read_outside_the_book(path):
    write = "write ([Duchi et al., 2011](#cite-duchi2011adaptive)), or run tools/nbmacros.py to convert"
    for cell in _markdown(path):
        assert "{cite" not in cell.source, f"{path.name}: a {{cite}} role is raw text in JupyterLab/Colab: {write}"
        # Every citation link, on one line, is one the site turns into a citation.
        assert "#cite-" not in site_fixes.citations_to_roles(cell.source), f"{path.name}: {write}"
        for text, key in re.findall(r"\[([^\]\n]+)\]\(#cite-([^)\s]+)\)", cell.source):
            assert key in LABELS, f"{path.name}: {key} is not in references.bib"
            who, year = LABELS[key].rsplit(", ", 1)
            assert text in (LABELS[key], f"{who} ({year})"), (
                f"{path.name}: [{text}](#cite-{key}) should read [{LABELS[key]}] (or [{who} ({year})] outside parentheses)"
            )


def test_citation_links_become_citations_on_the_site():
    text = "AdaGrad ([Duchi et al., 2011](#cite-a)); ([A, 1](#cite-b); [B and C, 2](#cite-c)); [D (3)](#cite-d) says"
    assert site_fixes.citations_to_roles(text) == (
        "AdaGrad {cite:p}`a`; {cite:p}`b,c`; {cite:t}`d` says"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_chapter_shows_no_widget_progress_bar(path):
    # A tqdm.auto bar executed by the book build is a Jupyter widget: its page then loads
    # require.js and the widget manager from a CDN (offline: console errors, an empty box).
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            assert "tqdm" not in cell.source, f"{path.name}: a progress bar widget in the site"
            assert "progress=True" not in cell.source, f"{path.name}: a progress bar widget in the site"
