"""The pipeline's speed targets (issue 16), measured by `make bench` and written to BENCHMARKS.md.

floor   every step's functions (analysis.run.steps: clean, describe, model, compare, report incl.
        report.html) called in one plain Python process, interpreter start and imports included
cold    `python -m analysis run --force` (kernels, notebook pages, workbook, PDF)
noop    `python -m analysis run` again with nothing changed
large   a 1,000,000-row synthetic export read and cleaned (steps.clean.run with -p max_rows=1000000,
        so it also validates and writes the processed files) in a fresh process: wall time of the
        step and the process's peak RSS
test-fast  `make test-fast` (pytest -m unit, the Makefile's FAST_PYTEST), one run
children  after each cold run, the processes left behind by the runner (this script is a child
        subreaper, so any orphaned descendant of the runner becomes its child and is counted)

Every run uses the default parameters (wave 2019, whose comparison is not applicable: no earlier
wave) with processed_dir/output_dir in a temporary folder. floor, cold and noop are medians of
--repeat runs (default 3); large is one run. Nothing here is part of `make test`.

    .venv/bin/python benchmarks/bench_pipeline.py [--repeat 3] [--no-write]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
MARK_START, MARK_END = "<!-- bench_pipeline:start -->", "<!-- bench_pipeline:end -->"

TARGETS = {  # name: (limit, unit, what)
    "floor": (4.0, "s", "every step's functions in one plain process"),
    "cold": (1.5, "x floor", "`run --force` / floor"),
    "noop": (0.3, "s", "`run` with nothing changed"),
    "large_s": (5.0, "s", "1M rows read and cleaned"),
    "large_mb": (2048.0, "MB", "peak RSS of that process"),
    "children": (0, "processes", "left behind by the runner"),
    "test_fast": (20.0, "s", "`make test-fast`"),
}
FAST_PYTEST = ["-q", "-m", "unit", "-p", "no:faker", "-p", "no:anyio", "-p", "no:typeguard",
               "-n", "auto", "--dist", "worksteal"]  # as the Makefile (which also clears PYTHONDONTWRITEBYTECODE)

FLOOR = r"""
import json, sys, time
t0 = time.perf_counter()
import importlib
from analysis.run import params
P = params.load(overrides=sys.argv[1:])
out = {"import_params_s": time.perf_counter() - t0}
for name in ("clean", "describe", "model", "compare", "report"):
    t = time.perf_counter()
    importlib.import_module(f"analysis.run.steps.{name}").run(P)
    out[name + "_s"] = time.perf_counter() - t
