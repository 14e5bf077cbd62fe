"""Adaptive learning rates: AdaGrad, RMSProp, Adam and AdamW (chapter 6).

Each class is a drop-in twin of its ``torch.optim`` namesake: same
arguments, same defaults, same iterates. Symbols: g gradient, r average
(or sum) of squared gradients, s average of gradients, s_hat and r_hat their
bias-corrected values, v momentum buffer.
"""

from __future__ import annotations

from functools import partial

import torch

from .._checks import check_positive
from ._common import (
    Params,
    check_betas,
    check_eps,
    check_lr,
    check_momentum,
    check_unit,
    check_weight_decay,
    ElementwiseOptimizer,
    state_like,
)

__all__ = ["Adagrad", "RMSprop", "Adam", "AdamW"]


@torch.no_grad()
def _adagrad_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, *, lr: float,
    lr_decay: float, weight_decay: float, initial_accumulator_value: float,
    eps: float,
) -> None:
    """One AdaGrad step (chapter 6):

        g <- g + lambda theta;   eta_t = eta / (1 + (t - 1) lr_decay)
        r <- r + g * g
        theta <- theta - eta_t g / (sqrt(r) + eps)
    """
    r = state_like(state, "sum", p, fill=initial_accumulator_value)
    state["step"] = t = state.get("step", 0) + 1
    if weight_decay != 0:
        g = g.add(p, alpha=weight_decay)  # g <- g + lambda theta
    eta_t = lr / (1 + (t - 1) * lr_decay)
    r.addcmul_(g, g)  # r <- r + g * g
    # theta <- theta - eta_t g / (sqrt(r) + eps)
    p.addcdiv_(g, r.sqrt().add_(eps), value=-eta_t)


class Adagrad(ElementwiseOptimizer):
    """AdaGrad (Duchi et al., 2011): divide each entry's step by the root of
    its summed squared gradients.

    With learning rate eta, decay d, weight decay lambda and r starting at
    ``initial_accumulator_value``, step t (t = 1, 2, ...) does

        g <- g + lambda theta                  (weight_decay: an L2 penalty
                                                folded into g)
        eta_t = eta / (1 + (t - 1) d)          (lr_decay)
        r <- r + g * g
        theta <- theta - eta_t g / (sqrt(r) + eps)

    r only grows, so every entry's step shrinks for good: AdaGrad's
    step dies.

    Note: eps is added outside the square root, as in torch and in
    Goodfellow et al. (Algorithm 8.4); the lecture slides write
    sqrt(r + eps). The two differ only for entries whose r is tiny: with eps
    inside, the floor of the denominator is sqrt(eps).
    """

    _update = staticmethod(_adagrad_step)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ) -> None:
        check_lr(lr)
        check_positive("lr_decay value", lr_decay, allow_zero=True)
        check_weight_decay(weight_decay)
        check_positive(
            "initial_accumulator_value", initial_accumulator_value,
            allow_zero=True,
        )
        check_eps(eps)
        defaults = dict(
            lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps,
        )
        super().__init__(params, defaults)



@torch.no_grad()
def _rmsprop_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, *, lr: float,
    alpha: float, eps: float, weight_decay: float, momentum: float,
    centered: bool,
) -> None:
    """One RMSProp step (chapter 6):

        g <- g + lambda theta
        r <- alpha r + (1 - alpha) g * g
        s <- alpha s + (1 - alpha) g                  (centered)
        d = sqrt(r) + eps   or   d = sqrt(r - s * s) + eps  (centered)
        v <- beta v + g / d;  theta <- theta - eta v  (momentum > 0)
        or  theta <- theta - eta g / d
    """
    r = state_like(state, "square_avg", p)
    if weight_decay != 0:
        g = g.add(p, alpha=weight_decay)  # g <- g + lambda theta
    # r <- alpha r + (1 - alpha) g * g
    r.mul_(alpha).addcmul_(g, g, value=1 - alpha)
    if centered:
        s = state_like(state, "grad_avg", p)
        # s <- alpha s + (1 - alpha) g, as s + (1 - alpha) (g - s): one pass
        s.lerp_(g, 1 - alpha)
        # d = sqrt(r - s * s) + eps
        d = r.addcmul(s, s, value=-1).sqrt_().add_(eps)
    else:
        d = r.sqrt().add_(eps)  # d = sqrt(r) + eps
    if momentum > 0:
        v = state_like(state, "momentum_buffer", p)
        v.mul_(momentum).addcdiv_(g, d)  # v <- beta v + g / d
        p.add_(v, alpha=-lr)  # theta <- theta - eta v
    else:
        p.addcdiv_(g, d, value=-lr)  # theta <- theta - eta g / d


