"""Gradient clipping by norm and by value (chapter 3: cliffs and exploding
gradients).

Twins of ``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_``: call
either between ``loss.backward()`` and ``optimizer.step()``; both change the
gradients in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from .._checks import check_positive

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

Parameters = torch.Tensor | Iterable[torch.Tensor]


def _grads(parameters: Parameters) -> list[torch.Tensor]:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


@torch.no_grad()
def clip_grad_norm_(
    parameters: Parameters, max_norm: float, norm_type: float = 2.0, *,
    error_if_nonfinite: bool = False,
) -> torch.Tensor:
    """Rescale all gradients together so that their joint norm is at most
    ``max_norm``.

    With g the concatenation of every parameter's gradient and
    p = ``norm_type``:

        ||g||_p = (sum_i |g_i|^p)^(1/p)        (||g||_inf = max_i |g_i|)
        g <- g * min(1, max_norm / (||g||_p + 1e-6))

    The direction of the step is kept; only its length is capped
    (Pascanu et al., 2013). Returns ||g||_p before clipping (the quantity
    to plot when looking for cliffs).

    Note: like PyTorch, the norm is taken of the per-parameter norms, which
    equals the norm of the concatenated gradient for every p, and 1e-6
    guards the division; so a gradient exactly at ``max_norm`` is scaled by
    a factor just below 1.
    """
    check_positive("max_norm", max_norm, allow_zero=True)
    if not (norm_type > 0 or norm_type == math.inf):
        raise ValueError(f"Invalid norm_type: {norm_type} "
                         "(expected a positive number or math.inf)")
    grads = _grads(parameters)
    if not grads:
        return torch.tensor(0.0)
    # ||g^(k)||_p, one per parameter, and then their norm ||g||_p
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type)
                         for g in grads])
    total_norm = torch.linalg.vector_norm(norms, norm_type)
    if error_if_nonfinite and not torch.isfinite(total_norm):
        raise RuntimeError(
            f"The total norm of order {norm_type} of the gradients is "
            f"{total_norm.item()}, so it cannot be clipped; pass "
            "error_if_nonfinite=False to scale by it anyway"
        )
    # min(1, max_norm / ||g||)
    scale = torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale)
    return total_norm


@torch.no_grad()
def clip_grad_value_(parameters: Parameters, clip_value: float) -> None:
    """Clip every gradient entry to [-c, c], c = ``clip_value``:
    g_i <- max(-c, min(c, g_i)).

    Unlike clipping by norm this changes the direction of g whenever some
    entries are clipped and others are not.
    """
    check_positive("clip_value", clip_value, allow_zero=True)
    for g in _grads(parameters):
        g.clamp_(min=-clip_value, max=clip_value)
