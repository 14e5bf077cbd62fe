"""Parameter norm penalties: L2 (weight decay), L1 and the elastic net
(chapter 12).

A penalty is a callable ``model -> scalar tensor`` that ``regopt.train.fit``
adds to the data loss (its ``penalty=`` argument), so autograd changes
exactly the gradients of the parameters it touches. By default it touches
the *weights* only: the parameters with two or more dimensions
(the matrices of affine layers); biases and other vectors are left
unpenalized. ``alpha`` is one strength for every weight, or a mapping from
parameter name (as in ``model.named_parameters()``, e.g. ``"0.weight"``) to
a per-layer strength; weights not named are unpenalized.

The L1 penalty has a second, better way in: the proximal step
(soft-thresholding) after each gradient step on the smooth part, which puts
exact zeros where subgradient descent only jitters around them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from ._checks import check_ndim, check_positive, check_same_length, is_real

__all__ = [
    "Strength",
    "weights",
    "l2_penalty",
    "l1_penalty",
    "elastic_net_penalty",
    "add_l2_gradient",
    "soft_threshold",
    "apply_after_step",
    "proximal_l1",
    "ridge_solution",
]

Strength = float | Mapping[str, float]
Penalty = Callable[[nn.Module], torch.Tensor]


def weights(
    model: nn.Module, *, biases: bool = False
) -> list[tuple[str, nn.Parameter]]:
    """The named parameters a penalty acts on: tensors with >= 2 dimensions
    (weights), or every parameter if ``biases=True``.
    """
    return [
        (name, p)
        for name, p in model.named_parameters()
        if biases or p.dim() >= 2
    ]


def _strengths(
    model: nn.Module, alpha: Strength, biases: bool
) -> list[tuple[nn.Parameter, float]]:
    """Pairs (parameter, alpha_l) for the penalized parameters, checking
    every strength.
    """
    named = weights(model, biases=biases)
    if not isinstance(alpha, Mapping):
        return [(p, alpha) for _, p in named]
    unknown = set(alpha) - {name for name, _ in named}
    if unknown:
        raise ValueError(
            "Invalid alpha: no penalized parameter named "
            f"{sorted(unknown)} (expected names among "
            f"{[name for name, _ in named]})"
        )
    return [(p, alpha[name]) for name, p in named if name in alpha]


def _check_strength(alpha: Strength) -> None:
    values = (
        alpha.items() if isinstance(alpha, Mapping) else [("alpha", alpha)]
    )
    for name, value in values:
        check_positive(
            "penalty strength" if name == "alpha"
            else f"penalty strength for {name!r}",
            value,
            allow_zero=True,
        )


def _total(terms: list[torch.Tensor]) -> torch.Tensor:
    """The sum of the per-layer terms (a zero tensor when nothing is
    penalized).
    """
    return sum(terms[1:], terms[0]) if terms else torch.tensor(0.0)


def l2_penalty(alpha: Strength, *, biases: bool = False) -> Penalty:
    """The L2 penalty (weight decay)
    Omega(theta) = sum_l alpha_l / 2 ||W_l||_F^2.

    Its gradient with respect to W_l is alpha_l W_l, so one gradient-descent
    step multiplies the weights by (1 - lr alpha_l) before the data
    gradient acts.

    Note: the factor 1/2 makes ``alpha`` the coefficient of the gradient, as
    in ``torch.optim.SGD(weight_decay=alpha)``; scikit-learn's ``Ridge`` has
    no 1/2 and sums the squared errors instead of averaging them
    (the chapter gives the mapping).
    """
    _check_strength(alpha)

    def penalty(model: nn.Module) -> torch.Tensor:
        return _total(
            [
                a / 2 * W.pow(2).sum()
                for W, a in _strengths(model, alpha, biases)
            ]
        )

    return penalty


def l1_penalty(alpha: Strength, *, biases: bool = False) -> Penalty:
    """The L1 penalty
    Omega(theta) = sum_l alpha_l ||W_l||_1 = sum_l alpha_l sum_ij |W_l,ij|.

    Autograd differentiates it with the subgradient alpha_l sign(W_l)
    (sign(0) = 0), which pushes every weight towards zero by the same
    amount, however small it already is.
    """
    _check_strength(alpha)

    def penalty(model: nn.Module) -> torch.Tensor:
        return _total(
            [a * W.abs().sum() for W, a in _strengths(model, alpha, biases)]
        )

    return penalty


def elastic_net_penalty(
    alpha: Strength, *, l1_ratio: float, biases: bool = False
) -> Penalty:
    """The elastic net
    Omega(theta) = sum_l alpha_l (rho ||W_l||_1 + (1 - rho)/2 ||W_l||_F^2),
    with rho = ``l1_ratio`` in [0, 1]: rho = 1 is the L1 penalty, rho = 0
    the L2 penalty.

    Note: this is scikit-learn's parametrization of
    ``ElasticNet(alpha, l1_ratio)``.
    """
    _check_strength(alpha)
    if not is_real(l1_ratio) or not 0 <= l1_ratio <= 1:
        raise ValueError(
            f"Invalid l1_ratio: {l1_ratio} (expected 0 <= l1_ratio <= 1)"
        )
    rho = l1_ratio

    def penalty(model: nn.Module) -> torch.Tensor:
        return _total(
            [
                a * (rho * W.abs().sum() + (1 - rho) / 2 * W.pow(2).sum())
                for W, a in _strengths(model, alpha, biases)
            ]
        )

    return penalty


@torch.no_grad()
def add_l2_gradient(
    model: nn.Module, alpha: Strength, *, biases: bool = False
) -> None:
    """Backpropagation with weight decay, by hand: after ``loss.backward()``
    on the data loss,

        g_W <- g_W + alpha_l W_l     for each penalized weight W_l
                                     (biases keep g_b),

    which is the gradient of data loss + ``l2_penalty(alpha)``.
    """
    _check_strength(alpha)
    for W, a in _strengths(model, alpha, biases):
        if W.grad is None:
            raise ValueError(
                "add_l2_gradient needs the data gradients first: call "
                "loss.backward()"
            )
        W.grad.add_(W, alpha=a)


def soft_threshold(w: torch.Tensor, threshold: float) -> torch.Tensor:
    """The proximal operator of t ||w||_1, entrywise:

        prox(w)_i = sign(w_i) max(|w_i| - t, 0),

    the minimizer of 1/2 ||u - w||^2 + t ||u||_1: entries within t of zero
    become exactly zero, the others move t towards zero.
    """
    check_positive("threshold", threshold, allow_zero=True)
    return torch.sign(w) * torch.clamp(w.abs() - threshold, min=0.0)


Operator = Callable[[torch.Tensor, float], torch.Tensor]


def apply_after_step(
    optimizer: torch.optim.Optimizer,
    targets: list[tuple[nn.Parameter, Operator]],
) -> RemovableHandle:
    """After every ``optimizer.step()``: p <- op(p, lr) for each (p, op) in
    ``targets``, where lr is the learning rate of p's parameter group.

    Runs through ``Optimizer.register_step_post_hook``, so any training loop
    (``fit`` included) gets the operator without a change. Call
    ``.remove()`` on the returned handle to stop it.
    """

    def hook(opt: torch.optim.Optimizer, args, kwargs) -> None:
        lr = {
            id(p): group["lr"]
            for group in opt.param_groups
            for p in group["params"]
        }
        with torch.no_grad():
            for p, op in targets:
                p.copy_(op(p, lr[id(p)]))

    return optimizer.register_step_post_hook(hook)


def proximal_l1(
    optimizer: torch.optim.Optimizer,
    model: nn.Module,
    alpha: Strength,
    *,
    biases: bool = False,
) -> RemovableHandle:
    """The L1 proximal step after every optimizer step (ISTA when the
    optimizer is plain SGD):

        theta <- theta - lr grad J_smooth(theta)      (the optimizer's step)
        W_l   <- soft_threshold(W_l, lr alpha_l)      (this hook)

    which minimizes J_smooth + ``l1_penalty(alpha)``; do not also pass the
    L1 penalty to ``fit``.
    """
    _check_strength(alpha)
    targets = [
        (W, lambda W, lr, a=a: soft_threshold(W, lr * a))
        for W, a in _strengths(model, alpha, biases)
    ]
    return apply_after_step(optimizer, targets)


def ridge_solution(
    X: torch.Tensor, y: torch.Tensor, alpha: float
) -> torch.Tensor:
    """The minimizer of 1/2 ||y - X w||^2 + alpha/2 ||w||^2 (no intercept):

        w = (X^T X + alpha I)^{-1} X^T y,

    which is scikit-learn's ``Ridge(alpha, fit_intercept=False)``. For
    alpha > 0 the matrix is invertible even when X^T X is singular
    (more features than examples).
    """
    check_positive("alpha", alpha, allow_zero=True)
    check_ndim("X", X, 2)
    if y.dim() not in (1, 2):
        raise ValueError(
            "Invalid y: expected a 1-D or 2-D tensor, got shape "
            f"{tuple(y.shape)}"
        )
    check_same_length("X", X, "y", y)
    p = X.shape[1]
    return torch.linalg.solve(
        X.T @ X + alpha * torch.eye(p, dtype=X.dtype), X.T @ y
    )
