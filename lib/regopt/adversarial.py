"""Adversarial examples and adversarial training (chapter 18).

The fast gradient sign method (Goodfellow et al., 2015) moves every input
component by eps in the direction that increases the loss J to first order:

    x_adv = clip(x + eps * sign(grad_x J(theta; x, y)))

so ||x_adv - x||_inf <= eps, with equality where ``clip`` (to the valid
pixel range, if given) does not bite. Projected gradient descent on the
input (Madry et al., 2018) repeats smaller sign steps and projects back
onto the eps-box around x (intersected with the pixel range) after each:

    x_{t+1} = P(x_t + step_size * sign(grad_x J(theta; x_t, y))).

Adversarial training minimizes a mixture of the clean loss and the loss on
adversarial examples, recomputed for the current parameters at every step,
with a mixing weight rho (Goodfellow et al. call it alpha; the book keeps
alpha for penalty strengths):

    J~(theta; x, y) = rho J(theta; x, y) + (1 - rho) J(theta; x_adv, y).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import (
    check_positive, check_positive_int, check_same_length, is_real
)
from .reproducibility import device_of
from .train import accuracy

__all__ = [
    "fgsm", "pgd", "adversarial_accuracy", "LastInput", "AdversarialLoss"
]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Bound = float | torch.Tensor
Clip = tuple[Bound, Bound] | None


def _check_clip(clip: Clip) -> None:
    """Raise ``ValueError`` unless ``clip`` is None or (low, high) with
    low <= high (numbers, or tensors that broadcast against the input).
    """
    if clip is None:
        return
    ok = isinstance(clip, tuple) and len(clip) == 2
    if ok:
        low, high = clip
        ok = all(
            is_real(b) or isinstance(b, torch.Tensor) for b in clip
        )
        ok = ok and bool(torch.all(torch.as_tensor(low <= high)))
    if not ok:
        raise ValueError(
            f"Invalid clip: {clip!r} (expected None or a pair "
            "(low, high) with low <= high)"
        )


def _clip(x: torch.Tensor, clip: Clip) -> torch.Tensor:
    if clip is None:
        return x
    # torch.clamp takes two numbers or two tensors, not one of each
    low, high = (torch.as_tensor(b, dtype=x.dtype, device=x.device)
                 for b in clip)
    return torch.clamp(x, low, high)


def _input_gradient(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: Loss
) -> torch.Tensor:
    """grad_x J(x, y), shaped like x; the model's ``.grad`` fields are left
    untouched.
    """
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(model(x), y), x)
    return g


def fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    clip: Clip = None,
    loss_fn: Loss = F.cross_entropy,
) -> torch.Tensor:
    """The fast gradient sign method:
    x_adv = clip(x + eps * sign(grad_x J(x, y))).

    ``clip=(low, high)`` clamps the result to the valid input range (for
    pixels scaled to [0, 1], ``clip=(0.0, 1.0)``; bounds may be tensors,
    one per pixel); ``None`` (the default) does not clip, since
    ``regopt.data.digits`` standardizes its pixels by default and then has
    no common range. The gradient is taken with respect to the inputs only
    (the model's ``.grad`` fields are left untouched); the result is
    detached.
    """
    check_positive("eps", eps, allow_zero=True)
    check_same_length("x", x, "y", y)
    _check_clip(clip)
    device = device_of(model)
    x, y = x.detach().to(device), y.to(device)
    g = _input_gradient(model, x, y, loss_fn)  # grad_x J, shaped like x
    return _clip(x + eps * g.sign(), clip)


def pgd(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    step_size: float,
    steps: int,
    clip: Clip = None,
    loss_fn: Loss = F.cross_entropy,
) -> torch.Tensor:
    """Projected gradient ascent on the loss in the eps-box around x
    (Madry et al., 2018), from x_0 = x:

        x_{t+1} = P(x_t + step_size * sign(grad_x J(x_t, y))),
        P(z) = clip(min(max(z, x - eps), x + eps)),

    ``steps`` times. Both sets are boxes, so the two clamps together are
    the projection onto their intersection: ||x_t - x||_inf <= eps and
    x_t stays in ``clip``'s range at every step. One step with
    ``step_size = eps`` is ``fgsm`` (with the same ``clip``).
    Note: Madry et al. start from a random point in the box; this starts
    at x, so that the attack is deterministic.
    """
    check_positive("eps", eps, allow_zero=True)
    check_positive("step_size", step_size)
    check_positive_int("steps", steps)
    check_same_length("x", x, "y", y)
    _check_clip(clip)
    device = device_of(model)
    x, y = x.detach().to(device), y.to(device)
    x_t = x
    for _ in range(steps):
        g = _input_gradient(model, x_t, y, loss_fn)
        x_t = x_t + step_size * g.sign()
        x_t = torch.clamp(x_t, x - eps, x + eps)  # back into the eps-box
        x_t = _clip(x_t, clip)  # and into the valid range
    return x_t


def adversarial_accuracy(
    model: nn.Module,
    data: tuple[torch.Tensor, torch.Tensor],
    *,
    eps: float,
    clip: Clip = None,
    steps: int = 1,
    step_size: float | None = None,
    loss_fn: Loss = F.cross_entropy,
) -> float:
    """Accuracy of ``model`` (in eval mode) on ``data = (X, y)`` after an
    attack of size ``eps`` computed with the model's own gradients
    (a white-box attack): FGSM for ``steps=1`` (the default), else ``pgd``
    with ``step_size`` (default eps / 4). ``eps = 0`` is the clean
    accuracy, for any ``steps``.
    """
    X, y = data
    check_positive_int("steps", steps)
    was_training = model.training
    model.eval()
    if steps == 1 or eps == 0:
        X_adv = fgsm(model, X, y, eps=eps, clip=clip, loss_fn=loss_fn)
    else:
        step_size = eps / 4 if step_size is None else step_size
        X_adv = pgd(
            model, X, y, eps=eps, step_size=step_size, steps=steps,
            clip=clip, loss_fn=loss_fn,
        )
    model.train(was_training)
    return accuracy(model, (X_adv, y))


class LastInput:
    """Keeps the input of ``model``'s last training forward pass, through a
    forward pre-hook.

    ``regopt.train.fit`` hands a loss only (outputs, targets) and a penalty
    only the model; adversarial training and tangent propagation also need
    the minibatch x. Only forward passes in training mode with gradients
    enabled are kept, so ``fit``'s evaluation passes (eval mode, no
    gradients) leave it alone.
    """

    def __init__(self, model: nn.Module) -> None:
        self.x: torch.Tensor | None = None
        self.handle = model.register_forward_pre_hook(self._keep)

    def _keep(
        self, module: nn.Module, inputs: tuple[torch.Tensor, ...]
    ) -> None:
        if module.training and torch.is_grad_enabled():
            self.x = inputs[0]

    def remove(self) -> None:
        """Detach the hook from the model."""
        self.handle.remove()


class AdversarialLoss:
    """``loss_fn=`` for ``fit``:
    J~ = rho J(x, y) + (1 - rho) J(clip(x + eps sign(grad_x J(x, y))), y).

    The adversarial examples are made afresh at every step, for the current
    parameters, from the minibatch the model has just seen (FGSM, clipped
    to ``clip`` as in ``fgsm``). In eval mode or without gradients
    (``fit`` measuring its history) it is the plain loss J, so the recorded
    curves stay comparable with ordinary training.
    Note: Goodfellow et al. (2015) call the mixing weight alpha, and use
    alpha = 0.5; the book writes rho, keeping alpha for penalty strengths.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        eps: float,
        rho: float = 0.5,
        clip: Clip = None,
        loss_fn: Loss = F.cross_entropy,
    ) -> None:
        check_positive("eps", eps, allow_zero=True)
        if not (is_real(rho) and 0 <= rho <= 1):
            raise ValueError(
                f"Invalid rho: {rho} (expected 0 <= rho <= 1)"
            )
        _check_clip(clip)
        self.model, self.eps, self.rho, self.clip, self.loss_fn = (
            model, eps, rho, clip, loss_fn
        )
        self.inputs = LastInput(model)

    def __call__(
        self, outputs: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        clean = self.loss_fn(outputs, y)
        x = self.inputs.x
        if (
            not (self.model.training and torch.is_grad_enabled())
            or x is None
        ):
            return clean
        x_adv = fgsm(
            self.model, x, y, eps=self.eps, clip=self.clip,
            loss_fn=self.loss_fn,
        )
        return (
            self.rho * clean
            + (1 - self.rho) * self.loss_fn(self.model(x_adv), y)
        )
