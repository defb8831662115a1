"""Step 01_clean: read the raw export, clean it through the codebook of its wave, and write the
processed data (responses, analysis frame, cleaning log, run_info)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base import contracts, io, reference
from ...base.waves import codebook_for
from ...compute import clean


def run(P: dict[str, Any]):
    """01_clean: read P['raw_path'], clean it through the codebook of P['wave'], write the processed data."""
    raw_path = Path(P["raw_path"])
    raw = io.read_export(raw_path, max_rows=int(P.get("max_rows", io.DEFAULT_MAX_ROWS)),
                         max_input_mb=float(P.get("max_input_mb", io.DEFAULT_MAX_INPUT_MB)))
    register = reference.load_register(P["reference_dir"])
    cb = codebook_for(int(P["wave"]))
    result = clean.clean(raw, register, cb, raw_path, raw_sha256=io.sha256_file(raw_path))
    del raw  # a large export's cells are not needed while the outputs are written
    d = Path(P["processed_dir"])
    contracts.write_table("responses", result.responses, d)
    contracts.write_table("analysis", result.analysis, d)
    contracts.write_table("cleaning_log", result.log, d)
    contracts.write_json("run_info", result.run_info, d)
    return result
