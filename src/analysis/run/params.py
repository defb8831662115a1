"""Pipeline parameters: defaults, merging (defaults < file < -p KEY=VALUE), validation, paths.

Errors name the offending key and are raised before any notebook starts. Also the notebooks' own
resolution (`notebook_params`): only kernels started by the runner write the official folders.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

# key -> (type, allowed values or None). Paths are strings in YAML and notebooks.
SCHEMA: dict[str, tuple[type, tuple | None]] = {
    "wave": (int, None),
    "raw_path": (str, None),
    "reference_dir": (str, None),
    "processed_dir": (str, None),
    "output_dir": (str, None),
    "lang": (str, ("sv", "en")),
    "alpha": (float, None),
    "seed": (int, None),
    "min_cell": (int, None),
}
PATH_KEYS = ("raw_path", "reference_dir", "processed_dir", "output_dir")


class ParamError(ValueError):
    """A parameter is unknown or has a value of the wrong type."""


def project_root(start: str | Path | None = None) -> Path:
    """The folder holding pyproject.toml, searched upwards from `start` (default: this package)."""
    here = Path(start or __file__).resolve()
    for d in [here, *here.parents]:
        if (d / "pyproject.toml").is_file() and (d / "params").is_dir():
            return d
    raise FileNotFoundError("project root (pyproject.toml with params/) not found")


DEFAULT_FILE = "params/default.yaml"


def load_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ParamError(f"parameter file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ParamError(f"parameter file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParamError(f"parameter file {path}: expected a mapping of KEY: VALUE")
    return data


def coerce(key: str, value: Any) -> Any:
    """Check one value against SCHEMA; YAML-parse strings from the command line."""
    if key not in SCHEMA:
        raise ParamError(f"unknown parameter {key!r}; known: {', '.join(SCHEMA)}")
    typ, allowed = SCHEMA[key]
    if isinstance(value, str) and typ is not str:
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            pass
    if typ is float and isinstance(value, str):
        try:
            value = float(value)  # YAML reads 1e-1 as text
        except ValueError:
            pass
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, typ):
        raise ParamError(f"parameter {key!r} must be {typ.__name__}, got {value!r}")
    if allowed and value not in allowed:
        raise ParamError(f"parameter {key!r} must be one of {allowed}, got {value!r}")
    if key == "alpha" and not 0 < value < 1:
        raise ParamError(f"parameter 'alpha' must be between 0 and 1, got {value!r}")
    if key == "min_cell" and value < 1:
        raise ParamError(f"parameter 'min_cell' must be at least 1, got {value!r}")
    if key == "seed" and not 0 <= value < 2**32:
        raise ParamError(f"parameter 'seed' must be between 0 and 2**32 - 1, got {value!r}")
    return value


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """['lang=en', 'alpha=0.1'] -> {'lang': 'en', 'alpha': 0.1} (values coerced by SCHEMA)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ParamError(f"-p expects KEY=VALUE, got {item!r}")
        out[key.strip()] = coerce(key.strip(), value)
    return out


