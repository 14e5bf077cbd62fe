"""Drive nbgrader for the course: release student versions, autograde submissions.

    python tools/grading.py assignments [COURSE_ROOT]   # exercises/ -> release/
    python tools/grading.py grade [COURSE_ROOT] [--jobs N]   # submitted/ -> autograded/, grades.csv
    python tools/grading.py merge OUT.csv PART.csv ...      # one grades.csv from several shards

The course root (default ``grading/``) is an nbgrader course folder. ``assignments``
copies every ``exercises/NN_slug.ipynb`` to ``source/NN_slug/NN_slug.ipynb`` and lets
nbgrader generate the student version in ``release/NN_slug/``. ``grade`` autogrades
every assignment found in ``submitted/<student>/<assignment>/`` and exports all scores
to ``grades.csv``. The tests in ``tests/test_grading.py`` use the same functions.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forkkernel  # noqa: E402

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


def _api(course: Path, timeout: int | None = None):
    """nbgrader's Python API on ``course`` with the course's configuration."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    # nbgrader runs `alembic` from PATH: put this environment's scripts first.
    bin_dir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bin_dir):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    config.Execute.kernel_manager_class = forkkernel.ForkingKernelManager
    if timeout is not None:
        config.Execute.timeout = timeout
    return NbGraderAPI(config=config)


def release(course: Path, notebooks: list[Path] | None = None) -> list[str]:
    """Copy exercises into ``source/`` and generate their student versions in ``release/``.

    One nbgrader API in this process generates them all (nbgrader's command line would
    start a process, about 4 s, per exercise).
    """
    prepare(course)
    api = _api(course.resolve())
    names = []
    for nb in notebooks or exercises():
        name = nb.stem
        target = course / "source" / name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(nb, target / nb.name)
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {name} failed:\n{result.get('log', '')}\n{result.get('error', '')}")
        names.append(name)
    return names


# Imported by every kernel's parent before it forks, so that no submission pays for them.
# torch._dynamo is imported by the first optimizer step (1.5 s).
PRELOAD = ["numpy", "torch", "torch._dynamo", "sklearn.model_selection", "regopt.*"]


@contextlib.contextmanager
def kernel_server() -> Iterator[None]:
    """Run tools/forkkernel.py's fork server for the kernels started inside this block."""
    if os.environ.get(forkkernel.SOCKET_VARIABLE):
        yield  # one is already running (an enclosing block)
        return
    folder = tempfile.mkdtemp(prefix="forkkernel-")
    path = os.path.join(folder, "socket")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "forkkernel.py"), path, *PRELOAD],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the kernel fork server did not start")
        os.environ[forkkernel.SOCKET_VARIABLE] = path
        yield
    finally:
        os.environ.pop(forkkernel.SOCKET_VARIABLE, None)
        server.stdin.close()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _serialize_gradebook(lock_path: Path) -> None:
    """Let one process at a time hold a connection to the gradebook (an ``flock`` on a file).

    nbgrader opens the gradebook only for short reads and writes before and after it runs a
    notebook, never while a kernel runs, so parallel graders hardly wait; SQLite alone
    would fail a writer that meets another one ("database is locked").
    """
    from nbgrader import api

    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    depth = [0]
    original_init, original_close = api.Gradebook.__init__, api.Gradebook.close

    def acquire():
        if depth[0] == 0:
            fcntl.flock(fd, fcntl.LOCK_EX)
        depth[0] += 1

    def release():
        depth[0] -= 1
        if depth[0] == 0:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def __init__(self, *args, **kwargs):
        acquire()
        self._grading_lock = True
        try:
            original_init(self, *args, **kwargs)
        except BaseException:
            self._grading_lock = False
            release()
            raise

    def close(self):
        try:
            original_close(self)
        finally:
            if getattr(self, "_grading_lock", False):
                self._grading_lock = False
                release()

    api.Gradebook.__init__, api.Gradebook.close = __init__, close


_WORKER: dict = {}


def _start_worker(course: str, timeout: int | None) -> None:
    """In each grading process: nbgrader's API with the course's configuration."""
    _serialize_gradebook(Path(course) / "gradebook.db.lock")
    _WORKER.update(course=Path(course), timeout=timeout, apis={})


