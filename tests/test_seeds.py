"""regopt.seeds: k seeds trained at once follow the k separate runs of train.fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from regopt import data, models, optim, penalties, seeds, train
from regopt.dropout import DropConnect


@pytest.fixture(scope="module")
def digits64():
    split = data.digits(dtype=torch.float64)
    # A small slice keeps the test quick; 203 rows leave a short last minibatch.
    return (split.train[0][:203], split.train[1][:203]), (split.val[0][:80], split.val[1][:80])


def make(seed: int) -> nn.Module:
    return models.mlp(16, seed=seed).double()


CASES = {
    "sgd_momentum": dict(optimizer=lambda p: optim.SGD(p, lr=0.1, momentum=0.9), batch_size=32),
    "adam_full_batch": dict(optimizer=lambda p: optim.Adam(p, lr=0.01), batch_size=None),
    "torch_rmsprop_l2_schedule": dict(
        optimizer=lambda p: torch.optim.RMSprop(p, lr=0.003),
        batch_size=50,
        penalty=penalties.l2_penalty(1e-3),
        scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_member_follows_its_own_fit_trajectory(digits64, case):
    train_set, val_set = digits64
    kw = CASES[case]
    seed_list = [0, 3, 7]
    run = seeds.fit_seeds(
        make, train_set, seeds=seed_list, loss_fn=F.cross_entropy, epochs=4, val=val_set, progress=False,
        device="cpu", **kw,
    )
    for i, s in enumerate(seed_list):
        model = make(s)
        opt = kw["optimizer"](list(model.parameters()))
        sched = kw["scheduler"](opt) if "scheduler" in kw else None
        ref = train.fit(
            model, train_set, loss_fn=F.cross_entropy, optimizer=opt, epochs=4, batch_size=kw["batch_size"],
            val=val_set, scheduler=sched, penalty=kw.get("penalty"), seed=s, progress=False, device="cpu",
        )
        got = run.histories[i]
        for field in ("train_loss", "val_loss", "train_acc", "val_acc", "step_loss", "lr"):
            np.testing.assert_allclose(getattr(got, field), getattr(ref, field), rtol=1e-9, atol=1e-10,
                                       err_msg=f"{field} of seed {s}")
        for (name, p), (_, q) in zip(run.models[i].named_parameters(), model.named_parameters()):
            torch.testing.assert_close(p, q, rtol=1e-9, atol=1e-10, msg=f"{name} of seed {s}")


def test_members_differ_in_initialization_and_minibatch_order(digits64):
    train_set, _ = digits64
    same_init = lambda s: make(0)  # noqa: E731: every member starts from the same weights
    run = seeds.fit_seeds(same_init, train_set, seeds=[0, 1], loss_fn=F.cross_entropy,
                          optimizer=lambda p: optim.SGD(p, lr=0.1), epochs=1, batch_size=16, progress=False)
    a, b = run.histories
    assert a.train_loss[0] == b.train_loss[0]  # same start...
    assert a.step_loss[1] != b.step_loss[1]  # ...but other minibatches
    inits = seeds.Stacked([make(0), make(1)])
    assert not torch.equal(inits.stacked[0][0], inits.stacked[0][1])


def test_stacked_forward_equals_each_member_and_members_round_trip():
    nets = [make(s) for s in range(3)]
    stacked = seeds.Stacked(nets)
    x = torch.randn(5, 64, dtype=torch.float64)
    out = stacked(x, shared=True)
    assert out.shape == (3, 5, 10)
    per_member = stacked(x.expand(3, 5, 64))
    for i, net in enumerate(nets):
        torch.testing.assert_close(out[i], net(x))
        torch.testing.assert_close(per_member[i], net(x))
        torch.testing.assert_close(stacked.members()[i](x), net(x))


def test_dropout_members_draw_different_masks():
    def make_dropout(seed: int) -> nn.Module:
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5))

    stacked = seeds.Stacked([make_dropout(s) for s in range(2)])
    out = stacked(torch.ones(4, 8), shared=True)
    assert not torch.equal(out[0] == 0, out[1] == 0)
    stacked.eval()
    out = stacked(torch.ones(4, 8), shared=True)
    torch.testing.assert_close(out[0], out[1])


def test_divergence_names_the_seed(digits64):
    train_set, _ = digits64
    with pytest.raises(train.DivergenceError, match=r"seed\(s\) \[0, 1\]"):
        seeds.fit_seeds(make, train_set, seeds=[0, 1], loss_fn=_huge_loss,
                        optimizer=lambda p: optim.SGD(p, lr=1.0), epochs=2, progress=False)


def _huge_loss(outputs: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (outputs * math.inf).mean()


def test_spread_statistics_match_numpy():
    values = np.array([0.9, 0.8, 0.85, 0.95, 0.7])
    s = seeds.Spread(values, (0, 1, 2, 3, 4))
    assert s.mean == pytest.approx(values.mean())
    assert s.std == pytest.approx(values.std(ddof=1))
    assert (s.min, s.max, len(s)) == (0.7, 0.95, 5)
    assert "5 seeds" in str(s)
    assert seeds.Spread(np.array([1.0]), (3,)).std == 0.0


def test_over_seeds_collects_numbers_and_dicts():
    s = seeds.over_seeds(lambda seed: seed * 2.0, seeds=range(4), progress=False)
    np.testing.assert_array_equal(s.values, [0, 2, 4, 6])
    d = seeds.over_seeds(lambda seed: {"a": seed, "b": -seed}, seeds=[1, 2], progress=False)
    np.testing.assert_array_equal(d["b"].values, [-1, -2])
    assert d["a"].seeds == (1, 2)
    assert seeds.over_seeds(float, seeds=np.arange(2), progress=False).seeds == (0, 1)


@pytest.mark.parametrize(
    "bad, message",
    [([], "at least one seed"), ([1, 1], "distinct"), ([-1], "Invalid seed: -1"), ([0.5], "Invalid seed: 0.5")],
)
def test_invalid_seeds_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        seeds.over_seeds(float, seeds=bad, progress=False)


def test_over_seeds_refuses_mixed_results():
    with pytest.raises(ValueError, match="same keys"):
        seeds.over_seeds(lambda s: {"a": 1} if s else {"b": 1}, seeds=[0, 1], progress=False)
    with pytest.raises(ValueError, match="dict for some"):
        seeds.over_seeds(lambda s: {"a": 1} if s else 1.0, seeds=[0, 1], progress=False)


def test_stacked_refuses_different_architectures():
    with pytest.raises(ValueError, match="same parameter names and shapes"):
        seeds.Stacked([models.mlp(8), models.mlp(9)])


def test_seed_band_draws_every_seed_the_mean_and_the_band():
    import matplotlib

    matplotlib.use("Agg")
    from regopt import plots

    curves = np.array([[3.0, 2.0, 1.0], [4.0, 2.5, 1.5]])
    ax = plots.seed_band(curves, label="SGD", xlabel="epoch", ylabel="loss")
    assert len(ax.lines) == 3  # two seeds and the mean
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), curves.mean(axis=0))
    assert ax.get_legend_handles_labels()[1] == ["SGD (mean of 2 seeds)"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    with pytest.raises(ValueError, match="Invalid x"):
        plots.seed_band(curves, x=[0, 1])
    ax = plots.seed_dots({"a": [1.0, 2.0], "b": seeds.Spread(np.array([3.0, 5.0]), (0, 1))}, ylabel="accuracy")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    np.testing.assert_allclose(ax.lines[3].get_ydata(), [4.0, 4.0])


def test_a_loss_that_is_not_a_mean_over_examples_trains_each_member_as_fit_does(digits64):
    train_set, _ = digits64

    def summed(outputs, y):
        return F.cross_entropy(outputs, y, reduction="sum")

    run = seeds.fit_seeds(make, train_set, seeds=[0, 1], loss_fn=summed, optimizer=lambda p: optim.SGD(p, lr=1e-3),
                          epochs=2, batch_size=32, progress=False)
    alone = make(1)
    history = train.fit(alone, train_set, loss_fn=summed, optimizer=optim.SGD(alone.parameters(), lr=1e-3),
                        epochs=2, batch_size=32, seed=1, progress=False)
    np.testing.assert_allclose(run.histories[1].step_loss, history.step_loss, rtol=1e-9)


def test_a_loss_that_vmap_cannot_batch_is_called_member_by_member(digits64):
    train_set, _ = digits64
    calls = []

    def counted(outputs, y):
        calls.append(1)
        outputs.detach().sum().item()  # not allowed under vmap: forces the loop
        return F.cross_entropy(outputs, y)

    run = seeds.fit_seeds(make, train_set, seeds=[0, 1, 2], loss_fn=counted, optimizer=lambda p: optim.SGD(p, lr=0.01),
                          epochs=1, batch_size=len(train_set[0]), progress=False)
    assert len(run.histories[2].step_loss) == 1 and len(calls) >= 3


def test_dropconnect_members_run_their_own_forward():
    # DropConnect subclasses nn.Linear; a plain batched product would skip its
    # mask in training and its (1 - p) W in evaluation.
    def make_dropconnect(seed: int) -> nn.Module:
        torch.manual_seed(seed)
        return nn.Sequential(DropConnect(8, 8, p=0.5))

    stacked = seeds.Stacked([make_dropconnect(s) for s in range(2)])
    members = stacked.members()
    x = torch.ones(4, 8)
    stacked.eval()
    with torch.no_grad():
        out = stacked(x, shared=True)
        for i, net in enumerate(members):
            torch.testing.assert_close(out[i], net.eval()(x))
    stacked.train()
    with torch.no_grad():
        out = stacked(x, shared=True)
        full = torch.stack([net[0].weight.sum(dim=1) + net[0].bias
                            for net in members])  # (2, 8): no weight dropped
    assert not torch.allclose(out, full.unsqueeze(1).expand_as(out))
    # one mask per member and minibatch: every row of a member is the same
    torch.testing.assert_close(out, out[:, :1].expand_as(out))


def test_a_per_step_scheduler_steps_every_member_as_fit_does(digits64):
    train_set, val_set = digits64
    schedule = lambda o: optim.ExponentialDecay(o, gamma=0.9)  # noqa: E731: per minibatch, 7 per epoch here
    sgd = lambda p: optim.SGD(p, lr=0.5)  # noqa: E731
    run = seeds.fit_seeds(make, train_set, seeds=[0, 2], loss_fn=F.cross_entropy, optimizer=sgd, epochs=3,
                          batch_size=32, val=val_set, scheduler=schedule, scheduler_interval="step",
                          progress=False, device="cpu")
    per_epoch = seeds.fit_seeds(make, train_set, seeds=[0, 2], loss_fn=F.cross_entropy, optimizer=sgd, epochs=3,
                                batch_size=32, scheduler=schedule, progress=False, device="cpu")
    for i, s in enumerate([0, 2]):
        model = make(s)
        opt = sgd(list(model.parameters()))
        ref = train.fit(model, train_set, loss_fn=F.cross_entropy, optimizer=opt, epochs=3, batch_size=32,
                        val=val_set, scheduler=schedule(opt), scheduler_interval="step", seed=s, progress=False,
                        device="cpu")
        for field in ("train_loss", "val_loss", "step_loss", "lr"):
            np.testing.assert_allclose(getattr(run.histories[i], field), getattr(ref, field), rtol=1e-9,
                                       atol=1e-10, err_msg=f"{field} of seed {s}")
    np.testing.assert_allclose(run.histories[0].lr, [0.5, 0.5 * 0.9**7, 0.5 * 0.9**14])
    np.testing.assert_allclose(per_epoch.histories[0].lr, [0.5, 0.45, 0.405])  # the default: once per epoch
    with pytest.raises(ValueError, match="Invalid scheduler_interval: 'batch'"):
        seeds.fit_seeds(make, train_set, seeds=[0], loss_fn=F.cross_entropy, optimizer=sgd, epochs=1,
                        scheduler=schedule, scheduler_interval="batch", progress=False)
