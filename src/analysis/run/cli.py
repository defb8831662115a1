"""The `run` command: parameters merged and checked, the inputs checked before any notebook starts,
then the pipeline, and every way it can end as one line and an exit code."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from ..base import reference
from ..base.errors import ParamError
from . import params, staging
from .errors import RunError
from .pipeline import run


def main(argv: list[str]) -> int:
    """`python -m analysis run [--params FILE] [-p KEY=VALUE ...] [--force] [--jobs N]`."""
    ap = argparse.ArgumentParser(prog="python -m analysis run", description="Run the notebooks in order.")
    ap.add_argument("--params", help="YAML file with parameters overriding params/default.yaml")
    ap.add_argument("-p", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="override one parameter (repeatable)")
    ap.add_argument("--force", action="store_true", help="rerun every step even if up to date")
    ap.add_argument("--jobs", type=int, default=None, help="steps run at once (default: number of cores)")
    args = ap.parse_args(argv)
    try:
        P = params.load(args.params, args.overrides)
    except ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = missing_input(P)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return run_and_report(P, force=args.force, jobs=args.jobs)


def missing_input(P: dict) -> str | None:
    """What the run lacks before it starts (reference data, the raw export, the earlier wave's
    processed data), naming what to run; None when nothing is missing."""
    missing = reference.missing_files(P["reference_dir"])
    if missing:
        return f"reference data missing in {P['reference_dir']}: {', '.join(missing)} (run `make`)"
    if not Path(P["raw_path"]).is_file():
        return (f"{P['raw_path']}: raw export not found (expected a CSV or xlsx file; "
                "`make` generates the synthetic default)")
    if P["compare_with"] is not None and not (Path(P["compare_dir"]) / "run_info.json").is_file():
        return (f"{P['compare_dir']}: no processed data of wave {P['compare_with']} to compare with "
                f"(run `python -m analysis run -p wave={P['compare_with']}` first, or -p compare_with=null)")
    return None


def run_and_report(P: dict, **run_kwargs) -> int:
    """Run the pipeline and turn every way it can end into one line and an exit code: 0 done,
    1 failed, 130 interrupted (Ctrl-C, SIGTERM or SIGHUP). The previous results are mentioned only
    when there were some."""
    out = Path(P["output_dir"])
    saved_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            saved_handlers[sig] = signal.signal(sig, _interrupted)
    try:
        run(P, **run_kwargs)
    except RunError as exc:
        lines = [f"error: {exc}", *([f"the failed notebook is saved at {exc.saved}"] if exc.saved else [])]
        return _fail(lines, out, 1)
    except KeyboardInterrupt:
        print(f"interrupted: {_previous_note(out) or 'nothing was written'}", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: still one line (ANALYSIS_TRACEBACK=1 shows where)
        if os.environ.get("ANALYSIS_TRACEBACK"):
            raise
        return _fail([f"error: unexpected {type(exc).__name__} in the runner: {exc} "
                      "(ANALYSIS_TRACEBACK=1 shows where)"], out, 1)
    finally:
        for sig, handler in saved_handlers.items():
            signal.signal(sig, handler)
    print(f"report: {out / 'report.html'}")
    return 0


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _previous_note(out: Path) -> str | None:
    return f"previous results in {out} are unchanged" if staging.is_marked(out) else None


def _fail(lines: list[str], out: Path, code: int) -> int:
    """Print the error's lines and, when there were previous results, that they are unchanged."""
    note = _previous_note(out)
    for line in [*lines, *([note] if note else [])]:
        print(line, file=sys.stderr)
    return code
