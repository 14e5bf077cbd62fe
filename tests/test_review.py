"""The review page: one entry per review question of the lecture, each linking to the
section of a chapter that works it out and to an exercise, and every link resolving."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml
from mdit_py_plugins.anchors.index import slugify

ROOT = Path(__file__).resolve().parent.parent
REVIEW = (ROOT / "review.md").read_text()
REPO = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
# The lecture's review questions, in its order, each named by words its entry's heading must contain.
QUESTIONS = [
    ("initialize", "biases"), ("zero", "constant"), ("random matrices",), ("circular law", "marchenko", "pastur"),
    ("xavier", "kaiming"), ("orthogonal",), ("how would you initialize",), ("variations of sgd", "motivated"),
    ("which sgd variant", "prefer"), ("under", "overfitting"), ("capacity",), ("groups of regularization",),
    ("vanishing", "exploding"), ("relu help",), ("dying",), ("reactivate", "dead"), ("gradient clipping",),
    ("l1", "l2", "backpropagation"), ("weight decay",), ("batch normalization",), ("dropout", "implement"),
    ("dropconnect", "implement"), ("dropout and dropconnect relate",),
]
ENTRIES = re.split(r"^## ", REVIEW, flags=re.M)[1:]


def headings(notebook: Path) -> set[str]:
    """The anchors MyST gives a chapter's section headings."""
    nb = nbformat.read(notebook, as_version=4)
    lines = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()]
    return {slugify(line.lstrip("#").strip()) for line in lines if re.match(r"#{1,3} ", line)}


def test_one_entry_per_review_question_in_order():
    assert len(ENTRIES) == len(QUESTIONS)
    for entry, words in zip(ENTRIES, QUESTIONS):
        heading = entry.splitlines()[0].lower()
        assert all(w in heading for w in words), (heading, words)


def test_every_entry_answers_and_links_a_section_and_an_exercise():
    for entry in ENTRIES:
        heading, *body = entry.splitlines()
        answer = " ".join(body).split("See ")[0]
        assert 2 <= answer.count(". ") + 1 <= 6 and len(answer) > 150, heading
        assert re.search(r"\]\(chapters/\d\d_\w+\.ipynb#[\w-]+\)", entry), f"{heading}: no link to a section"
        assert f"]({REPO}/blob/main/exercises/" in entry, f"{heading}: no link to an exercise"


def test_every_link_resolves():
    toc = (ROOT / "_toc.yml").read_text()
    for target, anchor in re.findall(r"\]\((chapters/\w+\.ipynb)(?:#([\w-]+))?\)", REVIEW):
        assert (ROOT / target).exists() and target.removesuffix(".ipynb") in toc, target
        if anchor:
            assert anchor in headings(ROOT / target), f"{target} has no section #{anchor}"
    exercises = re.findall(rf"\]\({re.escape(REPO)}/blob/main/(exercises/\w+\.ipynb)\)", REVIEW)
    assert exercises
    for path in exercises:
        assert (ROOT / path).exists(), path
