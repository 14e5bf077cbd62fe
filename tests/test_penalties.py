"""Reference checks of regopt.penalties: full-batch training with each penalty reaches
scikit-learn's Ridge, Lasso and ElasticNet solutions; the L2 gradient is autograd's; the
proximal step is the minimizer it claims to be. All in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from torch import nn

from regopt import models, optim
from regopt.penalties import (
    add_l2_gradient,
    elastic_net_penalty,
    l1_penalty,
    l2_penalty,
    proximal_l1,
    ridge_solution,
    soft_threshold,
    weights,
)
from regopt.train import fit

TOL = dict(rtol=0, atol=1e-6)


def _regression(n: int = 60, p: int = 8, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Standardized-ish features, a sparse true weight vector, noise, and an offset."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, p, generator=g, dtype=torch.float64)
    w_true = torch.zeros(p, dtype=torch.float64)
    w_true[:3] = torch.tensor([2.0, -1.5, 0.8], dtype=torch.float64)
    y = X @ w_true + 0.5 + 0.3 * torch.randn(n, generator=g, dtype=torch.float64)
    return X, y


def _linear(p: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(p, 1), nn.Flatten(0)).double()  # outputs (n,)


def _train(X, y, *, penalty=None, l1=None, epochs: int = 3000, lr: float = 0.2) -> nn.Module:
    """Full-batch gradient descent on the mean squared error (+ penalty), with the L1
    proximal step after each step if ``l1`` is given (ISTA)."""
    model = _linear(X.shape[1])
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    if l1 is not None:
        proximal_l1(opt, model, l1)
    fit(model, (X, y), loss_fn=nn.MSELoss(), optimizer=opt, epochs=epochs, penalty=penalty, progress=False)
    return model


def _coef(model: nn.Module) -> tuple[np.ndarray, float]:
    return model[0].weight.detach().numpy().ravel(), model[0].bias.item()


def test_ridge_solution_matches_sklearn_ridge_without_intercept():
    X, y = _regression()
    ref = Ridge(alpha=3.0, fit_intercept=False).fit(X.numpy(), y.numpy())
    np.testing.assert_allclose(ridge_solution(X, y, 3.0).numpy(), ref.coef_, atol=1e-10)


def test_full_batch_l2_training_reaches_sklearn_ridge():
    # Ridge: ||y - Xw||^2 + a ||w||^2. Divided by n: MSE + (a/n) ||w||^2 = MSE + alpha/2 ||w||^2, alpha = 2a/n.
    X, y = _regression()
    a = 5.0
    ref = Ridge(alpha=a, tol=1e-12).fit(X.numpy(), y.numpy())
    w, b = _coef(_train(X, y, penalty=l2_penalty(2 * a / len(X)), epochs=1000))
    np.testing.assert_allclose(w, ref.coef_, **TOL)
    np.testing.assert_allclose(b, ref.intercept_, **TOL)  # the bias is unpenalized, as sklearn's intercept


# Lasso: 1/(2n) ||y - Xw||^2 + a ||w||_1. Times 2: MSE + 2a ||w||_1.
# ElasticNet: 1/(2n) ||y - Xw||^2 + a rho ||w||_1 + a (1 - rho)/2 ||w||^2. Times 2: MSE + elastic net with 2a.
SPARSE_CASES = {
    "lasso": (Lasso(alpha=0.1, tol=1e-14, max_iter=100_000), dict(l1=2 * 0.1), 3),
    "elastic_net": (ElasticNet(alpha=0.2, l1_ratio=0.6, tol=1e-14, max_iter=100_000),
                    dict(penalty=l2_penalty(2 * 0.2 * (1 - 0.6)), l1=2 * 0.2 * 0.6), 2),
}


@pytest.mark.parametrize("name", list(SPARSE_CASES))
def test_ista_reaches_sklearn_lasso_and_elastic_net_with_the_same_exact_zeros(name):
    estimator, ours, min_zeros = SPARSE_CASES[name]
    X, y = _regression()
    ref = estimator.fit(X.numpy(), y.numpy())
    w, b = _coef(_train(X, y, **ours))
    assert (ref.coef_ == 0).sum() >= min_zeros, "the check needs some zero coefficients"
    np.testing.assert_array_equal(w == 0, ref.coef_ == 0)
    np.testing.assert_allclose(w, ref.coef_, **TOL)
    np.testing.assert_allclose(b, ref.intercept_, **TOL)


def test_sklearn_elastic_net_solution_minimizes_mse_plus_elastic_net_penalty():
    X, y = _regression()
    a, rho = 0.2, 0.6
    ref = ElasticNet(alpha=a, l1_ratio=rho, tol=1e-14, max_iter=100_000).fit(X.numpy(), y.numpy())
    model = _linear(X.shape[1])
    penalty = elastic_net_penalty(2 * a, l1_ratio=rho)

    def objective(w: np.ndarray, b: float) -> float:
        with torch.no_grad():
            model[0].weight.copy_(torch.as_tensor(w).view(1, -1))
            model[0].bias.fill_(b)
            return (nn.functional.mse_loss(model(X), y) + penalty(model)).item()

    best = objective(ref.coef_, ref.intercept_)
    g = np.random.default_rng(0)
    for _ in range(50):  # every small move, including off the zeros, costs
        dw, db = 1e-4 * g.standard_normal(X.shape[1]), 1e-4 * g.standard_normal()
        assert objective(ref.coef_ + dw, ref.intercept_ + db) > best


@pytest.mark.parametrize("alpha", [0.3, {"0.weight": 0.5, "2.weight": 0.05}])
def test_l2_gradient_by_hand_equals_autograd_gradient_of_penalized_loss(alpha):
    model = models.mlp(6, n_in=5, n_out=3).double()
    g = torch.Generator().manual_seed(1)
    X, y = torch.randn(20, 5, generator=g, dtype=torch.float64), torch.randint(0, 3, (20,), generator=g)
    loss_fn = nn.CrossEntropyLoss()
    params = list(model.parameters())
    expected = torch.autograd.grad(loss_fn(model(X), y) + l2_penalty(alpha)(model), params)
    data_only = torch.autograd.grad(loss_fn(model(X), y), params)
    loss_fn(model(X), y).backward()
    add_l2_gradient(model, alpha)
    for (name, p), e, d in zip(model.named_parameters(), expected, data_only):
        torch.testing.assert_close(p.grad, e, rtol=1e-12, atol=1e-12)
        if p.dim() == 1:  # biases: only the data gradient
            torch.testing.assert_close(p.grad, d, rtol=0, atol=0)
        else:
            assert not torch.equal(p.grad, d), name


def test_l2_penalty_on_all_parameters_is_torch_sgd_weight_decay():
    X, y = _regression()
    ours, ref = _linear(X.shape[1]), _linear(X.shape[1])
    opt = optim.SGD(ours.parameters(), lr=0.1)
    fit(ours, (X, y), loss_fn=nn.MSELoss(), optimizer=opt, epochs=20, penalty=l2_penalty(0.3, biases=True),
        progress=False)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1, weight_decay=0.3)
    fit(ref, (X, y), loss_fn=nn.MSELoss(), optimizer=ref_opt, epochs=20, progress=False)
    for p, q in zip(ours.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_penalties_ignore_biases_by_default():
    model = models.mlp(4, n_in=3, n_out=2).double()
    before = [f(model).item() for f in (l2_penalty(1.0), l1_penalty(1.0), elastic_net_penalty(1.0, l1_ratio=0.5))]
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.add_(10.0)
    after = [f(model).item() for f in (l2_penalty(1.0), l1_penalty(1.0), elastic_net_penalty(1.0, l1_ratio=0.5))]
    assert before == after
    assert [n for n, _ in weights(model)] == ["0.weight", "2.weight"]
    W = torch.cat([p.flatten() for _, p in weights(model)])
    torch.testing.assert_close(l2_penalty(0.4)(model), 0.2 * W.pow(2).sum())
    torch.testing.assert_close(l1_penalty(0.4)(model), 0.4 * W.abs().sum())


def test_per_layer_strengths_penalize_only_the_named_layers():
    model = models.mlp(4, n_in=3, n_out=2).double()
    W0, W2 = model[0].weight, model[2].weight
    torch.testing.assert_close(l2_penalty({"2.weight": 0.6})(model), 0.3 * W2.pow(2).sum())
    torch.testing.assert_close(
        l1_penalty({"0.weight": 0.1, "2.weight": 0.2})(model), 0.1 * W0.abs().sum() + 0.2 * W2.abs().sum()
    )


def test_soft_threshold_is_the_minimizer_of_the_proximal_problem():
    w = torch.tensor([-2.0, -0.3, 0.0, 0.1, 0.7, 3.0], dtype=torch.float64)
    t = 0.5
    grid = torch.linspace(-4, 4, 80_001, dtype=torch.float64)  # spacing 1e-4
    brute = grid[(0.5 * (grid[:, None] - w) ** 2 + t * grid[:, None].abs()).argmin(dim=0)]
    torch.testing.assert_close(soft_threshold(w, t), brute, rtol=0, atol=1e-4)
    assert torch.equal(soft_threshold(w, t)[1:4], torch.zeros(3, dtype=torch.float64))  # exact zeros


def test_subgradient_descent_leaves_no_exact_zeros_but_ista_does():
    X, y = _regression()
    subgradient = _train(X, y, penalty=l1_penalty(0.2), epochs=500)
    ista = _train(X, y, l1=0.2, epochs=500)
    assert (ista[0].weight == 0).sum() >= 3
    assert (subgradient[0].weight == 0).sum() == 0
    # ... although subgradient descent hovers near those zeros
    assert subgradient[0].weight[ista[0].weight == 0].abs().max() < 0.05


def test_proximal_hook_can_be_removed():
    model = _linear(4)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    handle = proximal_l1(opt, model, 100.0)
    handle.remove()
    model[0].weight.grad, model[0].bias.grad = torch.zeros_like(model[0].weight), torch.zeros_like(model[0].bias)
    before = model[0].weight.detach().clone()
    opt.step()
    assert torch.equal(model[0].weight, before)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: l2_penalty(-0.1), "Invalid penalty strength: -0.1"),
        (lambda: l1_penalty(-1e-3), "Invalid penalty strength: -0.001"),
        (lambda: l2_penalty({"0.weight": -2.0}), "penalty strength for '0.weight': -2.0"),
        (lambda: elastic_net_penalty(-1.0, l1_ratio=0.5), "Invalid penalty strength: -1.0"),
        (lambda: elastic_net_penalty(1.0, l1_ratio=1.5), "Invalid l1_ratio: 1.5"),
        (lambda: soft_threshold(torch.ones(2), -0.5), "Invalid threshold: -0.5"),
        (lambda: ridge_solution(torch.ones(3, 2), torch.ones(3), -1.0), "Invalid alpha: -1.0"),
    ],
)
def test_bad_strengths_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match.replace("(", r"\(")):
        make()


def test_misspelled_layer_name_and_missing_backward_raise():
    model = models.mlp(4, n_in=3, n_out=2)
    with pytest.raises(ValueError, match="no penalized parameter named \\['1.weight'\\]"):
        l2_penalty({"1.weight": 0.1})(model)
    with pytest.raises(ValueError, match="call loss.backward"):
        add_l2_gradient(model, 0.1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="Invalid penalty strength"):
        proximal_l1(opt, model, -1.0)
