"""Pipeline parameters: defaults, merging (defaults < file < -p KEY=VALUE), coercion, validation, paths.

Errors name the offending key and are raised before any notebook starts. Light at import (the
no-op run reads its parameters here): yaml and the standard library only. What a notebook does
with its parameters outside the runner (the scratch area) is run/scratch.py.
"""

from __future__ import annotations

import errno
import glob
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import yaml

from ..base.errors import ParamError
from ..base.paths import project_root

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
    # 05_compare: the earlier wave (a year, "previous" or null) and its processed folder; optional keys
    "compare_with": (object, None),
    "compare_dir": (object, None),
    "max_rows": (int, None),
    "max_input_mb": (float, None),
}
PATH_KEYS = ("raw_path", "reference_dir", "processed_dir", "output_dir", "compare_dir")
# Keys a layer may leave out: their default applies (a parameter file from before they existed works).
OPTIONAL: dict[str, Any] = {"compare_with": "previous", "compare_dir": "data/processed/{compare_with}",
                            "max_rows": 100000, "max_input_mb": 200.0}
PREVIOUS = "previous"
DEFAULT_FILE = "params/default.yaml"
RUNNER_ENV = "ANALYSIS_RUNNER"  # "1" in the environment of the kernels the runner starts
RUN_ID_ENV = "ANALYSIS_RUN_ID"  # the run's id, in the environment of the same kernels

# key -> (the value is acceptable, what the error says it must be)
RANGES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "alpha": (lambda v: 0 < v < 1, "must be between 0 and 1"),
    "min_cell": (lambda v: v >= 1, "must be at least 1"),
    "max_rows": (lambda v: v >= 1, "must be at least 1"),
    "max_input_mb": (lambda v: 0 < v < float("inf"), "must be a positive number of megabytes"),
    "seed": (lambda v: 0 <= v < 2**32, "must be between 0 and 2**32 - 1"),
}


def in_runner() -> bool:
    """True in a kernel started by the runner (pipeline), which alone writes the official results."""
    return os.environ.get(RUNNER_ENV) == "1"


