"""Reference checks of regopt.init: each scheme beside torch.nn.init, and chapter 7's symmetry claim."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from regopt import data, init, train

BIG = (1000, 1000)


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize(
    "nonlinearity, param", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                            ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0)],
)
def test_gains_match_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


# (ours, torch's, keyword arguments, predicted bound of a uniform scheme, predicted std)
SCHEMES = [
    (init.xavier_uniform_, nn.init.xavier_uniform_, {"gain": 5 / 3}, 5 / 3 * math.sqrt(6 / 2000), 5 / 3 * math.sqrt(2 / 2000)),
    (init.xavier_normal_, nn.init.xavier_normal_, {"gain": 2.0}, None, 2 * math.sqrt(2 / 2000)),
    (init.kaiming_uniform_, nn.init.kaiming_uniform_, {"nonlinearity": "relu"}, math.sqrt(6 / 1000), math.sqrt(2 / 1000)),
    (init.kaiming_uniform_, nn.init.kaiming_uniform_, {"a": 0.3, "mode": "fan_out"},
     math.sqrt(6 / 1.09 / 1000), math.sqrt(2 / 1.09 / 1000)),
    (init.kaiming_normal_, nn.init.kaiming_normal_, {"nonlinearity": "tanh"}, None, 5 / 3 / math.sqrt(1000)),
    (init.uniform_, nn.init.uniform_, {"a": -0.5, "b": 0.5}, 0.5, 1 / math.sqrt(12)),
    (init.normal_, nn.init.normal_, {"mean": 0.0, "std": 0.02}, None, 0.02),
]


IDS = [f"{ours.__name__}{kwargs}" for ours, _, kwargs, _, _ in SCHEMES]


@pytest.mark.parametrize("ours, ref, kwargs, bound, std", SCHEMES, ids=IDS)
def test_scale_on_a_large_matrix_matches_torch_and_the_formula(ours, ref, kwargs, bound, std):
    w = ours(torch.empty(BIG), **kwargs, generator=_gen(0))
    w_ref = ref(torch.empty(BIG), **kwargs, generator=_gen(1))  # a different draw from torch
    assert w.std().item() == pytest.approx(w_ref.std().item(), rel=0.01)
    assert w.std().item() == pytest.approx(std, rel=0.01)
    assert abs(w.mean().item()) < 0.01 * std
    if bound is not None:
        assert w.abs().max().item() <= bound and w.abs().max().item() > 0.999 * bound


@pytest.mark.parametrize("ours, ref, kwargs, bound, std", SCHEMES, ids=IDS)
def test_same_generator_gives_torchs_draws(ours, ref, kwargs, bound, std):
    shape = (30, 20, 3)  # a convolution-like weight: fans multiplied by the kernel size
    torch.testing.assert_close(ours(torch.empty(shape), **kwargs, generator=_gen(4)),
                               ref(torch.empty(shape), **kwargs, generator=_gen(4)), rtol=0, atol=0)


@pytest.mark.parametrize("shape", [(50, 50), (80, 30), (30, 80), (20, 5, 3)])
def test_orthogonal_matches_torch_and_has_orthonormal_rows_or_columns(shape):
    w = init.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=2.0, generator=_gen(5))
    torch.testing.assert_close(w, nn.init.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=2.0, generator=_gen(5)))
    Q = w.reshape(shape[0], -1) / 2.0
    rows, cols = Q.shape
    eye = torch.eye(min(rows, cols), dtype=torch.float64)
    torch.testing.assert_close(Q.T @ Q if rows >= cols else Q @ Q.T, eye)  # Q^T Q = I (tall), Q Q^T = I (wide)
    if rows == cols:
        torch.testing.assert_close(Q @ Q.T, eye)


def test_orthogonal_sign_fix_makes_the_diagonal_of_R_positive():
    Q = init.orthogonal_(torch.empty(40, 40, dtype=torch.float64), generator=_gen(6))
    G = torch.randn(40, 40, generator=_gen(6), dtype=torch.float64)  # the same Gaussian matrix
    R = Q.T @ G  # G = Q R with Q orthogonal
    torch.testing.assert_close(R, R.triu(), atol=1e-10, rtol=0)
    assert (torch.diagonal(R) > 0).all()


def test_orthogonal_is_haar_distributed():
    # Under the Haar measure every entry is symmetric about 0; LAPACK's Q without the sign
    # fix has Q_11 <= 0 always (mean about -0.5 for 3 x 3).
    g = _gen(7)
    q11 = torch.tensor([init.orthogonal_(torch.empty(3, 3), generator=g)[0, 0].item() for _ in range(2000)])
    assert abs(q11.mean().item()) < 0.05  # standard error 0.577 / sqrt(2000) = 0.013
    assert q11.pow(2).mean().item() == pytest.approx(1 / 3, abs=0.03)  # a uniform unit column has E q^2 = 1/n


@pytest.mark.parametrize("func", [init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
                                  init.kaiming_normal_, init.orthogonal_])
def test_fans_need_at_least_two_dimensions(func):
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        func(torch.empty(5))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="Unknown nonlinearity: 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        init.kaiming_normal_(torch.empty(3, 3), nonlinearity="softplus")
    with pytest.raises(ValueError, match="Unknown mode"):
        init.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="Invalid std"):
        init.normal_(torch.empty(3), std=-1.0)
    with pytest.raises(ValueError, match="Invalid bounds"):
        init.uniform_(torch.empty(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="Unknown scheme: 'glorot'"):
        init.init_model(nn.Linear(2, 2), "glorot")


def test_init_model_sets_every_layer_and_zeroes_biases():
    model = nn.Sequential(nn.Conv1d(2, 4, 3), nn.Flatten(), nn.Linear(24, 10), nn.ReLU(), nn.Linear(10, 3))
    init.init_model(model, "orthogonal", gain=1.5, generator=_gen(8))
    for layer in (model[0], model[2], model[4]):
        assert torch.count_nonzero(layer.bias) == 0
        W = layer.weight.reshape(layer.weight.shape[0], -1) / 1.5
        gram = W @ W.T if W.shape[0] <= W.shape[1] else W.T @ W
        torch.testing.assert_close(gram, torch.eye(len(gram)), atol=1e-5, rtol=0)


def _train_mlp(scheme: str, **kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    """Hidden weights (16, 64) of a digits MLP before and after 20 epochs of SGD."""
    X, y = data.digits().train
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 10))
    init.init_model(model, scheme, **kwargs)
    before = model[0].weight.detach().clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train.fit(model, (X, y), loss_fn=F.cross_entropy, optimizer=opt, epochs=20, batch_size=64, progress=False, device="cpu")
    return before, model[0].weight.detach()


@pytest.mark.parametrize("scheme, kwargs", [("zeros", {}), ("constant", {"val": 0.05})])
def test_zero_init_keeps_hidden_units_identical(scheme, kwargs):
    before, W = _train_mlp(scheme, **kwargs)
    torch.testing.assert_close(W, W[:1].expand_as(W), rtol=1e-5, atol=1e-7)  # every row equals row 0
    if scheme == "constant":
        assert (W - before).abs().max() > 1e-2  # the rows moved, together
    _, W_random = _train_mlp("xavier_uniform", generator=_gen(9))
    assert (W_random - W_random[:1]).abs().amax(dim=1)[1:].min() > 1e-2  # random init: every row its own
