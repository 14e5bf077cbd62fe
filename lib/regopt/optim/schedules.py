"""Learning-rate schedules: warm-up; step, exponential, inverse-time and
cosine decay (chapter 4).

Large steps first, to travel; small steps later, to settle where minibatch
noise would otherwise keep the iterate bouncing. Each schedule is a formula
lr_t = f(lr_0, t) of the starting rate lr_0 (each parameter group's own)
and the number t of ``scheduler.step()`` calls so far. They are
``torch.optim.lr_scheduler.LRScheduler`` subclasses, so they drive any
optimizer, from ``torch.optim`` or ``regopt.optim``, and plug into
``regopt.train.fit(..., scheduler=...)``, which steps them once per epoch
(or per minibatch with ``scheduler_interval="step"``).

Like torch's own schedulers they are *chainable*: a step does not overwrite
the rate with f(lr_0, t) but changes the current rate as the formula
changes from t - 1 to t (m = eta_min, else 0),

    lr <- m + (lr - m) (f(lr_0, t) - m) / (f(lr_0, t - 1) - m),

so two schedules in ``torch.optim.lr_scheduler.ChainedScheduler`` multiply
their factors (a warm-up times a cosine decay), and ``SequentialLR`` hands
over from one to the next. Alone, a schedule gives f(lr_0, t) itself, the
same rates as its torch twin.
"""

from __future__ import annotations

import math

import torch
from torch.optim.lr_scheduler import LRScheduler, SequentialLR

from .._checks import check_positive, check_positive_int

__all__ = [
    "LinearWarmup",
    "StepDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "warmup_cosine",
]

Optimizer = torch.optim.Optimizer


class _Schedule(LRScheduler):
    """A schedule given by a formula of lr_0 and t, ``_lr_at``."""

    floor: float = 0.0  # the rate m the formula decays towards

    def _lr_at(self, lr0: float, t: int) -> float:
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        return [self._next(group["lr"], lr0, self.last_epoch)
                for group, lr0 in zip(groups, self.base_lrs)]

    def _next(self, lr: float, lr0: float, t: int) -> float:
        """Change the rate ``lr`` as the formula changes from t - 1 to t.

        Before the first step (t = 0) the rate was lr_0, so a formula with
        f(lr_0, 0) = lr_0 leaves it unchanged and a warm-up scales it down.
        """
        m = self.floor
        before = (self._lr_at(lr0, t - 1) if t > 0 else lr0) - m
        after = self._lr_at(lr0, t) - m
        if before == 0:  # on the floor there is no ratio: add the change
            return lr + after - before
        return m + (lr - m) * (after / before)  # a ratio of 1 is exact

    def _get_closed_form_lr(self) -> list[float]:
        # What torch calls on step(t), and SequentialLR when it hands over
        # to the next schedule (with t = 0).
        return [self._lr_at(lr0, self.last_epoch) for lr0 in self.base_lrs]


class LinearWarmup(_Schedule):
    """Raise the rate linearly from s lr_0 to lr_0 over W steps:

        lr_t = lr_0 (s + (1 - s) min(t, W) / W)

    with s = ``start_factor`` and W = ``warmup_steps``. Adaptive methods
    such as Adam take their first steps with poor estimates of the
    gradient's scale, and a large network's first steps can be violent;
    small steps until the estimates settle avoid that. Follow it by a
    decay with ``warmup_cosine``, or chain it with one in
    ``ChainedScheduler``. The same rates as torch's
    ``LinearLR(start_factor=s, end_factor=1, total_iters=W)``.
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int,
                 start_factor: float = 0.1) -> None:
        check_positive_int("warmup_steps", warmup_steps)
        if not 0 < start_factor <= 1:
            raise ValueError(f"Invalid start_factor: {start_factor} "
                             "(expected 0 < start_factor <= 1)")
        self.warmup_steps = int(warmup_steps)
        self.start_factor = start_factor
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        s, W = self.start_factor, self.warmup_steps
        return lr0 * (s + (1 - s) * min(t, W) / W)


class StepDecay(_Schedule):
    """Multiply the rate by ``gamma`` every ``step_size`` steps:

        lr_t = lr_0 gamma^floor(t / step_size)

    The same rates as ``torch.optim.lr_scheduler.StepLR``.
    """

    def __init__(self, optimizer: Optimizer, step_size: int,
                 gamma: float = 0.1) -> None:
        check_positive_int("step_size", step_size)
        check_positive("gamma", gamma)
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return lr0 * self.gamma ** (t // self.step_size)


class ExponentialDecay(_Schedule):
    """Multiply the rate by ``gamma`` every step: lr_t = lr_0 gamma^t.

    The same rates as ``torch.optim.lr_scheduler.ExponentialLR``.
    """

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        check_positive("gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return lr0 * self.gamma**t


class InverseTimeDecay(_Schedule):
    """Divide the rate by a linearly growing factor:

        lr_t = lr_0 / (1 + decay_rate t)

    The rates decrease like 1 / t, slowly enough that their sum diverges
    while the sum of their squares converges: the classical condition
    (Robbins and Monro) under which SGD converges despite noisy gradients.
    ``LambdaLR`` with ``lambda t: 1 / (1 + k t)`` gives the same rates.
    """

    def __init__(self, optimizer: Optimizer, decay_rate: float) -> None:
        check_positive("decay_rate", decay_rate, allow_zero=True)
        self.decay_rate = decay_rate
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return lr0 / (1 + self.decay_rate * t)


class CosineDecay(_Schedule):
    """Follow half a cosine from lr_0 down to ``eta_min`` in T_max steps:

        lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2

    The rate stays near lr_0 at first, falls fastest halfway, and flattens
    out near eta_min. The same rates as torch's ``CosineAnnealingLR``,
    including what happens after T_max: the cosine goes on, so the rate
    climbs back towards lr_0 (stop at T_max, or use
    ``CosineAnnealingWarmRestarts`` for deliberate restarts).
    """

    def __init__(self, optimizer: Optimizer, T_max: int,
                 eta_min: float = 0) -> None:
        check_positive_int("T_max", T_max)
        check_positive("eta_min", eta_min, allow_zero=True)
        self.T_max = int(T_max)
        self.eta_min = self.floor = eta_min
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2
        return self.eta_min + (lr0 - self.eta_min) * cosine


def warmup_cosine(
    optimizer: Optimizer, *, warmup_steps: int, total_steps: int,
    start_factor: float = 0.1, eta_min: float = 0,
) -> SequentialLR:
    """Linear warm-up, then cosine decay: how most networks train today.

    With W = ``warmup_steps``, T = ``total_steps``, s = ``start_factor``:

        lr_t = lr_0 (s + (1 - s) t / W)                       for t <= W
        lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi u)) / 2,
               u = (t - W) / (T - W)                     for W <= t <= T

    ``LinearWarmup`` for W steps, then ``CosineDecay`` over the remaining
    T - W, joined by ``torch.optim.lr_scheduler.SequentialLR``.
    """
    check_positive_int("warmup_steps", warmup_steps)
    check_positive_int("total_steps", total_steps)
    if total_steps <= warmup_steps:
        raise ValueError(f"Invalid total_steps: {total_steps} (expected "
                         f"more than warmup_steps = {warmup_steps})")
    warmup = LinearWarmup(optimizer, warmup_steps,
                          start_factor=start_factor)
    decay = CosineDecay(optimizer, T_max=total_steps - warmup_steps,
                        eta_min=eta_min)
    return SequentialLR(optimizer, [warmup, decay],
                        milestones=[warmup_steps])