class RMSprop(ElementwiseOptimizer):
    """RMSProp (Hinton, 2012): divide the step by the root of a moving
    average of squared gradients.

    With learning rate eta, decay rate alpha, momentum beta, weight decay
    lambda, and r, s, v starting at 0:

        g <- g + lambda theta                  (weight_decay: an L2 penalty
                                                folded into g)
        r <- alpha r + (1 - alpha) g * g
        s <- alpha s + (1 - alpha) g           (centered only)
        d = sqrt(r - s * s) + eps  (centered)  or  d = sqrt(r) + eps
        v <- beta v + g / d;  theta <- theta - eta v      (momentum > 0)
        theta <- theta - eta g / d                         (momentum = 0)

    Unlike AdaGrad's sum, the average forgets old gradients, so the step
    does not die. ``centered`` (Graves, 2013) divides by an estimate of the
    gradient's standard deviation instead of its root mean square.

    Note: eps is added outside the square root, as in torch; Goodfellow et
    al. (Algorithm 8.5) and the lecture notes write sqrt(eps + r). There is
    no bias correction: r starts at 0, so the first step is
    eta g / (sqrt(1 - alpha) |g| + eps), about 10 eta per entry with
    alpha = 0.99 (Adam's r_hat removes this).
    """

    _update = staticmethod(_rmsprop_step)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ) -> None:
        check_lr(lr)
        check_unit("alpha value", alpha)
        check_eps(eps)
        check_weight_decay(weight_decay)
        check_momentum(momentum)
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
            momentum=momentum, centered=centered,
        )
        super().__init__(params, defaults)



@torch.no_grad()
def _adam_step(
    p: torch.Tensor, g: torch.Tensor, state: dict, *, lr: float,
    betas: tuple[float, float], eps: float, weight_decay: float,
    amsgrad: bool, bias_correction: bool, decoupled: bool,
) -> None:
    """One Adam (``decoupled=False``) or AdamW (``decoupled=True``) step
    (chapter 6):

        theta <- (1 - eta lambda) theta  (AdamW)  or  g <- g + lambda theta
        s <- beta1 s + (1 - beta1) g;   r <- beta2 r + (1 - beta2) g * g
        r <- max(r_max, r)                        (amsgrad: the largest r)
        s_hat = s / (1 - beta1^t);   r_hat = r / (1 - beta2^t)
        theta <- theta - eta s_hat / (sqrt(r_hat) + eps)
    """
    beta1, beta2 = betas
    s = state_like(state, "exp_avg", p)
    r = state_like(state, "exp_avg_sq", p)
    state["step"] = t = state.get("step", 0) + 1
    if weight_decay != 0 and decoupled:
        p.mul_(1 - lr * weight_decay)  # theta <- (1 - eta lambda) theta
    elif weight_decay != 0:
        g = g.add(p, alpha=weight_decay)  # g <- g + lambda theta
    # s <- beta1 s + (1 - beta1) g, as s + (1 - beta1) (g - s): one pass
    s.lerp_(g, 1 - beta1)
    # r <- beta2 r + (1 - beta2) g * g
    r.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    if amsgrad:
        r_max = state_like(state, "max_exp_avg_sq", p)
        # r_max <- max(r_max, r), used in place of r
        r = torch.maximum(r_max, r, out=r_max)
    c1, c2 = (1 - beta1**t, 1 - beta2**t) if bias_correction else (1, 1)
    r_hat = r / c2  # r_hat = r / (1 - beta2^t)
    # theta <- theta - eta s_hat / (sqrt(r_hat) + eps), where
    # s_hat = s / (1 - beta1^t) enters as the scalar -eta / (1 - beta1^t):
    # one pass over s fewer.
    p.addcdiv_(s, r_hat.sqrt_().add_(eps), value=-lr / c1)


