"""Backpropagation written out by hand for a two-layer network (chapter 1).

The network and its loss, for inputs X (m, d) and targets y (m, k):

    z1 = X W1 + b1            (m, h)
    a1 = tanh(z1)             (m, h)
    y_hat = a1 W2 + b2        (m, k)
    J = 1/(2m) sum (y_hat - y)^2

The chain rule, applied from the loss back to each parameter:

    dJ/dy_hat = (y_hat - y) / m
    dJ/dW2 = a1^T dJ/dy_hat           dJ/db2 = sum over rows of dJ/dy_hat
    dJ/da1 = dJ/dy_hat W2^T
    dJ/dz1 = dJ/da1 * (1 - a1^2)      (tanh'(z) = 1 - tanh(z)^2)
    dJ/dW1 = X^T dJ/dz1               dJ/db1 = sum over rows of dJ/dz1

Autograd computes the same numbers; ``tests/`` checks that it does.
"""

from __future__ import annotations

import torch

from ._checks import (
    check_ndim, check_positive, check_positive_int, check_same_length
)

__all__ = [
    "init_params", "forward", "mse_loss", "backward",
    "gradient_descent_step",
]

Params = dict[str, torch.Tensor]


def init_params(
    n_in: int,
    n_hidden: int,
    n_out: int,
    *,
    scale: float = 0.5,
    dtype: torch.dtype = torch.float64,
    seed: int = 0,
) -> Params:
    """Step 1 of the recipe: W1, W2 ~ N(0, scale^2 / fan_in) entries,
    zero biases.
    """
    for name, value in (
        ("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)
    ):
        check_positive_int(name, value)
    check_positive("scale", scale)
    g = torch.Generator().manual_seed(seed)
    return {
        "W1": (
            torch.randn(n_in, n_hidden, generator=g, dtype=dtype)
            * scale / n_in**0.5
        ),
        "b1": torch.zeros(n_hidden, dtype=dtype),
        "W2": (
            torch.randn(n_hidden, n_out, generator=g, dtype=dtype)
            * scale / n_hidden**0.5
        ),
        "b2": torch.zeros(n_out, dtype=dtype),
    }


def forward(
    params: Params, X: torch.Tensor
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Step 2: y_hat = tanh(X W1 + b1) W2 + b2. Returns y_hat and what
    backward needs.
    """
    check_ndim("X", X, 2)
    if X.shape[1] != params["W1"].shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features but W1 expects "
            f"{params['W1'].shape[0]}"
        )
    a1 = torch.tanh(X @ params["W1"] + params["b1"])  # (m, h)
    y_hat = a1 @ params["W2"] + params["b2"]  # (m, k)
    return y_hat, {"X": X, "a1": a1, "y_hat": y_hat}


def mse_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Step 3: J = 1/(2m) sum (y_hat - y)^2 over all m rows and k outputs.
    """
    if y_hat.shape != y.shape:
        raise ValueError(
            "y_hat and y must have the same shape, got "
            f"{tuple(y_hat.shape)} and {tuple(y.shape)}"
        )
    return 0.5 * ((y_hat - y) ** 2).sum() / len(y)


def backward(
    params: Params, cache: dict[str, torch.Tensor], y: torch.Tensor
) -> Params:
    """Step 4: the gradient of J with respect to every parameter, by the
    chain rule.
    """
    X, a1, y_hat = cache["X"], cache["a1"], cache["y_hat"]
    check_same_length("y_hat", y_hat, "y", y)
    m = len(y)
    d_yhat = (y_hat - y) / m  # (m, k)
    d_a1 = d_yhat @ params["W2"].T  # (m, h)
    d_z1 = d_a1 * (1 - a1**2)  # (m, h)
    return {
        "W1": X.T @ d_z1,  # (d, h)
        "b1": d_z1.sum(dim=0),  # (h,)
        "W2": a1.T @ d_yhat,  # (h, k)
        "b2": d_yhat.sum(dim=0),  # (k,)
    }


def gradient_descent_step(
    params: Params, grads: Params, *, lr: float
) -> Params:
    """Step 5: theta <- theta - eta * grad_theta J, for every parameter;
    returns new tensors.
    """
    check_positive("lr", lr)
    if params.keys() != grads.keys():
        raise ValueError(
            f"params and grads name different tensors: {sorted(params)} vs "
            f"{sorted(grads)}"
        )
    return {name: params[name] - lr * grads[name] for name in params}
