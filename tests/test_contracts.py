"""torch's contracts where regopt stands in for torch: schedules that compose, NumPy scalars
accepted where torch accepts them, and a clear ``ValueError`` naming the argument for bad input."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from regopt import adversarial, autoencoders, constraints, dropout, ensembles, noise, optim, penalties, semisupervised, tangent

LR0 = 0.8


def _rates(make_schedule, steps: int = 40) -> list[float]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR0)
    schedule = make_schedule(opt)
    rates = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        schedule.step()
        rates.append(opt.param_groups[0]["lr"])
    return rates


def _assert_close(ours, theirs) -> None:
    for t, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15), f"t = {t}: {a} vs {b}"


CHAINS = {
    "warmup+cosine": (
        lambda o: [optim.LinearWarmup(o, 5, start_factor=0.1), optim.CosineDecay(o, T_max=20)],
        lambda o: [lr_scheduler.LinearLR(o, 0.1, 1.0, 5), lr_scheduler.CosineAnnealingLR(o, T_max=20)],
    ),
    "exponential+step": (
        lambda o: [optim.ExponentialDecay(o, gamma=0.9), optim.StepDecay(o, step_size=3, gamma=0.5)],
        lambda o: [lr_scheduler.ExponentialLR(o, gamma=0.9), lr_scheduler.StepLR(o, step_size=3, gamma=0.5)],
    ),
    "warmup+cosine-to-eta_min": (
        lambda o: [optim.LinearWarmup(o, 4, start_factor=0.25), optim.CosineDecay(o, T_max=10, eta_min=0.05)],
        lambda o: [lr_scheduler.LinearLR(o, 0.25, 1.0, 4),
                   lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.05)],
    ),
    "inverse-time+step": (
        lambda o: [optim.InverseTimeDecay(o, decay_rate=0.3), optim.StepDecay(o, step_size=4, gamma=0.5)],
        lambda o: [lr_scheduler.MultiplicativeLR(o, lambda t: (1 + 0.3 * (t - 1)) / (1 + 0.3 * t)),
                   lr_scheduler.StepLR(o, step_size=4, gamma=0.5)],
    ),
}


@pytest.mark.parametrize("name", CHAINS)
def test_schedules_compose_in_chained_scheduler_like_torchs(name):
    ours, theirs = CHAINS[name]
    a = _rates(lambda o: lr_scheduler.ChainedScheduler(ours(o)))
    b = _rates(lambda o: lr_scheduler.ChainedScheduler(theirs(o)))
    _assert_close(a, b)


def test_chained_warmup_keeps_the_warmup():
    # The numbers: torch gives 0.08, 0.223, 0.359; overwriting schedules gave 0.8, 0.795, 0.780.
    rates = _rates(lambda o: lr_scheduler.ChainedScheduler(CHAINS["warmup+cosine"][0](o)), steps=2)
    assert [round(r, 3) for r in rates] == [0.08, 0.223, 0.359]


@pytest.mark.parametrize("eta_min", [0.0, 0.02])
def test_schedules_hand_over_in_sequential_lr_like_torchs(eta_min):
    a = _rates(lambda o: lr_scheduler.SequentialLR(
        o, [optim.LinearWarmup(o, 5, start_factor=0.2), optim.CosineDecay(o, T_max=15, eta_min=eta_min)], [5]))
    b = _rates(lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.LinearLR(o, 0.2, 1.0, 5), lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=eta_min)], [5]))
    _assert_close(a, b)


def test_linear_warmup_matches_torch_linear_lr():
    _assert_close(_rates(lambda o: optim.LinearWarmup(o, 7, start_factor=0.05)),
                  _rates(lambda o: lr_scheduler.LinearLR(o, 0.05, 1.0, 7)))


def test_warmup_cosine_rises_linearly_then_follows_the_cosine_to_eta_min():
    W, T, s, eta_min = 4, 20, 0.1, 0.01
    rates = _rates(lambda o: optim.warmup_cosine(o, warmup_steps=W, total_steps=T, start_factor=s, eta_min=eta_min),
                   steps=T)
    for t in range(W + 1):
        assert math.isclose(rates[t], LR0 * (s + (1 - s) * t / W), rel_tol=1e-12)
    for t in range(W, T + 1):
        expected = eta_min + (LR0 - eta_min) * (1 + math.cos(math.pi * (t - W) / (T - W))) / 2
        assert math.isclose(rates[t], expected, rel_tol=1e-12, abs_tol=1e-15), t
    assert max(rates) == pytest.approx(LR0) and rates.index(max(rates)) == W


def test_schedule_alone_still_follows_its_closed_form_after_a_wrap():
    # Past T_max the cosine climbs back, through the step where the rate is exactly eta_min.
    rates = _rates(lambda o: optim.CosineDecay(o, T_max=5), steps=12)
    for t, r in enumerate(rates):
        assert math.isclose(r, LR0 * (1 + math.cos(math.pi * t / 5)) / 2, rel_tol=1e-9, abs_tol=1e-15), t


def test_numpy_scalars_are_accepted_where_torch_accepts_them():
    assert dropout.Dropout(np.float32(0.5)).p == np.float32(0.5)
    assert dropout.dropout(torch.ones(3), np.float64(0.0)).tolist() == [1.0] * 3
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no optimizer.step() before scheduler.step() here
        schedule = optim.StepDecay(opt, step_size=np.int64(3), gamma=np.float32(0.5))
        for _ in range(3):
            schedule.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)
    optim.CosineDecay(opt, T_max=np.int32(10), eta_min=np.float64(0.0))
    optim.LinearWarmup(opt, np.int64(5), start_factor=np.float32(0.5))
    optim.Adam([torch.zeros(1, requires_grad=True)], lr=np.float32(1e-3), betas=(np.float64(0.9), 0.999))
    assert len(ensembles.bootstrap_indices(np.int64(5))) == 5
    noise.smooth_labels(torch.tensor([0, 1]), np.int64(3), eps=np.float32(0.1))


@pytest.mark.parametrize("value", [True, "3", None, 2.5, np.float64(3.0)])
def test_non_integers_are_still_refused_as_integers(value):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="Invalid step_size"):
        optim.StepDecay(opt, step_size=value)


def _autoencoder():
    return autoencoders.Autoencoder(6, 3, tied=True, activation=nn.Sigmoid)


BAD_INPUTS = {
    "ridge-rows": (lambda: penalties.ridge_solution(torch.randn(5, 2), torch.randn(4), 0.1),
                   "X and y must have the same number of rows, got 5 and 4"),
    "ridge-1d-X": (lambda: penalties.ridge_solution(torch.randn(5), torch.randn(5), 0.1), "Invalid X: expected a 2-D"),
    "ridge-3d-y": (lambda: penalties.ridge_solution(torch.randn(5, 2), torch.randn(5, 1, 1), 0.1), "Invalid y"),
    "tangent-widths": (lambda: tangent.tangent_distance(torch.randn(3, 4), torch.randn(3, 1, 4), torch.randn(2, 5)),
                       "Invalid y: rows of width 5, but the rows of x have width 4"),
    "tangent-1d-x": (lambda: tangent.tangent_distance(torch.randn(4), torch.randn(1, 1, 4), torch.randn(2, 4)),
                     "Invalid x"),
    "tied-width": (lambda: autoencoders.tied_weight_gradient(_autoencoder(), torch.randn(4, 5)),
                   "Invalid X: expected shape (N, 6)"),
    "smoothing-batch": (lambda: noise.label_smoothing_cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2]), eps=0.1),
                        "logits and y must have the same number of rows, got 4 and 3"),
    "smoothing-1d-logits": (lambda: noise.label_smoothing_cross_entropy(torch.randn(3), torch.tensor([0, 1, 2]), eps=0.1),
                            "Invalid logits"),
    "smooth-labels-range": (lambda: noise.smooth_labels(torch.tensor([0, 3]), 3, eps=0.1), "Invalid y: class indices"),
    "smooth-labels-float": (lambda: noise.smooth_labels(torch.tensor([0.0, 1.0]), 3, eps=0.1), "Invalid y"),
    "max-norm-vector": (lambda: constraints.max_norm(torch.randn(5), 1.0), "Invalid W"),
    "dropout-mask": (lambda: dropout.dropout(torch.ones(4, 3), 0.5, mask=torch.ones(4, 2)),
                     "Invalid mask: shape (4, 2) does not broadcast to x's shape (4, 3)"),
    "dropout-mask-p0": (lambda: dropout.dropout(torch.ones(4, 3), 0.0, mask=torch.ones(5, 3)), "Invalid mask"),
    "ensemble-negative-variance": (lambda: ensembles.ensemble_error(-1.0, 0.0, 3), "Invalid variance v: -1.0"),
    "ensemble-covariance-above-variance": (lambda: ensembles.ensemble_error(1.0, 1.5, 3), "Invalid covariance c: 1.5"),
    "ensemble-covariance-too-negative": (lambda: ensembles.ensemble_error(1.0, -0.6, 3), "Invalid covariance c: -0.6"),
    "warmup-start-factor": (lambda: optim.LinearWarmup(torch.optim.SGD([torch.zeros(1)], lr=1), 3, start_factor=0),
                            "Invalid start_factor: 0"),
    "warmup-steps": (lambda: optim.LinearWarmup(torch.optim.SGD([torch.zeros(1)], lr=1), 0), "Invalid warmup_steps: 0"),
    "warmup-cosine-total": (lambda: optim.warmup_cosine(torch.optim.SGD([torch.zeros(1)], lr=1), warmup_steps=5,
                                                        total_steps=5), "Invalid total_steps: 5"),
    "fgsm-batch": (lambda: adversarial.fgsm(nn.Linear(2, 3), torch.randn(4, 2), torch.tensor([0, 1]), eps=0.1),
                   "x and y must have the same number of rows, got 4 and 2"),
    "bag-rows": (lambda: ensembles.bag(lambda i: nn.Linear(2, 2), (torch.randn(4, 2), torch.tensor([0])), k=2,
                                       make_optimizer=lambda m: optim.SGD(m.parameters(), lr=0.1)),
                 "X and y must have the same number of rows, got 4 and 1"),
    "self-training-rows": (lambda: semisupervised.self_training(
        lambda: nn.Linear(2, 2), (torch.randn(4, 2), torch.tensor([0])), torch.randn(3, 2),
        make_optimizer=lambda m: optim.SGD(m.parameters(), lr=0.1)), "labelled X and labelled y must have the same"),
    "pseudo-labels-threshold": (lambda: semisupervised.pseudo_labels(nn.Linear(2, 2), torch.randn(3, 2), threshold=None),
                                "Invalid threshold: None"),
    "smooth-labels-eps": (lambda: noise.smooth_labels(torch.tensor([0]), 2, eps="0.1"), "Invalid label smoothing eps"),
    "elastic-net-ratio": (lambda: penalties.elastic_net_penalty(0.1, l1_ratio=None), "Invalid l1_ratio: None"),
    "lr-none": (lambda: optim.SGD([torch.zeros(1)], lr=None), "Invalid"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_a_value_error_naming_the_argument(case):
    call, message = BAD_INPUTS[case]
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_dropout_uses_a_given_mask_even_when_p_is_zero():
    mask = torch.tensor([[1.0, 0.0, 1.0]])
    assert dropout.dropout(torch.ones(2, 3), 0.0, mask=mask).tolist() == [[1.0, 0.0, 1.0]] * 2
    assert dropout.dropout(torch.ones(2, 3), 0.0, training=False, mask=mask).tolist() == [[1.0] * 3] * 2


def test_valid_covariances_at_the_edges_are_accepted():
    assert ensembles.ensemble_error(1.0, 1.0, 4) == pytest.approx(1.0)
    assert ensembles.ensemble_error(1.0, -1 / 3, 4) == pytest.approx(0.0, abs=1e-12)
    assert ensembles.ensemble_error(0.0, 0.0, 1) == 0.0
