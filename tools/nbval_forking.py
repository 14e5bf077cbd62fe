"""A pytest plugin: nbval's kernels forked from a process that has imported the course's modules.

    PYTHONPATH=tools python -m pytest -p nbval_forking --nbval-lax chapters   # make test does this

Each notebook still gets a fresh kernel process of its own (tools/forkkernel.py), only the
seconds a kernel spends importing ipykernel, torch, scikit-learn and the package are gone.
"""

from __future__ import annotations

import os

import forkkernel
import grading


def pytest_configure(config) -> None:
    import nbval.kernel

    nbval.kernel.KernelManager = forkkernel.ForkingSyncKernelManager
    if not os.environ.get(forkkernel.SOCKET_VARIABLE):  # a worker may share its parent's server
        server = grading.kernel_server()
        server.__enter__()
        config._forkkernel_server = server


def pytest_unconfigure(config) -> None:
    server = getattr(config, "_forkkernel_server", None)
    if server is not None:
        server.__exit__(None, None, None)
