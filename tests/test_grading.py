"""The autograding pipeline, run for real with nbgrader on every exercise notebook.

For each exercise, through nbgrader: the source (with solutions) gets full marks, the
generated student version gets zero, and the student version leaks neither solutions nor
hidden tests. Submissions that raise, loop forever or delete cells are graded, not fatal.
Every deliberately wrong answer of tests/wrong_answers/ loses points on its own question
and on no other; these are scored by tools/answercheck.py (nbgrader's scoring rule, the
cells before the answer run once), which is checked here to agree with nbgrader.

The whole class is released and graded once per session, in one parallel grading run:
`-k 05_momentum` grades only the exercises selected.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import answercheck  # noqa: E402
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


CROSS_CHECKED = "17_"  # some of its wrong answers also go through nbgrader, serially and in parallel
FAILING = EXERCISES[0]  # the raising, looping and cell-deleting submissions are of this one


def failing_submissions(source) -> dict[str, object]:
    """Submissions that must still be graded: one raises, one loops, one deleted cells."""
    answers = list(answer_cells(source).items())
    (first_id, first), (second_id, second) = answers[0], answers[1]
    deleted = nbformat.from_dict(source)
    hidden = next(i for i, c in enumerate(source.cells)
                  if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(f"test_{first_id}_")
                  and "BEGIN HIDDEN TESTS" in c.source)
    del deleted.cells[max(hidden, second)]  # a hidden test of question 1 and answer 2
    del deleted.cells[min(hidden, second)]
    return {
        "raises": with_answer(source, first, "raise RuntimeError('my code crashed')"),
        "loops": with_answer(source, first, "while True:\n    pass"),
        "deletes": deleted,
    }


def cross_checked(exercise: Path) -> dict[str, str]:
    """The wrong answers that also go through nbgrader: the first two of each answer cell
    (all of them would add a serial nbgrader run per wrong answer to make test)."""
    chosen: dict[str, str] = {}
    for key, wrong in answercheck.wrong_answers(exercise).items():
        if sum(k.split("#")[0] == key.split("#")[0] for k in chosen) < 2:
            chosen[key] = wrong
    return chosen


def cross_checked_submissions(exercise: Path) -> dict[str, object]:
    """Exercise 17's solution, student version, two wrong answers per question and a crash."""
    source = nbformat.read(exercise, as_version=4)
    cells = answer_cells(source)
    versions = {"solution": source}
    for key, wrong in cross_checked(exercise).items():
        versions[wrong_student(key)] = with_answer(source, cells[key.split("#")[0]], wrong)
    versions["raises"] = with_answer(source, next(iter(cells.values())), "raise RuntimeError('crash')")
    return versions


def selected(session, fixture: str = "exercise") -> list[Path]:
    """The exercises that the collected tests use (all of them unless -k selects fewer)."""
    names = {item.callspec.params[fixture].stem for item in session.items
             if hasattr(item, "callspec") and fixture in item.callspec.params}
    wanted = {item.name for item in session.items}
    if any(n.startswith(("test_raising", "test_parallel_grading")) for n in wanted):
        names |= {FAILING.stem} | {e.stem for e in EXERCISES if e.stem.startswith(CROSS_CHECKED)}
    return [e for e in EXERCISES if e.stem in names]


