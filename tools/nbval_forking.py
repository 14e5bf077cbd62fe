"""A pytest plugin: nbval's kernels forked from a process that has imported the course's modules.

    PYTHONPATH=tools python -m pytest -p nbval_forking --nbval-lax chapters   # make test does this

Each notebook still gets a fresh kernel process of its own (tools/forkkernel.py), only the
seconds a kernel spends importing ipykernel, torch, scikit-learn and the package are gone.

With ``--nbval-book-cache``, each chapter of the book whose cells all passed is also written,
with the outputs nbval received, into the jupyter-cache that the book build renders from
(``_build/.jupyter_cache``, as tools/execute.py fills it). ``make test`` runs the chapters
this way, so its book build renders the run that nbval checked instead of running every
chapter a second time; ``make book`` on its own still executes them.
"""

from __future__ import annotations

import copy
import fcntl
import io
import os
import tokenize
from pathlib import Path

import forkkernel
import grading

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser) -> None:
    parser.addoption("--nbval-book-cache", action="store_true",
                     help="write each chapter that passed, with its outputs, into the book's jupyter-cache")


def pytest_configure(config) -> None:
    import nbval.kernel

    nbval.kernel.KernelManager = forkkernel.ForkingSyncKernelManager
    if not os.environ.get(forkkernel.SOCKET_VARIABLE):  # a worker may share its parent's server
        server = grading.kernel_server()
        server.__enter__()
        config._forkkernel_server = server
    if config.getoption("--nbval-book-cache"):
        config.pluginmanager.register(BookCache(), "nbval_book_cache")


def pytest_unconfigure(config) -> None:
    server = getattr(config, "_forkkernel_server", None)
    if server is not None:
        server.__exit__(None, None, None)


def quiet(source: str) -> bool:
    """Whether IPython hides the cell's value: its last token is a semicolon.

    nbval runs cells without storing them in IPython's history, which is where IPython looks
    for that semicolon, so its outputs still have the value: drop it as a notebook run does.
    """
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                    tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, SyntaxError):
        return source.rstrip().endswith(";")
    return bool(tokens) and tokens[-1].string == ";"


class BookCache:
    """Collects each notebook's cell outputs as nbval runs it; caches the notebook when all passed."""

    def __init__(self) -> None:
        import execute

        self.cache_dir = execute.CACHE
        self.book = {str(p.resolve()) for p in execute.toc_notebooks()}
        self.failed: set[str] = set()
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report) -> None:
        path = str(Path(report.fspath).resolve())
        self.seconds[path] = self.seconds.get(path, 0.0) + report.duration
        if report.failed or report.skipped and report.when == "call":
            self.failed.add(path)

    def pytest_runtest_teardown(self, item, nextitem) -> None:
        notebook = getattr(item, "parent", None)
        if nextitem is not None and getattr(nextitem, "parent", None) is notebook:
            return  # not the notebook's last cell yet
        path = str(Path(item.fspath).resolve())
        if path in self.book and path not in self.failed and hasattr(notebook, "nb"):
            self.store(path, notebook)

    def store(self, path: str, notebook) -> None:
        import nbformat
        from jupyter_cache import get_cache
        from jupyter_cache.base import CacheBundleIn

        cells = {child.cell_num: child for child in notebook.session.items if child.parent is notebook}
        nb = copy.deepcopy(notebook.nb)
        count = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            ran = cells.get(count)
            count += 1
            if ran is None or ran.test_outputs is None:
                return  # a cell did not run (deselected): leave it to the book build
            cell.execution_count = count
            cell.outputs = [nbformat.from_dict(dict(out)) for out in ran.test_outputs
                            if not (out.output_type == "execute_result" and quiet(cell.source))]
            for out in cell.outputs:
                if out.output_type == "execute_result":
                    out.execution_count = count
        nbformat.validate(nb)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # one writer at a time: the xdist workers share the cache's SQLite database
        with open(self.cache_dir.parent / ".jupyter_cache.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cache = get_cache(str(self.cache_dir))
            cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, path, data={"execution_seconds": self.seconds.get(path, 0.0)}),
                check_validity=True, overwrite=True,
            )
