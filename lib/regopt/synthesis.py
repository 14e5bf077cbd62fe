"""Telling optimization from regularization in an experiment's numbers
(chapter 20).

A change to a training recipe can help in two ways. It can help
*optimization*: the network fits its training set better
(a lower training loss). Or it can help *regularization*: the network fits
about as well, but what it learned carries over to new data better (a
smaller gap between validation and training loss), and it depends less on
the accident of the random seed (a smaller variance of the learned
function).
"""

from __future__ import annotations

import torch

from ._checks import check_ndim, check_positive

__all__ = ["prediction_variance", "main_effect"]


def prediction_variance(probabilities: torch.Tensor) -> float:
    """Variance of the learned function across seeds, as in Erhan et
    al. (2010).

    For predicted class probabilities p_s(x_i) of shape
    (S seeds, N examples, K classes):

        V = 1/N sum_i sum_k Var_s[ p_{s,k}(x_i) ]

    with the unbiased variance over the S seeds (divisor S - 1). V = 0 when
    every seed learns the same function on these examples.
    """
    check_ndim("probabilities", probabilities, 3)
    if probabilities.shape[0] < 2:
        raise ValueError(
            "Invalid probabilities: a variance across seeds needs at "
            f"least 2 seeds, got {probabilities.shape[0]}"
        )
    # (S, N, K) -> (N, K) -> (N,) -> scalar
    return probabilities.var(dim=0).sum(dim=1).mean().item()


def main_effect(
    recipe: tuple[float, float],
    reference: tuple[float, float],
    *,
    factor: float = 1.25,
) -> str:
    """Whether a recipe's (training loss, validation loss) improves on a
    reference's by optimization or regularization.

    With gap = validation loss - training loss:

        "optimization"    if  train <= train_ref / factor
                          (it fits the training set better)
        "regularization"  elif  gap <= gap_ref / factor
                          (no better fit, but a smaller gap)
        "neither"         otherwise

    Optimization is checked first: a recipe that fits the training set much
    better is credited to optimization even if its gap shrinks as well.
    """
    check_positive("factor", factor)
    if factor < 1:
        raise ValueError(
            f"Invalid factor: {factor} (expected >= 1, an improvement by "
            "at least this factor)"
        )
    (train, val), (train_ref, val_ref) = recipe, reference
    if train <= train_ref / factor:
        return "optimization"
    if val - train <= (val_ref - train_ref) / factor:
        return "regularization"
    return "neither"
