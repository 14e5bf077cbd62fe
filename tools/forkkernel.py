"""Start IPython kernels by forking a process that has already imported the course's modules.

A fresh kernel spends most of a submission's grading time before the first answer runs:
about 0.6 s to start ipykernel and 1.2-1.6 s to ``import torch`` and ``regopt``, against
0.1-0.5 s for the tests themselves. The *fork server* imports ipykernel and the modules it
is given once; each kernel is then a ``fork()`` of it, so its imports are already done.
Every kernel is still a separate process with its own memory, started from the same clean
state (the server never runs notebook code), with the environment, working directory and
command-line options that jupyter_client would have given it. So a kernel behaves as a
freshly started one; only the time spent importing goes.

    python tools/forkkernel.py SOCKET [MODULE ...]   # the server (tools/grading.py starts it)

:class:`ForkingKernelManager` is a jupyter_client kernel manager that asks the server named
by the environment variable ``FORKKERNEL_SOCKET`` for its kernel, and launches the kernel
the usual way when the variable is unset or the kernel is not this Python's ipykernel.
Signals (interrupt on a cell timeout, kill on shutdown) reach a forked kernel as they reach
a launched one, through its process group. Linux and macOS only (``fork``).
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import sys
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager

SOCKET_VARIABLE = "FORKKERNEL_SOCKET"
_PR_SET_PDEATHSIG = 1


def _preload(names: list[str]) -> None:
    """Import each module; ``package.*`` imports a package and all its submodules."""
    for name in names:
        module = importlib.import_module(name.removesuffix(".*"))
        if name.endswith(".*"):
            for sub in pkgutil.walk_packages(module.__path__, f"{module.__name__}."):
                importlib.import_module(sub.name)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent exits (no-op elsewhere)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _run_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become the kernel jupyter_client asked for, then exit."""
    os.setsid()  # its own process group, as jupyter_client gives a launched kernel
    _die_with_parent()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    if "numpy" in sys.modules:  # a fresh process seeds numpy's global generator from the OS
        sys.modules["numpy"].random.seed()
    from ipykernel import kernelapp

    argv = request["argv"]
    sys.argv = [kernelapp.__file__, *argv]
    status = 0
    try:
        kernelapp.launch_new_instance(argv=argv)
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def serve(path: str, modules: list[str]) -> None:
    """Import ``modules``, listen on the Unix socket ``path`` and fork a kernel per request.

    A request is one JSON line ``{"argv": [...], "env": {...}, "cwd": "..."}`` (``argv`` are
    ipykernel's options, e.g. ``-f connection.json``); the answer is ``{"pid": N}``. The
    server exits, and its kernels with it, when its standard input closes.
    """
    # ipykernel would set this in the kernel; matplotlib reads it when first imported.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.ipkernel  # noqa: F401 (the bulk of a kernel's start-up)
    import ipykernel.kernelapp  # noqa: F401

    _preload(modules)
    _die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps exited children
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([server, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            break
        if server in ready:
            connection, _ = server.accept()
            with connection, connection.makefile("rw") as stream:
                request = json.loads(stream.readline())
                pid = os.fork()
                if pid == 0:
                    server.close()
                    _run_kernel(request)
                stream.write(json.dumps({"pid": pid}) + "\n")
    server.close()
    os.unlink(path)


class _ForkedKernel:
    """The part of ``subprocess.Popen`` that jupyter_client uses, for a kernel we did not start."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0  # the server reaped it; its exit status is not ours to read
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _ipykernel_options(cmd: list[str]) -> list[str] | None:
    """ipykernel's options if ``cmd`` starts this Python's ipykernel, else None."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    if os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        return None
    return cmd[3:]


def _launch_forked(manager, kernel_cmd: list[str], kw: dict[str, Any]) -> bool:
    """Have the server fork ``manager``'s kernel; False if it cannot (no server, not ipykernel)."""
    path = os.environ.get(SOCKET_VARIABLE)
    options = _ipykernel_options(kernel_cmd)
    if not path or options is None:
        return False
    env = {k: v for k, v in (kw.get("env") or os.environ).items() if k != SOCKET_VARIABLE}
    cwd = str(kw.get("cwd") or os.getcwd())
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(path)
        with connection.makefile("rw") as stream:
            stream.write(json.dumps({"argv": options, "env": env, "cwd": cwd}) + "\n")
            stream.flush()
            pid = json.loads(stream.readline())["pid"]
    provisioner = manager.provisioner
    provisioner.process = _ForkedKernel(pid)
    provisioner.pid = provisioner.pgid = pid  # setsid(): the kernel leads its own group
    provisioner.cwd = cwd
    manager._reconcile_connection_info(provisioner.connection_info)
    return True


class ForkingKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose Python kernels are forked by the server at ``$FORKKERNEL_SOCKET``."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if not _launch_forked(self, kernel_cmd, kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)


class ForkingSyncKernelManager(KernelManager):
    """The same for jupyter_client's blocking KernelManager (nbval uses that one)."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if not _launch_forked(self, kernel_cmd, kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
