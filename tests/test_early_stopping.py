"""Checks of regopt.early_stopping: the callback on scripted validation losses, the two
meta-algorithms, and the shrinkage factors of gradient descent and ridge on a quadratic."""

from __future__ import annotations

import pytest
import torch
from sklearn.linear_model import Ridge
from torch import nn

from regopt.early_stopping import (
    EarlyStopping,
    continue_to_train_loss,
    equivalent_alpha,
    gd_shrinkage,
    retrain_on_all_data,
    ridge_shrinkage,
)
from regopt.models import mlp
from regopt.train import Callback, History, evaluate, fit


class _Scripted(Callback):
    """Overwrites the measured validation loss with a script, and stamps the epoch into the
    model's weights, so the restored parameters say which epoch they came from."""

    def __init__(self, losses):
        self.losses = losses

    def on_epoch_end(self, epoch, history, model):
        history.val_loss[-1] = self.losses[epoch - 1]
        with torch.no_grad():
            model.weight.fill_(float(epoch))


def _run(losses, **kwargs):
    model = nn.Linear(2, 1)
    X, y = torch.randn(8, 2), torch.randn(8, 1)
    stopper = EarlyStopping(**kwargs)
    history = fit(model, (X, y), loss_fn=nn.functional.mse_loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.0),
                  epochs=len(losses), val=(X, y), callbacks=[_Scripted(losses), stopper], progress=False)
    return stopper, history, model


def test_stops_after_patience_epochs_without_improvement_and_restores_the_best_epoch():
    stopper, history, model = _run([5, 4, 3, 3.5, 3.2, 3.1, 2.0, 9], patience=3)
    assert stopper.best_epoch == 3 and stopper.best_value == 3
    assert stopper.stopped_epoch == 6 and history.epochs == 6
    assert torch.all(model.weight == 3.0)  # exactly epoch 3's parameters


def test_improvement_resets_the_patience_counter():
    stopper, history, model = _run([5, 4, 4.5, 3, 3.5, 3.6, 3.7, 1], patience=3)
    assert stopper.best_epoch == 4 and stopper.stopped_epoch == 7 and torch.all(model.weight == 4.0)


def test_min_delta_counts_only_improvements_larger_than_it():
    losses = [1.0, 0.95, 0.9, 0.85, 0.8, 0.5]
    stopper, _, model = _run(losses, patience=2, min_delta=0.1)
    # 0.95 and 0.9 are within 0.1 of 1.0: no improvement, stop at epoch 3 with epoch 1 kept
    assert (stopper.best_epoch, stopper.stopped_epoch) == (1, 3) and torch.all(model.weight == 1.0)
    stopper, _, _ = _run(losses, patience=2, min_delta=0.0)
    assert stopper.best_epoch == 6 and stopper.stopped_epoch is None
    # an equal loss is not an improvement, even with min_delta = 0
    stopper, _, _ = _run([2.0, 2.0, 2.0], patience=2)
    assert (stopper.best_epoch, stopper.stopped_epoch) == (1, 3)


def test_restores_the_best_parameters_when_epochs_run_out_and_keeps_the_last_if_asked():
    stopper, _, model = _run([3, 1, 2, 2.5], patience=10)
    assert stopper.stopped_epoch is None and torch.all(model.weight == 2.0)
    _, _, model = _run([3, 1, 2, 2.5], patience=10, restore_best=False)
    assert torch.all(model.weight == 4.0)


def test_the_restored_state_is_a_copy_not_a_reference():
    model = nn.Linear(2, 1)
    stopper = EarlyStopping(patience=1)
    stopper.on_train_begin(model)
    history = History(val_loss=[1.0, 0.5])
    stopper.on_epoch_end(1, history, model)
    kept = model.weight.detach().clone()
    with torch.no_grad():
        model.weight.add_(1.0)
    stopper.on_train_end(model, history)
    assert torch.equal(model.weight, kept)


