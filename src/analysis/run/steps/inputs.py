"""What the analysis steps share: the processed data of 01_clean they read first, the data-source code
every table carries (synthetic or survey), and the names of the files each step writes (from the contracts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...base import contracts, io


def written_by(step: str) -> tuple[str, ...]:
    """The contracts `step` writes (tables and JSON summaries), in contract order."""
    return tuple(name for name, c in contracts.CONTRACTS.items() if c.writer == step)


def tables_written_by(step: str) -> tuple[str, ...]:
    """The tables among them (not the JSON summaries)."""
    return tuple(name for name in written_by(step) if Path(contracts.contract(name).path).suffix != ".json")


def source(synthetic: bool) -> str:
    """The `data_source` code of every table: synthetic or survey."""
    return "synthetic" if synthetic else "survey"


def processed(P: dict[str, Any]) -> tuple[pd.DataFrame, bool]:
    """(analysis.parquet validated, whether the export is synthetic) from P['processed_dir']."""
    d = Path(P["processed_dir"])
    analysis = contracts.read_table("analysis", d)
    synthetic = io.is_synthetic(contracts.read_json("run_info", d))
    return analysis, synthetic
