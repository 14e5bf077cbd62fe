"""regopt.semisupervised.PCA against scikit-learn's PCA."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA as SklearnPCA

from regopt.semisupervised import PCA


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
