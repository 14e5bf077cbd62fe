"""Reference checks of regopt.normalization: BatchNorm1d beside torch.nn.BatchNorm1d, in float64."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from regopt.normalization import BatchNorm1d, standardize

TOL = dict(rtol=1e-10, atol=1e-10)


def _pair(num_features: int = 5, **kwargs) -> tuple[BatchNorm1d, nn.BatchNorm1d]:
    ours, ref = BatchNorm1d(num_features, **kwargs).double(), nn.BatchNorm1d(num_features, **kwargs).double()
    if ours.affine:  # non-trivial gamma and beta, the same in both
        g = torch.Generator().manual_seed(0)
        with torch.no_grad():
            for p, q in zip(ours.parameters(), ref.parameters()):
                p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
                q.copy_(p)
    return ours, ref


def _batches(shape: tuple[int, ...], n: int = 6) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return [3.0 * torch.randn(shape, generator=g, dtype=torch.float64) + 2.0 for _ in range(n)]


def _forward_backward(module: nn.Module, x: torch.Tensor, upstream: torch.Tensor):
    x = x.clone().requires_grad_(True)
    out = module(x)
    params = [p for p in module.parameters()]
    grads = torch.autograd.grad((out * upstream).sum(), [x, *params])
    return out.detach(), grads


@pytest.mark.parametrize("shape", [(16, 5), (8, 5, 7)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False}, {"momentum": 0.3, "eps": 1e-3}])
def test_batchnorm_matches_torch_in_train_then_eval_mode(shape, kwargs):
    ours, ref = _pair(**kwargs)
    upstream = torch.randn(shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    for mode in ("train", "eval"):
        ours.train(mode == "train"), ref.train(mode == "train")
        for x in _batches(shape):
            out, grads = _forward_backward(ours, x, upstream)
            ref_out, ref_grads = _forward_backward(ref, x, upstream)
            torch.testing.assert_close(out, ref_out, **TOL)
            for g, r in zip(grads, ref_grads):  # input, then weight and bias
                torch.testing.assert_close(g, r, **TOL)
            torch.testing.assert_close(ours.running_mean, ref.running_mean, **TOL)
            torch.testing.assert_close(ours.running_var, ref.running_var, **TOL)
            assert ours.num_batches_tracked.item() == ref.num_batches_tracked.item()
    assert ours.num_batches_tracked.item() == 6  # eval batches are not counted


def test_running_var_averages_the_unbiased_batch_variance():
    ours = BatchNorm1d(3, momentum=1.0).double()
    x = _batches((10, 3), 1)[0]
    ours(x)
    torch.testing.assert_close(ours.running_var, x.var(dim=0, unbiased=True), **TOL)
    torch.testing.assert_close(ours.running_mean, x.mean(dim=0), **TOL)


def test_batchnorm_without_running_stats_matches_torch_in_eval_mode():
    ours, ref = _pair(track_running_stats=False)
    ours.eval(), ref.eval()
    x = _batches((12, 5), 1)[0]
    torch.testing.assert_close(ours(x), ref(x), **TOL)
    assert ours.running_mean is None and "running_mean" not in ours.state_dict()


def test_state_dict_is_interchangeable_with_torch():
    ours, ref = _pair()
    for x in _batches((16, 5)):
        ref(x)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict(ref.state_dict())  # torch's trained statistics into ours
    ours.eval(), ref.eval()
    x = _batches((4, 5), 1)[0]
    torch.testing.assert_close(ours(x), ref(x), **TOL)
    fresh = nn.BatchNorm1d(5).double()
    fresh.load_state_dict(ours.state_dict())  # and back
    fresh.eval()
    torch.testing.assert_close(fresh(x), ref(x), **TOL)


def test_eval_output_of_an_example_does_not_depend_on_its_batch():
    ours, _ = _pair()
    for x in _batches((16, 5)):
        ours(x)
    ours.eval()
    x = _batches((8, 5), 1)[0]
    torch.testing.assert_close(ours(x)[:1], ours(x[:1]), **TOL)


@pytest.mark.parametrize(
    "shape, message", [((4,), "2-D"), ((2, 3, 4, 5), "2-D"), ((4, 6), "6 features"), ((1, 5), "more than 1 value")]
)
def test_batchnorm_rejects_wrong_inputs(shape, message):
    with pytest.raises(ValueError, match=message):
        BatchNorm1d(5)(torch.randn(shape))


@pytest.mark.parametrize(
    "kwargs, message", [({"num_features": 0}, "num_features"), ({"momentum": 1.5}, "momentum"), ({"eps": -1}, "eps")]
)
def test_batchnorm_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNorm1d(**{"num_features": 3, **kwargs})


def test_standardize_uses_the_training_statistics_on_new_data():
    X = _batches((50, 4), 1)[0]
    X[:, 2] = 7.0  # a constant column keeps sigma = 1
    Z, mean, std = standardize(X)
    torch.testing.assert_close(Z.mean(0), torch.zeros(4, dtype=torch.float64), **TOL)
    assert torch.allclose(Z.std(0, unbiased=False), torch.tensor([1.0, 1.0, 0.0, 1.0], dtype=torch.float64))
    X_new = _batches((5, 4), 2)[1]
    Z_new, _, _ = standardize(X_new, mean, std)
    torch.testing.assert_close(Z_new, (X_new - X.mean(0)) / std, **TOL)
    with pytest.raises(ValueError, match="both mean and std"):
        standardize(X, mean=mean)
    with pytest.raises(ValueError, match="Invalid mean"):
        standardize(X, mean[:2], std[:2])