class Class:
    """The selected exercises released, submitted in several versions and autograded at once."""

    def __init__(self, course: Path, chosen: list[Path]):
        self.course = course
        names = grading.release(course, chosen)
        self.student_versions = {
            n: nbformat.read(course / "release" / n / f"{n}.ipynb", as_version=4) for n in names
        }
        tasks = []
        for exercise in chosen:
            name, source = exercise.stem, nbformat.read(exercise, as_version=4)
            versions = {"solution": source, "stub": self.student_versions[name]}
            if exercise == FAILING:
                versions.update(failing_submissions(source))
            if name.startswith(CROSS_CHECKED):
                versions.update(cross_checked_submissions(exercise))
            for student, nb in versions.items():
                submit(course, student, name, nb)
                # the endless loop with a 3 s cell timeout (60 s in the course's configuration)
                tasks.append((name, student, 3) if student == "loops" else (name, student))
        tasks.sort(key=lambda t: (len(t) == 2, t))  # the loop first, so it is not the tail
        grading.autograde_all(course, tasks)

    def score(self, assignment: str, student: str, grade_id: str | None = None) -> tuple[float, float]:
        with Gradebook(f"sqlite:///{self.course}/gradebook.db", course_id="regopt") as gb:
            if grade_id is None:
                nb = gb.find_submission_notebook(assignment, assignment, student)
                return nb.score, nb.max_score
            grade = gb.find_grade(grade_id, assignment, assignment, student)
            return grade.score, grade.max_score


@pytest.fixture(scope="session")
def graded_class(request, tmp_path_factory) -> Class:
    return Class(tmp_path_factory.mktemp("course"), selected(request.session))


# The exercises' second rounding regime: nbgrader grades with this machine's kernels, the
# wrong answers (and the solution, which must run clean) are run on the portable path.
PORTABLE = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}


@pytest.fixture(scope="session")
def wrong_answer_scores(request, tmp_path_factory) -> dict[str, dict[str, answercheck.Scores]]:
    """answercheck's scores of the selected exercises' solutions and wrong answers."""
    out = tmp_path_factory.mktemp("answercheck") / "scores.json"
    chosen = [str(e) for e in selected(request.session)]
    subprocess.run([sys.executable, str(ROOT / "tools" / "answercheck.py"), "--json", str(out), *chosen],
                   check=True, env={**os.environ, **PORTABLE})
    return {stem: {key: {gid: tuple(v) for gid, v in scores.items()} for key, scores in results.items()}
            for stem, results in json.loads(out.read_text()).items()}


@pytest.fixture(params=EXERCISES, ids=[e.stem for e in EXERCISES])
def exercise(request) -> Path:
    return request.param


def test_there_are_exercises():
    assert EXERCISES, "no exercise notebooks found in exercises/"


