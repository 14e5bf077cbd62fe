"""Checks of regopt.synthesis: the variance of the learned function and the optimization/regularization rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from regopt import synthesis


def test_prediction_variance_matches_numpy_unbiased_variance():
    probabilities = torch.softmax(torch.randn(4, 30, 10, generator=torch.Generator().manual_seed(0),
                                              dtype=torch.float64), dim=2)
    expected = np.var(probabilities.numpy(), axis=0, ddof=1).sum(axis=1).mean()
    assert synthesis.prediction_variance(probabilities) == pytest.approx(expected, rel=1e-12)


def test_prediction_variance_of_two_seeds_is_half_the_squared_difference():
    # Var of {a, b} with divisor S - 1 = 1 is (a - b)^2 / 2; summed over classes, averaged over examples.
    a = torch.tensor([[1.0, 0.0], [0.5, 0.5]], dtype=torch.float64)
    b = torch.tensor([[0.0, 1.0], [0.5, 0.5]], dtype=torch.float64)
    assert synthesis.prediction_variance(torch.stack([a, b])) == pytest.approx((0.5 + 0.5 + 0 + 0) / 2)


def test_prediction_variance_is_zero_when_every_seed_learns_the_same_function():
    p = torch.softmax(torch.randn(20, 10, generator=torch.Generator().manual_seed(1)), dim=1)
    assert synthesis.prediction_variance(torch.stack([p, p, p])) == 0.0


def test_prediction_variance_rejects_bad_shapes():
    with pytest.raises(ValueError, match="3-D"):
        synthesis.prediction_variance(torch.rand(5, 10))
    with pytest.raises(ValueError, match="at least 2 seeds"):
        synthesis.prediction_variance(torch.rand(1, 5, 10))


@pytest.mark.parametrize(
    "recipe, reference, effect",
    [
        ((0.01, 0.30), (2.30, 2.31), "optimization"),  # fits a training set the reference could not
        ((0.04, 0.27), (0.01, 0.34), "regularization"),  # worse fit, smaller gap: like L2
        ((2.29, 2.31), (2.30, 2.32), "neither"),
        ((0.01, 0.02), (1.00, 1.50), "optimization"),  # both improve: optimization is checked first
        ((0.90, 1.10), (1.00, 1.20), "neither"),  # neither improves by 1.25x
        ((0.90, 1.00), (1.00, 1.25), "regularization"),  # gap 0.1 <= 0.25 / 1.25
    ],
)
def test_main_effect_follows_the_rule(recipe, reference, effect):
    assert synthesis.main_effect(recipe, reference) == effect


def test_main_effect_factor_sets_the_required_improvement():
    assert synthesis.main_effect((0.6, 1.0), (1.0, 1.5), factor=1.5) == "optimization"
    assert synthesis.main_effect((0.7, 1.0), (1.0, 1.5), factor=1.5) == "regularization"
    assert synthesis.main_effect((0.7, 1.2), (1.0, 1.5), factor=1.5) == "neither"


def test_main_effect_rejects_a_factor_below_one():
    with pytest.raises(ValueError, match="Invalid factor"):
        synthesis.main_effect((1.0, 1.0), (1.0, 1.0), factor=0.5)
