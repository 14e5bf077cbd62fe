"""Reference checks of regopt.tangent: tangent vectors against finite differences of the
transformations of regopt.augmentation, tangent distance against per-pair least squares,
the tangent-prop and contractive penalties against finite differences and closed forms,
and the argument checks."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from regopt import augmentation, data, models, optim, train
from regopt.tangent import (
    ContractivePenalty,
    TangentProp,
    contractive_penalty,
    encoder_tangents,
    tangent_distance,
    tangent_prop_penalty,
    tangent_vectors,
)


def _digits(n: int = 12) -> torch.Tensor:
    return data.digits(standardize=False, dtype=torch.float64).train[0][:n] / 16


@pytest.mark.parametrize("name", ["x", "y", "rotation"])
def test_tangent_vectors_match_finite_differences_of_the_transformation(name):
    x = _digits()
    transform = {"x": lambda a: augmentation.affine(x, dx=a), "y": lambda a: augmentation.affine(x, dy=a),
                 "rotation": lambda a: augmentation.affine(x, angle=math.degrees(a))}[name]  # a in radians
    v = tangent_vectors(x, [name])[:, 0]
    errors = []
    for h in (1e-3, 1e-4):
        fd = (transform(h) - transform(-h)) / (2 * h)  # central difference of the actual transformation
        errors.append((fd - v).abs().max().item())
    assert errors[1] < 1e-3 * v.abs().max().item()
    # Bilinear shifts are linear in the shift between pixels: exact. Rotations converge like h.
    assert errors[1] < 1e-9 if name != "rotation" else errors[1] < 0.2 * errors[0]


def test_tangent_vectors_stack_in_the_order_asked():
    x = _digits(4)
    both = tangent_vectors(x, ["rotation", "x"])
    assert both.shape == (4, 2, 64)
    torch.testing.assert_close(both[:, 1], tangent_vectors(x)[:, 0])


def _lstsq_distance(x, Tx, y, Ty=None):
    """min_c ||(y - x) - A c|| for one pair, by torch.linalg.lstsq on the explicit A = [Tx^T, -Ty^T]."""
    A = Tx.T if Ty is None else torch.cat([Tx.T, -Ty.T], dim=1)
    c = torch.linalg.lstsq(A, (y - x)[:, None]).solution
    return ((y - x)[:, None] - A @ c).norm().item()


@pytest.mark.parametrize("two_sided", [False, True])
def test_tangent_distance_is_the_least_squares_residual_of_each_pair(two_sided):
    x, y = _digits(5), _digits(9)[5:]
    Tx, Ty = tangent_vectors(x), tangent_vectors(y)
    D = tangent_distance(x, Tx, y, Ty if two_sided else None)
    assert D.shape == (5, 4)
    for n in range(5):
        for m in range(4):
            expected = _lstsq_distance(x[n], Tx[n], y[m], Ty[m] if two_sided else None)
            assert D[n, m].item() == pytest.approx(expected, rel=1e-8, abs=1e-8)


def test_tangent_distance_is_at_most_euclidean_and_the_two_sided_one_at_most_the_one_sided():
    x, y = _digits(6), _digits(12)[6:]
    Tx, Ty = tangent_vectors(x), tangent_vectors(y)
    euclid, one, two = torch.cdist(x, y), tangent_distance(x, Tx, y), tangent_distance(x, Tx, y, Ty)
    assert (one <= euclid + 1e-10).all() and (two <= one + 1e-10).all()
    assert (two < euclid - 1e-3).all()  # and the tangents do help
    torch.testing.assert_close(tangent_distance(y, Ty, x, Tx), two.T)  # the two-sided distance is symmetric


def test_tangent_distance_is_zero_along_the_tangent_plane():
    x = _digits(4)
    T = tangent_vectors(x)
    a = 0.3 * torch.randn(4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    moved = x + torch.einsum("nk,nkd->nd", a, T)  # x + T^T a
    assert tangent_distance(x, T, moved).diagonal().abs().max() < 1e-6
    assert tangent_distance(moved, tangent_vectors(moved), x, T).diagonal().abs().max() < 1e-6
    assert torch.cdist(x, moved).diagonal().min() > 0.1


def _net_and_inputs():
    net = models.mlp(10, n_in=64, n_out=4, seed=0).double()
    x = _digits(5)
    return net, x, tangent_vectors(x)


def test_tangent_prop_penalty_matches_finite_difference_directional_derivatives():
    net, x, T = _net_and_inputs()
    h = 1e-5
    expected = 0.0
    for i in range(T.shape[1]):
        with torch.no_grad():
            derivative = (net(x + h * T[:, i]) - net(x - h * T[:, i])) / (2 * h)  # (N, C): (grad_x f)^T v_i
        expected += (derivative**2).sum().item() / len(x)
    assert tangent_prop_penalty(net, x, T).item() == pytest.approx(expected, rel=1e-7)


def test_tangent_prop_penalty_of_a_linear_model_is_the_squared_norm_of_w_v():
    lin = nn.Linear(64, 3).double()
    x = _digits(4)
    T = tangent_vectors(x)
    W = lin.weight.detach()
    expected = sum(((T[n] @ W.T) ** 2).sum() for n in range(4)) / 4  # sum_i ||W v_i||^2, averaged
    assert tangent_prop_penalty(lin, x, T).item() == pytest.approx(expected.item(), rel=1e-12)


def test_tangent_prop_in_fit_takes_the_step_of_data_loss_plus_penalty():
    net, x, T = _net_and_inputs()
    y = torch.tensor([0, 1, 2, 3, 1])
    reference = copy.deepcopy(net)
    penalty = TangentProp(net, tangent_vectors, weight=0.7)
    train.fit(net, (x, y), loss_fn=F.cross_entropy, optimizer=optim.SGD(net.parameters(), lr=0.1), epochs=1,
              penalty=penalty, progress=False)
    loss = F.cross_entropy(reference(x), y) + 0.7 * tangent_prop_penalty(reference, x, T)
    grads = torch.autograd.grad(loss, list(reference.parameters()))
    for p, q, g in zip(net.parameters(), reference.parameters(), grads):
        torch.testing.assert_close(p, q - 0.1 * g, rtol=1e-10, atol=1e-12)


def test_contractive_penalty_matches_the_closed_form_of_a_sigmoid_layer():
    layer = nn.Linear(64, 7).double()
    x = _digits(6)
    h = torch.sigmoid(layer(x))
    # J = diag(h (1 - h)) W, so ||J||_F^2 = sum_j (h_j (1 - h_j))^2 ||W_j||^2.
    expected = ((h * (1 - h)) ** 2 @ (layer.weight**2).sum(dim=1)).mean()
    got = contractive_penalty(lambda z: torch.sigmoid(layer(z)), x)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=0)
    (grad,) = torch.autograd.grad(got, layer.weight)  # differentiable with respect to the encoder
    (expected_grad,) = torch.autograd.grad(expected, layer.weight)
    torch.testing.assert_close(grad, expected_grad, rtol=1e-10, atol=1e-12)


def test_contractive_penalty_in_fit_is_added_to_the_loss():
    ae = nn.Sequential(nn.Linear(64, 5), nn.Sigmoid(), nn.Linear(5, 64)).double()
    x = _digits(6)
    reference = copy.deepcopy(ae)
    penalty = ContractivePenalty(ae, lambda z: ae[1](ae[0](z)), weight=0.2)
    train.fit(ae, (x, x), loss_fn=F.mse_loss, optimizer=optim.SGD(ae.parameters(), lr=0.3), epochs=1,
              penalty=penalty, progress=False)
    loss = F.mse_loss(reference(x), x) + 0.2 * contractive_penalty(lambda z: reference[1](reference[0](z)), x)
    grads = torch.autograd.grad(loss, list(reference.parameters()))
    for p, q, g in zip(ae.parameters(), reference.parameters(), grads):
        torch.testing.assert_close(p, q - 0.3 * g, rtol=1e-10, atol=1e-12)


def test_encoder_tangents_of_a_linear_encoder_span_its_leading_right_singular_vectors():
    W = torch.randn(6, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x = _digits(3)
    U = encoder_tangents(lambda z: z @ W.T, x, k=2)
    assert U.shape == (3, 2, 64)
    torch.testing.assert_close(U @ U.transpose(1, 2), torch.eye(2, dtype=torch.float64).expand(3, 2, 2))
    _, _, Vh = torch.linalg.svd(W)
    projector = Vh[:2].T @ Vh[:2]
    for n in range(3):  # same plane (the signs of singular vectors are arbitrary)
        torch.testing.assert_close(U[n].T @ U[n], projector, rtol=0, atol=1e-10)
    # With a tanh encoder the Jacobian changes from point to point: J(x) = diag(1 - h^2) W.
    V = encoder_tangents(lambda z: torch.tanh(z @ W.T), x, k=2)
    for n in range(3):
        J = (1 - torch.tanh(x[n] @ W.T) ** 2)[:, None] * W
        top = torch.linalg.svd(J).Vh[:2]
        torch.testing.assert_close(V[n].T @ V[n], top.T @ top, rtol=0, atol=1e-10)


def test_bad_arguments_raise():
    x = _digits(3)
    T = tangent_vectors(x)
    net = models.mlp(4, n_in=64, n_out=2).double()
    with pytest.raises(ValueError, match="not a square image"):
        tangent_vectors(torch.zeros(2, 10))
    with pytest.raises(ValueError, match="Invalid transforms"):
        tangent_vectors(x, ["scale"])
    with pytest.raises(ValueError, match="Invalid tangents_x"):
        tangent_distance(x, T[:2], x)
    with pytest.raises(ValueError, match="Invalid tangents_y"):
        tangent_distance(x, T, x, T[:, :, :10])
    with pytest.raises(ValueError, match="Invalid tangents"):
        tangent_prop_penalty(net, x, T[:, 0])
    with pytest.raises(ValueError, match="Invalid weight: -1"):
        TangentProp(net, tangent_vectors, weight=-1.0)
    with pytest.raises(ValueError, match="Invalid weight"):
        ContractivePenalty(net, net, weight=-0.5)
    with pytest.raises(ValueError, match="Invalid k: 5"):
        encoder_tangents(lambda z: z[:, :4], x, k=5)
    with pytest.raises(RuntimeError, match="no training forward pass"):
        TangentProp(net, tangent_vectors, weight=1.0)(net)
