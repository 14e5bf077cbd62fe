"""Optimizers and learning-rate schedules, one module per chapter of
Part II.

- ``regopt.optim.sgd``: ``SGD``, with momentum and Nesterov momentum
  (chapters 4 and 5)
- ``regopt.optim.schedules``: ``LinearWarmup``, ``StepDecay``,
  ``ExponentialDecay``, ``InverseTimeDecay``, ``CosineDecay``,
  ``warmup_cosine`` (chapter 4)
- ``regopt.optim.momentum``: ``EMAMomentum``, momentum as an exponential
  average, and Jacobs' ``DeltaBarDelta`` (chapter 5)
- ``regopt.optim.adaptive``: ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``
  (chapter 6)
- ``regopt.optim.clipping``: ``clip_grad_norm_``, ``clip_grad_value_``
  (chapter 3)
- ``regopt.optim.probes``: ``step_lengths``, an optimizer fed a chosen
  gradient sequence

Every optimizer subclasses ``torch.optim.Optimizer`` and those with a
``torch.optim`` namesake take the same arguments and produce the same
iterates, so either can replace the other in a training loop. Each update is
a short function (``_sgd_step``, ``_adam_step``, ...) whose lines follow the
equations of its class docstring.
"""

from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .clipping import clip_grad_norm_, clip_grad_value_
from .momentum import DeltaBarDelta, EMAMomentum
from .probes import step_lengths
from .schedules import (
    CosineDecay, ExponentialDecay, InverseTimeDecay, LinearWarmup,
    StepDecay, warmup_cosine,
)
from .sgd import SGD

__all__ = [
    "SGD",
    "EMAMomentum",
    "DeltaBarDelta",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "LinearWarmup",
    "StepDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "warmup_cosine",
    "step_lengths",
    "clip_grad_norm_",
    "clip_grad_value_",
]
