"""Reference checks of regopt.adversarial: FGSM against autograd and a first-order expansion,
clipping to the valid range, PGD against its projection and FGSM, adversarial training inside fit
against the formula, and the argument checks."""

from __future__ import annotations

import copy

import pytest
import torch
from torch.nn import functional as F

from regopt import models, optim, train
from regopt.adversarial import AdversarialLoss, LastInput, adversarial_accuracy, fgsm, pgd


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
    train.fit(net, (X, y), loss_fn=AdversarialLoss(net, eps=0.1, rho=0.3), optimizer=optim.SGD(net.parameters(), lr=0.5),
              epochs=1, progress=False)
    # One full-batch step by hand: J~ = rho J(x) + (1 - rho) J(x + eps sign(grad_x J(x))).
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
    with pytest.raises(ValueError, match="Invalid rho: 1.5"):
        AdversarialLoss(net, eps=0.1, rho=1.5)
    with pytest.raises(ValueError, match="Invalid clip"):
        fgsm(net, X, y, eps=0.1, clip=(1.0, 0.0))
    with pytest.raises(ValueError, match="Invalid clip"):
        fgsm(net, X, y, eps=0.1, clip=1.0)
    with pytest.raises(ValueError, match="Invalid clip"):
        AdversarialLoss(net, eps=0.1, clip=(0.0, None))
    with pytest.raises(ValueError, match="Invalid clip"):
        pgd(net, X, y, eps=0.1, step_size=0.1, steps=2, clip=(torch.ones(6), torch.zeros(6)))
    with pytest.raises(ValueError, match="Invalid steps: 0"):
        pgd(net, X, y, eps=0.1, step_size=0.1, steps=0)
    with pytest.raises(ValueError, match="Invalid step_size: 0"):
        pgd(net, X, y, eps=0.1, step_size=0.0, steps=3)
    with pytest.raises(ValueError, match="Invalid eps: -0.1"):
        pgd(net, X, y, eps=-0.1, step_size=0.1, steps=3)


def _pixel_problem(n: int = 40):
    """A network trained on images with pixels in [0, 1], many of them at 0 or 1."""
    g = torch.Generator().manual_seed(2)
    net = models.mlp(16, n_in=10, n_out=3, seed=2).double()
    X = torch.rand(n, 10, generator=g, dtype=torch.float64)
    X = torch.where(X < 0.3, 0.0, torch.where(X > 0.8, 1.0, X))
    y = torch.randint(0, 3, (n,), generator=g)
    train.fit(net, (X, y), loss_fn=F.cross_entropy, optimizer=optim.Adam(net.parameters(), lr=0.05), epochs=60,
              progress=False)
    return net, X, y


def test_fgsm_clip_clamps_the_unclipped_step_to_the_range():
    net, X, y = _pixel_problem()
    free = fgsm(net, X, y, eps=0.2)
    clipped = fgsm(net, X, y, eps=0.2, clip=(0.0, 1.0))
    assert free.min() < 0 and free.max() > 1  # without clip the step leaves [0, 1]
    torch.testing.assert_close(clipped, free.clamp(0.0, 1.0), rtol=0, atol=0)
    # Interior pixels (all at least eps from the edges) move by exactly eps; none leaves the range.
    inside = (X > 0.2) & (X < 0.8)
    assert ((clipped - X).abs()[inside] - 0.2).abs().max() < 1e-12
    assert ((clipped - X).abs() <= 0.2 + 1e-12).all()
    # Per-pixel bounds as tensors: a range [-mu/sigma, (1 - mu)/sigma] after standardizing.
    mu, sigma = X.mean(0), X.std(0)
    Z = (X - mu) / sigma
    got = fgsm(net, Z, y, eps=0.1, clip=(-mu / sigma, (1 - mu) / sigma))
    assert (got >= -mu / sigma - 1e-12).all() and (got <= (1 - mu) / sigma + 1e-12).all()
    assert fgsm(net, X, y, eps=0.0, clip=(0.0, 1.0)).equal(X)


def test_pgd_stays_in_the_eps_box_and_the_range_at_every_step_count():
    net, X, y = _pixel_problem()
    grads = [p.grad.clone() for p in net.parameters()]  # left by fit's last step
    for steps in (1, 3, 10):
        X_adv = pgd(net, X, y, eps=0.15, step_size=0.06, steps=steps, clip=(0.0, 1.0))
        assert (X_adv - X).abs().max().item() <= 0.15 + 1e-12
        assert X_adv.min().item() >= 0.0 and X_adv.max().item() <= 1.0
    # With more steps than needed to reach the box, interior pixels end on its faces or inside.
    assert (pgd(net, X, y, eps=0.15, step_size=0.06, steps=10) - X).abs().max().item() == pytest.approx(0.15)
    assert all(p.grad.equal(g) for p, g in zip(net.parameters(), grads))  # the parameters' gradients are not touched


def test_one_pgd_step_of_size_eps_is_clipped_fgsm():
    net, X, y = _pixel_problem()
    for clip in (None, (0.0, 1.0)):
        torch.testing.assert_close(pgd(net, X, y, eps=0.2, step_size=0.2, steps=1, clip=clip),
                                   fgsm(net, X, y, eps=0.2, clip=clip), rtol=0, atol=0)
    # Two steps are not one step twice from x: the second gradient is taken at x_1.
    x1 = fgsm(net, X, y, eps=0.05)
    x2 = torch.clamp(fgsm(net, x1, y, eps=0.05), X - 0.2, X + 0.2)
    torch.testing.assert_close(pgd(net, X, y, eps=0.2, step_size=0.05, steps=2), x2, rtol=0, atol=1e-15)


def test_pgd_is_at_least_as_strong_as_fgsm_on_a_trained_model():
    net, X, y = _pixel_problem(200)
    clip = (0.0, 1.0)
    loss = lambda Z: F.cross_entropy(net(Z), y).item()  # noqa: E731
    loss_fgsm = loss(fgsm(net, X, y, eps=0.1, clip=clip))
    loss_pgd = loss(pgd(net, X, y, eps=0.1, step_size=0.025, steps=10, clip=clip))
    assert loss_pgd > loss_fgsm > loss(X)
    acc_fgsm = adversarial_accuracy(net, (X, y), eps=0.1, clip=clip)
    acc_pgd = adversarial_accuracy(net, (X, y), eps=0.1, clip=clip, steps=10)
    assert acc_pgd <= acc_fgsm < adversarial_accuracy(net, (X, y), eps=0.0)


def test_adversarial_loss_with_clip_uses_the_clipped_fgsm_example():
    net, X, y = _pixel_problem(12)
    reference = copy.deepcopy(net)
    train.fit(net, (X, y), loss_fn=AdversarialLoss(net, eps=0.3, rho=0.5, clip=(0.0, 1.0)),
              optimizer=optim.SGD(net.parameters(), lr=0.5), epochs=1, progress=False)
    X_adv = (X + 0.3 * _input_gradient(copy.deepcopy(reference), X, y).sign()).clamp(0.0, 1.0)
    loss = 0.5 * F.cross_entropy(reference(X), y) + 0.5 * F.cross_entropy(reference(X_adv), y)
    grads = torch.autograd.grad(loss, list(reference.parameters()))
    for p, q, g in zip(net.parameters(), reference.parameters(), grads):
        torch.testing.assert_close(p, q - 0.5 * g, rtol=1e-12, atol=1e-12)
