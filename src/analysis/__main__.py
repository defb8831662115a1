"""Command line: `python -m analysis run|synthesize|check-reference`.

`run` merges the parameters and runs the pipeline; errors are one short line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import params as params_mod
from .errors import InputError


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
    from . import reference

    missing = reference.missing_files(P["reference_dir"])
    if missing:
        print(f"error: reference data missing in {P['reference_dir']}: {', '.join(missing)} (run `make`)", file=sys.stderr)
        return 2
    if not Path(P["raw_path"]).is_file():
        print(f"error: {P['raw_path']}: raw export not found (expected a CSV or xlsx file; "
              "`make` generates the synthetic default)", file=sys.stderr)
        return 2
    from .pipeline import StepFailed, run

    try:
        run(P, force=args.force, jobs=args.jobs)
    except StepFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.saved:
            print(f"the failed notebook is saved at {exc.saved}", file=sys.stderr)
        print(f"previous results in {P['output_dir']} are unchanged", file=sys.stderr)
        return 1
    report = Path(P["output_dir"]) / "report.html"
    print(f"report: {report}")
    return 0


def _check_reference(argv: list[str]) -> int:
    from . import reference

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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"run": _run, "check-reference": _check_reference}
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in commands | {"synthesize": None}:
        print("usage: python -m analysis {run,synthesize,check-reference} [options]\n"
              "  run               run the pipeline (see `run --help`)\n"
              "  synthesize        write the synthetic raw export (see `synthesize --help`)\n"
              "  check-reference   check that data/external holds the reference files", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        if argv[0] == "synthesize":
            from . import synthetic

            return synthetic.cli(argv[1:])
        return commands[argv[0]](argv[1:])
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: previous results are unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
