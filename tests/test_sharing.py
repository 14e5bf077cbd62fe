"""Checks of regopt.sharing and regopt.semisupervised: tying, sharing, multi-task loss, activation L1, pseudo-labels."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from regopt import models
from regopt.semisupervised import pseudo_labels, self_training
from regopt.sharing import ActivationL1, MultiTaskLoss, MultiTaskNet, TyingPenalty, share_parameters, tying_penalty
from regopt.train import fit


def test_tying_penalty_is_the_squared_distance_and_its_gradient_is_2_w_diff():
    a, b = models.mlp(5, n_in=3, n_out=2, seed=0).double(), models.mlp(5, n_in=3, n_out=2, seed=1).double()
    flat = lambda m: torch.cat([p.flatten() for p in m.parameters()])  # noqa: E731
    omega = tying_penalty(a, b)
    torch.testing.assert_close(omega, (flat(a) - flat(b)).pow(2).sum())
    omega.backward()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa.grad, 2 * (pa - pb).detach())
        torch.testing.assert_close(pb.grad, -2 * (pa - pb).detach())


def test_tying_penalty_in_fit_pulls_towards_the_reference_and_leaves_it_alone():
    reference = models.mlp(8, seed=0)
    before = [p.clone() for p in reference.parameters()]
    X, y = torch.randn(30, 64), torch.randint(0, 10, (30,))
    distances = []
    for strength in (0.0, 1.0):
        model = models.mlp(8, seed=1)
        fit(model, (X, y), loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=20, penalty=TyingPenalty(reference, strength=strength), progress=False)
        distances.append(tying_penalty(model, reference).item())
    assert distances[1] < 0.2 * distances[0], distances
    assert all(torch.equal(p, q) for p, q in zip(before, reference.parameters()))
    # A hand-made copy: strength * ||w - w_ref||^2 exactly.
    model = models.mlp(8, seed=2)
    torch.testing.assert_close(TyingPenalty(reference, strength=0.3)(model), 0.3 * tying_penalty(model, reference))


def test_mismatched_models_raise():
    with pytest.raises(ValueError, match="Cannot pair parameter '0.weight'"):
        tying_penalty(models.mlp(5, seed=0), models.mlp(6, seed=0))
    with pytest.raises(ValueError, match="only in A"):
        tying_penalty(models.mlp([5, 5], seed=0), models.mlp(5, seed=0))
    with pytest.raises(ValueError, match="Cannot pair"):
        TyingPenalty(models.mlp(5, seed=0), strength=1.0)(models.mlp(6, seed=0))
    with pytest.raises(ValueError, match="Invalid strength"):
        TyingPenalty(models.mlp(5, seed=0), strength=-1.0)
    with pytest.raises(ValueError, match="Cannot pair"):
        share_parameters(nn.Linear(3, 2), nn.Linear(2, 3))


def test_shared_parameters_are_one_tensor_moved_by_both_models():
    a, b = models.mlp(4, n_in=3, n_out=2, seed=0), models.mlp(4, n_in=3, n_out=2, seed=1)
    share_parameters(a[0], b[0])  # share the first layer only
    assert b[0].weight is a[0].weight and b[2].weight is not a[2].weight
    both = nn.ModuleList([a, b])
    assert len(list(both.parameters())) == 6  # 2 shared + 2 + 2 own
    b(torch.randn(5, 3)).sum().backward()
    assert a[0].weight.grad is not None and a[2].weight.grad is None
    assert tying_penalty(a[0], b[0]).item() == 0.0


def test_multitask_loss_weights_tasks_and_skips_missing_labels():
    torch.manual_seed(0)
    net = MultiTaskNet(nn.Sequential(nn.Linear(4, 6), nn.Tanh()), [nn.Linear(6, 3), nn.Linear(6, 2)])
    x = torch.randn(5, 4)
    out = net(x)
    assert out.shape == (5, 5)
    y1, y2 = torch.tensor([0, 2, 1, 1, 0]), torch.tensor([1, 0, 0, 1, 1])
    Y = torch.stack([y1.float(), y2.float()], dim=1)
    Y[[1, 3], 1] = float("nan")  # examples 1 and 3 have no label for task 2
    logits1, logits2 = net.split(out)
    keep = torch.tensor([0, 2, 4])
    expected = 0.5 * F.cross_entropy(logits1, y1) + 2.0 * F.cross_entropy(logits2[keep], y2[keep])
    torch.testing.assert_close(MultiTaskLoss([3, 2], [0.5, 2.0])(out, Y), expected)
    Y[:, 1] = float("nan")  # no labels at all for task 2: only task 1 counts
    torch.testing.assert_close(MultiTaskLoss([3, 2], [0.5, 2.0])(out, Y), 0.5 * F.cross_entropy(logits1, y1))
    with pytest.raises(ValueError, match="Invalid weights"):
        MultiTaskLoss([3, 2], [1.0])
    with pytest.raises(ValueError, match="Invalid targets"):
        MultiTaskLoss([3, 2])(out, y1)


def test_multitask_trunk_gets_gradient_from_every_task():
    torch.manual_seed(0)
    trunk = nn.Linear(4, 6)
    net = MultiTaskNet(trunk, [nn.Linear(6, 3), nn.Linear(6, 2)])
    x, Y = torch.randn(5, 4), torch.tensor([[0.0, float("nan")]] * 5)
    MultiTaskLoss([3, 2])(net(x), Y).backward()
    assert trunk.weight.grad.abs().sum() > 0 and net.heads[1].weight.grad.abs().sum() == 0


def test_activation_l1_is_the_mean_l1_norm_of_the_hooked_layer_and_its_gradient():
    torch.manual_seed(0)
    model = models.mlp(7, n_in=3, n_out=2, activation=nn.ReLU, seed=0).double()
    penalty = ActivationL1(model[1], strength=0.5)
    with pytest.raises(RuntimeError, match="no forward pass"):
        penalty(model)
    x = torch.randn(9, 3, dtype=torch.float64)
    model(x)
    h = torch.relu(model[0](x))
    torch.testing.assert_close(penalty(model), 0.5 * h.abs().sum(dim=1).mean())
    # Finite-difference check of d Omega / d b_1 for one bias entry.
    penalty(model).backward()
    analytic, eps = model[0].bias.grad[0].item(), 1e-6
    values = []
    for sign in (1, -1):
        with torch.no_grad():
            model[0].bias[0] += sign * eps
        model(x)
        values.append(penalty(model).item())
        with torch.no_grad():
            model[0].bias[0] -= sign * eps
    assert abs((values[0] - values[1]) / (2 * eps) - analytic) < 1e-6
    penalty.remove()


def test_pseudo_labels_keep_confident_predictions_only():
    model = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[5.0, 0.0], [0.0, 5.0]]))
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    X_p, y_p = pseudo_labels(model, X, threshold=0.9)
    torch.testing.assert_close(X_p, X[:2])
    assert y_p.tolist() == [0, 1]
    with pytest.raises(ValueError, match="Invalid threshold"):
        pseudo_labels(model, X, threshold=1.5)


def test_self_training_refits_on_labelled_plus_pseudo_labelled_examples(monkeypatch):
    import regopt.semisupervised as semisupervised

    sizes = []

    def spy(model, train, **kwargs):
        sizes.append(len(train[0]))
        return fit(model, train, **kwargs)

    monkeypatch.setattr(semisupervised, "fit", spy)
    X = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    y = (X[:, 0] > 0).long()
    self_training(lambda: models.mlp(4, n_in=2, n_out=2, seed=0), (X[:6], y[:6]), X[6:],
                  make_optimizer=lambda m: torch.optim.SGD(m.parameters(), lr=0.5),
                  rounds=2, threshold=0.0, loss_fn=F.cross_entropy, epochs=5, progress=False)
    assert sizes == [6, 40, 40]  # threshold 0 pseudo-labels every unlabelled example
