"""Dataset augmentation for small square images: shifts, rotations, scaling
(chapter 14).

A label-preserving transformation T makes a new training pair (T(x), y) from
(x, y). For images we move the content: a point p of the new image shows
the point

    T^{-1}(p) = A^{-1} (p - t),   A = s R(a),

of the old one, where R(a) rotates by the angle a (degrees, counterclockwise
on the screen), s scales about the centre and t shifts (t_x pixels right,
t_y pixels down). Values between pixel centres are interpolated bilinearly;
what enters from outside the image is 0 (the background of raw digits; use
them unstandardized). Integer shifts need no interpolation: ``shift`` moves
the pixels exactly.

Images are (N, H, W) tensors, or (N, H*W) rows of square images
(the digits' 64 pixels), and come back in the shape they came in.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_positive, is_int

__all__ = ["shift", "affine", "random_affine", "RandomAffine"]


def _as_images(X: torch.Tensor) -> torch.Tensor:
    """(N, H, W) as is; (N, D) with D a square number as
    (N, sqrt(D), sqrt(D)).
    """
    if X.dim() == 3:
        return X
    side = math.isqrt(X.shape[-1]) if X.dim() == 2 else 0
    if X.dim() != 2 or side * side != X.shape[-1]:
        raise ValueError(
            "Invalid images: expected shape (N, H, W) or (N, D) with D a "
            f"square number, got {tuple(X.shape)}"
        )
    return X.reshape(len(X), side, side)


def _check_shift(name: str, value: float, side: int) -> None:
    if not -side < value < side:
        raise ValueError(
            f"Invalid {name}: {value} (expected |{name}| < {side} pixels, "
            "the image size)"
        )


def _check_angle(name: str, value: float) -> None:
    if not -180 <= value <= 180:
        raise ValueError(
            f"Invalid {name}: {value} (expected degrees between "
            "-180 and 180)"
        )


def _check_scale(name: str, value: float) -> None:
    if not 0.25 <= value <= 4:
        raise ValueError(
            f"Invalid {name}: {value} (expected a factor "
            "between 0.25 and 4)"
        )


def _check_ranges(
    max_angle: float,
    scale_range: tuple[float, float],
    max_shift: float,
    side: int | None = None,
) -> None:
    _check_angle("max_angle", max_angle)
    check_positive("max_angle", max_angle, allow_zero=True)
    low, high = scale_range
    _check_scale("scale_range[0]", low)
    _check_scale("scale_range[1]", high)
    if low > high:
        raise ValueError(
            f"Invalid scale_range: {scale_range} (expected low <= high)"
        )
    check_positive("max_shift", max_shift, allow_zero=True)
    if side is not None:
        _check_shift("max_shift", max_shift, side)


def shift(X: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Move the content ``dx`` pixels right and ``dy`` pixels down, exactly;
    zeros enter.

    new[i, j] = old[i - dy, j - dx] where that pixel exists, else 0.
    """
    images = _as_images(X)
    H, W = images.shape[-2:]
    for name, value, side in (("dx", dx, W), ("dy", dy, H)):
        if not is_int(value):
            raise ValueError(
                f"Invalid {name}: {value!r} (expected an integer; use "
                "affine for sub-pixel shifts)"
            )
        _check_shift(name, value, side)
    out = torch.zeros_like(images)
    out[:, max(dy, 0) : H + min(dy, 0), max(dx, 0) : W + min(dx, 0)] = (
        images[
            :, max(-dy, 0) : H + min(-dy, 0), max(-dx, 0) : W + min(-dx, 0)
        ]
    )
    return out.reshape(X.shape)


