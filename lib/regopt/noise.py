"""Noise as a regularizer: on the inputs, on the weights, on the labels
(chapter 14).

- Input noise: train on x + eps, eps ~ N(0, sigma^2 I), a fresh draw at
  every step. For least squares this is ridge regression in expectation
  (Bishop, 1995):
      E ||(X + E) w - y||^2 = ||X w - y||^2 + N sigma^2 ||w||^2.
- Weight noise: compute the loss at theta + eps, eps ~ N(0, sigma^2 I), and
  apply its gradient to theta; this favours minima where small weight
  changes hardly matter (flat ones).
- Label smoothing: train on the soft target
  q = (1 - eps) onehot(y) + eps / K instead of the one-hot one
  (Szegedy et al., 2016).
- Label noise, to test what these do when some labels are wrong: replace a
  fraction of the labels by a different class drawn uniformly.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call
from torch.nn import functional as F

from ._checks import (
    check_fraction, check_ndim, check_positive, check_positive_int,
    check_same_length, is_real,
)

__all__ = [
    "add_input_noise", "InputNoise", "WeightNoise", "smooth_labels",
    "label_smoothing_cross_entropy", "flip_labels",
]


def add_input_noise(
    X: torch.Tensor, *, std: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """x~ = x + sigma eps with eps ~ N(0, I), a new tensor shaped
    like ``X``.
    """
    check_positive("std", std, allow_zero=True)
    eps = torch.randn(
        X.shape, generator=generator, dtype=X.dtype, device=X.device
    )
    return X + std * eps


class InputNoise(nn.Module):
    """Adds N(0, sigma^2) noise to its input in training mode; the identity
    in eval mode.

    Put it first in a model, ``nn.Sequential(InputNoise(std=0.1), net)``,
    and every minibatch ``fit`` draws is perturbed afresh, while evaluation
    sees the clean inputs (as ``nn.Dropout`` does).
    """

    def __init__(self, std: float) -> None:
        super().__init__()
        check_positive("std", std, allow_zero=True)
        self.std = std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return add_input_noise(x, std=self.std) if self.training else x

    def extra_repr(self) -> str:
        return f"std={self.std}"


class WeightNoise(nn.Module):
    """Runs ``module`` with perturbed weights theta + sigma eps,
    eps ~ N(0, I), in training mode.

    Each forward pass draws new noise. The perturbed weights are computed
    from the parameters (d(theta + sigma eps)/d theta = I), so
    backpropagation puts the gradient at the perturbed point on
    theta itself:

        g = grad L(theta + sigma eps),   theta <- optimizer.step(theta, g)

    which minimizes E_eps L(theta + sigma eps), the loss smoothed over a
    ball of radius about sigma. In eval mode the module runs with its
    own weights.
    """

    def __init__(self, module: nn.Module, *, std: float) -> None:
        super().__init__()
        check_positive("std", std, allow_zero=True)
        self.module = module
        self.std = std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.std == 0:
            return self.module(x)
        noisy = {
            name: p + self.std * torch.randn_like(p)
            for name, p in self.module.named_parameters()
        }
        return functional_call(self.module, noisy, (x,))

    def extra_repr(self) -> str:
        return f"std={self.std}"


def smooth_labels(
    y: torch.Tensor,
    n_classes: int,
    *,
    eps: float,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Soft targets q = (1 - eps) onehot(y) + eps / K, shape (N, K).

    The true class gets 1 - eps + eps/K, every other class eps/K; each row
    sums to one.
    """
    check_positive_int("n_classes", n_classes)
    if not is_real(eps) or not 0 <= eps <= 1:
        raise ValueError(
            f"Invalid label smoothing eps: {eps} (expected 0 <= eps <= 1)"
        )
    if y.dim() != 1 or y.dtype.is_floating_point:
        raise ValueError(
            "Invalid y: expected a 1-D tensor of class indices, got shape "
            f"{tuple(y.shape)} and dtype {y.dtype}"
        )
    if len(y) and not 0 <= y.min() <= y.max() < n_classes:
        raise ValueError(
            f"Invalid y: class indices from {y.min()} to {y.max()} "
            f"(expected 0 to n_classes - 1 = {n_classes - 1})"
        )
    # (N, K)
    onehot = F.one_hot(y, n_classes).to(dtype or torch.get_default_dtype())
    return (1 - eps) * onehot + eps / n_classes


def label_smoothing_cross_entropy(
    logits: torch.Tensor, y: torch.Tensor, *, eps: float
) -> torch.Tensor:
    """Cross-entropy against the smoothed targets, averaged over the N rows:

        L = -1/N sum_i sum_k q_ik log softmax(z_i)_k,
        q = smooth_labels(y, K, eps=eps).

    Note: this is ``torch.nn.CrossEntropyLoss(label_smoothing=eps)``, which
    also spreads eps over all K classes, the true one included (Szegedy et
    al. use the same uniform u).
    """
    check_ndim("logits", logits, 2)
    check_same_length("logits", logits, "y", y)
    # (N, K)
    q = smooth_labels(y, logits.shape[-1], eps=eps, dtype=logits.dtype)
    return -(q * F.log_softmax(logits, dim=-1)).sum(dim=-1).mean()


def flip_labels(
    y: torch.Tensor, n_classes: int, *, fraction: float, seed: int = 0
) -> torch.Tensor:
    """A copy of ``y`` with round(fraction * N) labels, chosen at random,
    each replaced by one of the other K - 1 classes, uniformly:

        y~_i = (y_i + u_i) mod K,   u_i ~ Uniform{1, ..., K - 1}

    for the chosen i, y~_i = y_i for the rest; so exactly that many labels
    are wrong.
    """
    check_positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise ValueError(
            f"Invalid n_classes: {n_classes} (a label can only be flipped "
            "to another class if there are at least 2)"
        )
    check_fraction("fraction", fraction, high=1.000001)
    if y.dim() != 1 or y.dtype.is_floating_point:
        raise ValueError(
            "Invalid y: expected a 1-D tensor of class indices, got shape "
            f"{tuple(y.shape)} and dtype {y.dtype}"
        )
    if len(y) and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"Invalid y: labels must lie in 0 .. {n_classes - 1}, got "
            f"{int(y.min())} .. {int(y.max())}"
        )
    gen = torch.Generator().manual_seed(seed)
    n_flip = round(fraction * len(y))
    chosen = torch.randperm(len(y), generator=gen)[:n_flip]
    u = torch.randint(1, n_classes, (n_flip,), generator=gen)
    noisy = y.clone()
    noisy[chosen] = (y[chosen] + u.to(y.device)) % n_classes
    return noisy