def test_monitor_val_acc_keeps_the_most_accurate_epoch():
    stopper = EarlyStopping(patience=2, monitor="val_acc")
    model = nn.Linear(2, 1)
    stopper.on_train_begin(model)
    history = History()
    stops = []
    for epoch, acc in enumerate([0.5, 0.8, 0.7, 0.75], start=1):
        history.val_loss.append(0.0)
        history.val_acc.append(acc)
        stops.append(stopper.on_epoch_end(epoch, history, model))
    assert stopper.best_epoch == 2 and stops == [False, False, False, True]
    assert stopper.best_value == pytest.approx(0.2)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="Invalid patience: 0"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="Invalid patience"):
        EarlyStopping(patience=2.5)
    with pytest.raises(ValueError, match="Invalid min_delta: -0.1"):
        EarlyStopping(min_delta=-0.1)
    with pytest.raises(ValueError, match="Unknown monitor"):
        EarlyStopping(monitor="train_loss")
    model = nn.Linear(2, 1)
    X, y = torch.randn(4, 2), torch.randn(4, 1)
    with pytest.raises(ValueError, match="needs a validation set"):
        fit(model, (X, y), loss_fn=nn.functional.mse_loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=2, callbacks=[EarlyStopping()], progress=False)
    with pytest.raises(ValueError, match="needs a classification task"):
        fit(model, (X, y), loss_fn=nn.functional.mse_loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=2, val=(X, y), callbacks=[EarlyStopping(monitor="val_acc")], progress=False)
    with pytest.raises(ValueError, match="Invalid lr"):
        gd_shrinkage(torch.ones(2), lr=0.0, steps=3)
    with pytest.raises(ValueError, match="Invalid steps"):
        equivalent_alpha(lr=0.1, steps=0)
    with pytest.raises(ValueError, match="Invalid alpha"):
        ridge_shrinkage(torch.ones(2), alpha=-1.0)


# ---- the meta-algorithms on a small overfitting problem --------------------------------------

def _problem():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(60, 10, generator=g)
    y = (X[:, 0] + 0.3 * torch.randn(60, generator=g) > 0).long()
    y[:8] = 1 - y[:8]  # label noise to overfit
    return (X[:40], y[:40]), (X[40:], y[40:])


def _kwargs():
    return dict(make_model=lambda: mlp(64, n_in=10, n_out=2, seed=1),
                make_optimizer=lambda ps: torch.optim.Adam(ps, lr=0.01),
                loss_fn=nn.functional.cross_entropy, progress=False)


def test_retrain_on_all_data_trains_a_fresh_model_for_the_best_number_of_epochs():
    subtrain, valid = _problem()
    out = retrain_on_all_data(subtrain=subtrain, valid=valid, patience=5, max_epochs=300, **_kwargs())
    i_star = min(range(1, len(out.first.val_loss)), key=lambda i: out.first.val_loss[i])
    assert out.best_epoch == i_star and out.first.epochs == i_star + 5  # stopped by patience
    assert out.second.epochs == i_star
    # the second run started from the same fresh model: its initial loss on subtrain+valid is the first run's
    # losses at epoch 0 weighted by set sizes
    weighted = (40 * out.first.train_loss[0] + 20 * out.first.val_loss[0]) / 60
    assert out.second.train_loss[0] == pytest.approx(weighted, rel=1e-5)


def test_continue_to_train_loss_stops_when_the_validation_part_reaches_the_earlier_training_loss():
    subtrain, valid = _problem()
    out = continue_to_train_loss(subtrain=subtrain, valid=valid, patience=5, max_epochs=300, **_kwargs())
    eps = out.first.train_loss[out.best_epoch]
    # it continued from the best parameters, not the last ones
    assert out.second.val_loss[0] == pytest.approx(out.first.val_loss[out.best_epoch], rel=1e-5)
    assert out.second.val_loss[-1] <= eps < min(out.second.val_loss[:-1]), (eps, out.second.val_loss)


def _noisy_valid_problem():
    """_problem with 6 of the 20 validation labels flipped too: their loss starts well above the training loss."""
    (X_sub, y_sub), (X_val, y_val) = _problem()
    y_val = y_val.clone()
    y_val[:6] = 1 - y_val[:6]
    return (X_sub, y_sub), (X_val, y_val)


def test_continue_to_train_loss_is_the_books_while_loop():
    # Goodfellow et al. (2016), algorithm 7.3, written out: early stopping, eps = J(theta*; subtrain), then
    # "while J(theta; valid) > eps: train on all the data for n steps" (n steps = one epoch). Full-batch SGD keeps
    # no state, so one fit of k epochs is k fits of one epoch.
    subtrain, valid = _noisy_valid_problem()
    make_model = lambda: mlp(64, n_in=10, n_out=2, seed=1)
    make_optimizer = lambda ps: torch.optim.SGD(ps, lr=0.1)
    ce = nn.functional.cross_entropy
    out = continue_to_train_loss(make_model, make_optimizer, subtrain, valid, patience=5, max_epochs=300, loss_fn=ce,
                                 progress=False)
    model, stopper = make_model(), EarlyStopping(patience=5)
    first = fit(model, subtrain, loss_fn=ce, optimizer=make_optimizer(model.parameters()), epochs=300, val=valid,
                callbacks=[stopper], progress=False)
    eps = first.train_loss[stopper.best_epoch]
    everything = (torch.cat([subtrain[0], valid[0]]), torch.cat([subtrain[1], valid[1]]))
    epochs = 0
    while evaluate(model, ce, valid)[0] > eps and epochs < 300:
        fit(model, everything, loss_fn=ce, optimizer=make_optimizer(model.parameters()), epochs=1, progress=False)
        epochs += 1
    assert epochs >= 3, epochs  # the second phase really runs
    assert out.best_epoch == stopper.best_epoch and out.second.epochs == epochs, (out.second.epochs, epochs)
    # the loss compared with eps is the validation part's, not all the data's
    assert out.second.train_loss[-1] != pytest.approx(out.second.val_loss[-1], rel=1e-3)
    for ours, book in zip(out.model.parameters(), model.parameters()):
        torch.testing.assert_close(ours, book)


