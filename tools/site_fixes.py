"""Sphinx extension for the course site: small fixes for what a reader's browser sees.

- jupyter-book 1 registers sphinx-thebe's configuration script twice, and the second copy
  fails in the browser (``Identifier 'THEBE_JS_URL' has already been declared``): each
  page keeps one copy of every script.
- The theme's colour mode is empty unless set, which its script reports as an error:
  the site opens in the light mode (readers can still switch).
- Notebooks cite as Markdown links that read as citations outside the book (JupyterLab,
  Colab): ``([Duchi et al., 2011](#cite-duchi2011adaptive))``. Before a notebook is parsed,
  each parenthesized group of such links becomes ``{cite:p}`key1,key2``` and a bare link
  ``[Duchi et al. (2011)](#cite-duchi2011adaptive)`` becomes ``{cite:t}`duchi2011adaptive```:
  sphinxcontrib-bibtex then resolves them against references.bib (an unknown key fails the
  -W build) and lists them in the bibliography (tools/nbmacros.py writes the links).
"""

from __future__ import annotations

import re

_LINK = r"\[[^\]\n]+\]\(#cite-([^)\s]+)\)"
CITE_GROUP = re.compile(rf"\(\s*{_LINK}(?:\s*;\s*{_LINK})*\s*\)")
CITE_LINK = re.compile(_LINK)


def citations_to_roles(text: str) -> str:
    """Markdown citation links to sphinxcontrib-bibtex roles (see the module docstring)."""

    def group(match: re.Match) -> str:
        keys = CITE_LINK.findall(match.group(0))
        return "{cite:p}`" + ",".join(keys) + "`"

    text = CITE_GROUP.sub(group, text)
    return CITE_LINK.sub(lambda m: "{cite:t}`" + m.group(1) + "`", text)


def _citations(app, docname, source) -> None:
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = citations_to_roles(source[0])


def _one_copy_of_each_script(app, pagename, templatename, context, doctree) -> None:
    seen: set[tuple] = set()
    unique = []
    for script in context.get("script_files", []):
        # The copies differ only in how they spell "no file": None or "".
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    context["default_mode"] = context.get("default_mode") or "light"


def setup(app):
    app.connect("source-read", _citations)
    app.connect("html-page-context", _one_copy_of_each_script, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