def _inverse_maps(
    angle: torch.Tensor,
    scale: torch.Tensor,
    dx: torch.Tensor,
    dy: torch.Tensor,
    H: int,
    W: int,
):
    """The (N, 2, 3) matrices [A^{-1}, -A^{-1} t] in the [-1, 1] coordinates
    of ``affine_grid``.
    """
    a = torch.deg2rad(angle)
    cos, sin = torch.cos(a) / scale, torch.sin(a) / scale
    # y points down on the screen, so a counterclockwise turn has
    # R = [[cos, sin], [-sin, cos]]; its inverse, divided by s, is A^{-1}.
    # (N, 2, 2)
    A_inv = torch.stack(
        [torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2
    )
    # (N, 2): pixels -> [-1, 1] units
    t = torch.stack([2 * dx / W, 2 * dy / H], -1)
    # (N, 2, 3)
    return torch.cat([A_inv, -(A_inv @ t.unsqueeze(-1))], dim=-1)


def _warp(X: torch.Tensor, angle, scale, dx, dy) -> torch.Tensor:
    images = _as_images(X)
    N, H, W = images.shape
    params = [
        torch.as_tensor(
            v, dtype=images.dtype, device=images.device
        ).expand(N)
        for v in (angle, scale, dx, dy)
    ]
    theta = _inverse_maps(*params, H, W)
    grid = F.affine_grid(theta, [N, 1, H, W], align_corners=False)
    out = F.grid_sample(
        images.unsqueeze(1), grid, mode="bilinear", padding_mode="zeros",
        align_corners=False,
    )
    return out.reshape(X.shape)


def affine(
    X: torch.Tensor,
    *,
    angle: float = 0.0,
    scale: float = 1.0,
    dx: float = 0.0,
    dy: float = 0.0,
) -> torch.Tensor:
    """Rotate by ``angle`` degrees (counterclockwise), scale by ``scale``
    about the centre, then shift by (``dx``, ``dy``) pixels:
    new(p) = old(A^{-1}(p - t)), bilinear, zeros outside.

    The same transformation for every image. Ranges: |angle| <= 180,
    0.25 <= scale <= 4, |dx|, |dy| smaller than the image.
    """
    images = _as_images(X)
    _check_angle("angle", angle)
    _check_scale("scale", scale)
    _check_shift("dx", dx, images.shape[-1])
    _check_shift("dy", dy, images.shape[-2])
    return _warp(X, angle, scale, dx, dy)


def random_affine(
    X: torch.Tensor,
    *,
    max_angle: float = 10.0,
    scale_range: tuple[float, float] = (0.9, 1.1),
    max_shift: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A different random ``affine`` transformation of every image:

    angle ~ U[-max_angle, max_angle], scale ~ U[scale_range],
    dx, dy ~ U[-max_shift, max_shift].
    """
    _check_ranges(
        max_angle, scale_range, max_shift,
        side=min(_as_images(X).shape[-2:]),
    )

    def uniform(lo: float, hi: float) -> torch.Tensor:
        u = torch.rand(len(X), generator=generator, dtype=X.dtype)
        return (lo + (hi - lo) * u).to(X.device)

    angle, scale = uniform(-max_angle, max_angle), uniform(*scale_range)
    dx, dy = uniform(-max_shift, max_shift), uniform(-max_shift, max_shift)
    return _warp(X, angle, scale, dx, dy)


class RandomAffine(nn.Module):
    """``random_affine`` on every input batch in training mode; the identity
    in eval mode.

    Put it first in a model, ``nn.Sequential(RandomAffine(), net)``: ``fit``
    then trains on freshly transformed images at every step and evaluates on
    the originals. The labels are untouched, which is what makes the
    transformations label-preserving by assumption.
    """

    def __init__(
        self,
        *,
        max_angle: float = 10.0,
        scale_range: tuple[float, float] = (0.9, 1.1),
        max_shift: float = 1.0,
    ) -> None:
        super().__init__()
        # now, not at the first batch
        _check_ranges(max_angle, scale_range, max_shift)
        self.max_angle, self.scale_range, self.max_shift = (
            max_angle, scale_range, max_shift
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        return random_affine(
            x, max_angle=self.max_angle, scale_range=self.scale_range,
            max_shift=self.max_shift,
        )

    def extra_repr(self) -> str:
        return (
            f"max_angle={self.max_angle}, scale_range={self.scale_range}, "
            f"max_shift={self.max_shift}"
        )