print(json.dumps(out))
"""

LARGE = r"""
import json, resource, sys, time
from analysis.run import params
from analysis.run.steps import clean
P = params.load(overrides=sys.argv[1:])
t = time.perf_counter()
res = clean.run(P)
print(json.dumps({"seconds": time.perf_counter() - t, "rows_read": int(res.run_info["counts"]["rows_read"]),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


# ------------------------------------------------------------------------------------ helpers
def _become_subreaper() -> bool:
    """PR_SET_CHILD_SUBREAPER (Linux): orphans of our descendants are re-parented to this process."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _orphans() -> list[str]:
    """Live (not zombie) processes whose parent is this process: what a finished runner left behind."""
    me, found = os.getpid(), []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if int(rest[1]) == me and rest[0] != "Z":
            found.append(f"{d.name} {cmd[:100]}")
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _timed(cmd: list[str], *, env: dict | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return dt, r.stdout


def _dirs(work: Path, tag: str) -> list[str]:
    return [f"processed_dir={work / tag / 'processed'}", f"output_dir={work / tag / 'report'}"]


# ------------------------------------------------------------------------------- measurements
def floor(work: Path, i: int) -> tuple[float, dict]:
    shutil.rmtree(work / f"floor{i}", ignore_errors=True)
    dt, out = _timed([PY, "-c", FLOOR, *_dirs(work, f"floor{i}")])
    return dt, json.loads(out.strip().splitlines()[-1])


def runner(work: Path, force: bool) -> tuple[float, list[str]]:
    ps = [a for kv in _dirs(work, "run") for a in ("-p", kv)]
    dt, _ = _timed([PY, "-m", "analysis", "run", *(["--force"] if force else []), *ps])
    left = _orphans()
    _reap()
    return dt, left


def large(work: Path, rows: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from analysis.base import io, reference
    from analysis.synthetic import generator as synthetic

    raw = work / "large" / f"synthetic_{rows}.csv"
    t = time.perf_counter()
    df, _ = synthetic.generate(reference.load_register(ROOT / "data" / "external"), seed=2019, n_rows=rows)
    io.write_export(df, raw)
    del df
    gen_s = time.perf_counter() - t
    mb = raw.stat().st_size / 2**20
    ps = [f"raw_path={raw}", f"max_rows={rows}", f"max_input_mb={int(mb) + 50}", *_dirs(work, "large")]
    _, out = _timed([PY, "-c", LARGE, *ps])
    rec = json.loads(out.strip().splitlines()[-1])
    rec.update(file_mb=mb, generate_s=gen_s, rows=rows)
    if rec["rows_read"] != rows:
        raise SystemExit(f"large: {rec['rows_read']} rows read, expected {rows}")
    raw.unlink()
    return rec


def test_fast() -> tuple[float, str]:
    dt, out = _timed([PY, "-m", "pytest", *FAST_PYTEST], env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    return dt, out.strip().splitlines()[-1]


# ------------------------------------------------------------------------------------- report
def machine() -> str:
    cpu = "unknown CPU"
    try:
        m = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = m.group(1).strip() if m else cpu
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    pyc = "PYTHONDONTWRITEBYTECODE set (no .pyc for src/ nor pytest's rewritten tests)" \
        if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode caching on"
    return (f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; {pyc}; load average at start {load}")


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def render(res: dict, repeat: int, started: str, load_end: str) -> str:
    f, c, n, lg = res["floor"], res["cold"], res["noop"], res["large"]
    ratio = c / f
    kids = res["children"]
    rows = [
        ("Floor", f"≤ {TARGETS['floor'][0]:g} s", f"{f:.2f} s", verdict(f <= TARGETS["floor"][0]),
         "`python -c FLOOR` (run(P) of steps.clean, describe, model, compare, report in one process)"),
        ("Cold run", f"≤ {TARGETS['cold'][0]:g} × floor", f"{c:.2f} s = {ratio:.2f} × floor",
         verdict(ratio <= TARGETS["cold"][0]), "`python -m analysis run --force -p processed_dir=… -p output_dir=…`"),
        ("No-op run", f"≤ {TARGETS['noop'][0]:g} s", f"{n:.2f} s", verdict(n <= TARGETS["noop"][0]),
         "`python -m analysis run -p processed_dir=… -p output_dir=…` (again, nothing changed)"),
        ("Large export, time", f"≤ {TARGETS['large_s'][0]:g} s", f"{lg['seconds']:.2f} s",
         verdict(lg["seconds"] <= TARGETS["large_s"][0]),
         f"`steps.clean.run` with `-p max_rows={lg['rows']}` on a {lg['file_mb']:.0f} MB CSV"),
        ("Large export, memory", "≤ 2 GB", f"{lg['peak_mb']:.0f} MB", verdict(lg["peak_mb"] <= TARGETS["large_mb"][0]),
         "peak RSS of that process (ru_maxrss, imports included)"),
        ("`make test-fast`", f"≤ {TARGETS['test_fast'][0]:g} s", f"{res['test_fast']:.1f} s",
         verdict(res["test_fast"] <= TARGETS["test_fast"][0]), f"`.venv/bin/python -m pytest {' '.join(FAST_PYTEST)}` "
         f"({res['test_fast_line']})"),
        ("No child outlives the runner", "0 processes", f"{len(kids)}", verdict(not kids),
         "processes re-parented to the benchmark (a child subreaper) after each cold run"),
    ]
    lines = [
        MARK_START,
        f"## Issue 16 targets, {started}",
        "",
        f"Machine: {res['machine']}; load average at the end {load_end}.",
        f"Command: `make bench` (= `.venv/bin/python benchmarks/bench_pipeline.py --repeat {repeat}`); "
        f"floor, cold and no-op are medians of {repeat}, the large export one run. Wave 2019 with the default "
        "parameters (05_compare is not applicable: no earlier wave); temporary processed and output folders.",
        "",
        "| target | limit | measured | result | how |",
        "|---|---|---|---|---|",
        *[f"| {a} | {b} | {m} | {v} | {h} |" for a, b, m, v, h in rows],
        "",
        "Every run (seconds):",
        "",
        "```",
        "floor  " + "  ".join(f"{x:.2f}" for x in res["floor_all"]),
        "cold   " + "  ".join(f"{x:.2f}" for x in res["cold_all"]),
        "noop   " + "  ".join(f"{x:.3f}" for x in res["noop_all"]),
        "floor by step (median run): " + ", ".join(f"{k[:-2]} {v:.2f}" for k, v in res["floor_steps"].items()),
        f"large: {lg['rows']:,} rows, {lg['file_mb']:.0f} MB CSV, steps.clean.run {lg['seconds']:.2f} s, "
        f"peak {lg['peak_mb']:.0f} MB (generating the file: {lg['generate_s']:.1f} s, not counted)",
        *(["left behind: " + k for k in kids] or ["left behind: none"]),
        "```",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def write(block: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if MARK_START in text and MARK_END in text:
        a, b = text.index(MARK_START), text.index(MARK_END) + len(MARK_END)
        text = text[:a] + block.rstrip("\n") + text[b:]
    else:  # first time: after the introduction, before the dated history
        cut = text.find("\n## ")
        cut = len(text) if cut < 0 else cut + 1
        text = text[:cut] + block + "\n" + text[cut:]
    path.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = ap.parse_args()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    res: dict = {"machine": machine()}
    reaper = _become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="bench_pipeline_"))
    try:
        floors, cold, noop, kids = [], [], [], []
        runner(work, force=True)  # warm the file cache and the kernelspec once; not counted
        for i in range(args.repeat):
            floors.append(floor(work, i))
            dt, left = runner(work, force=True)
            cold.append(dt)
            kids += left
            noop.append(runner(work, force=False)[0])
            print(f"run {i + 1}/{args.repeat}: floor {floors[-1][0]:.2f} s, cold {cold[-1]:.2f} s, "
                  f"no-op {noop[-1]:.3f} s, left behind {len(left)}", flush=True)
        res["floor_all"] = [x for x, _ in floors]
        res["floor"] = statistics.median(res["floor_all"])
        res["floor_steps"] = sorted(floors, key=lambda r: r[0])[len(floors) // 2][1]
        res["cold_all"], res["cold"] = cold, statistics.median(cold)
        res["noop_all"], res["noop"] = noop, statistics.median(noop)
        res["children"] = kids if reaper else ["(not measured: PR_SET_CHILD_SUBREAPER unavailable)"]
        res["large"] = large(work, args.rows)
        print(f"large: {res['large']['seconds']:.2f} s, {res['large']['peak_mb']:.0f} MB", flush=True)
        res["test_fast"], res["test_fast_line"] = test_fast()
        print(f"test-fast: {res['test_fast']:.1f} s ({res['test_fast_line']})", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    block = render(res, args.repeat, started, ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(block)
    if not args.no_write:
        write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
