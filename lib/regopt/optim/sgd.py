"""Stochastic gradient descent (chapter 4), with momentum and Nesterov
momentum (chapter 5).

``SGD`` is a drop-in twin of ``torch.optim.SGD``: same arguments, same
defaults, same iterates.
"""

from __future__ import annotations

import torch

from ._common import (
    Params,
    check_lr,
    check_momentum,
    check_unit,
    check_weight_decay,
    ElementwiseOptimizer,
)

__all__ = ["SGD"]


@torch.no_grad()
def _sgd_step(
    p: torch.Tensor,
    g: torch.Tensor,
    state: dict,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> None:
    """One SGD step on the parameter ``p`` with gradient ``g``, in place
    (chapters 4 and 5):

        g <- g + lambda theta
        v <- g  (first step)   or   v <- beta v + (1 - tau) g
        g <- g + beta v  (Nesterov)   or   g <- v
        theta <- theta - eta g
    """
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g.add(p, alpha=weight_decay)  # g <- g + lambda theta
    if momentum != 0:
        v = state.get("momentum_buffer")
        if v is None:
            # torch's convention: the buffer starts at the first
            # gradient, undamped.
            v = state["momentum_buffer"] = g.clone()  # v <- g
        else:
            # v <- beta v + (1 - tau) g
            v.mul_(momentum).add_(g, alpha=1 - dampening)
        # g <- g + beta v  or  g <- v
        g = g.add(v, alpha=momentum) if nesterov else v
    p.add_(g, alpha=-lr)  # theta <- theta - eta g


class SGD(ElementwiseOptimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum,
    as ``torch.optim.SGD``.

    With learning rate eta, momentum beta, dampening tau and weight decay
    lambda, each step reads the gradient g of the minibatch cost and does

        g <- -g                           (maximize only)
        g <- g + lambda theta             (weight_decay: an L2 penalty
                                           folded into g)
        v <- g                            (first step, momentum only)
        v <- beta v + (1 - tau) g         (later steps, momentum only)
        g <- g + beta v                   (nesterov)   or
        g <- v                            (momentum, not nesterov)
        theta <- theta - eta g

    ``momentum=0`` is plain SGD: theta <- theta - eta g.

    Note: the lecture slides keep the learning rate inside the velocity,
    v <- beta v + eta g, theta <- theta - v (so do Goodfellow et al.,
    Algorithm 8.2, with the opposite sign). This class follows PyTorch,
    v <- beta v + g, theta <- theta - eta v. The two give the same iterates
    while eta is constant (the slides' v is eta times this one); when a
    schedule changes eta, here the new rate scales the whole step at once,
    there only the new gradients. ``regopt.optim.EMAMomentum`` is the third
    convention, v <- beta v + (1 - beta) g.

    Note: the buffer starts at the first gradient, v = g, without the factor
    (1 - tau); so with ``dampening=beta`` this is *not* the exponential
    average of ``EMAMomentum`` (its docstring gives the exact relation).
    Nesterov momentum is written in the form PyTorch uses
    (after Sutskever et al., 2013), which tracks the look-ahead point: the
    step is eta (g + beta v), the new gradient plus the next momentum step.
    """

    _update = staticmethod(_sgd_step)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        check_lr(lr)
        check_momentum(momentum)
        check_unit("dampening value", dampening, closed=True)
        check_weight_decay(weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"Invalid nesterov=True with momentum={momentum} and "
                f"dampening={dampening}: Nesterov momentum requires a "
                "momentum > 0 and zero dampening"
            )
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening,
            weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
        )
        super().__init__(params, defaults)

