"""Strict JSON files (RFC 8259: no NaN or Infinity): what the steps' summaries and run_info are written as.

NaN, infinities and pandas' NA become null; numpy scalars become Python numbers; keys are sorted.
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Any

from .files import write_text


def strict_json(obj: Any) -> Any:
    """A copy of `obj` fit for strict JSON: NaN, infinities and pandas' NA become None, numpy
    scalars become Python numbers, tuples lists."""
    if isinstance(obj, dict):
        return {str(k): strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict_json(v) for v in obj]
    if type(obj).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        with contextlib.suppress(ValueError, TypeError):
            obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_text(obj: Any) -> str:
    """Strict JSON (RFC 8259: no NaN or Infinity), sorted keys, two-space indent, trailing newline."""
    return json.dumps(strict_json(obj), indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n"


def write_json(obj: Any, target: str | Path) -> Path:
    """Write strict JSON atomically (NaN becomes null)."""
    return write_text(json_text(obj), target)


def read_json(path: str | Path) -> dict[str, Any]:
    """A JSON file as a dict; {} when the file does not exist."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def is_synthetic(run_info: dict[str, Any]) -> bool:
    """Whether processed data came from a synthetic export (run_info.json of 01_clean).

    Unknown provenance counts as synthetic: such numbers are never presented as SKR's.
    """
    return bool(run_info.get("synthetic", True))
