"""Step 01's cleaning, stage by stage: a raw export (a frame of strings) in, the processed data of
docs/contracts.md out. Pure: no file is read or written.

The stages, in order (each in its module):

1. `receive`: the door. Every later stage sees the export as it leaves this stage; a normalisation of
   every text value and header (once per distinct value) belongs here, before any matching.
2. `columns.select`: headers matched to the codebook; personal and extra columns dropped unread.
3. `schema.validate`: every value checked against the codebook (pandera), parsed once (`parse`).
4. `mapping.map_values`: labels to codes, numbers to their stored values by the codebook's rule.
5. `match.match_municipalities`: each submission's municipality in the register.
6. `dedup.deduplicate`: per municipality the latest complete submission.
7. `tables`: responses.parquet and analysis.parquet; the log (`log.CleaningLog`) and run_info.

Every raw row, and every cell that becomes missing, is accounted for in the log. Messages and the log
name rows, never ids, and pass any echoed cell through `scrub.Scrubber`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...base.codebook import Codebook, default_codebook
from ...base.errors import InputError
from . import columns, mapping, tables
from .dedup import deduplicate
from .log import CleaningLog
from .match import match_municipalities
from .parse import per_unique
from .schema import validate
from .scrub import Scrubber


@dataclass
class CleanResult:
    """What the cleaning step produces; the step (`analysis.run.steps.clean`) writes it."""

    responses: pd.DataFrame
    analysis: pd.DataFrame
    log: pd.DataFrame
    run_info: dict[str, Any] = field(default_factory=dict)


def receive(raw: pd.DataFrame, source: Path, log: CleaningLog) -> pd.DataFrame:
    """The door: the export as every later stage sees it (rows renumbered 0..n-1), its rows counted;
    InputError when it holds a header only."""
    raw = raw.reset_index(drop=True)
    if len(raw) == 0:
        raise InputError(source, 2, None, "at least one data row below the header", "a header only")
    log.add("read", "rows_read", "", len(raw), f"data rows in {source.name}")
    return raw


def clean(raw: pd.DataFrame, register: pd.DataFrame, codebook: Codebook | None = None,
          source: str | Path = "input", *, raw_sha256: str | None = None) -> CleanResult:
    """Clean a raw export (all cells strings, raw headers). Pure: no file is read or written.

    Raises InputError (naming `source`, rows, columns and what was expected) on bad input.
    """
    cb = codebook or default_codebook()
    source = Path(source)
    log = CleaningLog()
    raw = receive(raw, source, log)
    scrub = Scrubber.from_export(raw, cb)
    frame, header_of = columns.select(raw, cb, source, log, scrub)
    parsed = validate(frame, cb, header_of, source, scrub)
    mapped = mapping.map_values(cb, parsed)

    reg = register.sort_values("kommunkod", ignore_index=True)
    reg_codes = reg["kommunkod"].astype(str).to_numpy(dtype=object)
    position = match_municipalities(frame, reg, header_of, source, log, scrub)
    keep = deduplicate(frame["response_id"].str.strip(), position, reg_codes, parsed["submitted_at"]["value"],
                       parsed["started_at"]["value"], log)
    mapping.log_mapping(cb, parsed, mapped, keep, log)
    columns.log_unstored(frame, cb, header_of, int(keep.sum()), log)

    kept = np.flatnonzero(keep)
    order = kept[np.argsort(position[kept], kind="stable")]  # register order = kommunkod order
    responses = tables.responses(frame, cb, mapped, parsed, order, reg_codes[position[order]])
    src = np.full(len(reg), -1, dtype=np.int64)  # raw row of each municipality's kept submission
    src[position[order]] = order
    analysis = tables.analysis(reg, cb, mapped, src)
    run_info = _run_info(cb, frame, source, raw_sha256, len(raw), len(order), int((src < 0).sum()), log)
    return CleanResult(responses=responses, analysis=analysis, log=log.frame(), run_info=run_info)


def _run_info(cb: Codebook, frame: pd.DataFrame, source: Path, raw_sha256: str | None, n_read: int,
              n_kept: int, n_without: int, log: CleaningLog) -> dict[str, Any]:
    """The result stage's log rows, and run_info.json: the raw file, whether it is synthetic, the counts
    (`n_without`: municipalities of the register without a kept submission)."""
    n_dropped = n_read - n_kept
    n_municipalities = n_kept + n_without
    log.add("result", "rows_dropped", "", n_dropped, "rows dropped in de-duplication (see row_dropped_* rows)")
    log.add("result", "respondents_kept", "", n_kept, "one submission per responding municipality")
    log.add("result", "municipalities_without_response", "", n_without,
            f"of the {n_municipalities} municipalities in the register")
    marked = bool("synthetic_marker" in frame
                  and per_unique(frame["synthetic_marker"], cb.is_synthetic_value, dtype=bool).any())
    return {
        "step": "01_clean",
        "survey": cb.survey.get("id"),
        "raw_file": source.name,
        "raw_sha256": raw_sha256,
        # synthetic when the file name or any row's "Datakälla" says so (a renamed file stays marked)
        "synthetic": bool(cb.is_synthetic_file(source)) or marked,
        "counts": {
            "rows_read": n_read,
            "rows_dropped": n_dropped,
            "respondents": n_kept,
            "municipalities": n_municipalities,
            "non_respondents": n_without,
        },
    }
