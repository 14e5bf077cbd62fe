"""Gradient checking: central finite differences compared with autograd
(chapter 1).

The central difference

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

has error O(eps^2), against O(eps) for the one-sided difference
(f(x + eps e_i) - f(x)) / eps. In float64 with eps ~ 1e-6 it agrees with a
correct analytic gradient to about 1e-9 relative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from ._checks import check_choice, check_positive

__all__ = ["numerical_gradient", "relative_error", "gradcheck"]


@torch.no_grad()
def numerical_gradient(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    eps: float = 1e-6,
    kind: str = "central",
) -> torch.Tensor:
    """Finite-difference gradient of the scalar function ``f`` at ``x``
    (any shape).

    ``kind="central"``: g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps);
    ``kind="forward"``: g_i = (f(x + eps e_i) - f(x)) / eps. ``x`` is left
    unchanged. Use float64: in float32 rounding swamps the difference.
    """
    check_positive("eps", eps)
    check_choice("kind", kind, ("central", "forward"))
    x = x.detach().clone()
    flat = x.view(-1)
    grad = torch.zeros_like(flat)
    f0 = float(f(x)) if kind == "forward" else None
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + eps
        f_plus = float(f(x))
        if kind == "central":
            flat[i] = original - eps
            grad[i] = (f_plus - float(f(x))) / (2 * eps)
        else:
            grad[i] = (f_plus - f0) / eps
        flat[i] = original
    return grad.view_as(x)


def relative_error(
    a: torch.Tensor, b: torch.Tensor, *, floor: float = 1e-12
) -> float:
    """``||a - b|| / max(||a|| + ||b||, floor)``: scale-free distance
    between two gradients.
    """
    if a.shape != b.shape:
        raise ValueError(
            f"Shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}"
        )
    return (
        (a - b).norm() / max((a.norm() + b.norm()).item(), floor)
    ).item()


def gradcheck(
    loss: Callable[[], torch.Tensor],
    params: Iterable[torch.Tensor],
    *,
    eps: float = 1e-6,
) -> dict[int, float]:
    """Compare autograd with central differences for every tensor
    in ``params``.

    ``loss()`` recomputes the scalar loss from the current parameter values.
    Returns the relative error per parameter (keyed by position in
    ``params``); a correct backward pass in float64 gives errors around 1e-9
    or smaller.
    """
    params = list(params)
    if not params:
        raise ValueError("gradcheck needs at least one parameter tensor")
    errors = {}
    for k, p in enumerate(params):
        (analytic,) = torch.autograd.grad(loss(), p)

        def f_of_p(
            value: torch.Tensor, p: torch.Tensor = p
        ) -> torch.Tensor:
            saved = p.detach().clone()
            p.data.copy_(value)
            out = loss()
            p.data.copy_(saved)
            return out

        errors[k] = relative_error(
            analytic, numerical_gradient(f_of_p, p.detach(), eps=eps)
        )
    return errors
