"""The shared network builder, the moving average of plots, and the optimizer probe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from regopt import models, optim, plots


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
