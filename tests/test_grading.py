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


def wrong_student(key: str) -> str:
    """The student id of the submission with the wrong answer ``key`` of tests/wrong_answers/."""
    return "wrong-" + key.replace("#", "-")


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
        cells = answer_cells(self.source)
        for key, wrong in self.wrong.items():  # "<grade_id>" and further ones "<grade_id>#2", ...
            if key.split("#")[0] in cells:
                submit(course, wrong_student(key), self.name, with_answer(self.source, cells[key.split("#")[0]], wrong))
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
    for key in graded.wrong:
        answer_id, student = key.split("#")[0], wrong_student(key)
        assert answer_id in answers, f"{key} in tests/wrong_answers/{graded.name}.py names no answer cell"
        lost = [gid for gid in question_tests(graded.source, answer_id) if graded.score(student, gid)[0] < graded.score(student, gid)[1]]
        assert lost, f"the wrong answer {key} lost no points"
        total, _ = graded.score(student)
        assert 0 < total < full, f"a wrong {key} should give partial marks, got {total} of {full}"
        for other in set(answers) - {answer_id}:
            for gid in question_tests(graded.source, other):
                score, max_score = graded.score(student, gid)
                assert score == max_score, f"a wrong {key} cost points on {gid}"


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


@pytest.mark.xdist_group("parallel-grading")
def test_parallel_grading_matches_serial_nbgrader(tmp_path):
    """Parallel grading with forked kernels gives the gradebook and grades.csv of plain `nbgrader autograde`."""
    exercise = next(e for e in EXERCISES if e.stem.startswith("17_"))
    name = exercise.stem
    source = nbformat.read(exercise, as_version=4)
    wrong = runpy.run_path(str(WRONG_DIR / f"{name}.py"))["WRONG"]
    answers = answer_cells(source)
    courses = {kind: tmp_path / kind for kind in ("serial", "parallel")}
    for course in courses.values():
        grading.release(course, [exercise])
        student_version = nbformat.read(course / "release" / name / exercise.name, as_version=4)
        submit(course, "solution", name, source)
        submit(course, "stub", name, student_version)
        for answer_id, index in answers.items():
            submit(course, f"wrong-{answer_id}", name, with_answer(source, index, wrong[answer_id]))
        submit(course, "raises", name, with_answer(source, next(iter(answers.values())), "raise RuntimeError('crash')"))
    grading.nbgrader(courses["serial"], "autograde", name, "--force")
    grading.export(courses["serial"], courses["serial"] / "grades.csv")
    grading.grade(courses["parallel"], jobs=2)

    def dump(course):
        with Gradebook(f"sqlite:///{course}/gradebook.db", course_id="regopt") as gb:
            return sorted(
                (s.student_id, g.name, g.auto_score, g.max_score, g.needs_manual_grade)
                for s in gb.assignment_submissions(name) for nb in s.notebooks for g in nb.grades
            )

    assert dump(courses["parallel"]) == dump(courses["serial"])
    assert len(dump(courses["serial"])) == (len(answers) + 3) * len(grading_cells(source))
    assert (courses["parallel"] / "grades.csv").read_text() == (courses["serial"] / "grades.csv").read_text()


def test_merged_shards_give_the_class_csv(tmp_path):
    """grades.csv of shards of a class, merged, is the class's grades.csv; conflicting rows are refused."""
    header = "assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,score,max_score"
    rows = [f"{a},,,{s},,,,{p},0.0,{p},6.0" for a in ("01_a", "02_b") for s, p in (("ann", 6.0), ("bob", 3.0), ("cy", 0.0))]
    whole = tmp_path / "class.csv"
    whole.write_text("\n".join([header, *rows]) + "\n")
    shard_a, shard_b = tmp_path / "a.csv", tmp_path / "b.csv"
    shard_a.write_text("\n".join([header, *[r for r in rows if ",bob," not in r]]) + "\n")
    shard_b.write_text("\n".join([header, *reversed([r for r in rows if ",bob," in r])]) + "\n")
    merged = grading.merge(tmp_path / "merged.csv", shard_b, shard_a)
    assert merged.read_text() == whole.read_text()
    clash = tmp_path / "clash.csv"
    clash.write_text("\n".join([header, rows[0].replace("6.0,0.0,6.0", "5.0,0.0,5.0")]) + "\n")
    with pytest.raises(ValueError, match="two different rows"):
        grading.merge(tmp_path / "bad.csv", shard_a, clash)
