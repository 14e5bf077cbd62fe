"""Input standardization and batch normalization, written out (chapter 9).

``BatchNorm1d`` is a twin of ``torch.nn.BatchNorm1d``: same arguments, same
buffers (``running_mean``, ``running_var``, ``num_batches_tracked``), same
outputs, running statistics and gradients, so either module's ``state_dict``
loads into the other.
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import check_positive, check_positive_int

__all__ = ["BatchNorm1d", "standardize"]


def standardize(
    X: torch.Tensor,
    mean: torch.Tensor | None = None,
    std: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Standardize the columns of ``X``: x' = (x - mu) / sigma. Returns
    ``(X', mu, sigma)``.

    Without ``mean`` and ``std``, mu and sigma are the column means and
    (biased) standard deviations of ``X`` itself, and a constant column gets
    sigma = 1. Compute them on the training set and pass them back in for
    validation and test data, so that no statistic leaks from the
    held-out examples.
    """
    if X.dim() != 2:
        raise ValueError(
            "Invalid X: expected a 2-D tensor (examples x features), got "
            f"shape {tuple(X.shape)}"
        )
    if (mean is None) != (std is None):
        raise ValueError(
            "Pass both mean and std (statistics of the training "
            "set), or neither"
        )
    if mean is None:
        mean = X.mean(dim=0)  # (D,)
        std = X.std(dim=0, unbiased=False)  # (D,)
        std = torch.where(std > 0, std, torch.ones_like(std))
    for name, stat in (("mean", mean), ("std", std)):
        if stat.shape != X.shape[1:]:
            raise ValueError(
                f"Invalid {name}: expected shape {tuple(X.shape[1:])}, got "
                f"{tuple(stat.shape)}"
            )
    if (std <= 0).any():
        raise ValueError("Invalid std: every entry must be positive")
    return (X - mean) / std, mean, std


class BatchNorm1d(nn.Module):
    """Batch normalization over a minibatch of shape (N, C) or (N, C, L),
    as ``torch.nn.BatchNorm1d``.

    In training mode, for each feature (channel) c, with the m = N (or N L)
    values x_i of the minibatch B:

        mu_B      = 1/m sum_i x_i
        sigma2_B  = 1/m sum_i (x_i - mu_B)^2   (biased: used to normalize)
        x_hat_i   = (x_i - mu_B) / sqrt(sigma2_B + eps)
        y_i       = gamma x_hat_i + beta       (gamma = weight, beta = bias)
        mu_run    <- (1 - momentum) mu_run + momentum mu_B
        var_run   <- (1 - momentum) var_run + momentum m/(m-1) sigma2_B

    In evaluation mode mu_run and var_run replace mu_B and sigma2_B, so an
    example's output no longer depends on the rest of its batch. Gradients
    flow through mu_B and sigma2_B by autograd, as in the
    chapter's derivation.

    Note: the running variance averages the *unbiased* batch variance,
    m/(m-1) sigma2_B, while the normalization uses the biased one; this is
    what PyTorch (and Ioffe and Szegedy's inference rule) does. ``momentum``
    weighs the *new* statistic, the opposite of an optimizer's momentum;
    ``momentum=None`` gives the cumulative average over all batches seen
    (factor 1/num_batches_tracked). Without ``track_running_stats`` there
    are no running statistics and batch statistics are used in both modes.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        check_positive_int("num_features", num_features)
        check_positive("eps", eps)
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(
                f"Invalid momentum: {momentum} (expected 0 <= momentum "
                "<= 1, or None)"
            )
        self.num_features, self.eps, self.momentum = (
            num_features, eps, momentum
        )
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))  # gamma
            self.bias = nn.Parameter(torch.zeros(num_features))  # beta
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def _check_input(self, x: torch.Tensor) -> None:
        if x.dim() not in (2, 3):
            raise ValueError(
                "BatchNorm1d expects a 2-D (N, C) or 3-D (N, C, L) input, "
                f"got shape {tuple(x.shape)}"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}) got an input with "
                f"{x.shape[1]} features (shape {tuple(x.shape)})"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        # every axis except the feature axis
        dims = (0,) if x.dim() == 2 else (0, 2)
        # broadcast a (C,) vector against x
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats:
            m = x.numel() // self.num_features
            if self.training and m < 2:
                raise ValueError(
                    "BatchNorm1d needs more than 1 value per feature in "
                    f"training, got shape {tuple(x.shape)}"
                )
            mu = x.mean(dim=dims)  # mu_B, (C,)
            # sigma2_B (biased), (C,)
            var = ((x - mu.view(shape)) ** 2).mean(dim=dims)
            if self.training and self.track_running_stats:
                self._update_running_stats(mu.detach(), var.detach(), m)
        else:
            mu, var = self.running_mean, self.running_var
        x_hat = (
            (x - mu.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        )
        if self.affine:
            # gamma x_hat + beta
            return self.weight.view(shape) * x_hat + self.bias.view(shape)
        return x_hat

    @torch.no_grad()
    def _update_running_stats(
        self, mu: torch.Tensor, var: torch.Tensor, m: int
    ) -> None:
        self.num_batches_tracked.add_(1)
        rho = (
            self.momentum
            if self.momentum is not None
            else 1.0 / self.num_batches_tracked.item()
        )
        # mu_run <- (1 - rho) mu_run + rho mu_B
        self.running_mean.mul_(1 - rho).add_(mu, alpha=rho)
        # unbiased sigma2_B
        self.running_var.mul_(1 - rho).add_(var * m / (m - 1), alpha=rho)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, "
            f"momentum={self.momentum}, affine={self.affine}, "
            f"track_running_stats={self.track_running_stats}"
        )