def merge(*layers: dict[str, Any]) -> dict[str, Any]:
    """Later layers win; every key and value is validated; all keys must end up set."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            merged[key] = coerce(key, value)
    missing = [k for k in SCHEMA if k not in merged]
    if missing:
        raise ParamError(f"parameters not set: {', '.join(missing)}")
    return merged


def resolve(params: dict[str, Any], root: str | Path | None = None) -> dict[str, Any]:
    """Fill `{wave}` into the paths and make them absolute against the project root."""
    root = Path(root) if root else project_root()
    out = dict(params)
    for key in PATH_KEYS:
        p = Path(str(out[key]).format(wave=out["wave"]))
        out[key] = str(p if p.is_absolute() else (root / p))
    _check_folders(out, root)
    return out


def _check_folders(P: dict[str, Any], root: Path) -> None:
    """The runner replaces processed_dir and output_dir whole: they must be folders of their own."""
    folders = {k: Path(P[k]).resolve() for k in ("processed_dir", "output_dir")}
    protected = {"the project root": root.resolve(), "reference_dir": Path(P["reference_dir"]).resolve(),
                 "the raw file's folder": Path(P["raw_path"]).resolve().parent}
    for key, folder in folders.items():
        for what, other in protected.items():
            if folder == other or folder in other.parents:
                raise ParamError(f"parameter {key!r} ({folder}) must not be or contain {what}; "
                                 "the runner replaces that folder whole")
    a, b = folders["processed_dir"], folders["output_dir"]
    if a == b or a in b.parents or b in a.parents:
        raise ParamError("parameters 'processed_dir' and 'output_dir' must be separate folders, "
                         "neither inside the other")


def load(params_file: str | Path | None = None, overrides: list[str] | None = None,
         root: str | Path | None = None) -> dict[str, Any]:
    """Defaults, then `params_file`, then `-p` overrides; validated and resolved."""
    root = Path(root) if root else project_root()
    layers = [load_yaml(root / DEFAULT_FILE)]
    if params_file:
        layers.append(load_yaml(params_file))
    layers.append(parse_overrides(overrides or []))
    return resolve(merge(*layers), root)


# ---------------------------------------------------------------------------------- notebooks
RUNNER_ENV = "ANALYSIS_RUNNER"  # "1" in the environment of the kernels the runner starts
SCRATCH_DIR = "scratch"  # git-ignored: where notebooks run outside the runner write


def in_runner() -> bool:
    """True in a kernel started by the runner (pipeline), which alone writes the official results."""
    return os.environ.get(RUNNER_ENV) == "1"


def scratch_dirs(wave: int, root: str | Path | None = None) -> tuple[Path, Path]:
    """(processed, reports) of the scratch area of `wave`: scratch/<wave>/processed, scratch/<wave>/reports."""
    base = Path(root or project_root()) / SCRATCH_DIR / str(wave)
    return base / "processed", base / "reports"


def _homes_written(step: str | None) -> set[str]:
    """The folders ("processed", "output") a step writes, from the contracts; all of them when unknown."""
    from ..schemas import CONTRACTS

    homes = {c.home for c in CONTRACTS.values() if c.writer == step}
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
    writes = _homes_written(step) if writes is None else writes
    if "processed" in writes or (processed / "run_info.json").is_file():
        out["processed_dir"] = str(processed)
    return out


def shown_path(path: str | Path, root: Path) -> str:
    """`path` relative to the project root when inside it (as shown to a reader), else as given."""
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def missing_inputs(P: dict[str, Any], step: str) -> list[tuple[Path, str]]:
    """(file, writer) for every file the contracts say `step` reads that is not there."""
    from ..schemas import CONTRACTS

    out = []
    for c in CONTRACTS.values():
        if step in c.readers:
            path = Path(P["processed_dir"] if c.home == "processed" else P["output_dir"]) / c.path
            if not path.is_file():
                out.append((path, c.writer))
    return out


class MissingInput(FileNotFoundError):
    """A notebook was opened before the step that writes its inputs ran; the message says what to run."""


def notebook_params(step: str | None = None, **given: Any) -> dict[str, Any]:
    """For a notebook's first code cell: its parameters resolved like the runner's, plus the rule
    that only the runner writes the official results.

    In a kernel the runner started, the paths are used as given. Anywhere else (JupyterLab, plain
    papermill) outputs go to the git-ignored scratch area (see `to_scratch`) and one line says
    where and why. Relative paths are taken against the project root, from any working directory.
    A missing input raises MissingInput naming the command to run; in IPython, this package's
    errors are shown as that one line, without a traceback.
    """
    from ..present import catalogue
    from ..present import notebook as nb_display

    nb_display.short_errors()
    P = resolve(merge({k: v for k, v in given.items() if k in SCHEMA}))
    if in_runner():
        return P
    root = project_root()
    official = P
    P = to_scratch(P, step, root)
    lang = P["lang"]
    writes = _homes_written(step)
    dirs = [(P[k], official[k]) for k, home in (("processed_dir", "processed"), ("output_dir", "output"))
            if home in writes]
    key = "notebooks.scratch" if "processed" in writes else "notebooks.scratch_reads"
    line = catalogue.text(
        key, lang, to=", ".join(shown_path(s, root) for s, _ in dirs),
        official=", ".join(shown_path(o, root) for _, o in dirs), processed=shown_path(P["processed_dir"], root))
    print(line)
    if step:
        missing = missing_inputs(P, step)
        if missing:
            path, writer = missing[0]
            in_scratch = Path(path).resolve().is_relative_to((root / SCRATCH_DIR).resolve())
            key = "notebooks.missing_scratch" if in_scratch else "notebooks.missing_official"
            raise MissingInput(catalogue.text(key, lang, file=shown_path(path, root), writer=writer,
                                              notebook=f"notebooks/{writer}.ipynb"))
    return P
