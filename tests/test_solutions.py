"""make solutions: the solved exercises, run, and a page of answers per exercise (tools/solutions.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbval_forking  # noqa: E402
import solutions  # noqa: E402


def test_solutions_pages_show_every_answer_and_the_notebook_ran(tmp_path):
    exercise = ROOT / "exercises" / "05_momentum.ipynb"
    assert solutions.build(tmp_path, [exercise], jobs=1) == []
    executed = nbformat.read(tmp_path / "notebooks" / exercise.name, as_version=4)
    printed = "".join(out.get("text", "") for c in executed.cells if c.cell_type == "code" for out in c.outputs)
    assert printed.count("visible tests passed") == 4, printed
    page = (tmp_path / "05_momentum.html").read_text()
    source = nbformat.read(exercise, as_version=4)
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            assert f"<code>{meta['grade_id']}</code>" in page
    assert "BEGIN SOLUTION" not in page and "lr / (1 - beta)" in page
    assert "fastest with lr = 0.01: beta = 0.8" in page  # what the experiment's answer cell printed
    assert 'href="05_momentum.html"' in (tmp_path / "index.html").read_text()


def test_every_solution_explains_itself_in_a_comment():
    for exercise in sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(exercise, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                blocks = list(solutions.SOLUTION.finditer(cell.source))
                assert blocks and all(any(line.strip().startswith("#") for line in block.group(1).splitlines())
                                      for block in blocks), (
                    f"{exercise.name}: the solution of {cell.metadata['nbgrader']['grade_id']} needs a comment "
                    "saying why (make solutions shows it as the explanation)"
                )


def test_nbval_cells_ending_in_a_semicolon_lose_their_value_in_the_book_cache():
    assert nbval_forking.quiet("fig.suptitle('a');")
    assert nbval_forking.quiet("x = 1\nax.legend();  # hide the handle")
    assert not nbval_forking.quiet("x = 1\nx")
    assert not nbval_forking.quiet("print('a;')")
