"""Helpers that call a model send their data to the model's device.

A machine without a GPU has a second device all the same: "meta", whose tensors have
shapes but no values. A model moved there and handed CPU data shows at once whether a
helper moves the data: if it does not, torch raises its device-mismatch error; if it
does, the helper runs until it needs a value (``.item()`` on a meta tensor), which is
fine here. The test fails only on the mismatch, the error a GPU user would meet.
"""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from regopt import adversarial, diagnostics, dropout, semisupervised, train

MISMATCH = re.compile(r"is not on the expected device|Expected all tensors to be on the same device")


def relu_net() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))


HELPERS = {
    "train.predict": lambda m, X, y: train.predict(m, X),
    "train.evaluate": lambda m, X, y: train.evaluate(m, nn.functional.cross_entropy, (X, y)),
    "train.accuracy": lambda m, X, y: train.accuracy(m, (X, y)),
    "diagnostics.dead_unit_fraction": lambda m, X, y: diagnostics.dead_unit_fraction(m, X),
    "diagnostics.reinitialize_dead_units": lambda m, X, y: diagnostics.reinitialize_dead_units(m, 0, X),
    "diagnostics.layer_statistics": lambda m, X, y: diagnostics.layer_statistics(
        m, X, y, nn.functional.cross_entropy),
    "adversarial.fgsm": lambda m, X, y: adversarial.fgsm(m, X, y, eps=0.1),
    "adversarial.adversarial_accuracy": lambda m, X, y: adversarial.adversarial_accuracy(m, (X, y), eps=0.1),
    "dropout.mc_predict": lambda m, X, y: dropout.mc_predict(m, X, samples=2),
    "semisupervised.pseudo_labels": lambda m, X, y: semisupervised.pseudo_labels(m, X, threshold=0.5),
}


@pytest.mark.parametrize("name", HELPERS)
def test_helper_moves_the_data_to_the_models_device(name):
    model = relu_net().to("meta")
    X, y = torch.randn(8, 6), torch.randint(0, 3, (8,))
    try:
        HELPERS[name](model, X, y)
    except (RuntimeError, NotImplementedError) as error:
        assert not MISMATCH.search(str(error)), f"{name} called the model with data on another device: {error}"


def test_the_probe_catches_a_helper_that_forgets():
    model = relu_net().to("meta")
    with pytest.raises(RuntimeError, match=MISMATCH):
        model(torch.randn(2, 6))
