"""Adversarial examples and adversarial training (chapter 18).

The fast gradient sign method (Goodfellow et al., 2015) moves every input
component by eps in the direction that increases the loss J to first order:

    x_adv = x + eps * sign(grad_x J(theta; x, y))

so ||x_adv - x||_inf = eps. Adversarial training minimizes a mixture of the
clean loss and the loss on these examples, recomputed for the current
parameters at every step:

    J~(theta; x, y) = alpha J(theta; x, y) + (1 - alpha) J(theta; x_adv, y).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_positive, check_same_length
from .reproducibility import device_of
from .train import accuracy

__all__ = ["fgsm", "adversarial_accuracy", "LastInput", "AdversarialLoss"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    loss_fn: Loss = F.cross_entropy,
) -> torch.Tensor:
    """The fast gradient sign method:
    x_adv = x + eps * sign(grad_x J(x, y)).

    The gradient is taken with respect to the inputs only (the model's
    ``.grad`` fields are left untouched); the result is detached. Pixels are
    not clipped to their valid range.
    """
    check_positive("eps", eps, allow_zero=True)
    check_same_length("x", x, "y", y)
    device = device_of(model)
    x = x.detach().to(device).requires_grad_(True)
    loss = loss_fn(model(x), y.to(device))
    (g,) = torch.autograd.grad(loss, x)  # grad_x J, shaped like x
    return (x + eps * g.sign()).detach()


def adversarial_accuracy(
    model: nn.Module,
    data: tuple[torch.Tensor, torch.Tensor],
    *,
    eps: float,
    loss_fn: Loss = F.cross_entropy,
) -> float:
    """Accuracy of ``model`` (in eval mode) on ``data = (X, y)`` after an
    FGSM attack of size ``eps`` computed with the model's own gradients
    (a white-box attack). ``eps = 0`` is the clean accuracy.
    """
    X, y = data
    was_training = model.training
    model.eval()
    X_adv = fgsm(model, X, y, eps=eps, loss_fn=loss_fn)
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
    J~ = alpha J(x, y) + (1 - alpha) J(x + eps sign(grad_x J(x, y)), y).

    The adversarial examples are made afresh at every step, for the current
    parameters, from the minibatch the model has just seen. In eval mode or
    without gradients (``fit`` measuring its history) it is the plain loss
    J, so the recorded curves stay comparable with ordinary training.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        eps: float,
        alpha: float = 0.5,
        loss_fn: Loss = F.cross_entropy,
    ) -> None:
        check_positive("eps", eps, allow_zero=True)
        if not 0 <= alpha <= 1:
            raise ValueError(
                f"Invalid alpha: {alpha} (expected 0 <= alpha <= 1)"
            )
        self.model, self.eps, self.alpha, self.loss_fn = (
            model, eps, alpha, loss_fn
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
        x_adv = fgsm(self.model, x, y, eps=self.eps, loss_fn=self.loss_fn)
        return (
            self.alpha * clean
            + (1 - self.alpha) * self.loss_fn(self.model(x_adv), y)
        )
