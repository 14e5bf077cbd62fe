"""Reference checks of regopt.autoencoders: tied weights, the two-path gradient, the L2 penalty."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from regopt.autoencoders import Autoencoder, reconstruction_error, tied_weight_gradient
from regopt.penalties import l2_penalty

TOL = dict(rtol=1e-10, atol=1e-12)


def _data(n: int = 20, d: int = 6) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(3), dtype=torch.float64)


def _autograd_dW(model: Autoencoder, X: torch.Tensor, weight_decay: float = 0.0) -> torch.Tensor:
    loss = reconstruction_error(model(X), X) + l2_penalty(weight_decay)(model)
    (grad,) = torch.autograd.grad(loss, [model.encoder.weight])
    return grad


def _randomize_biases(model: Autoencoder) -> None:
    with torch.no_grad():
        model.encoder.bias.normal_()
        model.decoder_bias.normal_()


@pytest.mark.parametrize("activation", [nn.Sigmoid, nn.Tanh, nn.Identity])
@pytest.mark.parametrize("n_hidden", [3, 9])  # under- and overcomplete
def test_tied_gradient_is_the_sum_of_the_two_paths(activation, n_hidden):
    model = Autoencoder(6, n_hidden, tied=True, activation=activation, seed=1).double()
    _randomize_biases(model)
    X = _data()
    decoder_path, encoder_path = tied_weight_gradient(model, X)
    torch.testing.assert_close(decoder_path + encoder_path, _autograd_dW(model, X), **TOL)
    # Neither path alone is the gradient: a by-hand version that forgets one fails.
    for path in (decoder_path, encoder_path):
        assert (path - _autograd_dW(model, X)).abs().max() > 1e-3


def test_l2_penalty_adds_lambda_w_to_the_gradient():
    model = Autoencoder(6, 4, tied=True, activation=nn.Tanh, seed=2).double()
    X = _data()
    lam = 0.3
    with_penalty, without = _autograd_dW(model, X, lam), _autograd_dW(model, X)
    torch.testing.assert_close(with_penalty - without, lam * model.encoder.weight.detach(), **TOL)


def test_l2_penalty_counts_both_matrices_when_untied_and_not_the_biases():
    """regopt.penalties.l2_penalty on an Autoencoder: W and W*, not b, c."""
    model = Autoencoder(5, 3, seed=0).double()
    expected = 0.5 * 0.1 * (model.encoder.weight.pow(2).sum() + model.decoder.weight.pow(2).sum())
    torch.testing.assert_close(l2_penalty(0.1)(model), expected, **TOL)


def test_tied_decoder_is_the_encoder_transposed_and_has_fewer_parameters():
    n, k = 64, 16
    tied, untied = Autoencoder(n, k, tied=True), Autoencoder(n, k)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(untied) - count(tied) == n * k
    with torch.no_grad():
        tied.encoder.weight[2, 5] = 7.0
    assert tied.decoder_weight[5, 2].item() == 7.0  # the same storage, used twice


def test_forward_matches_the_formula():
    model = Autoencoder(6, 4, activation=nn.Tanh, seed=0).double()
    X = _data()
    H = torch.tanh(X @ model.encoder.weight.T + model.encoder.bias)
    X_hat = H @ model.decoder.weight.T + model.decoder.bias
    torch.testing.assert_close(model(X), X_hat, **TOL)
    torch.testing.assert_close(model.encode(X), H, **TOL)


def test_reconstruction_error_sums_features_and_averages_rows():
    x, x_hat = torch.zeros(2, 3, dtype=torch.float64), torch.tensor([[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]]).double()
    assert reconstruction_error(x_hat, x).item() == pytest.approx((5 + 9) / 2)


def test_same_seed_same_weights():
    a, b = Autoencoder(8, 3, seed=4), Autoencoder(8, 3, seed=4)
    assert torch.equal(a.encoder.weight, b.encoder.weight)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="Invalid n_hidden"):
        Autoencoder(8, 0)
    with pytest.raises(ValueError, match="Invalid activation"):
        Autoencoder(8, 3, activation="relu")
    with pytest.raises(ValueError, match="Invalid activation: ReLU"):
        tied_weight_gradient(Autoencoder(8, 3, tied=True, activation=nn.ReLU), torch.zeros(2, 8))
    with pytest.raises(ValueError, match="tied=True"):
        tied_weight_gradient(Autoencoder(8, 3), torch.zeros(2, 8))
    with pytest.raises(ValueError, match="same shape"):
        reconstruction_error(torch.zeros(2, 3), torch.zeros(2, 4))
