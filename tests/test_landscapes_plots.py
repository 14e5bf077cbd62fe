"""Landscapes (closed-form Hessians and minima), trajectories, and the plot helpers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from torch.autograd.functional import hessian

from regopt import landscapes, plots


def _hessian_eigenvalues(landscape, point):
    H = hessian(landscape.func, torch.tensor(point, dtype=torch.float64))
    return torch.linalg.eigvalsh(H)


def test_quadratic_has_the_requested_condition_number_at_any_angle():
    for angle in (0.0, 0.7):
        eig = _hessian_eigenvalues(landscapes.quadratic(25.0, angle=angle), (0.3, -0.2))
        assert torch.allclose(eig, torch.tensor([1.0, 25.0], dtype=torch.float64), atol=1e-10)


def test_saddle_has_eigenvalues_of_both_signs():
    eig = _hessian_eigenvalues(landscapes.saddle(), (0.0, 0.0))
    assert torch.allclose(eig, torch.tensor([-1.0, 1.0], dtype=torch.float64))


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "beale"])
def test_minimum_has_zero_value_and_zero_gradient(name):
    landscape = landscapes.get(name)
    p = torch.tensor(landscape.minimum, dtype=torch.float64, requires_grad=True)
    value = landscape(p)
    value.backward()
    assert abs(value.item()) < 1e-12 and p.grad.abs().max() < 1e-10


def test_rosenbrock_matches_its_formula():
    f = landscapes.rosenbrock(a=1.0, b=100.0)
    assert f(torch.tensor([0.0, 1.0])).item() == pytest.approx(1 + 100)
    assert f(torch.tensor([-1.0, 1.0])).item() == pytest.approx(4.0)


def test_trajectory_of_gradient_descent_matches_the_closed_form():
    # On f = 1/2 (x^2 + kappa y^2), gradient descent multiplies x by (1 - lr) and y by (1 - lr kappa).
    kappa, lr, steps = 10.0, 0.05, 30
    path = landscapes.trajectory(landscapes.quadratic(kappa), lambda ps: torch.optim.SGD(ps, lr=lr),
                                 (1.5, 1.0), steps=steps)
    k = torch.arange(steps + 1, dtype=torch.float64)
    expected = torch.stack([1.5 * (1 - lr) ** k, (1 - lr * kappa) ** k], dim=1)
    assert path.shape == (steps + 1, 2)
    assert torch.allclose(path, expected, atol=1e-12)


def test_trajectory_stops_and_warns_when_it_diverges():
    with pytest.warns(UserWarning, match="diverged"):
        path = landscapes.trajectory(landscapes.rosenbrock(), lambda ps: torch.optim.SGD(ps, lr=1.0),
                                     (-1.5, 2.0), steps=50)
    assert len(path) < 51


def test_landscapes_reject_bad_input():
    with pytest.raises(ValueError, match="Unknown landscape"):
        landscapes.get("himmelblau")
    with pytest.raises(ValueError, match="Invalid kappa"):
        landscapes.quadratic(-1.0)
    with pytest.raises(ValueError, match="last dimension 2"):
        landscapes.saddle()(torch.zeros(3))
    with pytest.raises(ValueError, match="Invalid start"):
        landscapes.trajectory(landscapes.saddle(), lambda ps: torch.optim.SGD(ps, lr=0.1), (1.0, 2.0, 3.0), steps=2)


def test_plot_helpers_label_every_axis():
    fig, (a1, a2) = plots.subplots(1, 2)
    plots.loss_curves({"a": [3, 2, 1], "b": [3, 1, 0.5]}, ax=a1, logy=True, title="b falls faster")
    path = landscapes.trajectory(landscapes.quadratic(5.0), lambda ps: torch.optim.SGD(ps, lr=0.1), (1.0, 1.0), steps=5)
    plots.trajectories(landscapes.quadratic(5.0), {"GD": path}, ax=a2)
    for ax in (a1, a2):
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert a1.get_yscale() == "log"
    plt.close(fig)


def test_animation_is_self_contained_html_with_at_most_the_requested_frames():
    path = landscapes.trajectory(landscapes.quadratic(5.0), lambda ps: torch.optim.SGD(ps, lr=0.1), (1.0, 1.0), steps=60)
    html = plots.animate_trajectories(landscapes.quadratic(5.0), {"GD": path}, frames=10).data
    assert "<script" in html and html.count("data:image/png;base64") == 10
    # Nothing fetched from elsewhere: the player's buttons are characters, not CDN icons.
    assert "http" not in html.replace("http://www.w3.org", "") and 'class="fa' not in html
    assert html.count("<button") == 9 and "\u25b6" in html
    with pytest.raises(ValueError, match="Invalid frames"):
        plots.animate_trajectories(landscapes.quadratic(5.0), {"GD": path}, frames=0)
