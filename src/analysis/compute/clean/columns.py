"""Which raw columns are read and which are stored: headers matched to the codebook, personal and extra
columns dropped unread, and what is read but never stored (ids, the synthetic mark, free text).

Personal data: only values validated against the codebook reach processed data (answers, numbers,
times, the municipality's name and code). Personal columns, columns the codebook does not know, free
text and the variables the codebook marks `not_stored` are not stored: free text cannot be scrubbed
with certainty, and an id is whatever the survey tool or a person typed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ...base.codebook import Codebook, Variable, normalise_label
from ...base.errors import InputError
from .log import CleaningLog
from .match import MATCHED
from .parse import blank

UNCHECKED_TEXT = "text not checked against the codebook is not stored (it may hold personal data)"


def stored(v: Variable) -> bool:
    """Whether a variable's values reach processed data: coded, numeric and time values (validated
    against the codebook) and the municipality's name and code (matched to the register)."""
    if v.type in ("personal", "free_text") or v.not_stored is not None:
        return False
    return v.is_coded or v.type == "numeric" or v.dtype == "datetime" or v.id in MATCHED


def select(raw: pd.DataFrame, cb: Codebook, source: Path, log: CleaningLog,
           scrub: Callable[[str], str] = str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename codebook columns to variable ids; drop (and log) personal and extra columns. Also the
    header each variable had in the export (its codebook header where the export lacks it).

    Headers match like answer labels: case-insensitive, surrounding white space ignored. An extra
    column's header is logged through `scrub` (it is text someone typed)."""
    by_header = {normalise_label(h): vid for h, vid in cb.headers.items()}
    personal = {v.id for v in cb.personal}
    stripped = [str(c).strip() for c in raw.columns]
    keys = [normalise_label(c) for c in stripped]
    dupes = sorted({c for c, k in zip(stripped, keys, strict=True) if keys.count(k) > 1})
    if dupes:
        raise InputError(source, 1, dupes, "each column header once (case and spaces ignored)", "repeated headers")
    keep: dict[str, str] = {}
    header_of: dict[str, str] = {}
    for col, head in zip(raw.columns, stripped, strict=True):
        vid = by_header.get(normalise_label(head))
        if vid is None:
            log.add("columns", "dropped_extra", scrub(head), _filled(raw[col]),
                    "column not in the codebook; dropped unread (non-blank cells counted)")
        elif vid in personal:
            log.add("columns", "dropped_personal", vid, _filled(raw[col]),
                    f"personal data column {head!r}; dropped unread (non-blank cells counted)")
        else:
            keep[col] = vid
            header_of[vid] = head
    frame = raw[list(keep)].rename(columns=keep).reset_index(drop=True)
    for v in cb.variables:
        header_of.setdefault(v.id, v.header)
    return frame, header_of


def log_unstored(frame: pd.DataFrame, cb: Codebook, header_of: dict[str, str], kept: int,
                 log: CleaningLog) -> None:
    """Log each variable whose values do not reach processed data: an optional column the export
    lacks (missing on the `kept` rows), free text, and text read but not stored."""
    for v in cb.variables:
        if v.type == "personal":
            continue
        if v.id not in frame.columns:
            log.add("columns", "column_absent", v.id, kept,
                    f"optional column {header_of[v.id]!r} not in the export -> missing (kept rows)")
        elif v.type == "free_text":
            log.add("columns", "dropped_free_text", v.id, _filled(frame[v.id]),
                    "free text is not stored (it may hold personal data); non-blank cells counted")
        elif not stored(v):
            log.add("columns", "not_stored", v.id, _filled(frame[v.id]),
                    (v.not_stored or UNCHECKED_TEXT) + "; non-blank cells counted")


def _filled(s: pd.Series) -> int:
    """The number of non-blank cells."""
    return int(np.count_nonzero(~blank(s)))
