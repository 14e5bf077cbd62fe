"""Reference checks of regopt.noise: label smoothing beside torch, input noise as ridge, weight noise."""

from __future__ import annotations

import pytest
import torch
from sklearn.linear_model import Ridge
from torch import nn
from torch.nn import functional as F

from regopt.noise import (
    InputNoise,
    WeightNoise,
    add_input_noise,
    flip_labels,
    label_smoothing_cross_entropy,
    smooth_labels,
)


def _logits(n: int = 12, k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return 3 * torch.randn(n, k, generator=g, dtype=torch.float64), torch.randint(k, (n,), generator=g)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.25, 1.0])
def test_label_smoothing_matches_torch_cross_entropy(eps):
    logits, y = _logits()
    logits.requires_grad_(True)
    ours = label_smoothing_cross_entropy(logits, y, eps=eps)
    ref = nn.CrossEntropyLoss(label_smoothing=eps)(logits, y)
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)
    (g_ours,), (g_ref,) = torch.autograd.grad(ours, logits), torch.autograd.grad(ref, logits)
    torch.testing.assert_close(g_ours, g_ref, rtol=0, atol=1e-10)


def test_smoothed_targets_sum_to_one_and_keep_the_true_class_on_top():
    q = smooth_labels(torch.tensor([2, 0]), 4, eps=0.2, dtype=torch.float64)
    torch.testing.assert_close(q.sum(dim=1), torch.ones(2, dtype=torch.float64))
    assert q[0, 2].item() == pytest.approx(0.8 + 0.05) and q[0, 1].item() == pytest.approx(0.05)
    assert q[1].argmax().item() == 0


def test_label_smoothing_gradient_vanishes_at_finite_logits():
    """The smoothed loss is minimized by softmax(z) = q, i.e. logit gaps log((1 - eps + eps/K) / (eps/K))."""
    eps, K = 0.1, 4
    q = smooth_labels(torch.tensor([1]), K, eps=eps, dtype=torch.float64)
    logits = q.log().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(label_smoothing_cross_entropy(logits, torch.tensor([1]), eps=eps), logits)
    assert grad.abs().max() < 1e-12


def test_input_noise_is_ridge_regression_in_expectation():
    """min_w 1/K sum_k ||(X + E_k) w - y||^2 tends to Ridge(alpha = N sigma^2) as K grows (Bishop, 1995)."""
    g = torch.Generator().manual_seed(0)
    N, d, sigma, K = 30, 4, 0.3, 4000
    X = torch.randn(N, d, generator=g, dtype=torch.float64)
    y = X @ torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=torch.float64) + 0.1 * torch.randn(N, generator=g, dtype=torch.float64)
    X_noisy = add_input_noise(X.repeat(K, 1), std=sigma, generator=g)  # K noisy copies of the data
    w_noisy = torch.linalg.lstsq(X_noisy, y.repeat(K)).solution
    ridge = Ridge(alpha=N * sigma**2, fit_intercept=False).fit(X.numpy(), y.numpy())
    w_ridge = torch.as_tensor(ridge.coef_)
    w_plain = torch.linalg.lstsq(X, y).solution
    assert (w_noisy - w_ridge).norm() < 0.1 * (w_plain - w_ridge).norm()


def test_add_input_noise_has_the_requested_spread_and_leaves_x_alone():
    X = torch.ones(20000, 3, dtype=torch.float64)
    noisy = add_input_noise(X, std=0.5, generator=torch.Generator().manual_seed(1))
    assert abs((noisy - X).std().item() - 0.5) < 0.01 and torch.equal(X, torch.ones_like(X))


def test_input_noise_layer_is_the_identity_in_eval_mode():
    layer, X = InputNoise(0.2), torch.randn(5, 3)
    assert not torch.equal(layer.train()(X), X)
    assert torch.equal(layer.eval()(X), X)


def test_weight_noise_gradient_is_the_gradient_at_the_perturbed_weights():
    torch.manual_seed(0)
    net = nn.Linear(3, 2).double()
    noisy = WeightNoise(net, std=0.1)
    X, y = torch.randn(8, 3, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    torch.manual_seed(5)
    loss = F.mse_loss(noisy(X), y)
    loss.backward()
    # Draw the same noise again and differentiate at theta + sigma eps directly.
    torch.manual_seed(5)
    W = (net.weight + 0.1 * torch.randn_like(net.weight)).detach().requires_grad_(True)
    b = (net.bias + 0.1 * torch.randn_like(net.bias)).detach().requires_grad_(True)
    F.mse_loss(X @ W.T + b, y).backward()
    torch.testing.assert_close(net.weight.grad, W.grad, rtol=0, atol=1e-12)
    torch.testing.assert_close(net.bias.grad, b.grad, rtol=0, atol=1e-12)
    assert not torch.allclose(W.grad, torch.autograd.grad(F.mse_loss(net(X), y), net.weight)[0])


def test_weight_noise_leaves_the_weights_alone_and_is_off_in_eval_mode():
    torch.manual_seed(0)
    net = nn.Linear(3, 2)
    before = net.weight.detach().clone()
    noisy, X = WeightNoise(net, std=0.5), torch.randn(4, 3)
    assert not torch.allclose(noisy(X), net(X))
    assert torch.equal(net.weight, before)
    assert torch.equal(noisy.eval()(X), net(X))


def test_flip_labels_changes_exactly_the_requested_fraction_to_other_classes():
    y = torch.arange(200) % 10
    noisy = flip_labels(y, 10, fraction=0.25, seed=3)
    wrong = noisy != y
    assert int(wrong.sum()) == 50 and torch.equal(y, torch.arange(200) % 10)
    assert noisy.min() >= 0 and noisy.max() < 10
    assert torch.equal(flip_labels(y, 10, fraction=0.25, seed=3), noisy)
    assert torch.equal(flip_labels(y, 10, fraction=0.0), y)
    assert bool((flip_labels(y, 10, fraction=1.0) != y).all())
    # the new class is uniform over the K - 1 others: every offset appears
    offsets = (noisy[wrong] - y[wrong]) % 10
    assert set(offsets.tolist()) <= set(range(1, 10)) and len(set(offsets.tolist())) >= 7


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: smooth_labels(torch.tensor([0]), 3, eps=-0.1), "Invalid label smoothing eps"),
        (lambda: smooth_labels(torch.tensor([0]), 3, eps=1.5), "Invalid label smoothing eps"),
        (lambda: smooth_labels(torch.tensor([0]), 0, eps=0.1), "Invalid n_classes"),
        (lambda: add_input_noise(torch.zeros(2), std=-1.0), "Invalid std"),
        (lambda: InputNoise(-0.5), "Invalid std"),
        (lambda: WeightNoise(nn.Linear(2, 2), std=-0.1), "Invalid std"),
        (lambda: flip_labels(torch.tensor([0, 1]), 2, fraction=1.5), "Invalid fraction"),
        (lambda: flip_labels(torch.tensor([0.0, 1.0]), 2, fraction=0.5), "Invalid y"),
        (lambda: flip_labels(torch.tensor([0, 2]), 2, fraction=0.5), "Invalid y"),
        (lambda: flip_labels(torch.tensor([0, 0]), 1, fraction=0.5), "Invalid n_classes"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()

