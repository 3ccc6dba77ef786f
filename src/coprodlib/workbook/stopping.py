"""Stopping a batch run on SIGINT (Ctrl-C) or SIGTERM: no new notebook, running kernels killed.

Papermill runs each notebook in its own kernel process, started in a session of its own (so
the terminal's Ctrl-C does not reach it). A :class:`Stopper` hands papermill a kernel manager
class that registers every kernel it starts; when a signal arrives the handler sets a flag
that the workers check before starting a notebook, and kills the registered kernels (their
whole process group). The notebook being executed then ends with a dead kernel within about a
second, and the runner records it as interrupted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["RunInterrupted", "Stopper"]


class RunInterrupted(KeyboardInterrupt):
    """A batch run stopped by a signal, after recording what finished.

    Attributes
    ----------
    signum : int
        The signal that stopped the run (``signal.SIGINT`` or ``signal.SIGTERM``).
    results : list
        One result per planned notebook (:class:`~coprodlib.workbook.runner.JobResult`);
        those that did not finish have the status ``"interrupted"``.
    exit_code : int
        The shell's convention, 128 plus the signal number: 130 for SIGINT.
    """

    def __init__(self, signum: int, results: Sequence[Any]) -> None:
        self.signum = int(signum)
        self.results = list(results)
        self.exit_code = 128 + self.signum
        name = signal.Signals(self.signum).name if self.signum in _SIGNALS else str(signum)
        super().__init__(f"stopped by {name}")


_SIGNALS = {int(s) for s in (signal.SIGINT, getattr(signal, "SIGTERM", signal.SIGINT))}


class Stopper:
    """The stop flag of one run, and the kernels to kill when it is raised."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._kernels: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.RLock()  # re-entrant: a second signal may arrive in the handler

    @property
    def stopped(self) -> bool:
        """True once a signal (or :meth:`stop`) asked the run to stop."""
        return self.event.is_set()

    def stop(self, signum: int | None = None) -> None:
        """Raise the flag and kill every kernel started so far."""
        with self._lock:
            if self.signum is None and signum is not None:
                self.signum = int(signum)
            self.event.set()
            for km in list(self._kernels):
                _kill(km)

    def kernel_manager_class(self, forks: Any = None) -> type:
        """A jupyter kernel manager class that registers each kernel it starts with this run.

        With ``forks`` (a :class:`~coprodlib.workbook.warm_kernels.ForkServer`) its kernels
        are forked warm by that server (see :mod:`coprodlib.workbook.warm_kernels`).
        """
        import uuid

        import zmq
        from jupyter_client.manager import AsyncKernelManager
        from traitlets import CaselessStrEnum, Type

        from .warm_kernels import ReadyClient

        stopper = self
        curve = bool(zmq.has("curve"))

        class TrackedKernelManager(AsyncKernelManager):  # type: ignore[misc]
            #: Whether the last kernel this class started was forked warm.
            forked = False
            #: Its clients check readiness without idle waits (see warm_kernels.ReadyClient).
            client_factory = Type(klass=ReadyClient, default_value=ReadyClient)
            #: CurveZMQ keys for the kernel's sockets where pyzmq has them and the kernel
            #: says it takes them (ipykernel does): the notebook's traffic is not plain text
            #: on the loopback, and the kernel has no reason to warn that it is.
            transport_encryption = CaselessStrEnum(
                ["disabled", "auto", "required"], default_value="auto" if curve else "disabled"
            )

            async def _async_wait(self, pollinterval: float = 0.1) -> None:
                # a killed kernel is gone within milliseconds: look every 5 ms, not every 0.1 s
                await super()._async_wait(pollinterval=min(pollinterval, 0.005))

            async def start_kernel(self, **kw: Any) -> None:
                if forks is not None and self.provisioner is None:
                    from .warm_kernels import WarmProvisioner

                    self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                    self.provisioner = WarmProvisioner(
                        kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                    )
                    self.provisioner.forks = forks
                await super().start_kernel(**kw)
                type(self).forked = bool(getattr(self.provisioner, "forked", False))
                stopper._started(self)

        return TrackedKernelManager

    def _started(self, km: Any) -> None:
        with self._lock:
            self._kernels.add(km)
            if self.event.is_set():  # the signal came while this kernel was starting
                _kill(km)

    @contextlib.contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Within the block, SIGINT and SIGTERM call :meth:`stop` instead of their default.

        Signal handlers can only be set in the main thread; elsewhere (a run started from a
        worker thread) the block leaves the handlers as they are.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        wanted = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
        before = {s: signal.getsignal(s) for s in wanted}
        for s in wanted:
            signal.signal(s, lambda signum, _frame: self.stop(signum))
        try:
            yield
        finally:
            for s, handler in before.items():
                signal.signal(s, handler)


def _kill(km: Any) -> None:
    """Kill a kernel's process (and its process group) if it is still running."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None or process.poll() is not None:  # not started, or already gone
        return
    pid = process.pid
    pgid = getattr(provisioner, "pgid", None)
    try:
        if hasattr(os, "killpg") and pgid == pid:
            os.killpg(pgid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
