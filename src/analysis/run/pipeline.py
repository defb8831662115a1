"""The runner: executes the notebooks as a DAG with papermill and renders them with nbconvert.

Steps whose content hash is unchanged are skipped; 02 and 03 run side by side; everything is
built in staging folders that replace processed_dir and output_dir only when every step succeeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import params as params_mod
from ..io import sha256_file, write_json

STATE_DIR = ".pipeline"  # per-step records, inside processed_dir / output_dir
FAILED_SUFFIX = ".failed"

# Parameters each analysis step depends on. `lang` matters to the report only: 02 and 03 draw
# their figures in both languages, so switching language reruns 04 alone.
_DATA_KEYS = ("wave",)


@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline.

    `home` is where the step writes ("processed" or "output"); `needs` names upstream steps;
    `keys` the parameters it depends on; `inputs` and `outputs` map resolved parameters to files
    (outputs include what the runner writes after a `finishes` step).
    """

    name: str
    notebook: str
    home: str
    needs: tuple[str, ...]
    keys: tuple[str, ...]
    inputs: Callable[[dict], list[Path]]
    outputs: Callable[[dict], list[Path]]
    finishes: bool = False  # the last step: the runner then writes the workbook, the PDF and the index


def _files_under(folder: Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """All files below folder, sorted, skipping state records and excluded top-level names."""
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if p.is_file() and rel[0] != STATE_DIR and rel[0] not in exclude and not rel[-1].startswith("."):
            out.append(p)
    return out


def _reference_files(P: dict) -> list[Path]:
    from ..compute.reference import REQUIRED_FILES

    return [Path(P["reference_dir"]) / name for name in REQUIRED_FILES]


def _processed(P: dict, *names: str) -> list[Path]:
    return [Path(P["processed_dir"]) / n for n in names]


def _output(P: dict, *names: str) -> list[Path]:
    return [Path(P["output_dir"]) / n for n in names]


# Written by 04 or the runner, or carrying run times: never an input of 04's hash.
_REPORT_OUTPUTS = ("report.html", "index.html", "notebooks", "executed", "report.pdf", "provenance.json")

STEPS: tuple[Step, ...] = (
    Step(
        name="01_clean",
        notebook="notebooks/01_clean.ipynb",
        home="processed",
        needs=(),
        keys=("raw_path", "reference_dir", *_DATA_KEYS),
        inputs=lambda P: [Path(P["raw_path"]), *_reference_files(P)],
        outputs=lambda P: _processed(P, "responses.parquet", "analysis.parquet", "cleaning_log.csv", "run_info.json"),
    ),
    Step(
        name="02_describe",
        notebook="notebooks/02_describe.ipynb",
        home="output",
        needs=("01_clean",),
        keys=("reference_dir", "alpha", "min_cell", *_DATA_KEYS),
        inputs=lambda P: [*_files_under(Path(P["processed_dir"])), *_reference_files(P)],
        outputs=lambda P: _output(P, "tables/headline.csv", "describe_summary.json"),
    ),
    Step(
        name="03_model",
        notebook="notebooks/03_model.ipynb",
        home="output",
        needs=("01_clean",),
        keys=("alpha", "seed", "min_cell", *_DATA_KEYS),
        inputs=lambda P: _files_under(Path(P["processed_dir"])),
        outputs=lambda P: _output(P, "tables/models.csv", "tables/verdicts.csv", "model_summary.json"),
    ),
    Step(
        name="04_report",
        notebook="notebooks/04_report.ipynb",
        home="output",
        needs=("02_describe", "03_model"),
        keys=tuple(params_mod.SCHEMA),
        inputs=lambda P: [
            *_files_under(Path(P["processed_dir"])),
            *_files_under(Path(P["output_dir"]), exclude=_REPORT_OUTPUTS + ("tables",)),
            *[p for p in _files_under(Path(P["output_dir"]) / "tables") if p.name != "tables.xlsx"],
        ],
        outputs=lambda P: _output(P, "report.html", "provenance.json", "index.html"),
        finishes=True,
    ),
)


class StepFailed(RuntimeError):
    """A notebook raised; the message names the notebook, the cell and the exception."""

    def __init__(self, message: str, saved: Path | None):
        super().__init__(message)
        self.saved = saved


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
        if k in params_mod.PATH_KEYS:
            try:
                v = str(Path(v).resolve().relative_to(root))
            except ValueError:
                v = str(Path(v).resolve())
        out[k] = v
    return out


def git_state(root: Path) -> str:
    """HEAD commit and `git status --porcelain` (untracked files included): what the report's
    provenance shows, so that a new commit or an edited file reruns the report."""
    import subprocess

    def git(*args: str) -> str:
        try:
            r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return "no git"
        return r.stdout if r.returncode == 0 else "no git"

    return git("rev-parse", "HEAD") + git("status", "--porcelain", "--untracked-files=all")


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
    bases = [(Path(P_actual[k]), k) for k in ("processed_dir", "output_dir", "reference_dir")]
    for f in step.inputs(P_actual):
        label = str(f)
        for base, key in bases:
            if f.is_relative_to(base):
                label = f"{key}/{f.relative_to(base)}"
                break
        h.update(label.encode())
        h.update((sha256_file(f) if f.is_file() else "missing").encode())
    return h.hexdigest()


def code_digest(root: Path) -> str:
    """Digest of the package source and the lock file."""
    h = hashlib.sha256()
    h.update(_tree_digest(root / "src" / "analysis", ("*.py", "*.yaml", "*.j2", "*.css")).encode())
    lock = root / "requirements.lock"
    h.update((sha256_file(lock) if lock.is_file() else "no-lock").encode())
    return h.hexdigest()


def _record_path(P: dict, step: Step) -> Path:
    base = Path(P["processed_dir"] if step.home == "processed" else P["output_dir"])
    return base / STATE_DIR / f"{step.name}.json"


def is_up_to_date(step: Step, P: dict, digest: str) -> bool:
    rec = _record_path(P, step)
    if not rec.is_file():
        return False
    try:
        stored = json.loads(rec.read_text())
    except (OSError, ValueError):
        return False
    return stored.get("hash") == digest and all(p.exists() for p in step.outputs(P))


# ------------------------------------------------------------------------------------- execution
def _kernel_manager_class():
    """A KernelManager that starts ipykernel with this very interpreter (no kernelspec needed).

    It talks to the kernel over Unix sockets (transport "ipc") whose paths are unique per kernel,
    so kernels started side by side, by this run or by another, can never share a channel: the
    parallel port race of papermill cannot happen.
    """
    import tempfile
    import uuid

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
                env={params_mod.RUNNER_ENV: "1"},  # marks the runner's kernels: they write the official folders
            )

    return ThisInterpreterKernelManager


