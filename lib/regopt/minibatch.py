"""Learning is not pure optimization (chapter 2): the 0-1 loss and
minibatch gradients.

- ``zero_one_loss``: the loss we care about for a classifier, which training
  cannot use
- ``per_example_gradients``: one gradient row per training example, the
  matrix G
- ``minibatch_gradient``: the estimate g_B of the full gradient from a
  minibatch B
- ``gradient_noise``: how far g_B is from the full gradient on average, in
  closed form
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from ._checks import check_ndim, check_positive_int, check_same_length

__all__ = [
    "zero_one_loss", "per_example_gradients", "minibatch_gradient",
    "gradient_noise",
]


def zero_one_loss(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The fraction of misclassified examples,
    1/m sum_i [argmax_k f(x_i)_k != y_i].

    ``scores`` has shape (m, K), one row of class scores per example. The
    value is piecewise constant in the parameters, so its gradient is zero
    wherever it exists; training minimizes a surrogate such as the negative
    log-likelihood instead.
    """
    check_ndim("scores", scores, 2)
    check_same_length("scores", scores, "y", y)
    return (scores.argmax(dim=1) != y).double().mean()


def per_example_gradients(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
) -> torch.Tensor:
    """The matrix G of per-example gradients, shape (m, P): row i is
    grad_theta L(f(x_i; theta), y_i).

    Parameters are flattened and concatenated in the order of
    ``model.parameters()``; the full gradient of J = 1/m sum_i L_i is the
    mean of the rows, G.mean(0). Computed with ``torch.func.vmap`` over
    examples, so it costs about one batched backward pass. ``loss_fn`` must
    average over its batch (as ``cross_entropy`` does by default).
    """
    check_same_length("X", X, "y", y)
    params = {name: p.detach() for name, p in model.named_parameters()}

    def loss_of_one(
        theta: dict[str, torch.Tensor],
        x: torch.Tensor,
        target: torch.Tensor,
    ) -> torch.Tensor:
        # a batch of one
        scores = functional_call(model, theta, (x.unsqueeze(0),))
        return loss_fn(scores, target.unsqueeze(0))

    # name -> (m, *shape)
    grads = vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, X, y)
    # (m, P)
    return torch.cat(
        [grads[name].flatten(start_dim=1) for name in params], dim=1
    )


def minibatch_gradient(
    G: torch.Tensor, batch: torch.Tensor
) -> torch.Tensor:
    """The minibatch estimate g_B = 1/|B| sum_{i in B} g_i of the full
    gradient g = 1/m sum_i g_i.

    ``G`` holds the per-example gradients g_i as rows (m, P); ``batch`` the
    indices B.
    """
    check_ndim("G", G, 2)
    if batch.numel() == 0:
        raise ValueError("Invalid batch: expected at least one index")
    return G[batch].mean(dim=0)  # (P,)


def gradient_noise(
    G: torch.Tensor, batch_size: int, *, replacement: bool = False
) -> float:
    """The expected squared error E ||g_B - g||^2 of a minibatch gradient of
    ``batch_size`` examples.

    With sigma^2 = 1/m sum_i ||g_i - g||^2, the spread of the per-example
    gradients (the trace of their covariance), and |B| examples drawn
    uniformly at random:

        with replacement:     E ||g_B - g||^2 = sigma^2 / |B|
        without replacement:  E ||g_B - g||^2 = sigma^2 / |B|
                                                * (m - |B|) / (m - 1)

    The second factor is the finite-population correction: it is 1 for
    |B| = 1 and 0 for |B| = m, the full batch, whose estimate is exact.
    Minibatches are drawn without replacement in ``regopt.train.fit``
    (a permutation per epoch), hence the default.
    """
    check_ndim("G", G, 2)
    check_positive_int("batch_size", batch_size)
    m = G.shape[0]
    if not replacement and batch_size > m:
        raise ValueError(
            f"Invalid batch_size: {batch_size} (expected at most m = {m} "
            "without replacement)"
        )
    g = G.mean(dim=0)  # the full gradient
    # 1/m sum_i ||g_i - g||^2
    sigma2 = (G - g).pow(2).sum(dim=1).mean().item()
    if replacement:
        return sigma2 / batch_size
    if m == 1:
        return 0.0
    return sigma2 / batch_size * (m - batch_size) / (m - 1)
