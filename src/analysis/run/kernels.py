"""The runner's kernels: started with this interpreter on private sockets, warmed with their step's
imports ahead of need (Warmer), owned by one step each and closed however the step ends.

jupyter_client is imported when the first kernel is made, never on the no-op path.
"""

from __future__ import annotations

import os
import queue
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from pathlib import Path

from ..base import processes
from . import params
from .dag import Step
from .errors import Cancelled

KERNELS_AHEAD = 1  # kernels started beyond `jobs` (warming while the running steps compute)
KERNEL_START_TIMEOUT_S = 120

# Code a kernel runs, silently and without history, before its notebook: it fills sys.modules and
# leaves the namespace as it was (an import the notebook forgets still fails in the notebook; an
# import that raises here raises again, in its cell, when the notebook makes it).
_WARM_CODE = """\
def _analysis_warm_up(names):
    import importlib
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass
_analysis_warm_up({names!r})
del _analysis_warm_up
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_DECOR = re.compile(r"^[\s\-=^~_*.|>]*$")


def log(msg: str) -> None:
    """One line of the runner's progress on stdout."""
    print(msg, flush=True)


def meaningful_lines(text: str) -> list[str]:
    """The lines of a kernel's or a cell's output that say something (no colours, no rules)."""
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines()]
    return [line for line in lines if line and not _DECOR.match(line)]


def kernel_manager_class(run_id: str = "", on_start: Callable | None = None, output=None):
    """A KernelManager that starts ipykernel with this very interpreter (no kernelspec needed).

    It talks to the kernel over Unix sockets (transport "ipc") whose paths are unique per kernel,
    so kernels started side by side, by this run or by another, can never share a channel: the
    parallel port race of papermill cannot happen.

    Its shutdown is orderly: jupyter_client interrupts a kernel (SIGINT) before asking it to shut
    down; when that signal lands while the kernel still handles the last reply, the kernel logs
    "KeyboardInterrupt caught in kernel" and zmq/tornado tracebacks on the user's terminal. This
    manager asks over the control channel only (and kills after shutdown_wait_time if needed).
    Each kernel is registered with analysis.base.processes, so that an abandoned run can kill it, and
    gets params.RUN_ID_ENV=run_id in its environment. What the kernel process itself prints (not its
    cells: their output reaches the notebook) goes to `output`, a file, instead of the terminal.
    """
    from jupyter_client.kernelspec import KernelSpec  # noqa: PLC0415 - heavy: only when a step runs
    from jupyter_client.manager import AsyncKernelManager  # noqa: PLC0415 - heavy: only when a step runs
    from traitlets import default  # noqa: PLC0415 - heavy: only when a step runs

    class ThisInterpreterKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")
        def _ip_default(self):
            return os.path.join(tempfile.gettempdir(), f"analysis-kernel-{uuid.uuid4().hex}")

        @property
        def kernel_spec(self):  # type: ignore[override]
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python ({sys.executable})",
                language="python",
                resource_dir="",
                # the runner's kernels write the official folders (run.scratch), tagged with the run's id
                env={params.RUNNER_ENV: "1", **({params.RUN_ID_ENV: run_id} if run_id else {})},
            )

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if output is not None:
                kw["stdout"] = kw["stderr"] = output
            await super()._async_launch_kernel(kernel_cmd, **kw)
            self.runner_process = self.provisioner.process
            processes.register(self.runner_process, "kernel")
            if on_start is not None:
                on_start(self)

        async def _async_interrupt_kernel(self):
            if self.shutting_down:
                return  # shutting down: the shutdown request follows on the control channel
            await super()._async_interrupt_kernel()

    return ThisInterpreterKernelManager


class Kernel:
    """A started kernel for one step: its manager and the file its process prints to."""

    def __init__(self, km, output):
        self.km = km
        self.output = output
        self.printed = ""  # what it printed outside its cells, summed up once it is closed
        self.closed = False

    @property
    def process(self):
        return getattr(self.km, "runner_process", None)


