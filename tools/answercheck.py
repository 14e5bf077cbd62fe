"""Score an exercise's wrong answers quickly, as nbgrader would score them.

A wrong answer to answer cell i changes nothing before cell i. So the cells before it run
once, in a process that then forks one child per wrong answer to that cell: the child puts
the wrong answer in cell i, runs the rest of the notebook and reports every test cell's
score; the parent goes on with the right answer. An exercise with w wrong answers costs
one run of the notebook and w runs of its tails, not w + 1 runs and w + 1 kernel starts.

A wrong answer's child stops early when it can no longer change anything: once its own
question's tests have run, it compares a fingerprint of what the rest of the notebook can
see (the values of every name a later cell or any function reads, the random generators'
states, torch's default dtype and grad mode) with the solution's at the same cell. If all
are equal, the rest runs as it did for the solution, so the child takes the solution's
scores for it; if anything differs or cannot be fingerprinted (an object of an unknown
kind), it runs the rest. An experiment after a question then runs once, not once per
wrong answer to that question.

Each test cell is scored by nbgrader's own rule (``nbgrader.utils.determine_grade``): an
error or any text on stderr gives 0, a number as the cell's value gives that partial
credit, anything else full points. A cell that runs longer than the timeout is interrupted
and fails, as in nbgrader. Cells run in one IPython shell per notebook, as in a kernel.
``tests/test_grading.py`` checks that these scores equal real nbgrader's on the wrong
answers it also grades through nbgrader, and that the solution scores full marks here.

    python tools/answercheck.py exercises/05_momentum.ipynb   # wrong answers of tests/wrong_answers/

prints, for the solution and each wrong answer, the test cells that lost points (``--json
FILE`` writes them instead). The solution must also run without an error in any cell.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import runpy
import signal
import sys
import tempfile
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forkkernel  # noqa: E402
import grading  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WRONG_DIR = ROOT / "tests" / "wrong_answers"
# Imported once, before any notebook runs, so that no run (and no forked child) pays for
# them: what the grading kernels preload, and this module's own nbgrader, nbformat, IPython.
PRELOAD = [*grading.PRELOAD, "matplotlib.pyplot", "nbformat", "nbgrader.utils",
           "IPython.core.interactiveshell", "IPython.utils.capture"]

Scores = dict[str, tuple[float, float]]  # test cell grade_id -> (score, max_score)


def wrong_answers(notebook: Path) -> dict[str, str]:
    """The wrong answers of ``tests/wrong_answers/<stem>.py`` (empty if there is none)."""
    path = WRONG_DIR / f"{notebook.stem}.py"
    return runpy.run_path(str(path))["WRONG"] if path.exists() else {}


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


class _Timeout(Exception):
    """A cell ran longer than the timeout."""


def _on_alarm(signum, frame):
    raise _Timeout("cell timed out")


def _run_cell(shell, cell, timeout: float):
    """Run one code cell; return the outputs nbgrader would see in it."""
    from IPython.utils.capture import capture_output

    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with capture_output(display=True) as captured:
            result = shell.run_cell(cell.source, store_history=False)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    outputs = []
    if captured.stderr:
        outputs.append({"output_type": "stream", "name": "stderr", "text": captured.stderr})
    if result.error_before_exec or result.error_in_exec:
        outputs.append({"output_type": "error", "ename": "error", "evalue": "", "traceback": []})
    elif result.result is not None:
        data = shell.display_formatter.format(result.result)[0]
        outputs.append({"output_type": "execute_result", "data": data, "metadata": {}, "execution_count": 1})
    return outputs


def _score(cell, outputs) -> tuple[float, float]:
    import nbformat
    from nbgrader.utils import determine_grade

    graded = nbformat.from_dict({**cell, "outputs": outputs})
    score, max_score = determine_grade(graded)
    return float(score), float(max_score)


def _run_from(shell, cells, start: int, timeout: float, strict: bool = False) -> Scores:
    """Run ``cells[start:]`` in ``shell``; the scores of the test cells among them.

    ``strict``: raise if a cell that is not a test cell fails (the solution must run clean).
    """
    scores = {}
    for index, cell in enumerate(cells[start:], start):
        if cell.cell_type != "code":
            continue
        outputs = _run_cell(shell, cell, timeout)
        meta = _nbgrader(cell)
        if meta.get("grade") and not meta.get("solution"):
            scores[meta["grade_id"]] = _score(cell, outputs)
        elif strict and any(o["output_type"] == "error" for o in outputs):
            raise RuntimeError(f"cell {index} of the solution failed:\n{cell.source}")
    return scores


class _Opaque(Exception):
    """An object this module cannot fingerprint."""


def _feed(h, obj, seen: set[int], depth: int = 0) -> None:
    """Feed a description of ``obj``'s value into the hash ``h``; raise _Opaque if unsure."""
    import numpy as np
    import torch

    if depth > 8:
        raise _Opaque("too deep")
    kind = type(obj)
    h.update(f"<{kind.__module__}.{kind.__qualname__}>".encode())
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes, np.generic, torch.dtype,
                                        torch.device, range, slice)):
        h.update(repr(obj).encode())
        return
    if isinstance(obj, types.ModuleType):
        h.update(obj.__name__.encode())
        return
    if id(obj) in seen:
        h.update(b"<cycle>")
        return
    seen = seen | {id(obj)}
    if isinstance(obj, torch.Tensor):
        if obj.layout != torch.strided or obj.is_quantized:
            raise _Opaque("tensor layout")
        h.update(repr((obj.dtype, tuple(obj.shape), obj.requires_grad, obj.device)).encode())
        h.update(obj.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
        if obj.grad is not None:
            _feed(h, obj.grad, seen, depth + 1)
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise _Opaque("object array")
        h.update(repr((obj.dtype, obj.shape)).encode() + np.ascontiguousarray(obj).tobytes())
        return
    if isinstance(obj, torch.Generator):
        h.update(obj.get_state().numpy().tobytes())
        return
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        for item in items:
            _feed(h, item, seen, depth + 1)
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            _feed(h, key, seen, depth + 1)
            _feed(h, value, seen, depth + 1)
        return
    if isinstance(obj, (types.FunctionType, types.MethodType)):
        function = obj.__func__ if isinstance(obj, types.MethodType) else obj
        if isinstance(obj, types.MethodType):
            _feed(h, obj.__self__, seen, depth + 1)
        h.update(f"{function.__module__}.{function.__qualname__}".encode())
        if function.__module__ == "__main__":  # written in the notebook: its code and data
            _feed_code(h, function.__code__)
            _feed(h, (function.__defaults__, function.__kwdefaults__), seen, depth + 1)
            for cell in function.__closure__ or ():
                _feed(h, cell.cell_contents, seen, depth + 1)
        return
    if isinstance(obj, type):
        h.update(f"{obj.__module__}.{obj.__qualname__}".encode())
        if obj.__module__ == "__main__":
            _feed(h, {k: v for k, v in vars(obj).items() if not k.startswith("__")}, seen, depth + 1)
        return
    if isinstance(obj, (types.BuiltinFunctionType, functools.partial)) or callable(obj) and not hasattr(obj, "__dict__"):
        h.update(repr(obj).encode())
        return
    if hasattr(obj, "__dict__") and not hasattr(obj, "__slots__"):  # an instance: its attributes
        _feed(h, vars(obj), seen, depth + 1)
        return
    raise _Opaque(kind.__qualname__)


def _feed_code(h, code) -> None:
    h.update(code.co_code + repr(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(h, const)
        else:
            h.update(repr(const).encode())


def _global_state() -> str:
    import random

    import numpy as np
    import torch

    h = hashlib.sha256(torch.random.get_rng_state().numpy().tobytes())
    h.update(repr((np.random.get_state(), random.getstate(), torch.get_default_dtype(),
                   torch.is_grad_enabled())).encode())
    return h.hexdigest()


def _fingerprints(shell, names: set[str]) -> dict[str, str | None]:
    """A fingerprint of the value of each name in ``names`` (None: cannot tell)."""
    prints: dict[str, str | None] = {"<state>": _global_state()}
    for name in names:
        if name not in shell.user_ns:
            prints[name] = "<absent>"
            continue
        h = hashlib.sha256()
        try:
            _feed(h, shell.user_ns[name], set())
            prints[name] = h.hexdigest()
        except Exception:  # _Opaque, or an object that breaks while being described
            prints[name] = None
    return prints


def _names_read(sources: list[str], start: int) -> set[str]:
    """The names that cells ``start`` on read (or delete), and those read inside any
    function or class of any cell."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    names: set[str] = set()
    transform = TransformerManager().transform_cell
    for index, source in enumerate(sources):
        tree = ast.parse(transform(source))
        scopes = [tree] if index >= start else [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
        ]
        # a name a later cell only assigns cannot show the value it had before
        names |= {n.id for scope in scopes for n in ast.walk(scope)
                  if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
    return names


def _question_end(cells, i: int) -> int:
    """The first code cell after answer cell ``i`` that is not one of its test cells."""
    prefix = f"test_{_nbgrader(cells[i])['grade_id']}_"
    j = i + 1
    while j < len(cells) and (cells[j].cell_type != "code" or _nbgrader(cells[j]).get("grade_id", "").startswith(prefix)):
        j += 1
    return j


def _fork(work) -> tuple[int, int]:
    """Run ``work()`` in a forked child, which dies with its state; (pid, pipe to read)."""
    import random

    state = random.getstate()  # Python reseeds `random` in a forked child: undo that
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        random.setstate(state)
        os.close(read_end)
        status = 0
        try:
            payload = json.dumps(work())
        except BaseException as error:  # report, never run the parent's code
            payload, status = json.dumps({"__error__": repr(error)}), 1
        with os.fdopen(write_end, "w") as stream:
            stream.write(payload)
        os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int) -> Scores:
    """What the child ``pid`` returned."""
    with os.fdopen(read_end) as stream:
        text = stream.read()
    os.waitpid(pid, 0)
    result = json.loads(text) if text else {"__error__": "the child died without a result"}
    if "__error__" in result:
        raise RuntimeError(f"answercheck: {result['__error__']}")
    return {k: tuple(v) for k, v in result.items()}


def check(notebook: Path, wrong: dict[str, str] | None = None, timeout: float = 60,
          children: int = 2) -> dict[str, Scores]:
    """Test-cell scores of the solution (key ``"solution"``) and of each wrong answer.

    ``wrong`` maps ``"<grade_id>"`` or ``"<grade_id>#N"`` of an answer cell to the source
    that replaces that cell (default: tests/wrong_answers/<stem>.py). Runs in this
    process, in a temporary working directory, and changes its global state (torch's
    default dtype, seeds): call it in a process of its own (:func:`check_all` does).
    Up to ``children`` wrong answers run at once, beside the solution's own run.
    """
    import nbformat
    import nbgrader.utils  # noqa: F401 (imported before any fork, not in every child)
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output  # noqa: F401 (likewise)

    wrong = wrong_answers(notebook) if wrong is None else wrong
    nb = nbformat.read(notebook, as_version=4)
    cells = nb.cells
    index = {_nbgrader(c).get("grade_id"): i for i, c in enumerate(cells) if _nbgrader(c).get("solution")}
    unknown = [k for k in wrong if k.split("#")[0] not in index]
    if unknown:
        raise KeyError(f"{notebook.name}: wrong answers for no answer cell: {unknown}")
    shell = InteractiveShell.instance()
    results: dict[str, Scores] = {}
    same_after: dict[str, int] = {}  # key -> cell from which the solution's scores hold
    solution: Scores = {}
    running: list[tuple[str, Scores, int, int]] = []  # key, scores before its cell, pid, pipe
    waiting: dict[int, list[tuple[set[str], int]]] = {}  # cell -> (names, verdict pipe) of children

    def finish_one() -> None:
        key, before, pid, pipe = running.pop(0)
        scores = _collect(pid, pipe)
        if "<same after>" in scores:
            same_after[key] = int(scores.pop("<same after>")[0])
        results[key] = {**before, **scores}

    def answer(j: int) -> None:  # tell the children waiting at cell j what the solution has there
        pending = waiting.pop(j, [])
        prints = _fingerprints(shell, set().union(*(n for n, _ in pending))) if pending else {}
        for _, pipe in pending:
            with os.fdopen(pipe, "w") as stream:
                stream.write(json.dumps(prints) + "\n")

    def child(replaced, i: int, end: int, names: set[str], verdict: int):
        def work() -> Scores:
            scores = _run_from(shell, replaced[:end], i, timeout)
            with os.fdopen(verdict) as stream:
                theirs = json.loads(stream.readline())
            mine = _fingerprints(shell, names)
            if all(mine[n] is not None and mine[n] == theirs.get(n) for n in mine):
                return {**scores, "<same after>": (end, end)}
            return {**scores, **_run_from(shell, replaced, end, timeout)}
        return work

    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        for i, cell in enumerate(cells):
            answer(i)
            keys = [k for k in wrong if index[k.split("#")[0]] == i]
            while keys and len(running) >= children:
                finish_one()
            for key in keys:
                replaced = cells[:i] + [nbformat.from_dict({**cell, "source": wrong[key]})] + cells[i + 1:]
                end = _question_end(cells, i)
                names = _names_read([c.source for c in replaced if c.cell_type == "code"],
                                    sum(1 for c in replaced[:end] if c.cell_type == "code"))
                verdict_read, verdict_write = os.pipe()
                pid, pipe = _fork(child(replaced, i, end, names, verdict_read))
                os.close(verdict_read)
                waiting.setdefault(end, []).append((names, verdict_write))
                running.append((key, dict(solution), pid, pipe))
            solution.update(_run_from(shell, cells[: i + 1], i, timeout, strict=True))
        answer(len(cells))
        while running:
            finish_one()
    position = {_nbgrader(c).get("grade_id"): j for j, c in enumerate(cells)}
    for key, end in same_after.items():
        results[key].update({gid: v for gid, v in solution.items() if position[gid] >= end})
    results["solution"] = solution
    return {key: results[key] for key in [*wrong, "solution"]}


def _check_task(task: tuple[str, dict[str, str], float]) -> tuple[str, dict[str, Scores]]:
    notebook, wrong, timeout = task
    return notebook, check(Path(notebook), wrong, timeout)


def _worker_init() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    # A notebook's cells run here and the process then forks a child per wrong answer: a
    # child forked from a process whose OpenMP thread pool has run hangs in its first
    # parallel torch op. With one thread no pool is started (the tiny models lose nothing).
    import torch

    torch.set_num_threads(1)


def check_all(notebooks: list[Path], jobs: int | None = None, timeout: float = 60) -> dict[str, dict[str, Scores]]:
    """:func:`check` of each notebook's wrong answers, ``jobs`` notebooks at a time.

    Each notebook runs in a fresh process forked from one that has imported torch and the
    package already; the notebooks with the most wrong answers start first.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    forkkernel._preload(PRELOAD)
    tasks = sorted(((str(nb), wrong_answers(nb), timeout) for nb in notebooks), key=lambda t: -len(t[1]))
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(tasks)))
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, _worker_init, maxtasksperchild=1) as pool:
        return {Path(nb).stem: result for nb, result in pool.imap_unordered(_check_task, tasks)}


def lost(scores: Scores) -> list[str]:
    """The test cells that did not get full points."""
    return sorted(gid for gid, (score, max_score) in scores.items() if score < max_score)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--json", type=Path, help="write the scores to this file instead")
    args = parser.parse_args(argv)
    checked = check_all(args.notebooks, args.jobs, args.timeout)
    if args.json:
        args.json.write_text(json.dumps(checked, indent=1))
        return 0
    for stem, results in sorted(checked.items()):
        print(stem)
        for key, scores in results.items():
            total = sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())
            print(f"  {key:40s} {total[0]:g}/{total[1]:g}  lost: {', '.join(lost(scores)) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
