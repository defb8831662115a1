"""Map the validated values: answer labels to the codebook's codes ('Vet ej' kept apart from a blank),
numbers to their stored values by each variable's rule, and log what the mapping did on the kept rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...base.codebook import DONT_KNOW, Codebook
from .log import CleaningLog
from .parse import NUMBER_RULES

MISSING, DONT_KNOW_CODE = -1, -2  # codes of a blank answer and (before it becomes missing) of 'Vet ej'


@dataclass
class Mapped:
    """Per variable, one value per raw row: `codes` (-1 missing) and `dont_know` of the coded
    variables, `numbers` (stored values, NaN missing) of the numeric ones."""

    codes: dict[str, np.ndarray]
    dont_know: dict[str, np.ndarray]
    numbers: dict[str, np.ndarray]


def map_values(cb: Codebook, parsed: dict[str, dict[str, Any]]) -> Mapped:
    """Codes of every coded variable and stored numbers of every numeric one, from `parsed`
    (schema.validate's parsed values)."""
    codes: dict[str, np.ndarray] = {}
    dont_know: dict[str, np.ndarray] = {}
    for v in cb.of_type("single_choice", "ordinal"):
        code_of = {k: (DONT_KNOW_CODE if c == DONT_KNOW else int(c)) for k, c in v.label_lookup().items()}
        code_of[""] = MISSING
        lut = np.array([code_of[u] for u in parsed[v.id]["uniq"]], dtype=np.int64)
        arr = lut[parsed[v.id]["codes"]] if len(lut) else np.zeros(0, dtype=np.int64)
        codes[v.id] = np.where(arr == DONT_KNOW_CODE, MISSING, arr)
        dont_know[v.id] = arr == DONT_KNOW_CODE
    numbers = {v.id: NUMBER_RULES[v.parse].stored(parsed[v.id]["value"], parsed[v.id]["pct"])
               for v in cb.of_type("numeric")}
    return Mapped(codes, dont_know, numbers)


def log_mapping(cb: Codebook, parsed: dict[str, dict[str, Any]], mapped: Mapped, keep: np.ndarray,
                log: CleaningLog) -> None:
    """The map stage's log rows, counted on the kept rows: answers mapped, 'Vet ej' and blank per coded
    variable; what each numeric variable's rule did; times parsed."""
    for v in cb.of_type("single_choice", "ordinal"):
        c, dk = mapped.codes[v.id][keep], mapped.dont_know[v.id][keep]
        log.add("map", "labels_mapped", v.id, int((c >= 0).sum()), "answers mapped to codes (kept rows)")
        log.add("map", "dont_know", v.id, int(dk.sum()), "'Vet ej' -> missing (kept rows)")
        log.add("map", "blank", v.id, int(((c < 0) & ~dk).sum()), "blank -> missing (kept rows)")
    for v in cb.of_type("numeric"):
        p = parsed[v.id]
        blank = p["blank"][keep]
        for action, count, detail in NUMBER_RULES[v.parse].log_rows(p["value"][keep], p["pct"][keep], blank):
            log.add("map", action, v.id, count, detail)
        log.add("map", "blank", v.id, int(blank.sum()), "blank -> missing (kept rows)")
    for v in cb.variables:
        if v.dtype != "datetime" or v.id not in parsed:
            continue
        blank = parsed[v.id]["blank"][keep]
        utc = isinstance(parsed[v.id]["value"].dtype, pd.DatetimeTZDtype)
        log.add("map", "times_parsed", v.id, int((~blank).sum()),
                "ISO 8601 times parsed (kept rows)" + ("; UTC offsets converted to UTC" if utc else ""))
        log.add("map", "blank", v.id, int(blank.sum()), "blank -> missing (kept rows)")
