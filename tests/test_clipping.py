"""Reference checks of regopt.optim clipping: beside torch.nn.utils.clip_grad_norm_ and clip_grad_value_."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from regopt import optim


def _model_with_grads(scale: float) -> nn.Module:
    """A small MLP in float64 whose gradients come from one backward pass, times ``scale``."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    x = torch.randn(10, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    (scale * model(x).pow(2).sum()).backward()
    model[2].bias.grad = None  # a parameter without a gradient is skipped
    return model


def _grads(model: nn.Module) -> list[torch.Tensor | None]:
    return [None if p.grad is None else p.grad.clone() for p in model.parameters()]


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, 0.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.0, 0.1, 1.0, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, ref = _model_with_grads(10.0), _model_with_grads(10.0)
    total = optim.clip_grad_norm_(ours.parameters(), max_norm, norm_type)
    ref_total = nn.utils.clip_grad_norm_(ref.parameters(), max_norm, norm_type)
    torch.testing.assert_close(total, ref_total, rtol=1e-12, atol=0)
    for g, r in zip(_grads(ours), _grads(ref)):
        assert (g is None) == (r is None)
        if g is not None:
            torch.testing.assert_close(g, r, rtol=1e-12, atol=0)


def test_clip_grad_norm_caps_the_length_and_keeps_the_direction():
    model = _model_with_grads(10.0)
    before = torch.cat([g.flatten() for g in _grads(model) if g is not None])
    total = optim.clip_grad_norm_(model.parameters(), 1.0)
    after = torch.cat([g.flatten() for g in _grads(model) if g is not None])
    assert total.item() == pytest.approx(before.norm().item(), rel=1e-12) and total.item() > 1
    assert after.norm().item() == pytest.approx(1.0, rel=1e-5)
    assert torch.nn.functional.cosine_similarity(before, after, dim=0).item() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("clip_value", [0.0, 0.01, 1.0, 100.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, ref = _model_with_grads(10.0), _model_with_grads(10.0)
    optim.clip_grad_value_(ours.parameters(), clip_value)
    nn.utils.clip_grad_value_(ref.parameters(), clip_value)
    for g, r in zip(_grads(ours), _grads(ref)):
        if g is not None:
            assert torch.equal(g, r) and g.abs().max() <= clip_value


def test_a_single_tensor_and_no_gradients_are_accepted():
    p = torch.tensor([3.0, 4.0], requires_grad=True)
    p.grad = torch.tensor([3.0, 4.0])
    assert optim.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    torch.testing.assert_close(p.grad, torch.tensor([0.6, 0.8]), rtol=1e-5, atol=0)
    assert optim.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0).item() == 0.0


@pytest.mark.parametrize(
    "call, message",
    [(lambda ps: optim.clip_grad_norm_(ps, -1.0), "Invalid max_norm: -1.0"),
     (lambda ps: optim.clip_grad_norm_(ps, 1.0, norm_type=0), "Invalid norm_type: 0"),
     (lambda ps: optim.clip_grad_norm_(ps, 1.0, norm_type=-2.0), "Invalid norm_type"),
     (lambda ps: optim.clip_grad_value_(ps, -0.5), "Invalid clip_value: -0.5")],
)
def test_negative_thresholds_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call(_model_with_grads(1.0).parameters())


def test_nonfinite_norm_raises_only_when_asked():
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.tensor([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite|cannot be clipped"):
        optim.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert math.isinf(optim.clip_grad_norm_(p, 1.0).item())
