"""Reference checks of regopt.dropout: inverted dropout beside torch.nn.Dropout, DropConnect's mean, MC averaging."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import regopt
from regopt.dropout import DropConnect, Dropout, dropout, keep_mask, mc_predict

N = 200_000  # samples for Monte-Carlo checks; 5 standard errors is the tolerance


def _x() -> torch.Tensor:
    return torch.linspace(-2.0, 3.0, N, dtype=torch.float64)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_the_mean_and_drops_at_rate_p(p):
    regopt.seed_everything(0)
    x = torch.full((N,), 1.5, dtype=torch.float64)
    h = Dropout(p)(x)
    rate = (h == 0).double().mean().item()
    assert abs(rate - p) < 5 * (p * (1 - p) / N) ** 0.5, rate
    # E[h] = x: the mean of N draws of mu x / (1 - p) has standard error x sqrt(p / (1 - p) / N).
    assert abs(h.mean().item() - 1.5) < 5 * 1.5 * (p / (1 - p) / N) ** 0.5, h.mean()


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_agrees_in_distribution_with_torch(p):
    x = _x()
    regopt.seed_everything(1)
    ours = Dropout(p)(x)
    regopt.seed_everything(2)
    ref = nn.Dropout(p)(x)
    for h in (ours, ref):  # every output is 0 or x / (1 - p)
        kept = h != 0
        torch.testing.assert_close(h[kept], x[kept] / (1 - p), rtol=1e-12, atol=0)
    assert abs((ours == 0).double().mean() - (ref == 0).double().mean()) < 5 * (2 * p * (1 - p) / N) ** 0.5
    # Same mean and variance within MC error (both estimate E[h] = mean(x) and Var of mu x / (1 - p)).
    se_mean = (x.pow(2).mean() * p / (1 - p) / N).sqrt()
    assert abs(ours.mean() - ref.mean()) < 5 * 2**0.5 * se_mean
    assert abs(ours.var() / ref.var() - 1) < 0.03


def test_dropout_with_same_seed_uses_same_mask_as_torch():
    # Both draw Bernoulli(1 - p) from the global generator, so the masks coincide exactly.
    x = _x()[:1000]
    regopt.seed_everything(3)
    ours = Dropout(0.3)(x)
    regopt.seed_everything(3)
    ref = nn.Dropout(0.3)(x)
    if not torch.equal(ours == 0, ref == 0):
        pytest.skip("torch draws its dropout mask differently in this version; distribution checked above")
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)


def test_dropout_is_identity_in_eval_mode_and_with_p_zero():
    x = _x()[:100]
    layer = Dropout(0.5).eval()
    assert torch.equal(layer(x), x)
    assert torch.equal(dropout(x, 0.0), x)


def test_dropout_with_given_mask_scales_kept_units():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    mask = torch.tensor([1.0, 0.0, 1.0, 0.0])
    torch.testing.assert_close(dropout(x, 0.75, mask=mask), torch.tensor([4.0, 0.0, 12.0, 0.0]))


def test_keep_mask_rate():
    regopt.seed_everything(4)
    mask = keep_mask((N,), 0.3)
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert abs(mask.mean().item() - 0.7) < 5 * (0.21 / N) ** 0.5


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_invalid_dropout_probability_raises(p):
    with pytest.raises(ValueError, match="Invalid dropout probability"):
        Dropout(p)
    with pytest.raises(ValueError, match="Invalid dropout probability"):
        DropConnect(3, 2, p=p)
    with pytest.raises(ValueError, match="Invalid dropout probability"):
        dropout(torch.ones(3), p)


def test_dropconnect_expected_output_is_the_scaled_layer():
    regopt.seed_everything(5)
    p, samples = 0.4, 20_000
    layer = DropConnect(6, 3, p=p).double()
    x = torch.randn(4, 6, dtype=torch.float64)
    with torch.no_grad():
        outs = torch.stack([layer(x) for _ in range(samples)])  # (S, 4, 3)
        expected = x @ ((1 - p) * layer.weight).T + layer.bias
        torch.testing.assert_close(layer.eval()(x), expected)  # evaluation = the mean network
    se = outs.std(dim=0) / samples**0.5
    assert ((outs.mean(dim=0) - expected).abs() < 5 * se).all()
    # Each weight is kept or dropped: the training output differs from the mean network.
    assert (outs[0] - expected).abs().max() > 1e-3


def test_dropconnect_with_p_zero_is_nn_linear():
    regopt.seed_everything(6)
    ours = DropConnect(5, 4, p=0.0).double()
    ref = nn.Linear(5, 4).double()
    ref.load_state_dict(ours.state_dict())
    x = torch.randn(7, 5, dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-12, atol=1e-12)


def test_mc_predict_converges_to_weight_scaling_for_a_linear_model():
    # For dropout followed by a linear layer, E[f(x; mu)] is exactly the eval-mode output.
    regopt.seed_everything(7)
    model = nn.Sequential(Dropout(0.5), nn.Linear(8, 3)).double()
    x = 0.1 * torch.randn(5, 8, dtype=torch.float64)  # small logits: softmax is near-linear here
    probs = mc_predict(model, x, samples=20_000)
    with torch.no_grad():
        scaled = torch.softmax(model.eval()(x), dim=1)
    torch.testing.assert_close(probs, scaled, atol=2e-3, rtol=0)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(5, dtype=torch.float64))


def test_mc_predict_samples_masks_but_restores_modes():
    regopt.seed_everything(8)
    bn = nn.BatchNorm1d(4)
    model = nn.Sequential(nn.Linear(4, 4), bn, Dropout(0.5), nn.Linear(4, 3)).train()
    x = torch.randn(10, 4)
    mean_before = bn.running_mean.clone()
    one, two = mc_predict(model, x, samples=1), mc_predict(model, x, samples=1)
    assert not torch.allclose(one, two)  # masks were sampled
    assert torch.equal(bn.running_mean, mean_before)  # batch norm stayed in eval mode
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="Invalid samples"):
        mc_predict(model, x, samples=0)
