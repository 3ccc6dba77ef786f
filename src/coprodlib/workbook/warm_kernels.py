"""Warm kernels for the batch runner: notebooks start in milliseconds, each in its own process.

A :class:`ForkServer` starts :mod:`coprodlib.workbook.forkserver` once per run. The server
imports the workbook's libraries, then forks one fresh kernel per notebook. A
:class:`WarmProvisioner` plugs that into jupyter_client's kernel provisioner interface, so
papermill and nbclient drive a forked kernel exactly as a kernel they started themselves:
:class:`ForkedKernel` stands in for the ``subprocess.Popen`` of a kernel (poll, wait, signals).

Only kernels that would have been ``python -m ipykernel_launcher`` of this very interpreter
are forked; any other kernel command, a platform without ``os.fork``, or a server that cannot
be reached falls back to the usual cold start. Plain papermill and nbval are not touched: they
keep the standard kernel.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["ForkServer", "ForkedKernel", "WarmProvisioner", "warm_available"]

#: How long a request waits for the server to listen, in seconds (it binds before it imports).
_CONNECT_SECONDS = 30.0


def warm_available() -> bool:
    """Whether this platform can fork kernels (``os.fork`` and Unix sockets)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and sys.platform != "win32"


class ForkedKernel:
    """A kernel forked by the server, behaving as the ``Popen`` jupyter_client expects.

    The server reports the exit code on the connection the kernel was requested on, so
    :meth:`poll` and :meth:`wait` never rely on a pid that could be reused.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._conn = conn
        self._buffer = b""

    def poll(self) -> int | None:
        """The exit code if the kernel has ended, else None (does not block)."""
        return self._read(0.0)

    def wait(self, timeout: float | None = None) -> int:
        """Block until the kernel ends; its exit code."""
        code = self._read(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(["forked kernel", str(self.pid)], timeout or 0)
        return code

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _read(self, timeout: float | None) -> int | None:
        if self.returncode is not None:
            return self.returncode
        ready, _, _ = select.select([self._conn], [], [], timeout)
        if not ready:
            return None
        chunk = self._conn.recv(4096)
        self._buffer += chunk
        if b"\n" in self._buffer:
            self.returncode = int(json.loads(self._buffer.split(b"\n", 1)[0]).get("exit", -9))
        elif not chunk:  # the server is gone; the kernel follows it (its parent poller)
            self.returncode = -int(signal.SIGKILL)
        else:
            return None
        self._conn.close()
        return self.returncode


class ForkServer:
    """One fork server for the duration of a ``with`` block (one batch run).

    Starting it costs a few milliseconds here: the server binds its socket at once and imports
    (and reads ``datasets``, the dataset folders its kernels will load) in the background,
    while the runner reads the dataset; the first kernel request waits until that is done.
    """

    def __init__(self, datasets: list[Path] | None = None) -> None:
        self.datasets = [str(d) for d in datasets or []]
        self._folder = Path(tempfile.mkdtemp(prefix="coprod-warm-"))
        self.path = str(self._folder / "s")
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.launched = 0

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the server process (it lives in a session of its own: Ctrl-C is the runner's)."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", "coprodlib.workbook.forkserver", self.path, *self.datasets],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )

    def close(self) -> None:
        """Stop the server (closing its input), then remove its socket folder."""
        process, self._process = self._process, None
        if process is not None and not self.launched:  # it forked nothing: no kernel to end
            process.kill()
            process.wait()
            if process.stdin is not None:
                process.stdin.close()
        elif process is not None:
            try:
                if process.stdin is not None:
                    process.stdin.close()
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    def kernel_args(self, cmd: list[str]) -> list[str] | None:
        """The arguments after ``-m ipykernel_launcher`` when ``cmd`` starts this interpreter's
        IPython kernel (and so can be forked), else None."""
        if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
            return None
        try:
            same = os.path.samefile(cmd[0], sys.executable)
        except OSError:
            same = False
        return list(cmd[3:]) if same else None

    def launch(self, args: list[str], *, cwd: str, env: dict[str, str]) -> ForkedKernel:
        """Ask the server for a kernel started with ``args``; raises OSError if it cannot."""
        if self._process is None or self._process.poll() is not None:
            raise OSError("the fork server is not running")
        conn = self._connect()
        try:
            request = {"args": args, "cwd": cwd, "env": env}
            conn.sendall(json.dumps(request).encode() + b"\n")
            line = b""
            while not line.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    raise OSError("the fork server closed the connection")
                line += chunk
            pid = int(json.loads(line)["pid"])
        except (OSError, ValueError, KeyError):
            conn.close()
            raise
        with self._lock:
            self.launched += 1
        return ForkedKernel(pid, conn)

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + _CONNECT_SECONDS
        while True:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(self.path)
                return conn
            except (FileNotFoundError, ConnectionRefusedError):
                conn.close()
                if time.monotonic() > deadline or (
                    self._process is None or self._process.poll() is not None
                ):
                    raise OSError("the fork server did not start") from None
                time.sleep(0.005)


def _provisioner_base() -> type:
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    return LocalProvisioner


class WarmProvisioner(_provisioner_base()):  # type: ignore[misc]
    """jupyter_client's local provisioner, launching through a :class:`ForkServer` when it can.

    Set :attr:`forks` before the kernel starts; everything else (connection file, ports,
    shutdown, interrupt, kill) is the local provisioner's own.
    """

    forks: ForkServer | None = None
    forked: bool = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        args = self.forks.kernel_args(cmd) if self.forks is not None else None
        if args is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            process = self.forks.launch(args, cwd=cwd, env=env)
        except OSError:  # no server: start it cold, as without warm kernels
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process
        self.pid = self.pgid = process.pid
        self.cwd = cwd
        self.forked = True
        return self.connection_info

    async def wait(self) -> int | None:
        """Wait for the kernel to end, looking every few milliseconds rather than every 0.1 s
        (the server reports the exit within its tick)."""
        if not self.forked or self.process is None:
            return await super().wait()
        import asyncio

        while (code := self.process.poll()) is None:
            await asyncio.sleep(0.005)
        self.process = None
        return code


def _client_base() -> type:
    from jupyter_client.asynchronous import AsyncKernelClient

    return AsyncKernelClient


class ReadyClient(_client_base()):  # type: ignore[misc]
    """jupyter_client's asynchronous kernel client with a quicker readiness check.

    The stock check ends by listening on IOPub until 0.2 s pass without a message, and waits
    0.2 s for IOPub each time it asks the kernel for its info: a fixed fifth of a second or
    more per notebook, spent idle. This one asks the same questions (a ``kernel_info`` reply
    on the shell channel, then any message on IOPub, which proves that channel connected) but
    listens in short slices, and drains only what IOPub already holds. The messages it
    discards are the kernel's start-up status messages; nbclient matches every later message
    to its own request anyway.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.05)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:  # what IOPub holds already (the start-up status), no more
            try:
                await self.iopub_channel.get_msg(timeout=0.005)
            except Empty:
                break
