"""Reference checks of regopt.constraints: max-norm against torch.renorm, the projection's
closest-point property, and projected gradient descent on a ball of radius ||w_ridge(alpha)||
reaching the ridge solution (the penalty/constraint correspondence). All in float64."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from regopt import models
from regopt.constraints import l2_ball_constraint, max_norm, max_norm_constraint, project_l1_ball, project_l2_ball
from regopt.penalties import ridge_solution
from regopt.train import Callback, fit


def _randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_max_norm_matches_torch_renorm():
    W = _randn(7, 5) * torch.linspace(0.1, 2.0, 7, dtype=torch.float64)[:, None]  # some rows inside, some out
    for c in (0.5, 1.0, 3.0):
        torch.testing.assert_close(max_norm(W, c), torch.renorm(W, 2, 0, c), rtol=1e-6, atol=1e-9)
    assert (W.norm(dim=1) < 1.0).any() and (W.norm(dim=1) > 1.0).any()


def test_projection_is_the_closest_point_of_the_ball():
    r = 1.5
    w = 3.0 * _randn(4)
    projected = project_l2_ball(w, r)
    torch.testing.assert_close(projected.norm(), torch.tensor(r, dtype=torch.float64))
    candidates = _randn(2000, 4, seed=1)
    candidates = candidates * (r * torch.rand(2000, 1, generator=torch.Generator().manual_seed(2),
                                              dtype=torch.float64) / candidates.norm(dim=1, keepdim=True))
    assert ((candidates - w).norm(dim=1) >= (projected - w).norm() - 1e-12).all()
    inside = 0.1 * w / w.norm()
    assert torch.equal(project_l2_ball(inside, r), inside)
    torch.testing.assert_close(project_l2_ball(projected, r), projected)  # a projection is idempotent


def _l1_projection_by_bisection(w: torch.Tensor, r: float) -> torch.Tensor:
    # ||soft_threshold(w, theta)||_1 falls monotonically in theta: bisect for the theta that gives r.
    low, high = 0.0, w.abs().max().item()
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if (w.abs() - mid).clamp(min=0).sum() > r else (low, mid)
    return w.sign() * (w.abs() - high).clamp(min=0)


@pytest.mark.parametrize("r", [0.05, 1.0, 4.0])
def test_l1_projection_matches_bisection_on_the_threshold(r):
    for seed in range(5):
        w = 2.0 * _randn(30, seed=seed)
        projected = project_l1_ball(w, r)
        torch.testing.assert_close(projected, _l1_projection_by_bisection(w, r), rtol=0, atol=1e-12)
        assert abs(projected.abs().sum().item() - r) < 1e-12  # a point outside lands on the boundary
        assert (projected.sign() * w.sign() >= 0).all()  # no entry changes sign


def test_l1_projection_leaves_the_ball_alone_and_is_the_closest_point():
    r = 1.5
    inside = torch.tensor([0.5, -0.4, 0.0, 0.6], dtype=torch.float64)  # ||.||_1 = 1.5: on the boundary
    assert torch.equal(project_l1_ball(inside, r), inside)
    assert torch.equal(project_l1_ball(0.5 * inside, r), 0.5 * inside)
    w = torch.tensor([3.0, -1.0, 0.2, 0.1], dtype=torch.float64)
    projected = project_l1_ball(w, r)
    # by hand: u = (3, 1, 0.2, 0.1); j = 2 fails, 1 <= (4 - 1.5) / 2, so rho = 1 and theta = 3 - 1.5
    torch.testing.assert_close(projected, torch.tensor([1.5, 0.0, 0.0, 0.0], dtype=torch.float64))
    candidates = _randn(5000, 4, seed=4)
    candidates = candidates * (r * torch.rand(5000, 1, generator=torch.Generator().manual_seed(5),
                                              dtype=torch.float64) / candidates.abs().sum(dim=1, keepdim=True))
    assert ((candidates - w).norm(dim=1) >= (projected - w).norm() - 1e-12).all()
    torch.testing.assert_close(project_l1_ball(projected, r), projected)  # idempotent


def test_l1_projection_of_a_matrix_treats_it_as_one_vector_and_gives_zeros():
    W = _randn(8, 6, seed=6)
    projected = project_l1_ball(W, 2.0)
    assert projected.shape == W.shape
    torch.testing.assert_close(projected.ravel(), _l1_projection_by_bisection(W.ravel(), 2.0), rtol=0, atol=1e-12)
    assert (projected == 0).sum() > 30  # most entries are exactly zero: the projection lands on a low face


@pytest.mark.parametrize("bad, match", [(0.0, "Invalid radius"), (-1.0, "Invalid radius"), (None, "Invalid radius")])
def test_l1_projection_refuses_a_bad_radius(bad, match):
    with pytest.raises(ValueError, match=match):
        project_l1_ball(torch.ones(3), bad)
    with pytest.raises(ValueError, match="Invalid w"):
        project_l1_ball(torch.ones(3, dtype=torch.long), 1.0)


def _regression() -> tuple[torch.Tensor, torch.Tensor]:
    X = _randn(40, 6)
    y = X @ torch.tensor([3.0, -2.0, 1.0, 0.0, 0.5, -1.0], dtype=torch.float64) + 0.1 * _randn(40, seed=3)
    return X, y


@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
def test_projected_gradient_on_ball_of_ridge_norm_reaches_the_ridge_solution(alpha):
    # 1/2n ||y - Xw||^2 + alpha/2 ||w||^2 has the ridge solution with n alpha; its norm r(alpha) is the radius.
    X, y = _regression()
    w_ridge = ridge_solution(X, y, len(X) * alpha)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 1, bias=False), nn.Flatten(0)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    l2_ball_constraint(opt, model, w_ridge.norm().item())
    fit(model, (X, y), loss_fn=lambda out, t: 0.5 * nn.functional.mse_loss(out, t), optimizer=opt, epochs=3000,
        progress=False)
    torch.testing.assert_close(model[0].weight.detach().ravel(), w_ridge, rtol=0, atol=1e-6)


def test_constraints_hold_after_every_step_of_training():
    model = models.mlp(16, n_in=5, n_out=3).double()
    g = torch.Generator().manual_seed(1)
    X, y = 5 * torch.randn(64, 5, generator=g, dtype=torch.float64), torch.randint(0, 3, (64,), generator=g)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    max_norm_constraint(opt, model, 0.8)
    l2_ball_constraint(opt, model, 2.5)  # hooks run in order: max-norm, then the ball (which cannot break it)

    class Check(Callback):
        def on_epoch_end(self, epoch, history, model):
            for layer in (model[0], model[2]):
                assert (layer.weight.norm(dim=1) <= 0.8 + 1e-12).all()
                assert layer.weight.norm() <= 2.5 + 1e-12

    fit(model, (X, y), loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=30, batch_size=16, callbacks=[Check()],
        progress=False)
    assert torch.isclose(model[0].weight.norm(), torch.tensor(2.5, dtype=torch.float64)), "ball inactive"
    assert torch.isclose(model[2].weight.norm(dim=1).max(), torch.tensor(0.8, dtype=torch.float64)), "max-norm inactive"
    assert model[0].bias.abs().max() > 0  # biases are not constrained and still train


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: project_l2_ball(torch.ones(3), 0.0), "Invalid radius: 0.0"),
        (lambda: max_norm(torch.ones(3, 2), -1.0), "Invalid max norm c: -1.0"),
        (lambda: l2_ball_constraint(torch.optim.SGD([nn.Parameter(torch.ones(1))], lr=1), nn.Linear(2, 2), -2.0),
         "Invalid radius: -2.0"),
    ],
)
def test_bad_radii_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
