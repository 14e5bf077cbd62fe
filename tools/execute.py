"""Execute the book's chapters one per core into the cache that the book build reads.

    python tools/execute.py   # before `jupyter-book build .` (make book does this)

`jupyter-book build` executes notebooks one after another. This fills its jupyter-cache
(`_build/.jupyter_cache`) first, with as many kernels as there are cores, so the build
then only renders. The cache is keyed on the notebooks' code, so an unchanged chapter is
not run again (`make test` has nbval put the chapters it ran there: tools/nbval_forking.py).
A chapter that fails here is left out of the cache: the build runs it
once more and stops on the error, with the traceback in its log.

The kernels are forked from a process that has imported torch, scikit-learn and the
package already (tools/forkkernel.py): each chapter still runs in a fresh process of its
own, without the seconds of imports.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import yaml
import nbclient
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor
from jupyter_cache.executors import utils as executor_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forkkernel  # noqa: E402
import grading  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMEOUT = 120  # seconds per cell, as execute.timeout in _config.yml


def toc_notebooks() -> list[Path]:
    """The notebooks listed in _toc.yml, in book order."""
    files: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    cache = get_cache(str(CACHE))
    for notebook in toc_notebooks():
        cache.add_nb_to_project(str(notebook))
    if not cache.list_unexecuted():
        print("every chapter is in the cache, up to date (make test's nbval run puts them there)")
        return 0
    executor = load_executor("local-parallel", cache, logger=logging.getLogger("execute"))
    # jupyter-cache's workers are forked from this process: they inherit both changes.
    executor_utils.executenb = functools.partial(
        nbclient.execute, kernel_manager_class=forkkernel.ForkingKernelManager
    )
    with grading.kernel_server():
        result = executor.run_and_cache(timeout=TIMEOUT)
    for uri in result.errored + result.excepted:
        print(f"failed, the book build will show why: {Path(uri).relative_to(ROOT)}", file=sys.stderr)
    seconds = {r.uri: r.data.get("execution_seconds") for r in cache.list_cache_records()}  # newest record wins
    for uri in sorted(result.succeeded):
        flag = "  <- over the 60 s a chapter may take" if seconds.get(uri, 0) > 60 else ""
        print(f"{seconds.get(uri, float('nan')):6.1f} s  {Path(uri).relative_to(ROOT)}{flag}")
    print(f"executed {len(result.succeeded)} notebook(s), {len(result.errored + result.excepted)} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
