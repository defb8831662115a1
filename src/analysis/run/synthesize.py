"""The `synthesize` command: the synthetic raw export of a wave (not SKR's data), with the project's
parameters as its defaults; one line names the file(s) written.

--wave 2023 writes the panel partner of the 2019 export of the same seed, calibrated to the
published 2023 CISO share in the reference data's published_series.csv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..base.errors import ParamError
from ..base.io import write_export, write_json
from ..base.reference import load_published_series, load_register
from ..base.waves import codebook_for
from ..synthetic.generator import BASE_WAVE, PANEL_WAVES, generate
from . import params

WAVES = (BASE_WAVE, *PANEL_WAVES)


def main(argv: list[str]) -> int:
    """`python -m analysis synthesize [--wave 2019|2023] [--seed N] [--out PATH] [--format csv|xlsx]
    [--truth PATH] [--rows N] [--reference-dir DIR]`."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--wave", type=int, choices=WAVES, default=BASE_WAVE)
    wave = pre.parse_known_args(argv)[0].wave
    try:
        P = params.load(overrides=[f"wave={wave}"])
    except ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = _parser(P).parse_args(argv)
    out, fmt = _target(args, Path(P["raw_path"]))
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


def _parser(P: dict) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m analysis synthesize",
                                 description="Write the synthetic raw export of a wave (not SKR's data).")
    ap.add_argument("--wave", type=int, choices=WAVES, default=BASE_WAVE,
                    help=f"survey wave (default {BASE_WAVE}); 2023 is a panel on the 2019 export of the same seed")
    ap.add_argument("--seed", type=int, default=P["seed"], help=f"random seed (default {P['seed']})")
    ap.add_argument("--out", default=None, help=f"output file (default {P['raw_path']})")
    ap.add_argument("--format", choices=("csv", "xlsx"), default=None,
                    help="file format (default: from --out's suffix, else csv)")
    ap.add_argument("--truth", default=None, help="also write the generating model (2023: with the transition "
                    "probabilities) as JSON here")
    ap.add_argument("--rows", type=int, default=None, help="number of submissions (benchmarks)")
    ap.add_argument("--reference-dir", default=P["reference_dir"], help="folder with the register")
    return ap


def _target(args: argparse.Namespace, default: Path) -> tuple[Path, str]:
    """(file, format): --out or the wave's raw_path; the format from --format, else the suffix."""
    out = Path(args.out) if args.out else default
    fmt = args.format or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    if not args.out and fmt == "xlsx":
        out = out.with_suffix(".xlsx")
    return out, fmt
