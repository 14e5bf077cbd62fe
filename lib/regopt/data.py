"""Data sets used by the book: the 8x8 digits and small synthetic problems.

Nothing is downloaded: the digits ship with scikit-learn (``load_digits``),
everything else is generated from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits as _sklearn_digits
from sklearn.datasets import make_moons

from ._checks import check_fraction, check_positive, check_positive_int

__all__ = [
    "Split", "digits", "noisy_regression", "two_moons", "separable_classes"
]

Pair = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class Split:
    """Train, validation and test parts of a data set, each an ``(X, y)``
    pair.
    """

    train: Pair
    val: Pair
    test: Pair

    @property
    def n_features(self) -> int:
        return self.train[0].shape[1]


def _split_indices(
    n: int, val_fraction: float, test_fraction: float, seed: int
):
    perm = np.random.default_rng(seed).permutation(n)
    n_test = int(round(test_fraction * n))
    n_val = int(round(val_fraction * n))
    return (
        perm[n_test + n_val :], perm[n_test : n_test + n_val], perm[:n_test]
    )


def digits(
    *,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    classes: tuple[int, ...] | None = None,
    standardize: bool = True,
    dtype: torch.dtype = torch.float32,
    seed: int = 0,
) -> Split:
    """The 8x8 handwritten digits (1797 images, 64 pixels) as a fixed
    train/val/test split.

    Pixels are standardized with the training part's mean and standard
    deviation (``x' = (x - mu_train) / sigma_train``; constant pixels keep
    sigma = 1), so no statistic leaks from the validation or test images.
    ``classes`` keeps only those digits; the labels stay the digits
    themselves (0-9), not re-numbered.
    """
    check_fraction("val_fraction", val_fraction)
    check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            "Invalid fractions: val_fraction + test_fraction = "
            f"{val_fraction + test_fraction} (expected < 1, so that "
            "something is left to train on)"
        )
    X, y = _sklearn_digits(return_X_y=True)
    if classes is not None:
        unknown = set(classes) - set(range(10))
        if unknown or not classes:
            raise ValueError(
                f"Invalid classes: {classes!r} (expected digits "
                "between 0 and 9)"
            )
        keep = np.isin(y, classes)
        X, y = X[keep], y[keep]
    train, val, test = _split_indices(
        len(X), val_fraction, test_fraction, seed
    )
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std[std == 0] = 1.0
    if standardize:
        X = (X - mean) / std

    def pair(idx: np.ndarray) -> Pair:
        return (
            torch.as_tensor(X[idx], dtype=dtype),
            torch.as_tensor(y[idx], dtype=torch.long),
        )

    return Split(pair(train), pair(val), pair(test))


def noisy_regression(
    n: int,
    *,
    n_features: int = 1,
    noise: float = 0.1,
    func: str = "linear",
    dtype: torch.dtype = torch.float32,
    seed: int = 0,
) -> Pair:
    """Samples ``y = f(x) + noise * eps`` with ``x ~ U[-1, 1]^d`` and
    ``eps ~ N(0, 1)``.

    ``func="linear"`` uses ``f(x) = x @ w`` with ``w = (1, -2, 3, ...)``;
    ``func="sine"`` uses ``f(x) = sin(pi * x_1)`` (a curve for capacity
    experiments). Returns ``X`` of shape (n, d) and ``y`` of shape (n,).
    """
    check_positive_int("n", n)
    check_positive_int("n_features", n_features)
    check_positive("noise", noise, allow_zero=True)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, n_features))
    if func == "linear":
        w = np.arange(1, n_features + 1) * (-1.0) ** np.arange(n_features)
        f = X @ w
    elif func == "sine":
        f = np.sin(np.pi * X[:, 0])
    else:
        raise ValueError(
            f"Unknown func: {func!r} (expected 'linear' or 'sine')"
        )
    y = f + noise * rng.standard_normal(n)
    return torch.as_tensor(X, dtype=dtype), torch.as_tensor(y, dtype=dtype)


def two_moons(
    n: int,
    *,
    noise: float = 0.1,
    dtype: torch.dtype = torch.float32,
    seed: int = 0,
) -> Pair:
    """Two interleaved half circles in 2-D with labels 0 and 1
    (scikit-learn's ``make_moons``).
    """
    check_positive_int("n", n)
    check_positive("noise", noise, allow_zero=True)
    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return (
        torch.as_tensor(X, dtype=dtype),
        torch.as_tensor(y, dtype=torch.long),
    )


def separable_classes(
    n: int,
    *,
    n_features: int = 2,
    margin: float = 0.5,
    dtype: torch.dtype = torch.float32,
    seed: int = 0,
) -> Pair:
    """Two linearly separable Gaussian blobs, labels 0 and 1.

    Points are drawn from N(0, I) and kept only if ``|x_1| >= margin``; the
    label is ``x_1 > 0``, so the hyperplane ``x_1 = 0`` separates the
    classes with the given margin.
    """
    check_positive_int("n", n)
    check_positive_int("n_features", n_features)
    check_positive("margin", margin, allow_zero=True)
    rng = np.random.default_rng(seed)
    rows = []
    while sum(len(r) for r in rows) < n:
        X = rng.standard_normal((2 * n, n_features))
        rows.append(X[np.abs(X[:, 0]) >= margin])
    X = np.concatenate(rows)[:n]
    y = (X[:, 0] > 0).astype(np.int64)
    return torch.as_tensor(X, dtype=dtype), torch.as_tensor(y)
