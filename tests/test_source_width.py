"""The package source fits the site's code column.

Chapters show package functions with ``inspect.getsource``; at the site's
code column 78 characters of code fit, so every line of ``lib/regopt`` is
at most 76 characters (the browser test checks the rendered pages).
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "regopt"
WIDTH = 76
SOURCES = sorted(PACKAGE.rglob("*.py"))


def long_lines(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line: N characters`` for every line of ``path`` over WIDTH."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path.relative_to(root)}:{number}: {len(line)} characters"
        for number, line in enumerate(lines, start=1)
        if len(line) > WIDTH
    ]


def test_the_package_sources_are_all_checked():
    assert PACKAGE / "__init__.py" in SOURCES
    assert PACKAGE / "optim" / "adaptive.py" in SOURCES
    assert len(SOURCES) > 20, SOURCES


def test_a_line_one_character_too_long_is_named_by_file_line_and_length(tmp_path):
    source = tmp_path / "wide.py"
    source.write_text(
        "x = 1\n"
        + "y = " + "1" * (WIDTH - 4) + "\n"  # exactly WIDTH: fits
        + "z = " + "2" * (WIDTH - 3) + "\n"  # WIDTH + 1: too long
        + "\n"
    )
    assert long_lines(source, tmp_path) == [f"wide.py:3: {WIDTH + 1} characters"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_line_of_the_package_fits_76_columns(path):
    wide = long_lines(path)
    assert not wide, f"{len(wide)} lines longer than {WIDTH} characters:\n" + "\n".join(wide)