_start_lock = threading.Lock()
_last_start = [0.0]
KERNEL_STAGGER_S = 0.3  # space kernel start-ups apart: avoids the port race of parallel papermill


def _stagger() -> None:
    with _start_lock:
        wait = _last_start[0] + KERNEL_STAGGER_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        _last_start[0] = time.monotonic()


def _source_cell_number(executed: Path, cell_index: int) -> int:
    """1-based number of the failing cell in the source notebook (papermill's injected cell removed)."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells[:cell_index]
    except (OSError, ValueError):
        return cell_index + 1
    injected = sum("injected-parameters" in c.metadata.get("tags", []) for c in cells)
    return cell_index + 1 - injected


def _failure_message(step: Step, exc: Exception, executed: Path | None = None) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "cell_index", None)
    if isinstance(cell, int):
        where = f"cell {_source_cell_number(executed, cell) if executed else cell + 1}"
    else:
        where = "kernel"
    evalue = str(evalue).strip().splitlines()[0] if str(evalue).strip() else ""
    return f"{Path(step.notebook).name} failed in {where}: {ename}: {evalue}"


def execute_step(step: Step, P_run: dict, root: Path, executed_dir: Path, progress: bool) -> Path:
    """Run one notebook with papermill into executed_dir; retry once if the kernel fails to start."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out = executed_dir / Path(step.notebook).name
    out.parent.mkdir(parents=True, exist_ok=True)
    nb_params = {k: P_run[k] for k in params_mod.SCHEMA}
    for attempt in (1, 2):
        _stagger()
        try:
            pm.execute_notebook(
                str(root / step.notebook),
                str(out),
                parameters=nb_params,
                cwd=str((root / step.notebook).parent),
                progress_bar=progress,
                log_output=False,
                kernel_manager_class=_kernel_manager_class(),
                start_timeout=120,
            )
            return out
        except PapermillExecutionError as exc:  # a cell raised: the notebook's own error
            raise StepFailed(_failure_message(step, exc, out), out) from None
        except Exception as exc:  # the kernel died, did not start or garbled a message: retry once
            if attempt == 2:
                raise StepFailed(_failure_message(step, exc), out if out.exists() else None) from None
            _log(f"[{step.name}] kernel problem ({type(exc).__name__}: {exc}); retrying once")
    raise AssertionError("unreachable")


