"""Checks of regopt.augmentation: exact integer shifts, identities, inverses, labels unchanged."""

from __future__ import annotations

import functools
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from regopt.augmentation import RandomAffine, affine, random_affine, shift
from regopt.data import digits

TOL = dict(rtol=0, atol=1e-12)


def _images(n: int = 5, side: int = 8) -> torch.Tensor:
    return torch.rand(n, side, side, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


@functools.cache
def _raw_digits(n: int = 50) -> tuple[torch.Tensor, torch.Tensor]:
    X, y = digits(standardize=False, dtype=torch.float64).train
    return X[:n] / 16, y[:n]


@pytest.mark.parametrize("dx, dy", [(1, 0), (0, 1), (-1, 0), (0, -1), (2, -3)])
def test_integer_shift_moves_every_pixel_exactly(dx, dy):
    X = _images()
    moved = shift(X, dx, dy)
    for i in range(8):
        for j in range(8):
            inside = 0 <= i - dy < 8 and 0 <= j - dx < 8
            expected = X[:, i - dy, j - dx] if inside else torch.zeros(len(X), dtype=X.dtype)
            assert torch.equal(moved[:, i, j], expected)


def test_shift_by_one_pixel_on_a_single_pixel():
    X = torch.zeros(1, 8, 8)
    X[0, 2, 5] = 1.0
    moved = shift(X, 1, 0)
    assert moved[0, 2, 6] == 1.0 and moved.sum() == 1.0


def test_shift_back_is_the_inverse_when_the_border_is_empty():
    X = torch.zeros(4, 8, 8, dtype=torch.float64)
    X[:, 1:7, 1:7] = _images(4, 6)
    assert torch.equal(shift(shift(X, 1, -1), -1, 1), X)


def test_flat_rows_come_back_flat():
    X = _images().reshape(5, 64)
    assert shift(X, 1, 1).shape == (5, 64)
    torch.testing.assert_close(shift(X, 1, 1), shift(X.reshape(5, 8, 8), 1, 1).reshape(5, 64))


def test_affine_with_integer_shift_equals_the_exact_shift():
    X = _images()
    torch.testing.assert_close(affine(X, dx=2, dy=-1), shift(X, 2, -1), **TOL)


def test_rotation_by_zero_and_scale_one_is_the_identity():
    X = _images()
    torch.testing.assert_close(affine(X, angle=0.0, scale=1.0), X, **TOL)


def test_rotation_by_90_degrees_is_counterclockwise_and_exactly_invertible():
    X = torch.zeros(1, 8, 8, dtype=torch.float64)
    X[0, 3, 6] = 1.0  # right of the centre, on the row just above it
    turned = affine(X, angle=90.0)
    assert turned[0, 1, 3] == pytest.approx(1.0) and turned.sum() == pytest.approx(1.0)  # now above the centre
    Y = _images()
    torch.testing.assert_close(affine(affine(Y, angle=90.0), angle=-90.0), Y, **TOL)
    four_turns = Y
    for _ in range(4):
        four_turns = affine(four_turns, angle=90.0)
    torch.testing.assert_close(four_turns, Y, **TOL)


def _blobs() -> torch.Tensor:
    """Three smooth Gaussian bumps on 16x16, well inside the frame: bilinear interpolation is accurate on them."""
    i = torch.arange(16, dtype=torch.float64)
    cy, cx = torch.tensor([6.0, 9.0, 7.5]), torch.tensor([8.0, 6.5, 7.0])
    return torch.exp(-((i[None, :, None] - cy[:, None, None]) ** 2 + (i[None, None, :] - cx[:, None, None]) ** 2) / 8)


def test_small_rotation_preserves_the_ink_approximately():
    X, _ = _raw_digits()
    X = F.pad(X.reshape(-1, 8, 8), (2, 2, 2, 2))  # a margin, so no ink is rotated out of the frame
    mass = X.sum(dim=(1, 2))
    for angle in (-10.0, 5.0, 10.0):
        assert ((affine(X, angle=angle).sum(dim=(1, 2)) - mass).abs() / mass).max() < 0.01


def test_scaling_multiplies_the_ink_by_about_s_squared():
    B = _blobs()
    ratio = affine(B, scale=1.2).sum(dim=(1, 2)) / B.sum(dim=(1, 2))
    assert ((ratio - 1.2**2).abs() < 0.02).all(), ratio


@pytest.mark.parametrize("angle, scale, dx, dy", [(10.0, 1.0, 0.0, 0.0), (0.0, 1.1, 0.0, 0.0), (15.0, 0.9, 1.0, -0.5)])
def test_the_inverse_transformation_brings_the_image_back(angle, scale, dx, dy):
    """p -> A p + t is undone by p -> A^{-1} p - A^{-1} t: rotate by -a, scale by 1/s, shift by -A^{-1} t."""
    a = math.radians(angle)
    R_T = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], dtype=torch.float64)
    t_back = -(R_T @ torch.tensor([dx, dy], dtype=torch.float64)) / scale
    B = _blobs()
    moved = affine(B, angle=angle, scale=scale, dx=dx, dy=dy)
    back = affine(moved, angle=-angle, scale=1 / scale, dx=t_back[0].item(), dy=t_back[1].item())
    assert (moved - B).norm() / B.norm() > 0.08  # the transformation did something
    assert (back - B).norm() / B.norm() < 0.1  # and its inverse undoes it, up to interpolation blur


def test_random_affine_is_reproducible_and_varies_between_images():
    X, _ = _raw_digits()
    a = random_affine(X, generator=torch.Generator().manual_seed(1))
    b = random_affine(X, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and not torch.allclose(a, X)
    same = random_affine(torch.stack([X[0]] * 2), generator=torch.Generator().manual_seed(2))
    assert not torch.allclose(same[0], same[1])  # each image gets its own transformation


def test_random_affine_with_zero_ranges_is_the_identity():
    X, _ = _raw_digits()
    torch.testing.assert_close(random_affine(X, max_angle=0.0, scale_range=(1.0, 1.0), max_shift=0.0), X, **TOL)


def test_random_affine_layer_changes_inputs_only_in_training_and_never_labels():
    X, y = _raw_digits()
    layer = RandomAffine(max_angle=15.0)
    model = nn.Sequential(layer, nn.Flatten())
    model.train()
    assert not torch.allclose(model(X), X)
    model.eval()
    assert torch.equal(model(X), X)
    y_before = y.clone()
    layer.train()(X)
    assert torch.equal(y, y_before)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda X: shift(X, 8, 0), "Invalid dx"),
        (lambda X: shift(X, 0, -9), "Invalid dy"),
        (lambda X: shift(X, 0.5, 0), "expected an integer"),
        (lambda X: affine(X, angle=200.0), "Invalid angle"),
        (lambda X: affine(X, scale=0.0), "Invalid scale"),
        (lambda X: affine(X, scale=10.0), "Invalid scale"),
        (lambda X: affine(X, dx=8.5), "Invalid dx"),
        (lambda X: random_affine(X, max_angle=-1.0), "Invalid max_angle"),
        (lambda X: random_affine(X, scale_range=(1.2, 0.8)), "Invalid scale_range"),
        (lambda X: random_affine(X, max_shift=8.0), "Invalid max_shift"),
        (lambda X: shift(X.reshape(5, 8, 8)[:, :, :7].reshape(5, 56), 1, 0), "Invalid images"),
        (lambda X: RandomAffine(max_angle=400.0), "Invalid max_angle"),
    ],
)
def test_out_of_range_parameters_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call(_images().reshape(5, 64))
