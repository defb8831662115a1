"""Tests of analysis.base.processes: a child and its whole process group are killed when the call ends,
times out or the runner stops them, and none is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from analysis.base import processes


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_returns_the_output_and_leaves_nothing_behind():
    r = processes.run([sys.executable, "-c", "print('hi')"], timeout=30, what="echo")
    assert (r.returncode, r.stdout) == (0, "hi\n")
    assert "echo" not in processes.live().values()


def _gone(pid: int) -> bool:
    """The process has exited (absent, or a zombie waiting to be reaped by init)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_timeout_kills_the_whole_group_helpers_too(tmp_path):
    pidfile = tmp_path / "helper.pid"  # the shell's background helper, in the shell's group
    t = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run(["sh", "-c", f"sleep 60 & echo $! > {pidfile}; wait"], timeout=2, what="sleeper")
    assert time.monotonic() - t < 20
    helper = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while not _gone(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(helper)
    assert "sleeper" not in processes.live().values()


def test_a_registered_child_is_killed_with_its_group_by_kill_all():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        processes.register(proc, "kernel 01_clean")
        assert processes.live()[proc.pid] == "kernel 01_clean"
        assert processes.kill_all() == ["kernel 01_clean"]
        assert proc.wait(timeout=10) == -9  # SIGKILL
        assert proc.pid not in processes.live() and not _group_alive(proc.pid)
    finally:
        processes.unregister(proc)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.pid not in processes.live()
    processes.kill_group(proc.pid)  # a group already gone is fine