class Adam(ElementwiseOptimizer):
    """Adam (Kingma and Ba, 2015): momentum on g, divided by the root of a
    moving average of g * g.

    With learning rate eta, decay rates beta1 and beta2, weight decay
    lambda, and s, r starting at 0, step t (t = 1, 2, ...) does

        g <- g + lambda theta                  (weight_decay: an L2 penalty
                                                folded into g)
        s <- beta1 s + (1 - beta1) g           (first moment)
        r <- beta2 r + (1 - beta2) g * g       (second moment)
        r <- max(r_max, r), kept as r_max      (amsgrad only)
        s_hat = s / (1 - beta1^t)              (bias correction: s and r
                                                start at 0)
        r_hat = r / (1 - beta2^t)
        theta <- theta - eta s_hat / (sqrt(r_hat) + eps)

    ``bias_correction=False`` (not in torch) uses s_hat = s and r_hat = r.
    On a constant gradient g, s_t = (1 - beta1^t) g and
    r_t = (1 - beta2^t) g * g, so the uncorrected step is
    (1 - beta1^t) / sqrt(1 - beta2^t) times the corrected one
    (for |g| >> eps): (1 - beta1) / sqrt(1 - beta2) at t = 1, about 3.2 with
    the default betas; larger, not smaller, early steps, the reason Kingma
    and Ba correct the bias.

    Note: eps is added outside the square root, to sqrt(r_hat), as in torch,
    Kingma and Ba's Algorithm 1 and Goodfellow et al.'s Algorithm 8.7; the
    lecture notes write sqrt(r_hat + eps). ``amsgrad`` follows torch: the
    maximum is taken of the uncorrected r and then bias-corrected.
    ``weight_decay`` here is an L2 penalty: the term lambda theta passes
    through the division by sqrt(r_hat), so entries with large gradients are
    barely decayed. That is not weight decay; for that use ``AdamW``.
    """

    _update = staticmethod(partial(_adam_step, decoupled=False))

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        bias_correction: bool = True,
    ) -> None:
        check_lr(lr)
        check_betas(betas)
        check_eps(eps)
        check_weight_decay(weight_decay)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            amsgrad=amsgrad, bias_correction=bias_correction,
        )
        super().__init__(params, defaults)



class AdamW(Adam):
    """AdamW (Loshchilov and Hutter, 2019): Adam with decoupled
    weight decay.

    The same steps as ``Adam``, except that weight decay shrinks the
    parameters directly instead of entering the gradient:

        theta <- (1 - eta lambda) theta        (before the Adam step; g is
                                                left alone)
        s, r, s_hat, r_hat as in Adam
        theta <- theta - eta s_hat / (sqrt(r_hat) + eps)

    Every entry decays by the same factor, whatever its gradient history:
    this is weight decay, where Adam's ``weight_decay`` (L2) is divided by
    sqrt(r_hat) like the gradient.

    Note: torch, and this class, multiply lambda by the learning rate eta,
    so a schedule that lowers eta also lowers the decay. Loshchilov and
    Hutter write
    theta <- theta - e_t (alpha s_hat / (sqrt(r_hat) + eps) + lambda theta),
    with lambda scaled only by the schedule multiplier e_t: their lambda is
    torch's lambda times alpha.
    """

    # decay acts on theta, not on g
    _update = staticmethod(partial(_adam_step, decoupled=True))

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
