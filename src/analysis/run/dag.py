"""The pipeline's steps as a DAG: the Step declarations, their content hashes and the records that tell
whether a step is up to date (its hash unchanged, its outputs present and as the runner wrote them).

Light at import: the no-op run decides here, without pandas, papermill or nbformat.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..base import contracts
from ..base.io import sha256_file
from ..base.reference import REQUIRED_FILES
from . import params, provenance

STATE_DIR = ".pipeline"  # per-step records, inside processed_dir / output_dir


@dataclass(frozen=True)
class Step:
    """One notebook of the pipeline.

    `home` is where the step writes ("processed" or "output"); `needs` names upstream steps;
    `keys` the parameters it depends on; `inputs` and `outputs` map resolved parameters to files
    (outputs: what must exist afterwards, including what the runner writes after a `finishes` step).
    `products` lists every file the step writes (default: `outputs`); the runner records their
    digests and reruns the step when one of them was changed behind its back. Its executed
    notebook and notebook page count as its products too.
    """

    name: str
    notebook: str
    home: str
    needs: tuple[str, ...]
    keys: tuple[str, ...]
    inputs: Callable[[dict], list[Path]]
    outputs: Callable[[dict], list[Path]]
    finishes: bool = False  # the last step: the runner then writes the workbook, the PDF and the index
    products: Callable[[dict], list[Path]] | None = None
    warm: tuple[str, ...] = ()  # modules its kernel imports before the notebook starts (run.kernels)


# ------------------------------------------------------------------------------- files of a step
def files_under(folder: Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """All files below folder, sorted, skipping state records, dot files and excluded top-level names."""
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if p.is_file() and rel[0] != STATE_DIR and rel[0] not in exclude and not rel[-1].startswith("."):
            out.append(p)
    return out


def _reference_files(P: dict) -> list[Path]:
    return [Path(P["reference_dir"]) / name for name in REQUIRED_FILES]


def _processed(P: dict, *names: str) -> list[Path]:
    return [Path(P["processed_dir"]) / n for n in names]


def _output(P: dict, *names: str) -> list[Path]:
    return [Path(P["output_dir"]) / n for n in names]


def _compared(P: dict) -> list[Path]:
    """The earlier wave's processed files (05_compare), none when nothing is compared."""
    return files_under(Path(P["compare_dir"])) if P.get("compare_dir") else []


def contract_files(step: str, P: dict) -> list[Path]:
    """The files of the contracts `step` writes (tables and summaries), in contract order."""
    folders = {"processed": Path(P["processed_dir"]), "output": Path(P["output_dir"])}
    return [folders[c.home] / c.path for c in contracts.CONTRACTS.values() if c.writer == step]


def compare_outputs(P: dict) -> list[Path]:
    """What 05_compare leaves when it compares: its contracts' files and the trend figure in the
    run's language; nothing when no earlier wave is compared."""
    if P.get("compare_with") is None:
        return []
    return [*contract_files("05_compare", P), Path(P["output_dir"]) / "figures" / f"trend_{P['lang']}.png"]


def _written_by(step: str, summary: str) -> Callable[[dict], list[Path]]:
    """The files of the contracts `step` writes, and the figures its summary JSON lists."""

    def products(P: dict) -> list[Path]:
        out = contract_files(step, P)
        try:
            figures = json.loads((Path(P["output_dir"]) / f"{summary}.json").read_text(encoding="utf-8"))["figures"]
            out += [Path(P["output_dir"]) / f for f in figures if isinstance(f, str)]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return sorted(set(out))

    return products


# ------------------------------------------------------------------------------------- the steps
# What each notebook's kernel imports before its first cell (sys.modules only, not the notebook's
# namespace): the first cell's imports and the heavy modules its step imports, as measured.
_WARM_BASE = ("analysis.present.notebook", "analysis.run.scratch", "analysis.base.io")
_WARM_FIGURES = ("scipy.stats", "statsmodels.api", "statsmodels.formula.api", "matplotlib.pyplot", "seaborn",
                 "analysis.compute.survey", "analysis.compute.models", "analysis.present.figures")
# Parameters each analysis step depends on. 02, 03 and 05 draw their figures in the run's language
# only (`lang` is one of their keys), so switching language reruns them and 04.
_DATA_KEYS = ("wave",)
# Written by 04 or the runner, or carrying run times: never an input of 04's hash.
_REPORT_OUTPUTS = ("report.html", "index.html", "notebooks", "executed", "report.pdf", "provenance.json")


