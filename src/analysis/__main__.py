"""Command line: `python -m analysis run|synthesize|check-reference|contracts|lab`.

`run` merges the parameters and runs the pipeline; errors are one short line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .base.errors import ContractError, InputError
from .run import params as params_mod


def _run(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis run", description="Run the notebooks in order.")
    ap.add_argument("--params", help="YAML file with parameters overriding params/default.yaml")
    ap.add_argument("-p", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="override one parameter (repeatable)")
    ap.add_argument("--force", action="store_true", help="rerun every step even if up to date")
    ap.add_argument("--jobs", type=int, default=None, help="steps run at once (default: number of cores)")
    args = ap.parse_args(argv)
    try:
        P = params_mod.load(args.params, args.overrides)
    except params_mod.ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .base import reference

    missing = reference.missing_files(P["reference_dir"])
    if missing:
        print(f"error: reference data missing in {P['reference_dir']}: {', '.join(missing)} (run `make`)", file=sys.stderr)
        return 2
    if not Path(P["raw_path"]).is_file():
        print(f"error: {P['raw_path']}: raw export not found (expected a CSV or xlsx file; "
              "`make` generates the synthetic default)", file=sys.stderr)
        return 2
    if P["compare_with"] is not None and not (Path(P["compare_dir"]) / "run_info.json").is_file():
        print(f"error: {P['compare_dir']}: no processed data of wave {P['compare_with']} to compare with "
              f"(run `python -m analysis run -p wave={P['compare_with']}` first, or -p compare_with=null)",
              file=sys.stderr)
        return 2
    return run_and_report(P, force=args.force, jobs=args.jobs)


def run_and_report(P: dict, **run_kwargs) -> int:
    """Run the pipeline and turn every way it can end into one line and an exit code: 0 done,
    1 failed, 130 interrupted (Ctrl-C, SIGTERM or SIGHUP). The previous results are mentioned only
    when there were some."""
    import os
    import signal
    import threading

    from .run import staging
    from .run.pipeline import run

    out = Path(P["output_dir"])

    def previous_note() -> str | None:
        return f"previous results in {out} are unchanged" if staging.is_marked(out) else None

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    saved_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            saved_handlers[sig] = signal.signal(sig, interrupted)
    try:
        run(P, **run_kwargs)
    except staging.RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.saved:
            print(f"the failed notebook is saved at {exc.saved}", file=sys.stderr)
        note = previous_note()
        if note:
            print(note, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: {previous_note() or 'nothing was written'}", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: still one line (ANALYSIS_TRACEBACK=1 shows where)
        if os.environ.get("ANALYSIS_TRACEBACK"):
            raise
        print(f"error: unexpected {type(exc).__name__} in the runner: {exc} "
              "(ANALYSIS_TRACEBACK=1 shows where)", file=sys.stderr)
        note = previous_note()
        if note:
            print(note, file=sys.stderr)
        return 1
    finally:
        for sig, handler in saved_handlers.items():
            signal.signal(sig, handler)
    print(f"report: {out / 'report.html'}")
    return 0


def _synthesize(argv: list[str]) -> int:
    """`python -m analysis synthesize [--wave 2019|2023] [--seed N] [--out PATH] [--format csv|xlsx]
    [--truth PATH] [--rows N] [--reference-dir DIR]`; prints one line naming the file(s) written.

    --wave 2023 writes the panel partner of the 2019 export of the same seed, calibrated to the
    published 2023 CISO share in the reference data's published_series.csv."""
    from .base.codebook import codebook_for
    from .base.reference import load_published_series, load_register
    from .synthetic.generator import BASE_WAVE, PANEL_WAVES, generate
    from .base.io import write_export, write_json

    waves = (BASE_WAVE, *PANEL_WAVES)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--wave", type=int, choices=waves, default=BASE_WAVE)
    wave = pre.parse_known_args(argv)[0].wave
    try:
        P = params_mod.load(overrides=[f"wave={wave}"])
    except params_mod.ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(prog="python -m analysis synthesize",
                                 description="Write the synthetic raw export of a wave (not SKR's data).")
    ap.add_argument("--wave", type=int, choices=waves, default=BASE_WAVE,
                    help=f"survey wave (default {BASE_WAVE}); 2023 is a panel on the 2019 export of the same seed")
    ap.add_argument("--seed", type=int, default=P["seed"], help=f"random seed (default {P['seed']})")
    ap.add_argument("--out", default=None, help=f"output file (default {P['raw_path']})")
    ap.add_argument("--format", choices=("csv", "xlsx"), default=None,
                    help="file format (default: from --out's suffix, else csv)")
    ap.add_argument("--truth", default=None, help="also write the generating model (2023: with the transition "
                    "probabilities) as JSON here")
    ap.add_argument("--rows", type=int, default=None, help="number of submissions (benchmarks)")
    ap.add_argument("--reference-dir", default=P["reference_dir"], help="folder with the register")
    args = ap.parse_args(argv)

    fmt = args.format
    out = Path(args.out) if args.out else Path(P["raw_path"])
    if fmt is None:
        fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    if not args.out and fmt == "xlsx":
        out = out.with_suffix(".xlsx")
    cb = codebook_for(args.wave)
    if not cb.is_synthetic_file(out):
        marker = cb.survey["synthetic_file_marker"]
        print(f"error: {out}: the file name must contain {marker!r} so that it is never taken for "
              "SKR's data", file=sys.stderr)
        return 2
    if args.rows is not None and args.rows < 1:
        print("error: --rows must be at least 1", file=sys.stderr)
        return 2
    register = load_register(args.reference_dir)
    series = load_published_series(args.reference_dir) if args.wave != BASE_WAVE else None
    df, truth = generate(register, seed=args.seed, n_rows=args.rows, codebook=cb, wave=args.wave,
                         published_series=series)
    write_export(df, out, fmt)
    line = f"wrote {out}"
    if args.truth:
        write_json(truth, args.truth)
        line += f" (truth: {args.truth})"
    print(line)
    return 0


def _contracts(argv: list[str]) -> int:
    """`python -m analysis contracts [PATH]`: write docs/contracts.md from the schemas."""
    from .base import io, contracts

    target = Path(argv[0]) if argv else params_mod.project_root() / "docs" / "contracts.md"
    io.write_text(contracts.contracts_markdown(), target)
    print(f"wrote {target}")
    return 0


def _check_reference(argv: list[str]) -> int:
    from .base import reference

    d = argv[0] if argv else "data/external"
    missing = reference.missing_files(d)
    if not missing:
        return 0
    print(f"error: reference data missing in {d}:", file=sys.stderr)
    for name in missing:
        print(f"  {name}: {reference.REQUIRED_FILES[name]}", file=sys.stderr)
    print("Put ../shared/data/reference/ beside the project (then `make` links it), or place the files "
          "in data/external/ yourself.", file=sys.stderr)
    return 2


def _lab(argv: list[str]) -> int:
    from .run import lab

    return lab.main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"run": _run, "synthesize": _synthesize, "check-reference": _check_reference,
                "contracts": _contracts, "lab": _lab}
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in commands:
        print("usage: python -m analysis {run,synthesize,check-reference,contracts,lab} [options]\n"
              "  run               run the pipeline (see `run --help`)\n"
              "  synthesize        write the synthetic raw export (see `synthesize --help`)\n"
              "  check-reference   check that data/external holds the reference files\n"
              "  contracts         write docs/contracts.md from the table schemas\n"
              "  lab               JupyterLab at the project root (notebooks run there write to scratch/)",
              file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        return commands[argv[0]](argv[1:])
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