async def _warm_up(km, cwd: str, imports: tuple[str, ...], stop: threading.Event) -> None:
    """Start km's kernel in cwd, wait until it answers, and run the warm-up imports in it."""
    await km.start_kernel(cwd=cwd, extra_arguments=["--HistoryManager.hist_file=:memory:"])  # as nbclient
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT_S)
        if not imports:
            return
        msg_id = kc.execute(_WARM_CODE.format(names=list(imports)), silent=True, store_history=False)
        deadline = time.monotonic() + KERNEL_START_TIMEOUT_S
        while True:
            if stop.is_set():
                raise Cancelled("kernel warm-up cancelled")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel's warm-up took more than {KERNEL_START_TIMEOUT_S} s")
            try:
                msg = await kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if not await km.is_alive():
                    raise RuntimeError("the kernel died while it started") from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return
    finally:
        kc.stop_channels()


def start_kernel(step: Step, root: Path, run_id: str, stop: threading.Event,
                 on_start: Callable | None = None) -> Kernel:
    """A kernel for `step`, started in the notebook's folder with the runner's environment and its
    step's modules imported. On any failure the kernel is closed (killed, its files removed)."""
    from jupyter_core.utils import run_sync  # noqa: PLC0415 - heavy: only when a step runs

    output = tempfile.TemporaryFile()  # noqa: SIM115 - what the kernel prints outside its cells; close_kernel closes it

    def started(km):
        if on_start is not None:
            on_start(km)

    km = kernel_manager_class(run_id, started, output)()
    kernel = Kernel(km, output)
    try:
        run_sync(_warm_up)(km, str((root / step.notebook).parent), step.warm, stop)
    except BaseException:
        close_kernel(kernel, orderly=False)
        raise
    return kernel


def close_kernel(kernel: Kernel, orderly: bool = True) -> None:
    """Shut a kernel down (over its control channel when `orderly` and it is alive, else SIGKILL of
    its process group), then remove its connection file and ipc socket files, and keep the line
    that sums up what it printed (`kernel.printed`). Never raises; a second call does nothing."""
    from jupyter_core.utils import run_sync  # noqa: PLC0415 - heavy: only when a step runs

    if kernel.closed:
        return
    kernel.closed = True
    km, proc = kernel.km, kernel.process
    try:
        if orderly and proc is not None and proc.poll() is None:
            run_sync(km.shutdown_kernel)()
    except Exception:  # noqa: BLE001 - the kill below ends it anyway
        pass
    finally:
        if proc is not None:
            if proc.poll() is None:
                processes.kill_group(proc.pid)
                proc.wait()
            processes.kill_group(proc.pid)  # anything it started and left behind
            processes.unregister(proc)
        for clean in (km.cleanup_connection_file, km.cleanup_ipc_files):
            with suppress(Exception):  # a file already gone is fine
                clean()
        kernel.printed = printed(kernel.output)  # (what it printed at exit included)
        kernel.output.close()


def printed(output) -> str:
    """The line that best sums up what a kernel process printed on its own stdout/stderr: a fatal
    error or failed assertion if there is one, else the last meaningful line ("" when silent)."""
    try:
        output.seek(0)
        lines = meaningful_lines(output.read(1 << 20).decode("utf-8", errors="replace"))
    except (OSError, ValueError):
        return ""
    for line in lines:
        if line.startswith(("Fatal Python error", "Assertion failed", "Segmentation fault")):
            return line
    return lines[-1] if lines else ""


def note_printed(step: Step, kernel: Kernel) -> None:
    """After a step that succeeded: one note with what its kernel printed outside the notebook."""
    if kernel.printed:
        log(f"note: [{step.name}] its kernel printed outside the notebook: {kernel.printed}")


