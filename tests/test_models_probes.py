"""The shared network builder, the moving average of plots, and the optimizer probe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from regopt import models, normalization, optim, plots


def test_mlp_defaults_are_chapter_one_network_and_reproducible():
    net = models.mlp()
    shapes = [tuple(p.shape) for p in net.parameters()]
    assert shapes == [(32, 64), (32,), (10, 32), (10,)]
    assert isinstance(net[1], nn.Tanh)
    assert all(torch.equal(p, q) for p, q in zip(net.parameters(), models.mlp().parameters()))
    deep = models.mlp([16, 8], activation=nn.ReLU, n_out=3, seed=1)
    assert [m.out_features for m in deep if isinstance(m, nn.Linear)] == [16, 8, 3]
    with pytest.raises(ValueError, match="Invalid hidden"):
        models.mlp([16, 0])


def test_mlp_with_batch_norm_normalizes_each_hidden_layer_before_its_activation():
    plain = models.mlp([16, 8], activation=nn.ReLU, seed=3)
    normed = models.mlp([16, 8], activation=nn.ReLU, batch_norm=True, seed=3)
    kinds = [type(m).__name__ for m in normed]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d", "ReLU", "Linear"]
    assert isinstance(normed[1], normalization.BatchNorm1d) and normed[1].num_features == 16
    # Batch norm draws no random numbers: the linear layers are the plain network's.
    linear = [m for m in normed if isinstance(m, nn.Linear)]
    assert all(torch.equal(a.weight, b.weight) for a, b in zip(linear, [m for m in plain if isinstance(m, nn.Linear)]))
    # In train mode every hidden unit has mean 0 and variance 1 over the batch before its ReLU.
    h = normed[:2](torch.randn(128, 64) * 5 + 3)
    torch.testing.assert_close(h.mean(0), torch.zeros(16), atol=1e-5, rtol=0)
    torch.testing.assert_close(h.var(0, unbiased=False), torch.ones(16), atol=1e-3, rtol=0)


def test_moving_average_is_the_mean_of_each_window():
    values = [1.0, 3.0, 2.0, 6.0, 4.0]
    assert np.allclose(plots.moving_average(values, 2), [2.0, 2.5, 4.0, 5.0])
    assert np.allclose(plots.moving_average(values, 5), [3.2])
    with pytest.raises(ValueError, match="Invalid width"):
        plots.moving_average(values, 6)


def test_step_lengths_of_sgd_are_lr_times_gradient_and_momentum_accumulates():
    assert np.allclose(optim.step_lengths(lambda ps: optim.SGD(ps, lr=0.1), [1.0, -2.0, 3.0]), [0.1, 0.2, 0.3])
    lengths = optim.step_lengths(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5), [1.0, 1.0, 1.0])
    assert np.allclose(lengths, [0.1, 0.15, 0.175])  # v = 1, 1.5, 1.75
