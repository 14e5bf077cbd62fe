"""What every optimizer of ``regopt.optim`` shares: the closure, the
gradients, the checks.

Kept apart so that each algorithm's module holds only its own equations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch

from .._checks import check_positive

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]
Closure = Callable[[], Any]
# whatever the closure returns (torch.optim: a tensor or a float), or None
Loss = Any


def closure_loss(closure: Closure | None) -> Any:
    """Re-evaluate the model with gradients on (as torch.optim does) and
    return its loss.
    """
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def dense_grads(
    group: dict[str, Any], name: str
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The pairs ``(p, p.grad)`` of a parameter group, skipping parameters
    without a gradient.
    """
    for p in group["params"]:
        if p.grad is None:
            continue
        if p.grad.is_sparse:
            raise RuntimeError(
                f"{name} does not support sparse gradients (got one for a "
                f"parameter of shape {tuple(p.shape)}); use dense "
                "gradients, e.g. nn.Embedding(..., sparse=False)"
            )
        yield p, p.grad


class ElementwiseOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` whose ``step`` applies one update
    function to each parameter.

    A subclass sets ``_update``, a function
    ``(p, g, state, **hyperparameters)`` that changes ``p`` in place; the
    hyperparameters are the group's entries named in the constructor's
    ``defaults`` (not ``initial_lr`` and other keys that schedulers, or
    torch itself when unpickling, add later).
    """

    _update: Callable[..., None]

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self._hyperparameter_names = tuple(defaults)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> Loss:
        """Update every parameter that has a gradient; return the loss of
        ``closure`` (if given).
        """
        loss = closure_loss(closure)
        for group in self.param_groups:
            hyperparameters = {
                name: group[name] for name in self._hyperparameter_names
            }
            for p, g in dense_grads(group, type(self).__name__):
                self._update(p, g, self.state[p], **hyperparameters)
        return loss


def state_like(
    state: dict[str, Any], key: str, p: torch.Tensor, fill: float = 0.0
) -> torch.Tensor:
    """``state[key]``, created on first use as a tensor shaped like ``p``
    and filled with ``fill``.
    """
    if key not in state:
        state[key] = torch.full_like(
            p, fill, memory_format=torch.preserve_format
        )
    return state[key]


def check_lr(lr: float) -> None:
    check_positive("learning rate", lr, allow_zero=True)


def check_eps(eps: float) -> None:
    check_positive("epsilon value", eps, allow_zero=True)


def check_weight_decay(weight_decay: float) -> None:
    check_positive("weight_decay value", weight_decay, allow_zero=True)


def check_momentum(momentum: float) -> None:
    check_positive("momentum value", momentum, allow_zero=True)


def check_unit(name: str, value: float, *, closed: bool = False) -> None:
    """Raise ``ValueError`` unless ``0 <= value < 1`` (``<= 1`` if
    ``closed``): a decay rate or fraction.
    """
    ok = 0 <= value <= 1 if closed else 0 <= value < 1
    if not ok:
        high = "<= 1" if closed else "< 1"
        raise ValueError(
            f"Invalid {name}: {value} (expected 0 <= "
            f"{name.split()[0]} {high})"
        )


def check_betas(betas: tuple[float, float]) -> None:
    """Raise ``ValueError`` unless ``betas`` is a pair of decay rates in
    [0, 1).
    """
    if len(betas) != 2:
        raise ValueError(
            f"Invalid betas: {betas!r} (expected a pair (beta1, beta2))"
        )
    for index, beta in enumerate(betas):
        if not 0 <= beta < 1:
            raise ValueError(
                f"Invalid beta parameter at index {index}: {beta} "
                "(expected 0 <= beta < 1)"
            )
