"""Seeding and devices: every chapter gives the same numbers on every run.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything", "default_device", "device_of"]


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) with ``seed``.

    Also asks PyTorch for deterministic kernels where it has them
    (``warn_only``, so an operation without a deterministic version still
    runs). Returns a ``torch.Generator`` seeded with the same value, for
    code that wants its own stream of random numbers.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(
            f"Invalid seed: {seed!r} (expected a non-negative integer)"
        )
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    return torch.Generator().manual_seed(seed)


def default_device() -> torch.device:
    """CUDA when a GPU is present, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(model: torch.nn.Module) -> torch.device:
    """The device of ``model``'s parameters (or buffers): where its inputs
    must be.

    ``train.fit`` moves a model to ``default_device()``; every helper that
    calls a model sends its data here first, so the same chapter runs on a
    CPU and on a GPU.
    """
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")