def _autograde_one(task: tuple) -> tuple[str, str, bool, str]:
    """Autograde ``(assignment, student)`` or ``(assignment, student, cell_timeout)``."""
    assignment, student, *rest = task
    timeout = rest[0] if rest else _WORKER["timeout"]
    apis = _WORKER["apis"]
    if timeout not in apis:
        apis[timeout] = _api(_WORKER["course"], timeout)
    result = apis[timeout].autograde(assignment, student, force=True, create=True)
    return assignment, student, result["success"], result.get("log", "") + result.get("error", "")


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def autograde(course: Path, assignment: str, *extra: str, students: list[str] | None = None,
              jobs: int | None = None, timeout: int | None = None) -> None:
    """Autograde the submissions of ``assignment`` (every student's unless ``students``)."""
    if extra:  # nbgrader's own command line, one process, as before
        nbgrader(course, "autograde", assignment, "--force", *extra)
        return
    students = students or sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}"))
    autograde_all(course, [(assignment, s) for s in students], jobs=jobs, timeout=timeout)


def one_thread_per_kernel() -> None:
    """One torch thread per kernel started from here on, unless the caller's environment says
    otherwise: several kernels with a thread per core each oversubscribe the machine
    (exercise 15 graded 3.7 times slower)."""
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def autograde_all(course: Path, tasks: list[tuple], jobs: int | None = None,
                  timeout: int | None = None) -> None:
    """Autograde each (assignment, student) with nbgrader, in ``jobs`` processes at once.

    A task ``(assignment, student, seconds)`` gets its own cell timeout (the tests grade an
    endless loop with a short one); ``timeout`` overrides the configuration's for the rest.

    Every process runs nbgrader's autograder in-process on one submission at a time, taking
    the next one from a shared queue; all write to the one gradebook, one at a time
    (:func:`_serialize_gradebook`). Kernels are forked by the fork server, which has the
    course's modules imported already (tools/forkkernel.py).
    """
    jobs = max(1, min(jobs or default_jobs(), len(tasks)))
    failed = []
    one_thread_per_kernel()
    with kernel_server():
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, _start_worker, (str(course.resolve()), timeout), maxtasksperchild=50) as pool:
            for assignment, student, success, log in tqdm(
                pool.imap_unordered(_autograde_one, tasks), total=len(tasks), desc="grading",
                unit="submission", file=sys.stderr, disable=None,
            ):
                if not success:
                    failed.append(f"{student}/{assignment}:\n{log}")
    if failed:
        raise RuntimeError("nbgrader could not grade " + "\n".join(failed))


def export(course: Path, csv: Path) -> Path:
    """Write every student's score on every assignment to ``csv``, rows sorted by assignment, student."""
    nbgrader(course, "export", f"--to={csv}")
    header, *rows = csv.read_text().splitlines()
    csv.write_text("\n".join([header, *sorted(rows, key=_row_key)]) + "\n")
    return csv


def _row_key(row: str) -> tuple[str, str]:
    fields = row.split(",")
    return fields[0], fields[3]  # assignment, student_id


def merge(out: Path, *parts: Path) -> Path:
    """Merge the grades.csv of several shards of a class into one (each student in one shard).

    Raises if the headers differ or one (assignment, student) has two different rows.
    """
    header, rows = None, {}
    for part in parts:
        first, *lines = part.read_text().splitlines()
        if header is not None and first != header:
            raise ValueError(f"{part} has the columns {first!r}, not {header!r}")
        header = first
        for line in lines:
            key = _row_key(line)
            if rows.setdefault(key, line) != line:
                raise ValueError(f"two different rows for {key}: {rows[key]!r} and {line!r}")
    out.write_text("\n".join([header, *(rows[k] for k in sorted(rows))]) + "\n")
    return out


def grade(course: Path, jobs: int | None = None) -> Path:
    """Autograde all submitted assignments and write ``grades.csv``; returns its path."""
    submitted = course / "submitted"
    tasks = sorted((p.name, p.parent.name) for p in submitted.glob("*/*") if p.is_dir())
    if not tasks:
        raise SystemExit(f"Nothing to grade: put submissions in {submitted}/<student>/<assignment>/")
    autograde_all(course, tasks, jobs=jobs)
    return export(course, course / "grades.csv")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["assignments", "grade", "merge"])
    parser.add_argument("paths", nargs="*", help="COURSE_ROOT (default grading/); for merge: OUT.csv PART.csv ...")
    parser.add_argument("--jobs", type=int, default=None, help="grading processes (default: one per core)")
    args = parser.parse_args(argv)
    if args.command == "merge":
        if len(args.paths) < 2:
            parser.error("merge needs OUT.csv and at least one PART.csv")
        print(f"merged grades written to {merge(Path(args.paths[0]), *map(Path, args.paths[1:]))}")
        return 0
    course = Path(args.paths[0]).resolve() if args.paths else DEFAULT_COURSE
    if args.command == "assignments":
        for name in release(course):
            print(f"released {course / 'release' / name}")
    else:
        print(f"grades written to {grade(course, jobs=args.jobs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
