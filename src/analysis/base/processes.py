"""Child processes that never outlive the program: each runs in a process group of its own, is
killed with that whole group when the call ends or fails, and (on Linux) dies with its parent.

`run` replaces subprocess.run for helpers such as Chromium; `register` lets the runner add the
kernels it starts, so that `kill_all` stops every child at once (Ctrl-C, a failed run).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
from collections.abc import Sequence

_live: dict[int, tuple[str, subprocess.Popen]] = {}  # leader pid -> (what it is, its Popen)
_live_lock = threading.Lock()

PR_SET_PDEATHSIG = 1


def _prctl():
    try:
        fn = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_int
    return fn


_PRCTL = _prctl()


def _die_with_parent(parent: int):
    """A preexec function: SIGKILL this child when the thread that started it exits (Linux), and
    exit at once if the parent is already gone. One system call, safe between fork and exec."""

    def preexec() -> None:
        if _PRCTL is not None:
            _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def register(proc: subprocess.Popen, what: str) -> None:
    """Track a child that leads its own process group (a kernel): `kill_all` will kill the group."""
    with _live_lock:
        _live[proc.pid] = (what, proc)


def unregister(proc: subprocess.Popen) -> None:
    with _live_lock:
        _live.pop(proc.pid, None)


def live() -> dict[int, str]:
    """{pid: what} of the registered children that are still running."""
    with _live_lock:
        return {pid: what for pid, (what, proc) in _live.items() if proc.poll() is None}


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group; a group that is already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_all() -> list[str]:
    """Kill the process group of every registered child still running (a leader that has not been
    reaped keeps its id, so no other group is ever hit); returns what was killed."""
    with _live_lock:
        entries = list(_live.values())
    killed = []
    for what, proc in entries:
        if proc.poll() is None:
            kill_group(proc.pid)
            killed.append(what)
    return killed


def run(cmd: Sequence[str], *, timeout: float, what: str, **kw) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, capture_output=True, text=True) in a new session. The whole process
    group (a browser's helpers too) is killed when the call returns, times out or is interrupted,
    and the child gets SIGKILL if this process dies first."""
    proc = subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=_die_with_parent(os.getpid()),  # noqa: PLW1509 - one prctl call, fork-safe
                            **kw)
    register(proc, what)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        raise
    except BaseException:
        kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        kill_group(proc.pid)  # helpers left behind by a main process that has exited
        unregister(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
