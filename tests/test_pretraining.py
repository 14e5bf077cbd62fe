"""Checks of regopt.pretraining on the digits: autoencoders learn, frozen layers stay put."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import regopt
from regopt import data, pretraining, train
from regopt import optim as ro

SPLIT = data.digits()


class _Record(train.Callback):
    def __init__(self) -> None:
        self.histories: list[train.History] = []

    def on_train_end(self, model: nn.Module, history: train.History) -> None:
        self.histories.append(history)


@pytest.fixture(scope="module")
def pretrained() -> tuple[list[nn.Linear], _Record]:
    record = _Record()
    encoders = pretraining.greedy_layerwise_pretrain(
        [64, 32, 16], SPLIT.train[0], epochs=15, lr=1e-2, batch_size=64, callbacks=[record])
    return encoders, record


def test_each_autoencoder_reconstructs_far_better_than_at_the_start(pretrained):
    encoders, record = pretrained
    assert [(e.in_features, e.out_features) for e in encoders] == [(64, 32), (32, 16)]
    assert len(record.histories) == 2
    for history in record.histories:
        assert history.epochs == 15
        assert history.train_loss[-1] < 0.35 * history.train_loss[0]


def test_the_second_autoencoder_trains_on_the_first_ones_codes(pretrained):
    encoders, record = pretrained
    codes = torch.tanh(encoders[0](SPLIT.train[0])).detach()  # h_1 = s(W_1 x + b_1)
    regopt.seed_everything(1)  # the second layer's seed: seed + 1
    untrained = nn.Sequential(nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 32))
    with torch.no_grad():
        expected = F.mse_loss(untrained(codes), codes).item()
    assert record.histories[1].train_loss[0] == pytest.approx(expected, rel=1e-6)


def _stacked(encoders: list[nn.Linear]) -> nn.Sequential:
    torch.manual_seed(0)
    return pretraining.stack_pretrained(encoders, 10, nn.Tanh)


@pytest.mark.parametrize("make_optimizer", [torch.optim.Adam, ro.Adam], ids=["torch.optim.Adam", "regopt.optim.Adam"])
def test_frozen_layers_are_bit_identical_after_fit(pretrained, make_optimizer):
    encoders, _ = pretrained
    model = _stacked(encoders)
    pretraining.freeze(model[0])
    assert pretraining.frozen_parameters(model) == ["0.weight", "0.bias"]
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    pretrained_second = encoders[1].weight.detach().clone()
    optimizer = make_optimizer(filter(lambda p: p.requires_grad, model.parameters()), lr=1e-2)
    assert sum(len(g["params"]) for g in optimizer.param_groups) == 4
    history = train.fit(model, SPLIT.train, loss_fn=F.cross_entropy, optimizer=optimizer, epochs=3, batch_size=64,
                        progress=False, device="cpu")
    assert history.train_loss[-1] < history.train_loss[0]
    for name, p in model.named_parameters():
        if name.startswith("0."):
            assert torch.equal(p, before[name])
        else:
            assert not torch.equal(p, before[name])
    assert torch.equal(encoders[1].weight, pretrained_second)  # the stack trained a copy, not the encoder
    pretraining.unfreeze(model)
    assert pretraining.frozen_parameters(model) == []


def test_freeze_accepts_layers_and_parameters():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    pretraining.freeze([model[0], model[1].bias])
    assert pretraining.frozen_parameters(model) == ["0.weight", "0.bias", "1.bias"]
    with pytest.raises(ValueError, match="Invalid item"):
        pretraining.freeze(["0.weight"])


@pytest.mark.parametrize(
    "sizes, X, message",
    [([64], SPLIT.train[0], "layer_sizes"), ([64, 0], SPLIT.train[0], "layer size"),
     ([32, 16], SPLIT.train[0], "Invalid X")],
)
def test_bad_arguments_raise(sizes, X, message):
    with pytest.raises(ValueError, match=message):
        pretraining.greedy_layerwise_pretrain(sizes, X, epochs=1, lr=0.1, batch_size=8)


def test_stack_needs_linear_encoders():
    with pytest.raises(ValueError, match="encoders"):
        pretraining.stack_pretrained([], 10)
    with pytest.raises(ValueError, match="n_out"):
        pretraining.stack_pretrained([nn.Linear(2, 2)], 0)
