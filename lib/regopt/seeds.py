"""Experiments over several seeds: per-seed values, their mean and spread.

One run of a network is one draw: another initialization or another
minibatch order gives another curve. The book compares methods over seeds
and shows the spread:

- ``over_seeds(run, seeds)`` calls ``run(seed)`` for every seed and collects
  what it returns (a number, or a dict of numbers) as a ``Spread``;
- ``fit_seeds(make_model, train, seeds=...)`` trains k copies of one network
  at once. Their parameters are stacked along a leading seed axis
  (``torch.func.stack_module_state``) and one forward pass serves all copies
  (batched matrix products, or ``torch.func.vmap`` over
  ``torch.func.functional_call``), so k seeds of a small network cost far
  less than k separate runs.

Member ``s`` of ``fit_seeds`` starts from ``make_model(s)`` and draws its
minibatches from a generator seeded with ``s``, exactly as
``train.fit(make_model(s), ..., seed=s)`` does, and follows the same
trajectory up to rounding: the sum of the members' losses has, for each
member's parameters, that member's own gradient, and an elementwise
optimizer (SGD, momentum, AdaGrad, RMSProp, Adam, AdamW) then updates every
slice of a stacked tensor as it would update the member alone.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, stack_module_state, vmap
from tqdm.auto import tqdm

from .dropout import Dropout
from .reproducibility import default_device
from .train import (
    DivergenceError, History, Penalty, _accuracy, check_fit_arguments
)

__all__ = ["Spread", "over_seeds", "Stacked", "SeedRun", "fit_seeds"]

Pair = tuple[torch.Tensor, torch.Tensor]


def _seed_list(seeds: Iterable[int]) -> tuple[int, ...]:
    seeds = tuple(int(s) if isinstance(s, np.integer) else s for s in seeds)
    if not seeds:
        raise ValueError("Invalid seeds: expected at least one seed")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ValueError(
                f"Invalid seed: {s!r} (expected a non-negative integer)"
            )
    if len(set(seeds)) != len(seeds):
        raise ValueError(
            f"Invalid seeds: {list(seeds)} (expected distinct seeds)"
        )
    return seeds


@dataclass(frozen=True)
class Spread:
    """One quantity measured once per seed.

    ``mean`` is the average over the k seeds and ``std`` their sample
    standard deviation (divisor k - 1; 0 for a single seed); ``min`` and
    ``max`` bound what any one seed gave.
    """

    values: np.ndarray  # (k,)
    seeds: tuple[int, ...]

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        if values.ndim != 1 or len(values) != len(self.seeds):
            raise ValueError(
                "Invalid values: expected one number per seed "
                f"({len(self.seeds)}), got shape {values.shape}"
            )
        object.__setattr__(self, "values", values)

    @property
    def mean(self) -> float:
        return float(self.values.mean())

    @property
    def std(self) -> float:
        return float(self.values.std(ddof=1)) if len(self) > 1 else 0.0

    @property
    def min(self) -> float:
        return float(self.values.min())

    @property
    def max(self) -> float:
        return float(self.values.max())

    def __len__(self) -> int:
        return len(self.values)

    def __str__(self) -> str:
        return (
            f"{self.mean:.3g} ± {self.std:.2g} (min {self.min:.3g}, max "
            f"{self.max:.3g}, {len(self)} seeds)"
        )


def over_seeds(
    run: Callable[[int], float | Mapping[str, float]],
    seeds: Iterable[int] = range(5),
    *,
    progress: bool = True,
) -> Spread | dict[str, Spread]:
    """``run(seed)`` for every seed, collected per seed.

    ``run`` returns a number, or a dict of numbers (the same keys every
    time); the result is a ``Spread``, or a dict of them with the same keys.
    The seeds run one after another, so ``run`` may do anything: call
    ``train.fit`` with callbacks, fit a scikit-learn model, run its own
    loop.
    """
    seeds = _seed_list(seeds)
    results = [
        run(seed)
        for seed in tqdm(
            seeds, desc="seeds", disable=not progress, leave=False
        )
    ]
    if all(isinstance(r, Mapping) for r in results):
        keys = list(results[0])
        if any(list(r) != keys for r in results):
            raise ValueError(
                "Invalid run: every seed must return the same keys, got "
                f"{[list(r) for r in results]}"
            )
        return {
            key: Spread(np.array([float(r[key]) for r in results]), seeds)
            for key in keys
        }
    if any(isinstance(r, Mapping) for r in results):
        raise ValueError(
            "Invalid run: it returned a dict for some seeds and a "
            "number for others"
        )
    return Spread(np.array([float(r) for r in results]), seeds)


class Stacked(nn.Module):
    """k networks of one architecture with their parameters stacked along a
    leading seed axis.

    ``forward(x)`` takes one input per member, ``x`` of shape
    ``(k, N, ...)``, or one input for all, ``forward(x, shared=True)`` with
    ``x`` of shape ``(N, ...)``, and returns the members' outputs stacked,
    ``(k, N, ...)``. The parameters are leaves of shape ``(k, *shape)``: an
    optimizer given ``stacked.parameters()`` trains all members.

    An ``nn.Sequential`` runs layer by layer: an ``nn.Linear`` (not a
    subclass that overrides ``forward``) as one batched
    matrix product over the members, a parameter-free elementwise layer
    (activation, dropout) on all members at once, any other layer through
    ``torch.func.vmap``; other networks run through ``vmap`` whole. Random
    layers draw from torch's global generator.
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        members = list(members)
        if not members:
            raise ValueError(
                "Invalid members: expected at least one network"
            )
        shapes = [
            [(n, p.shape) for n, p in m.named_parameters()] for m in members
        ]
        if any(s != shapes[0] for s in shapes):
            raise ValueError(
                "Invalid members: every network must have the same "
                "parameter names and shapes"
            )
        params, buffers = stack_module_state(members)
        self.names = list(params)  # the members' own names, e.g. "0.weight"
        self.stacked = nn.ParameterList(
            [nn.Parameter(p.detach().clone()) for p in params.values()]
        )
        self.buffer_names = list(buffers)
        for i, b in enumerate(buffers.values()):
            self.register_buffer(f"buffer{i}", b.detach().clone())
        # The architecture without storage: the stacked tensors are filled
        # in at each call. Kept in a tuple so that it is not registered as a
        # submodule.
        self._skeleton = (copy.deepcopy(members[0]).to("meta"),)

    def __len__(self) -> int:
        return self.stacked[0].shape[0]

    def train(self, mode: bool = True) -> Stacked:
        self._skeleton[0].train(mode)
        return super().train(mode)

    def _tensors(
        self
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        params = dict(zip(self.names, self.stacked))
        buffers = {
            n: getattr(self, f"buffer{i}")
            for i, n in enumerate(self.buffer_names)
        }
        return params, buffers

    def forward(
        self, x: torch.Tensor, *, shared: bool = False
    ) -> torch.Tensor:
        params, buffers = self._tensors()
        # (k, N, ...), a view
        x = x.expand(len(self), *x.shape) if shared else x
        skeleton = self._skeleton[0]
        if not isinstance(skeleton, nn.Sequential):
            return _vmapped(skeleton, params, buffers, x)
        for name, layer in skeleton.named_children():
            own = {
                n[len(name) + 1 :]: t
                for n, t in params.items()
                if n.startswith(f"{name}.")
            }
            own_buffers = {
                n[len(name) + 1 :]: t
                for n, t in buffers.items()
                if n.startswith(f"{name}.")
            }
            # a = h W^T + b for every member: one batched product (a
            # subclass with its own forward, e.g. DropConnect, is vmapped)
            if type(layer).forward is nn.Linear.forward:
                x = x @ own["weight"].transpose(-1, -2)
                x = x + own["bias"].unsqueeze(-2) if "bias" in own else x
            elif (
                isinstance(layer, _ELEMENTWISE)
                and not own
                and not own_buffers
            ):
                # acts entry by entry, so on all members at once
                x = layer(x)
            else:
                x = _vmapped(layer, own, own_buffers, x)
        return x

    def member_parameters(
        self, index: int
    ) -> list[tuple[str, torch.Tensor]]:
        """Member ``index``'s parameters as (name, view into the stack)
        pairs.
        """
        return [(n, p[index]) for n, p in zip(self.names, self.stacked)]

    def members(self) -> list[nn.Module]:
        """Each member as a network of its own (a copy of its current
        weights).
        """
        params, buffers = self._tensors()
        device = self.stacked[0].device
        out = []
        for i in range(len(self)):
            net = copy.deepcopy(self._skeleton[0]).to_empty(device=device)
            state = {
                n: t[i].detach().clone()
                for n, t in {**params, **buffers}.items()
            }
            net.load_state_dict(state)
            out.append(net)
        return out


# Layers without parameters that act on each entry alone: applied to the
# stacked activations as they are (dropout then draws an independent mask
# for every member).
_ELEMENTWISE = (
    nn.Identity, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.ELU,
    nn.SELU, nn.GELU, nn.SiLU, nn.Softplus, nn.Hardtanh, nn.ReLU6,
    nn.Dropout, Dropout,
)


def _vmapped(
    module: nn.Module, params: dict, buffers: dict, x: torch.Tensor
) -> torch.Tensor:
    """``module`` applied to each member's input with each member's tensors
    (torch.func.vmap).
    """

    def one(params, buffers, x):
        return functional_call(module, (params, buffers), (x,))

    return vmap(one, randomness="different")(params, buffers, x)


class _MemberView:
    """What a penalty sees of one member: its named parameters
    (views into the stack).
    """

    def __init__(self, stacked: Stacked, index: int) -> None:
        self._named = stacked.member_parameters(index)

    def named_parameters(self):
        return iter(self._named)

    def parameters(self):
        return iter(p for _, p in self._named)


@dataclass
class SeedRun:
    """What ``fit_seeds`` trained: the stacked networks and one ``History``
    per seed.
    """

    seeds: tuple[int, ...]
    histories: list[History]
    stacked: Stacked

    @property
    def models(self) -> list[nn.Module]:
        """Each seed's trained network on its own (copies)."""
        return self.stacked.members()

    def curves(self, metric: str) -> np.ndarray:
        """``metric`` (a ``History`` field, e.g. ``"val_loss"``) per seed
        and epoch, ``(k, epochs + 1)``.
        """
        return np.array(
            [getattr(h, metric) for h in self.histories], dtype=float
        )

    def final(self, metric: str) -> Spread:
        """The last recorded value of ``metric`` for every seed."""
        return Spread(self.curves(metric)[:, -1], self.seeds)


def _member_losses(loss_fn: Callable, outputs: torch.Tensor,
                   targets: torch.Tensor) -> torch.Tensor:
    """``loss_fn`` of each member's outputs against its targets, shape (k,).

    ``F.cross_entropy`` and ``F.mse_loss`` (mean-reduced) take all rows in
    one call with ``reduction="none"``, then a mean per member; any other
    loss is vmapped over the members, or called member by member where vmap
    cannot batch it (a loss that calls ``.item()``, say).
    """
    if loss_fn in (F.cross_entropy, F.mse_loss):
        rows = loss_fn(outputs.flatten(0, 1), targets.flatten(0, 1),
                       reduction="none")
        return rows.reshape(len(outputs), -1).mean(dim=1)
    try:
        return torch.func.vmap(loss_fn)(outputs, targets)
    except RuntimeError:
        return torch.stack(
            [loss_fn(o, t) for o, t in zip(outputs, targets)]
        )


def _record(histories: list[History], model: Stacked, loss_fn: Callable,
            data: Pair, split: str) -> None:
    X, y = data
    was_training = model.training
    model.eval()
    with torch.no_grad():
        outputs = model(X, shared=True)  # (k, N, ...)
        losses = _member_losses(
            loss_fn, outputs, y.expand(len(model), *y.shape)
        )
    model.train(was_training)
    for history, out, loss in zip(histories, outputs, losses.tolist()):
        getattr(history, f"{split}_loss").append(loss)
        getattr(history, f"{split}_acc").append(_accuracy(out, y))


def fit_seeds(
    make_model: Callable[[int], nn.Module],
    train: Pair,
    *,
    seeds: Iterable[int] = range(5),
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: Callable[[list[nn.Parameter]], torch.optim.Optimizer],
    epochs: int,
    batch_size: int | None = None,
    val: Pair | None = None,
    scheduler: Callable[
        [torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler
    ] | None = None,
    penalty: Penalty | None = None,
    progress: bool = True,
    device: torch.device | str | None = None,
    scheduler_interval: str = "epoch",
) -> SeedRun:
    """``train.fit`` for k seeds at once: member s is ``make_model(s)``,
    trained on minibatches drawn with seed s. For every step, with B_s
    member s's minibatch and J_s = loss_fn on it (``fit``'s loss for that
    member):

        J(theta_1..theta_k) = sum_s [ J_s(theta_s) + Omega(theta_s) ]
        theta_s <- optimizer.step(theta_s, grad_{theta_s} J)
                                                      for every s at once

    (the members do not interact, so grad_{theta_s} J is member s's own
    gradient).

    ``optimizer`` builds the optimizer from the stacked parameters (e.g.
    ``lambda params: optim.Adam(params, lr=1e-3)``); it must update each
    entry on its own (all of ``regopt.optim``'s and ``torch.optim``'s
    first-order methods do; L-BFGS or clipping by the global norm would
    couple the members). ``scheduler`` builds a scheduler from the
    optimizer, stepped once per epoch (``scheduler_interval="epoch"``) or
    once per minibatch (``"step"``), as in ``fit``; ``penalty(model)`` is
    evaluated on each member; ``loss_fn`` is vmapped over the members
    (called member by member if it cannot be). Full batch (``batch_size``
    at least the rows) feeds all members the same rows. Raises
    ``DivergenceError`` naming the seed and step where a loss became NaN
    or infinite.
    """
    seeds = _seed_list(seeds)
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
    model = Stacked([make_model(s) for s in seeds]).to(device)
    X, y = X.to(device), y.to(device)
    if val is not None:
        val = (val[0].to(device), val[1].to(device))
    opt = optimizer(list(model.parameters()))
    sched = scheduler(opt) if scheduler is not None else None
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    histories = [History() for _ in seeds]

    def record() -> None:
        _record(histories, model, loss_fn, (X, y), "train")
        if val is not None:
            _record(histories, model, loss_fn, val, "val")

    record()
    steps_per_epoch = math.ceil(len(X) / batch_size)
    k, full_batch = len(seeds), batch_size >= len(X)
    bar = tqdm(
        range(1, epochs + 1), desc=f"epochs ({len(seeds)} seeds)",
        disable=not progress, leave=False,
    )
    for epoch in bar:
        model.train()
        for history in histories:
            history.lr.append(opt.param_groups[0]["lr"])
        if not full_batch:  # each member's own order of the rows, (k, N)
            order = torch.stack([torch.randperm(len(X), generator=g)
                                 for g in generators]).to(device)
        for step in range(steps_per_epoch):
            # every member's batch is all of X: no copy per member
            if full_batch:
                outputs, targets = (
                    model(X, shared=True), y.expand(k, *y.shape)
                )
            else:
                batch = order[
                    :, step * batch_size : (step + 1) * batch_size
                ]
                outputs, targets = model(X[batch]), y[batch]  # (k, B, ...)
            losses = _member_losses(loss_fn, outputs, targets)  # (k,)
            if penalty is not None:
                losses = losses + torch.stack(
                    [penalty(_MemberView(model, i)) for i in range(k)])
            values = losses.tolist()
            bad = [s for s, v in zip(seeds, values) if not math.isfinite(v)]
            if bad:
                raise DivergenceError(
                    f"Training diverged: the loss of seed(s) {bad} became "
                    f"non-finite at epoch {epoch}, step {step + 1} of "
                    f"{steps_per_epoch}. Try a smaller learning rate."
                )
            total = losses.sum()  # J: the members' losses do not interact
            opt.zero_grad()
            total.backward()
            opt.step()
            for history, loss in zip(histories, values):
                history.step_loss.append(loss)
            if sched is not None and scheduler_interval == "step":
                sched.step()
        if sched is not None and scheduler_interval == "epoch":
            sched.step()
        record()
        bad = [
            s
            for s, h in zip(seeds, histories)
            if not math.isfinite(h.train_loss[-1])
        ]
        if bad:
            raise DivergenceError(
                f"Training diverged: the training loss of seed(s) {bad} "
                f"after epoch {epoch} is not finite. Try a smaller "
                "learning rate."
            )
        mean_loss = np.mean([h.train_loss[-1] for h in histories])
        bar.set_postfix(train_loss=f"{mean_loss:.4f}")
    bar.close()
    return SeedRun(seeds, histories, model)
