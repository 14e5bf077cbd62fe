"""Autoencoders, under- and overcomplete, with an L2 penalty or tied weights
(chapter 19).

An autoencoder with n inputs and k hidden units encodes and decodes

    h     = s(W x + b)          W: (k, n), the encoder
    x_hat = W* h + c            W*: (n, k), the decoder;
                                tied weights: W* = W^T

and is trained on the reconstruction error plus, optionally, an L2 penalty
on the weights

    J(theta) = 1/N sum_i ||x_hat_i - x_i||^2
               + lambda/2 (||W||^2 + ||W*||^2).

It is undercomplete when k < n and overcomplete when k >= n. The penalty is
``regopt.penalties.l2_penalty(lambda)``: it acts on the weight matrices
(W, and W* unless tied) and leaves the biases alone. With tied weights the
matrix W is used twice, so dJ/dW is the sum of the gradients along its two
paths to the loss (``tied_weight_gradient`` writes both out).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_columns, check_positive_int
from .reproducibility import seed_everything

__all__ = ["Autoencoder", "reconstruction_error", "tied_weight_gradient"]

# s'(z) written with h = s(z), for the activations the by-hand
# gradient knows.
_DERIVATIVE = {
    nn.Sigmoid: lambda h: h * (1 - h),
    nn.Tanh: lambda h: 1 - h**2,
    nn.Identity: lambda h: torch.ones_like(h),
}


class Autoencoder(nn.Module):
    """``x -> s(W x + b) -> W* h + c``; with ``tied=True`` the decoder uses
    W* = W^T.

    ``activation`` is a module class such as ``nn.Sigmoid``, ``nn.Tanh`` or
    ``nn.Identity`` (a linear autoencoder); ``tied_weight_gradient`` knows
    the derivatives of these three. The decoder is linear, so the
    reconstruction can take any real value (standardized pixels, for
    instance). With a ``seed`` all generators are reseeded first, so the
    same call gives the same weights. Parameters: ``encoder``
    (an ``nn.Linear(n_in, n_hidden)``) and either ``decoder``
    (an ``nn.Linear(n_hidden, n_in)``) or, when tied, only the decoder bias
    ``decoder_bias``: a tied autoencoder has n k fewer parameters.
    """

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        *,
        tied: bool = False,
        activation: type[nn.Module] = nn.Sigmoid,
        seed: int | None = 0,
    ) -> None:
        super().__init__()
        check_positive_int("n_in", n_in)
        check_positive_int("n_hidden", n_hidden)
        if not (
            isinstance(activation, type)
            and issubclass(activation, nn.Module)
        ):
            raise ValueError(
                f"Invalid activation: {activation!r} (expected a module "
                "class such as nn.Sigmoid)"
            )
        if seed is not None:
            seed_everything(seed)
        self.tied = tied
        self.encoder = nn.Linear(n_in, n_hidden)
        self.activation = activation()
        if tied:
            self.decoder_bias = nn.Parameter(torch.zeros(n_in))
        else:
            self.decoder = nn.Linear(n_hidden, n_in)

    @property
    def decoder_weight(self) -> torch.Tensor:
        """W*, shape (n_in, n_hidden): the encoder's weight transposed
        when tied.
        """
        return self.encoder.weight.T if self.tied else self.decoder.weight

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """h = s(W x + b), row by row: (N, n_in) -> (N, n_hidden)."""
        return self.activation(self.encoder(x))

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """x_hat = W* h + c, row by row: (N, n_hidden) -> (N, n_in)."""
        bias = self.decoder_bias if self.tied else self.decoder.bias
        return F.linear(h, self.decoder_weight, bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction x_hat = decode(encode(x))."""
        return self.decode(self.encode(x))


def reconstruction_error(
    x_hat: torch.Tensor, x: torch.Tensor
) -> torch.Tensor:
    """1/N sum_i ||x_hat_i - x_i||^2: squared error summed over the
    features, averaged over the rows.

    Usable as ``loss_fn`` in ``regopt.train.fit`` with the inputs as
    targets, ``train=(X, X)``.
    """
    if x_hat.shape != x.shape:
        raise ValueError(
            "x_hat and x must have the same shape, got "
            f"{tuple(x_hat.shape)} and {tuple(x.shape)}"
        )
    return ((x_hat - x) ** 2).sum(dim=-1).mean()


@torch.no_grad()
def tied_weight_gradient(
    model: Autoencoder, X: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradient of ``reconstruction_error`` with respect to the tied W,
    path by path.

    With z = X W^T + b (N, k), H = s(z), X_hat = H W + c (N, n) and
    R = X_hat - X:

        dJ/dX_hat = 2 R / N                                   (N, n)
        decoder path (W as W*):  H^T dJ/dX_hat                (k, n)
        encoder path (W in z):   (dJ/dX_hat W^T * s'(z))^T X  (k, n)

    Returns the pair (decoder path, encoder path); autograd's dJ/dW is
    their sum.
    """
    if not model.tied:
        raise ValueError(
            "Invalid model: tied_weight_gradient needs an Autoencoder "
            "with tied=True"
        )
    if type(model.activation) not in _DERIVATIVE:
        names = ", ".join(f"nn.{a.__name__}" for a in _DERIVATIVE)
        raise ValueError(
            f"Invalid activation: {type(model.activation).__name__} (the "
            f"by-hand gradient knows {names})"
        )
    W = model.encoder.weight  # (k, n)
    check_columns("X", X, W.shape[1], "the autoencoder's input size")
    H = model.encode(X)  # (N, k)
    R = model.decode(H) - X  # (N, n)
    dX_hat = 2 * R / len(X)  # (N, n)
    decoder_path = H.T @ dX_hat  # (k, n)
    dZ = (dX_hat @ W.T) * _DERIVATIVE[type(model.activation)](H)  # (N, k)
    encoder_path = dZ.T @ X  # (k, n)
    return decoder_path, encoder_path
