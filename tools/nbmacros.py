"""Make every notebook read right outside the book (JupyterLab, Binder, Colab).

    python tools/nbmacros.py [NB.ipynb ...]     # default: chapters/*.ipynb exercises/*.ipynb

Idempotent: each notebook is read right before it is rewritten, and only two things change.

- **Math macros.** ``_config.yml`` (``sphinx.config.mathjax3_config.tex.macros``) is the one
  source of truth. Each notebook gets one markdown cell, right after the Colab install cell,
  that defines the same macros with ``\\newcommand`` for the notebook's own MathJax (JupyterLab,
  Binder, Colab). The cell is tagged ``remove-cell``: the site defines them in its MathJax
  configuration. A rerun refreshes the cell from ``_config.yml``.
- **Citations.** A MyST role such as ``{cite}`duchi2011adaptive``` is raw text outside the
  book. It becomes a Markdown link that reads as a citation everywhere,
  ``([Duchi et al., 2011](#cite-duchi2011adaptive))``, and that the site turns back into a real
  citation of references.bib (tools/site_fixes.py). Several keys:
  ``([Duchi et al., 2011](#cite-duchi2011adaptive); [Kingma and Ba, 2015](#cite-kingma2014adam))``.
  A link outside parentheses, ``[Duchi et al. (2011)](#cite-duchi2011adaptive)``, becomes a
  textual citation ("Duchi et al. (2011)").
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- Math macros for JupyterLab, Binder and Colab, made by tools/nbmacros.py from _config.yml. -->"
ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def config_macros() -> dict[str, str | list]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]


def macro_source(macros: dict[str, str | list] | None = None) -> str:
    """The source of the macro cell: one ``\\newcommand`` a line, inside one ``$...$``."""
    lines = []
    for name, body in (macros or config_macros()).items():
        if isinstance(body, list):
            body, nargs = body[0], body[1]
            lines.append(rf"\newcommand{{\{name}}}[{nargs}]{{{body}}}")
        else:
            lines.append(rf"\newcommand{{\{name}}}{{{body}}}")
    return MARKER + "\n$" + "\n".join(lines) + "$"


def _bib_labels() -> dict[str, str]:
    """Author-year labels as the site shows them: "Duchi et al., 2011", "Kingma and Ba, 2015"."""
    import latexcodec  # noqa: F401  (registers the "ulatex" codec)
    from pybtex.database import parse_file

    labels = {}
    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [codecs.decode(" ".join(p.last_names), "ulatex").replace("{", "").replace("}", "") for p in people]
        if len(last) >= 3:
            who = f"{last[0]} et al."
        elif len(last) == 2:
            who = f"{last[0]} and {last[1]}"
        else:
            who = last[0] if last else key
        labels[key] = f"{who}, {entry.fields.get('year', 'n.d.')}"
    return labels


def citation_link(keys: list[str], labels: dict[str, str]) -> str:
    """``(KEY1, KEY2)`` as a parenthesized list of Markdown links."""
    missing = [k for k in keys if k not in labels]
    if missing:
        raise SystemExit(f"not in references.bib: {', '.join(missing)}")
    return "(" + "; ".join(f"[{labels[k]}](#cite-{k})" for k in keys) + ")"


def fix_notebook(path: Path, labels: dict[str, str], macros: str) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and ROLE.search(cell.source):
            cell.source = ROLE.sub(
                lambda m: citation_link([k.strip() for k in m.group(1).split(",")], labels), cell.source
            )
            changed = True
    cells = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(MARKER)]
    if cells:
        cell = cells[0]
        for extra in cells[1:]:
            nb.cells.remove(extra)
            changed = True
        if cell.source != macros:
            cell.source = macros
            changed = True
    else:
        cell = nbformat.v4.new_markdown_cell(macros, id="math-macros", metadata={"tags": ["remove-cell"]})
        nb.cells.insert(1, cell)  # after the Colab install cell, before any formula
        changed = True
    if nb.cells.index(cell) != 1:
        nb.cells.remove(cell)
        nb.cells.insert(1, cell)
        changed = True
    if "remove-cell" not in cell.metadata.get("tags", []):
        cell.metadata.setdefault("tags", []).append("remove-cell")
        changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])
    labels, macros = _bib_labels(), macro_source()
    for path in paths:
        if fix_notebook(path, labels, macros):
            print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
