"""The notebooks as a student opens them in JupyterLab (issue 18).

`jupyter lab` from this environment is started on localhost, on a temporary folder with a
copy of a chapter and the student version of an exercise (nbgrader's, as students get it).
Headless Chromium (the site test's, see tests/test_browser.py) opens each one, runs every
cell through the UI (Shift+Enter, one cell after the other, as a reader does) and saves it.
Then: no cell errored (in the student version only graded test cells fail, with the stubs'
NotImplementedError or an assert on a value answer left None), every formula was typeset by MathJax with no unknown macro (MathJax's noundefined
extension shows one as red text, not as an error), no raw ``{cite}`` role is left in the
rendered text, and every figure is shown. Screenshots go to ``_build/screenshots/lab/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from test_browser import browser  # noqa: F401: the site test's Chromium fixture, used here too

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import grading  # noqa: E402

SHOTS = ROOT / "_build" / "screenshots" / "lab"
# A chapter and an exercise that use the course's macros and citations, quick to run.
CHAPTER = ROOT / "chapters" / "06_adaptive.ipynb"
EXERCISE = ROOT / "exercises" / "12_norm_penalties.ipynb"
# Settings of a fresh user, except: every cell rendered (no virtual scrolling, so the test
# sees each formula), no autosave (the test saves), no news or update pop-ups.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}
CELL_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on localhost over a folder holding the two notebooks."""
    work = tmp_path_factory.mktemp("lab")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    shutil.copy(CHAPTER, notebooks / CHAPTER.name)
    course = work / "course"
    (name,) = grading.release(course, [EXERCISE])
    student = notebooks / f"student_{EXERCISE.name}"
    shutil.copy(course / "release" / name / EXERCISE.name, student)
    settings = work / "settings"
    for rel, value in SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(value))
    port = _free_port()
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(work / "config"),
        JUPYTER_RUNTIME_DIR=str(work / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"),
    )
    env.pop("MPLBACKEND", None)  # the kernel must use the inline backend, as a reader's does
    log = open(work / "lab.log", "w")
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.root_dir={notebooks}", "--IdentityProvider.token=", "--ServerApp.password=",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={work / 'workspaces'}",
        "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=None",
        # Containers and cloud machines often run as root: the lab must start there too.
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "api/status", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"jupyter lab did not start:\n{(work / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield {"url": url, "dir": notebooks, "student": student.name}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


# Rendered markdown, without code and typeset math: what a reader reads as text.
PROSE_JS = """() => [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(e => {
    const copy = e.cloneNode(true);
    copy.querySelectorAll('pre, code, mjx-container').forEach(x => x.remove());
    return copy.innerText; }).join('\\n')"""
# Formulas MathJax could not typeset (error nodes) or typeset with an unknown macro (red text).
MATH_JS = """() => {
    const md = [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')];
    const math = md.flatMap(e => [...e.querySelectorAll('mjx-container')]);
    const bad = math.filter(m => m.querySelector('mjx-merror, [data-mjx-error]')
        || [...m.querySelectorAll('*')].some(x => /red/.test(x.getAttribute('style') || '')
                                               || x.getAttribute('mathcolor') === 'red'));
    return [math.length, bad.map(m => (m.textContent || '').slice(0, 60))]; }"""


PROMPT_JS = "i => document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelector('.jp-InputPrompt').textContent"


