"""Greedy layer-wise pretraining with autoencoders, and freezing layers for
transfer (chapter 10).

Greedy layer-wise pretraining (Hinton et al., 2006; Bengio et al., 2007)
trains a deep encoder one layer at a time, each layer as the encoder of a
shallow autoencoder of the codes below it:

    h_0 = x
    for l = 1..L:
        train  min_{W_l, b_l, V_l, c_l}  1/N sum_i
                   || V_l s(W_l h_{l-1,i} + b_l) + c_l - h_{l-1,i} ||^2
        h_l = s(W_l h_{l-1} + b_l)

and then stacks the encoders under a fresh output layer for
supervised fine-tuning.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_positive, check_positive_int
from .autoencoders import Autoencoder
from .train import Callback, fit

__all__ = [
    "greedy_layerwise_pretrain", "stack_pretrained", "freeze", "unfreeze",
    "frozen_parameters",
]


def greedy_layerwise_pretrain(
    layer_sizes: Sequence[int],
    X: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    activation: type[nn.Module] = nn.Tanh,
    seed: int = 0,
    progress: bool = False,
    callbacks: Sequence[Callback] = (),
) -> list[nn.Linear]:
    """Pretrain the encoders ``layer_sizes[0] -> layer_sizes[1] -> ...``
    greedily; return them.

    Layer l is the encoder W_l of the autoencoder
    h -> V_l s(W_l h + b_l) + c_l (decoder linear, s = ``activation``;
    ``regopt.autoencoders.Autoencoder``), trained with ``regopt.train.fit``
    on the mean squared reconstruction error of the codes h_{l-1} of the
    layers below (h_0 = X, unlabelled), with ``regopt.optim.Adam(lr)``. The
    decoders are discarded. ``callbacks`` are passed to every ``fit`` call
    (e.g. to record each autoencoder's history).
    """
    # the optimizers are imported only when pretraining runs
    from .optim import Adam

    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"Invalid layer_sizes: {sizes!r} (expected the input width and "
            "at least one layer)"
        )
    for size in sizes:
        check_positive_int("layer size", size)
    if X.dim() != 2 or X.shape[1] != sizes[0]:
        raise ValueError(
            f"Invalid X: expected shape (N, {sizes[0]}) for layer_sizes[0] "
            f"= {sizes[0]}, got {tuple(X.shape)}"
        )
    check_positive("lr", lr)

    encoders: list[nn.Linear] = []
    H = X  # (N, d_0): h_0 = x
    for layer, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        autoencoder = Autoencoder(
            d_in, d_out, activation=activation, seed=seed + layer
        ).to(X.device, X.dtype)
        optimizer = Adam(autoencoder.parameters(), lr=lr)
        fit(
            autoencoder, (H, H), loss_fn=F.mse_loss, optimizer=optimizer,
            epochs=epochs, batch_size=batch_size, callbacks=callbacks,
            seed=seed + layer, progress=progress, device=X.device,
        )
        with torch.no_grad():
            # (N, d_out): h_l = s(W_l h_{l-1} + b_l)
            H = autoencoder.encode(H)
        encoders.append(autoencoder.encoder)
    return encoders


def stack_pretrained(
    encoders: Sequence[nn.Linear],
    n_out: int,
    activation: type[nn.Module] = nn.Tanh,
) -> nn.Sequential:
    """Copies of ``encoders`` with ``activation`` after each, topped by a
    fresh ``nn.Linear(., n_out)``.

    The encoders are copied, so fine-tuning the stack leaves the pretrained
    layers as they were (a chapter can stack them twice: once frozen, once
    fine-tuned).
    """
    check_positive_int("n_out", n_out)
    if not encoders or not all(isinstance(e, nn.Linear) for e in encoders):
        raise ValueError(
            "Invalid encoders: expected a non-empty sequence of "
            "nn.Linear layers"
        )
    layers: list[nn.Module] = []
    for encoder in encoders:
        layers += [copy.deepcopy(encoder), activation()]
    last = encoders[-1]
    head = nn.Linear(last.out_features, n_out).to(
        dtype=last.weight.dtype, device=last.weight.device
    )
    return nn.Sequential(*layers, head)


def _parameters(
    modules: nn.Module | Iterable[nn.Module | nn.Parameter]
) -> list[nn.Parameter]:
    if isinstance(modules, nn.Module):
        return list(modules.parameters())
    params: list[nn.Parameter] = []
    for item in modules:
        if isinstance(item, nn.Module):
            params += list(item.parameters())
        elif isinstance(item, torch.Tensor):
            params.append(item)
        else:
            raise ValueError(
                f"Invalid item to (un)freeze: {type(item).__name__} "
                "(expected a module or a parameter)"
            )
    return params


def freeze(modules: nn.Module | Iterable[nn.Module | nn.Parameter]) -> None:
    """Stop training these layers: requires_grad = False on all
    their parameters.

    Autograd then computes no gradient for them and optimizers leave them
    alone; build the optimizer from
    ``filter(lambda p: p.requires_grad, model.parameters())`` so that it
    holds no state for them either.
    """
    for p in _parameters(modules):
        p.requires_grad_(False)


def unfreeze(
    modules: nn.Module | Iterable[nn.Module | nn.Parameter]
) -> None:
    """Train these layers again: requires_grad = True on all
    their parameters.
    """
    for p in _parameters(modules):
        p.requires_grad_(True)


def frozen_parameters(model: nn.Module) -> list[str]:
    """Names of the parameters of ``model`` that are frozen
    (requires_grad False).
    """
    return [
        name for name, p in model.named_parameters() if not p.requires_grad
    ]
