"""Early stopping (chapter 15): a callback for ``fit``, its two
meta-algorithms, and its equivalence to an L2 penalty on a quadratic.

The callback follows Goodfellow et al. (2016), algorithm 7.1: keep the
parameters with the lowest validation error seen so far, stop after
``patience`` epochs without improvement, and return the kept parameters
rather than the last ones.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import NamedTuple

import torch
from torch import nn

from ._checks import check_choice, check_positive, check_positive_int
from .train import Callback, History, evaluate, fit

__all__ = [
    "EarlyStopping",
    "Retrained",
    "retrain_on_all_data",
    "continue_to_train_loss",
    "gd_shrinkage",
    "ridge_shrinkage",
    "equivalent_alpha",
]

Pair = tuple[torch.Tensor, torch.Tensor]
MakeOptimizer = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]


class EarlyStopping(Callback):
    """Stop ``fit`` when the validation error has not improved for
    ``patience`` epochs.

    After epoch i with validation error v_i (``monitor="val_loss"``, or the
    error rate 1 - accuracy for ``monitor="val_acc"``):

        if v_i < v* - min_delta:  v* <- v_i,  i* <- i,  theta* <- theta,
                                  wait <- 0
        else:                     wait <- wait + 1;
                                  stop if wait >= patience

    with v* = infinity at the start, so epoch 1 always improves. At the end
    of training the model gets theta* back (``restore_best=True``).
    Afterwards ``best_epoch`` is i*, ``best_value`` is v*, and
    ``stopped_epoch`` the epoch at which it stopped training (``None`` if
    ``fit`` ran out of epochs first).
    """

    def __init__(
        self,
        *,
        patience: int = 10,
        min_delta: float = 0.0,
        monitor: str = "val_loss",
        restore_best: bool = True,
    ) -> None:
        check_positive_int("patience", patience)
        check_positive("min_delta", min_delta, allow_zero=True)
        check_choice("monitor", monitor, ("val_loss", "val_acc"))
        self.patience, self.min_delta, self.monitor, self.restore_best = (
            patience, min_delta, monitor, restore_best
        )

    def on_train_begin(self, model: nn.Module) -> None:
        self.best_value, self.best_epoch, self.wait, self.stopped_epoch = (
            float("inf"), 0, 0, None
        )
        self.best_state = copy.deepcopy(model.state_dict())

    def on_epoch_end(
        self, epoch: int, history: History, model: nn.Module
    ) -> bool:
        if not history.val_loss:
            raise ValueError(
                "EarlyStopping needs a validation set: pass val=(X_val, "
                "y_val) to fit"
            )
        if self.monitor == "val_acc" and history.val_acc[-1] is None:
            raise ValueError(
                "EarlyStopping(monitor='val_acc') needs a classification "
                "task; use monitor='val_loss'"
            )
        value = (
            history.val_loss[-1]
            if self.monitor == "val_loss"
            else 1.0 - history.val_acc[-1]
        )
        if value < self.best_value - self.min_delta:
            self.best_value, self.best_epoch, self.wait = value, epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: nn.Module, history: History) -> None:
        if self.restore_best:
            model.load_state_dict(self.best_state)


class Retrained(NamedTuple):
    """What a meta-algorithm returns: the final model, the best epoch i* of
    the first run, and the histories of the first (early-stopped) and the
    second run.
    """

    model: nn.Module
    best_epoch: int
    first: History
    second: History


def _early_stopped_run(
    make_model,
    make_optimizer,
    subtrain,
    valid,
    *,
    patience,
    max_epochs,
    **fit_kwargs,
):
    model = make_model()
    stopper = EarlyStopping(patience=patience)
    history = fit(
        model, subtrain, optimizer=make_optimizer(model.parameters()),
        epochs=max_epochs, val=valid, callbacks=[stopper], **fit_kwargs,
    )
    return model, stopper.best_epoch, history


def _concat(a: Pair, b: Pair) -> Pair:
    return torch.cat([a[0], b[0]]), torch.cat([a[1], b[1]])


def retrain_on_all_data(
    make_model: Callable[[], nn.Module],
    make_optimizer: MakeOptimizer,
    subtrain: Pair,
    valid: Pair,
    *,
    patience: int = 10,
    max_epochs: int = 1000,
    **fit_kwargs,
) -> Retrained:
    """Early stopping finds how long to train; then train again, on all the
    data, that long.

    Goodfellow et al. (2016), algorithm 7.2:

        1. run early stopping from a fresh model on ``subtrain``,
           validating on ``valid``: i*
        2. fresh model again (``make_model()``; give it a seed so both
           starts are equal)
        3. train on subtrain + valid for i* epochs

    Note: i* counts epochs (passes over the data), not parameter updates;
    with minibatches the second run, on more data, takes more updates per
    epoch. The book's choice; the other is as defensible. ``fit_kwargs``
    (``loss_fn``, ``batch_size``, ...) go to both runs.
    """
    _, best_epoch, first = _early_stopped_run(
        make_model, make_optimizer, subtrain, valid, patience=patience,
        max_epochs=max_epochs, **fit_kwargs,
    )
    model = make_model()
    second = fit(
        model, _concat(subtrain, valid),
        optimizer=make_optimizer(model.parameters()), epochs=best_epoch,
        **fit_kwargs,
    )
    return Retrained(model, best_epoch, first, second)


class _StopAtValLoss(Callback):
    """Stops ``fit`` once the loss on the validation part falls
    to ``target``.
    """

    def __init__(self, target: float) -> None:
        self.target = target

    def on_epoch_end(
        self, epoch: int, history: History, model: nn.Module
    ) -> bool:
        return history.val_loss[-1] <= self.target


def _untrained(
    model: nn.Module, loss_fn: Callable, train: Pair, val: Pair
) -> History:
    """The History of a run of zero epochs: the model as it is."""
    history = History()
    for split, data in (("train", train), ("val", val)):
        loss, acc = evaluate(model, loss_fn, data)
        getattr(history, f"{split}_loss").append(loss)
        getattr(history, f"{split}_acc").append(acc)
    return history


def continue_to_train_loss(
    make_model: Callable[[], nn.Module],
    make_optimizer: MakeOptimizer,
    subtrain: Pair,
    valid: Pair,
    *,
    patience: int = 10,
    max_epochs: int = 1000,
    **fit_kwargs,
) -> Retrained:
    """Early stopping finds the training loss at which overfitting starts;
    keep the parameters and train on all the data until that loss is
    reached again.

    Goodfellow et al. (2016), algorithm 7.3:

        1. run early stopping on ``subtrain``, validating on ``valid``;
           keep theta*
        2. eps <- J(theta*; subtrain), the training loss at the best epoch
        3. from theta*, while J(theta; valid) > eps:
               train on subtrain + valid for n steps

    Here n steps are one epoch over subtrain + valid: the loss on the
    ``valid`` examples (now training examples too) is measured after every
    epoch, and before the first, so a model already at eps trains no
    further (``second.epochs == 0``). The target may never be reached, so
    the second run stops after ``max_epochs`` regardless; then
    ``second.val_loss[-1] > eps`` tells you so. ``best_epoch`` is i* of the
    first run.
    """
    model, best_epoch, first = _early_stopped_run(
        make_model, make_optimizer, subtrain, valid, patience=patience,
        max_epochs=max_epochs, **fit_kwargs,
    )
    eps = first.train_loss[best_epoch]
    everything = _concat(subtrain, valid)
    if first.val_loss[best_epoch] <= eps:  # the while loop's first test
        second = _untrained(model, fit_kwargs["loss_fn"], everything, valid)
        return Retrained(model, best_epoch, first, second)
    second = fit(
        model, everything,
        optimizer=make_optimizer(model.parameters()), epochs=max_epochs,
        val=valid, callbacks=[_StopAtValLoss(eps)], **fit_kwargs,
    )
    return Retrained(model, best_epoch, first, second)


def gd_shrinkage(
    eigenvalues: torch.Tensor, *, lr: float, steps: int
) -> torch.Tensor:
    """Fraction of w* that gradient descent from w = 0 has reached along
    each eigen-direction of the Hessian H of a quadratic
    J(w) = 1/2 (w - w*)^T H (w - w*), after ``steps`` steps:

        w_tau = Q [I - (I - lr Lambda)^tau] Q^T w*,
        so the factor is 1 - (1 - lr lambda_i)^tau
    """
    check_positive("lr", lr)
    check_positive_int("steps", steps)
    return 1 - (1 - lr * eigenvalues) ** steps


def ridge_shrinkage(
    eigenvalues: torch.Tensor, *, alpha: float
) -> torch.Tensor:
    """The same fraction for the minimum of J(w) + alpha/2 ||w||^2:

        w_ridge = Q (Lambda + alpha I)^{-1} Lambda Q^T w*,
        so the factor is lambda_i / (lambda_i + alpha)
    """
    check_positive("alpha", alpha, allow_zero=True)
    return eigenvalues / (eigenvalues + alpha)


def equivalent_alpha(*, lr: float, steps: int) -> float:
    """The L2 strength that ``steps`` steps of gradient descent with rate
    ``lr`` imitate: alpha ~ 1 / (tau * lr) (Goodfellow et al. 2016, section
    7.8): if lr * lambda_i << 1 and lambda_i / alpha << 1, both factors are
    about tau * lr * lambda_i; if lambda_i >> alpha both are near 1.
    """
    check_positive("lr", lr)
    check_positive_int("steps", steps)
    return 1.0 / (steps * lr)
