"""Side-by-side benchmark of the pipeline (issue 8); run by `make bench`, never by the tests.

A  the naive way: papermill CLI once per notebook, then `jupyter nbconvert --to html` per notebook
B  `python -m analysis run --force` (cold)
C  `python -m analysis run` with nothing changed (no-op)
D  the floor: the step functions called in one plain Python process, no notebooks, no rendering
Each figure is the median of N runs (default 5). Results are appended to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
NOTEBOOKS = ["01_clean", "02_describe", "03_model", "04_report"]

FLOOR = """
import sys, time
from analysis.run import params
from analysis.run import steps
P = params.load(overrides=sys.argv[1:])
steps.clean(P); steps.describe(P); steps.model(P); steps.report(P)
"""


def _timed(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def naive(work: Path) -> float:
    """A: papermill CLI per notebook, then nbconvert CLI per notebook, in sequence."""
    out = work / "A"
    shutil.rmtree(out, ignore_errors=True)
    (out / "nb").mkdir(parents=True)
    ps = ["-p", "processed_dir", str(out / "processed"), "-p", "output_dir", str(out / "report")]
    t0 = time.perf_counter()
    for name in NOTEBOOKS:
        subprocess.run([str(VENV_BIN / "papermill"), f"notebooks/{name}.ipynb", str(out / "nb" / f"{name}.ipynb"),
                        "-k", "python3", "--cwd", "notebooks", *ps], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name in NOTEBOOKS:
        subprocess.run([str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", str(out / "nb" / f"{name}.ipynb")],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def runner(work: Path, force: bool) -> float:
    ps = ["-p", f"processed_dir={work / 'B' / 'processed'}", "-p", f"output_dir={work / 'B' / 'report'}"]
    return _timed([sys.executable, "-m", "analysis", "run", *(["--force"] if force else []), *ps])


def floor(work: Path) -> float:
    ps = [f"processed_dir={work / 'D' / 'processed'}", f"output_dir={work / 'D' / 'report'}"]
    return _timed([sys.executable, "-c", FLOOR, *ps])


def profile(work: Path) -> dict[str, float]:
    """Where B's time goes, from the runner's step records and papermill's cell timings."""
    import nbformat

    out: dict[str, float] = {}
    for rec in sorted((work / "B").rglob(".pipeline/*.json")):
        data = json.loads(rec.read_text())
        for k, v in data.get("timings", {}).items():
            out[f"{data['step']}.{k}"] = v
    for nb_path in sorted((work / "B" / "report" / "executed").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        cells = [c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells]
        imports = next((d for c, d in zip(nb.cells, cells) if "import" in c.source and c.cell_type == "code"), 0.0)
        out[f"{nb_path.stem}.import_cell_s"] = imports
        out[f"{nb_path.stem}.all_cells_s"] = sum(cells)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="do not append to BENCHMARKS.md")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_pipeline_"))
    results: dict[str, list[float]] = {"A": [], "B": [], "C": [], "D": []}
    try:
        runner(work, force=True)  # warm the file cache once; not counted
        for i in range(args.repeat):
            results["A"].append(naive(work))
            results["B"].append(runner(work, force=True))
            results["C"].append(runner(work, force=False))
            results["D"].append(floor(work))
            print(f"run {i + 1}/{args.repeat}: " + ", ".join(f"{k}={v[-1]:.2f}s" for k, v in results.items()), flush=True)
        med = {k: statistics.median(v) for k, v in results.items()}
        prof = profile(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"A naive (papermill CLI + nbconvert CLI): {med['A']:.2f} s",
        f"B runner --force (cold):                 {med['B']:.2f} s",
        f"C runner, nothing changed (no-op):       {med['C']:.2f} s   (target <= 1 s)",
        f"D floor (functions, one process):        {med['D']:.2f} s",
        f"B/A = {med['B'] / med['A']:.2f}   (target <= 0.6)",
        f"B/D = {med['B'] / med['D']:.2f}   (target <= 2.5)",
    ]
    print("\n".join(lines))
    print("profile of B (seconds):")
    for k, v in prof.items():
        print(f"  {k:32s} {v:6.2f}")
    if not args.no_write:
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        block = [f"\n## Pipeline, {date.today().isoformat()} ({machine}; median of {args.repeat})\n", "```",
                 *lines, "profile of B (seconds):", *[f"  {k:32s} {v:6.2f}" for k, v in prof.items()], "```", ""]
        with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
            fh.write("\n".join(block))
    return 0


if __name__ == "__main__":
    sys.exit(main())
