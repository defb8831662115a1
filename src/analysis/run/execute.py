"""Running one notebook with papermill in a kernel of its own, and saying in one line why it failed
(the notebook, the cell and the error, or how its kernel died).

papermill and nbformat are imported when a notebook runs, never on the no-op path.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import signal
import threading
from pathlib import Path

from ..base.io import write_text
from . import kernels, params
from .dag import Step
from .errors import Cancelled, RunError, StepFailed
from .kernels import Kernel, Warmer

_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
_ARROW = re.compile(r"^-*>\s*\d+\s*")  # IPython's "----> 4 " before the line that raised
_EXC_LINE = re.compile(r"^(?:[A-Za-z_][\w]*\.)*(?P<name>[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Warning)"
                       r"|[A-Z]\w*Error\w*)(?::\s*(?P<msg>.*))?$")


def execute_step(step: Step, P_run: dict, root: Path, executed_dir: Path, progress: bool,
                 run_id: str = "", cancelled: threading.Event | None = None,
                 warmer: Warmer | None = None) -> Path:
    """Run one notebook with papermill into executed_dir, in a kernel of its own (the one `warmer`
    started ahead, if given); retry once in a new kernel if the first fails to start. The kernel is
    closed, and its socket files removed, however the step ends."""
    cancelled = cancelled or threading.Event()
    out = executed_dir / Path(step.notebook).name
    out.parent.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        if cancelled.is_set():
            raise Cancelled(f"{step.name} cancelled")
        kernel = _kernel_for(step, attempt, root, run_id, cancelled, warmer)
        if kernel is None:
            continue  # it did not start: once more in a new kernel
        began: list[bool] = []
        try:
            _papermill(step, P_run, root, out, progress, kernel, began)
        except Exception as exc:  # judged before the kernel is closed: its process and output tell how it ended
            failure = _failure(step, exc, out, kernel, bool(began), attempt, cancelled)
            note = _retry_note(step, exc)
        except BaseException:
            _release(kernel, warmer)
            raise
        else:
            _finished(step, kernel, warmer)
            return out
        _release(kernel, warmer)
        if failure is not None:
            raise failure from None
        kernels.log(note)
    raise AssertionError("unreachable")


def _kernel_for(step: Step, attempt: int, root: Path, run_id: str, cancelled: threading.Event,
                warmer: Warmer | None) -> Kernel | None:
    """The step's kernel for this attempt (the one started ahead first), or None when it did not
    start on the first attempt (noted; the caller tries again). A second failure is StepFailed."""
    try:
        if warmer is None:
            return kernels.start_kernel(step, root, run_id, cancelled)
        return warmer.claim(step) if attempt == 1 else warmer.start_fresh(step)
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - the kernel did not start
        if cancelled.is_set():
            raise Cancelled(f"{step.name} cancelled") from None
        if attempt == 2:
            raise StepFailed(f"{Path(step.notebook).name} failed: {type(exc).__name__}: {_first_line(exc)}",
                             None) from None
        kernels.log(_retry_note(step, exc))
        return None


def _papermill(step: Step, P_run: dict, root: Path, out: Path, progress: bool, kernel: Kernel,
               began: list[bool]) -> None:
    import papermill as pm  # noqa: PLC0415 - heavy (seconds): only when a notebook runs

    pm.execute_notebook(
        str(root / step.notebook),
        str(out),
        parameters={k: P_run[k] for k in params.SCHEMA},
        cwd=str((root / step.notebook).parent),
        progress_bar=progress,
        log_output=False,
        km=kernel.km,  # nbclient then neither starts nor shuts down the kernel: execute_step does
        on_notebook_start=lambda **kw: began.append(True),
        start_timeout=kernels.KERNEL_START_TIMEOUT_S,
    )


def _finished(step: Step, kernel: Kernel, warmer: Warmer | None) -> None:
    """The notebook ran: close its kernel (in the background when a warmer owns it: its exit takes
    seconds, and the run goes on meanwhile)."""
    if warmer is not None:
        warmer.close_later(kernel, step)
    else:
        kernels.close_kernel(kernel)
        kernels.note_printed(step, kernel)


def _release(kernel: Kernel, warmer: Warmer | None) -> None:
    kernels.close_kernel(kernel)
    if warmer is not None:
        warmer.release()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else "(no message)"


def _retry_note(step: Step, exc: BaseException) -> str:
    return f"[{step.name}] the kernel did not start ({type(exc).__name__}: {exc}); retrying once"


def _failure(step: Step, exc: Exception, out: Path, kernel: Kernel, began: bool, attempt: int,
             cancelled: threading.Event) -> RunError | None:
    """The one-line error for what pm.execute_notebook raised, or None when the kernel failed
    before the notebook began on the first attempt (then it is tried once more)."""
    from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415 - heavy: papermill is loaded by now

    name = Path(step.notebook).name
    saved = out if out.exists() else None
    if isinstance(exc, PapermillExecutionError):  # a cell raised: the notebook's own error
        return StepFailed(failure_message(step, exc, out), out)
    if isinstance(exc, (StepFailed, Cancelled)):
        return exc
    if cancelled.is_set():
        return Cancelled(f"{step.name} cancelled")
    if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
        return StepFailed(f"{name} failed: {exc.strerror} while saving its executed notebook", None)
    process = kernel.process  # the kernel died or did not answer, or the notebook could not be saved
    died = type(exc).__name__ == "DeadKernelError" or (process is not None and process.poll() not in (None, 0))
    if began and died:
        return StepFailed(_death_message(name, out, kernel), saved)
    if began or attempt == 2:
        return StepFailed(f"{name} failed: {type(exc).__name__}: {_first_line(exc)}", saved)
    return None


def _death_message(name: str, out: Path, kernel: Kernel) -> str:
    cell = _running_cell(out)
    where = f"cell {_source_cell_number(out, cell)}" if cell is not None else "kernel"
    said = kernels.printed(kernel.output)
    return f"{name} failed in {where}: {_death(kernel.process)}" + (f"; it printed: {said}" if said else "")


# ---------------------------------------------------------------------------- the failed notebook
def _read_nb(executed: Path | None):
    import nbformat  # noqa: PLC0415 - heavy: only after a notebook ran

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
        for line in reversed(kernels.meaningful_lines(text)):
            m = _EXC_LINE.match(line)
            if m and m["msg"]:
                return (m["name"] if ename == "CellExecutionError" else ename), m["msg"].strip()
            if m:
                continue  # "AssertionError:" with nothing after it: look further up
            if _ARROW.match(line):
                return ename, f"(no message) at: {_ARROW.sub('', line)}"
    return ename, evalue


def failure_message(step: Step, exc: Exception, executed: Path | None = None) -> str:
    """'<notebook> failed in cell N: Name: message' for a cell's error (papermill's, or any
    exception with ename, evalue and cell_index)."""
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


def _death(process) -> str:
    code = process.poll() if process is not None else None
    if code is None:
        return "the kernel died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the kernel died ({name}{', out of memory?' if -code == 9 else ''})"
    return f"the kernel died (exit code {code})"


# ------------------------------------------------------------------------- the executed notebook
def cell_seconds(executed: Path) -> float:
    """Sum of papermill's per-cell durations: execution proper, without kernel start-up."""
    import nbformat  # noqa: PLC0415 - heavy: only after a notebook ran

    nb = nbformat.read(executed, as_version=4)
    return float(sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells))


def finalise_executed(executed: Path, rename: dict[str, str]) -> None:
    """Make an executed notebook independent of the run: staging paths become the final folders
    and cell ids (papermill gives its injected cell a random one) become cell-1, cell-2, ..."""
    import nbformat  # noqa: PLC0415 - heavy: only after a notebook ran

    text = executed.read_text(encoding="utf-8")
    for old, new in rename.items():
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    nb = nbformat.reads(text, as_version=4)
    for i, cell in enumerate(nb.cells, 1):
        cell["id"] = f"cell-{i}"
    write_text(nbformat.writes(nb), executed)


class LibraryLog(logging.Handler):
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

    def __enter__(self) -> LibraryLog:
        logger = logging.getLogger(self.LOGGER)
        self._propagate = logger.propagate
        logger.addHandler(self)
        logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self)
        logger.propagate = self._propagate
