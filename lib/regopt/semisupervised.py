"""Semi-supervised learning (chapter 16): two ways to use unlabelled
inputs.

- Self-training with pseudo-labels: a model trained on the few labelled
  examples labels the unlabelled ones it is confident about; the next model
  trains on both. Confident labels extend each class into the nearby
  unlabelled examples.
- A representation h = f(x) learned from the unlabelled inputs alone, here
  the principal components (PCA), on which a classifier is then trained
  from the labelled examples.
- A classifier and a model of the inputs that share that representation
  (``SharedEncoder`` with a ``ReconstructionPenalty``): the unlabelled
  inputs train the encoder through the reconstruction, the labelled ones
  through the classifier, in one objective.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    check_positive, check_positive_int, check_same_length, is_real,
)
from .reproducibility import device_of
from .train import fit, predict

__all__ = [
    "pseudo_labels", "self_training", "PCA", "SharedEncoder",
    "ReconstructionPenalty",
]

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


class PCA:
    """Principal component analysis of the rows of ``X``: the mean and the
    ``k`` directions of largest variance, from the thin SVD of the centred
    data,

        mu = (1/N) sum_i x_i,   X - mu = U S V^T,
        V_k = the first k columns of V,

    and the code of an input is its projection on them,

        h = f(x) = V_k^T (x - mu).

    Fitting needs no labels, so ``X`` may be every unlabelled input.
    ``explained_variance`` holds the variances s_j^2 / (N - 1) of the k
    codes.
    """

    def __init__(self, X: torch.Tensor, k: int) -> None:
        check_positive_int("k", k)
        if X.dim() != 2 or k > min(X.shape):
            raise ValueError(
                f"Invalid X or k: expected a 2-D X with at least k = {k} "
                f"rows and columns, got shape {tuple(X.shape)}"
            )
        self.mean = X.mean(dim=0)  # (D,)
        _, S, Vh = torch.linalg.svd(X - self.mean, full_matrices=False)
        self.components = Vh[:k]  # (k, D): rows are the directions V_k^T
        self.explained_variance = S[:k] ** 2 / (len(X) - 1)

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """The codes h = V_k^T (x - mu) of the rows of ``X``, (N, k)."""
        return (X - self.mean) @ self.components.T


class SharedEncoder(nn.Module):
    """A discriminative model of p(y | x) and a reconstruction model of x
    that share one encoder:

        h = f(x),   scores = g(h),   x_hat = d(h).

    ``forward`` gives the class scores g(f(x)), so the module trains and
    evaluates like any classifier; ``reconstruct`` gives d(f(x)).
    """

    def __init__(
        self, encoder: nn.Module, classifier: nn.Module, decoder: nn.Module
    ) -> None:
        super().__init__()
        self.encoder, self.classifier = encoder, classifier
        self.decoder = decoder

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.encoder(x))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class ReconstructionPenalty:
    """The unsupervised half of a hybrid objective, as a ``penalty=`` for
    ``regopt.train.fit``: the mean squared reconstruction error of the
    inputs ``X`` (typically all of them, labelled or not),

        Omega(theta) = gamma * 1/(N D) sum_{i=1}^N ||d(f(x_i)) - x_i||^2,

    so that fit minimizes J(theta) = (1/|L|) sum_{i in L} L(g(f(x_i)), y_i)
    + Omega(theta), the labelled loss plus ``strength`` (gamma) times the
    reconstruction error. Up to constants, the squared error is
    -log p(x | h) for a Gaussian decoder with unit variance.
    """

    def __init__(self, X: torch.Tensor, *, strength: float) -> None:
        check_positive("strength", strength)
        if X.dim() != 2 or not X.is_floating_point() or not len(X):
            raise ValueError(
                "Invalid X: expected a non-empty floating-point (N, D) "
                f"tensor of inputs, got shape {tuple(X.shape)} and dtype "
                f"{X.dtype}"
            )
        self.X, self.strength = X, strength

    def __call__(self, model: SharedEncoder) -> torch.Tensor:
        X = self.X.to(device_of(model))
        return self.strength * F.mse_loss(model.reconstruct(X), X)
