"""A notebook's parameters (`notebook_params`, its first code cell): resolved like the runner's, and
outside the runner redirected to the git-ignored scratch area, so that only the runner writes the official results.

Notebooks run in JupyterLab or by plain papermill write to scratch/<wave>/, say so in one line, and
name the command to run when an input is missing. Not on the runner's path: it imports the present
layer (the one-line errors in IPython, the catalogue's texts) and the contracts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..base import contracts
from ..base.errors import MissingInput
from ..base.paths import project_root, shown_path
from ..present import catalogue
from ..present import notebook as nb_display
from . import params

SCRATCH_DIR = "scratch"  # git-ignored: where notebooks run outside the runner write


def scratch_dirs(wave: int, root: str | Path | None = None) -> tuple[Path, Path]:
    """(processed, reports) of the scratch area of `wave`: scratch/<wave>/processed, scratch/<wave>/reports."""
    base = Path(root or project_root()) / SCRATCH_DIR / str(wave)
    return base / "processed", base / "reports"


def homes_written(step: str | None) -> set[str]:
    """The folders ("processed", "output") a step writes, from the contracts; all of them when unknown."""
    homes = {c.home for c in contracts.CONTRACTS.values() if c.writer == step}
    return homes or {"processed", "output"}


def to_scratch(P: dict[str, Any], step: str | None = None, root: str | Path | None = None, *,
               writes: set[str] | None = None) -> dict[str, Any]:
    """Parameters for a run outside the runner: nothing is written to the official folders.

    - output_dir becomes scratch/<wave>/reports;
    - processed_dir becomes scratch/<wave>/processed when the step writes processed data (01_clean)
      or when 01_clean has already written there outside the runner (its run_info.json exists), so
      that the later notebooks follow it; otherwise the official processed data are read, never written.

    `writes` (the homes written, "processed" and/or "output") overrides what the contracts say of `step`.
    """
    root = Path(root or project_root())
    processed, reports = scratch_dirs(P["wave"], root)
    out = dict(P, output_dir=str(reports))
    writes = homes_written(step) if writes is None else writes
    if "processed" in writes or (processed / "run_info.json").is_file():
        out["processed_dir"] = str(processed)
    return out


def missing_inputs(P: dict[str, Any], step: str) -> list[tuple[Path, str]]:
    """(file, writer) for every file the contracts say `step` reads that is not there."""
    out = []
    for c in contracts.CONTRACTS.values():
        if c.writer == "05_compare" and P.get("compare_with") is None:
            continue  # nothing is compared: 05 writes nothing and the report has no change section
        if step in c.readers:
            path = Path(P["processed_dir"] if c.home == "processed" else P["output_dir"]) / c.path
            if not path.is_file():
                out.append((path, c.writer))
    return out


def notebook_params(step: str | None = None, **given: Any) -> dict[str, Any]:
    """For a notebook's first code cell: its parameters resolved like the runner's, plus the rule
    that only the runner writes the official results.

    In a kernel the runner started, the paths are used as given. Anywhere else (JupyterLab, plain
    papermill) outputs go to the git-ignored scratch area (see `to_scratch`) and one line says
    where and why. Relative paths are taken against the project root, from any working directory.
    A missing input raises MissingInput naming the command to run; in IPython, this package's
    errors are shown as that one line, without a traceback.
    """
    nb_display.short_errors()
    root = project_root()
    P = params.resolve(params.merge({k: v for k, v in given.items() if k in params.SCHEMA}), root)
    if params.in_runner():
        return P
    S = to_scratch(P, step, root)
    print(_scratch_line(S, P, step, root))
    if step:
        missing = missing_inputs(S, step)
        if missing:
            raise MissingInput(_missing_line(missing[0], S["lang"], root))
    return S


def _scratch_line(S: dict[str, Any], official: dict[str, Any], step: str | None, root: Path) -> str:
    """The one line saying where a notebook outside the runner writes, instead of where."""
    writes = homes_written(step)
    dirs = [(S[k], official[k]) for k, home in (("processed_dir", "processed"), ("output_dir", "output"))
            if home in writes]
    key = "notebooks.scratch" if "processed" in writes else "notebooks.scratch_reads"
    return catalogue.text(key, S["lang"], to=", ".join(shown_path(s, root) for s, _ in dirs),
                          official=", ".join(shown_path(o, root) for _, o in dirs),
                          processed=shown_path(S["processed_dir"], root))


def _missing_line(missing: tuple[Path, str], lang: str, root: Path) -> str:
    """A missing input, its writer and the command to run (the notebook in scratch/, else `make`)."""
    path, writer = missing
    in_scratch = Path(path).resolve().is_relative_to((root / SCRATCH_DIR).resolve())
    key = "notebooks.missing_scratch" if in_scratch else "notebooks.missing_official"
    return catalogue.text(key, lang, file=shown_path(path, root), writer=writer, notebook=f"notebooks/{writer}.ipynb")
