"""Bagging and the error of an averaged ensemble (chapter 17)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_positive, check_positive_int, check_same_length
from .train import fit

__all__ = [
    "Ensemble", "bag", "bootstrap_indices", "ensemble_error",
    "simulate_ensemble_error",
]

Pair = tuple[torch.Tensor, torch.Tensor]


def bootstrap_indices(
    n: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """A bootstrap sample of ``range(n)``: n indices drawn uniformly
    *with replacement*.

    About 1 - (1 - 1/n)^n ~ 1 - 1/e ~ 63% of the examples appear at least
    once; the rest are left out and several are repeated.
    """
    check_positive_int("n", n)
    return torch.randint(0, n, (n,), generator=generator)


class Ensemble(nn.Module):
    """The average of the members' predicted distributions, returned
    as log-probabilities:

        p(y | x) = 1/k sum_{i=1}^k softmax(f_i(x)),  output = log p(y | x).

    Log-probabilities make the ensemble a drop-in classifier: ``argmax``
    gives its vote and ``F.cross_entropy`` on the output is the negative
    log-likelihood of the averaged distribution (``log_softmax`` leaves a
    log-distribution unchanged).
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if len(members) == 0:
            raise ValueError(
                "Invalid members: an ensemble needs at least one model"
            )
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (N, classes)
        p = torch.stack(
            [F.softmax(f(x), dim=1) for f in self.members]
        ).mean(dim=0)
        return torch.log(p)


def bag(
    make_model: Callable[[int], nn.Module],
    train: Pair,
    *,
    k: int,
    make_optimizer: Callable[[nn.Module], torch.optim.Optimizer],
    seed: int = 0,
    **fit_kwargs,
) -> Ensemble:
    """Bagging (bootstrap aggregating): train k models, each on its own
    bootstrap sample.

    For i = 1..k: draw a bootstrap sample D_i of the training set
    (``bootstrap_indices``), build ``make_model(i)``, train it on D_i with
    ``regopt.train.fit`` (``fit_kwargs`` pass through: loss_fn, epochs,
    batch_size, ...), and return the ``Ensemble`` of the k models. The
    samples are drawn from a generator seeded with ``seed``.
    """
    check_positive_int("k", k)
    X, y = train
    check_same_length("X", X, "y", y)
    generator = torch.Generator().manual_seed(seed)
    members = []
    for i in range(k):
        idx = bootstrap_indices(len(X), generator=generator)
        model = make_model(i)
        fit(
            model, (X[idx], y[idx]), optimizer=make_optimizer(model),
            seed=seed + i, **fit_kwargs,
        )
        members.append(model)
    return Ensemble(members)


def _check_covariance(v: float, c: float, k: int) -> None:
    """Raise ``ValueError`` unless Sigma (v on the diagonal, c elsewhere,
    k x k) is a covariance.
    """
    check_positive("variance v", v, allow_zero=True)
    check_positive_int("k", k)
    low = -v / (k - 1) if k > 1 else -float("inf")
    if not low <= c <= v:
        raise ValueError(
            f"Invalid covariance c: {c} (expected {low} <= c <= v = {v} so "
            "that Sigma is a covariance)"
        )


def ensemble_error(v: float, c: float, k: int) -> float:
    """Expected squared error of the average of k errors with variance v and
    covariance c:

        E[(1/k sum_i eps_i)^2] = v/k + (k - 1) c / k.

    c = v (identical errors): averaging does not help; c = 0 (independent):
    v/k. The k errors must have a covariance matrix, which needs v >= 0 and
    -v/(k - 1) <= c <= v.
    """
    _check_covariance(v, c, k)
    return v / k + (k - 1) * c / k


def simulate_ensemble_error(
    v: float,
    c: float,
    k: int,
    *,
    samples: int = 100_000,
    generator: torch.Generator | None = None,
) -> float:
    """Monte-Carlo estimate of E[(1/k sum_i eps_i)^2] with
    eps ~ N(0, Sigma), Sigma_ii = v, Sigma_ij = c.

    The covariance matrix must be positive semi-definite:
    -v/(k - 1) <= c <= v. The errors are drawn as
    eps_i = sqrt(c) z_0 + sqrt(v - c) z_i with independent z ~ N(0, 1) when
    c >= 0 (a shared part and a private part), and through the
    eigendecomposition of Sigma otherwise.
    """
    _check_covariance(v, c, k)
    check_positive_int("samples", samples)
    z = torch.randn(
        samples, k + 1, generator=generator, dtype=torch.float64
    )
    if c >= 0:
        eps = c**0.5 * z[:, :1] + (v - c) ** 0.5 * z[:, 1:]  # (samples, k)
    else:
        sigma = (
            torch.full((k, k), c, dtype=torch.float64)
            + (v - c) * torch.eye(k, dtype=torch.float64)
        )
        # Sigma = Q diag(lam) Q^T; lam >= 0 up to rounding
        lam, Q = torch.linalg.eigh(sigma)
        eps = z[:, 1:] @ (Q * lam.clamp(min=0).sqrt()).T
    return eps.mean(dim=1).pow(2).mean().item()