def test_every_question_has_visible_and_hidden_tests(exercise):
    source = nbformat.read(exercise, as_version=4)
    answers = answer_cells(source)
    assert len(answers) >= 2, "an exercise needs at least two autograded questions"
    owned = set()
    for answer_id in answers:
        tests = question_tests(source, answer_id)
        owned.update(tests)
        sources = [c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") in tests]
        assert any("### BEGIN HIDDEN TESTS" in s for s in sources), f"{answer_id} has no hidden tests"
        assert any(SOLUTION.sub("", s).replace("### BEGIN HIDDEN TESTS", "").strip() for s in sources)
    assert owned == set(grading_cells(source)), "test cells must be named test_<answer_id>_..."


def test_solution_gets_full_marks(exercise, graded_class):
    score, max_score = graded_class.score(exercise.stem, "solution")
    assert max_score > 0 and score == max_score


def test_student_version_gets_zero(exercise, graded_class):
    score, max_score = graded_class.score(exercise.stem, "stub")
    assert max_score > 0 and score == 0


def test_each_wrong_answer_loses_points_on_its_question_only(exercise, wrong_answer_scores):
    source = nbformat.read(exercise, as_version=4)
    answers, points = answer_cells(source), grading_cells(source)
    wrong = answercheck.wrong_answers(exercise)
    missing = set(answers) - {k.split("#")[0] for k in wrong}
    assert not missing, f"tests/wrong_answers/{exercise.stem}.py needs a wrong answer for {sorted(missing)}"
    results = wrong_answer_scores[exercise.stem]
    full = sum(points.values())
    assert results["solution"] == {gid: (p, p) for gid, p in points.items()}, (
        "the solution should get full marks in tools/answercheck.py as in nbgrader"
    )
    for key in wrong:
        answer_id = key.split("#")[0]
        lost = answercheck.lost(results[key])
        assert lost, f"the wrong answer {key} lost no points"
        total = sum(score for score, _ in results[key].values())
        assert 0 < total < full, f"a wrong {key} should give partial marks, got {total} of {full}"
        others = [gid for gid in lost if gid not in question_tests(source, answer_id)]
        assert not others, f"a wrong {key} cost points on {others}"


def test_student_version_has_no_solutions_or_hidden_tests(exercise, graded_class):
    source, student_version = nbformat.read(exercise, as_version=4), graded_class.student_versions[exercise.stem]
    text = "\n".join(c.source for c in student_version.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    for cell in source.cells:
        for block in SOLUTION.findall(cell.source) + re.findall(
            r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.S
        ):
            for line in block.strip().splitlines():
                if len(line.strip()) > 12:  # skip trivial lines such as `return grad`
                    assert line.strip() not in text, f"leaked into the student version: {line.strip()}"


def test_raising_looping_and_cell_deleting_submissions_are_graded_not_fatal(graded_class):
    name = FAILING.stem
    source = nbformat.read(FAILING, as_version=4)
    full = graded_class.score(name, "solution")[1]
    for student in ("raises", "loops"):
        score, _ = graded_class.score(name, student)
        assert 0 < score < full, (student, score)
    # The deleted hidden test came back and passed; the deleted answer cost its question.
    (first_id, _), (second_id, _) = list(answer_cells(source).items())[:2]
    points = grading_cells(source)
    for gid in question_tests(source, first_id):
        assert graded_class.score(name, "deletes", gid) == (points[gid], points[gid]), gid
    for gid in question_tests(source, second_id):
        assert graded_class.score(name, "deletes", gid)[0] == 0, gid
    expected = full - sum(points[g] for g in question_tests(source, second_id))
    assert graded_class.score(name, "deletes") == (expected, full)


def dump(course: Path, assignment: str) -> list[tuple]:
    with Gradebook(f"sqlite:///{course}/gradebook.db", course_id="regopt") as gb:
        return sorted(
            (s.student_id, g.name, g.auto_score, g.max_score, g.needs_manual_grade)
            for s in gb.assignment_submissions(assignment) for nb in s.notebooks for g in nb.grades
        )


def test_parallel_grading_matches_serial_nbgrader_and_answercheck(graded_class, wrong_answer_scores, tmp_path):
    """The class's parallel run (forked kernels, a process per core) gives what plain
    `nbgrader autograde` gives one submission after another, gradebook and CSV; and
    tools/answercheck.py scores every wrong answer's test cells as nbgrader does."""
    exercise = next(e for e in EXERCISES if e.stem.startswith(CROSS_CHECKED))
    name, versions = exercise.stem, cross_checked_submissions(exercise)
    grading.release(tmp_path, [exercise])
    versions["stub"] = nbformat.read(tmp_path / "release" / name / exercise.name, as_version=4)
    for student, nb in versions.items():
        submit(tmp_path, student, name, nb)
    grading.nbgrader(tmp_path, "autograde", name, "--force")
    serial = dump(tmp_path, name)
    assert dump(graded_class.course, name) == serial
    assert len(serial) == len(versions) * len(grading_cells(versions["solution"]))

    def rows(course: Path) -> list[str]:
        text = grading.export(course, course / "grades.csv").read_text()
        # (export lists every student of the course under every assignment)
        return [row for row in text.splitlines()[1:]
                if row.startswith(f"{name},") and row.split(",")[3] in versions]

    assert rows(graded_class.course) == rows(tmp_path)
    checked = wrong_answer_scores[name]
    for key in cross_checked(exercise):
        by_nbgrader = {gid: (auto, top) for student, gid, auto, top, _ in serial if student == wrong_student(key)}
        assert checked[key] == {gid: by_nbgrader[gid] for gid in checked[key]}, key
        assert set(checked[key]) == set(grading_cells(versions["solution"])), key


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
