"""File input and output at the edges: atomic writes of parquet, CSV, JSON and text.

Reading raw survey exports (CSV/xlsx, encodings, delimiters) also lives here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(data: bytes, target: str | Path) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(text: str, target: str | Path, encoding: str = "utf-8") -> Path:
    return write_bytes(text.encode(encoding), target)


def write_json(obj: Any, target: str | Path) -> Path:
    return write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n", target)


def write_parquet(df: pd.DataFrame, target: str | Path) -> Path:
    """Write parquet deterministically (no pandas index, fixed compression, no timestamps)."""
    with atomic_path(target) as tmp:
        df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
    return Path(target)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @) with an apostrophe."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            mask = s.notna() & s.astype("string").str.startswith(FORMULA_PREFIXES)
            if mask.any():
                out[col] = s.astype("object").where(~mask, "'" + s.astype("string"))
    return out


def write_csv(df: pd.DataFrame, target: str | Path, *, excel: bool = False) -> Path:
    """Write a CSV atomically; `excel=True` adds a UTF-8 BOM and neutralises formula-like cells."""
    if excel:
        df = neutralise_formulas(df)
    text = df.to_csv(index=False, lineterminator="\n")
    return write_text(text, target, encoding="utf-8-sig" if excel else "utf-8")


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
