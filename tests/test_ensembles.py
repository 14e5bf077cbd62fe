"""Checks of regopt.ensembles: the bootstrap, the ensemble's average, the error formula v/k + (k-1)c/k."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from regopt.ensembles import Ensemble, bag, bootstrap_indices, ensemble_error, simulate_ensemble_error


def test_bootstrap_draws_with_replacement_and_leaves_out_about_a_third():
    n = 20_000
    idx = bootstrap_indices(n, generator=torch.Generator().manual_seed(0))
    assert idx.shape == (n,) and idx.min() >= 0 and idx.max() < n
    unique = idx.unique().numel() / n
    assert abs(unique - (1 - (1 - 1 / n) ** n)) < 0.01, unique  # 1 - 1/e ~ 0.632
    counts = torch.bincount(idx, minlength=n).double()
    assert abs(counts.mean() - 1) < 1e-12 and abs(counts.var() - 1) < 0.05  # Binomial(n, 1/n) ~ Poisson(1)


@pytest.mark.parametrize("v,c,k", [(1.0, 0.0, 1), (2.0, 0.0, 5), (1.0, 0.5, 10), (1.0, 1.0, 7), (1.0, -0.2, 5)])
def test_simulated_ensemble_error_matches_formula(v, c, k):
    expected = ensemble_error(v, c, k)
    assert expected == pytest.approx(v / k + (k - 1) * c / k)
    got = simulate_ensemble_error(v, c, k, samples=400_000, generator=torch.Generator().manual_seed(1))
    # The squared mean of Gaussian errors has variance 2 * expected^2: 5 standard errors.
    assert abs(got - expected) < 5 * math.sqrt(2) * expected / math.sqrt(400_000) + 1e-12, (got, expected)


def test_perfectly_correlated_errors_do_not_average_out():
    assert ensemble_error(3.0, 3.0, 100) == pytest.approx(3.0)
    assert ensemble_error(3.0, 0.0, 100) == pytest.approx(0.03)


@pytest.mark.parametrize("c", [1.5, -0.6])
def test_impossible_covariance_raises(c):
    with pytest.raises(ValueError, match="Invalid covariance"):
        simulate_ensemble_error(1.0, c, 3)


def test_invalid_ensemble_size_raises():
    with pytest.raises(ValueError, match="Invalid k"):
        ensemble_error(1.0, 0.0, 0)
    with pytest.raises(ValueError, match="at least one model"):
        Ensemble([])


def test_ensemble_averages_probabilities():
    torch.manual_seed(0)
    members = [nn.Linear(4, 3) for _ in range(3)]
    x = torch.randn(6, 4)
    expected = torch.stack([F.softmax(m(x), dim=1) for m in members]).mean(dim=0)
    out = Ensemble(members)(x)
    torch.testing.assert_close(out.exp(), expected)
    torch.testing.assert_close(F.cross_entropy(out, torch.zeros(6, dtype=torch.long)), -expected[:, 0].log().mean())


def test_bag_trains_each_member_on_its_own_bootstrap_sample():
    X = torch.arange(10.0).unsqueeze(1)
    y = torch.zeros(10, dtype=torch.long)
    seen = []

    class Recorder(nn.Linear):
        def forward(self, x):
            if self.training:
                seen.append(x.squeeze(1).sort().values)
            return super().forward(x)

    ensemble = bag(lambda i: Recorder(1, 2), (X, y), k=3, loss_fn=F.cross_entropy,
                   make_optimizer=lambda m: torch.optim.SGD(m.parameters(), lr=0.1), epochs=1, progress=False, seed=5)
    assert len(ensemble.members) == 3
    generator = torch.Generator().manual_seed(5)
    for got in seen:  # the same bootstrap samples, in order
        torch.testing.assert_close(got, X[bootstrap_indices(10, generator=generator)].squeeze(1).sort().values)
    assert not all(torch.equal(seen[0], s) for s in seen[1:])
