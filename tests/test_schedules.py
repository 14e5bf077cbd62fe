"""Reference checks of regopt.optim's learning-rate schedules: torch's schedulers, closed forms, fit."""

from __future__ import annotations

import math
import re

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from regopt import optim, train

T = 50
LRS = (0.5, 0.03)  # two parameter groups, each with its own lr_0


def _optimizer(cls: type = optim.SGD) -> torch.optim.Optimizer:
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in LRS]
    return cls(groups, lr=LRS[0], momentum=0.9)


def _rates(make_schedule, cls: type) -> list[list[float]]:
    """The rates of both groups at t = 0, 1, ..., T, stepping the optimizer before the schedule."""
    opt = _optimizer(cls)
    schedule = make_schedule(opt)
    rates = [[group["lr"] for group in opt.param_groups]]
    for _ in range(T):
        opt.step()  # no gradients: a no-op that keeps the call order torch expects
        schedule.step()
        rates.append([group["lr"] for group in opt.param_groups])
    return rates


def _ours_and_torchs(make_ours, make_torchs) -> tuple[list[list[float]], list[list[float]]]:
    # Crossed over: our schedule drives torch's SGD, torch's scheduler drives our SGD.
    return _rates(make_ours, torch.optim.SGD), _rates(make_torchs, optim.SGD)


def _assert_same_rates(ours, theirs) -> None:
    for t, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15), f"t = {t}: {x} vs {y}"


def test_step_decay_matches_torch_step_lr():
    ours, theirs = _ours_and_torchs(
        lambda opt: optim.StepDecay(opt, step_size=7, gamma=0.5),
        lambda opt: lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
    )
    _assert_same_rates(ours, theirs)
    assert ours[6] == list(LRS) and ours[7] == [lr / 2 for lr in LRS]  # the first cut comes at t = 7


def test_exponential_decay_matches_torch_exponential_lr():
    ours, theirs = _ours_and_torchs(
        lambda opt: optim.ExponentialDecay(opt, gamma=0.9), lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9)
    )
    _assert_same_rates(ours, theirs)


@pytest.mark.parametrize(
    "T_max, eta_min", [(50, 0.0), (50, 0.01), (20, 0.0)], ids=["to-zero", "to-eta_min", "past-T_max"]
)
def test_cosine_decay_matches_torch_cosine_annealing_lr(T_max, eta_min):
    ours, theirs = _ours_and_torchs(
        lambda opt: optim.CosineDecay(opt, T_max=T_max, eta_min=eta_min),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min),
    )
    _assert_same_rates(ours, theirs)
    assert math.isclose(ours[T_max // 2][0], eta_min + (LRS[0] - eta_min) / 2, rel_tol=1e-12)  # halfway: the mean
    assert math.isclose(ours[T_max][0], eta_min, abs_tol=1e-15)


def test_inverse_time_decay_matches_lambda_lr_of_one_over_one_plus_k_t():
    k = 0.3
    ours, theirs = _ours_and_torchs(
        lambda opt: optim.InverseTimeDecay(opt, decay_rate=k),
        lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + k * t)),
    )
    _assert_same_rates(ours, theirs)
    assert math.isclose(ours[10][1], LRS[1] / 4, rel_tol=1e-12)  # 1 + 0.3 * 10 = 4


CLOSED_FORMS = [
    (lambda opt: optim.StepDecay(opt, step_size=2, gamma=0.5), lambda t: 0.5 ** (t // 2)),
    (lambda opt: optim.ExponentialDecay(opt, gamma=0.8), lambda t: 0.8**t),
    (lambda opt: optim.InverseTimeDecay(opt, decay_rate=0.5), lambda t: 1 / (1 + 0.5 * t)),
    (lambda opt: optim.CosineDecay(opt, T_max=6), lambda t: (1 + math.cos(math.pi * t / 6)) / 2),
]


@pytest.mark.parametrize("make_schedule, factor", CLOSED_FORMS, ids=["step", "exponential", "inverse-time", "cosine"])
def test_schedule_drives_a_regopt_optimizer_in_fit(make_schedule, factor):
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(48, 4, generator=g), torch.randint(0, 3, (48,), generator=g)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    lr0 = 0.05
    opt = optim.Adam(model.parameters(), lr=lr0)
    history = train.fit(model, (X, y), loss_fn=nn.functional.cross_entropy, optimizer=opt, epochs=6,
                        batch_size=16, scheduler=make_schedule(opt), progress=False, device="cpu")
    for epoch, lr in enumerate(history.lr):  # the rate used in epoch e + 1 is lr_e
        assert math.isclose(lr, lr0 * factor(epoch), rel_tol=1e-12)
    assert history.train_loss[-1] < history.train_loss[0]


BAD_ARGUMENTS = [
    (optim.StepDecay, dict(step_size=0), "Invalid step_size: 0"),
    (optim.StepDecay, dict(step_size=2.5), "Invalid step_size: 2.5"),
    (optim.StepDecay, dict(step_size=2, gamma=0), "Invalid gamma: 0"),
    (optim.ExponentialDecay, dict(gamma=-0.5), "Invalid gamma: -0.5"),
    (optim.InverseTimeDecay, dict(decay_rate=-1), "Invalid decay_rate: -1"),
    (optim.CosineDecay, dict(T_max=0), "Invalid T_max: 0"),
    (optim.CosineDecay, dict(T_max=10, eta_min=-0.1), "Invalid eta_min: -0.1"),
]


@pytest.mark.parametrize(
    "cls, kw, message", BAD_ARGUMENTS, ids=[f"{c.__name__}-{m.split(':')[0][8:]}" for c, _, m in BAD_ARGUMENTS]
)
def test_bad_schedule_arguments_are_refused_naming_argument_and_value(cls, kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(_optimizer(), **kw)
