"""Write the solved exercises, executed, and a page of answers per exercise into _build/solutions/.

    python tools/solutions.py [OUT] [EXERCISE ...]   # make solutions does this

For self-learners, and for instructors who decide whether to publish them: the public site
never includes this folder. For each ``exercises/NN_slug.ipynb`` it writes

- ``OUT/notebooks/NN_slug.ipynb``: the source notebook run from top to bottom, every answer
  and test cell with its output (the hidden tests are the ones marked as such);
- ``OUT/NN_slug.html``: one section per question, with its points, the solution code (its
  comments are the explanation: every solution says why in a comment) and what the answer
  cell printed when it ran, the number an experiment question asks for;

and ``OUT/index.html`` linking them. Notebooks run one per core, in kernels forked from a
process that has imported torch and the package (tools/forkkernel.py). A notebook with an
error in any cell is reported and makes the command fail.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import os
import re
import sys
from pathlib import Path

import nbclient
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import forkkernel  # noqa: E402
import grading  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "solutions"
SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION\n?", re.S)
TIMEOUT = 120  # seconds per cell


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def answer_code(source: str) -> str:
    """An answer cell's source with the solution markers removed (and their indentation kept)."""
    return SOLUTION.sub(lambda m: m.group(1), source)


def questions(nb) -> list[dict]:
    """Each answer cell of ``nb`` with its question's heading, points, code and printed output."""
    found, heading = [], ""
    points: dict[str, float] = {}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            points[meta["grade_id"]] = points.get(meta["grade_id"], 0) + meta.get("points", 0)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## "):
            heading = cell.source.lstrip().splitlines()[0][3:].strip()
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            answer_id = meta["grade_id"]
            printed = "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")
            printed += "".join(out.get("data", {}).get("text/plain", "") for out in cell.get("outputs", [])
                               if out.output_type == "execute_result")
            found.append(dict(
                id=answer_id, heading=heading, code=answer_code(cell.source), printed=printed,
                points=sum(p for gid, p in points.items() if gid.startswith(f"test_{answer_id}_")),
            ))
    return found


def title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip().splitlines()[0][2:].strip()
    return fallback


def run(path: Path) -> tuple[Path, object, str | None]:
    """Execute one solved exercise; (path, executed notebook, error message or None)."""
    nb = nbformat.read(path, as_version=4)
    try:
        nbclient.execute(nb, cwd=str(path.parent), timeout=TIMEOUT,
                         kernel_manager_class=forkkernel.ForkingKernelManager)
    except Exception as error:  # noqa: BLE001 - reported with the notebook's name
        return path, nb, f"{type(error).__name__}: {error}"
    return path, nb, None


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
pre {{ background: #f5f5f5; padding: 0.8rem; overflow-x: auto; font-size: 0.9rem; }}
.printed {{ background: #eef6ee; }}
</style></head><body>
{body}
</body></html>
"""


def exercise_page(nb, stem: str) -> str:
    name = title(nb, stem)
    parts = [f"<h1>Solutions: {html.escape(name)}</h1>",
             f'<p>The solved notebook, run, with every test: <a href="notebooks/{stem}.ipynb">'
             f"{stem}.ipynb</a>. The comments in each solution explain it.</p>"]
    for q in questions(nb):
        parts.append(f"<h2>{html.escape(q['heading'] or q['id'])}</h2>")
        parts.append(f"<p>Answer cell <code>{q['id']}</code>, {q['points']:g} points.</p>")
        parts.append(f"<pre><code>{html.escape(q['code'].strip())}</code></pre>")
        if q["printed"].strip():
            parts.append(f"<p>It printed:</p><pre class=\"printed\">{html.escape(q['printed'].strip())}</pre>")
    parts.append('<p><a href="index.html">All exercises</a></p>')
    return PAGE.format(title=html.escape(f"Solutions: {name}"), body="\n".join(parts))


def index_page(entries: list[tuple[str, str]]) -> str:
    items = "\n".join(f'<li><a href="{stem}.html">{html.escape(name)}</a></li>' for stem, name in entries)
    body = ("<h1>Solutions to the exercises</h1>\n<p>Each page gives the answers of one exercise with "
            "a short explanation; the notebooks folder has the solved notebooks, run.</p>\n"
            f"<ul>\n{items}\n</ul>")
    return PAGE.format(title="Solutions to the exercises", body=body)


def build(out: Path, notebooks: list[Path], jobs: int | None = None) -> list[str]:
    """Write the solutions of ``notebooks`` into ``out``; the errors (empty if none)."""
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(notebooks)))
    errors, entries = [], []
    grading.one_thread_per_kernel()
    with grading.kernel_server():
        with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=1) as pool:
            results = pool.map(run, notebooks, chunksize=1)
    for path, nb, error in results:
        if error:
            errors.append(f"{path.name}: {error}")
            continue
        nbformat.write(nb, out / "notebooks" / path.name)
        (out / f"{path.stem}.html").write_text(exercise_page(nb, path.stem), encoding="utf8")
        entries.append((path.stem, title(nb, path.stem)))
    (out / "index.html").write_text(index_page(sorted(entries)), encoding="utf8")
    return errors


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT)
    parser.add_argument("exercises", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.exercises] or grading.exercises()
    errors = build(args.out, notebooks, args.jobs)
    for error in errors:
        print(f"failed: {error}", file=sys.stderr)
    print(f"wrote the solutions of {len(notebooks) - len(errors)} exercise(s) to {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
