"""Random matrices: the laws behind initialization scales (chapter 8).

- Circular law: the eigenvalues of an n x n matrix with i.i.d. N(0, sigma^2)
  entries fill, as n grows, the disc of radius sqrt(n) sigma uniformly
  (radius 1 for sigma^2 = 1/n).
- Marchenko-Pastur law: the eigenvalues of (1/n) X^T X, for X of shape n x p
  with i.i.d. N(0, sigma^2) entries and aspect ratio q = p/n <= 1
  (``ratio`` in the code; the chapter keeps lambda for eigenvalues), have
  the density

      rho(x) = sqrt((b - x)(x - a)) / (2 pi sigma^2 q x)   on [a, b],
      a, b   = sigma^2 (1 -+ sqrt(q))^2.

  The singular values of X / sqrt(n) are the square roots of those
  eigenvalues.
- Extreme singular values: an N x k matrix (N >= k) with N(0, 1) entries has
  its singular values in about
  [sqrt(N) - sqrt(k), sqrt(N) + sqrt(k)] = sqrt(N) (1 -+ sqrt(k/N)).
  (This is the square root of the MP edges, scaled by sqrt(N).)
- A layer W of shape n_out x n_in with entries of variance sigma^2 has
  forward gain g_f = n_in sigma^2 and backward gain g_b = n_out sigma^2
  (per unit), and its nonzero singular values fill
  [|sqrt(g_f) - sqrt(g_b)|, sqrt(g_f) + sqrt(g_b)].
- A deep network x_l = phi(W_l x_{l-1}) has the input-output Jacobian
  J_l = D_l W_l J_{l-1}, a product of random matrices again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from ._checks import (
    check_choice,
    check_positive,
    check_positive_int,
    is_int,
)

__all__ = [
    "gaussian_matrix",
    "eigenvalues",
    "singular_values",
    "circular_law_radius",
    "marchenko_pastur_edges",
    "marchenko_pastur_pdf",
    "marchenko_pastur_cdf",
    "extreme_singular_values",
    "layer_singular_value_edges",
    "deep_network_jacobians",
    "ks_distance",
]


def gaussian_matrix(
    n: int,
    m: int | None = None,
    *,
    variance: float | None = None,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """An n x m matrix (n x n without ``m``) of i.i.d. N(0, variance)
    entries; variance 1/n by default.
    """
    check_positive_int("n", n)
    m = n if m is None else m
    check_positive_int("m", m)
    variance = 1.0 / n if variance is None else variance
    check_positive("variance", variance)
    # (n, m)
    return math.sqrt(variance) * torch.randn(
        n, m, generator=generator, dtype=dtype
    )


def _check_matrix(A: torch.Tensor, *, square: bool) -> None:
    if A.dim() != 2 or (square and A.shape[0] != A.shape[1]):
        expected = "a square 2-D" if square else "a 2-D"
        raise ValueError(
            f"Invalid A: expected {expected} tensor, got shape "
            f"{tuple(A.shape)}"
        )


def eigenvalues(A: torch.Tensor) -> torch.Tensor:
    """The n (complex) eigenvalues of a square matrix A, as a complex tensor
    of shape (n,).
    """
    _check_matrix(A, square=True)
    return torch.linalg.eigvals(A)


def singular_values(A: torch.Tensor) -> torch.Tensor:
    """The min(n, m) singular values of an n x m matrix A, in
    descending order.
    """
    _check_matrix(A, square=False)
    return torch.linalg.svdvals(A)


def circular_law_radius(variance: float, n: int) -> float:
    """Radius sqrt(n sigma^2) of the disc that the eigenvalues of an n x n
    N(0, sigma^2) matrix fill.
    """
    check_positive("variance", variance)
    check_positive_int("n", n)
    return math.sqrt(n * variance)


def _check_mp(ratio: float, variance: float) -> None:
    if not 0 < ratio <= 1:
        raise ValueError(
            f"Invalid ratio: {ratio} (expected 0 < ratio = p/n <= 1)"
        )
    check_positive("variance", variance)


def marchenko_pastur_edges(
    ratio: float, variance: float = 1.0
) -> tuple[float, float]:
    """The support
    [a, b] = sigma^2 [(1 - sqrt(q))^2, (1 + sqrt(q))^2] of the MP law,
    q = ``ratio`` = p/n.

    For the singular values of X / sqrt(n), take square roots:
    [1 - sqrt(q), 1 + sqrt(q)] sigma.
    """
    _check_mp(ratio, variance)
    return (
        variance * (1 - math.sqrt(ratio)) ** 2,
        variance * (1 + math.sqrt(ratio)) ** 2,
    )


def marchenko_pastur_pdf(
    x: np.ndarray | float, ratio: float, variance: float = 1.0
) -> np.ndarray:
    """The MP density rho(x) of the eigenvalues of (1/n) X^T X
    (zero outside [a, b]).

    Note: only ratio = p/n <= 1 (at least as many rows as columns). For
    p > n the matrix X^T X is singular and the law has an extra point mass
    1 - n/p at zero.
    """
    a, b = marchenko_pastur_edges(ratio, variance)
    x = np.asarray(x, dtype=float)
    inside = (x > a) & (x < b)
    # keep the formula finite where it is masked out
    xs = np.where(inside, x, (a + b) / 2)
    rho = (
        np.sqrt((b - xs) * (xs - a))
        / (2 * math.pi * variance * ratio * xs)
    )
    return np.where(inside, rho, 0.0)


def marchenko_pastur_cdf(
    x: np.ndarray | float,
    ratio: float,
    variance: float = 1.0,
    *,
    points: int = 4001,
) -> np.ndarray:
    """The MP distribution function F(x) = integral of rho from a to x, by
    numerical integration.

    With x = a + (b - a)(1 - cos t)/2, t in [0, pi], the square roots at the
    edges become sin t and the integrand rho(x) dx/dt is smooth, so the
    trapezoid rule on ``points`` values of t is accurate to about 1e-6.
    """
    a, b = marchenko_pastur_edges(ratio, variance)
    if not is_int(points) or points < 2:
        raise ValueError(
            f"Invalid points: {points!r} (expected an integer >= 2)"
        )
    t = np.linspace(0.0, math.pi, points)
    grid = a + (b - a) * (1 - np.cos(t)) / 2
    half = (b - a) / 2
    grid_safe = np.where(grid > 0, grid, np.finfo(float).tiny)
    # rho(x(t)) x'(t)
    integrand = (
        (half * np.sin(t)) ** 2
        / (2 * math.pi * variance * ratio * grid_safe)
    )
    if a == 0:  # ratio 1: the limit of sin^2 t / x(t) at t = 0 is 4 / b
        integrand[0] = half**2 * 4 / b / (2 * math.pi * variance * ratio)
    F = np.concatenate(
        [
            [0.0],
            np.cumsum((integrand[1:] + integrand[:-1]) / 2 * np.diff(t)),
        ]
    )
    # remove the small quadrature error so that F(b) = 1 exactly
    F = F / F[-1]
    return np.interp(
        np.asarray(x, dtype=float), grid, F, left=0.0, right=1.0
    )


def extreme_singular_values(n: int, k: int) -> tuple[float, float]:
    """Predicted smallest and largest singular values of an n x k N(0, 1)
    matrix, n >= k:

        s_min ~ sqrt(n) - sqrt(k) = sqrt(n) (1 - sqrt(k/n)),
        s_max ~ sqrt(n) + sqrt(k).
    """
    check_positive_int("n", n)
    check_positive_int("k", k)
    if k > n:
        raise ValueError(
            f"Invalid k: {k} (expected k <= n = {n}; transpose the matrix)"
        )
    return math.sqrt(n) - math.sqrt(k), math.sqrt(n) + math.sqrt(k)


def layer_singular_value_edges(
    n_in: int, n_out: int, variance: float
) -> tuple[float, float]:
    """Edges of the nonzero singular values of a layer W of shape
    n_out x n_in with i.i.d. entries of variance sigma^2 (large layers).

    With g_f = n_in sigma^2 (forward: Var of an output unit over Var of
    an input unit) and g_b = n_out sigma^2 (the same backward, through
    W^T), the Marchenko-Pastur edges of W^T W are

        sigma^2 (sqrt(n_in) -+ sqrt(n_out))^2 = (sqrt(g_f) -+ sqrt(g_b))^2,

    so s lies in [|sqrt(g_f) - sqrt(g_b)|, sqrt(g_f) + sqrt(g_b)].
    """
    check_positive_int("n_in", n_in)
    check_positive_int("n_out", n_out)
    check_positive("variance", variance)
    g_f, g_b = n_in * variance, n_out * variance
    return (
        abs(math.sqrt(g_f) - math.sqrt(g_b)),
        math.sqrt(g_f) + math.sqrt(g_b),
    )


_DERIVATIVES = {
    "linear": lambda h: (h, torch.ones_like(h)),
    "tanh": lambda h: (torch.tanh(h), 1 - torch.tanh(h) ** 2),
    "relu": lambda h: (torch.relu(h), (h > 0).to(h.dtype)),
}


def deep_network_jacobians(
    weights: Sequence[torch.Tensor],
    x: torch.Tensor,
    *,
    nonlinearity: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Activations and input-output Jacobians of x_l = phi(W_l x_{l-1}),
    l = 1 .. L (no biases), at the input x_0 = ``x``, by the chain rule:

        h_l = W_l x_{l-1},   x_l = phi(h_l),
        J_l = d x_l / d x_0 = D_l W_l J_{l-1},   D_l = diag(phi'(h_l)),
        J_0 = I.

    The layers are square, of the width n of x. Returns x_1 .. x_L,
    shape (L, n), and J_1 .. J_L, shape (L, n, n). ``nonlinearity`` is
    "linear", "tanh" or "relu" (phi'(0) = 0).
    """
    check_choice("nonlinearity", nonlinearity, _DERIVATIVES)
    if len(weights) == 0:
        raise ValueError("Invalid weights: expected at least one matrix")
    if x.dim() != 1:
        raise ValueError(
            f"Invalid x: expected a 1-D tensor, got shape {tuple(x.shape)}"
        )
    phi = _DERIVATIVES[nonlinearity]
    J = torch.eye(len(x), dtype=x.dtype)  # (n_0, n_0)
    activations, jacobians = [], []
    for W in weights:
        if tuple(W.shape) != (len(x), len(x)):
            raise ValueError(
                f"Invalid weights: a {tuple(W.shape)} matrix (expected "
                f"square layers of the input's width {len(x)})"
            )
        x, d = phi(W @ x)  # (n_l,), (n_l,)
        J = d[:, None] * (W @ J)  # D_l W_l J_{l-1}: (n_l, n_0)
        activations.append(x)
        jacobians.append(J)
    return torch.stack(activations), torch.stack(jacobians)


def ks_distance(
    samples: np.ndarray | torch.Tensor,
    cdf: Callable[[np.ndarray], np.ndarray],
) -> float:
    """Kolmogorov-Smirnov statistic D = sup_x |F_N(x) - F(x)| between
    samples and a CDF F.

    With the sorted samples x_(1) <= ... <= x_(N), the supremum is attained
    at a sample:

        D = max_i max(i/N - F(x_(i)), F(x_(i)) - (i - 1)/N).
    """
    x = np.sort(np.asarray(samples, dtype=float).ravel())
    if x.size == 0:
        raise ValueError("Invalid samples: expected at least one value")
    N = x.size
    F = np.asarray(cdf(x), dtype=float)
    i = np.arange(1, N + 1)
    return float(np.max(np.maximum(i / N - F, F - (i - 1) / N)))