class Warmer:
    """Starts the kernels of the steps expected to run ahead of need, in DAG order, so that a step
    whose upstream steps finish finds its kernel started and its modules imported.

    At most `limit` kernels are alive at once (warming, waiting or executing; not counting those
    shutting down, which takes a kernel seconds but hardly any processor time); a step that asks for
    its kernel before its turn gets one started at once. Every step gets a kernel of its own, used
    once. A kernel whose step never runs (up to date, cancelled, the run failed) is closed; `close`
    closes every kernel not handed out and waits for the threads that start them.
    """

    def __init__(self, steps: list[Step], root: Path, run_id: str, limit: int):
        # imported here, before any thread does: threads importing them at once can deadlock
        import jupyter_client.kernelspec  # noqa: F401, PLC0415 - heavy, and imported before the threads start
        import jupyter_client.manager  # noqa: F401, PLC0415 - heavy, and imported before the threads start
        import jupyter_core.utils  # noqa: F401, PLC0415 - heavy, and imported before the threads start
        import papermill  # noqa: F401, PLC0415 - heavy, and imported before the threads start
        import traitlets  # noqa: F401, PLC0415 - heavy, and imported before the threads start

        self._root, self._run_id, self._limit = root, run_id, max(1, limit)
        self._queue = list(steps)
        self._cond = threading.Condition()
        self._live = 0
        self._futures: dict[str, Future] = {}
        self._claimed: set[str] = set()
        self._starting: dict[str, object] = {}  # step name -> its kernel manager, while it starts
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._closers: list[threading.Thread] = []
        self._loop = threading.Thread(target=self._run, name="kernel-warmer", daemon=True)
        self._loop.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stop.is_set() and (not self._queue or self._live >= self._limit):
                    self._cond.wait()
                if self._stop.is_set():
                    return
                step = self._queue.pop(0)
                future = self._begin(step)
            thread = threading.Thread(target=self._start, args=(step, future), name=f"kernel-{step.name}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _begin(self, step: Step) -> Future:
        """(under the lock) Count a kernel for `step` as alive and return the future of it."""
        future: Future = Future()
        future.set_running_or_notify_cancel()
        self._futures[step.name] = future
        self._live += 1
        return future

    def _start(self, step: Step, future: Future) -> None:
        try:
            kernel = start_kernel(step, self._root, self._run_id, self._stop,
                                  on_start=lambda km: self._starting.__setitem__(step.name, km))
        except BaseException as exc:  # noqa: BLE001 - handed to the step that asks for it
            self._starting.pop(step.name, None)
            self.release()
            future.set_exception(exc)
            return
        self._starting.pop(step.name, None)
        with self._cond:
            unwanted = self._stop.is_set() or step.name not in self._futures
        if unwanted:
            close_kernel(kernel)
            self.release()
            future.set_exception(Cancelled(f"{step.name} cancelled"))
        else:
            future.set_result(kernel)

    def claim(self, step: Step) -> Kernel:
        """The kernel of `step`: the one started ahead (waiting for its start-up), else one started
        now in this thread. Raises what the start-up raised; the caller then owns the kernel."""
        with self._cond:
            if step in self._queue:
                self._queue.remove(step)
            future = self._futures.get(step.name)
            now = future is None
            if now:
                future = self._begin(step)
            self._claimed.add(step.name)
        if now:
            self._start(step, future)
        return future.result()

    def start_fresh(self, step: Step) -> Kernel:
        """A second kernel for `step` (after its first failed to start), started now, counted."""
        with self._cond:
            self._live += 1
        try:
            return start_kernel(step, self._root, self._run_id, self._stop)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """A kernel counted as alive is closed: the next one may start."""
        with self._cond:
            self._live -= 1
            self._cond.notify_all()

    def close_later(self, kernel: Kernel, step: Step) -> None:
        """Close a kernel whose notebook has finished, in the background (`close` waits for it);
        the next kernel may start at once."""
        def close() -> None:
            close_kernel(kernel)
            note_printed(step, kernel)

        thread = threading.Thread(target=close, name=f"close-{step.name}", daemon=True)
        self._closers.append(thread)
        thread.start()
        self.release()

    def discard(self, step: Step) -> None:
        """`step` will not run: its kernel is not started, or is closed once started."""
        with self._cond:
            if step in self._queue:
                self._queue.remove(step)
            future = self._futures.pop(step.name, None)
            if future is None or step.name in self._claimed:
                return
        future.add_done_callback(self._close_unclaimed)

    def _close_unclaimed(self, future: Future) -> None:
        if future.exception() is None:
            close_kernel(future.result())
            self.release()

    def close(self) -> None:
        """Start nothing more; close every kernel not handed out (killing those still starting)
        and wait for the threads that start them."""
        with self._cond:
            self._stop.set()
            self._queue.clear()
            unclaimed = {n: f for n, f in self._futures.items() if n not in self._claimed}
            self._futures = {n: f for n, f in self._futures.items() if n in self._claimed}
            self._cond.notify_all()
        for km in list(self._starting.values()):  # (none after a run that succeeded)
            proc = getattr(km, "runner_process", None)
            if proc is not None and proc.poll() is None:
                processes.kill_group(proc.pid)  # its start-up then fails and closes it
        for future in unclaimed.values():
            future.add_done_callback(self._close_unclaimed)
        self._loop.join(timeout=10)
        for thread in [*self._threads, *self._closers]:
            thread.join(timeout=KERNEL_START_TIMEOUT_S)
