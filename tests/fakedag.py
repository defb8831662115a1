"""A tiny four-notebook DAG (a -> b, c -> d) for the runner's tests, in-process or as a script.

As a script it runs the DAG through the command line's error handling (one line per failure):
    python tests/fakedag.py PROJECT [--force] [--jobs N] [--pause-at STAGE] [-p KEY=VALUE ...]
`--pause-at` stops the run at a stage of the staging or the swap (prints "PAUSED <stage>" and
sleeps) so that a test can kill it there. What the notebooks do is steered by the raw file:
FAIL (c raises), DIE (c's kernel is killed), SLOW (c sleeps), BIG:<MB> (c writes that much),
EXITNOISE (b's kernel prints on its own stderr when it exits).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

PARAMS = {"wave": 2019, "raw_path": "raw.txt", "reference_dir": "ref", "processed_dir": "processed",
          "output_dir": "out", "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5}
PARAMS_SRC = "\n".join(f"{k} = {v!r}" for k, v in PARAMS.items())

BODIES = {
    # a: processed/a.txt = upper-cased raw file
    "a": "from pathlib import Path\nPath(processed_dir, 'a.txt').write_text(Path(raw_path).read_text().upper())",
    "b": "from pathlib import Path\nimport atexit, os\nPath(output_dir).mkdir(exist_ok=True)\n"
         "text = Path(processed_dir, 'a.txt').read_text()\n"
         "if 'EXITNOISE' in text:  # what a library may print when the kernel exits\n"
         "    atexit.register(os.write, 2, b'Assertion failed: pfd.revents & POLLIN (src/signaler.cpp:238)\\n')\n"
         "Path(output_dir, 'b.txt').write_text(text + ' b')",
    "c": "from pathlib import Path\nimport os, re, time\nPath(output_dir).mkdir(exist_ok=True)\n"
         "text = Path(processed_dir, 'a.txt').read_text()\n"
         "if 'FAIL' in text:\n    raise ValueError('raw file asks to fail')\n"
         "if 'DIE' in text:\n    os.kill(os.getpid(), 9)\n"
         "if 'SLOW' in text:\n    open('../runs.log', 'a').write('c-sleeping\\n')\n"
         "    time.sleep(300)\n"
         "big = re.search(r'BIG:(\\d+)', text)\n"
         "if big:\n    Path(output_dir, 'big.bin').write_bytes(b'0' * (int(big.group(1)) << 20))\n"
         "Path(output_dir, 'c.txt').write_text(text + ' c')",
    "d": "from pathlib import Path\n"
         "Path(output_dir, 'd.txt').write_text(Path(output_dir, 'b.txt').read_text() + '|' + "
         "Path(output_dir, 'c.txt').read_text() + '|' + lang)",
}
# Each execution is logged in runs.log (outside the outputs; papermill runs in notebooks/).
LOG = "open('../runs.log', 'a').write('{name}\\n')"


def make_project(tmp: Path) -> Path:
    root = tmp / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "params").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname='x'\n")
    (root / "raw.txt").write_text("hello")
    for name, body in BODIES.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        p = nbformat.v4.new_code_cell(PARAMS_SRC)
        p.metadata["tags"] = ["parameters"]
        nb.cells = [p, nbformat.v4.new_code_cell(LOG.format(name=name)), nbformat.v4.new_code_cell(body)]
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    return root


def steps():
    from analysis.run import dag

    def out(P, *names, home="output_dir"):
        return [Path(P[home]) / n for n in names]

    return (
        dag.Step("a", "notebooks/a.ipynb", "processed", (), ("raw_path",),
                 lambda P: [Path(P["raw_path"])], lambda P: out(P, "a.txt", home="processed_dir")),
        dag.Step("b", "notebooks/b.ipynb", "output", ("a",), ("wave",),
                 lambda P: dag.files_under(Path(P["processed_dir"])), lambda P: out(P, "b.txt")),
        dag.Step("c", "notebooks/c.ipynb", "output", ("a",), ("wave",),
                 lambda P: dag.files_under(Path(P["processed_dir"])), lambda P: out(P, "c.txt"),
                 products=lambda P: [p for p in out(P, "c.txt", "big.bin") if p.exists()]),
        dag.Step("d", "notebooks/d.ipynb", "output", ("b", "c"), ("lang",),
                 lambda P: [*out(P, "b.txt", "c.txt")], lambda P: out(P, "d.txt")),
    )


def params(root: Path, **kw) -> dict:
    from analysis.run import params as params_mod

    return params_mod.resolve(params_mod.merge({**PARAMS, **kw}), root)


def runs(root: Path) -> list[str]:
    """The notebooks executed since the last call (sorted)."""
    log = root / "runs.log"
    executed = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return sorted(executed)


def run(root: Path, P: dict, **kw):
    from analysis.run import pipeline

    return pipeline.run(P, root=root, steps=steps(), render=False, progress=False, **kw)


# ------------------------------------------------------------------------------ as a script
def _pause(stage: str) -> None:
    print(f"PAUSED {stage}", flush=True)
    time.sleep(300)


def _install_pause(stage: str) -> None:
    """Wrap one function of run/staging.py or run/swap.py so that the run stops at `stage`."""
    from analysis.run import staging, swap

    if stage == "copy":  # staging: after the first file of the previous results is copied
        orig_copy = staging.copy_file

        def copy_file(src, dst):
            orig_copy(src, dst)
            _pause(stage)

        staging.copy_file = copy_file
        return
    orig_swap = swap.swap_one
    calls = []

    def swap_one(staging_dir, final, run_id):
        calls.append(final)
        if stage == "journal" and len(calls) == 1:  # journal written, nothing swapped yet
            _pause(stage)
        if stage == "between" and len(calls) == 2:  # processed swapped, output not yet
            _pause(stage)
        if stage == "old" and len(calls) == 2:  # output exchanged, the old folder half removed
            orig_remove = staging.remove_marked

            def remove_marked(folder):
                entries = sorted(p for p in folder.iterdir() if p.name != staging.MARK_NAME)
                if entries:
                    import shutil

                    shutil.rmtree(entries[0]) if entries[0].is_dir() else entries[0].unlink()
                _pause(stage)
                orig_remove(folder)

            staging.remove_marked = remove_marked
        orig_swap(staging_dir, final, run_id)

    swap.swap_one = swap_one


def main(argv: list[str]) -> int:
    import argparse

    from analysis.base.errors import ParamError
    from analysis.run.cli import run_and_report

    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pause-at", default=None, choices=("copy", "journal", "between", "old"))
    ap.add_argument("-p", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(argv)
    if args.pause_at:
        _install_pause(args.pause_at)
    root = Path(args.project)
    from analysis.run import params as params_mod

    try:
        P = params(root, **params_mod.parse_overrides(args.overrides))
    except ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_and_report(P, force=args.force, jobs=args.jobs, root=root, steps=steps(),
                          render=False, progress=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
