"""The book's one training loop: ``fit``.

Every chapter trains through this function, so a reader learns one loop and
then sees only what changes: the optimizer, the schedule, the penalty, the
callbacks. The loop is the recipe of chapter 1: forward, loss,
backpropagate, update, iterate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from ._checks import check_positive_int, check_same_length
from .reproducibility import default_device, device_of

__all__ = [
    "History", "Callback", "DivergenceError", "accuracy",
    "check_fit_arguments", "evaluate", "fit", "predict",
]

Pair = tuple[torch.Tensor, torch.Tensor]
Penalty = Callable[[nn.Module], torch.Tensor]


class DivergenceError(FloatingPointError):
    """The loss became NaN or infinite during training."""


@dataclass
class History:
    """What ``fit`` measured. Entry ``k`` of an epoch list is the value
    after ``k`` epochs (entry 0 is the untrained model). ``step_loss`` holds
    every minibatch loss (data loss plus penalty), and ``lr`` the first
    parameter group's learning rate used in each epoch. Accuracies are
    ``None`` for regression.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return max(len(self.train_loss) - 1, 0)


class Callback:
    """Hooks into ``fit``. Subclass and override what you need.

    ``on_epoch_end`` returns ``True`` to stop training (early stopping plugs
    in here).
    """

    def on_train_begin(self, model: nn.Module) -> None:
        pass

    def on_epoch_end(
        self, epoch: int, history: History, model: nn.Module
    ) -> bool | None:
        return None

    def on_train_end(self, model: nn.Module, history: History) -> None:
        pass


def _accuracy(outputs: torch.Tensor, y: torch.Tensor) -> float | None:
    if (
        outputs.dim() == 2
        and outputs.shape[1] > 1
        and not y.is_floating_point()
    ):
        return (outputs.argmax(dim=1) == y).float().mean().item()
    return None


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """``model(X)`` in eval mode, without gradients, on the model's device;
    the mode is restored.
    """
    was_training = model.training
    model.eval()
    outputs = model(X.to(device_of(model)))
    model.train(was_training)
    return outputs


def _outputs(
    model: nn.Module, data: Pair
) -> tuple[torch.Tensor, torch.Tensor]:
    """``predict(model, X)`` and ``y``, on the model's device."""
    outputs = predict(model, data[0])
    return outputs, data[1].to(outputs.device)


@torch.no_grad()
def evaluate(
    model: nn.Module, loss_fn: Callable, data: Pair
) -> tuple[float, float | None]:
    """Mean loss and accuracy (``None`` for regression) of ``model`` on
    ``data``, in eval mode.
    """
    outputs, y = _outputs(model, data)
    return loss_fn(outputs, y).item(), _accuracy(outputs, y)


def accuracy(model: nn.Module, data: Pair) -> float:
    """Fraction of ``data = (X, y)`` classified correctly, in eval mode:

        accuracy = 1/N sum_i [ argmax_k f(x_i)_k == y_i ]
    """
    acc = _accuracy(*_outputs(model, data))
    if acc is None:
        raise ValueError(
            "Invalid data: accuracy needs class scores of shape (N, K) and "
            "integer labels"
        )
    return acc


def _record(
    history: History,
    model: nn.Module,
    loss_fn: Callable,
    train: Pair,
    val: Pair | None,
) -> None:
    loss, acc = evaluate(model, loss_fn, train)
    history.train_loss.append(loss)
    history.train_acc.append(acc)
    if val is not None:
        loss, acc = evaluate(model, loss_fn, val)
        history.val_loss.append(loss)
        history.val_acc.append(acc)


def check_fit_arguments(
    train: Pair, val: Pair | None, epochs: int, batch_size: int | None
) -> int:
    """Check ``fit``'s data and sizes; return the batch size
    (the whole set for ``None``).
    """
    check_positive_int("epochs", epochs)
    check_same_length("X", train[0], "y", train[1])
    if val is not None:
        check_same_length("val X", val[0], "val y", val[1])
    batch_size = len(train[0]) if batch_size is None else batch_size
    check_positive_int("batch_size", batch_size)
    return batch_size


def fit(
    model: nn.Module,
    train: Pair,
    *,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int,
    batch_size: int | None = None,
    val: Pair | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    scheduler_interval: str = "epoch",
    penalty: Penalty | None = None,
    callbacks: Sequence[Callback] = (),
    seed: int = 0,
    progress: bool = True,
    device: torch.device | str | None = None,
) -> History:
    """Train ``model`` on ``train = (X, y)`` with minibatch gradient steps.

    For every minibatch B (``batch_size=None`` means the whole set: batch
    gradient descent):

        J_B(theta) = 1/|B| sum_{i in B} L(f(x_i; theta), y_i) + Omega(theta)
        g = grad_theta J_B(theta)
        theta <- optimizer.step(theta, g)

    where ``Omega`` is ``penalty(model)`` (zero if none). The minibatches
    are a fresh permutation each epoch, drawn from a generator seeded with
    ``seed``. ``scheduler`` steps once per epoch
    (``scheduler_interval="epoch"``) or once per minibatch (``"step"``).
    After each epoch the data loss (without penalty) and accuracy are
    measured on the full training and validation sets; callbacks then may
    stop training.

    Raises ``DivergenceError`` naming the epoch and step as soon as a loss
    is NaN or infinite. Runs on ``device`` (default: CUDA when present, else
    CPU).
    """
    X, y = train
    batch_size = check_fit_arguments(train, val, epochs, batch_size)
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(
            f"Invalid scheduler_interval: {scheduler_interval!r} (expected "
            "'epoch' or 'step')"
        )

    device = (
        torch.device(device) if device is not None else default_device()
    )
    model.to(device)
    X, y = X.to(device), y.to(device)
    generator = torch.Generator().manual_seed(seed)
    history = History()
    for callback in callbacks:
        callback.on_train_begin(model)
    _record(history, model, loss_fn, (X, y), val)

    steps_per_epoch = math.ceil(len(X) / batch_size)
    bar = tqdm(
        range(1, epochs + 1), desc="epochs", disable=not progress,
        leave=False,
    )
    for epoch in bar:
        model.train()
        history.lr.append(optimizer.param_groups[0]["lr"])
        order = torch.randperm(len(X), generator=generator).to(device)
        for step in range(steps_per_epoch):
            batch = order[step * batch_size : (step + 1) * batch_size]
            loss = loss_fn(model(X[batch]), y[batch])  # forward and loss
            if penalty is not None:
                loss = loss + penalty(model)
            if not torch.isfinite(loss):
                raise DivergenceError(
                    f"Training diverged: the loss became {loss.item()} at "
                    f"epoch {epoch}, step {step + 1} of {steps_per_epoch}. "
                    "Try a smaller learning rate."
                )
            optimizer.zero_grad()
            loss.backward()  # backpropagate
            optimizer.step()  # update
            history.step_loss.append(loss.item())
            if scheduler is not None and scheduler_interval == "step":
                scheduler.step()
        if scheduler is not None and scheduler_interval == "epoch":
            scheduler.step()
        _record(history, model, loss_fn, (X, y), val)
        if not math.isfinite(history.train_loss[-1]):
            raise DivergenceError(
                f"Training diverged: the training loss after epoch {epoch} "
                f"is {history.train_loss[-1]}. Try a smaller learning rate."
            )
        bar.set_postfix(train_loss=f"{history.train_loss[-1]:.4f}")
        stop = [
            callback.on_epoch_end(epoch, history, model)
            for callback in callbacks
        ]
        if any(stop):
            break
    bar.close()
    for callback in callbacks:
        callback.on_train_end(model, history)
    return history
