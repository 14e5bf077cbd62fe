"""Grade a synthetic class with nbgrader and print the wall time per submission.

The class hands in two exercises (17 and 05 by default): for each, solutions, untouched
student versions and every wrong answer of tests/wrong_answers/, repeated to at least
``--students`` submissions per exercise. ``tools/grading.py`` grades them all in
``--jobs`` processes (default: one per core) with forked kernels.

Run with ``make bench-grading`` or ``python bench/grading.py [--jobs N] [--students 20]``.
"""

from __future__ import annotations

import argparse
import itertools
import runpy
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import grading  # noqa: E402


def submissions(course: Path, exercise: Path, count: int) -> int:
    """Submit ``count`` notebooks of ``exercise``: solution, student version, wrong answers in turn."""
    source = nbformat.read(exercise, as_version=4)
    student = nbformat.read(course / "release" / exercise.stem / exercise.name, as_version=4)
    wrong = runpy.run_path(str(ROOT / "tests" / "wrong_answers" / f"{exercise.stem}.py"))["WRONG"]
    versions = [source, student]
    for index, cell in enumerate(source.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        # "<grade_id>" and further wrong answers "<grade_id>#2", ... to the same cell
        for answer in [v for k, v in wrong.items() if k.split("#")[0] == grade_id]:
            version = nbformat.from_dict(source)
            version.cells[index].source = answer
            versions.append(version)
    for number, version in zip(range(count), itertools.cycle(versions)):
        folder = course / "submitted" / f"student{number:03d}" / exercise.stem
        folder.mkdir(parents=True)
        nbformat.write(version, folder / exercise.name)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=grading.default_jobs())
    parser.add_argument("--students", type=int, default=20, help="submissions per exercise")
    parser.add_argument("--exercises", nargs="+", default=["17", "05"])
    args = parser.parse_args()
    chosen = [e for e in grading.exercises() if e.stem[:2] in args.exercises]
    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder)
        grading.release(course, chosen)
        total = sum(submissions(course, e, args.students) for e in chosen)
        start = time.perf_counter()
        grading.grade(course, jobs=args.jobs)
        seconds = time.perf_counter() - start
    names = ", ".join(e.stem for e in chosen)
    print(f"graded {total} submissions of {names} on {args.jobs} core(s): "
          f"{seconds:.1f} s, {seconds / total:.2f} s per submission (wall)")


if __name__ == "__main__":
    main()