def load_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ParamError(f"parameter file {path} does not exist") from None
    except IsADirectoryError:
        raise ParamError(f"parameter file {path} is a folder; expected a YAML file of KEY: VALUE") from None
    except UnicodeDecodeError:
        raise ParamError(f"parameter file {path} is not UTF-8 text; expected a YAML file of KEY: VALUE") from None
    except OSError as exc:
        raise ParamError(f"parameter file {path} cannot be read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ParamError(f"parameter file {path} is not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise ParamError(f"parameter file {path}: expected a mapping of KEY: VALUE")
    return data


def coerce(key: str, value: Any) -> Any:
    """Check one value against SCHEMA and RANGES; YAML-parse strings from the command line."""
    if key not in SCHEMA:
        raise ParamError(f"unknown parameter {key!r}; known: {', '.join(SCHEMA)}")
    if key in ("compare_with", "compare_dir"):
        return _coerce_compare(key, value)
    typ, allowed = SCHEMA[key]
    value = _parsed(value, typ)
    if isinstance(value, bool) or not isinstance(value, typ):
        raise ParamError(f"parameter {key!r} must be {typ.__name__}, got {value!r}")
    if allowed and value not in allowed:
        raise ParamError(f"parameter {key!r} must be one of {allowed}, got {value!r}")
    if key in RANGES and not RANGES[key][0](value):
        raise ParamError(f"parameter {key!r} {RANGES[key][1]}, got {value!r}")
    return value


def _parsed(value: Any, typ: type) -> Any:
    """A command-line string read as YAML (unless text is expected); a float key also takes an int,
    and a string YAML leaves as text (1e-1)."""
    if isinstance(value, str) and typ is not str:
        with suppress(yaml.YAMLError):
            value = yaml.safe_load(value)
    if typ is float and isinstance(value, str):
        with suppress(ValueError):
            value = float(value)  # YAML reads 1e-1 as text
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return value


def _coerce_compare(key: str, value: Any) -> Any:
    """compare_with: a wave (int), "previous" or null; compare_dir: a path or null."""
    if key == "compare_with":
        if isinstance(value, str) and value.strip() != PREVIOUS:
            with suppress(yaml.YAMLError):
                value = yaml.safe_load(value)
        if value is None or value == PREVIOUS or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise ParamError(f"parameter 'compare_with' must be a wave (e.g. 2019), {PREVIOUS!r} or null, got {value!r}")
    if value in (None, "null", "~", ""):
        return None
    if isinstance(value, str):
        return value
    raise ParamError(f"parameter 'compare_dir' must be a path or null, got {value!r}")


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
    missing = [k for k in SCHEMA if k not in merged and k not in OPTIONAL]
    if missing:
        raise ParamError(f"parameters not set: {', '.join(missing)}")
    for key, default in OPTIONAL.items():
        merged.setdefault(key, default)
    return merged


def resolve(params: dict[str, Any], root: str | Path | None = None) -> dict[str, Any]:
    """Fill `{wave}` into the paths and make them absolute against the project root."""
    root = Path(root) if root else project_root()
    out = dict(params)
    for key, default in OPTIONAL.items():
        out.setdefault(key, default)
    for key in PATH_KEYS:
        if key == "compare_dir":
            continue
        p = Path(fill_wave(key, out[key], out["wave"]))
        out[key] = str(p if p.is_absolute() else (root / p))
    out["compare_with"], out["compare_dir"] = _resolve_comparison(out, root)
    _check_folders(out, root)
    return out


def fill_wave(key: str, value: Any, wave: int) -> str:
    """`value` with each literal `{wave}` replaced by the wave; any other brace is refused (a path
    is never evaluated as a format string)."""
    text = str(value).replace("{wave}", str(wave))
    if "{" in text or "}" in text:
        raise ParamError(f"parameter {key!r}: only {{wave}} may stand in braces in a path, got {value!r}")
    return text


def _real(key: str, path: str) -> Path:
    """The path with symbolic links followed; a link loop is a parameter error, not a crash."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ParamError(f"parameter {key!r}: {path} is a symbolic link loop") from None
    return Path(os.path.realpath(path))


def _compare_path(pattern: str, wave: int, earlier: int, root: Path) -> Path:
    text = str(pattern).replace("{compare_with}", str(earlier))
    p = Path(fill_wave("compare_dir", text, wave))
    return p if p.is_absolute() else root / p


def _resolve_comparison(P: dict[str, Any], root: Path) -> tuple[int | None, str | None]:
    """(compare_with, compare_dir) resolved: "previous" becomes the latest wave before P["wave"] whose
    processed folder (compare_dir with that wave) holds run_info.json, or None when there is none."""
    earlier, pattern = P["compare_with"], P["compare_dir"]
    if earlier is None:
        return None, None
    if pattern is None:
        raise ParamError("parameter 'compare_dir' must be set when 'compare_with' is (the earlier wave's "
                         "processed folder, e.g. data/processed/{compare_with})")
    if earlier == PREVIOUS:
        earlier = _previous_wave(pattern, int(P["wave"]), root)
        if earlier is None:
            return None, None
    if int(earlier) >= int(P["wave"]):
        raise ParamError(f"parameter 'compare_with' ({earlier}) must be an earlier wave than 'wave' ({P['wave']})")
    return int(earlier), str(_compare_path(pattern, P["wave"], int(earlier), root))


def _previous_wave(pattern: str, wave: int, root: Path) -> int | None:
    """The latest wave before `wave` whose folder (`pattern` with that wave) holds run_info.json."""
    if "{compare_with}" not in str(pattern):
        raise ParamError(f"parameter 'compare_with' is {PREVIOUS!r}, so 'compare_dir' must contain "
                         "{compare_with} to find the earlier waves")
    full = str(_compare_path(str(pattern).replace("{compare_with}", "\0"), wave, 0, root))
    head, _, tail = full.partition("\0")
    found = []
    for cand in glob.glob(glob.escape(head) + "[0-9]" * 4 + glob.escape(tail)):
        w = int(cand[len(head):len(head) + 4])
        if w < wave and (Path(cand) / "run_info.json").is_file():
            found.append(w)
    return max(found) if found else None


def _check_folders(P: dict[str, Any], root: Path) -> None:
    """The runner replaces processed_dir and output_dir whole: they must be folders of their own."""
    for key in PATH_KEYS:
        if P[key] is not None and "\0" in str(P[key]):
            raise ParamError(f"parameter {key!r}: a path cannot contain a NUL character")
    folders = {k: _real(k, P[k]) for k in ("processed_dir", "output_dir")}
    protected = {"the project root": _real("root", str(root)),
                 "reference_dir": _real("reference_dir", P["reference_dir"]),
                 "the raw file's folder": _real("raw_path", P["raw_path"]).parent}
    for key, folder in folders.items():
        for what, other in protected.items():
            if folder == other or folder in other.parents:
                raise ParamError(f"parameter {key!r} ({folder}) must not be or contain {what}; "
                                 "the runner replaces that folder whole")
    if P.get("compare_dir") is not None and Path(P["compare_dir"]).resolve() in folders.values():
        raise ParamError("parameter 'compare_dir' must be the earlier wave's processed folder, not this wave's "
                         "processed_dir or output_dir")
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
