"""Edit notebooks as plain text, and keep committed notebooks clean.

    python tools/nbtext.py to-text chapters/01_training_loop.ipynb > /tmp/01.txt
    python tools/nbtext.py to-ipynb /tmp/01.txt chapters/01_training_loop.ipynb
    python tools/nbtext.py strip chapters/*.ipynb exercises/*.ipynb

The text form is one cell after another, each opened by a marker line
``# %%`` (code) or ``# %% [markdown]``, optionally followed by the cell's metadata as
one JSON object, e.g. ``# %% {"tags": ["remove-cell"]}``. ``strip`` removes outputs and
execution counts, since the book build executes every notebook.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

MARKER = re.compile(r"^# %%(?: \[(markdown)\])?(?: (\{.*\}))?\s*$")
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def text_to_notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    kind, meta, lines = None, {}, []

    def flush() -> None:
        if kind is None:
            return
        source = "\n".join(lines).strip("\n")
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, metadata=meta))

    for line in text.splitlines():
        match = MARKER.match(line)
        if match:
            flush()
            kind = match.group(1) or "code"
            meta, lines = (json.loads(match.group(2)) if match.group(2) else {}), []
        else:
            lines.append(line)
    flush()
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:03d}"
    return nb


def notebook_to_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        marker = "# %% [markdown]" if cell.cell_type == "markdown" else "# %%"
        meta = {k: v for k, v in cell.metadata.items() if k not in ("execution",)}
        if meta:
            marker += " " + json.dumps(meta)
        parts.append(f"{marker}\n{cell.source}\n")
    return "\n".join(parts)


def strip(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            cell.outputs, cell.execution_count, changed = [], None, True
        if "execution" in cell.metadata:
            del cell.metadata["execution"]
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "to-ipynb":
        nb = text_to_notebook(Path(argv[1]).read_text())
        nbformat.validate(nb)
        nbformat.write(nb, argv[2])
    elif len(argv) == 2 and argv[0] == "to-text":
        sys.stdout.write(notebook_to_text(nbformat.read(argv[1], as_version=4)))
    elif argv and argv[0] == "strip":
        for name in argv[1:]:
            if strip(Path(name)):
                print(f"stripped {name}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
