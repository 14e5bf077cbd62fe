"""Checks of regopt.randmat against sampled matrices, scipy's integration and KS statistic."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from regopt import randmat


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_gaussian_matrix_has_variance_one_over_n():
    A = randmat.gaussian_matrix(400, generator=_gen(0))
    assert A.shape == (400, 400) and A.var().item() == pytest.approx(1 / 400, rel=0.02)
    B = randmat.gaussian_matrix(300, 50, variance=4.0, generator=_gen(1))
    assert B.shape == (300, 50) and B.var().item() == pytest.approx(4.0, rel=0.03)


def test_eigenvalues_fill_the_unit_disc_uniformly():
    n = 400
    lam = randmat.eigenvalues(randmat.gaussian_matrix(n, generator=_gen(2)))
    r = lam.abs().numpy() / randmat.circular_law_radius(1 / n, n)
    assert randmat.circular_law_radius(1 / n, n) == 1.0
    assert np.mean(r <= 1.05) > 0.99  # (almost) all inside the unit disc
    # uniform on the disc: P(|lambda| <= r) = r^2, so |lambda|^2 ~ U(0, 1)
    assert randmat.ks_distance(np.minimum(r**2, 1.0), lambda u: np.clip(u, 0, 1)) < 0.05
    assert randmat.ks_distance(r, lambda u: np.clip(u, 0, 1)) > 0.2  # the radius itself is not uniform


@pytest.mark.parametrize("n, p", [(1600, 400), (800, 400)])
def test_eigenvalues_of_the_sample_covariance_follow_marchenko_pastur(n, p):
    X = torch.randn(n, p, generator=_gen(3), dtype=torch.float64)
    eig = torch.linalg.eigvalsh(X.T @ X / n).numpy()
    a, b = randmat.marchenko_pastur_edges(p / n)
    assert a - 0.05 < eig.min() and eig.max() < b + 0.05
    assert randmat.ks_distance(eig, lambda x: randmat.marchenko_pastur_cdf(x, p / n)) < 0.03
    s = randmat.singular_values(X / math.sqrt(n)).numpy()  # singular values: square roots of the MP law
    assert randmat.ks_distance(s, lambda x: randmat.marchenko_pastur_cdf(x**2, p / n)) < 0.03
    wrong = lambda x: randmat.marchenko_pastur_cdf(x, p / n, variance=1.2)  # noqa: E731
    assert randmat.ks_distance(eig, wrong) > 0.05


@pytest.mark.parametrize("ratio, variance", [(0.25, 1.0), (0.5, 2.0), (1.0, 1.0)])
def test_marchenko_pastur_density_integrates_to_one_and_matches_the_cdf(ratio, variance):
    a, b = randmat.marchenko_pastur_edges(ratio, variance)
    pdf = lambda x: float(randmat.marchenko_pastur_pdf(x, ratio, variance))  # noqa: E731
    total, _ = integrate.quad(pdf, a, b, limit=200)
    assert total == pytest.approx(1.0, abs=1e-6)
    for x in np.linspace(a, b, 7)[1:-1]:
        assert randmat.marchenko_pastur_cdf(x, ratio, variance) == pytest.approx(
            integrate.quad(pdf, a, x, limit=200)[0], abs=1e-5)
    assert randmat.marchenko_pastur_pdf(np.array([a - 0.1, b + 0.1]), ratio, variance).tolist() == [0.0, 0.0]


def test_extreme_singular_values_are_sqrt_n_plus_minus_sqrt_k():
    n, k = 2000, 200
    s = randmat.singular_values(torch.randn(n, k, generator=_gen(4), dtype=torch.float64))
    low, high = randmat.extreme_singular_values(n, k)
    assert (low, high) == pytest.approx((math.sqrt(n) * (1 - math.sqrt(k / n)), math.sqrt(n) * (1 + math.sqrt(k / n))))
    assert s.min().item() == pytest.approx(low, rel=0.03)
    assert s.max().item() == pytest.approx(high, rel=0.03)


def test_ks_distance_matches_scipy():
    x = np.random.default_rng(5).normal(size=300)
    assert randmat.ks_distance(x, stats.norm.cdf) == pytest.approx(stats.kstest(x, "norm").statistic, abs=1e-12)
    assert randmat.ks_distance(x + 0.5, stats.norm.cdf) == pytest.approx(
        stats.kstest(x + 0.5, "norm").statistic, abs=1e-12)


@pytest.mark.parametrize(
    "call, message",
    [(lambda: randmat.gaussian_matrix(0), "Invalid n"), (lambda: randmat.gaussian_matrix(3, variance=-1.0), "Invalid variance"),
     (lambda: randmat.eigenvalues(torch.zeros(3, 4)), "square"), (lambda: randmat.singular_values(torch.zeros(3)), "2-D"),
     (lambda: randmat.marchenko_pastur_edges(1.5), "Invalid ratio: 1.5"), (lambda: randmat.marchenko_pastur_pdf(1.0, 0.0), "ratio"),
     (lambda: randmat.extreme_singular_values(10, 20), "Invalid k: 20"), (lambda: randmat.circular_law_radius(0.0, 5), "variance"),
     (lambda: randmat.ks_distance([], np.abs), "samples")],
)
def test_bad_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_layer_singular_value_edges_are_the_marchenko_pastur_edges_of_the_layer():
    n_in, n_out, variance = 300, 1200, 2 / 1500
    W = randmat.gaussian_matrix(n_out, n_in, variance=variance, generator=_gen(6))  # (n_out, n_in)
    low, high = randmat.layer_singular_value_edges(n_in, n_out, variance)
    a, b = randmat.marchenko_pastur_edges(n_in / n_out, variance * n_out)  # W^T W = n_out (W^T W / n_out)
    assert (low**2, high**2) == pytest.approx((a, b))
    s = randmat.singular_values(W)
    assert s.min().item() == pytest.approx(low, rel=0.03) and s.max().item() == pytest.approx(high, rel=0.03)
    assert randmat.layer_singular_value_edges(n_out, n_in, variance) == pytest.approx((low, high))  # W^T: same values


@pytest.mark.parametrize("nonlinearity", ["linear", "tanh", "relu"])
def test_deep_network_jacobians_match_autograd(nonlinearity):
    width, depth = 7, 4
    gen = _gen(8)
    weights = [randmat.gaussian_matrix(width, variance=1.5 / width, generator=gen) for _ in range(depth)]
    x0 = torch.randn(width, generator=gen, dtype=torch.float64)
    phi = {"linear": lambda h: h, "tanh": torch.tanh, "relu": torch.relu}[nonlinearity]
    activations, jacobians = randmat.deep_network_jacobians(weights, x0, nonlinearity=nonlinearity)
    assert activations.shape == (depth, width) and jacobians.shape == (depth, width, width)
    for layer in range(1, depth + 1):
        def net(x, layer=layer):
            for W in weights[:layer]:
                x = phi(W @ x)
            return x
        assert torch.allclose(activations[layer - 1], net(x0), atol=1e-12)
        assert torch.allclose(jacobians[layer - 1], torch.autograd.functional.jacobian(net, x0), atol=1e-12)
    if nonlinearity == "linear":
        assert torch.allclose(jacobians[-1], weights[3] @ weights[2] @ weights[1] @ weights[0], atol=1e-12)


@pytest.mark.parametrize(
    "call, message",
    [(lambda: randmat.deep_network_jacobians([torch.eye(3)], torch.ones(3), nonlinearity="gelu"), "Unknown nonlinearity"),
     (lambda: randmat.deep_network_jacobians([torch.eye(3)], torch.ones(4), nonlinearity="tanh"), "Invalid weights"),
     (lambda: randmat.deep_network_jacobians([], torch.ones(3), nonlinearity="tanh"), "Invalid weights"),
     (lambda: randmat.deep_network_jacobians([torch.eye(3)], torch.ones(3, 1), nonlinearity="relu"), "Invalid x"),
     (lambda: randmat.layer_singular_value_edges(0, 3, 1.0), "Invalid n_in"),
     (lambda: randmat.layer_singular_value_edges(3, 3, 0.0), "Invalid variance")],
)
def test_bad_network_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
