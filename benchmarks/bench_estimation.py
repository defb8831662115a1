"""Scaling of the design-based estimation (02's headline table) at 10k, 100k and 1M respondents.

The 290-row analysis frame of the default synthetic data is tiled to n rows (groups, answers and
non-response repeat), and `survey.headline_table` is timed in a fresh process per size, with its
peak memory (max RSS). Run by `make bench`; prints a table and appends it to BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000, 1_000_000)

CHILD = r"""
import sys, time, resource
import numpy as np, pandas as pd
from analysis.compute import survey
base = pd.read_parquet(sys.argv[1])
n = int(sys.argv[2])
df = base.iloc[np.arange(n) % len(base)].reset_index(drop=True)
t0 = time.perf_counter()
table = survey.headline_table(df, 0.05)
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{dt:.3f} {peak:.0f} {int(df['responded'].sum())} {table['share_weighted'].iloc[0]:.4f}")
"""


def main() -> int:
    from analysis.base import io
    from analysis.base.reference import load_register
    from analysis.compute import clean
    from analysis.run import params
    from analysis.synthetic import generator as synthetic

    P = params.load()
    with tempfile.TemporaryDirectory() as tmp:
        register = load_register(P["reference_dir"])
        raw, _ = synthetic.generate(register, seed=P["seed"])
        res = clean.clean(raw, register, source=Path("synthetic_bench.csv"))
        io.write_parquet(res.analysis, Path(tmp) / "analysis.parquet")
        rows = []
        for n in SIZES:
            out = subprocess.run([sys.executable, "-c", CHILD, str(Path(tmp) / "analysis.parquet"), str(n)],
                                 capture_output=True, text=True, check=True)
            secs, peak, resp, share = out.stdout.split()
            rows.append((n, int(resp), float(secs), int(peak), float(share)))
            print(f"{n:>10,} rows: {float(secs):.2f} s, {peak} MB", flush=True)
    lines = [f"{'rows':>10} {'respondents':>12} {'seconds':>8} {'peak MB':>8} {'ciso share':>10}",
             *[f"{n:>10,} {r:>12,} {s:>8.2f} {m:>8} {p:>10.4f}" for n, r, s, m, p in rows]]
    print("\n".join(lines))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
        fh.write(f"\n## Estimation scaling (survey.headline_table), {date.today().isoformat()} ({machine})\n\n```\n"
                 + "\n".join(lines) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
