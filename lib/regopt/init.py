"""Weight initialization schemes (chapter 7), twins of ``torch.nn.init``.

Each function fills a tensor in place and returns it, with the same
arguments and, given the same ``generator``, the same draws as its
``torch.nn.init`` namesake. For a weight matrix W of shape (fan_out, fan_in)
(a ``nn.Linear`` weight; a convolution multiplies both fans by the kernel
size):

    xavier (Glorot):  Var(W_ij) = gain^2 * 2 / (fan_in + fan_out)
    kaiming (He):     Var(W_ij) = gain^2 / fan    (fan = fan_in or fan_out)
    uniform version:  W_ij ~ U(-bound, bound), bound = sqrt(3 Var)
                      (Var of U(-b, b) is b^2/3)
    normal version:   W_ij ~ N(0, Var)
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_choice, check_positive, is_real

__all__ = [
    "calculate_gain",
    "zeros_",
    "constant_",
    "uniform_",
    "normal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "init_model",
]

_NONLINEARITIES = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain g that keeps activation variance constant
    through ``nonlinearity``.

        linear, sigmoid: 1      tanh: 5/3      relu: sqrt(2)
        leaky_relu:      sqrt(2 / (1 + a^2)), a = ``param`` (default 0.01)

    ReLU zeroes half of a symmetric input, halving its second moment;
    g^2 = 2 restores it.
    """
    check_choice("nonlinearity", nonlinearity, _NONLINEARITIES)
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    a = 0.01 if param is None else param
    if not is_real(a):
        raise ValueError(
            f"Invalid negative_slope for leaky_relu: {a!r} "
            "(expected a number)"
        )
    return math.sqrt(2.0 / (1 + a**2))


def _fans(tensor: torch.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out need a tensor with at least 2 dimensions "
            f"(out, in, ...), got shape {tuple(tensor.shape)}"
        )
    # kernel size of a convolution, 1 for a matrix
    receptive_field = tensor[0][0].numel()
    return (
        tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field
    )


@torch.no_grad()
def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    """W = 0. Every hidden unit computes the same function, and stays that
    way (chapter 7).
    """
    return tensor.zero_()


@torch.no_grad()
def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    """W = ``val`` everywhere: as symmetric as zeros."""
    return tensor.fill_(val)


@torch.no_grad()
def uniform_(
    tensor: torch.Tensor,
    a: float = 0.0,
    b: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """W_ij ~ U(a, b)."""
    if not a <= b:
        raise ValueError(f"Invalid bounds: a={a} > b={b} (expected a <= b)")
    return tensor.uniform_(a, b, generator=generator)


@torch.no_grad()
def normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """W_ij ~ N(mean, std^2)."""
    check_positive("std", std, allow_zero=True)
    return tensor.normal_(mean, std, generator=generator)


def xavier_uniform_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Glorot and Bengio (2010): W_ij ~ U(-b, b),
    b = gain sqrt(6 / (fan_in + fan_out)).
    """
    fan_in, fan_out = _fans(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator=generator)


def xavier_normal_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Glorot and Bengio (2010):
    W_ij ~ N(0, gain^2 * 2 / (fan_in + fan_out)).
    """
    fan_in, fan_out = _fans(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator=generator)


def _kaiming_std(
    tensor: torch.Tensor, a: float, mode: str, nonlinearity: str
) -> float:
    check_choice("mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = _fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """He et al. (2015): W_ij ~ U(-b, b), b = gain sqrt(3 / fan).

    ``mode="fan_in"`` keeps the forward activations' variance, ``"fan_out"``
    the backward gradients'. ``a`` is the negative slope of a leaky ReLU.

    Note: as in torch, the default ``nonlinearity="leaky_relu"`` with
    ``a=0`` is the ReLU gain sqrt(2).
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator=generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """He et al. (2015): W_ij ~ N(0, gain^2 / fan); arguments
    as ``kaiming_uniform_``.
    """
    return normal_(
        tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity),
        generator=generator,
    )


@torch.no_grad()
def orthogonal_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Saxe et al. (2014): W = gain Q, Q with orthonormal rows or columns,
    uniform (Haar) over them.

        G ~ N(0, 1)^{rows x cols}      (transposed first if wide, so that G
                                        is tall)
        G = Q R                        (reduced QR decomposition)
        Q <- Q diag(sign(diag(R)))     (the sign fix)

    Q^T Q = I. Without the sign fix Q is orthogonal but not uniformly
    distributed: LAPACK's Householder QR makes some signs systematic (its
    Q_11 is never positive, for instance). Multiplying the columns of Q by
    the signs of diag(R) makes R's diagonal positive, which makes the
    decomposition unique and Q a Haar-distributed draw.
    """
    if tensor.dim() < 2:
        raise ValueError(
            "Orthogonal init needs a tensor with at least 2 dimensions, "
            f"got shape {tuple(tensor.shape)}"
        )
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    # (rows, cols)
    G = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
    if rows < cols:
        G = G.T  # (cols, rows): QR of a tall matrix
    Q, R = torch.linalg.qr(G)
    # Q diag(sign(diag(R))): scales column j by sign(R_jj)
    Q = Q * torch.sign(torch.diagonal(R, 0))
    if rows < cols:
        Q = Q.T
    return tensor.copy_(Q.reshape(tensor.shape)).mul_(gain)


_SCHEMES = {
    "zeros": zeros_,
    "constant": constant_,
    "uniform": uniform_,
    "normal": normal_,
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "kaiming_uniform": kaiming_uniform_,
    "kaiming_normal": kaiming_normal_,
    "orthogonal": orthogonal_,
}
_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def init_model(model: nn.Module, scheme: str, **kwargs) -> nn.Module:
    """Initialize every ``nn.Linear`` and ``nn.Conv*d`` weight of ``model``
    with one scheme; biases 0.

    ``scheme`` names a function of this module without its underscore
    (``"xavier_uniform"``, ``"kaiming_normal"``, ``"orthogonal"``,
    ``"zeros"``, ...); ``kwargs`` go to it, e.g.
    ``init_model(net, "kaiming_normal", nonlinearity="relu", generator=g)``.
    Returns ``model``.
    """
    check_choice("scheme", scheme, _SCHEMES)
    if not isinstance(model, nn.Module):
        raise ValueError(
            "Invalid model: expected an nn.Module, got "
            f"{type(model).__name__}"
        )
    init = _SCHEMES[scheme]
    for module in model.modules():
        if isinstance(module, _LAYERS):
            init(module.weight, **kwargs)
            if module.bias is not None:
                zeros_(module.bias)
    return model
