"""Reading and writing the steps' files through their contracts: a frame or JSON object is checked
before it is written and after it is read, and a missing file names the step that writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import io
from ..errors import ContractError
from .registry import contract
from .validation import check_frame


def validate(name: str, df, path: str | Path | None = None):
    """`df` checked (and coerced) against the contract `name`; ContractError in one line otherwise."""
    c = contract(name)
    if c.schema is None:
        raise ValueError(f"contract {name!r} is a JSON file; use validate_json")
    return check_frame(c.schema, df, name, path)


def _existing(name: str, folder: str | Path) -> Path:
    c = contract(name)
    path = Path(folder) / c.path
    if not path.is_file():
        raise ContractError(f"{path}: not found (written by {c.writer}; run it first)")
    return path


def read_table(name: str, folder: str | Path):
    """Read the CSV or parquet of contract `name` from `folder` (processed_dir or output_dir) and
    validate it. A missing file raises ContractError naming the file and its writer."""
    import pandas as pd  # noqa: PLC0415 - heavy (a second): the runner's no-op path imports the contracts

    path = _existing(name, folder)
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        text = {k: "string" for k, f in contract(name).table.fields.items() if f.unit in ("code", "text")}
        df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""], dtype=text)
    return validate(name, df, path)


def write_table(name: str, df, folder: str | Path) -> Path:
    """Validate `df` against contract `name`, then write it atomically under `folder`."""
    c = contract(name)
    target = Path(folder) / c.path
    df = validate(name, df, target)
    if target.suffix == ".parquet":
        return io.write_parquet(df, target)
    # every CSV may be opened in a spreadsheet: text that would run as a formula is neutralised
    # (the cleaning log names columns of the raw file, whose headers anyone could have typed)
    return io.write_csv(df, target, excel=c.home == "output", neutralise=True)


def validate_json(name: str, obj: dict[str, Any], path: str | Path | None = None) -> dict[str, Any]:
    """The JSON object of contract `name`, with its required keys present; made strict."""
    c = contract(name)
    if not isinstance(obj, dict):
        raise ContractError(f"{path or name}: expected a JSON object (contract {name!r})")
    missing = [k for k in c.json_keys if k not in obj]
    if missing:
        raise ContractError(f"{path or name}: missing keys {', '.join(missing)} (contract {name!r})")
    return io.strict_json(obj)


def write_json(name: str, obj: dict[str, Any], folder: str | Path) -> Path:
    """Check the JSON object of contract `name` and write it as strict JSON."""
    target = Path(folder) / contract(name).path
    return io.write_json(validate_json(name, obj, target), target)


def read_json(name: str, folder: str | Path) -> dict[str, Any]:
    """The JSON file of contract `name` under `folder`, checked; ContractError when it is missing."""
    path = _existing(name, folder)
    return validate_json(name, io.read_json(path), path)
