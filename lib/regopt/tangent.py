"""Tangent vectors, tangent distance, tangent propagation and the manifold
tangent classifier (chapter 18).

A transformation T_a (shift by a pixels, rotation by a radians;
``regopt.augmentation.affine`` of chapter 14 makes them) moves an image x
along a curve; its tangent vector at x is v = dT_a(x)/da at a = 0. For a
shift to the right, T_a(x)(u) = x(u - a e_1), so v = -dx/du_1, computed here
by central differences.

Tangent distance (Simard et al., 1993) compares two images through their
tangent planes:

    TD(x, y) = min_{a, b} || (x + T_x^T a) - (y + T_y^T b) ||
               (rows of T_x: tangents at x)

Tangent propagation (Simard et al., 1992) penalizes the directional
derivatives of the network output f along the tangents v_i(x) of
each example:

    Omega(f) = 1/N sum_n sum_i || J_f(x_n) v_i(x_n) ||^2,
    J_f(x) v = (grad_x f(x))^T v.

The manifold tangent classifier (Rifai et al., 2011) takes v_i(x) from an
autoencoder instead: the leading right singular vectors of the encoder's
Jacobian dh/dx, of an autoencoder trained with the contractive penalty
(Rifai et al., 2011)

    Omega(h) = 1/N sum_n || dh/dx (x_n) ||_F^2,

which flattens the code in every direction the reconstruction does not need.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_ndim, check_positive, check_positive_int
from .adversarial import LastInput

__all__ = [
    "tangent_vectors",
    "tangent_distance",
    "tangent_prop_penalty",
    "TangentProp",
    "encoder_tangents",
    "contractive_penalty",
    "ContractivePenalty",
]

TRANSFORMS = ("x", "y", "rotation")


def _side(images: torch.Tensor) -> int:
    if images.dim() != 2:
        raise ValueError(
            "Invalid images: expected a 2-D tensor (N, side * side), got "
            f"shape {tuple(images.shape)}"
        )
    side = math.isqrt(images.shape[1])
    if side * side != images.shape[1]:
        raise ValueError(
            f"Invalid images: {images.shape[1]} pixels per row is not a "
            "square image"
        )
    return side


def _image_gradients(
    images: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Central differences dx/du_1 (along a row) and dx/du_2
    (down a column), zero outside the image.
    """
    n, side = len(images), _side(images)
    padded = F.pad(images.reshape(n, side, side), (1, 1, 1, 1))
    d1 = (padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]) / 2  # (N, s, s)
    d2 = (padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]) / 2
    return d1.reshape(n, -1), d2.reshape(n, -1)


def _check_tangents(
    name: str, tangents: torch.Tensor, points: torch.Tensor
) -> None:
    """Raise ``ValueError`` unless ``tangents`` is (N, k, D) for ``points``
    (N, D).
    """
    if (
        tangents.dim() != 3
        or tangents.shape[0] != len(points)
        or tangents.shape[2] != points.shape[1]
    ):
        raise ValueError(
            f"Invalid {name}: expected shape ({len(points)}, k, "
            f"{points.shape[1]}), got {tuple(tangents.shape)}"
        )


def tangent_vectors(
    images: torch.Tensor, transforms: Sequence[str] = TRANSFORMS
) -> torch.Tensor:
    """Tangent vectors dT_a(x)/da at a = 0 of each image, shape
    (N, len(transforms), s*s).

    The transformations are those of ``regopt.augmentation.affine``.
    ``"x"``: shift right, v = -dx/du_1. ``"y"``: shift down, v = -dx/du_2.
    ``"rotation"``: counterclockwise on the screen, per radian
    (``affine`` takes degrees). With p = u - centre (u_1 the column, u_2 the
    row, pointing down), the new image at p shows the old one at
    [[cos a, -sin a], [sin a, cos a]] p = p + a (-p_2, p_1) + O(a^2), so
    v = -p_2 dx/du_1 + p_1 dx/du_2.
    """
    unknown = [t for t in transforms if t not in TRANSFORMS]
    if unknown or not transforms:
        raise ValueError(
            f"Invalid transforms: {list(transforms)!r} (expected some of "
            f"{TRANSFORMS})"
        )
    side = _side(images)
    d1, d2 = _image_gradients(images)
    p2, p1 = torch.meshgrid(
        *[torch.arange(side, dtype=images.dtype) - (side - 1) / 2] * 2,
        indexing="ij",
    )
    tangent = {
        "x": -d1, "y": -d2,
        "rotation": -p2.reshape(-1) * d1 + p1.reshape(-1) * d2,
    }
    return torch.stack([tangent[t] for t in transforms], dim=1)


