"""Reference checks of regopt.optim: each optimizer beside its torch.optim twin, and the chapters' claims."""

from __future__ import annotations

import io
import itertools
import math
import re

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from regopt import optim

STEPS = 100
BATCH = 16


def _mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(64, 5, generator=g, dtype=torch.float64), torch.randint(0, 3, (64,), generator=g)


X, Y = _data()


def _train_step(model: nn.Module, opt: torch.optim.Optimizer, k: int) -> None:
    """Minibatch k of a fixed cycle through the data: forward, loss, backward, step."""
    batch = slice((k * BATCH) % len(X), (k * BATCH) % len(X) + BATCH)
    opt.zero_grad()
    F.cross_entropy(model(X[batch]), Y[batch]).backward()
    opt.step()


def _assert_same_parameters(model: nn.Module, ref: nn.Module, step: int, rtol: float) -> None:
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        if not ((p - q).abs() <= rtol * q.abs()).all():  # a cheap test; assert_close (15x slower) reports
            torch.testing.assert_close(p, q, rtol=rtol, atol=0, msg=lambda m: f"step {step}, {name}: {m}")


def _side_by_side(make_ours, make_ref, *, second_lr: float | None = None, rtol: float = 1e-10) -> None:
    """Train two copies of the MLP with ``make_ours`` and ``make_ref``; compare after every step.

    With ``second_lr`` the optimizers get two parameter groups: the first layer at the
    default rate, the second layer at ``second_lr``.
    """
    ours, ref = _mlp(), _mlp()

    def params(model):
        if second_lr is None:
            return model.parameters()
        return [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": second_lr}]

    opt, ref_opt = make_ours(params(ours)), make_ref(params(ref))
    for k in range(STEPS):
        _train_step(ours, opt, k)
        _train_step(ref, ref_opt, k)
        _assert_same_parameters(ours, ref, k + 1, rtol)
    assert not torch.equal(ours[0].weight, _mlp()[0].weight), "nothing moved: the comparison proved nothing"


def _grid(**options: list) -> list[dict]:
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


# (our class, torch's class, learning rate, options): every combination of each optimizer's options.
TWIN_CASES = (
    [
        (optim.SGD, torch.optim.SGD, 0.1, kw)
        for kw in _grid(momentum=[0, 0.9], dampening=[0, 0.5], nesterov=[False, True], weight_decay=[0, 1e-2],
                        maximize=[False, True])
        if not (kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0))
    ]
    + [(optim.Adagrad, torch.optim.Adagrad, 0.1, kw)
       for kw in _grid(lr_decay=[0, 0.05], weight_decay=[0, 1e-2], initial_accumulator_value=[0, 0.1])]
    + [(optim.RMSprop, torch.optim.RMSprop, 3e-3, kw)
       for kw in _grid(momentum=[0, 0.9], centered=[False, True], weight_decay=[0, 1e-2])]
    + [(optim.Adam, torch.optim.Adam, 1e-2, kw) for kw in _grid(amsgrad=[False, True], weight_decay=[0, 0.1])]
    + [(optim.AdamW, torch.optim.AdamW, 1e-2, kw) for kw in _grid(amsgrad=[False, True], weight_decay=[0, 0.1])]
)


def _case_id(case) -> str:
    cls, _, _, kw = case
    return cls.__name__ + "(" + ",".join(f"{k}={v}" for k, v in kw.items()) + ")"


@pytest.mark.parametrize("case", TWIN_CASES, ids=_case_id)
def test_optimizer_matches_its_torch_twin_at_every_step_for_100_steps(case):
    ours, theirs, lr, kw = case
    _side_by_side(lambda p: ours(p, lr=lr, **kw), lambda p: theirs(p, lr=lr, foreach=False, **kw))


TWO_GROUP_CASES = [
    (optim.SGD, torch.optim.SGD, 0.1, dict(momentum=0.9, nesterov=True, weight_decay=1e-2)),
    (optim.Adagrad, torch.optim.Adagrad, 0.1, dict(lr_decay=0.05, initial_accumulator_value=0.1)),
    (optim.RMSprop, torch.optim.RMSprop, 3e-3, dict(momentum=0.9, centered=True)),
    (optim.Adam, torch.optim.Adam, 1e-2, dict(amsgrad=True, weight_decay=0.1)),
    (optim.AdamW, torch.optim.AdamW, 1e-2, dict(weight_decay=0.1)),
]


