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