def _report_inputs(P: dict) -> list[Path]:
    return [*files_under(Path(P["processed_dir"])),
            *files_under(Path(P["output_dir"]), exclude=(*_REPORT_OUTPUTS, "tables")),
            *[p for p in files_under(Path(P["output_dir"]) / "tables") if p.name != "tables.xlsx"]]


STEPS: tuple[Step, ...] = (
    Step(
        name="01_clean", notebook="notebooks/01_clean.ipynb", home="processed", needs=(),
        keys=("raw_path", "reference_dir", "max_rows", "max_input_mb", *_DATA_KEYS),
        inputs=lambda P: [Path(P["raw_path"]), *_reference_files(P)],
        outputs=lambda P: _processed(P, "responses.parquet", "analysis.parquet", "cleaning_log.csv", "run_info.json"),
        products=lambda P: files_under(Path(P["processed_dir"])),
        warm=(*_WARM_BASE, "analysis.run.steps.clean", "analysis.compute.survey"),
    ),
    Step(
        name="02_describe", notebook="notebooks/02_describe.ipynb", home="output", needs=("01_clean",),
        keys=("reference_dir", "lang", "alpha", "min_cell", *_DATA_KEYS),
        inputs=lambda P: [*files_under(Path(P["processed_dir"])), *_reference_files(P)],
        outputs=lambda P: _output(P, "tables/headline.csv", "describe_summary.json"),
        products=_written_by("02_describe", "describe_summary"),
        warm=(*_WARM_BASE, *_WARM_FIGURES, "analysis.run.steps.describe"),
    ),
    Step(
        name="03_model", notebook="notebooks/03_model.ipynb", home="output", needs=("01_clean",),
        keys=("lang", "alpha", "seed", "min_cell", *_DATA_KEYS),
        inputs=lambda P: files_under(Path(P["processed_dir"])),
        outputs=lambda P: _output(P, "tables/models.csv", "tables/verdicts.csv", "model_summary.json"),
        products=_written_by("03_model", "model_summary"),
        warm=(*_WARM_BASE, *_WARM_FIGURES, "analysis.run.steps.model"),
    ),
    Step(  # needs 01 of this wave here and of the earlier wave (compare_dir) before
        name="05_compare", notebook="notebooks/05_compare.ipynb", home="output", needs=("01_clean",),
        keys=("compare_with", "compare_dir", "reference_dir", "lang", "alpha", "min_cell", *_DATA_KEYS),
        inputs=lambda P: [*files_under(Path(P["processed_dir"])), *_compared(P), *_reference_files(P)],
        outputs=compare_outputs,
        products=lambda P: _written_by("05_compare", "compare_summary")(P) if P.get("compare_with") is not None else [],
        warm=(*_WARM_BASE, *_WARM_FIGURES, "analysis.run.steps.compare"),
    ),
    Step(
        name="04_report", notebook="notebooks/04_report.ipynb", home="output",
        needs=("02_describe", "03_model", "05_compare"), keys=tuple(params.SCHEMA),
        inputs=_report_inputs,
        outputs=lambda P: _output(P, "report.html", "provenance.json", "index.html"),
        finishes=True,
        products=lambda P: _output(P, "report.html", "provenance.json", "index.html", "report.pdf",
                                   "tables/tables.xlsx"),
        warm=(*_WARM_BASE, "analysis.run.steps.report", "jinja2", "openpyxl"),
    ),
)


