"""Probing an optimizer with a chosen sequence of gradients
(chapters 5 and 6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

__all__ = ["step_lengths"]


def step_lengths(
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    gradients: Sequence[float],
) -> list[float]:
    """|theta_{t+1} - theta_t| of a one-number parameter when the optimizer
    is fed ``gradients``.

    Shows what an update rule does to a step, whatever the loss: a constant
    gradient (a long slope), an alternating one (a ravine's walls), a
    growing one. ``make_optimizer`` receives ``[theta]``, e.g.
    ``lambda ps: regopt.optim.Adam(ps, lr=0.1)``.
    """
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([theta])
    lengths = []
    for g in gradients:
        before = theta.item()
        theta.grad = torch.tensor([float(g)], dtype=torch.float64)
        optimizer.step()
        lengths.append(abs(theta.item() - before))
    return lengths