def test_continue_to_train_loss_trains_no_further_if_the_target_is_already_met():
    # noisy training labels, clean validation labels: at theta* the validation loss is already below the training
    # loss, so the while loop of algorithm 7.3 never runs
    g = torch.Generator().manual_seed(0)
    X = torch.randn(60, 10, generator=g)
    y = (X[:, 0] > 0).long()
    y[:12] = 1 - y[:12]
    subtrain, valid = (X[:40], y[:40]), (X[40:], y[40:])
    out = continue_to_train_loss(subtrain=subtrain, valid=valid, patience=5, max_epochs=300, **_kwargs())
    eps, at_best = out.first.train_loss[out.best_epoch], out.first.val_loss[out.best_epoch]
    assert at_best < eps - 0.02, (at_best, eps)
    assert out.second.epochs == 0 and out.second.val_loss == pytest.approx([at_best], rel=1e-6)
    assert out.second.train_loss[0] == pytest.approx((40 * eps + 20 * at_best) / 60, rel=1e-5)
    assert out.second.val_acc[0] == out.first.val_acc[out.best_epoch]


# ---- early stopping vs L2 on a quadratic -------------------------------------------------------

def test_gd_shrinkage_is_the_exact_gradient_descent_iterate_in_the_eigenbasis():
    g = torch.Generator().manual_seed(0)
    A = torch.randn(6, 6, generator=g, dtype=torch.float64)
    H = A @ A.T / 6 + 0.05 * torch.eye(6, dtype=torch.float64)
    w_star = torch.randn(6, generator=g, dtype=torch.float64)
    lam, Q = torch.linalg.eigh(H)
    lr, tau = 0.9 / lam.max().item(), 25
    w = torch.zeros(6, dtype=torch.float64)
    for _ in range(tau):
        w = w - lr * H @ (w - w_star)  # gradient of 1/2 (w - w*)^T H (w - w*)
    torch.testing.assert_close(Q.T @ w, gd_shrinkage(lam, lr=lr, steps=tau) * (Q.T @ w_star), rtol=1e-12, atol=1e-12)


def test_ridge_shrinkage_matches_sklearn_ridge():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(50, 5, generator=g, dtype=torch.float64) * torch.tensor([3.0, 1.0, 0.5, 0.2, 0.1])
    y = X @ torch.randn(5, generator=g, dtype=torch.float64) + 0.1 * torch.randn(50, generator=g, dtype=torch.float64)
    # J(w) = 1/2 ||y - X w||^2 has H = X^T X; sklearn's Ridge minimises ||y - X w||^2 + a ||w||^2, i.e. a = alpha
    alpha = 2.0
    H = X.T @ X
    w_star = torch.linalg.solve(H, X.T @ y)
    lam, Q = torch.linalg.eigh(H)
    ours = Q @ (ridge_shrinkage(lam, alpha=alpha) * (Q.T @ w_star))
    ref = Ridge(alpha=alpha, fit_intercept=False).fit(X.numpy(), y.numpy()).coef_
    torch.testing.assert_close(ours, torch.as_tensor(ref), rtol=1e-9, atol=1e-9)


def test_equivalent_alpha_makes_both_factors_agree_at_the_extremes():
    lr, tau = 1e-3, 1000
    alpha = equivalent_alpha(lr=lr, steps=tau)
    assert alpha == pytest.approx(1.0)
    lam = torch.tensor([1e-3, 1e-2, 1e2, 5e2], dtype=torch.float64)
    gd, ridge = gd_shrinkage(lam, lr=lr, steps=tau), ridge_shrinkage(lam, alpha=alpha)
    torch.testing.assert_close(gd, ridge, rtol=0.02, atol=1e-4)
    # in between they differ: 1 - e^-x vs x / (1 + x) with x = lambda / alpha, at most 0.204 (near x = 2.5)
    lam = torch.logspace(-3, 3, 200, dtype=torch.float64)
    gap = (gd_shrinkage(lam, lr=lr, steps=tau) - ridge_shrinkage(lam, alpha=alpha)).abs().max()
    assert 0.19 < gap < 0.21, gap
