"""Momentum as an exponential average, and Jacobs' delta-bar-delta rates
(chapter 5).

Heavy-ball momentum in torch's convention (v = beta v + g) is
``regopt.optim.SGD``; this module holds the other convention, and the
per-parameter rates that came before it.
"""

from __future__ import annotations

import torch

from .._checks import check_positive
from ._common import (
    Params,
    check_lr,
    check_unit,
    check_weight_decay,
    ElementwiseOptimizer,
    state_like,
)

__all__ = ["EMAMomentum", "DeltaBarDelta"]


@torch.no_grad()
def _ema_momentum_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, *,
    lr: float, beta: float, weight_decay: float,
) -> None:
    """One step of momentum as an exponential average of the gradients
    (chapter 5):

        g <- g + lambda theta
        v <- beta v + (1 - beta) g
        theta <- theta - eta v
    """
    v = state_like(state, "momentum_buffer", p)  # v_0 = 0
    if weight_decay != 0:
        g = g.add(p, alpha=weight_decay)  # g <- g + lambda theta
    v.mul_(beta).add_(g, alpha=1 - beta)  # v <- beta v + (1 - beta) g
    p.add_(v, alpha=-lr)  # theta <- theta - eta v


class EMAMomentum(ElementwiseOptimizer):
    """Momentum that averages the gradients: v <- beta v + (1 - beta) g,
    theta <- theta - eta v.

    With learning rate eta, decay rate beta and weight decay lambda,
    starting from v = 0:

        g <- g + lambda theta             (weight_decay: an L2 penalty
                                           folded into g)
        v <- beta v + (1 - beta) g
        theta <- theta - eta v

    v is a weighted average of the past gradients,
    v_t = (1 - beta) sum_k beta^(t-k) g_k, whose weights sum to 1 - beta^t:
    a constant gradient g gives steps that grow to eta g.

    Note: this is the same method as heavy-ball momentum in torch's
    convention, u <- beta u + g, theta <- theta - eta' u
    (``SGD(momentum=beta)``), with the step rescaled:
    ``EMAMomentum(lr=eta, beta=beta)`` and
    ``SGD(lr=(1 - beta) * eta, momentum=beta, dampening=0)`` produce the
    same iterates, for any data and number of steps (with the same
    ``weight_decay`` in both). Proof, by induction on t: if the iterates
    agree up to step t, so do the gradients, and v_t = (1 - beta) u_t (true
    at t = 1, where torch's first buffer u_1 = g_1 is also beta 0 + g_1);
    then eta v_t = (1 - beta) eta u_t. The lecture slides' convention
    nu <- beta nu + eta g, theta <- theta - nu is the same again with
    nu = eta u while eta is constant. So moving between the conventions
    means multiplying or dividing the learning rate by 1 - beta
    (a factor 10 for beta = 0.9). The equivalence with ``SGD`` survives a
    learning-rate schedule (rescale every rate); the slides' form does not,
    as it keeps eta inside v.

    ``SGD(momentum=beta, dampening=beta)`` looks like this exponential
    average but is not it: torch starts that buffer at the undamped first
    gradient, u_1 = g_1 instead of (1 - beta) g_1, so on the same gradients
    u_t = v_t + beta^t g_1 (an average started from v_0 = g_1 rather than
    0); its first step is 1 / (1 - beta) times this one's.
    """

    _update = staticmethod(_ema_momentum_step)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        beta: float = 0.9,
        weight_decay: float = 0,
    ) -> None:
        check_lr(lr)
        check_unit("beta value", beta)
        check_weight_decay(weight_decay)
        super().__init__(
            params, dict(lr=lr, beta=beta, weight_decay=weight_decay)
        )



@torch.no_grad()
def _delta_bar_delta_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, *,
    lr: float, kappa: float, phi: float, theta: float,
) -> None:
    """One delta-bar-delta step (Jacobs, 1988; chapter 5), in this order:

        eta <- eta + kappa      where delta_bar g > 0
        eta <- (1 - phi) eta    where delta_bar g < 0
        w <- w - eta g
        delta_bar <- (1 - theta) g + theta delta_bar
    """
    rate = state_like(state, "rate", p, fill=lr)  # eta_0 = lr, every entry
    delta_bar = state_like(state, "delta_bar", p)  # delta_bar_0 = 0
    # delta_bar_{t-1} g_t: > 0 for the same sign, < 0 for opposite signs
    agreement = delta_bar * g
    rate[agreement > 0] += kappa  # eta <- eta + kappa
    rate[agreement < 0] *= 1 - phi  # eta <- (1 - phi) eta
    p.addcmul_(rate, g, value=-1)  # w <- w - eta g
    # delta_bar <- (1 - theta) g + theta delta_bar
    delta_bar.mul_(theta).add_(g, alpha=1 - theta)


class DeltaBarDelta(ElementwiseOptimizer):
    """Jacobs' delta-bar-delta: one learning rate per parameter entry,
    adapted by gradient signs.

    Jacobs (1988), "Increased rates of convergence through learning rate
    adaptation". The parameter entries are written w here, because theta is
    Jacobs' name for the averaging constant (and kappa, not a condition
    number here, his name for the increment). Every entry keeps its own rate
    eta, starting at ``lr``, and an average delta_bar of its past gradients,
    starting at 0. Each step, with g the new gradient, in this order:

        1. compare g with the average of the *previous* gradients,
           delta_bar_{t-1}:
           eta <- eta + kappa      if delta_bar_{t-1} g > 0
                                   (same sign: speed up, additively)
           eta <- (1 - phi) eta    if delta_bar_{t-1} g < 0
                                   (sign flip: slow down, multiplicatively)
           eta unchanged           otherwise
                                   (in particular on the first step)
        2. step with the updated rate:  w <- w - eta g
        3. fold g into the average:
           delta_bar_t = (1 - theta) g + theta delta_bar_{t-1}

    The rule grows rates linearly (a run of consistent signs is slow
    evidence) and shrinks them geometrically (an overshoot must be stopped
    at once). A gradient's sign is compared with the average rather than
    with the last gradient, so one noisy sign does not count as
    an oscillation.

    Note: ``lr`` is only the starting rate; the rates live in
    ``state[p]["rate"]`` and a learning-rate schedule that changes ``lr``
    later does not affect them. Jacobs introduced the rule for full-batch
    gradient descent; with minibatch noise, an entry whose gradient sign is
    a coin flip drifts towards a rate of roughly kappa / phi, where the
    average gain kappa / 2 balances the average loss phi eta / 2.
    """

    _update = staticmethod(_delta_bar_delta_step)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        kappa: float = 1e-3,
        phi: float = 0.1,
        theta: float = 0.7,
    ) -> None:
        check_lr(lr)
        check_positive("kappa value", kappa, allow_zero=True)
        check_unit("phi value", phi, closed=True)
        check_unit("theta value", theta)
        super().__init__(
            params, dict(lr=lr, kappa=kappa, phi=phi, theta=theta)
        )

