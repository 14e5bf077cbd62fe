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


def _ece_by_hand(probs: torch.Tensor, y: torch.Tensor, n_bins: int) -> float:
    """Guo et al.'s definition written out: loop over the bins ((b-1)/B, b/B]."""
    confidence, predicted = probs.max(dim=1)
    total = 0.0
    for b in range(1, n_bins + 1):
        inside = [i for i in range(len(y)) if (b - 1) / n_bins < confidence[i] <= b / n_bins]
        if inside:
            acc = sum(float(predicted[i] == y[i]) for i in inside) / len(inside)
            conf = sum(float(confidence[i]) for i in inside) / len(inside)
            total += len(inside) / len(y) * abs(acc - conf)
    return total


def test_expected_calibration_error_of_four_predictions_worked_by_hand():
    # confidences 0.9 (right), 0.75 (wrong), 0.7 (right), 0.55 (right); bins of width 0.2:
    # (0.8, 1]: gap |1 - 0.9| = 0.1; (0.6, 0.8]: |0.5 - 0.725| = 0.225; (0.4, 0.6]: |1 - 0.55| = 0.45
    probs = torch.tensor([[0.9, 0.1], [0.75, 0.25], [0.3, 0.7], [0.55, 0.45]], dtype=torch.float64)
    y = torch.tensor([0, 1, 1, 0])
    expected = 0.25 * 0.1 + 0.5 * 0.225 + 0.25 * 0.45
    assert diagnostics.expected_calibration_error(probs, y, n_bins=5) == pytest.approx(expected, abs=1e-12)
    bins = diagnostics.calibration_bins(probs, y, n_bins=5)
    assert bins.count.tolist() == [0, 0, 1, 2, 1]
    torch.testing.assert_close(bins.accuracy[2:], torch.tensor([1.0, 0.5, 1.0], dtype=torch.float64))
    assert torch.isnan(bins.confidence[:2]).all()


@pytest.mark.parametrize("n_bins", [1, 10, 15])
def test_expected_calibration_error_matches_the_definition_on_random_predictions(n_bins):
    g = torch.Generator().manual_seed(5)
    probs = torch.softmax(2 * torch.randn(300, 10, generator=g, dtype=torch.float64), dim=1)
    y = torch.randint(0, 10, (300,), generator=g)
    ours = diagnostics.expected_calibration_error(probs, y, n_bins=n_bins)
    assert ours == pytest.approx(_ece_by_hand(probs, y, n_bins), abs=1e-12)


def test_a_calibrated_classifier_has_zero_expected_calibration_error():
    # in each bin the confidence is c and exactly a fraction c of the predictions is right
    rows, labels = [], []
    for confidence, n_right, n_wrong in [(0.6, 6, 4), (0.8, 8, 2), (0.95, 19, 1), (1.0, 5, 0)]:
        rows += [[confidence, 1 - confidence]] * (n_right + n_wrong)
        labels += [0] * n_right + [1] * n_wrong
    probs, y = torch.tensor(rows, dtype=torch.float64), torch.tensor(labels)
    assert diagnostics.expected_calibration_error(probs, y) == pytest.approx(0.0, abs=1e-12)


def test_an_overconfident_classifier_has_the_gap_as_its_error():
    # always 90 % sure, right half of the time: ECE = 0.9 - 0.5; one-hot and right 70 %: ECE = 0.3
    probs = torch.tensor([[0.9, 0.1]] * 10, dtype=torch.float64)
    y = torch.tensor([0, 1] * 5)
    assert diagnostics.expected_calibration_error(probs, y) == pytest.approx(0.4, abs=1e-12)
    one_hot = F.one_hot(torch.zeros(10, dtype=torch.long), 3).float()
    y = torch.tensor([0] * 7 + [2] * 3)
    assert diagnostics.expected_calibration_error(one_hot, y, n_bins=10) == pytest.approx(0.3, abs=1e-6)


@pytest.mark.parametrize(
    "probs, y, n_bins, message",
    [
        (torch.randn(4, 3), torch.zeros(4, dtype=torch.long), 15, "Invalid probs"),  # logits, not probabilities
        (torch.full((4,), 0.5), torch.zeros(4, dtype=torch.long), 15, "Invalid probs"),
        (torch.full((4, 2), 0.5), torch.zeros(3, dtype=torch.long), 15, "same number of rows"),
        (torch.full((4, 2), 0.5), torch.zeros(4), 15, "Invalid y"),
        (torch.full((4, 2), 0.5), torch.full((4,), 2), 15, "Invalid y"),
        (torch.full((4, 2), 0.5), torch.zeros(4, dtype=torch.long), 0, "Invalid n_bins"),
    ],
)
def test_expected_calibration_error_refuses_bad_input(probs, y, n_bins, message):
    with pytest.raises(ValueError, match=message):
        diagnostics.expected_calibration_error(probs, y, n_bins=n_bins)
