"""Drive nbgrader for the course: release student versions, autograde submissions.

    python tools/grading.py assignments [COURSE_ROOT]   # exercises/ -> release/
    python tools/grading.py grade [COURSE_ROOT]         # submitted/ -> autograded/, grades.csv

The course root (default ``grading/``) is an nbgrader course folder. ``assignments``
copies every ``exercises/NN_slug.ipynb`` to ``source/NN_slug/NN_slug.ipynb`` and lets
nbgrader generate the student version in ``release/NN_slug/``. ``grade`` autogrades
every assignment found in ``submitted/<student>/<assignment>/`` and exports all scores
to ``grades.csv``. The tests in ``tests/test_grading.py`` use the same functions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
DEFAULT_COURSE = ROOT / "grading"


def exercises() -> list[Path]:
    """The exercise source notebooks, in chapter order."""
    return sorted(EXERCISES.glob("[0-9][0-9]_*.ipynb"))


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course root; raise with its output if it fails."""
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    # nbgrader runs `alembic` and the kernel from PATH: put this environment's scripts first.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(cmd, cwd=course, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def prepare(course: Path) -> None:
    """Make ``course`` an nbgrader course root with the course's configuration."""
    course.mkdir(parents=True, exist_ok=True)
    config = DEFAULT_COURSE / "nbgrader_config.py"
    if course.resolve() != DEFAULT_COURSE.resolve():
        shutil.copy(config, course / "nbgrader_config.py")


def release(course: Path, notebooks: list[Path] | None = None) -> list[str]:
    """Copy exercises into ``source/`` and generate their student versions in ``release/``."""
    prepare(course)
    names = []
    for nb in notebooks or exercises():
        name = nb.stem
        target = course / "source" / name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(nb, target / nb.name)
        nbgrader(course, "generate_assignment", name, "--force")
        names.append(name)
    return names


def autograde(course: Path, assignment: str, *extra: str) -> None:
    """Autograde every student's submission of ``assignment`` under ``submitted/``."""
    nbgrader(course, "autograde", assignment, "--force", *extra)


def grade(course: Path) -> Path:
    """Autograde all submitted assignments and write ``grades.csv``; returns its path."""
    submitted = course / "submitted"
    assignments = sorted({p.name for p in submitted.glob("*/*") if p.is_dir()})
    if not assignments:
        raise SystemExit(f"Nothing to grade: put submissions in {submitted}/<student>/<assignment>/")
    for assignment in assignments:
        autograde(course, assignment)
    csv = course / "grades.csv"
    nbgrader(course, "export", f"--to={csv}")
    return csv


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("assignments", "grade"):
        print(__doc__)
        return 2
    course = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_COURSE
    if argv[0] == "assignments":
        for name in release(course):
            print(f"released {course / 'release' / name}")
    else:
        print(f"grades written to {grade(course)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
