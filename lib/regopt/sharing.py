"""Parameter tying and sharing, multi-task networks, sparse representations
(chapter 16).

Penalties here follow ``regopt.train.fit``'s ``penalty=`` interface: a
callable that takes the model being trained and returns a scalar tensor,
added to the data loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_positive

__all__ = [
    "ActivationL1", "MultiTaskLoss", "MultiTaskNet", "TyingPenalty",
    "share_parameters", "tying_penalty",
]


def _paired(
    a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]
) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(name, w_A, w_B) for every parameter, after checking that both sides
    have the same names and shapes.
    """
    if a.keys() != b.keys():
        raise ValueError(
            "Cannot pair the parameters of two different models: only in "
            f"A: {sorted(a.keys() - b.keys())}, only in B: "
            f"{sorted(b.keys() - a.keys())}"
        )
    for name in a:
        if a[name].shape != b[name].shape:
            raise ValueError(
                f"Cannot pair parameter {name!r}: shape "
                f"{tuple(a[name].shape)} in A, {tuple(b[name].shape)} in B"
            )
    return [(name, a[name], b[name]) for name in a]


def _squared_distance(
    a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]
) -> torch.Tensor:
    return sum(
        ((wa - wb.to(wa.device)) ** 2).sum() for _, wa, wb in _paired(a, b)
    )


def tying_penalty(model_a: nn.Module, model_b: nn.Module) -> torch.Tensor:
    """The parameter-tying penalty Omega(w_A, w_B) = ||w_A - w_B||_2^2,
    summed over all paired parameters.

    Parameters are paired by name, so the two models must have the same
    architecture (a ``ValueError`` names the first mismatch otherwise).
    Gradients flow into both models.
    """
    return _squared_distance(
        dict(model_a.named_parameters()), dict(model_b.named_parameters())
    )


class TyingPenalty:
    """``penalty=`` for ``fit``: pulls the trained model towards a fixed
    ``reference`` model,

        Omega(w) = strength * ||w - w_ref||_2^2,

    soft parameter tying. ``reference`` is copied when the penalty is built,
    so it stays fixed while the other model trains. ``strength`` -> infinity
    forces w = w_ref (hard sharing); ``strength = 0`` trains the model on
    its own.
    """

    def __init__(self, reference: nn.Module, *, strength: float) -> None:
        check_positive("strength", strength, allow_zero=True)
        self.reference = {
            name: p.detach().clone()
            for name, p in reference.named_parameters()
        }
        self.strength = strength

    def __call__(self, model: nn.Module) -> torch.Tensor:
        return self.strength * _squared_distance(
            dict(model.named_parameters()), self.reference
        )


def share_parameters(source: nn.Module, target: nn.Module) -> None:
    """Hard parameter sharing: make every parameter of ``target`` *the same
    tensor* as ``source``'s.

    Afterwards a gradient step through either module moves both, and an
    optimizer over a model containing both sees each shared parameter once.
    The two modules must have the same parameter names and shapes.
    """
    for name, w_source, _ in _paired(
        dict(source.named_parameters()), dict(target.named_parameters())
    ):
        owner_name, _, attr = name.rpartition(".")
        owner = target.get_submodule(owner_name)
        setattr(owner, attr, w_source)


class MultiTaskNet(nn.Module):
    """A shared trunk h = f(x; theta_shared) and one head per task,
    y_t = g_t(h; theta_t).

    ``forward`` returns all heads' outputs side by side, shape
    (N, sum of head widths), so the network fits ``regopt.train.fit``
    unchanged; ``split`` cuts them back into one tensor per task
    (heads are ``nn.Linear`` layers). Only the trunk's parameters are
    shared: they receive the gradient of every task's loss.
    """

    def __init__(
        self, trunk: nn.Module, heads: Sequence[nn.Module]
    ) -> None:
        super().__init__()
        if len(heads) == 0:
            raise ValueError(
                "Invalid heads: a multi-task network needs at least "
                "one task head"
            )
        self.trunk = trunk
        self.heads = nn.ModuleList(heads)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.trunk(x)  # (N, H): the shared representation
        # (N, sum_t C_t)
        return torch.cat([head(h) for head in self.heads], dim=1)

    def split(self, outputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Cut ``forward``'s output into the heads' outputs, one (N, C_t)
        tensor per task.
        """
        return torch.split(
            outputs, [head.out_features for head in self.heads], dim=1
        )


class MultiTaskLoss:
    """Weighted sum of per-task cross-entropies over the examples labelled
    for each task:

        L = sum_t lambda_t * 1/|L_t| sum_{i in L_t} CE(y_t(x_i), y_{i,t}),

    where L_t is the set of examples with a label for task t. Targets are a
    float tensor of shape (N, T), one column per task, with NaN where an
    example has no label for that task: a task with few labels simply has
    many NaNs. A task without any label in the batch adds 0.
    """

    def __init__(
        self, sizes: Sequence[int], weights: Sequence[float] | None = None
    ) -> None:
        weights = [1.0] * len(sizes) if weights is None else list(weights)
        if len(weights) != len(sizes):
            raise ValueError(
                f"Invalid weights: {len(weights)} weights for "
                f"{len(sizes)} tasks"
            )
        for w in weights:
            check_positive("task weight", w, allow_zero=True)
        self.sizes, self.weights = list(sizes), weights

    def __call__(
        self, outputs: torch.Tensor, targets: torch.Tensor
    ) -> torch.Tensor:
        if targets.dim() != 2 or targets.shape[1] != len(self.sizes):
            raise ValueError(
                f"Invalid targets: expected shape (N, {len(self.sizes)}), "
                f"got {tuple(targets.shape)}"
            )
        total = outputs.new_zeros(())
        for t, (logits, weight) in enumerate(
            zip(torch.split(outputs, self.sizes, dim=1), self.weights)
        ):
            # A mask rather than indexing: same sum, no data-dependent
            # shapes, so that fit_seeds can vmap the loss over seeds.
            labelled = ~torch.isnan(targets[:, t])  # (N,)
            y_t = torch.where(labelled, targets[:, t], 0.0).long()
            ce = F.cross_entropy(logits, y_t, reduction="none")  # (N,)
            n_t = labelled.sum().clamp(min=1)
            total = total + weight * (ce * labelled).sum() / n_t
        return total


class ActivationL1:
    """``penalty=`` for ``fit``: an L1 penalty on the activations h of
    ``layer``, not on weights,

        Omega(h) = strength * 1/N sum_i ||h_i||_1,

    averaged over the N examples of the batch just computed. It pushes
    towards a *sparse representation* (most h_ij = 0 for a given input). A
    forward hook on ``layer`` keeps the last output, so call the penalty
    after the model's forward pass, as ``fit`` does.
    """

    def __init__(self, layer: nn.Module, *, strength: float) -> None:
        check_positive("strength", strength, allow_zero=True)
        self.strength = strength
        self.h: torch.Tensor | None = None
        self.handle = layer.register_forward_hook(self._keep)

    def _keep(
        self, module: nn.Module, inputs, output: torch.Tensor
    ) -> None:
        self.h = output

    def __call__(self, model: nn.Module) -> torch.Tensor:
        if self.h is None:
            raise RuntimeError(
                "ActivationL1 has seen no forward pass yet: run "
                "the model first"
            )
        return self.strength * self.h.abs().sum(dim=1).mean()

    def remove(self) -> None:
        """Detach the hook from the layer."""
        self.handle.remove()
