"""The small networks the chapters train, built in one place so every
chapter means the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ._checks import check_positive_int
from .normalization import BatchNorm1d
from .reproducibility import seed_everything

__all__ = ["mlp"]


def mlp(
    hidden: int | Sequence[int] = 32,
    *,
    n_in: int = 64,
    n_out: int = 10,
    activation: type[nn.Module] = nn.Tanh,
    batch_norm: bool = False,
    seed: int | None = 0,
) -> nn.Sequential:
    """A multilayer perceptron ``n_in -> hidden... -> n_out`` with
    ``activation`` between layers.

    The defaults are the digits network of chapter 1: 64 pixels, 32 tanh
    units, 10 scores. ``hidden`` may list several layer widths. With
    ``batch_norm``, each hidden layer is
    ``Linear -> BatchNorm1d -> activation`` (``regopt.normalization``,
    chapter 9); batch normalization draws no random numbers, so the linear
    layers get the same weights either way. With a ``seed``, all generators
    are reseeded first (``regopt.seed_everything``), so the same call always
    gives the same weights.
    """
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    for name, value in [
        ("n_in", n_in), ("n_out", n_out), *(("hidden", h) for h in widths)
    ]:
        check_positive_int(name, value)
    if seed is not None:
        seed_everything(seed)
    sizes = [n_in, *widths, n_out]
    layers: list[nn.Module] = []
    # the hidden layers
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [
            nn.Linear(fan_in, fan_out),
            *([BatchNorm1d(fan_out)] if batch_norm else []),
            activation(),
        ]
    return nn.Sequential(*layers, nn.Linear(sizes[-2], sizes[-1]))