def _cell_seconds(executed: Path) -> float:
    """Sum of papermill's per-cell durations: execution proper, without kernel start-up."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    return float(sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells))


def finalise_executed(executed: Path, rename: dict[str, str]) -> None:
    """Make an executed notebook independent of the run: staging paths become the final folders
    and cell ids (papermill gives its injected cell a random one) become cell-1, cell-2, ..."""
    import nbformat

    from ..io import write_text

    text = executed.read_text(encoding="utf-8")
    for old, new in rename.items():
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    nb = nbformat.reads(text, as_version=4)
    for i, cell in enumerate(nb.cells, 1):
        cell["id"] = f"cell-{i}"
    write_text(nbformat.writes(nb), executed)


def _synthetic(P_run: dict) -> bool:
    from .. import io

    return io.is_synthetic(io.read_json(Path(P_run["processed_dir"]) / "run_info.json"))


def render_html(step: Step, executed: Path, out_dir: Path, synthetic: bool) -> Path:
    """The analysts' HTML (with code) of an executed notebook: out_dir/notebooks/<step>.html."""
    import nbformat

    from .. import io
    from ..present import report

    nb = nbformat.read(executed, as_version=4)
    return io.write_text(report.render_notebook_html(nb, synthetic=synthetic),
                         out_dir / "notebooks" / f"{step.name}.html")


def _finish_report(P_run: dict, steps: tuple[Step, ...]) -> list[Path]:
    """After the last step and every notebook page: the workbook, the PDF, then the index, which
    links to whatever of these exists (so it is complete on the first build and after --force)."""
    from .. import io
    from ..present import exports, report

    out = Path(P_run["output_dir"])
    paths = [exports.export_workbook(out / "tables")]
    pdf = exports.print_pdf(out / "report.html", out / "report.pdf")
    if pdf:
        paths.append(pdf)
    htmls = [out / "notebooks" / f"{s.name}.html" for s in steps if (out / "notebooks" / f"{s.name}.html").is_file()]
    html = report.render_index(out, htmls, lang=P_run["lang"], wave=P_run["wave"], synthetic=_synthetic(P_run),
                               has_pdf=(out / "report.pdf").is_file(),
                               has_workbook=(out / "tables" / "tables.xlsx").is_file())
    paths.append(io.write_text(html, out / "index.html"))
    return paths


# ----------------------------------------------------------------------------------- staging
def _stage(final: Path, copy: bool = True) -> Path:
    """A staging folder beside `final`: a copy of it (steps that are up to date keep their files),
    or empty when `copy` is False (--force: a clean build, nothing stale carried over)."""
    staging = final.parent / f".{final.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    if copy and final.is_dir():
        shutil.copytree(final, staging, symlinks=True)
    else:
        staging.mkdir(parents=True)
    return staging


def _swap(staging: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)


def _log(msg: str) -> None:
    print(msg, flush=True)