@pytest.mark.parametrize("case", TWO_GROUP_CASES, ids=_case_id)
def test_two_parameter_groups_with_different_learning_rates_match_torch(case):
    ours, theirs, lr, kw = case
    _side_by_side(lambda p: ours(p, lr=lr, **kw), lambda p: theirs(p, lr=lr, foreach=False, **kw), second_lr=lr / 3)


# ---- momentum: the two conventions ------------------------------------------------------------


@pytest.mark.parametrize("weight_decay", [0, 1e-2])
def test_ema_momentum_with_lr_over_one_minus_beta_is_sgd_momentum(weight_decay):
    # EMAMomentum(lr=eta / (1 - beta)) keeps v = (1 - beta) u, where u is SGD's buffer: same iterates.
    eta, beta = 0.05, 0.9
    _side_by_side(
        lambda p: optim.EMAMomentum(p, lr=eta / (1 - beta), beta=beta, weight_decay=weight_decay),
        lambda p: torch.optim.SGD(p, lr=eta, momentum=beta, weight_decay=weight_decay, foreach=False),
        rtol=1e-12,
    )


def test_sgd_with_dampening_beta_is_an_average_started_at_the_first_gradient():
    # On the same gradients, SGD(dampening=beta)'s buffer is u_t = v_t + beta^t g_1, not the EMA v_t.
    beta, eta = 0.9, 0.1
    grads = torch.randn(6, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    a = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    sgd = optim.SGD([a], lr=eta, momentum=beta, dampening=beta)
    ema = optim.EMAMomentum([b], lr=eta, beta=beta)
    for t, g in enumerate(grads, start=1):
        a.grad, b.grad = g.clone(), g.clone()
        sgd.step()
        ema.step()
        u, v = sgd.state[a]["momentum_buffer"], ema.state[b]["momentum_buffer"]
        torch.testing.assert_close(u, v + beta**t * grads[0], rtol=1e-12, atol=1e-15)
        if t == 1:  # the first step is 1 / (1 - beta) = 10 times the EMA's
            torch.testing.assert_close(a.detach(), b.detach() / (1 - beta), rtol=1e-12, atol=0)


def test_ema_momentum_first_four_steps_by_hand():
    # f(w) = w^2 (gradient 2 w) from w = 1, eta = 0.1, beta = 0.9, v_0 = 0:
    # g = 2          v = 0.1 * 2 = 0.2                     w = 1 - 0.02 = 0.98
    # g = 1.96       v = 0.18 + 0.196 = 0.376              w = 0.98 - 0.0376 = 0.9424
    # g = 1.8848     v = 0.3384 + 0.18848 = 0.52688        w = 0.9424 - 0.052688 = 0.889712
    # g = 1.779424   v = 0.474192 + 0.1779424 = 0.6521344  w = 0.889712 - 0.06521344 = 0.82449856
    w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = optim.EMAMomentum([w], lr=0.1, beta=0.9)
    expected = [(0.2, 0.98), (0.376, 0.9424), (0.52688, 0.889712), (0.6521344, 0.82449856)]
    for v_hand, w_hand in expected:
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
        assert math.isclose(opt.state[w]["momentum_buffer"].item(), v_hand, rel_tol=1e-12)
        assert math.isclose(w.item(), w_hand, rel_tol=1e-12)


# ---- delta-bar-delta ---------------------------------------------------------------------------


def test_delta_bar_delta_first_four_steps_by_hand():
    # f(w) = (w1^2 + 30 w2^2) / 2, gradient (w1, 30 w2), from w = (1, 1);
    # lr = 0.1, kappa = 0.05, phi = 0.5, theta = 0.5. Order: rates, then step, then average.
    # t=1: g = (1, 30); delta_bar_0 = 0, rates stay (0.1, 0.1); w = (0.9, -2); delta_bar = (0.5, 15)
    # t=2: g = (0.9, -60); signs agree, disagree: rates (0.15, 0.05); w = (0.765, 1); delta_bar = (0.7, -22.5)
    # t=3: g = (0.765, 30); agree, disagree: rates (0.2, 0.025); w = (0.612, 0.25); delta_bar = (0.7325, 3.75)
    # t=4: g = (0.612, 7.5); both agree: rates (0.25, 0.075); w = (0.459, -0.3125); delta_bar = (0.67225, 5.625)
    w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = optim.DeltaBarDelta([w], lr=0.1, kappa=0.05, phi=0.5, theta=0.5)
    expected = [
        ((0.1, 0.1), (0.9, -2.0), (0.5, 15.0)),
        ((0.15, 0.05), (0.765, 1.0), (0.7, -22.5)),
        ((0.2, 0.025), (0.612, 0.25), (0.7325, 3.75)),
        ((0.25, 0.075), (0.459, -0.3125), (0.67225, 5.625)),
    ]
    for rates, point, delta_bar in expected:
        opt.zero_grad()
        (0.5 * (w[0] ** 2 + 30 * w[1] ** 2)).backward()
        opt.step()
        state = opt.state[w]
        for got, want in [(state["rate"], rates), (w.detach(), point), (state["delta_bar"], delta_bar)]:
            torch.testing.assert_close(got, torch.tensor(want, dtype=torch.float64), rtol=1e-12, atol=1e-15)


def test_delta_bar_delta_rate_grows_while_the_sign_holds_and_shrinks_after_it_flips():
    # f(w) = w^2 / 2 from w = 1 with a rate far too small: the sign of g = w stays positive
    # and the rate climbs by kappa per step, until a step overshoots 0; then it is cut.
    kappa, phi = 0.05, 0.5
    w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = optim.DeltaBarDelta([w], lr=1e-3, kappa=kappa, phi=phi, theta=0.7)
    rates, signs = [], []
    for _ in range(60):
        opt.zero_grad()
        (0.5 * w**2).sum().backward()
        signs.append(torch.sign(w.grad).item())
        opt.step()
        rates.append(opt.state[w]["rate"].item())
    flip = signs.index(-1.0)  # first step whose gradient has the opposite sign
    assert flip > 2, "the sign should hold for a while"
    for t in range(1, flip):
        assert rates[t] == pytest.approx(rates[t - 1] + kappa, rel=1e-12)
    assert rates[flip] == pytest.approx((1 - phi) * rates[flip - 1], rel=1e-12)
    assert rates[flip] < rates[flip - 1]


# ---- Adam's bias correction --------------------------------------------------------------------


@pytest.mark.parametrize(
    "betas, first_factor", [((0.9, 0.999), 0.1 / math.sqrt(0.001)), ((0.9, 0.9), 0.1 / math.sqrt(0.1))]
)
def test_adam_without_bias_correction_scales_step_t_by_one_minus_beta1_t_over_root_one_minus_beta2_t(
    betas, first_factor
):
    # A constant gradient c: s_t = (1 - b1^t) c and r_t = (1 - b2^t) c^2. Corrected step: eta c / (|c| + eps);
    # uncorrected: eta (1 - b1^t) c / (sqrt(1 - b2^t) |c| + eps), about (1 - b1^t) / sqrt(1 - b2^t) times it.
    (b1, b2), eta, eps = betas, 1e-3, 1e-8
    c = torch.tensor([0.5, -2.0, 1e-3], dtype=torch.float64)
    a = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    corrected = optim.Adam([a], lr=eta, betas=betas, eps=eps)
    uncorrected = optim.Adam([b], lr=eta, betas=betas, eps=eps, bias_correction=False)
    ratios = []
    for t in range(1, 21):
        a_before, b_before = a.detach().clone(), b.detach().clone()
        a.grad, b.grad = c.clone(), c.clone()
        corrected.step()
        uncorrected.step()
        step_a, step_b = a.detach() - a_before, b.detach() - b_before
        torch.testing.assert_close(step_a, -eta * c / (c.abs() + eps), rtol=1e-9, atol=0)
        ratio = (1 - b1**t) * (c.abs() + eps) / (math.sqrt(1 - b2**t) * c.abs() + eps)
        torch.testing.assert_close(step_b / step_a, ratio, rtol=1e-9, atol=0)
        ratios.append(step_b[0].item() / step_a[0].item())
    # The first step is (1 - b1) / sqrt(1 - b2) times the corrected one: 3.16 times LARGER with the
    # default betas, 0.32 times (smaller) with b2 = 0.9. It nears 1 only after about 1 / (1 - b2) steps.
    assert ratios[0] == pytest.approx(first_factor, rel=1e-6)
    if betas == (0.9, 0.999):
        assert min(ratios) > 3


# ---- checkpoints, closures, sparse gradients, bad arguments ------------------------------------

ALL_OPTIMIZERS = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (optim.EMAMomentum, dict(lr=0.5, beta=0.9, weight_decay=1e-2)),
    (optim.DeltaBarDelta, dict(lr=0.05, kappa=1e-2)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    (optim.RMSprop, dict(lr=3e-3, momentum=0.9, centered=True)),
    (optim.Adam, dict(lr=1e-2, amsgrad=True)),
    (optim.AdamW, dict(lr=1e-2, amsgrad=True)),
]
OPTIMIZER_IDS = [cls.__name__ for cls, _ in ALL_OPTIMIZERS]


@pytest.mark.parametrize("cls, kw", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_state_dict_round_trip_continues_exactly_like_an_uninterrupted_run(cls, kw):
    k, n = 7, 13
    straight = _mlp()
    opt = cls(straight.parameters(), **kw)
    for step in range(k + n):
        _train_step(straight, opt, step)

    first = _mlp()
    opt = cls(first.parameters(), **kw)
    for step in range(k):
        _train_step(first, opt, step)
    buffer = io.BytesIO()
    torch.save({"model": first.state_dict(), "optimizer": opt.state_dict()}, buffer)
    buffer.seek(0)
    checkpoint = torch.load(buffer)

    resumed = _mlp(seed=123)  # different weights, so the load must do the work
    opt = cls(resumed.parameters(), **kw)
    resumed.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])
    for step in range(k, k + n):
        _train_step(resumed, opt, step)
    for p, q in zip(resumed.parameters(), straight.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("cls, kw", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_step_returns_the_closure_loss_and_takes_the_same_step(cls, kw):
    with_closure, without = _mlp(), _mlp()
    opt_a, opt_b = cls(with_closure.parameters(), **kw), cls(without.parameters(), **kw)

    def closure():
        opt_a.zero_grad()
        loss = F.cross_entropy(with_closure(X), Y)
        loss.backward()
        return loss

    loss = opt_a.step(closure)
    opt_b.zero_grad()
    expected = F.cross_entropy(without(X), Y)
    expected.backward()
    assert opt_b.step() is None
    assert loss.item() == expected.item()
    for p, q in zip(with_closure.parameters(), without.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("cls, kw", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_sparse_gradients_are_refused_with_a_clear_error(cls, kw):
    embedding = nn.Embedding(10, 3, sparse=True)
    opt = cls(embedding.parameters(), **kw)
    embedding(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(RuntimeError, match=f"{cls.__name__} does not support sparse gradients"):
        opt.step()


BAD_ARGUMENTS = [
    (optim.SGD, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (optim.SGD, dict(dampening=1.5), "Invalid dampening value: 1.5"),
    (optim.SGD, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.SGD, dict(nesterov=True), "Invalid nesterov=True with momentum=0"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "Invalid nesterov=True with momentum=0.9"),
    (optim.EMAMomentum, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.EMAMomentum, dict(beta=1.0), "Invalid beta value: 1.0"),
    (optim.EMAMomentum, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.DeltaBarDelta, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.DeltaBarDelta, dict(kappa=-0.1), "Invalid kappa value: -0.1"),
    (optim.DeltaBarDelta, dict(phi=1.5), "Invalid phi value: 1.5"),
    (optim.DeltaBarDelta, dict(theta=1.0), "Invalid theta value: 1.0"),
    (optim.Adagrad, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (optim.Adagrad, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value: -1"),
    (optim.Adagrad, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.RMSprop, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.RMSprop, dict(alpha=1.5), "Invalid alpha value: 1.5"),
    (optim.RMSprop, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.RMSprop, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.RMSprop, dict(momentum=-1), "Invalid momentum value: -1"),
    (optim.Adam, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.Adam, dict(betas=(1.5, 0.999)), "Invalid beta parameter at index 0: 1.5"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (optim.Adam, dict(betas=(0.9,)), "Invalid betas: (0.9,)"),
    (optim.Adam, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.Adam, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.AdamW, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.AdamW, dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (optim.AdamW, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.AdamW, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
]


@pytest.mark.parametrize(
    "cls, kw, message", BAD_ARGUMENTS, ids=[f"{c.__name__}-{next(iter(kw))}" for c, kw, _ in BAD_ARGUMENTS]
)
def test_bad_hyperparameters_are_refused_naming_argument_and_value(cls, kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls([torch.zeros(2, requires_grad=True)], **kw)
