"""Reference checks for chapter 1: hand-written backpropagation and gradient checking."""

from __future__ import annotations

import pytest
import torch

from regopt import backprop, gradcheck


def _problem(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(30, 3, generator=g, dtype=torch.float64)
    y = torch.randn(30, 2, generator=g, dtype=torch.float64)
    return X, y, backprop.init_params(3, 5, 2, seed=seed)


def test_backward_matches_autograd():
    X, y, params = _problem()
    y_hat, cache = backprop.forward(params, X)
    grads = backprop.backward(params, cache, y)
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    backprop.mse_loss(backprop.forward(leaves, X)[0], y).backward()
    for name in params:
        assert torch.allclose(grads[name], leaves[name].grad, rtol=1e-12, atol=1e-14), name


def test_forward_is_the_tanh_network():
    X, y, params = _problem(1)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        net[0].weight.copy_(params["W1"].T)
        net[0].bias.copy_(params["b1"])
        net[2].weight.copy_(params["W2"].T)
        net[2].bias.copy_(params["b2"])
    assert torch.allclose(backprop.forward(params, X)[0], net(X), atol=1e-14)
    expected = 0.5 * torch.nn.functional.mse_loss(net(X), y, reduction="sum") / len(X)
    assert torch.allclose(backprop.mse_loss(net(X), y), expected)


def test_gradient_descent_step_moves_against_the_gradient_and_lowers_the_loss():
    X, y, params = _problem(2)
    y_hat, cache = backprop.forward(params, X)
    before = backprop.mse_loss(y_hat, y)
    grads = backprop.backward(params, cache, y)
    new = backprop.gradient_descent_step(params, grads, lr=0.1)
    for name in params:
        assert torch.allclose(new[name], params[name] - 0.1 * grads[name])
    assert backprop.mse_loss(backprop.forward(new, X)[0], y) < before


def test_backprop_rejects_bad_inputs():
    X, y, params = _problem()
    with pytest.raises(ValueError, match="features"):
        backprop.forward(params, torch.zeros(4, 7, dtype=torch.float64))
    with pytest.raises(ValueError, match="Invalid X"):
        backprop.forward(params, torch.zeros(3, dtype=torch.float64))
    with pytest.raises(ValueError, match="Invalid lr"):
        backprop.gradient_descent_step(params, params, lr=-1)
    with pytest.raises(ValueError, match="Invalid n_hidden"):
        backprop.init_params(3, 0, 1)


def test_central_difference_matches_the_closed_form_to_order_eps_squared():
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    exact = 3 * x**2  # gradient of sum(x^3); central error is eps^2 exactly for a cubic
    for eps in (1e-2, 1e-3):
        central = gradcheck.numerical_gradient(lambda v: (v**3).sum(), x, eps=eps)
        assert torch.allclose(central - exact, torch.full_like(x, eps**2), atol=1e-9)
    forward = gradcheck.numerical_gradient(lambda v: (v**3).sum(), x, eps=1e-3, kind="forward")
    assert torch.allclose(forward - exact, 3 * x * 1e-3, atol=1e-5)  # error ~ f''/2 eps = 3 x eps
    assert torch.equal(x, torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64))  # x is not modified


def test_gradcheck_passes_a_correct_gradient_and_fails_a_wrong_one():
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 3).double()
    X = torch.randn(10, 4, dtype=torch.float64)
    errors = gradcheck.gradcheck(lambda: torch.tanh(layer(X)).pow(2).sum(), layer.parameters())
    assert max(errors.values()) < 1e-8

    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2 x

    w = torch.randn(5, dtype=torch.float64, requires_grad=True)
    assert gradcheck.gradcheck(lambda: WrongSquare.apply(w).sum(), [w])[0] > 0.1


def test_gradcheck_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Invalid eps"):
        gradcheck.numerical_gradient(lambda v: v.sum(), torch.zeros(2), eps=0)
    with pytest.raises(ValueError, match="Unknown kind"):
        gradcheck.numerical_gradient(lambda v: v.sum(), torch.zeros(2), kind="backward")
    with pytest.raises(ValueError, match="Shapes differ"):
        gradcheck.relative_error(torch.zeros(2), torch.zeros(3))
    with pytest.raises(ValueError, match="at least one"):
        gradcheck.gradcheck(lambda: torch.tensor(0.0), [])
