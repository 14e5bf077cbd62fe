"""Learning-rate decay: step, exponential, inverse-time and cosine schedules (chapter 4).

Large steps first, to travel; small steps later, to settle where minibatch noise would
otherwise keep the iterate bouncing. Each schedule is a closed form lr_t = f(lr_0, t) of
the starting rate lr_0 (each parameter group's own) and the number t of
``scheduler.step()`` calls so far, set on the optimizer's groups. They are
``torch.optim.lr_scheduler.LRScheduler`` subclasses, so they drive any optimizer, from
``torch.optim`` or ``regopt.optim``, and plug into ``regopt.train.fit(..., scheduler=...)``,
which steps them once per epoch (or per minibatch with ``scheduler_interval="step"``).
"""

from __future__ import annotations

import math

import torch
from torch.optim.lr_scheduler import LRScheduler

from .._checks import check_positive, check_positive_int

__all__ = ["StepDecay", "ExponentialDecay", "InverseTimeDecay", "CosineDecay"]


class _ClosedFormSchedule(LRScheduler):
    """A schedule given by a formula of lr_0 and t; subclasses define ``_lr_at``."""

    def _lr_at(self, lr0: float, t: int) -> float:
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        return [self._lr_at(lr0, self.last_epoch) for lr0 in self.base_lrs]


class StepDecay(_ClosedFormSchedule):
    """Multiply the rate by ``gamma`` every ``step_size`` steps: lr_t = lr_0 gamma^floor(t / step_size).

    The same rates as ``torch.optim.lr_scheduler.StepLR``.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, step_size: int, gamma: float = 0.1) -> None:
        check_positive_int("step_size", step_size)
        check_positive("gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return lr0 * self.gamma ** (t // self.step_size)


class ExponentialDecay(_ClosedFormSchedule):
    """Multiply the rate by ``gamma`` every step: lr_t = lr_0 gamma^t.

    The same rates as ``torch.optim.lr_scheduler.ExponentialLR``.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, gamma: float) -> None:
        check_positive("gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return lr0 * self.gamma**t


class InverseTimeDecay(_ClosedFormSchedule):
    """Divide the rate by a linearly growing factor: lr_t = lr_0 / (1 + decay_rate t).

    The rates decrease like 1 / t, slowly enough that their sum diverges while the sum
    of their squares converges: the classical condition (Robbins and Monro) under which
    SGD converges despite noisy gradients. ``LambdaLR`` with ``lambda t: 1 / (1 + k t)``
    gives the same rates.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, decay_rate: float) -> None:
        check_positive("decay_rate", decay_rate, allow_zero=True)
        self.decay_rate = decay_rate
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return lr0 / (1 + self.decay_rate * t)


class CosineDecay(_ClosedFormSchedule):
    """Follow half a cosine from lr_0 down to ``eta_min`` over ``T_max`` steps.

        lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2

    The rate stays near lr_0 at first, falls fastest halfway, and flattens out near
    eta_min. The same rates as ``torch.optim.lr_scheduler.CosineAnnealingLR``, including
    what happens after T_max: the cosine goes on, so the rate climbs back towards lr_0
    (stop at T_max, or use ``CosineAnnealingWarmRestarts`` for deliberate restarts).
    """

    def __init__(self, optimizer: torch.optim.Optimizer, T_max: int, eta_min: float = 0) -> None:
        check_positive_int("T_max", T_max)
        check_positive("eta_min", eta_min, allow_zero=True)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer)

    def _lr_at(self, lr0: float, t: int) -> float:
        return self.eta_min + (lr0 - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2