def tangent_distance(
    x: torch.Tensor,
    tangents_x: torch.Tensor,
    y: torch.Tensor,
    tangents_y: torch.Tensor | None = None,
) -> torch.Tensor:
    """Tangent distances between every row of ``x`` (N, D) and every row of
    ``y`` (M, D): (N, M).

    Two-sided: TD(x, y) = min_{a, b} ||x + T_x^T a - y - T_y^T b||, with
    ``tangents_x`` (N, k, D) and ``tangents_y`` (M, k', D). One-sided
    (``tangents_y=None``): only x moves in its tangent plane. With
    A = [T_x^T, -T_y^T] and d = y - x this is a least-squares residual,
    ||d - A c||^2 minimal at A^T A c = A^T d, so

        TD(x, y)^2 = ||d||^2 - (A^T d)^T (A^T A)^+ (A^T d).
    """
    check_ndim("x", x, 2)
    check_ndim("y", y, 2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"Invalid y: rows of width {y.shape[1]}, but the rows of x "
            f"have width {x.shape[1]}"
        )
    _check_tangents("tangents_x", tangents_x, x)
    d = y[None, :, :] - x[:, None, :]  # (N, M, D)
    # (N, M, k, k)
    gram = (tangents_x @ tangents_x.transpose(1, 2))[:, None].expand(
        -1, len(y), -1, -1
    )
    b = torch.einsum("nkd,nmd->nmk", tangents_x, d)  # T_x d
    if tangents_y is not None:
        _check_tangents("tangents_y", tangents_y, y)
        # T_x (-T_y)^T
        cross = -torch.einsum("nkd,mjd->nmkj", tangents_x, tangents_y)
        gram_y = (tangents_y @ tangents_y.transpose(1, 2))[None].expand(
            len(x), -1, -1, -1
        )
        gram = torch.cat(
            [
                torch.cat([gram, cross], dim=3),
                torch.cat([cross.transpose(2, 3), gram_y], dim=3),
            ],
            dim=2,
        )
        b = torch.cat(
            [b, -torch.einsum("mjd,nmd->nmj", tangents_y, d)], dim=2
        )
    # (N, M, K) best coefficients
    c = (torch.linalg.pinv(gram, hermitian=True) @ b[..., None])[..., 0]
    squared = (d**2).sum(dim=2) - (b * c).sum(dim=2)
    return squared.clamp(min=0).sqrt()


def tangent_prop_penalty(
    model: nn.Module, x: torch.Tensor, tangents: torch.Tensor
) -> torch.Tensor:
    """Omega = 1/N sum_n sum_i ||J_f(x_n) v_i||^2 for ``tangents`` v
    (N, k, D) at the inputs x (N, D).

    J_f(x) v, the directional derivative of every output of f along v, is a
    Jacobian-vector product; ``create_graph=True`` keeps it differentiable
    with respect to the parameters.
    """
    _check_tangents("tangents", tangents, x)
    n, k, d = tangents.shape
    # (N k, D): example n once per tangent
    x_rep = x.detach().repeat_interleave(k, dim=0)
    # (N k, C)
    _, jv = torch.autograd.functional.jvp(
        model, x_rep, tangents.reshape(n * k, d), create_graph=True
    )
    return (jv**2).sum() / n


