"""Benchmark of the cleaning step at 10k, 100k and 1M submissions (not part of the tests).

For each size the synthetic generator writes an export (municipalities repeating) to a temporary
folder; then a fresh subprocess reads, validates, maps and de-duplicates it (`io.read_export` +
`clean.clean`, no writing) and reports its wall time, its CPU time and its peak RSS
(resource.getrusage(RUSAGE_SELF).ru_maxrss inside the child, which equals RUSAGE_CHILDREN seen
from here). Target: under 10 s and under 3 GB at 1M rows on 2 cores.

    .venv/bin/python benchmarks/bench_clean.py [--sizes 10000 100000 1000000] [--fmt csv]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
from analysis.compute import clean
from analysis.base import reference
from analysis.base import io
from analysis.base.codebook import default_codebook
t_import = time.perf_counter() - t0
path, ref = sys.argv[1], sys.argv[2]
register = reference.load_register(ref)
cb = default_codebook()
t1 = time.perf_counter()
raw = io.read_export(path, max_rows=10**9, max_input_mb=10**6)  # scaling beyond the run's limits
t2 = time.perf_counter()
res = clean.clean(raw, register, cb, path)
t3 = time.perf_counter()
print(json.dumps({
    "rows": len(raw), "respondents": len(res.responses), "log_rows": len(res.log),
    "read_s": t2 - t1, "clean_s": t3 - t2, "total_s": t3 - t1, "import_s": t_import,
    "cpu_s": time.process_time() - c0,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def make_export(n: int, folder: Path, fmt: str) -> Path:
    from analysis.base import io, reference
    from analysis.synthetic import generator as synthetic

    register = reference.load_register(ROOT / "data" / "external")
    df, _ = synthetic.generate(register, seed=2019, n_rows=n)
    path = folder / f"bench_{n}.{fmt}"
    io.write_export(df, path, fmt)
    return path


def run(sizes: list[int], fmt: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_clean_") as tmp:
        for n in sizes:
            t = time.perf_counter()
            path = make_export(n, Path(tmp), fmt)
            gen_s = time.perf_counter() - t
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT / "data" / "external")],
                                 check=False, capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                raise SystemExit(f"size {n}: child failed:\n{out.stderr}")
            rec = json.loads(out.stdout.strip().splitlines()[-1])
            rec.update(size=n, file_mb=path.stat().st_size / 2**20, generate_s=gen_s)
            rows.append(rec)
            path.unlink()
            print(f"  {n:>9,} rows done: {rec['total_s']:.2f} s, {rec['peak_rss_mb']:.0f} MB", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--fmt", default="csv", choices=["csv", "xlsx"])
    args = ap.parse_args(argv)
    rows = run(args.sizes, args.fmt)
    head = (f"{'rows':>10} {'file MB':>8} {'read s':>7} {'clean s':>8} {'total s':>8} {'cpu s':>7} "
            f"{'peak MB':>8} {'kept':>5}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['rows']:>10,} {r['file_mb']:>8.1f} {r['read_s']:>7.2f} {r['clean_s']:>8.2f} {r['total_s']:>8.2f} "
              f"{r['cpu_s']:>7.2f} {r['peak_rss_mb']:>8.0f} {r['respondents']:>5}")
    print("(total = read_export + clean, in a fresh process; peak = max RSS of that process incl. imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
