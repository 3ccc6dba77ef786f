"""The fork server behind warm kernels: the workbook's imports paid once per batch, not per notebook.

``python -m coprodlib.workbook.forkserver SOCKET`` listens on the Unix socket ``SOCKET``,
imports what the notebooks import (:data:`PRELOAD`: pandas, matplotlib, seaborn, pingouin,
statsmodels, coprodlib's modules and the IPython kernel), then waits. For each request (one
JSON line: the kernel's arguments, working folder and environment) it forks a child that
becomes a fresh IPython kernel, exactly as ``python -m ipykernel_launcher`` would start, but
with the imports already in memory (and, when the runner names it, the dataset already read
and checked in the contract's cache). The server answers with the child's pid, keeps the
connection open, and writes the child's exit code on it when the child ends; the client side
(:mod:`coprodlib.workbook.warm_kernels`) reads it as a process handle.

Each notebook still gets a process of its own: the server itself never runs notebook code, so
nothing one notebook does can reach the next. The child starts a session of its own (its
process group is its pid, as the runner's kill on Ctrl-C expects), reseeds the random number
generators it inherited, and takes the environment and working folder of the request.

The server stops when its standard input closes (the runner ends, or dies), killing the
kernels still running. It needs ``os.fork`` (Linux, macOS); elsewhere the runner starts
kernels the usual way.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
from typing import Any

__all__ = ["PRELOAD", "preload", "preload_datasets", "serve"]

#: The modules imported once in the server, in this order. The matplotlib backend itself is
#: left alone: it is chosen inside each kernel, which then wires figures to the notebook as in a
#: cold start (importing ``matplotlib_inline.backend_inline`` here would skip that step).
PRELOAD: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.api",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "pingouin",
    "jinja2",
    "pandas.io.formats.style",
    "pandas.io.formats.csvs",
    "pandera.pandas",
    "krippendorff",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "PIL.Image",
    "IPython",
    "IPython.display",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "pdb",
    "sqlite3",
    "coprodlib",
    "coprodlib.plots",
    "coprodlib.workbook.notebook",
    "coprodlib.workbook.presentation",
    "coprodlib.workbook.figures",
    "coprodlib.workbook.apa",
    "coprodlib.workbook.survey_sections",
    "coprodlib.contract.dataset",
    "coprodlib.analysis.describe",
    "coprodlib.analysis.qualitative",
    "coprodlib.analysis.contingency",
    "coprodlib.analysis.reliability",
    "coprodlib.analysis.scales",
    "coprodlib.analysis.survey_models",
    "coprodlib.analysis.derived",
    "coprodlib.taxonomy.export",
)

_INLINE = "module://matplotlib_inline.backend_inline"
#: How often the server looks for ended children while idle, in seconds.
_TICK = 0.02


def preload(names: tuple[str, ...] = PRELOAD) -> list[str]:
    """Import ``names``; return the ones that failed (a kernel then imports them itself)."""
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that cannot load here loads in the kernel
            failed.append(name)
    return failed


def preload_datasets(folders: list[str]) -> None:
    """Read and check each dataset folder once, into the contract's cache.

    A kernel forked afterwards holds the cache too: its ``cp.validate`` and ``cp.load`` of the
    same folder compare the files' stamps and hand out copies instead of reading and checking
    every file again (see :mod:`coprodlib.contract.cache`); a folder changed since is read
    anew. A folder that cannot be read is left to the notebooks, which report it.
    """
    if not folders:
        return
    from pathlib import Path

    from coprodlib.contract.dataset import load_folder

    for folder in folders:
        try:
            load_folder(Path(folder))
        except Exception:  # noqa: BLE001, S112 - the notebook reading it says what is wrong
            continue


def serve(path: str, datasets: list[str] | None = None) -> None:
    """Listen on ``path``, preload, and fork one kernel per request until stdin closes.

    ``datasets`` are dataset folders read and checked once here (:func:`preload_datasets`),
    so that each kernel's ``cp.load`` finds them in the contract's cache.
    """
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    # As ipykernel would set them in a cold kernel, before matplotlib and ipykernel read them
    # at import: the inline backend by default, and this process as the kernels' parent.
    os.environ.setdefault("MPLBACKEND", _INLINE)
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # as jupyter_client sets it
    preload()
    preload_datasets(datasets or [])
    # What the imports made is kept for good: the kernels' garbage collector never walks it,
    # so it costs them nothing and they share its memory pages with the server untouched.
    gc.freeze()
    children: dict[int, socket.socket] = {}
    stdin = sys.stdin.fileno()
    try:
        while True:
            _reap(children)
            ready, _, _ = select.select([listener, stdin], [], [], _TICK)
            if stdin in ready and not os.read(stdin, 4096):
                return  # the runner closed the pipe, or is gone
            if listener in ready:
                conn, _ = listener.accept()
                _answer(conn, listener, children)
    finally:
        for pid in children:
            _kill_group(pid)
        listener.close()


def _answer(conn: socket.socket, listener: socket.socket, children: dict[int, socket.socket]):
    """Read one request from ``conn`` and fork its kernel; a bad request closes ``conn``."""
    try:
        request = json.loads(_read_line(conn))
        args = [str(a) for a in request["args"]]
        cwd = str(request["cwd"])
        env = {str(k): str(v) for k, v in request["env"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        conn.close()
        return
    pid = os.fork()
    if pid == 0:  # the child: never returns into the server's loop
        code = 1
        try:
            listener.close()
            for other in children.values():
                other.close()
            conn.close()
            code = _become_kernel(args, cwd, env)
        finally:
            os._exit(code)
    children[pid] = conn
    try:
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    except OSError:  # the client gave up waiting: its kernel has no one to talk to
        _kill_group(pid)


def _read_line(conn: socket.socket, limit: int = 1 << 22) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > limit:
            raise ValueError("incomplete request")
        data += chunk
    return data


def _reap(children: dict[int, socket.socket]) -> None:
    """Collect ended children and tell each one's client its exit code."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is None:
            continue
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
        conn.close()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _become_kernel(args: list[str], cwd: str, env: dict[str, str]) -> int:
    """Turn this forked child into an IPython kernel started with ``args``; its exit code."""
    os.setsid()  # a session and process group of its own, as jupyter_client starts kernels
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _reseed()
    import ipykernel_launcher
    from ipykernel import kernelapp

    # What ``python -m ipykernel_launcher`` sees: its own path as argv[0] and no script folder
    # first on sys.path (IPython puts '' there when the shell starts).
    sys.argv = [str(ipykernel_launcher.__file__), *args]
    if sys.path and sys.path[0] in ("", _SERVER_CWD):
        del sys.path[0]
    code: Any = 0
    try:
        kernelapp.launch_new_instance()
    except SystemExit as stop:
        code = stop.code
    except BaseException:  # noqa: BLE001 - reported as a cold kernel would, then exit 1
        import traceback

        traceback.print_exc()
        code = 1
    import atexit

    atexit._run_exitfuncs()  # what interpreter shutdown would run: history, temporary files
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _reseed() -> None:
    """New seeds for the generators copied from the server, as a fresh process would draw."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


_SERVER_CWD = os.getcwd()

if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
    os._exit(0)  # skip tearing down the preloaded modules: nothing of theirs needs saving
