"""Argument checks shared by the package: one message style everywhere.

Every public function validates what enters it and says which argument, what
value, and what was expected, in the style of ``torch.optim``
("Invalid learning rate: -1"). Numbers may be Python's or NumPy's
(``np.float32(0.5)``, ``np.int64(3)``), as torch accepts.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import torch


def is_int(value: object) -> bool:
    """True for an integer, Python's or NumPy's (NumPy registers its types
    with ``numbers``), not a bool.
    """
    return (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    )


def is_real(value: object) -> bool:
    """True for a real number, Python's or NumPy's, but not for a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive(
    name: str, value: float, *, allow_zero: bool = False
) -> None:
    """Raise ``ValueError`` unless ``value`` is positive
    (or zero, if allowed).
    """
    try:
        ok = bool(value >= 0 if allow_zero else value > 0)
    except (TypeError, RuntimeError):
        # not a number (None, a string, a tensor of many entries)
        ok = False
    if not ok:
        expected = (
            "a non-negative number" if allow_zero else "a positive number"
        )
        raise ValueError(f"Invalid {name}: {value} (expected {expected})")


def check_positive_int(name: str, value: int) -> None:
    """Raise ``ValueError`` unless ``value`` is an integer of at least one.
    """
    if not is_int(value) or value < 1:
        raise ValueError(
            f"Invalid {name}: {value!r} (expected an integer >= 1)"
        )


def check_fraction(
    name: str, value: float, *, low: float = 0.0, high: float = 1.0
) -> None:
    """Raise ``ValueError`` unless ``low <= value < high``."""
    if not is_real(value) or not low <= value < high:
        raise ValueError(
            f"Invalid {name}: {value} (expected {low} <= {name} < {high})"
        )


def check_choice(name: str, value: str, choices: Iterable[str]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    options = sorted(choices)
    if value not in options:
        raise ValueError(
            f"Unknown {name}: {value!r} (expected one of "
            f"{', '.join(map(repr, options))})"
        )


def check_ndim(name: str, tensor: torch.Tensor, ndim: int) -> None:
    """Raise ``ValueError`` unless ``tensor`` has ``ndim`` dimensions."""
    if tensor.dim() != ndim:
        raise ValueError(
            f"Invalid {name}: expected a {ndim}-D tensor, got shape "
            f"{tuple(tensor.shape)}"
        )


def check_columns(
    name: str, tensor: torch.Tensor, columns: int, expected: str
) -> None:
    """Raise ``ValueError`` unless the 2-D ``tensor`` has ``columns``
    columns (``expected`` says why).
    """
    if tensor.dim() != 2 or tensor.shape[1] != columns:
        raise ValueError(
            f"Invalid {name}: expected shape (N, {columns}) ({expected}), "
            f"got {tuple(tensor.shape)}"
        )


def check_same_length(
    x_name: str, x: torch.Tensor, y_name: str, y: torch.Tensor
) -> None:
    """Raise ``ValueError`` unless ``x`` and ``y`` have the same number
    of rows.
    """
    if len(x) != len(y):
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of rows, got "
            f"{len(x)} and {len(y)}"
        )
