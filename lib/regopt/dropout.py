"""Dropout and DropConnect, written out (chapter 17).

Dropout multiplies each unit by a random mask mu_i ~ Bernoulli(1 - p);
DropConnect multiplies each *weight* of a linear layer by one. Both train a
huge ensemble of sub-networks that share parameters; at test time the
ensemble is either approximated in one pass (the weight-scaling rule) or
averaged over sampled masks (``mc_predict``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_positive_int, is_real
from .reproducibility import device_of

__all__ = ["Dropout", "DropConnect", "dropout", "keep_mask", "mc_predict"]


def _check_p(p: float) -> None:
    # p = 1 would drop everything and make the 1/(1 - p) scale infinite.
    if not is_real(p) or not 0 <= p < 1:
        raise ValueError(
            f"Invalid dropout probability: {p} (expected 0 <= p < 1)"
        )


def _check_mask(mask: torch.Tensor, x: torch.Tensor) -> None:
    try:
        fits = torch.broadcast_shapes(mask.shape, x.shape) == x.shape
    except RuntimeError:
        fits = False
    if not fits:
        raise ValueError(
            f"Invalid mask: shape {tuple(mask.shape)} does not broadcast "
            f"to x's shape {tuple(x.shape)}"
        )


def keep_mask(
    shape: torch.Size | tuple[int, ...],
    p: float,
    *,
    like: torch.Tensor | None = None,
) -> torch.Tensor:
    """A mask of independent mu ~ Bernoulli(1 - p): 1 keeps an entry, 0
    drops it (probability p).

    Drawn from torch's global generator, so ``regopt.seed_everything`` fixes
    it. ``like`` gives the mask its dtype and device.
    """
    _check_p(p)
    options = (
        {} if like is None else {"dtype": like.dtype, "device": like.device}
    )
    return torch.bernoulli(torch.full(tuple(shape), 1.0 - p, **options))


def dropout(
    x: torch.Tensor,
    p: float = 0.5,
    training: bool = True,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Inverted dropout: in training h = mu * x / (1 - p) with
    mu ~ Bernoulli(1 - p); in evaluation h = x.

    Dividing by the keep probability 1 - p during training makes E[h] = x,
    so the network at test time needs no change: the weight-scaling rule
    (multiply the weights leaving a unit by 1 - p) is already built in. Pass
    ``mask`` to use a given mask instead of sampling one
    (it is applied with p = 0 too).

    Note: the original paper (Srivastava et al., 2014) does not rescale in
    training and multiplies the weights by 1 - p at test time instead; both
    give the same network in expectation, and PyTorch (like this function)
    uses the inverted form.
    """
    _check_p(p)
    if mask is not None:
        _check_mask(mask, x)
    if not training or (p == 0 and mask is None):
        return x
    mu = keep_mask(x.shape, p, like=x) if mask is None else mask
    return mu * x / (1 - p)


class Dropout(nn.Module):
    """Inverted dropout as a layer, a twin of ``torch.nn.Dropout(p)``:
    see ``dropout``.

    ``model.train()`` samples a fresh mask on every forward pass;
    ``model.eval()`` makes the layer the identity.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        _check_p(p)
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class DropConnect(nn.Linear):
    """A linear layer whose weights are dropped: u = (M * W) x + b with
    M_ij ~ Bernoulli(1 - p).

    Training draws a new mask M on every forward pass, shared by the
    examples of the minibatch. Evaluation uses the mean network,

        E_M[(M * W) x + b] = (1 - p) W x + b,

    the weight-scaling rule applied to weights instead of units.

    Note: Wan et al. (2013) draw a mask per example; one mask per minibatch,
    as here, costs a single (out, in) mask instead of N of them and is the
    same in expectation. The bias is not masked, and training does not
    rescale by 1/(1 - p) (Wan et al.'s convention; at test time they sample
    from a Gaussian fitted to u instead of using the mean). Dropout on the
    inputs of a layer is the special case where a whole column of M is
    dropped at once.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        p: float = 0.5,
    ) -> None:
        super().__init__(in_features, out_features, bias)
        _check_p(p)
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return F.linear(x, (1 - self.p) * self.weight, self.bias)
        # (out, in)
        M = keep_mask(self.weight.shape, self.p, like=self.weight)
        return F.linear(x, M * self.weight, self.bias)  # (N, out)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, p={self.p}"


_STOCHASTIC = (Dropout, DropConnect, nn.Dropout)


@torch.no_grad()
def mc_predict(
    model: nn.Module, X: torch.Tensor, *, samples: int
) -> torch.Tensor:
    """Class probabilities averaged over ``samples`` sampled masks
    (Monte-Carlo dropout):

        p(y | x) ~ 1/S sum_{s=1}^S softmax(f(x; mu_s)),    mu_s ~ p(mu).

    Only the dropout and DropConnect layers are put in training mode; every
    other layer stays as it is (in evaluation mode), and the model's modes
    are restored afterwards.
    """
    check_positive_int("samples", samples)
    modes = {m: m.training for m in model.modules()}
    model.eval()
    for m in model.modules():
        if isinstance(m, _STOCHASTIC):
            m.train()
    try:
        X = X.to(device_of(model))
        # (N, classes)
        total = sum(F.softmax(model(X), dim=1) for _ in range(samples))
    finally:
        for m, mode in modes.items():
            m.train(mode)
    return total / samples
