"""The autograding pipeline, run for real with nbgrader on every exercise notebook.

For each exercise: the source (with solutions) gets full marks, the generated student
version gets zero, a deliberately wrong answer to one question loses points on that
question but not on the others, and the student version leaks neither solutions nor
hidden tests. Submissions that raise or loop forever are graded, not fatal.
"""

from __future__ import annotations

import re
import runpy
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import grading  # noqa: E402

EXERCISES = grading.exercises()
WRONG_DIR = Path(__file__).parent / "wrong_answers"
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def answer_cells(nb) -> dict[str, int]:
    """grade_id -> cell index of every autograded answer cell."""
    return {
        c.metadata["nbgrader"]["grade_id"]: i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }


def grading_cells(nb) -> dict[str, float]:
    """grade_id -> points of every autograder test cell."""
    return {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")
    }


def question_tests(nb, answer_id: str) -> list[str]:
    """The test cells of one question: named test_<answer_id>_..."""
    return [gid for gid in grading_cells(nb) if gid.startswith(f"test_{answer_id}_")]


def submit(course: Path, student: str, assignment: str, nb) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def with_answer(nb, cell_index: int, source: str):
    copy = nbformat.from_dict(nb)
    copy.cells[cell_index].source = source
    return copy


class Graded:
    """One exercise released, submitted in several versions and autograded."""

    def __init__(self, course: Path, exercise: Path):
        self.course, self.name = course, exercise.stem
        self.source = nbformat.read(exercise, as_version=4)
        grading.release(course, [exercise])
        self.student_version = nbformat.read(course / "release" / self.name / exercise.name, as_version=4)
        wrong_file = WRONG_DIR / f"{self.name}.py"
        self.wrong = runpy.run_path(str(wrong_file))["WRONG"] if wrong_file.exists() else {}
        submit(course, "solution", self.name, self.source)
        submit(course, "stub", self.name, self.student_version)
        for answer_id, index in answer_cells(self.source).items():
            if answer_id in self.wrong:
                submit(course, f"wrong-{answer_id}", self.name, with_answer(self.source, index, self.wrong[answer_id]))
        grading.autograde(course, self.name)

    def score(self, student: str, grade_id: str | None = None) -> tuple[float, float]:
        with Gradebook(f"sqlite:///{self.course}/gradebook.db", course_id="regopt") as gb:
            if grade_id is None:
                nb = gb.find_submission_notebook(self.name, self.name, student)
                return nb.score, nb.max_score
            grade = gb.find_grade(grade_id, self.name, self.name, student)
            return grade.score, grade.max_score


# One xdist group per exercise, so `-n 2 --dist loadgroup` grades two exercises at a time
# and each exercise is released and autograded once.
@pytest.fixture(
    scope="module",
    params=[pytest.param(e, id=e.stem, marks=pytest.mark.xdist_group(e.stem)) for e in EXERCISES],
)
def graded(request, tmp_path_factory) -> Graded:
    return Graded(tmp_path_factory.mktemp("course"), request.param)


def test_there_are_exercises():
    assert EXERCISES, "no exercise notebooks found in exercises/"


def test_every_question_has_visible_and_hidden_tests(graded):
    answers = answer_cells(graded.source)
    assert len(answers) >= 2, "an exercise needs at least two autograded questions"
    owned = set()
    for answer_id in answers:
        tests = question_tests(graded.source, answer_id)
        owned.update(tests)
        sources = [c.source for c in graded.source.cells if c.metadata.get("nbgrader", {}).get("grade_id") in tests]
        assert any("### BEGIN HIDDEN TESTS" in s for s in sources), f"{answer_id} has no hidden tests"
        assert any(SOLUTION.sub("", s).replace("### BEGIN HIDDEN TESTS", "").strip() for s in sources)
    assert owned == set(grading_cells(graded.source)), "test cells must be named test_<answer_id>_..."


def test_solution_gets_full_marks(graded):
    score, max_score = graded.score("solution")
    assert max_score > 0 and score == max_score


def test_student_version_gets_zero(graded):
    score, max_score = graded.score("stub")
    assert max_score > 0 and score == 0


def test_each_wrong_answer_loses_points_on_its_question_only(graded):
    answers = answer_cells(graded.source)
    missing = set(answers) - set(graded.wrong)
    assert not missing, f"tests/wrong_answers/{graded.name}.py needs a wrong answer for {sorted(missing)}"
    full = graded.score("solution")[1]
    for answer_id in answers:
        student = f"wrong-{answer_id}"
        lost = [gid for gid in question_tests(graded.source, answer_id) if graded.score(student, gid)[0] < graded.score(student, gid)[1]]
        assert lost, f"the wrong answer to {answer_id} lost no points"
        total, _ = graded.score(student)
        assert 0 < total < full, f"a wrong {answer_id} should give partial marks, got {total} of {full}"
        for other in set(answers) - {answer_id}:
            for gid in question_tests(graded.source, other):
                score, max_score = graded.score(student, gid)
                assert score == max_score, f"a wrong {answer_id} cost points on {gid}"


def test_student_version_has_no_solutions_or_hidden_tests(graded):
    text = "\n".join(c.source for c in graded.student_version.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    for cell in graded.source.cells:
        for block in SOLUTION.findall(cell.source) + re.findall(
            r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.S
        ):
            for line in block.strip().splitlines():
                if len(line.strip()) > 12:  # skip trivial lines such as `return grad`
                    assert line.strip() not in text, f"leaked into the student version: {line.strip()}"


@pytest.mark.xdist_group("failing-submissions")
def test_raising_and_endless_submissions_are_graded_not_fatal(tmp_path):
    exercise = EXERCISES[0]
    name = exercise.stem
    grading.release(tmp_path, [exercise])
    source = nbformat.read(exercise, as_version=4)
    first_answer = next(iter(answer_cells(source).values()))
    submit(tmp_path, "raises", name, with_answer(source, first_answer, "raise RuntimeError('my code crashed')"))
    submit(tmp_path, "loops", name, with_answer(source, first_answer, "while True:\n    pass"))
    submit(tmp_path, "solution", name, source)
    grading.autograde(tmp_path, name, "--Execute.timeout=10")
    with Gradebook(f"sqlite:///{tmp_path}/gradebook.db", course_id="regopt") as gb:
        scores = {s: gb.find_submission_notebook(name, name, s) for s in ("raises", "loops", "solution")}
        full = scores["solution"].max_score
        assert scores["solution"].score == full
        for student in ("raises", "loops"):
            assert 0 < scores[student].score < full, (student, scores[student].score)
    shutil.rmtree(tmp_path / "autograded")
