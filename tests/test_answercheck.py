"""tools/answercheck.py on a small notebook whose outcomes are known.

A wrong answer's child may stop early and take the solution's scores for the rest only
when nothing the rest reads differs; these cases would fail if it stopped too early
(a later question uses the wrong function; the wrong answer mutates a shared list) or
scored by another rule than nbgrader's.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import answercheck  # noqa: E402


def cell(source: str, grade_id: str | None = None, points: float | None = None):
    c = nbformat.v4.new_code_cell(source)
    if grade_id is not None:
        c.metadata["nbgrader"] = {"grade_id": grade_id, "solution": points is None,
                                  "grade": points is not None, "points": points or 0, "locked": points is not None}
    return c


NOTEBOOK = [
    cell("import random\nshared = [1, 2, 5]"),
    cell("def double(x):\n    return 2 * x", "double"),
    cell("assert double(2) == 4", "test_double_visible", 1),
    cell("assert double(-3) == -6", "test_double_hidden", 1),
    cell("def total(xs):\n    return sum(double(x) for x in xs)", "total"),
    cell("assert total(shared) == 16", "test_total_visible", 1),
    cell("value = random.random()", "draw"),
    cell("assert 0 <= value < 1\nlen(shared) / 6", "test_draw_partial", 1),  # partial credit 0.5
    cell("import sys\nprint('note', file=sys.stderr)", "test_draw_stderr", 1),  # stderr: 0, as nbgrader
    cell("assert len(shared) == 3", "test_draw_hidden", 1),
]
WRONG = {
    "double": "def double(x):\n    return x + 2",  # right at x = 2 only; total uses it
    # a side effect seen only later: one 0 appended to the shared list
    "double#2": "def double(x):\n    if len(shared) < 4:\n        shared.append(0)\n    return 2 * x",
    "total": "def total(xs):\n    return sum(xs)",
    "total#2": "def total(xs):\n    return sum(2 * x for x in xs)",  # right, other code: stops early
    "draw": "value = 1.5",
}


def run(path: str):
    return answercheck.check(Path(path), WRONG, timeout=10)


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb") / "toy.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=NOTEBOOK), path)
    with multiprocessing.get_context("fork").Pool(1) as pool:  # check() changes its process
        return pool.apply(run, (str(path),))


def lost(scores, key):
    return answercheck.lost(scores[key])


def test_solution_scores_as_nbgrader_would(scores):
    assert scores["solution"]["test_draw_partial"] == (0.5, 1.0)
    assert scores["solution"]["test_draw_stderr"] == (0.0, 1.0)
    assert lost(scores, "solution") == ["test_draw_partial", "test_draw_stderr"]


def test_a_wrong_function_used_later_fails_the_later_test(scores):
    assert lost(scores, "double") == ["test_double_hidden", "test_draw_partial", "test_draw_stderr",
                                       "test_total_visible"]


def test_a_side_effect_seen_later_is_not_skipped(scores):
    assert lost(scores, "double#2") == ["test_draw_hidden", "test_draw_partial", "test_draw_stderr"]
    assert scores["double#2"]["test_draw_partial"] == (pytest.approx(4 / 6), 1.0)


def test_answers_that_change_nothing_downstream_get_the_solutions_scores(scores):
    assert lost(scores, "total") == ["test_draw_partial", "test_draw_stderr", "test_total_visible"]
    assert scores["total#2"] == scores["solution"]
    assert lost(scores, "draw") == ["test_draw_partial", "test_draw_stderr"]
    assert scores["draw"]["test_draw_partial"] == (0.0, 1.0)
