"""The runner (`run`): executes the notebooks of the DAG with papermill, each in a kernel of its own,
in marked staging folders that replace processed_dir and output_dir only when every step succeeds.

A step is skipped when its content hash is unchanged and its outputs are still those the runner
wrote (run/dag.py); when every step is, nothing is staged (the no-op run). 02, 03 and 05 run side
by side, each kernel started ahead of need (run/kernels.py); a failure or Ctrl-C stops every kernel,
keeps the failed notebooks in <output_dir>.failed and leaves the previous results as they were.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from pathlib import Path

from ..base import processes
from ..base.io import write_json
from ..base.paths import project_root, unstaged
from . import dag, execute, finish, kernels, provenance, staging, swap
from .dag import STEPS, Step
from .errors import Cancelled, RunError, StepFailed

log = kernels.log


@dataclass(frozen=True)
class _Options:
    force: bool
    jobs: int
    root: Path
    steps: tuple[Step, ...]
    progress: bool
    render: bool


@dataclass(frozen=True)
class _Hashes:
    """What every step's hash shares in one run: the parameters as recorded, the code's digest and
    the git state (the report's)."""

    logical: dict
    code: str
    git: str
    root: Path

    def of(self, step: Step, P_actual: dict) -> str:
        return dag.step_hash(step, self.logical, P_actual, self.root, self.code, self.git)


def run(P: dict, *, force: bool = False, jobs: int | None = None, root: Path | None = None,
        steps: tuple[Step, ...] = STEPS, progress: bool | None = None,
        render: bool = True) -> dict[str, str]:
    """Run the pipeline for resolved parameters P; returns {step: "ran" | "up to date"}.

    Raises RunError (StepFailed when a notebook fails) in one line after leaving the previous
    results in place; KeyboardInterrupt after the same clean-up. Only folders the runner made
    (staging.MARK_NAME) are replaced; a second run on the same folders stops at once.
    """
    opt = _Options(force=force, jobs=jobs or os.cpu_count() or 1, root=Path(root or project_root()), steps=steps,
                   progress=sys.stderr.isatty() if progress is None else progress, render=render)
    final = {"processed": Path(P["processed_dir"]), "output": Path(P["output_dir"])}
    for key, folder in final.items():
        staging.check_target(folder, f"{key}_dir")
    with staging.locked(final.values()):
        for note in swap.recover(list(final.values()), swap.journal_path(final["output"])):
            log(f"note: {note}")
        previous = {k: staging.check_target(v, f"{k}_dir") for k, v in final.items()}
        return _run_locked(P, final, previous, opt)


def _run_locked(P: dict, final: dict[str, Path], previous: dict[str, bool], opt: _Options) -> dict[str, str]:
    t_start = time.monotonic()
    hashes = _Hashes(dag.logical(P, opt.root), dag.code_digest(opt.root),
                     provenance.git_state(opt.root, tuple(final.values())), opt.root)
    # Fast path: when every step is up to date in place, there is nothing to stage or swap.
    if not opt.force and all(previous.values()) and all(
            dag.is_up_to_date(s, P, hashes.of(s, P)) for s in opt.steps):
        for s in opt.steps:
            log(f"[{s.name}] up to date")
        _remove_failed(final["output"])
        log(f"pipeline finished in {time.monotonic() - t_start:.1f} s (nothing to do)")
        return {s.name: "up to date" for s in opt.steps}
    staging.check_space(final.values(), copy=not opt.force)
    with execute.LibraryLog() as library_log:
        status = _Build(P, final, opt, hashes).run(previous)
    for message in library_log.messages:
        log(f"note: papermill: {message}")
    _remove_failed(final["output"])
    log(f"pipeline finished in {time.monotonic() - t_start:.1f} s")
    return status


def _remove_failed(final_output: Path) -> None:
    if staging.remove_failed(final_output):
        log(f"note: removed {staging.failed_path(final_output).name} (a failed run's notebooks; "
            "this run succeeded)")


class _Build:
    """One run that executes steps: its staging folders, thread pools and kernels, and what each
    step did. `run` stages, executes the DAG, swaps the results in, or abandons it all."""

    def __init__(self, P: dict, final: dict[str, Path], opt: _Options, hashes: _Hashes):
        self.P, self.final, self.opt, self.hashes = P, final, opt, hashes
        self.run_id = uuid.uuid4().hex
        self.stages: dict[str, Path] = {}
        self.cancelled = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=max(1, opt.jobs))
        self.render_pool = ThreadPoolExecutor(max_workers=1)
        self.futures: list[Future] = []  # everything an abandoned run waits for
        self.done: dict[str, Future] = {}
        self.ran: dict[str, dict] = {}  # step -> its record, but for the products' digests
        self.renders: list[Future] = []
        self.lock = threading.Lock()

    def run(self, previous: dict[str, bool]) -> dict[str, str]:
        try:
            for key in ("processed", "output"):
                self.stages[key] = staging.stage(self.final[key], self.run_id,
                                                 copy=not self.opt.force and previous[key])
            status = self._execute_dag()
            self.pool.shutdown()
            self.render_pool.shutdown()
            pairs = [(self.stages[k], self.final[k]) for k in ("processed", "output")]
            swap.commit(pairs, swap.journal_path(self.final["output"]), self.run_id)
        except BaseException as exc:
            error = self._abandon(exc)
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise error from None
        return status

    # ---------------------------------------------------------------------------------- executing
    def _execute_dag(self) -> dict[str, str]:
        self.P_run = dict(self.P, processed_dir=str(self.stages["processed"]), output_dir=str(self.stages["output"]))
        self.rename = {str(self.stages[k]): str(self.final[k]) for k in self.stages}
        self.rename[str(self.opt.root) + os.sep] = ""  # then paths inside the project are shown relative to its root
        self.warmer = kernels.Warmer(self._expected_to_run(), self.opt.root, self.run_id,
                                     limit=self.opt.jobs + kernels.KERNELS_AHEAD)
        try:
            return self._execute_steps()
        finally:
            self.warmer.close()

    def _expected_to_run(self) -> list[Step]:
        """The steps that will run, as far as can be told before any runs: all with force; else those
        not up to date and those downstream of one that runs (which may yet turn out up to date)."""
        if self.opt.force:
            return list(self.opt.steps)
        running: set[str] = set()
        for step in self.opt.steps:
            if any(n in running for n in step.needs) or not dag.is_up_to_date(
                    step, self.P_run, self.hashes.of(step, self.P_run)):
                running.add(step.name)
        return [s for s in self.opt.steps if s.name in running]

    def _execute_steps(self) -> dict[str, str]:
        # Submit in DAG order; a step waits on its upstream futures inside _run_one.
        for step in self.opt.steps:
            self.done[step.name] = self.pool.submit(self._run_one, step)
            self.futures.append(self.done[step.name])
        pending = set(self.done.values())
        while pending:  # the first failure ends the wait (and the run) at once
            finished, pending = wait_futures(pending, return_when=FIRST_EXCEPTION)
            for f in finished:
                if f.exception() is not None:
                    raise f.exception()
        for f in self.renders:
            f.result()
        # Records last: a step's products include its page, rendered in the background.
        for step in self.opt.steps:
            if step.name in self.ran:
                write_json({**self.ran[step.name], "products": dag.products_digest(step, self.P_run, self.opt.render)},
                           dag.record_path(self.P_run, step))
        return {s.name: self.done[s.name].result() for s in self.opt.steps}

    def _run_one(self, step: Step) -> str:
        try:
            for need in step.needs:
                self.done[need].result()  # raises if upstream failed
        except BaseException:
            self.warmer.discard(step)
            raise
        if self.cancelled.is_set():
            self.warmer.discard(step)
            raise Cancelled(f"{step.name} cancelled")
        digest = self.hashes.of(step, self.P_run)
        if not self.opt.force and self._still_up_to_date(step, digest):
            self.warmer.discard(step)
            log(f"[{step.name}] up to date")
            return "up to date"
        self._execute(step, digest)
        return "ran"

    def _still_up_to_date(self, step: Step, digest: str) -> bool:
        """Up to date in staging (its upstream steps ran but wrote the same bytes); a product
        changed behind the runner's back is named, and the step runs again."""
        if (dag.read_record(self.P_run, step) or {}).get("hash") != digest:
            return False
        changed = dag.changed_products(step, self.P_run)
        if changed:
            log(f"[{step.name}] {dag.what_changed(changed, self.P_run)}; running the step again")
            return False
        return dag.is_up_to_date(step, self.P_run, digest)

    def _execute(self, step: Step, digest: str) -> None:
        opt, out = self.opt, self.stages["output"]
        with self.lock:
            log(f"[{step.name}] running {step.notebook}")
        dag.remove_products(step, self.P_run)
        t0 = time.monotonic()
        workbook = None
        if step.finishes and opt.render:  # from the tables of the steps before it: written while it runs
            workbook = self.render_pool.submit(finish.export_workbook, out / "tables")
            self.futures.append(workbook)
        executed = execute.execute_step(step, self.P_run, opt.root, out / "executed", opt.progress, self.run_id,
                                        self.cancelled, self.warmer)
        t_exec = time.monotonic() - t0
        execute.finalise_executed(executed, self.rename)
        if opt.render:  # the notebook page; rendering overlaps with the next steps
            page = self.render_pool.submit(finish.render_html, step, executed, out, finish.synthetic(self.P_run))
            self.renders.append(page)
            self.futures.append(page)  # an abandoned run waits for it before removing the staging folders
        if step.finishes and opt.render:
            finish.finish_report(self.P_run, opt.steps, self.renders, workbook)
        missing = [str(p) for p in step.outputs(self.P_run) if not p.exists()]
        if missing and (opt.render or not step.finishes):
            raise StepFailed(f"{Path(step.notebook).name} finished but did not write {', '.join(missing)}", executed)
        self.ran[step.name] = {"step": step.name, "hash": digest,
                               "params": {k: self.hashes.logical[k] for k in step.keys},
                               "timings": {"execute_s": round(t_exec, 3),
                                           "cells_s": round(execute.cell_seconds(executed), 3),
                                           "total_s": round(time.monotonic() - t0, 3)}}
        log(f"[{step.name}] done in {time.monotonic() - t0:.1f} s")

    # --------------------------------------------------------------------------------- abandoning
    def _abandon(self, exc: BaseException) -> RunError:
        """After a failure or an interrupt: stop every kernel and child, wait for the threads, keep the
        failed notebooks in <output_dir>.failed, remove the staging folders. Returns the error to show.
        A second Ctrl-C meanwhile is held back: the clean-up is short and must complete."""
        with swap.signals_deferred():
            self._stop_everything()
            error = _error_for(exc)
            error.saved = self._keep_failed(error.saved) if not isinstance(exc, KeyboardInterrupt) else None
            for folder in self.stages.values():
                staging.discard(folder)
            return error

    def _stop_everything(self) -> None:
        self.cancelled.set()
        processes.kill_all()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.render_pool.shutdown(wait=False, cancel_futures=True)
        # (wait() never counts a future cancelled by shutdown() as done: leave those out)
        wait_futures([f for f in self.futures if not f.cancelled()], timeout=60)
        processes.kill_all()

    def _keep_failed(self, saved: Path | None) -> Path | None:
        """The failed notebook `saved` as kept in <output_dir>.failed (None when nothing is kept)."""
        if saved is None or "output" not in self.stages:
            return None
        try:
            kept = staging.keep_failed(self.stages["output"] / "executed", self.final["output"], self.run_id)
        except OSError:
            kept = None
        return kept / Path(saved).name if kept is not None else None


def _error_for(exc: BaseException) -> RunError:
    """The one-line error an abandoned run shows for what ended it."""
    if isinstance(exc, RunError) and not isinstance(exc, Cancelled):
        return exc
    if isinstance(exc, (KeyboardInterrupt, Cancelled)):
        return RunError("interrupted")
    if isinstance(exc, OSError):
        where = f" ({unstaged(exc.filename)})" if exc.filename else ""  # a staging folder named by its final folder
        return RunError(f"the runner could not write the results: {exc.strerror or exc}{where}")
    return RunError(f"the run failed outside the notebooks: {type(exc).__name__}: {exc}")
