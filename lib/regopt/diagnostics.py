"""Looking inside a network while it trains (chapter 3, used again in
chapters 7 and 9), and at what its probabilities are worth (chapter 14).

- ``dead_unit_fraction``: how many ReLU units never fire on a data set
  (dying ReLU), and ``reinitialize_dead_units`` to bring them back
- ``layer_statistics``: activation and gradient scales layer by layer
  (vanishing and exploding gradients vs depth)
- ``hessian_eigenvalues``: the curvature of a small loss
  (minima, maxima, saddles)
- ``calibration_bins`` and ``expected_calibration_error``: how far a
  classifier's confidence is from its accuracy (reliability diagrams)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ._checks import check_positive_int, check_same_length
from .reproducibility import device_of

__all__ = [
    "dead_unit_fraction", "reinitialize_dead_units", "LayerStats",
    "layer_statistics", "hessian_eigenvalues", "CalibrationBins",
    "calibration_bins", "expected_calibration_error",
]


def _named(
    model: nn.Module, kind: type[nn.Module]
) -> list[tuple[str, nn.Module]]:
    found = [
        (name, m)
        for name, m in model.named_modules()
        if isinstance(m, kind)
    ]
    if not found:
        raise ValueError(f"Invalid model: it has no {kind.__name__} module")
    return found


@torch.no_grad()
def dead_unit_fraction(
    model: nn.Module, X: torch.Tensor
) -> dict[str, float]:
    """For each ``nn.ReLU`` module of ``model``, the fraction of its units
    that are dead on ``X``.

    A unit j is dead when its output h_j = max(0, a_j) is zero for every
    example of X: then dL/da_j = 0 for all of them and gradient descent can
    never revive it.

        fraction = 1/H sum_j [ max_i h_ij == 0 ]
                   (H units, i over the rows of X)

    A unit is one entry of the ReLU's output per example (a channel-position
    for a convolution). The model runs in eval mode; its mode is restored
    afterwards. Returns ``{module name: fraction}`` in the order of the
    forward pass.
    """
    relus = _named(model, nn.ReLU)
    outputs: dict[str, torch.Tensor] = {}

    def recorder(name: str):
        def hook(
            module: nn.Module, inputs: tuple, output: torch.Tensor
        ) -> None:
            outputs[name] = output.detach().flatten(start_dim=1)  # (N, H)
        return hook

    handles = [
        module.register_forward_hook(recorder(name))
        for name, module in relus
    ]
    was_training = model.training
    try:
        model.eval()
        model(X.to(device_of(model)))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return {
        name: (h.amax(dim=0) <= 0).sum().item() / h.shape[1]
        for name, h in outputs.items()
    }


@torch.no_grad()
def reinitialize_dead_units(
    model: nn.Sequential,
    layer: int,
    X: torch.Tensor,
    *,
    generator: torch.Generator | None = None,
) -> int:
    """Give the dead units of the linear layer ``model[layer]`` fresh
    weights; returns how many.

    Unit j of a = W h + b is dead on X when a_j <= 0 for every example
    (its ReLU never fires). Its incoming weights W[j, :] are redrawn with
    He's uniform initialization and its bias set to 0, so it fires on about
    half the examples again; the other units keep what they learned.
    """
    from .init import kaiming_uniform_

    linear = model[layer]
    if not isinstance(linear, nn.Linear):
        raise ValueError(
            f"Invalid layer: model[{layer}] is {type(linear).__name__}, "
            "not nn.Linear"
        )
    # (units,): never positive on X
    dead = (model[: layer + 1](X.to(device_of(model))) <= 0).all(dim=0)
    if not dead.any():
        return 0
    # Drawn on the CPU, where the generator lives, then moved to the
    # layer's device.
    fresh = torch.empty(
        int(dead.sum()), linear.in_features, dtype=linear.weight.dtype
    )
    fresh = kaiming_uniform_(
        fresh, nonlinearity="relu", generator=generator
    )
    linear.weight[dead] = fresh.to(linear.weight.device)
    linear.bias[dead] = 0.0
    return int(dead.sum())


@dataclass(frozen=True)
class LayerStats:
    """Scales of one ``nn.Linear`` layer a = W h + b, from one forward and
    backward pass.
    """

    name: str
    input_std: float  # std of h, the activations entering the layer
    output_std: float  # std of a, the pre-activations it produces
    grad_std: float  # std of dJ/dW
    grad_norm: float  # Frobenius norm of dJ/dW


def layer_statistics(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> list[LayerStats]:
    """Activation and gradient scales of every ``nn.Linear`` layer, input
    to output.

    One forward pass on ``(X, y)`` records std(h) and std(a) for each layer
    a = W h + b; one backward pass of J = loss_fn(model(X), y) gives dJ/dW.
    Plotted against depth, grad_std shrinking geometrically towards the
    input is the vanishing gradient (growing: exploding). The model's
    gradients are left as they were.
    """
    check_same_length("X", X, "y", y)
    linears = _named(model, nn.Linear)
    scales: dict[str, tuple[float, float]] = {}

    def recorder(name: str):
        def hook(
            module: nn.Module, inputs: tuple, output: torch.Tensor
        ) -> None:
            scales[name] = (
                inputs[0].detach().std().item(),
                output.detach().std().item(),
            )
        return hook

    handles = [
        module.register_forward_hook(recorder(name))
        for name, module in linears
    ]
    device = device_of(model)
    try:
        loss = loss_fn(model(X.to(device)), y.to(device))
    finally:
        for handle in handles:
            handle.remove()
    weights = [module.weight for _, module in linears]
    # dJ/dW per layer, without touching .grad
    grads = torch.autograd.grad(loss, weights)
    return [
        LayerStats(name, *scales[name], g.std().item(), g.norm().item())
        for (name, _), g in zip(linears, grads)
    ]


def hessian_eigenvalues(
    loss_fn: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor
) -> torch.Tensor:
    """Eigenvalues of the Hessian H_ij = d^2 J / d theta_i d theta_j at
    ``theta``, ascending.

    ``loss_fn`` maps a flat parameter vector (P,) to a scalar J. The full
    P x P Hessian is formed by autograd, so keep P small (a few thousand at
    most). All eigenvalues positive: a local minimum; all negative: a
    maximum; both signs: a saddle point. H is symmetrized, (H + H^T) / 2,
    before ``torch.linalg.eigvalsh`` to remove round-off asymmetry.
    """
    if theta.dim() != 1:
        raise ValueError(
            "Invalid theta: expected a flat 1-D parameter vector, got "
            f"shape {tuple(theta.shape)}"
        )
    if not theta.is_floating_point():
        raise ValueError(
            "Invalid theta: expected a floating-point tensor, got dtype "
            f"{theta.dtype}"
        )
    J = loss_fn(theta.detach())
    if not isinstance(J, torch.Tensor) or J.numel() != 1:
        shape = tuple(getattr(J, "shape", ()))
        raise ValueError(
            f"loss_fn must return a scalar tensor, got {type(J).__name__} "
            f"of shape {shape}"
        )
    H = torch.autograd.functional.hessian(loss_fn, theta.detach())  # (P, P)
    return torch.linalg.eigvalsh((H + H.T) / 2)


@dataclass(frozen=True)
class CalibrationBins:
    """Equal-width confidence bins: per bin, how many predictions fell in
    it, their mean confidence and the fraction of them that are right
    (both NaN for an empty bin). Plotting accuracy against confidence is a
    reliability diagram; a calibrated classifier lies on the diagonal.
    """

    edges: torch.Tensor  # (B + 1,): 0, 1/B, ..., 1
    count: torch.Tensor  # (B,)
    confidence: torch.Tensor  # (B,)
    accuracy: torch.Tensor  # (B,)


def _check_probabilities(probs: torch.Tensor, y: torch.Tensor) -> None:
    if probs.dim() != 2 or not probs.is_floating_point() or not len(probs):
        raise ValueError(
            "Invalid probs: expected a floating-point (N, K) tensor of "
            f"class probabilities, got shape {tuple(probs.shape)} and "
            f"dtype {probs.dtype}"
        )
    rows = probs.sum(dim=1)
    if (probs < 0).any() or not torch.allclose(
        rows, torch.ones_like(rows), atol=1e-4
    ):
        raise ValueError(
            "Invalid probs: expected non-negative rows that sum to 1 "
            "(softmax of the logits, not the logits)"
        )
    if y.dim() != 1 or y.is_floating_point():
        raise ValueError(
            "Invalid y: expected a 1-D tensor of class indices, got shape "
            f"{tuple(y.shape)} and dtype {y.dtype}"
        )
    check_same_length("probs", probs, "y", y)
    if (y < 0).any() or (y >= probs.shape[1]).any():
        raise ValueError(
            f"Invalid y: expected class indices in [0, {probs.shape[1]})"
        )


@torch.no_grad()
def calibration_bins(
    probs: torch.Tensor, y: torch.Tensor, *, n_bins: int = 15
) -> CalibrationBins:
    """Sort the predictions into ``n_bins`` equal-width bins of confidence.

    Prediction i is y_hat_i = argmax_k p_ik with confidence
    c_i = max_k p_ik; it goes to bin B_b when (b-1)/B < c_i <= b/B. Then

        conf(B_b) = 1/|B_b| sum_{i in B_b} c_i,
        acc(B_b)  = 1/|B_b| sum_{i in B_b} [y_hat_i = y_i].

    ``probs`` is (N, K), rows summing to 1; ``y`` the (N,) true classes.
    """
    check_positive_int("n_bins", n_bins)
    _check_probabilities(probs, y)
    probs = probs.detach().cpu().double()
    confidence, predicted = probs.max(dim=1)  # (N,), (N,)
    correct = (predicted == y.cpu()).double()  # (N,)
    # bin b-1 holds (b-1)/B < c <= b/B
    index = torch.ceil(confidence * n_bins).long() - 1
    index = index.clamp(0, n_bins - 1)
    count = torch.bincount(index, minlength=n_bins).double()  # (B,)
    sum_conf = torch.bincount(index, confidence, minlength=n_bins)
    sum_correct = torch.bincount(index, correct, minlength=n_bins)
    return CalibrationBins(
        edges=torch.linspace(0, 1, n_bins + 1, dtype=torch.float64),
        count=count,
        confidence=sum_conf / count,  # NaN where count = 0
        accuracy=sum_correct / count,
    )


def expected_calibration_error(
    probs: torch.Tensor, y: torch.Tensor, *, n_bins: int = 15
) -> float:
    """Expected calibration error over equal-width confidence bins
    (Guo et al., 2017, "On calibration of modern neural networks"):

        ECE = sum_b |B_b| / N * | acc(B_b) - conf(B_b) |

    with the bins of ``calibration_bins``: the average gap between how
    often the classifier is right and how sure it says it is, weighted by
    how many predictions each bin holds. 0 for a calibrated classifier (up
    to sampling noise), at most 1. Empty bins contribute nothing.
    """
    bins = calibration_bins(probs, y, n_bins=n_bins)
    full = bins.count > 0
    gap = (bins.accuracy[full] - bins.confidence[full]).abs()
    return float((bins.count[full] / len(y) * gap).sum())
