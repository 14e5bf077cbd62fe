"""Reference checks of regopt.adversarial: FGSM against autograd and a first-order expansion,
adversarial training inside fit against the formula, and the argument checks."""

from __future__ import annotations

import copy

import pytest
import torch
from torch.nn import functional as F

from regopt import models, optim, train
from regopt.adversarial import AdversarialLoss, LastInput, adversarial_accuracy, fgsm


def _problem(n: int = 12):
    g = torch.Generator().manual_seed(0)
    net = models.mlp(8, n_in=6, n_out=3, seed=0).double()
    X = torch.randn(n, 6, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (n,), generator=g)
    return net, X, y


def _input_gradient(net, X, y):
    X = X.clone().requires_grad_(True)
    F.cross_entropy(net(X), y).backward()
    return X.grad


def test_fgsm_is_eps_times_the_sign_of_the_input_gradient():
    net, X, y = _problem()
    X_adv = fgsm(net, X, y, eps=0.03)
    g = _input_gradient(copy.deepcopy(net), X, y)
    assert (g != 0).all()
    torch.testing.assert_close(X_adv - X, 0.03 * g.sign(), rtol=0, atol=1e-15)
    assert (X_adv - X).abs().max().item() == pytest.approx(0.03, abs=1e-15)  # ||x_adv - x||_inf = eps
    assert all(p.grad is None for p in net.parameters())  # the parameters' gradients are not touched


def test_fgsm_increases_the_loss_by_eps_times_the_gradient_l1_norm_to_first_order():
    net, X, y = _problem()
    g = _input_gradient(copy.deepcopy(net), X, y)
    clean = F.cross_entropy(net(X), y).item()
    for eps in (1e-3, 1e-4):
        gain = F.cross_entropy(net(fgsm(net, X, y, eps=eps)), y).item() - clean
        assert gain == pytest.approx(eps * g.abs().sum().item(), rel=20 * eps)  # J(x + eps s) = J + eps g.s + O(eps^2)
    # A random sign perturbation of the same size gains much less: the sign of the gradient is the steepest one.
    signs = torch.randint(0, 2, X.shape, generator=torch.Generator().manual_seed(1)).double() * 2 - 1
    random_gain = F.cross_entropy(net(X + 0.01 * signs), y).item() - clean
    assert random_gain < 0.5 * (F.cross_entropy(net(fgsm(net, X, y, eps=0.01)), y).item() - clean)


def test_adversarial_accuracy_at_zero_eps_is_the_clean_accuracy_and_falls_with_eps():
    net, X, y = _problem(60)
    train.fit(net, (X, y), loss_fn=F.cross_entropy, optimizer=optim.Adam(net.parameters(), lr=0.05), epochs=40,
              progress=False)
    with torch.no_grad():
        clean = (net(X).argmax(1) == y).double().mean().item()
    assert adversarial_accuracy(net, (X, y), eps=0.0) == pytest.approx(clean, abs=1e-6)
    assert adversarial_accuracy(net, (X, y), eps=0.5) < clean - 0.2
    assert net.training  # the mode is restored


def test_adversarial_loss_in_fit_takes_the_step_of_the_formula():
    net, X, y = _problem()
    reference = copy.deepcopy(net)
    train.fit(net, (X, y), loss_fn=AdversarialLoss(net, eps=0.1, alpha=0.3), optimizer=optim.SGD(net.parameters(), lr=0.5),
              epochs=1, progress=False)
    # One full-batch step by hand: J~ = alpha J(x) + (1 - alpha) J(x + eps sign(grad_x J(x))).
    X_adv = X + 0.1 * _input_gradient(copy.deepcopy(reference), X, y).sign()
    loss = 0.3 * F.cross_entropy(reference(X), y) + 0.7 * F.cross_entropy(reference(X_adv), y)
    grads = torch.autograd.grad(loss, list(reference.parameters()))
    for p, q, g in zip(net.parameters(), reference.parameters(), grads):
        torch.testing.assert_close(p, q - 0.5 * g, rtol=1e-12, atol=1e-12)


def test_adversarial_loss_is_the_plain_loss_when_evaluating():
    net, X, y = _problem()
    loss = AdversarialLoss(net, eps=0.2)
    net(X)  # a training pass records X
    net.eval()
    assert loss(net(X), y).item() == F.cross_entropy(net(X), y).item()
    net.train()
    with torch.no_grad():
        assert loss(net(X), y).item() == F.cross_entropy(net(X), y).item()
    assert loss(net(X), y).item() > F.cross_entropy(net(X), y).item()  # training mode: the adversarial term


def test_last_input_keeps_training_passes_only():
    net, X, _ = _problem()
    last = LastInput(net)
    net(X)
    assert last.x is X
    net.eval()
    net(2 * X)
    net.train()
    with torch.no_grad():
        net(3 * X)
    assert last.x is X
    last.remove()
    net(4 * X)
    assert last.x is X


def test_negative_eps_and_bad_alpha_raise():
    net, X, y = _problem()
    with pytest.raises(ValueError, match="Invalid eps: -0.1"):
        fgsm(net, X, y, eps=-0.1)
    with pytest.raises(ValueError, match="Invalid eps"):
        adversarial_accuracy(net, (X, y), eps=-1.0)
    with pytest.raises(ValueError, match="Invalid eps"):
        AdversarialLoss(net, eps=-0.01)
    with pytest.raises(ValueError, match="Invalid alpha: 1.5"):
        AdversarialLoss(net, eps=0.1, alpha=1.5)