# ------------------------------------------------------------------------------------------ run
def run(P: dict, *, force: bool = False, jobs: int | None = None, root: Path | None = None,
        steps: tuple[Step, ...] = STEPS, progress: bool | None = None,
        render: bool = True) -> dict[str, str]:
    """Run the pipeline for resolved parameters P; returns {step: "ran" | "up to date"}.

    Raises StepFailed (after leaving the previous results in place) when a notebook fails.
    """
    root = Path(root or params_mod.project_root())
    jobs = jobs or os.cpu_count() or 1
    progress = sys.stderr.isatty() if progress is None else progress
    logical = _logical(P, root)
    digest_code = code_digest(root)
    git = git_state(root)
    t_start = time.monotonic()

    # Fast path: when every step is up to date in place, there is nothing to stage or swap.
    if not force and all(is_up_to_date(s, P, step_hash(s, logical, P, root, digest_code, git)) for s in steps):
        for s in steps:
            _log(f"[{s.name}] up to date")
        _log(f"pipeline finished in {time.monotonic() - t_start:.1f} s (nothing to do)")
        return {s.name: "up to date" for s in steps}

    final = {"processed": Path(P["processed_dir"]), "output": Path(P["output_dir"])}
    staging = {k: _stage(v, copy=not force) for k, v in final.items()}
    P_run = dict(P, processed_dir=str(staging["processed"]), output_dir=str(staging["output"]))
    rename = {str(staging[k]): str(final[k]) for k in staging}
    rename[str(root) + os.sep] = ""  # then paths inside the project are shown relative to its root
    executed_dir = staging["output"] / "executed"

    status: dict[str, str] = {}
    done: dict[str, Future] = {}
    lock = threading.Lock()
    render_pool = ThreadPoolExecutor(max_workers=1)
    renders: list[Future] = []

    def run_one(step: Step) -> str:
        for need in step.needs:
            done[need].result()  # raises if upstream failed
        digest = step_hash(step, logical, P_run, root, digest_code, git)
        if not force and is_up_to_date(step, P_run, digest):
            _log(f"[{step.name}] up to date")
            return "up to date"
        with lock:
            _log(f"[{step.name}] running {step.notebook}")
        t0 = time.monotonic()
        executed = execute_step(step, P_run, root, executed_dir, progress)
        t_exec = time.monotonic() - t0
        finalise_executed(executed, rename)
        if render:  # the notebook page; rendering overlaps with the next steps
            renders.append(render_pool.submit(render_html, step, executed, staging["output"], _synthetic(P_run)))
        if step.finishes and render:
            for f in renders:
                f.result()
            _finish_report(P_run, steps)
        missing = [str(p) for p in step.outputs(P_run) if not p.exists()]
        if missing and (render or not step.finishes):
            raise StepFailed(f"{Path(step.notebook).name} finished but did not write {', '.join(missing)}", executed)
        record = _record_path(P_run, step)
        timings = {"execute_s": round(t_exec, 3), "cells_s": round(_cell_seconds(executed), 3),
                   "total_s": round(time.monotonic() - t0, 3)}
        write_json({"step": step.name, "hash": digest, "params": {k: logical[k] for k in step.keys},
                    "timings": timings}, record)
        _log(f"[{step.name}] done in {time.monotonic() - t0:.1f} s")
        return "ran"

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        # Submit in DAG order; a step waits on its upstream futures inside run_one.
        for step in steps:
            done[step.name] = pool.submit(run_one, step)
        for step in steps:
            status[step.name] = done[step.name].result()
        for f in renders:
            f.result()
    except BaseException as exc:
        if isinstance(exc, Exception) and not isinstance(exc, StepFailed):
            exc = StepFailed(f"the run failed outside the notebooks: {type(exc).__name__}: {exc}", None)
        pool.shutdown(wait=True, cancel_futures=True)
        render_pool.shutdown(wait=True, cancel_futures=True)
        saved = getattr(exc, "saved", None)
        failed_dir = final["output"].parent / f"{final['output'].name}{FAILED_SUFFIX}"
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        if executed_dir.exists():
            shutil.move(str(executed_dir), str(failed_dir))
            if saved:
                exc.saved = failed_dir / Path(saved).name  # type: ignore[attr-defined]
        for s in staging.values():
            shutil.rmtree(s, ignore_errors=True)
        raise exc from None
    pool.shutdown()
    render_pool.shutdown()
    for key in ("processed", "output"):
        _swap(staging[key], final[key])
    _log(f"pipeline finished in {time.monotonic() - t_start:.1f} s")
    return status
