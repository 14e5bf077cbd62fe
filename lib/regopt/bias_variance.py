"""The bias-variance decomposition, measured by simulation (chapter 11).

Draw many training sets D_1, ..., D_R from the same distribution, fit the
same model on each, and predict at fixed test inputs x_1, ..., x_m. With
fhat_r(x) the prediction of the model fitted on D_r, fbar(x) = (1/R) sum_r
fhat_r(x) the average prediction, f the true function and
y = f(x) + sigma * eps a noisy test label:

    bias^2   = mean_x (fbar(x) - f(x))^2
    variance = mean_x (1/R) sum_r (fhat_r(x) - fbar(x))^2
    noise    = mean_{x,r} (y_r(x) - f(x))^2
    MSE      = mean_{x,r} (y_r(x) - fhat_r(x))^2
             = bias^2 + variance + noise + 2 * cross

where cross = mean_{x,r} (y_r(x) - f(x)) (f(x) - fhat_r(x)) has expectation
zero, because the test noise is independent of the training set. So
bias^2 + variance + noise equals the measured MSE up to Monte-Carlo error,
and bias^2 + variance equals mean (fhat - f)^2 exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import check_ndim, check_positive, check_positive_int, is_int
from .data import noisy_regression

__all__ = [
    "BiasVariance", "decompose", "simulate", "legendre_features",
    "polynomial_fit",
]

FitPredict = Callable[
    [torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor
]


@dataclass(frozen=True)
class BiasVariance:
    """The terms of the decomposition and the directly measured expected
    test MSE.
    """

    bias2: float
    variance: float
    noise: float
    mse: float

    @property
    def total(self) -> float:
        """bias^2 + variance + noise, which estimates ``mse``."""
        return self.bias2 + self.variance + self.noise


def decompose(
    predictions: torch.Tensor, f_test: torch.Tensor, y_test: torch.Tensor
) -> BiasVariance:
    """Split the test error of ``predictions`` (R fits, m test points: shape
    (R, m)) into bias^2, variance and noise, given the true values
    ``f_test`` (m,) and noisy test labels ``y_test`` (R, m), one row of
    fresh labels per fit (formulas in the module docstring).
    """
    check_ndim("predictions", predictions, 2)
    check_ndim("f_test", f_test, 1)
    if (
        y_test.shape != predictions.shape
        or f_test.shape[0] != predictions.shape[1]
    ):
        raise ValueError(
            f"Shapes do not match: predictions {tuple(predictions.shape)}, "
            f"f_test {tuple(f_test.shape)}, y_test {tuple(y_test.shape)} "
            "(expected (R, m), (m,), (R, m))"
        )
    # (m,) average prediction over training sets
    f_bar = predictions.mean(dim=0)
    bias2 = (f_bar - f_test).pow(2).mean()
    # 1/R, not 1/(R-1): the identity is then exact
    variance = (predictions - f_bar).pow(2).mean()
    noise = (y_test - f_test).pow(2).mean()
    mse = (y_test - predictions).pow(2).mean()
    return BiasVariance(
        bias2.item(), variance.item(), noise.item(), mse.item()
    )


def simulate(
    fit_predict: FitPredict,
    *,
    n_train: int,
    n_repeats: int = 200,
    noise: float = 0.1,
    func: str = "linear",
    n_features: int = 1,
    n_test: int = 200,
    seed: int = 0,
) -> BiasVariance:
    """Refit a model on ``n_repeats`` fresh training sets and decompose its
    test error.

    Training sets of ``n_train`` points come from
    ``regopt.data.noisy_regression`` (seeds ``seed + 1, seed + 2, ...``);
    ``fit_predict(X_train, y_train, X_test)`` fits the model on one of them
    and returns its predictions (m,) at the fixed test inputs ``X_test``
    (``n_test`` points, seed ``seed``). Each fit is scored against its own
    fresh noisy labels y = f(x_test) + noise * eps. Everything runs in
    float64. Returns ``decompose``'s terms, so ``result.total`` is to be
    compared with ``result.mse``.
    """
    check_positive_int("n_train", n_train)
    check_positive_int("n_repeats", n_repeats)
    check_positive_int("n_test", n_test)
    check_positive("noise", noise, allow_zero=True)
    data = dict(n_features=n_features, func=func, dtype=torch.float64)
    X_test, f_test = noisy_regression(n_test, noise=0.0, seed=seed, **data)
    # (R, m)
    predictions = torch.stack(
        [
            fit_predict(
                *noisy_regression(
                    n_train, noise=noise, seed=seed + 1 + r, **data
                ),
                X_test,
            ).reshape(-1)
            for r in range(n_repeats)
        ]
    )
    eps = torch.randn(
        n_repeats, n_test, generator=torch.Generator().manual_seed(seed),
        dtype=torch.float64,
    )
    return decompose(predictions, f_test, f_test + noise * eps)


def legendre_features(
    X: torch.Tensor, degree: int, *, constant: bool = True
) -> np.ndarray:
    """The Legendre design matrix of the first input, Phi_ik = P_k(x_i1) for
    k = 0..degree, shape (n, degree + 1); without the constant column P_0
    when ``constant=False`` (for a model with its own, unpenalized,
    intercept).
    """
    if not is_int(degree) or degree < 0:
        raise ValueError(
            f"Invalid degree: {degree!r} (expected an integer >= 0)"
        )
    # (n, degree + 1)
    Phi = np.polynomial.legendre.legvander(
        X[:, 0].double().cpu().numpy(), degree
    )
    return Phi if constant else Phi[:, 1:]


def polynomial_fit(degree: int) -> FitPredict:
    """Least-squares polynomial of ``degree`` in the first input, as a
    ``fit_predict`` for ``simulate``: minimise
    sum_i (y_i - sum_k c_k P_k(x_i))^2 over the coefficients c_0..c_degree.

    Note: the basis is the Legendre polynomials P_k rather than the powers
    x^k. Both span the same functions (so the fit is the same), but on
    [-1, 1] the Legendre design matrix stays well conditioned at
    high degree.
    """
    if not is_int(degree) or degree < 0:
        raise ValueError(
            f"Invalid degree: {degree!r} (expected an integer >= 0)"
        )

    def features(X: torch.Tensor) -> torch.Tensor:
        # (n, degree+1)
        return torch.as_tensor(legendre_features(X, degree))

    def fit_predict(
        X_train: torch.Tensor, y_train: torch.Tensor, X_test: torch.Tensor
    ) -> torch.Tensor:
        coef = torch.linalg.lstsq(
            features(X_train), y_train.double().reshape(-1, 1),
            driver="gelsd",
        ).solution
        return (features(X_test) @ coef).reshape(-1)

    return fit_predict
