"""Wall time of k seeds trained at once (regopt.seeds.fit_seeds) against one seed.

    python bench/seeds.py        # make bench runs it

Chapter 1's network (64 -> 32 tanh -> 10) on the digits, SGD with momentum, with the
same epochs for every run: one seed through train.fit, then 8 seeds through fit_seeds.
The goal is at most 2.5 times one seed's time for all 8. With minibatches a step of this
small network is mostly fixed cost (Python, one kernel launch per operation), which the
stacked members share: that is where training seeds together pays. Full batch, each step
does k times the arithmetic of one seed (about 40 MFLOP for 8 seeds, and log-softmax over
10 classes is slow per row), so no way of batching the seeds gets near the goal there;
stacking still beats k separate runs. Each figure is the median of three runs; the
machine's other work slows all of them alike.
"""

from __future__ import annotations

import statistics
import time

import torch
import torch.nn.functional as F

from regopt import data, models, optim, seeds, train

SETTINGS = {"full batch, 200 epochs (chapter 1)": (None, 200), "minibatches of 32, 20 epochs": (32, 20)}
K = 8


def one_seed(split, batch_size, epochs) -> float:
    model = models.mlp(32, seed=0)
    start = time.perf_counter()
    train.fit(model, split.train, loss_fn=F.cross_entropy, optimizer=optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
              epochs=epochs, batch_size=batch_size, val=split.val, progress=False)
    return time.perf_counter() - start


def k_seeds(split, batch_size, epochs) -> float:
    start = time.perf_counter()
    seeds.fit_seeds(lambda s: models.mlp(32, seed=s), split.train, seeds=range(K), loss_fn=F.cross_entropy,
                    optimizer=lambda p: optim.SGD(p, lr=0.1, momentum=0.9), epochs=epochs, batch_size=batch_size,
                    val=split.val, progress=False)
    return time.perf_counter() - start


def main() -> None:
    split = data.digits()
    print(f"torch threads: {torch.get_num_threads()}, device: {regopt_device()}")
    for name, (batch_size, epochs) in SETTINGS.items():
        k_seeds(split, batch_size, 1)  # warm-up: vmap's first call traces
        single = statistics.median(one_seed(split, batch_size, epochs) for _ in range(3))
        stacked = statistics.median(k_seeds(split, batch_size, epochs) for _ in range(3))
        verdict = "ok" if stacked <= 2.5 * single else f"over the 2.5x goal; {K} separate runs would take {K}x"
        print(f"{name}: 1 seed {single:.2f} s, {K} seeds at once {stacked:.2f} s = {stacked / single:.2f}x ({verdict})")


def regopt_device() -> str:
    from regopt import default_device

    return str(default_device())


if __name__ == "__main__":
    main()
