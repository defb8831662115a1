"""What the analysis steps read first: the processed data of 01_clean, and the data-source code that
every table carries (synthetic or survey)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...base import contracts, io


def source(synthetic: bool) -> str:
    """The `data_source` code of every table: synthetic or survey."""
    return "synthetic" if synthetic else "survey"


def processed(P: dict[str, Any]) -> tuple[pd.DataFrame, bool]:
    """(analysis.parquet validated, whether the export is synthetic) from P['processed_dir']."""
    d = Path(P["processed_dir"])
    analysis = contracts.read_table("analysis", d)
    synthetic = io.is_synthetic(contracts.read_json("run_info", d))
    return analysis, synthetic