# --------------------------------------------------------------------------------------- hashing
def _tree_digest(folder: Path, patterns: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for pattern in patterns:
        for p in sorted(folder.rglob(pattern)):
            if "__pycache__" in p.parts:
                continue
            h.update(str(p.relative_to(folder)).encode())
            h.update(sha256_file(p).encode())
    return h.hexdigest()


def logical(P: dict, root: Path) -> dict:
    """Parameters as recorded: paths relative to the project root where possible."""
    out = {}
    for k, value in P.items():
        v = value
        if k in params.PATH_KEYS and v is not None:
            real = Path(os.path.realpath(v))
            try:
                v = str(real.relative_to(root.resolve()))
            except ValueError:
                v = str(real)
        out[k] = v
    return out


def label(f: Path, P: dict, root: Path | None = None) -> str:
    """A file named relative to the folder parameter it lies in (the same in staging and final),
    else to the project root (a moved checkout keeps its hashes), else by its absolute path."""
    for key in ("processed_dir", "output_dir", "reference_dir"):
        base = Path(P[key])
        if f.is_relative_to(base):
            return f"{key}/{f.relative_to(base).as_posix()}"
    if root is not None and f.is_relative_to(root):
        return f"root/{f.relative_to(root).as_posix()}"
    return str(f)


def unlabel(name: str, P: dict) -> Path | None:
    """The file a product label names (inside processed_dir or output_dir only), else None."""
    key, _, rel = name.partition("/")
    if key not in ("processed_dir", "output_dir") or not rel or ".." in Path(rel).parts:
        return None
    return Path(P[key]) / rel


def step_hash(step: Step, P_logical: dict, P_actual: dict, root: Path, code_digest: str,
              git: str = "") -> str:
    """Content hash of everything the step depends on (not modification times)."""
    h = hashlib.sha256()
    h.update(step.name.encode())
    if step.finishes:
        h.update(git.encode())
    h.update(sha256_file(root / step.notebook).encode())
    h.update(json.dumps({k: P_logical[k] for k in step.keys}, sort_keys=True).encode())
    h.update(code_digest.encode())
    for f in step.inputs(P_actual):
        h.update(label(f, P_actual, root).encode())
        h.update((sha256_file(f) if f.is_file() else "missing").encode())
    return h.hexdigest()


def code_digest(root: Path, environment: str | None = None) -> str:
    """Digest of the package source, the lock file and the installed packages (every distribution
    in the venv with its version: upgrading one reruns every step)."""
    h = hashlib.sha256()
    h.update(_tree_digest(root / "src" / "analysis", ("*.py", "*.yaml", "*.j2", "*.css")).encode())
    lock = root / "requirements.lock"
    h.update((sha256_file(lock) if lock.is_file() else "no-lock").encode())
    h.update((environment if environment is not None else provenance.environment_digest()).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------------------- records
def record_path(P: dict, step: Step) -> Path:
    base = Path(P["processed_dir"] if step.home == "processed" else P["output_dir"])
    return base / STATE_DIR / f"{step.name}.json"


def read_record(P: dict, step: Step) -> dict | None:
    try:
        rec = json.loads(record_path(P, step).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) else None


def page_path(output_dir: str | Path, step: Step) -> Path:
    """The step's notebook page (the analysts' HTML) in output_dir."""
    return Path(output_dir) / "notebooks" / f"{step.name}.html"


def executed_path(P: dict, step: Step) -> Path:
    return Path(P["output_dir"]) / "executed" / Path(step.notebook).name


def products_digest(step: Step, P: dict, render: bool = True) -> dict[str, str]:
    """{label: SHA-256} of every file the step wrote, as found now."""
    files = list((step.products or step.outputs)(P)) + [executed_path(P, step)]
    if render:
        files.append(page_path(P["output_dir"], step))
    return {label(f, P): sha256_file(f) for f in sorted(set(files)) if f.is_file()}


def changed_products(step: Step, P: dict) -> list[str] | None:
    """The recorded products whose content differs from the record now (None: no record)."""
    rec = read_record(P, step)
    if rec is None or not isinstance(rec.get("products"), dict):
        return None
    changed = []
    for name, digest in sorted(rec["products"].items()):
        f = unlabel(name, P)
        if f is None or not f.is_file() or sha256_file(f) != digest:
            changed.append(name)
    return changed


def is_up_to_date(step: Step, P: dict, digest: str) -> bool:
    """Hash unchanged, outputs present, and every product still as the runner wrote it."""
    rec = read_record(P, step)
    if rec is None or rec.get("hash") != digest or not all(p.exists() for p in step.outputs(P)):
        return False
    return changed_products(step, P) == []


def remove_products(step: Step, P_run: dict) -> None:
    """Before a step reruns in staging: delete the files its last run wrote, so that a file it no
    longer writes does not linger (only files the runner recorded, only inside the staging folders)."""
    rec = read_record(P_run, step) or {}
    for name in (rec.get("products") or {}):
        f = unlabel(name, P_run)
        if f is not None and f.is_file():
            f.unlink()


def _short(labels: list[str]) -> str:
    shown = ", ".join(labels[:2])
    return shown + (f" and {len(labels) - 2} more" if len(labels) > 2 else "")


def what_changed(labels: list[str], P: dict) -> str:
    """'x differs from what the runner wrote', or 'x is missing', for the changed products."""
    gone = [lb for lb in labels if not ((unlabel(lb, P) or Path("/nonexistent")).is_file())]
    edited = [lb for lb in labels if lb not in gone]
    parts = []
    if edited:
        parts.append(f"{_short(edited)} {'differs' if len(edited) == 1 else 'differ'} from what the runner wrote")
    if gone:
        parts.append(f"{_short(gone)} {'is' if len(gone) == 1 else 'are'} missing")
    return "; ".join(parts)
