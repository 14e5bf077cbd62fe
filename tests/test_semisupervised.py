"""regopt.semisupervised.PCA against scikit-learn's PCA; the reconstruction
penalty of a shared encoder against its formula and by what it trains."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA as SklearnPCA
from torch import nn

from regopt import train
from regopt.semisupervised import PCA, ReconstructionPenalty, SharedEncoder


def test_pca_matches_scikit_learn_up_to_the_sign_of_each_direction():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(200, 12, generator=gen, dtype=torch.float64) @ torch.randn(12, 12, generator=gen, dtype=torch.float64)
    X_new = torch.randn(7, 12, generator=gen, dtype=torch.float64)
    ours, ref = PCA(X, 5), SklearnPCA(n_components=5).fit(X.numpy())
    signs = np.sign((ours.components.numpy() * ref.components_).sum(axis=1))  # (5,)
    assert np.allclose(np.abs(signs), 1)
    assert np.allclose(ours.components.numpy(), signs[:, None] * ref.components_, atol=1e-10)
    assert np.allclose(ours(X_new).numpy(), ref.transform(X_new.numpy()) * signs, atol=1e-10)
    assert np.allclose(ours.explained_variance.numpy(), ref.explained_variance_, rtol=1e-10)


def test_pca_codes_are_centred_uncorrelated_and_ordered_by_variance():
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(300, 6, generator=gen, dtype=torch.float64) * torch.tensor([5.0, 3, 2, 1, 0.5, 0.1], dtype=torch.float64) + 7
    pca = PCA(X, 3)
    H = pca(X)
    assert torch.allclose(H.mean(dim=0), torch.zeros(3, dtype=torch.float64), atol=1e-10)
    cov = H.T @ H / (len(X) - 1)
    assert torch.allclose(cov, torch.diag(pca.explained_variance), atol=1e-9)
    assert bool((pca.explained_variance[:-1] > pca.explained_variance[1:]).all())
    assert torch.allclose(pca.components @ pca.components.T, torch.eye(3, dtype=torch.float64), atol=1e-10)
    # k = D keeps everything: the codes reconstruct X exactly
    full = PCA(X, 6)
    assert torch.allclose(full(X) @ full.components + full.mean, X, atol=1e-9)


@pytest.mark.parametrize("X, k", [(torch.randn(5, 3), 4), (torch.randn(5, 3), 0), (torch.randn(5), 1)])
def test_pca_rejects_bad_arguments(X, k):
    with pytest.raises(ValueError, match="Invalid"):
        PCA(X, k)


def test_reconstruction_penalty_is_the_mean_squared_error_times_the_strength():
    gen = torch.Generator().manual_seed(2)
    X = torch.randn(9, 4, generator=gen, dtype=torch.float64)
    # identity encoder, zero decoder: x_hat = 0, so Omega = gamma * mean of x^2 over all N * D entries
    zero = nn.Linear(4, 4, dtype=torch.float64)
    nn.init.zeros_(zero.weight), nn.init.zeros_(zero.bias)
    model = SharedEncoder(nn.Identity(), nn.Linear(4, 3, dtype=torch.float64), zero)
    assert torch.allclose(ReconstructionPenalty(X, strength=0.5)(model), 0.5 * (X**2).sum() / 36)
    # a trained-looking model: forward is g(f(x)), the penalty reads d(f(x))
    torch.manual_seed(0)
    encoder = nn.Sequential(nn.Linear(4, 5, dtype=torch.float64), nn.Tanh())
    classifier, decoder = nn.Linear(5, 3, dtype=torch.float64), nn.Linear(5, 4, dtype=torch.float64)
    model = SharedEncoder(encoder, classifier, decoder)
    assert torch.equal(model(X), classifier(encoder(X)))
    expected = 2.0 * ((decoder(encoder(X)) - X) ** 2).mean()
    assert torch.allclose(ReconstructionPenalty(X, strength=2.0)(model), expected)


def test_the_penalty_trains_the_shared_encoder_from_unlabelled_inputs():
    gen = torch.Generator().manual_seed(3)
    X_all = torch.randn(200, 6, generator=gen) @ torch.randn(6, 6, generator=gen)
    labelled = (X_all[:10], torch.arange(10) % 2)

    def trained(strength: float) -> SharedEncoder:
        torch.manual_seed(0)
        model = SharedEncoder(nn.Sequential(nn.Linear(6, 3), nn.Tanh()), nn.Linear(3, 2), nn.Linear(3, 6))
        penalty = ReconstructionPenalty(X_all, strength=strength) if strength else None
        train.fit(model, labelled, loss_fn=F.cross_entropy, optimizer=torch.optim.Adam(model.parameters(), lr=1e-2),
                  epochs=300, penalty=penalty, progress=False)
        return model

    def error(model: SharedEncoder) -> float:
        with torch.no_grad():
            return F.mse_loss(model.reconstruct(X_all), X_all).item()

    plain, hybrid = trained(0.0), trained(1.0)
    # without the penalty the decoder never trains; with it the reconstruction of all 200 inputs improves a lot
    assert plain.decoder.weight.grad is None and hybrid.decoder.weight.grad is not None
    assert error(hybrid) < 0.6 * error(plain), (error(hybrid), error(plain))
    assert hybrid.encoder[0].weight.grad.abs().sum() > 0


@pytest.mark.parametrize("X, strength", [(torch.randn(5, 3), 0.0), (torch.randn(5, 3), -1.0),
                                         (torch.randn(5), 1.0), (torch.zeros(5, 3, dtype=torch.long), 1.0),
                                         (torch.randn(0, 3), 1.0)])
def test_reconstruction_penalty_rejects_bad_arguments(X, strength):
    with pytest.raises(ValueError, match="Invalid"):
        ReconstructionPenalty(X, strength=strength)