def run_in_lab(lab, browser, name: str) -> dict:
    """Open a notebook in JupyterLab, run each cell with Shift+Enter, save; what it shows."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # A workspace of its own: the page shows this notebook alone.
    page.goto(f"{lab['url']}lab/workspaces/{Path(name).stem}/tree/{name}", wait_until="load")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # Wait for the kernel: the status reads "Idle" once it has started.
    page.wait_for_function(
        "() => !!document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')", timeout=60_000
    )
    page.wait_for_timeout(1000)
    nb = nbformat.read(lab["dir"] / name, as_version=4)
    cells = page.locator(".jp-Notebook .jp-Cell")
    assert cells.count() == len(nb.cells), (cells.count(), len(nb.cells))
    cells.nth(0).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")  # command mode on the first cell
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i, cell in enumerate(nb.cells):
        page.keyboard.press("Shift+Enter")
        if cell.cell_type == "code" and cell.source.strip():  # an empty cell gets no number
            # The cell's prompt shows a number once it has run ("[*]:" while it runs).
            # A key pressed while the kernel still connects is lost: press it again then.
            for _ in range(20):
                state = page.evaluate(PROMPT_JS, i)
                if "*" in state or re.search(r"\d", state):
                    break
                page.wait_for_timeout(500)
                if "*" not in page.evaluate(PROMPT_JS, i) and not re.search(r"\d", page.evaluate(PROMPT_JS, i)):
                    page.locator(".jp-Notebook .jp-Cell").nth(i).locator(".jp-InputPrompt").click()
                    page.keyboard.press("Escape")
                    page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_function(
                    "i => /\\[\\d+\\]/.test(document.querySelectorAll('.jp-Notebook .jp-Cell')[i]"
                    ".querySelector('.jp-InputPrompt').textContent)",
                    arg=i, timeout=CELL_TIMEOUT_MS,
                )
            except Exception:
                page.screenshot(path=str(SHOTS / f"{Path(name).stem}-stuck.png"))
                pytest.fail(f"{name}: cell {i} did not finish in JupyterLab within {CELL_TIMEOUT_MS // 1000} s (screenshot in {SHOTS})")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    page.wait_for_timeout(500)
    # MathJax typesets asynchronously: wait until no formula is left untypeset.
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-RenderedMarkdown')].some(e => /\\$[^$]*\\\\[A-Za-z]/"
        ".test([...e.childNodes].map(n => n.nodeName === 'MJX-CONTAINER' ? '' : n.textContent).join('')))",
        timeout=30_000,
    )
    page.screenshot(path=str(SHOTS / f"{Path(name).stem}.png"), full_page=True)
    shown = page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => i.complete && i.naturalWidth > 0)"
    )
    result = {
        "prose": page.evaluate(PROSE_JS),
        "math": page.evaluate(MATH_JS),
        "images": shown,
        "saved": nbformat.read(lab["dir"] / name, as_version=4),
    }
    page.close()
    return result


@pytest.fixture(scope="module")
def chapter(lab, browser):
    return run_in_lab(lab, browser, CHAPTER.name)


@pytest.fixture(scope="module")
def student(lab, browser):
    return run_in_lab(lab, browser, lab["student"])


def _errors(nb) -> list[str]:
    return [
        out.get("ename", "?")
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if out.output_type == "error"
    ]


def _image_outputs(nb) -> int:
    return sum(
        1 for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if any(k.startswith("image/") for k in out.get("data", {}))
    )


def _check_reads_right(result, name):
    found, bad = result["math"]
    assert found > 0, f"{name}: no formula typeset in JupyterLab"
    assert not bad, f"{name}: formulas with an error or an unknown macro (red) in JupyterLab: {bad}"
    raw = re.search(r"\{cite[:a-z]*\}|\\[A-Za-z]+|\$", result["prose"])
    assert raw is None, f"{name}: raw markup in the text JupyterLab shows: {result['prose'][max(raw.start() - 60, 0):raw.end() + 60]!r}"


def test_chapter_runs_in_jupyterlab_without_errors(chapter):
    assert not _errors(chapter["saved"]), _errors(chapter["saved"])
    code = [c for c in chapter["saved"].cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code if c.source.strip()), "a code cell did not run"


def test_chapter_reads_right_in_jupyterlab(chapter):
    _check_reads_right(chapter, CHAPTER.name)


def test_chapter_figures_are_shown_in_jupyterlab(chapter):
    made = _image_outputs(chapter["saved"])
    assert made > 0, "the chapter made no figure in JupyterLab"
    assert len(chapter["images"]) >= made and all(chapter["images"]), (made, chapter["images"])


def test_student_version_fails_only_on_its_stubs(student):
    errors = _errors(student["saved"])
    assert errors, "the student version ran without the stubs' NotImplementedError"
    assert "NotImplementedError" in errors, errors
    # A stub's NotImplementedError anywhere; an assert only in a graded test cell (on a value
    # answer still None); nothing else.
    for cell in student["saved"].cells:
        failed = [o.ename for o in cell.get("outputs", []) if o.output_type == "error"]
        if failed and set(failed) != {"NotImplementedError"}:
            assert cell.metadata.get("nbgrader", {}).get("grade"), f"a cell that is not a test cell failed: {failed}"
            assert set(failed) <= {"NotImplementedError", "AssertionError"}, failed


def test_student_version_reads_right_in_jupyterlab(student):
    _check_reads_right(student, EXERCISE.name)
