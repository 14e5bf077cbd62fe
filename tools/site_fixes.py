"""Sphinx extension for the course site: small fixes for what a reader's browser sees.

- jupyter-book 1 registers sphinx-thebe's configuration script twice, and the second copy
  fails in the browser (``Identifier 'THEBE_JS_URL' has already been declared``): each
  page keeps one copy of every script.
- The theme's colour mode is empty unless set, which its script reports as an error:
  the site opens in the light mode (readers can still switch).
"""

from __future__ import annotations


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
    app.connect("html-page-context", _one_copy_of_each_script, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
