"""Reference checks of regopt.minibatch: autograd one example at a time, scikit-learn, and
exact enumeration of every possible minibatch."""

from __future__ import annotations

import itertools

import pytest
import torch
from sklearn.metrics import zero_one_loss as sklearn_zero_one_loss
from torch import nn
from torch.nn.functional import cross_entropy

from regopt.minibatch import gradient_noise, minibatch_gradient, per_example_gradients, zero_one_loss


def _model_and_data(m: int = 12):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    X = torch.randn(m, 5, dtype=torch.float64)
    y = torch.randint(0, 3, (m,))
    return model, X, y


def _autograd_gradient(model, X, y) -> torch.Tensor:
    grads = torch.autograd.grad(cross_entropy(model(X), y), list(model.parameters()))
    return torch.cat([g.flatten() for g in grads])


def test_per_example_gradients_match_autograd_one_example_at_a_time():
    model, X, y = _model_and_data()
    G = per_example_gradients(model, cross_entropy, X, y)
    expected = torch.stack([_autograd_gradient(model, X[i : i + 1], y[i : i + 1]) for i in range(len(X))])
    assert G.shape == (12, sum(p.numel() for p in model.parameters()))
    torch.testing.assert_close(G, expected, rtol=1e-10, atol=1e-12)


def test_minibatch_gradient_is_the_autograd_gradient_of_the_minibatch_cost():
    model, X, y = _model_and_data()
    G = per_example_gradients(model, cross_entropy, X, y)
    batch = torch.tensor([1, 4, 7, 10])
    torch.testing.assert_close(minibatch_gradient(G, batch), _autograd_gradient(model, X[batch], y[batch]),
                               rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(minibatch_gradient(G, torch.arange(12)), _autograd_gradient(model, X, y),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 6])
def test_gradient_noise_equals_the_average_over_every_possible_minibatch(batch_size):
    g = torch.Generator().manual_seed(3)
    G = torch.randn(6, 4, generator=g, dtype=torch.float64) + 2.0  # nonzero mean: centering matters
    full = G.mean(dim=0)

    def mean_error(batches) -> float:
        errors = [(G[list(b)].mean(dim=0) - full).pow(2).sum().item() for b in batches]
        return sum(errors) / len(errors)

    without = mean_error(itertools.combinations(range(6), batch_size))  # every subset, equally likely
    with_ = mean_error(itertools.product(range(6), repeat=batch_size))  # every ordered draw
    assert gradient_noise(G, batch_size) == pytest.approx(without, rel=1e-12, abs=1e-14)
    assert gradient_noise(G, batch_size, replacement=True) == pytest.approx(with_, rel=1e-12)


def test_full_batch_has_no_noise_and_noise_falls_like_one_over_b_with_replacement():
    G = torch.randn(50, 3, dtype=torch.float64)
    assert gradient_noise(G, 50) == pytest.approx(0.0, abs=1e-15)
    assert gradient_noise(G, 8, replacement=True) == pytest.approx(gradient_noise(G, 1, replacement=True) / 8)


def test_zero_one_loss_matches_scikit_learn():
    g = torch.Generator().manual_seed(1)
    scores = torch.randn(40, 5, generator=g)
    y = torch.randint(0, 5, (40,), generator=g)
    expected = sklearn_zero_one_loss(y.numpy(), scores.argmax(dim=1).numpy())
    assert zero_one_loss(scores, y).item() == pytest.approx(expected, abs=1e-15)
    assert 0 < expected < 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gradient_noise(torch.ones(5, 2), 0), "Invalid batch_size"),
        (lambda: gradient_noise(torch.ones(5, 2), 6), "Invalid batch_size: 6"),
        (lambda: gradient_noise(torch.ones(5), 2), "Invalid G"),
        (lambda: minibatch_gradient(torch.ones(5, 2), torch.tensor([], dtype=torch.long)), "Invalid batch"),
        (lambda: zero_one_loss(torch.ones(5), torch.zeros(5)), "Invalid scores"),
        (lambda: zero_one_loss(torch.ones(5, 2), torch.zeros(4)), "same number of rows"),
    ],
)
def test_bad_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
