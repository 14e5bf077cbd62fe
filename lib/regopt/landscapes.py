"""Two-dimensional loss landscapes for optimizer pictures.

A landscape is a torch function of a point ``p = (x, y)`` (any tensor whose
last dimension is 2), so the optimizers of ``regopt.optim`` and
``torch.optim`` can walk on it exactly as they train a network: the point is
a 2-element parameter tensor.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import check_choice, check_positive, check_positive_int

__all__ = [
    "Landscape", "quadratic", "rosenbrock", "saddle", "beale", "get",
    "trajectory",
]


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function with what a plot of it needs."""

    name: str
    func: Callable[[torch.Tensor], torch.Tensor]
    minimum: tuple[float, float] | None
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    log_levels: bool = False

    def __call__(self, p: torch.Tensor) -> torch.Tensor:
        if p.shape[-1] != 2:
            raise ValueError(
                "A landscape takes points with last dimension 2, got "
                f"shape {tuple(p.shape)}"
            )
        return self.func(p)

    def grid(
        self, n: int = 200
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values on an ``n x n`` grid over the plot limits: ``(X, Y, Z)``
        for ``contour``.
        """
        check_positive_int("n", n)
        xs = torch.linspace(*self.xlim, n, dtype=torch.float64)
        ys = torch.linspace(*self.ylim, n, dtype=torch.float64)
        X, Y = torch.meshgrid(xs, ys, indexing="xy")
        Z = self(torch.stack([X, Y], dim=-1))
        return X.numpy(), Y.numpy(), Z.numpy()


def quadratic(kappa: float = 10.0, *, angle: float = 0.0) -> Landscape:
    """f(p) = 1/2 p^T H p with eigenvalues 1 and ``kappa``
    (condition number ``kappa``).

    ``angle`` (radians) rotates the eigenvectors away from the axes, so that
    the ravine runs diagonally; H = R diag(1, kappa) R^T.
    """
    check_positive("kappa", kappa)
    c, s = math.cos(angle), math.sin(angle)

    def f(p: torch.Tensor) -> torch.Tensor:
        # coordinate along the eigenvector with eigenvalue 1
        u = c * p[..., 0] + s * p[..., 1]
        # coordinate along the eigenvector with eigenvalue kappa
        v = -s * p[..., 0] + c * p[..., 1]
        return 0.5 * (u**2 + kappa * v**2)

    return Landscape(
        f"quadratic (kappa={kappa:g})", f, (0.0, 0.0), (-2.0, 2.0),
        (-2.0, 2.0),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """f(x, y) = (a - x)^2 + b (y - x^2)^2: the banana-shaped valley,
    minimum at (a, a^2).
    """
    check_positive("b", b)

    def f(p: torch.Tensor) -> torch.Tensor:
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    return Landscape(
        "Rosenbrock", f, (a, a * a), (-2.0, 2.0), (-1.0, 3.0),
        log_levels=True,
    )


def saddle() -> Landscape:
    """f(x, y) = 1/2 (x^2 - y^2): a saddle point at the origin
    (Hessian eigenvalues 1 and -1).
    """

    def f(p: torch.Tensor) -> torch.Tensor:
        return 0.5 * (p[..., 0] ** 2 - p[..., 1] ** 2)

    return Landscape("saddle", f, None, (-2.0, 2.0), (-2.0, 2.0))


def beale() -> Landscape:
    """Beale's function, minimum 0 at (3, 0.5):
    f = (1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2."""

    def f(p: torch.Tensor) -> torch.Tensor:
        x, y = p[..., 0], p[..., 1]
        return (
            (1.5 - x + x * y) ** 2
            + (2.25 - x + x * y**2) ** 2
            + (2.625 - x + x * y**3) ** 2
        )

    return Landscape(
        "Beale", f, (3.0, 0.5), (-4.5, 4.5), (-4.5, 4.5), log_levels=True
    )


_LANDSCAPES = {
    "quadratic": quadratic, "rosenbrock": rosenbrock, "saddle": saddle,
    "beale": beale,
}


def get(name: str, **kwargs) -> Landscape:
    """A landscape by name: ``"quadratic"``, ``"rosenbrock"``, ``"saddle"``
    or ``"beale"``.
    """
    check_choice("landscape", name, _LANDSCAPES)
    return _LANDSCAPES[name](**kwargs)


def trajectory(
    landscape: Landscape,
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    start: tuple[float, float],
    *,
    steps: int,
) -> torch.Tensor:
    """Walk an optimizer over ``landscape`` from ``start``; returns the
    points, shape (steps + 1, 2).

    ``make_optimizer`` receives the list ``[p]`` holding the float64 point
    and returns an optimizer, e.g.
    ``lambda params: torch.optim.SGD(params, lr=0.1)``. If the value becomes
    NaN or infinite the walk stops there, with a warning, and the points so
    far are returned.
    """
    check_positive_int("steps", steps)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    if p.shape != (2,):
        raise ValueError(f"Invalid start: {start!r} (expected two numbers)")
    optimizer = make_optimizer([p])
    points = [p.detach().clone()]
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        value = landscape(p)
        value.backward()
        optimizer.step()
        if not torch.isfinite(landscape(p.detach())):
            warnings.warn(
                f"The walk on {landscape.name} diverged at step {step}; "
                "stopping there.",
                stacklevel=2,
            )
            break
        points.append(p.detach().clone())
    return torch.stack(points)
