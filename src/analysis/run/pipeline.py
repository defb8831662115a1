"""The runner: executes the notebooks as a DAG with papermill and renders them with nbconvert.

A step is skipped when its content hash is unchanged and its outputs are still those the runner
wrote; 02 and 03 run side by side, each step in a kernel of its own started ahead of need
(_Warmer); everything is built in marked staging folders that replace processed_dir and
output_dir (run/staging.py) only when every step succeeds.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..base import processes
from ..base.io import sha256_file, write_json
from . import params as params_mod
from . import provenance, staging
from .staging import FAILED_SUFFIX, RunError  # noqa: F401  (FAILED_SUFFIX: part of this module's API)

STATE_DIR = ".pipeline"  # per-step records, inside processed_dir / output_dir

# Parameters each analysis step depends on. 02, 03 and 05 draw their figures in the run's language
# only (`lang` is one of their keys), so switching language reruns them and 04.
_DATA_KEYS = ("wave",)


@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline.

    `home` is where the step writes ("processed" or "output"); `needs` names upstream steps;
    `keys` the parameters it depends on; `inputs` and `outputs` map resolved parameters to files
    (outputs: what must exist afterwards, including what the runner writes after a `finishes` step).
    `products` lists every file the step writes (default: `outputs`); the runner records their
    digests and reruns the step when one of them was changed behind its back. Its executed
    notebook and notebook page count as its products too.
    """

    name: str
    notebook: str
    home: str
    needs: tuple[str, ...]
    keys: tuple[str, ...]
    inputs: Callable[[dict], list[Path]]
    outputs: Callable[[dict], list[Path]]
    finishes: bool = False  # the last step: the runner then writes the workbook, the PDF and the index
    products: Callable[[dict], list[Path]] | None = None
    warm: tuple[str, ...] = ()  # modules its kernel imports before the notebook starts (see _Warmer)


