"""Semi-supervised learning by self-training with pseudo-labels
(chapter 16).

A model trained on the few labelled examples labels the unlabelled ones it
is confident about; the next model trains on both. The unlabelled inputs
tell the model where the data lie, and confident labels extend each class
into the nearby unlabelled examples.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_positive_int, check_same_length, is_real
from .train import fit, predict

__all__ = ["pseudo_labels", "self_training"]

Pair = tuple[torch.Tensor, torch.Tensor]


@torch.no_grad()
def pseudo_labels(
    model: nn.Module, X: torch.Tensor, *, threshold: float
) -> Pair:
    """The examples of ``X`` the model is confident about, with its
    predictions as labels:

        keep x_i  if  max_y p(y | x_i) >= threshold,
        y_hat_i = argmax_y p(y | x_i).

    The model is evaluated in evaluation mode (and its mode restored).
    """
    if not is_real(threshold) or not 0 <= threshold <= 1:
        raise ValueError(
            f"Invalid threshold: {threshold} (expected 0 <= threshold <= 1)"
        )
    p = F.softmax(predict(model, X), dim=1)  # (N, classes)
    confidence, y_hat = p.max(dim=1)
    keep = confidence >= threshold
    return X[keep], y_hat[keep]


def self_training(
    make_model: Callable[[], nn.Module],
    labelled: Pair,
    unlabelled: torch.Tensor,
    *,
    make_optimizer: Callable[[nn.Module], torch.optim.Optimizer],
    rounds: int = 1,
    threshold: float = 0.9,
    **fit_kwargs,
) -> nn.Module:
    """Self-training: fit on the labelled set, then ``rounds`` times refit a
    fresh model on the labelled set plus the pseudo-labelled examples of the
    current model.

        theta_0 = fit(D_L);
        D_P = pseudo_labels(f_{theta_r}, X_U);
        theta_{r+1} = fit(D_L u D_P).

    ``fit_kwargs`` (loss_fn, epochs, batch_size, ...) pass through to
    ``regopt.train.fit``. Returns the last model.
    """
    check_positive_int("rounds", rounds)
    X, y = labelled
    check_same_length("labelled X", X, "labelled y", y)
    model = make_model()
    fit(model, labelled, optimizer=make_optimizer(model), **fit_kwargs)
    for _ in range(rounds):
        X_p, y_p = pseudo_labels(model, unlabelled, threshold=threshold)
        model = make_model()
        fit(
            model, (torch.cat([X, X_p]), torch.cat([y, y_p])),
            optimizer=make_optimizer(model), **fit_kwargs,
        )
    return model
