"""Reference checks of regopt.diagnostics: dead units, layer scales, Hessian eigenvalues."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from regopt import diagnostics, landscapes


def _relu_net(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 8), nn.ReLU(), nn.Linear(8, 3)).double()


X = torch.randn(200, 10, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
Y = torch.randint(0, 3, (200,), generator=torch.Generator().manual_seed(2))


def test_a_large_negative_bias_kills_every_unit_of_the_layer():
    model = _relu_net()
    assert diagnostics.dead_unit_fraction(model, X)["1"] < 0.2  # a fresh layer mostly fires
    with torch.no_grad():
        model[0].bias.fill_(-100.0)
    fractions = diagnostics.dead_unit_fraction(model, X)
    assert list(fractions) == ["1", "3"] and fractions["1"] == 1.0
    assert model.training  # the mode is restored


def test_dead_unit_fraction_counts_units_never_active():
    model = _relu_net(3)
    with torch.no_grad():
        model[0].bias[:7] -= 3.0  # some units die, some only on part of the data
        h1 = F.relu(model[0](X))
        h2 = F.relu(model[2](h1))
    expected = {"1": (h1.amax(0) == 0).sum().item() / 20, "3": (h2.amax(0) == 0).sum().item() / 8}
    assert 0 < expected["1"] < 1
    assert diagnostics.dead_unit_fraction(model, X) == pytest.approx(expected, abs=0)


def test_reinitializing_revives_only_the_dead_units():
    model = _relu_net()
    with torch.no_grad():
        model[0].bias[:5] = -100.0  # units 0-4 of the first layer die
    alive_before = model[0].weight[5:].clone()
    assert diagnostics.reinitialize_dead_units(model, 0, X, generator=torch.Generator().manual_seed(0)) == 5
    assert torch.equal(model[0].weight[5:], alive_before)  # the living units keep their weights
    assert torch.all(model[0].bias[:5] == 0)
    bound = (6 / 10) ** 0.5  # He uniform: sqrt(6 / fan_in)
    assert model[0].weight[:5].abs().max() <= bound
    assert diagnostics.dead_unit_fraction(model, X)["1"] < 0.2
    assert diagnostics.reinitialize_dead_units(model, 0, X) == 0  # nothing left to revive
    with pytest.raises(ValueError, match="Invalid layer"):
        diagnostics.reinitialize_dead_units(model, 1, X)


def test_layer_statistics_match_a_hand_computed_pass():
    model = _relu_net()
    stats = diagnostics.layer_statistics(model, X, Y, F.cross_entropy)
    assert [s.name for s in stats] == ["0", "2", "4"]
    F.cross_entropy(model(X), Y).backward()
    h, layers = X, [model[0], model[2], model[4]]
    for s, layer in zip(stats, layers):
        a = layer(h)
        assert s.input_std == pytest.approx(h.std().item(), rel=1e-12)
        assert s.output_std == pytest.approx(a.std().item(), rel=1e-12)
        assert s.grad_std == pytest.approx(layer.weight.grad.std().item(), rel=1e-12)
        assert s.grad_norm == pytest.approx(layer.weight.grad.norm().item(), rel=1e-12)
        h = F.relu(a)
    model.zero_grad(set_to_none=True)
    diagnostics.layer_statistics(model, X, Y, F.cross_entropy)
    assert all(p.grad is None for p in model.parameters())  # gradients left untouched


def test_gradients_vanish_with_depth_in_a_deep_sigmoid_net():
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(10):
        linear = nn.Linear(32, 32)
        nn.init.normal_(linear.weight, std=0.1)  # small init: each layer scales the gradient by ~ 0.1 sqrt(32) / 4
        layers += [linear, nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(32, 3)).double()
    grad_std = [s.grad_std for s in diagnostics.layer_statistics(model, X[:, :1].repeat(1, 32), Y, F.cross_entropy)]
    assert all(a < b for a, b in zip(grad_std[:-1], grad_std[1:]))  # smaller at every step towards the input
    assert grad_std[0] < 1e-4 * grad_std[-2]


def test_hessian_eigenvalues_of_a_quadratic_are_those_of_A():
    g = torch.Generator().manual_seed(4)
    B = torch.randn(6, 6, generator=g, dtype=torch.float64)
    A = (B + B.T) / 2  # symmetric, indefinite
    theta = torch.randn(6, generator=g, dtype=torch.float64)
    eig = diagnostics.hessian_eigenvalues(lambda x: 0.5 * x @ A @ x, theta)
    torch.testing.assert_close(eig, torch.linalg.eigvalsh(A), rtol=1e-12, atol=1e-12)
    assert (eig[:-1] <= eig[1:]).all()


def test_the_saddle_has_one_negative_and_one_positive_eigenvalue():
    saddle = landscapes.saddle()
    eig = diagnostics.hessian_eigenvalues(saddle, torch.tensor([0.3, -0.2], dtype=torch.float64))
    torch.testing.assert_close(eig, torch.tensor([-1.0, 1.0], dtype=torch.float64))


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="no ReLU"):
        diagnostics.dead_unit_fraction(nn.Sequential(nn.Linear(10, 2), nn.Tanh()), X.float())
    with pytest.raises(ValueError, match="no Linear"):
        diagnostics.layer_statistics(nn.ReLU(), X, Y, F.mse_loss)
    with pytest.raises(ValueError, match="same number of rows"):
        diagnostics.layer_statistics(_relu_net(), X, Y[:5], F.cross_entropy)
    with pytest.raises(ValueError, match="flat 1-D"):
        diagnostics.hessian_eigenvalues(lambda x: x.sum(), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="scalar"):
        diagnostics.hessian_eigenvalues(lambda x: x**2, torch.zeros(3))
