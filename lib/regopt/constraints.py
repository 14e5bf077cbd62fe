"""Norm constraints by projection after each step (chapter 13).

Instead of penalizing a large norm, forbid it: minimize J(theta) subject to
||W|| <= r. Projected gradient descent takes an ordinary step and then maps
the weights back to the nearest point of the allowed set:

    theta <- theta - lr grad J(theta)
    W     <- Pi(W)          (projection onto {W : ||W|| <= r})

The projection runs as a post-step hook of the optimizer
(``penalties.apply_after_step``), so ``regopt.train.fit`` needs no change.
Like the penalties, the constraints act on the weights only
(parameters with >= 2 dimensions) unless ``biases=True``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from ._checks import check_positive
from .penalties import apply_after_step, soft_threshold, weights

__all__ = [
    "project_l2_ball", "project_l1_ball", "max_norm",
    "l2_ball_constraint", "max_norm_constraint",
]


def project_l2_ball(w: torch.Tensor, radius: float) -> torch.Tensor:
    """The Euclidean projection onto the ball {u : ||u||_2 <= r}
    (Frobenius norm for a matrix):

        Pi(w) = w                 if ||w|| <= r
                r w / ||w||       otherwise,

    that is w min(1, r / ||w||): a point outside moves radially onto
    the sphere.
    """
    check_positive("radius", radius)
    # radius / 0 = inf, clamped to 1
    return w * torch.clamp(radius / w.norm(), max=1.0)


def project_l1_ball(w: torch.Tensor, radius: float) -> torch.Tensor:
    """The Euclidean projection onto the L1 ball {u : ||u||_1 <= r}, the
    sort-based algorithm of Duchi et al. (2008), entries of w taken as one
    vector:

        Pi(w) = w                                 if ||w||_1 <= r
                sign(w) max(|w| - theta, 0)       otherwise,

    a soft-thresholding whose threshold theta > 0 makes ||Pi(w)||_1 = r.
    With u = |w| sorted in decreasing order and c_j = u_1 + ... + u_j,

        rho   = max{ j : u_j > (c_j - r) / j }
        theta = (c_rho - r) / rho.

    The entries with |w_i| <= theta become exactly zero: the projection
    lands on a face, edge or corner of the ball.
    """
    check_positive("radius", radius)
    if not torch.is_floating_point(w):
        raise ValueError(
            f"Invalid w: expected a floating-point tensor, got {w.dtype}"
        )
    if w.abs().sum() <= radius:
        return w.clone()
    # (D,) in decreasing order
    u = w.abs().flatten().sort(descending=True).values
    c = u.cumsum(0)
    j = torch.arange(1, len(u) + 1, dtype=u.dtype, device=u.device)
    # the condition holds for j = 1..rho and fails after
    rho = int((u > (c - radius) / j).nonzero().max()) + 1
    theta = (c[rho - 1] - radius) / rho
    return soft_threshold(w, float(theta))


def max_norm(W: torch.Tensor, c: float) -> torch.Tensor:
    """Max-norm renormalization of a weight matrix W of shape
    (units out, inputs): every row (the incoming weights w_j of one unit) is
    projected onto the ball ||w_j|| <= c,

        w_j <- w_j min(1, c / ||w_j||).

    Note: ``torch.renorm(W, 2, 0, c)`` does the same, with 1e-7 added to
    the norm.
    """
    check_positive("max norm c", c)
    if W.dim() < 2:
        raise ValueError(
            "Invalid W: max_norm renormalizes the rows of a weight "
            f"matrix, got a {W.dim()}-D tensor of shape {tuple(W.shape)} "
            "(use project_l2_ball for a vector)"
        )
    # (units, 1)
    norms = W.flatten(1).norm(dim=1).view(-1, *[1] * (W.dim() - 1))
    # a zero row: c / 0 = inf, clamped to 1
    return W * torch.clamp(c / norms, max=1.0)


def l2_ball_constraint(
    optimizer: torch.optim.Optimizer,
    model: nn.Module,
    radius: float,
    *,
    biases: bool = False,
) -> RemovableHandle:
    """After every optimizer step, W_l <- project_l2_ball(W_l, radius) for
    each weight tensor (each layer has its own ball). Returns the hook's
    handle (``.remove()`` undoes it).
    """
    check_positive("radius", radius)
    return apply_after_step(
        optimizer,
        [
            (W, lambda W, lr: project_l2_ball(W, radius))
            for _, W in weights(model, biases=biases)
        ],
    )


def max_norm_constraint(
    optimizer: torch.optim.Optimizer, model: nn.Module, c: float
) -> RemovableHandle:
    """After every optimizer step, W_l <- max_norm(W_l, c) for each weight
    matrix: no unit's incoming weight vector is longer than c. Returns the
    hook's handle.
    """
    check_positive("max norm c", c)
    return apply_after_step(
        optimizer,
        [(W, lambda W, lr: max_norm(W, c)) for _, W in weights(model)],
    )
