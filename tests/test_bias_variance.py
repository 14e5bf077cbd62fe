"""Checks of regopt.bias_variance: the decomposition adds up, and OLS has its textbook bias and variance."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from regopt.bias_variance import BiasVariance, decompose, polynomial_fit, simulate
from regopt.data import noisy_regression


def ols(X_train: torch.Tensor, y_train: torch.Tensor, X_test: torch.Tensor) -> torch.Tensor:
    """Least squares without intercept: correctly specified for func="linear"."""
    w = torch.linalg.lstsq(X_train, y_train.reshape(-1, 1)).solution
    return (X_test @ w).reshape(-1)


def _random_draws(R: int = 50, m: int = 30):
    g = torch.Generator().manual_seed(0)
    f = torch.randn(m, generator=g, dtype=torch.float64)
    predictions = f + 0.3 + 0.5 * torch.randn(R, m, generator=g, dtype=torch.float64)
    y = f + 0.2 * torch.randn(R, m, generator=g, dtype=torch.float64)
    return predictions, f, y


def test_bias2_plus_variance_is_the_error_against_f_to_float_precision():
    predictions, f, y = _random_draws()
    terms = decompose(predictions, f, y)
    assert terms.bias2 + terms.variance == pytest.approx((predictions - f).pow(2).mean().item(), rel=1e-12)
    # and the full identity: mse = bias^2 + variance + noise + 2 * cross, the cross term being measurable here
    cross = ((y - f) * (f - predictions)).mean().item()
    assert terms.mse == pytest.approx(terms.total + 2 * cross, rel=1e-12)


def test_terms_match_numpy_formulas():
    predictions, f, y = _random_draws()
    P, F, Y = predictions.numpy(), f.numpy(), y.numpy()
    terms = decompose(predictions, f, y)
    assert terms.bias2 == pytest.approx(np.mean((P.mean(0) - F) ** 2), rel=1e-12)
    assert terms.variance == pytest.approx(np.mean(P.var(0)), rel=1e-12)  # numpy's ddof=0
    assert terms.noise == pytest.approx(np.mean((Y - F) ** 2), rel=1e-12)
    assert terms.mse == pytest.approx(np.mean((Y - P) ** 2), rel=1e-12)


@pytest.mark.parametrize("degree", [1, 3, 9])
def test_simulated_decomposition_adds_up_to_the_measured_mse_within_monte_carlo_error(degree):
    terms = simulate(polynomial_fit(degree), n_train=20, n_repeats=400, noise=0.3, func="sine")
    # the gap is 2 * cross, a mean of 400 * 200 zero-mean products; 4 standard errors bound it
    se = 2 * 0.3 * np.sqrt((terms.bias2 + terms.variance) / (400 * 200))
    assert abs(terms.mse - terms.total) < 4 * se + 1e-12, (terms, se)
    assert terms.noise == pytest.approx(0.09, rel=0.02)


def test_ols_on_a_linear_target_has_no_bias_and_variance_sigma2_p_over_n():
    sigma, n, p = 0.5, 200, 3
    terms = simulate(ols, n_train=n, n_repeats=500, noise=sigma, n_features=p, n_test=300)
    assert terms.bias2 < 0.01 * terms.variance, terms
    # E[x^T (X^T X)^{-1} x] = p/n (1 + O(p/n)) for centred inputs; (n - p - 1) is the Gaussian-design value
    assert terms.variance == pytest.approx(sigma**2 * p / (n - p - 1), rel=0.1), terms


def test_polynomial_fit_matches_numpy_polyfit():
    X, y = noisy_regression(30, noise=0.2, func="sine", dtype=torch.float64, seed=3)
    X_test = torch.linspace(-1, 1, 17, dtype=torch.float64).reshape(-1, 1)
    ours = polynomial_fit(5)(X, y, X_test)
    ref = np.polyval(np.polyfit(X[:, 0].numpy(), y.numpy(), 5), X_test[:, 0].numpy())
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-9, atol=1e-9)


def test_underfit_has_more_bias_overfit_more_variance():
    low, high = (simulate(polynomial_fit(d), n_train=30, n_repeats=100, noise=0.3, func="sine") for d in (1, 7))
    assert low.bias2 > 10 * high.bias2 and high.variance > 10 * low.variance, (low, high)


def test_bad_input_raises_clear_errors():
    predictions, f, y = _random_draws()
    with pytest.raises(ValueError, match="Invalid predictions"):
        decompose(predictions[0], f, y)
    with pytest.raises(ValueError, match="Shapes do not match"):
        decompose(predictions, f[:-1], y)
    with pytest.raises(ValueError, match="Invalid degree"):
        polynomial_fit(-1)
    with pytest.raises(ValueError, match="Invalid n_repeats"):
        simulate(polynomial_fit(1), n_train=5, n_repeats=0)
    with pytest.raises(ValueError, match="Invalid noise"):
        simulate(polynomial_fit(1), n_train=5, noise=-1.0)
    assert isinstance(decompose(predictions, f, y), BiasVariance)
