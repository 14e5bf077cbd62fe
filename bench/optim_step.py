"""Time ``optimizer.step()`` of regopt.optim against torch.optim on a one-million-parameter MLP.

For SGD (momentum 0.9), Adam and AdamW, three implementations each get their own copy of
the MLP 784-1024-256-10 (1,068,810 float32 parameters) with the same gradients, filled
once. After a warm-up, every round times one step of each implementation, in an order
that rotates from round to round so that drifts in machine load hit all three alike.
The table gives the median over the rounds, in microseconds, and regopt's time as a
multiple of torch's per-parameter path (foreach=False) and of its batched path
(foreach=True). One thread, so the numbers measure the code rather than the scheduler.

Run with ``make bench`` or ``python bench/optim_step.py [--rounds 200]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from regopt import optim

SIZES = (784, 1024, 256, 10)
OPTIMIZERS = {
    "SGD (momentum 0.9)": (optim.SGD, torch.optim.SGD, dict(lr=1e-3, momentum=0.9)),
    "Adam": (optim.Adam, torch.optim.Adam, dict(lr=1e-3)),
    "AdamW": (optim.AdamW, torch.optim.AdamW, dict(lr=1e-3, weight_decay=1e-2)),
}
IMPLEMENTATIONS = ("regopt", "torch foreach=False", "torch foreach=True")


def _mlp() -> nn.Module:
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _with_gradients(grads: list[torch.Tensor]) -> nn.Module:
    model = _mlp()
    for p, g in zip(model.parameters(), grads):
        p.grad = g.clone()
    return model


def _time_step(opt: torch.optim.Optimizer) -> float:
    start = time.perf_counter_ns()
    opt.step()
    return (time.perf_counter_ns() - start) / 1e3  # microseconds


def bench(ours: type, theirs: type, kwargs: dict, *, rounds: int, warmup: int) -> dict[str, float]:
    """Median microseconds per step of each implementation."""
    torch.manual_seed(0)
    grads = [torch.randn_like(p) for p in _mlp().parameters()]
    optimizers = {
        "regopt": ours(_with_gradients(grads).parameters(), **kwargs),
        "torch foreach=False": theirs(_with_gradients(grads).parameters(), foreach=False, **kwargs),
        "torch foreach=True": theirs(_with_gradients(grads).parameters(), foreach=True, **kwargs),
    }
    for opt in optimizers.values():
        for _ in range(warmup):
            opt.step()
    times = {name: [] for name in optimizers}
    names = list(optimizers)
    for r in range(rounds):
        for name in names[r % 3 :] + names[: r % 3]:  # rotate who goes first
            times[name].append(_time_step(optimizers[name]))
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    n_params = sum(p.numel() for p in _mlp().parameters())
    print(f"optimizer.step() on an MLP {'-'.join(map(str, SIZES))} ({n_params:,} float32 parameters), "
          f"torch {torch.__version__}, 1 thread, median of {args.rounds} steps after {args.warmup} warm-up\n")
    header = f"{'optimizer':<20}" + "".join(f"{name + ' (us)':>26}" for name in IMPLEMENTATIONS)
    header += f"{'regopt/foreach=False':>22}{'regopt/foreach=True':>21}"
    print(header)
    print("-" * len(header))
    for label, (ours, theirs, kwargs) in OPTIMIZERS.items():
        median = bench(ours, theirs, kwargs, rounds=args.rounds, warmup=args.warmup)
        row = f"{label:<20}" + "".join(f"{median[name]:>26.0f}" for name in IMPLEMENTATIONS)
        row += f"{median['regopt'] / median['torch foreach=False']:>22.2f}"
        row += f"{median['regopt'] / median['torch foreach=True']:>21.2f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