class TangentProp:
    """``penalty=`` for ``fit``: weight * Omega(f) on the minibatch the
    model has just seen, with tangents ``tangent_fn(x)`` (N, k, D): e.g.
    ``tangent_vectors`` for known transformations, or
    ``lambda x: encoder_tangents(encode, x, k=k)`` for the manifold
    tangent classifier.
    """

    def __init__(
        self,
        model: nn.Module,
        tangent_fn: Callable[[torch.Tensor], torch.Tensor],
        *,
        weight: float,
    ) -> None:
        check_positive("weight", weight, allow_zero=True)
        self.tangent_fn, self.weight = tangent_fn, weight
        self.inputs = LastInput(model)

    def __call__(self, model: nn.Module) -> torch.Tensor:
        x = self.inputs.x
        if x is None:
            raise RuntimeError(
                "TangentProp has seen no training forward pass yet: run "
                "the model first"
            )
        return self.weight * tangent_prop_penalty(
            model, x, self.tangent_fn(x.detach())
        )


def _encoder_jacobians(
    encoder: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    create_graph: bool = False,
) -> torch.Tensor:
    """J(x_n) = dh/dx for every row, (N, H, D). ``encoder`` maps (N, D) to
    (N, H) row by row, so the Jacobian of its column sums holds
    every J(x_n).
    """
    # (H, N, D)
    jac = torch.autograd.functional.jacobian(
        lambda z: encoder(z).sum(dim=0), x, create_graph=create_graph,
        vectorize=True,
    )
    return jac.permute(1, 0, 2)


def contractive_penalty(
    encoder: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> torch.Tensor:
    """Omega = 1/N sum_n ||J(x_n)||_F^2, J = dh/dx: the squared Frobenius
    norm of the encoder's Jacobian, averaged over the rows of x;
    differentiable with respect to the encoder's parameters.
    """
    # (N, H, D)
    jac = _encoder_jacobians(encoder, x.detach(), create_graph=True)
    return (jac**2).sum() / len(x)


class ContractivePenalty:
    """``penalty=`` for ``fit`` on an autoencoder ``model``:
    weight * ``contractive_penalty(encoder, x)`` on the minibatch ``model``
    has just seen (``encoder`` is e.g. ``model.encode``).
    """

    def __init__(
        self,
        model: nn.Module,
        encoder: Callable[[torch.Tensor], torch.Tensor],
        *,
        weight: float,
    ) -> None:
        check_positive("weight", weight, allow_zero=True)
        self.encoder, self.weight = encoder, weight
        self.inputs = LastInput(model)

    def __call__(self, model: nn.Module) -> torch.Tensor:
        if self.inputs.x is None:
            raise RuntimeError(
                "ContractivePenalty has seen no training forward pass yet: "
                "run the model first"
            )
        return self.weight * contractive_penalty(
            self.encoder, self.inputs.x
        )


def encoder_tangents(
    encoder: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    k: int,
) -> torch.Tensor:
    """Estimated tangent planes of the data manifold: (N, k, D),
    orthonormal rows.

    For each x_n, the k leading right singular vectors of the encoder's
    Jacobian J(x_n) = dh/dx (H, D): the input directions the code h is most
    sensitive to, which a contractive autoencoder keeps only along the data
    (Rifai et al., 2011). ``encoder`` maps (N, D) to (N, H) row by row. The
    signs of the vectors are arbitrary.
    """
    check_positive_int("k", k)
    jac = _encoder_jacobians(encoder, x.detach())  # (N, H, D)
    if k > min(jac.shape[1:]):
        raise ValueError(
            f"Invalid k: {k} (expected at most min(code size, input size) "
            f"= {min(jac.shape[1:])})"
        )
    # vh: (N, min(H, D), D)
    _, _, vh = torch.linalg.svd(jac, full_matrices=False)
    return vh[:, :k]