def _files_under(folder: Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """All files below folder, sorted, skipping state records, dot files and excluded top-level names."""
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if p.is_file() and rel[0] != STATE_DIR and rel[0] not in exclude and not rel[-1].startswith("."):
            out.append(p)
    return out


def _reference_files(P: dict) -> list[Path]:
    from ..base.reference import REQUIRED_FILES

    return [Path(P["reference_dir"]) / name for name in REQUIRED_FILES]


def _processed(P: dict, *names: str) -> list[Path]:
    return [Path(P["processed_dir"]) / n for n in names]


def _output(P: dict, *names: str) -> list[Path]:
    return [Path(P["output_dir"]) / n for n in names]


def _compared(P: dict) -> list[Path]:
    """The earlier wave's processed files (05_compare), none when nothing is compared."""
    return _files_under(Path(P["compare_dir"])) if P.get("compare_dir") else []


def _compare_outputs(P: dict) -> list[Path]:
    if P.get("compare_with") is None:
        return []
    return [*_output(P, "tables/change.csv", "tables/transitions.csv", "tables/trend.csv", "compare_summary.json"),
            Path(P["output_dir"]) / "figures" / f"trend_{P['lang']}.png"]


def _written_by(step: str, summary: str) -> Callable[[dict], list[Path]]:
    """The files of the contracts `step` writes, and the figures its summary JSON lists."""

    def products(P: dict) -> list[Path]:
        from ..base import contracts

        folders = {"processed": Path(P["processed_dir"]), "output": Path(P["output_dir"])}
        out = [folders[c.home] / c.path for c in contracts.CONTRACTS.values() if c.writer == step]
        try:
            figures = json.loads((folders["output"] / f"{summary}.json").read_text(encoding="utf-8"))["figures"]
            out += [folders["output"] / f for f in figures if isinstance(f, str)]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return sorted(set(out))

    return products


# What each notebook's kernel imports before its first cell (sys.modules only, not the notebook's
# namespace): the first cell's imports and the heavy modules its step imports, as measured.
_WARM_BASE = ("analysis.present.notebook", "analysis.run.params", "analysis.base.io")
_WARM_FIGURES = ("scipy.stats", "statsmodels.api", "statsmodels.formula.api", "matplotlib.pyplot", "seaborn",
                 "analysis.compute.survey", "analysis.compute.models", "analysis.present.figures")

# Written by 04 or the runner, or carrying run times: never an input of 04's hash.
_REPORT_OUTPUTS = ("report.html", "index.html", "notebooks", "executed", "report.pdf", "provenance.json")

STEPS: tuple[Step, ...] = (
    Step(
        name="01_clean",
        notebook="notebooks/01_clean.ipynb",
        home="processed",
        needs=(),
        keys=("raw_path", "reference_dir", "max_rows", "max_input_mb", *_DATA_KEYS),
        inputs=lambda P: [Path(P["raw_path"]), *_reference_files(P)],
        outputs=lambda P: _processed(P, "responses.parquet", "analysis.parquet", "cleaning_log.csv", "run_info.json"),
        products=lambda P: _files_under(Path(P["processed_dir"])),
        warm=(*_WARM_BASE, "analysis.run.steps.clean", "analysis.compute.survey"),
    ),
    Step(
        name="02_describe",
        notebook="notebooks/02_describe.ipynb",
        home="output",
        needs=("01_clean",),
        keys=("reference_dir", "lang", "alpha", "min_cell", *_DATA_KEYS),
        inputs=lambda P: [*_files_under(Path(P["processed_dir"])), *_reference_files(P)],
        outputs=lambda P: _output(P, "tables/headline.csv", "describe_summary.json"),
        products=_written_by("02_describe", "describe_summary"),
        warm=(*_WARM_BASE, *_WARM_FIGURES, "analysis.run.steps.describe"),
    ),
    Step(
        name="03_model",
        notebook="notebooks/03_model.ipynb",
        home="output",
        needs=("01_clean",),
        keys=("lang", "alpha", "seed", "min_cell", *_DATA_KEYS),
        inputs=lambda P: _files_under(Path(P["processed_dir"])),
        outputs=lambda P: _output(P, "tables/models.csv", "tables/verdicts.csv", "model_summary.json"),
        products=_written_by("03_model", "model_summary"),
        warm=(*_WARM_BASE, *_WARM_FIGURES, "analysis.run.steps.model"),
    ),
    Step(
        name="05_compare",  # needs 01 of this wave here and of the earlier wave (compare_dir) before
        notebook="notebooks/05_compare.ipynb",
        home="output",
        needs=("01_clean",),
        keys=("compare_with", "compare_dir", "reference_dir", "lang", "alpha", "min_cell", *_DATA_KEYS),
        inputs=lambda P: [*_files_under(Path(P["processed_dir"])), *_compared(P), *_reference_files(P)],
        outputs=_compare_outputs,
        products=lambda P: _written_by("05_compare", "compare_summary")(P) if P.get("compare_with") is not None else [],
        warm=(*_WARM_BASE, *_WARM_FIGURES, "analysis.run.steps.compare"),
    ),
    Step(
        name="04_report",
        notebook="notebooks/04_report.ipynb",
        home="output",
        needs=("02_describe", "03_model", "05_compare"),
        keys=tuple(params_mod.SCHEMA),
        inputs=lambda P: [
            *_files_under(Path(P["processed_dir"])),
            *_files_under(Path(P["output_dir"]), exclude=_REPORT_OUTPUTS + ("tables",)),
            *[p for p in _files_under(Path(P["output_dir"]) / "tables") if p.name != "tables.xlsx"],
        ],
        outputs=lambda P: _output(P, "report.html", "provenance.json", "index.html"),
        finishes=True,
        products=lambda P: _output(P, "report.html", "provenance.json", "index.html", "report.pdf",
                                   "tables/tables.xlsx"),
        warm=(*_WARM_BASE, "analysis.run.steps.report", "jinja2", "openpyxl"),
    ),
)


class StepFailed(RunError):
    """A notebook raised or its kernel died; the message names the notebook, the cell and the error."""


class _Cancelled(RunError):
    """The step was stopped because the run is being abandoned (another step failed, Ctrl-C)."""


# --------------------------------------------------------------------------------------- hashing
def _tree_digest(folder: Path, patterns: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for pattern in patterns:
        for p in sorted(folder.rglob(pattern)):
            if "__pycache__" in p.parts:
                continue
            h.update(str(p.relative_to(folder)).encode())
            h.update(sha256_file(p).encode())
    return h.hexdigest()


def _logical(P: dict, root: Path) -> dict:
    """Parameters as recorded: paths relative to the project root where possible."""
    out = {}
    for k, v in P.items():
        if k in params_mod.PATH_KEYS and v is not None:
            real = Path(os.path.realpath(v))
            try:
                v = str(real.relative_to(root.resolve()))
            except ValueError:
                v = str(real)
        out[k] = v
    return out


def git_state(root: Path, folders: tuple[str | Path, ...] = ()) -> str:
    """HEAD commit and every changed or untracked file (the run's own folders left out): what the
    report's provenance shows, so that a new commit or an edited file reruns the report."""
    return provenance.git_state(root, folders)


def _label(f: Path, P: dict, root: Path | None = None) -> str:
    """A file named relative to the folder parameter it lies in (the same in staging and final),
    else to the project root (a moved checkout keeps its hashes), else by its absolute path."""
    for key in ("processed_dir", "output_dir", "reference_dir"):
        base = Path(P[key])
        if f.is_relative_to(base):
            return f"{key}/{f.relative_to(base).as_posix()}"
    if root is not None and f.is_relative_to(root):
        return f"root/{f.relative_to(root).as_posix()}"
    return str(f)


def _unlabel(label: str, P: dict) -> Path | None:
    key, _, rel = label.partition("/")
    if key not in ("processed_dir", "output_dir") or not rel or ".." in Path(rel).parts:
        return None
    return Path(P[key]) / rel


def step_hash(step: Step, P_logical: dict, P_actual: dict, root: Path, code_digest: str,
              git: str = "") -> str:
    """Content hash of everything the step depends on (not modification times)."""
    h = hashlib.sha256()
    h.update(step.name.encode())
    if step.finishes:
        h.update(git.encode())
    h.update(sha256_file(root / step.notebook).encode())
    h.update(json.dumps({k: P_logical[k] for k in step.keys}, sort_keys=True).encode())
    h.update(code_digest.encode())
    for f in step.inputs(P_actual):
        h.update(_label(f, P_actual, root).encode())
        h.update((sha256_file(f) if f.is_file() else "missing").encode())
    return h.hexdigest()


def code_digest(root: Path, environment: str | None = None) -> str:
    """Digest of the package source, the lock file and the installed packages (every distribution
    in the venv with its version: upgrading one reruns every step)."""
    h = hashlib.sha256()
    h.update(_tree_digest(root / "src" / "analysis", ("*.py", "*.yaml", "*.j2", "*.css")).encode())
    lock = root / "requirements.lock"
    h.update((sha256_file(lock) if lock.is_file() else "no-lock").encode())
    h.update((environment if environment is not None else provenance.environment_digest()).encode())
    return h.hexdigest()


def _record_path(P: dict, step: Step) -> Path:
    base = Path(P["processed_dir"] if step.home == "processed" else P["output_dir"])
    return base / STATE_DIR / f"{step.name}.json"


def _read_record(P: dict, step: Step) -> dict | None:
    try:
        rec = json.loads(_record_path(P, step).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) else None


def _page(P: dict, step: Step) -> Path:
    return Path(P["output_dir"]) / "notebooks" / f"{step.name}.html"


def _executed(P: dict, step: Step) -> Path:
    return Path(P["output_dir"]) / "executed" / Path(step.notebook).name


def products_digest(step: Step, P: dict, render: bool = True) -> dict[str, str]:
    """{label: SHA-256} of every file the step wrote, as found now."""
    files = list((step.products or step.outputs)(P)) + [_executed(P, step)]
    if render:
        files.append(_page(P, step))
    return {_label(f, P): sha256_file(f) for f in sorted(set(files)) if f.is_file()}


def changed_products(step: Step, P: dict) -> list[str] | None:
    """The recorded products whose content differs from the record now (None: no record)."""
    rec = _read_record(P, step)
    if rec is None or not isinstance(rec.get("products"), dict):
        return None
    changed = []
    for label, digest in sorted(rec["products"].items()):
        f = _unlabel(label, P)
        if f is None or not f.is_file() or sha256_file(f) != digest:
            changed.append(label)
    return changed


def is_up_to_date(step: Step, P: dict, digest: str) -> bool:
    """Hash unchanged, outputs present, and every product still as the runner wrote it."""
    rec = _read_record(P, step)
    if rec is None or rec.get("hash") != digest or not all(p.exists() for p in step.outputs(P)):
        return False
    return changed_products(step, P) == []


# ------------------------------------------------------------------------------------- execution
def _kernel_manager_class(run_id: str = "", on_start: Callable | None = None, output=None):
    """A KernelManager that starts ipykernel with this very interpreter (no kernelspec needed).

    It talks to the kernel over Unix sockets (transport "ipc") whose paths are unique per kernel,
    so kernels started side by side, by this run or by another, can never share a channel: the
    parallel port race of papermill cannot happen.

    Its shutdown is orderly: jupyter_client interrupts a kernel (SIGINT) before asking it to shut
    down; when that signal lands while the kernel still handles the last reply, the kernel logs
    "KeyboardInterrupt caught in kernel" and zmq/tornado tracebacks on the user's terminal. This
    manager asks over the control channel only (and kills after shutdown_wait_time if needed).
    Each kernel is registered with analysis.base.processes, so that an abandoned run can kill it, and
    gets RUNNER_ENV=run_id in its environment. What the kernel process itself prints (not its
    cells: their output reaches the notebook) goes to `output`, a file, instead of the terminal.
    """
    import tempfile

    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

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
                env={params_mod.RUNNER_ENV: "1", **({staging.RUNNER_ENV: run_id} if run_id else {})},  # the runner's kernels write the official folders
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
KERNELS_AHEAD = 1  # kernels started beyond `jobs` (warming while the running steps compute)
KERNEL_START_TIMEOUT_S = 120


class _Kernel:
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
    import queue

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
                raise _Cancelled("kernel warm-up cancelled")
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


def _start_kernel(step: Step, root: Path, run_id: str, stop: threading.Event,
                  on_start: Callable | None = None) -> _Kernel:
    """A kernel for `step`, started in the notebook's folder with the runner's environment and its
    step's modules imported. On any failure the kernel is closed (killed, its files removed)."""
    from jupyter_core.utils import run_sync

    output = tempfile.TemporaryFile()  # what the kernel process prints outside its cells

    def started(km):
        if on_start is not None:
            on_start(km)

    km = _kernel_manager_class(run_id, started, output)()
    kernel = _Kernel(km, output)
    try:
        run_sync(_warm_up)(km, str((root / step.notebook).parent), step.warm, stop)
    except BaseException:
        _close_kernel(kernel, orderly=False)
        raise
    return kernel


def _close_kernel(kernel: _Kernel, orderly: bool = True) -> None:
    """Shut a kernel down (over its control channel when `orderly` and it is alive, else SIGKILL of
    its process group), then remove its connection file and ipc socket files, and keep the line
    that sums up what it printed (`kernel.printed`). Never raises; a second call does nothing."""
    from jupyter_core.utils import run_sync

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
            try:
                clean()
            except Exception:  # noqa: BLE001 - a file already gone is fine
                pass
        kernel.printed = _printed(kernel.output)  # (what it printed at exit included)
        kernel.output.close()


class _Warmer:
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
        import jupyter_client.kernelspec  # noqa: F401
        import jupyter_client.manager  # noqa: F401
        import jupyter_core.utils  # noqa: F401
        import papermill  # noqa: F401
        import traitlets  # noqa: F401

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
            kernel = _start_kernel(step, self._root, self._run_id, self._stop,
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
            _close_kernel(kernel)
            self.release()
            future.set_exception(_Cancelled(f"{step.name} cancelled"))
        else:
            future.set_result(kernel)

    def claim(self, step: Step) -> _Kernel:
        """The kernel of `step`: the one started ahead (waiting for its start-up), else one started
        now in this thread. Raises what the start-up raised; the caller then owns the kernel."""
        with self._cond:
            if step in self._queue:
                self._queue.remove(step)
            future = self._futures.get(step.name)
            if future is None:
                future = self._begin(step)
                now = True
            else:
                now = False
            self._claimed.add(step.name)
        if now:
            self._start(step, future)
        return future.result()

    def start_fresh(self, step: Step) -> _Kernel:
        """A second kernel for `step` (after its first failed to start), started now, counted."""
        with self._cond:
            self._live += 1
        try:
            return _start_kernel(step, self._root, self._run_id, self._stop)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """A kernel counted as alive is closed: the next one may start."""
        with self._cond:
            self._live -= 1
            self._cond.notify_all()

    def close_later(self, kernel: _Kernel, step: Step) -> None:
        """Close a kernel whose notebook has finished, in the background (`close` waits for it);
        the next kernel may start at once."""
        def close() -> None:
            _close_kernel(kernel)
            _note_printed(step, kernel)

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
            _close_kernel(future.result())
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


def _read_nb(executed: Path | None):
    import nbformat

    if executed is None:
        return None
    try:
        return nbformat.read(executed, as_version=4)
    except Exception:  # noqa: BLE001 - a partial or missing notebook: no details to add
        return None


def _source_cell_number(executed: Path | None, cell_index: int) -> int:
    """1-based number of the failing cell in the source notebook (papermill's injected cell removed)."""
    nb = _read_nb(executed)
    if nb is None:
        return cell_index + 1
    injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells[:cell_index])
    return cell_index + 1 - injected


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_DECOR = re.compile(r"^[\s\-=^~_*.|>]*$")
_ARROW = re.compile(r"^-*>\s*\d+\s*")  # IPython's "----> 4 " before the line that raised
_EXC_LINE = re.compile(r"^(?:[A-Za-z_][\w]*\.)*(?P<name>[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Warning)"
                       r"|[A-Z]\w*Error\w*)(?::\s*(?P<msg>.*))?$")


def _meaningful_lines(text: str) -> list[str]:
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines()]
    return [line for line in lines if line and not _DECOR.match(line)]


def _explain(ename: str, evalue: str, executed: Path | None, cell_index: int) -> tuple[str, str]:
    """(name, message) of a cell's error when IPython gave no message: from the cell's traceback
    (an exception line with a message, else the source line that raised), or else from the last
    meaningful line the cell wrote to stderr (IPython's fallback when it cannot format a traceback)."""
    nb = _read_nb(executed)
    if nb is None or not 0 <= cell_index < len(nb.cells):
        return ename, evalue
    outputs = nb.cells[cell_index].get("outputs", [])
    texts = ["\n".join(o.get("traceback", [])) for o in outputs if o.get("output_type") == "error"]
    texts += ["".join(o.get("text", "")) for o in outputs
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    for text in texts:
        for line in reversed(_meaningful_lines(text)):
            m = _EXC_LINE.match(line)
            if m and m["msg"]:
                return (m["name"] if ename == "CellExecutionError" else ename), m["msg"].strip()
            if m:
                continue  # "AssertionError:" with nothing after it: look further up
            if _ARROW.match(line):
                return ename, f"(no message) at: {_ARROW.sub('', line)}"
    return ename, evalue


def _failure_message(step: Step, exc: Exception, executed: Path | None = None) -> str:
    ename = str(getattr(exc, "ename", type(exc).__name__))
    evalue = str(getattr(exc, "evalue", str(exc)) or "").strip()
    cell = getattr(exc, "cell_index", None)
    if isinstance(cell, int):
        where = f"cell {_source_cell_number(executed, cell)}"
        if not evalue:
            ename, evalue = _explain(ename, evalue, executed, cell)
    else:
        where = "kernel"
    evalue = evalue.splitlines()[0].strip() if evalue else "(no message)"
    return f"{Path(step.notebook).name} failed in {where}: {ename}: {evalue}"


def _running_cell(executed: Path | None) -> int | None:
    """Index of the last cell papermill started (where a kernel died)."""
    nb = _read_nb(executed)
    if nb is None:
        return None
    started = [i for i, c in enumerate(nb.cells) if c.metadata.get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _printed(output) -> str:
    """The line that best sums up what a kernel process printed on its own stdout/stderr: a fatal
    error or failed assertion if there is one, else the last meaningful line ("" when silent)."""
    try:
        output.seek(0)
        lines = _meaningful_lines(output.read(1 << 20).decode("utf-8", errors="replace"))
    except (OSError, ValueError):
        return ""
    for line in lines:
        if line.startswith(("Fatal Python error", "Assertion failed", "Segmentation fault")):
            return line
    return lines[-1] if lines else ""


def _death(process) -> str:
    code = process.poll() if process is not None else None
    if code is None:
        return "the kernel died"
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the kernel died ({name}{', out of memory?' if -code == 9 else ''})"
    return f"the kernel died (exit code {code})"


_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}


def execute_step(step: Step, P_run: dict, root: Path, executed_dir: Path, progress: bool,
                 run_id: str = "", cancelled: threading.Event | None = None,
                 warmer: "_Warmer | None" = None) -> Path:
    """Run one notebook with papermill into executed_dir, in a kernel of its own (the one `warmer`
    started ahead, if given); retry once in a new kernel if the first fails to start. The kernel is
    closed, and its socket files removed, however the step ends."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    cancelled = cancelled or threading.Event()
    out = executed_dir / Path(step.notebook).name
    out.parent.mkdir(parents=True, exist_ok=True)
    nb_params = {k: P_run[k] for k in params_mod.SCHEMA}
    name = Path(step.notebook).name
    for attempt in (1, 2):
        if cancelled.is_set():
            raise _Cancelled(f"{step.name} cancelled")
        kernel = None
        began: list[bool] = []
        try:
            try:
                if warmer is None:
                    kernel = _start_kernel(step, root, run_id, cancelled)
                else:
                    kernel = warmer.claim(step) if attempt == 1 else warmer.start_fresh(step)
            except _Cancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - the kernel did not start
                if cancelled.is_set():
                    raise _Cancelled(f"{step.name} cancelled") from None
                if attempt == 2:
                    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "(no message)"
                    raise StepFailed(f"{name} failed: {type(exc).__name__}: {detail}", None) from None
                _log(f"[{step.name}] the kernel did not start ({type(exc).__name__}: {exc}); retrying once")
                continue
            pm.execute_notebook(
                str(root / step.notebook),
                str(out),
                parameters=nb_params,
                cwd=str((root / step.notebook).parent),
                progress_bar=progress,
                log_output=False,
                km=kernel.km,  # nbclient then neither starts nor shuts down the kernel: this function does
                on_notebook_start=lambda **kw: began.append(True),
                start_timeout=KERNEL_START_TIMEOUT_S,
            )
            if warmer is not None:
                warmer.close_later(kernel, step)  # its exit takes seconds: the run goes on meanwhile
            else:
                _close_kernel(kernel)
                _note_printed(step, kernel)
            kernel = None
            return out
        except PapermillExecutionError as exc:  # a cell raised: the notebook's own error
            raise StepFailed(_failure_message(step, exc, out), out) from None
        except (StepFailed, _Cancelled):
            raise
        except Exception as exc:  # the kernel died or did not answer, or the notebook could not be saved
            process = kernel.process if kernel is not None else None
            if cancelled.is_set():
                raise _Cancelled(f"{step.name} cancelled") from None
            if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
                raise StepFailed(f"{name} failed: {exc.strerror} while saving its executed notebook", None) from None
            died = type(exc).__name__ == "DeadKernelError" or (process is not None and process.poll() not in (None, 0))
            if began and died:
                cell = _running_cell(out)
                where = f"cell {_source_cell_number(out, cell)}" if cell is not None else "kernel"
                said = _printed(kernel.output)
                raise StepFailed(f"{name} failed in {where}: {_death(process)}" + (f"; it printed: {said}" if said else ""),
                                 out if out.exists() else None) from None
            if began or attempt == 2:
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else "(no message)"
                raise StepFailed(f"{name} failed: {type(exc).__name__}: {detail}", out if out.exists() else None) from None
            _log(f"[{step.name}] the kernel did not start ({type(exc).__name__}: {exc}); retrying once")
        finally:
            if kernel is not None:
                _close_kernel(kernel)
                if warmer is not None:
                    warmer.release()
    raise AssertionError("unreachable")


def _note_printed(step: Step, kernel: _Kernel) -> None:
    if kernel.printed:
        _log(f"note: [{step.name}] its kernel printed outside the notebook: {kernel.printed}")


def _cell_seconds(executed: Path) -> float:
    """Sum of papermill's per-cell durations: execution proper, without kernel start-up."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    return float(sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells))


def finalise_executed(executed: Path, rename: dict[str, str]) -> None:
    """Make an executed notebook independent of the run: staging paths become the final folders
    and cell ids (papermill gives its injected cell a random one) become cell-1, cell-2, ..."""
    import nbformat

    from ..base.io import write_text

    text = executed.read_text(encoding="utf-8")
    for old, new in rename.items():
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    nb = nbformat.reads(text, as_version=4)
    for i, cell in enumerate(nb.cells, 1):
        cell["id"] = f"cell-{i}"
    write_text(nbformat.writes(nb), executed)


def _synthetic(P_run: dict) -> bool:
    from ..base import io

    return io.is_synthetic(io.read_json(Path(P_run["processed_dir"]) / "run_info.json"))


def render_html(step: Step, executed: Path, out_dir: Path, synthetic: bool) -> Path:
    """The analysts' HTML (with code) of an executed notebook: out_dir/notebooks/<step>.html."""
    import nbformat

    from ..base import io
    from ..present import report

    nb = nbformat.read(executed, as_version=4)
    return io.write_text(report.render_notebook_html(nb, synthetic=synthetic),
                         out_dir / "notebooks" / f"{step.name}.html")


def _finish_report(P_run: dict, steps: tuple[Step, ...], pages: list[Future] = (),
                   workbook: Future | None = None) -> list[Path]:
    """After the last step: the workbook (unless `workbook`, being written, is given) and the PDF,
    then, once every notebook page (`pages`, being rendered) is written, the index, which links to
    whatever of these exists (so it is complete on the first build and after --force)."""
    from ..base import io
    from ..present import exports, report

    out = Path(P_run["output_dir"])
    # Chromium prints the PDF (seconds, in its own processes) while this process writes the workbook
    # and the notebook pages are rendered
    with ThreadPoolExecutor(max_workers=1) as printer:
        printing = printer.submit(exports.print_pdf, out / "report.html", out / "report.pdf")
        paths = [workbook.result() if workbook is not None else exports.export_workbook(out / "tables")]
        for page in list(pages):
            page.result()
        pdf = printing.result()
    if pdf:
        paths.append(pdf)
    htmls = [out / "notebooks" / f"{s.name}.html" for s in steps if (out / "notebooks" / f"{s.name}.html").is_file()]
    html = report.render_index(out, htmls, lang=P_run["lang"], wave=P_run["wave"], synthetic=_synthetic(P_run),
                               has_pdf=(out / "report.pdf").is_file(),
                               has_workbook=(out / "tables" / "tables.xlsx").is_file())
    paths.append(io.write_text(html, out / "index.html"))
    return paths


def _remove_products(step: Step, P_run: dict) -> None:
    """Before a step reruns in staging: delete the files its last run wrote, so that a file it no
    longer writes does not linger (only files the runner recorded, only inside the staging folders)."""
    rec = _read_record(P_run, step) or {}
    for label in (rec.get("products") or {}):
        f = _unlabel(label, P_run)
        if f is not None and f.is_file():
            f.unlink()


def _shown(path, stages: dict[str, Path], final: dict[str, Path]) -> str:
    """A path as the user knows it: the staging folder named by its final folder."""
    text = os.fsdecode(path)
    for key, folder in stages.items():
        text = text.replace(str(folder), str(final[key]))
    return text


def _log(msg: str) -> None:
    print(msg, flush=True)


class _LibraryLog(logging.Handler):
    """Holds what papermill and nbclient log during a run (they would otherwise print bare lines
    such as "Kernel died while waiting for execute reply." on stderr). A failure is reported by the
    runner's own one-line message; after a successful run their warnings are shown as notes."""

    LOGGER = "papermill"

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = " ".join(record.getMessage().split())
        except Exception:  # noqa: BLE001 - a malformed log call must not break the run
            return
        if text and text not in self.messages:
            self.messages.append(text)

    def __enter__(self) -> "_LibraryLog":
        logger = logging.getLogger(self.LOGGER)
        self._propagate = logger.propagate
        logger.addHandler(self)
        logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self)
        logger.propagate = self._propagate


def _short(labels: list[str]) -> str:
    shown = ", ".join(labels[:2])
    return shown + (f" and {len(labels) - 2} more" if len(labels) > 2 else "")


def _what_changed(labels: list[str], P: dict) -> str:
    """'x differs from what the runner wrote', or 'x is missing', for the changed products."""
    gone = [lb for lb in labels if not ((_unlabel(lb, P) or Path("/nonexistent")).is_file())]
    edited = [lb for lb in labels if lb not in gone]
    parts = []
    if edited:
        parts.append(f"{_short(edited)} {'differs' if len(edited) == 1 else 'differ'} from what the runner wrote")
    if gone:
        parts.append(f"{_short(gone)} {'is' if len(gone) == 1 else 'are'} missing")
    return "; ".join(parts)


# ------------------------------------------------------------------------------------------ run
def run(P: dict, *, force: bool = False, jobs: int | None = None, root: Path | None = None,
        steps: tuple[Step, ...] = STEPS, progress: bool | None = None,
        render: bool = True) -> dict[str, str]:
    """Run the pipeline for resolved parameters P; returns {step: "ran" | "up to date"}.

    Raises RunError (StepFailed when a notebook fails) in one line after leaving the previous
    results in place; KeyboardInterrupt after the same clean-up. Only folders the runner made
    (staging.MARK_NAME) are replaced; a second run on the same folders stops at once.
    """
    root = Path(root or params_mod.project_root())
    jobs = jobs or os.cpu_count() or 1
    progress = sys.stderr.isatty() if progress is None else progress
    final = {"processed": Path(P["processed_dir"]), "output": Path(P["output_dir"])}
    for key, folder in final.items():
        staging.check_target(folder, f"{key}_dir")
    with staging.locked(final.values()):
        for note in staging.recover(list(final.values()), staging.journal_path(final["output"])):
            _log(f"note: {note}")
        previous = {k: staging.check_target(v, f"{k}_dir") for k, v in final.items()}
        return _run_locked(P, final, previous, force=force, jobs=jobs, root=root, steps=steps,
                           progress=progress, render=render)


def _run_locked(P: dict, final: dict[str, Path], previous: dict[str, bool], *, force: bool, jobs: int,
                root: Path, steps: tuple[Step, ...], progress: bool, render: bool) -> dict[str, str]:
    t_start = time.monotonic()
    logical = _logical(P, root)
    digest_code = code_digest(root)
    git = git_state(root, tuple(final.values()))

    # Fast path: when every step is up to date in place, there is nothing to stage or swap.
    if not force and all(previous.values()) and all(
            is_up_to_date(s, P, step_hash(s, logical, P, root, digest_code, git)) for s in steps):
        for s in steps:
            _log(f"[{s.name}] up to date")
        if staging.remove_failed(final["output"]):
            _log(f"note: removed {staging.failed_path(final['output']).name} (a failed run's notebooks; "
                 "this run succeeded)")
        _log(f"pipeline finished in {time.monotonic() - t_start:.1f} s (nothing to do)")
        return {s.name: "up to date" for s in steps}

    run_id = uuid.uuid4().hex
    staging.check_space(final.values(), copy=not force)
    stages: dict[str, Path] = {}
    cancelled = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    render_pool = ThreadPoolExecutor(max_workers=1)
    futures: list[Future] = []
    with _LibraryLog() as library_log:
        try:
            for key in ("processed", "output"):
                stages[key] = staging.stage(final[key], run_id, copy=not force and previous[key])
            status = _execute_dag(P, final, stages, run_id, cancelled, pool, render_pool, futures,
                                  force=force, root=root, steps=steps, progress=progress, render=render,
                                  logical=logical, digest_code=digest_code, git=git, jobs=jobs)
            pool.shutdown()
            render_pool.shutdown()
            pairs = [(stages[k], final[k]) for k in ("processed", "output")]
            staging.commit(pairs, staging.journal_path(final["output"]), run_id)
        except BaseException as exc:
            error = _abandon(exc, cancelled, pool, render_pool, futures, stages, final, run_id)
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise error from None
    for message in library_log.messages:
        _log(f"note: papermill: {message}")
    if staging.remove_failed(final["output"]):
        _log(f"note: removed {staging.failed_path(final['output']).name} (a failed run's notebooks; "
             "this run succeeded)")
    _log(f"pipeline finished in {time.monotonic() - t_start:.1f} s")
    return status


def _execute_dag(P, final, stages, run_id, cancelled, pool, render_pool, futures, *, force, root, steps,
                 progress, render, logical, digest_code, git, jobs: int = 1) -> dict[str, str]:
    P_run = dict(P, processed_dir=str(stages["processed"]), output_dir=str(stages["output"]))
    rename = {str(stages[k]): str(final[k]) for k in stages}
    rename[str(root) + os.sep] = ""  # then paths inside the project are shown relative to its root
    executed_dir = stages["output"] / "executed"
    done: dict[str, Future] = {}
    ran: dict[str, dict] = {}
    lock = threading.Lock()
    renders: list[Future] = []
    warmer = _Warmer(_expected_to_run(steps, P_run, force, logical, root, digest_code, git), root, run_id,
                     limit=jobs + KERNELS_AHEAD)
    try:
        return _execute_steps(P_run, stages, rename, executed_dir, done, ran, lock, renders, warmer, run_id,
                              cancelled, pool, render_pool, futures, force=force, root=root, steps=steps,
                              progress=progress, render=render, logical=logical, digest_code=digest_code, git=git)
    finally:
        warmer.close()


def _expected_to_run(steps, P_run, force, logical, root, digest_code, git) -> list[Step]:
    """The steps that will run, as far as can be told before any runs: all with force; else those
    not up to date and those downstream of one that runs (which may yet turn out up to date)."""
    if force:
        return list(steps)
    running: set[str] = set()
    for step in steps:
        if any(n in running for n in step.needs) or not is_up_to_date(
                step, P_run, step_hash(step, logical, P_run, root, digest_code, git)):
            running.add(step.name)
    return [s for s in steps if s.name in running]


def _execute_steps(P_run, stages, rename, executed_dir, done, ran, lock, renders, warmer, run_id, cancelled,
                   pool, render_pool, futures, *, force, root, steps, progress, render, logical, digest_code,
                   git) -> dict[str, str]:
    def run_one(step: Step) -> str:
        try:
            for need in step.needs:
                done[need].result()  # raises if upstream failed
        except BaseException:
            warmer.discard(step)
            raise
        if cancelled.is_set():
            warmer.discard(step)
            raise _Cancelled(f"{step.name} cancelled")
        digest = step_hash(step, logical, P_run, root, digest_code, git)
        if not force and (_read_record(P_run, step) or {}).get("hash") == digest:
            changed = changed_products(step, P_run)
            if changed:
                _log(f"[{step.name}] {_what_changed(changed, P_run)}; running the step again")
            elif is_up_to_date(step, P_run, digest):
                warmer.discard(step)
                _log(f"[{step.name}] up to date")
                return "up to date"
        with lock:
            _log(f"[{step.name}] running {step.notebook}")
        _remove_products(step, P_run)
        t0 = time.monotonic()
        workbook = None
        if step.finishes and render:  # from the tables of the steps before it: written while it runs
            from ..present import exports

            workbook = render_pool.submit(exports.export_workbook, stages["output"] / "tables")
            futures.append(workbook)
        executed = execute_step(step, P_run, root, executed_dir, progress, run_id, cancelled, warmer)
        t_exec = time.monotonic() - t0
        finalise_executed(executed, rename)
        if render:  # the notebook page; rendering overlaps with the next steps
            page = render_pool.submit(render_html, step, executed, stages["output"], _synthetic(P_run))
            renders.append(page)
            futures.append(page)  # an abandoned run waits for it before removing the staging folders
        if step.finishes and render:
            _finish_report(P_run, steps, renders, workbook)
        missing = [str(p) for p in step.outputs(P_run) if not p.exists()]
        if missing and (render or not step.finishes):
            raise StepFailed(f"{Path(step.notebook).name} finished but did not write {', '.join(missing)}", executed)
        ran[step.name] = {"step": step.name, "hash": digest, "params": {k: logical[k] for k in step.keys},
                          "timings": {"execute_s": round(t_exec, 3), "cells_s": round(_cell_seconds(executed), 3),
                                      "total_s": round(time.monotonic() - t0, 3)}}
        _log(f"[{step.name}] done in {time.monotonic() - t0:.1f} s")
        return "ran"

    # Submit in DAG order; a step waits on its upstream futures inside run_one.
    for step in steps:
        done[step.name] = pool.submit(run_one, step)
        futures.append(done[step.name])
    pending = set(done.values())
    while pending:  # the first failure ends the wait (and the run) at once
        finished, pending = wait_futures(pending, return_when=FIRST_EXCEPTION)
        for f in finished:
            if f.exception() is not None:
                raise f.exception()
    for f in renders:
        f.result()
    # Records last: a step's products include its page, rendered in the background.
    for step in steps:
        if step.name in ran:
            write_json({**ran[step.name], "products": products_digest(step, P_run, render)},
                       _record_path(P_run, step))
    return {s.name: done[s.name].result() for s in steps}


def _abandon(exc: BaseException, cancelled: threading.Event, pool: ThreadPoolExecutor,
             render_pool: ThreadPoolExecutor, futures: list[Future], stages: dict[str, Path],
             final: dict[str, Path], run_id: str) -> RunError:
    """After a failure or an interrupt: stop every kernel and child, wait for the threads, keep the
    failed notebooks in <output_dir>.failed, remove the staging folders. Returns the error to show.
    A second Ctrl-C meanwhile is held back: the clean-up is short and must complete."""
    with staging.signals_deferred():
        return _clean_up(exc, cancelled, pool, render_pool, futures, stages, final, run_id)


def _clean_up(exc, cancelled, pool, render_pool, futures, stages, final, run_id) -> RunError:
    cancelled.set()
    processes.kill_all()
    pool.shutdown(wait=False, cancel_futures=True)
    render_pool.shutdown(wait=False, cancel_futures=True)
    # (wait() never counts a future cancelled by shutdown() as done: leave those out)
    wait_futures([f for f in futures if not f.cancelled()], timeout=60)
    processes.kill_all()
    if isinstance(exc, RunError) and not isinstance(exc, _Cancelled):
        error = exc
    elif isinstance(exc, (KeyboardInterrupt, _Cancelled)):
        error = RunError("interrupted")
    elif isinstance(exc, OSError):
        where = f" ({_shown(exc.filename, stages, final)})" if exc.filename else ""
        error = RunError(f"the runner could not write the results: {exc.strerror or exc}{where}")
    else:
        error = RunError(f"the run failed outside the notebooks: {type(exc).__name__}: {exc}")
    saved = error.saved
    executed = stages["output"] / "executed" if "output" in stages else None
    if executed is not None and saved is not None and not isinstance(exc, KeyboardInterrupt):
        try:
            kept = staging.keep_failed(executed, final["output"], run_id)
        except OSError:
            kept = None
        error.saved = kept / Path(saved).name if kept is not None else None
    else:
        error.saved = None
    for folder in stages.values():
        staging.discard(folder)
    return error
