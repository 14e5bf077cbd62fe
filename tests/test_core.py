"""Reference checks of the package core: seeding, data, the training loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import regopt
from regopt import data, train


def test_seed_everything_makes_runs_identical():
    regopt.seed_everything(3)
    a = (torch.randn(5), np.random.rand(3))
    regopt.seed_everything(3)
    b = (torch.randn(5), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="Invalid seed"):
        regopt.seed_everything(seed)


def test_digits_split_is_fixed_disjoint_and_standardized_on_train():
    split = data.digits()
    X_train, y_train = split.train
    assert X_train.shape == (1079, 64) and len(split.val[0]) == 359 and len(split.test[0]) == 359
    assert y_train.dtype == torch.long and set(y_train.tolist()) == set(range(10))
    assert torch.allclose(X_train.mean(0), torch.zeros(64), atol=1e-5)
    nonconstant = X_train.std(0, unbiased=False) > 0
    assert torch.allclose(X_train.std(0, unbiased=False)[nonconstant], torch.ones(int(nonconstant.sum())), atol=1e-4)
    rows = {tuple(r.tolist()) for r in X_train}
    assert not rows & {tuple(r.tolist()) for r in split.test[0]}
    assert torch.equal(data.digits().val[0], split.val[0])  # same split every time


def test_digits_class_subset_keeps_original_labels():
    split = data.digits(classes=(5, 6, 7, 8, 9))
    assert set(split.train[1].tolist()) == {5, 6, 7, 8, 9}


@pytest.mark.parametrize(
    "kwargs, message",
    [({"val_fraction": -0.1}, "val_fraction"), ({"val_fraction": 0.5, "test_fraction": 0.5}, "fractions"),
     ({"classes": (3, 11)}, "classes")],
)
def test_digits_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.digits(**kwargs)


def test_noisy_regression_without_noise_is_the_linear_function():
    X, y = data.noisy_regression(20, n_features=3, noise=0.0, dtype=torch.float64)
    assert torch.allclose(y, X @ torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64))
    with pytest.raises(ValueError, match="Invalid n"):
        data.noisy_regression(0)
    with pytest.raises(ValueError, match="Unknown func"):
        data.noisy_regression(5, func="cubic")


def test_separable_classes_respect_the_margin():
    X, y = data.separable_classes(200, margin=0.5)
    assert X.shape == (200, 2) and (X[:, 0].abs() >= 0.5).all()
    assert torch.equal(y, (X[:, 0] > 0).long())
    Xm, ym = data.two_moons(50)
    assert Xm.shape == (50, 2) and set(ym.tolist()) == {0, 1}


def _mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()


def _toy() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(40, 4, generator=g, dtype=torch.float64), torch.randint(0, 3, (40,), generator=g)


def test_fit_matches_a_hand_written_minibatch_loop():
    X, y = _toy()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = train.fit(model, (X, y), loss_fn=nn.functional.cross_entropy, optimizer=opt, epochs=3,
                        batch_size=16, seed=7, progress=False, device="cpu")

    reference = _mlp()
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    g = torch.Generator().manual_seed(7)
    for _ in range(3):
        order = torch.randperm(40, generator=g)
        for start in range(0, 40, 16):
            batch = order[start : start + 16]
            ref_opt.zero_grad()
            nn.functional.cross_entropy(reference(X[batch]), y[batch]).backward()
            ref_opt.step()
    for p, q in zip(model.parameters(), reference.parameters()):
        assert torch.allclose(p, q, rtol=0, atol=1e-12)
    assert len(history.train_loss) == 4 and len(history.step_loss) == 9
    with torch.no_grad():
        assert math.isclose(history.train_loss[-1], nn.functional.cross_entropy(reference(X), y).item(), rel_tol=1e-12)


def test_fit_records_accuracy_validation_and_learning_rate():
    X, y = _toy()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    h = train.fit(model, (X, y), val=(X[:10], y[:10]), loss_fn=nn.functional.cross_entropy, optimizer=opt,
                  epochs=5, scheduler=sched, progress=False)
    assert h.lr == [0.5, 0.5, 0.25, 0.25, 0.125]
    assert len(h.val_loss) == len(h.val_acc) == 6 and h.epochs == 5
    assert all(0 <= a <= 1 for a in h.train_acc)
    assert h.train_loss[-1] < h.train_loss[0]


def test_fit_penalty_is_added_to_the_minibatch_loss():
    X, y = _toy()
    model = _mlp()
    h = train.fit(model, (X, y), loss_fn=nn.functional.cross_entropy, epochs=1, progress=False,
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.0 + 1e-12), penalty=lambda m: torch.tensor(5.0))
    assert math.isclose(h.step_loss[0], h.train_loss[0] + 5.0, rel_tol=1e-9)


def test_accuracy_counts_argmax_hits_in_eval_mode():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.9))  # dropout would scramble the scores in train mode
    X = torch.randn(50, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = model[0](X).argmax(dim=1)
    y[:10] = (y[:10] + 1) % 4  # ten labels made wrong
    assert train.accuracy(model, (X, y)) == pytest.approx(0.8)
    assert model.training  # the mode is restored
    with pytest.raises(ValueError, match="Invalid data"):
        train.accuracy(nn.Linear(3, 1), (X, torch.randn(50, 1)))


def test_fit_regression_has_no_accuracy():
    X, y = data.noisy_regression(30, dtype=torch.float64)
    model = nn.Linear(1, 1).double()
    h = train.fit(model, (X, y[:, None]), loss_fn=nn.functional.mse_loss, epochs=2, progress=False,
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert h.train_acc == [None, None, None]


def test_fit_stops_with_a_clear_error_on_nan():
    X, y = _toy()
    model = _mlp()
    with pytest.raises(train.DivergenceError, match=r"epoch 1, step 1 of 3"):
        train.fit(model, (X * float("nan"), y), loss_fn=nn.functional.cross_entropy, epochs=2, batch_size=16,
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1), progress=False)


def test_fit_stops_when_a_huge_learning_rate_diverges():
    X, y = data.noisy_regression(50, dtype=torch.float64)
    model = nn.Linear(1, 1).double()
    with pytest.raises(train.DivergenceError, match="Training diverged"):
        train.fit(model, (X * 1e3, y[:, None]), loss_fn=nn.functional.mse_loss, epochs=200, progress=False,
                  optimizer=torch.optim.SGD(model.parameters(), lr=10.0))


def test_callbacks_can_stop_training():
    class StopAfterTwo(train.Callback):
        def __init__(self):
            self.ended = False

        def on_epoch_end(self, epoch, history, model):
            return epoch >= 2

        def on_train_end(self, model, history):
            self.ended = True

    X, y = _toy()
    model = _mlp()
    cb = StopAfterTwo()
    h = train.fit(model, (X, y), loss_fn=nn.functional.cross_entropy, epochs=10, callbacks=[cb], progress=False,
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    assert h.epochs == 2 and cb.ended


@pytest.mark.parametrize(
    "kwargs, message",
    [({"epochs": 0}, "Invalid epochs"), ({"batch_size": 0}, "Invalid batch_size"),
     ({"scheduler_interval": "hour"}, "scheduler_interval")],
)
def test_fit_rejects_bad_arguments(kwargs, message):
    X, y = _toy()
    model = _mlp()
    args = dict(loss_fn=nn.functional.cross_entropy, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                epochs=1, progress=False)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        train.fit(model, (X, y), **args)
    with pytest.raises(ValueError, match="same number of rows"):
        train.fit(model, (X, y[:5]), **{**args, "epochs": 1})
