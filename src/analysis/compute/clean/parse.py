"""Read raw cells once per distinct value: answer labels, numbers by the codebook's rule (`parse`),
ISO 8601 times with or without a UTC offset.

Every parser here works on a whole column: a value is parsed once per *distinct* text (`pd.factorize`)
and spread back to the rows, so a 1M-row export costs about as much Python work as a 300-row one.

Numbers: decimal comma or point, spaces allowed; what a written number means is the rule its codebook
variable declares (`NUMBER_RULES`, one per name of `codebook.PARSE_RULES`). Times with an offset are
converted to UTC; a column that mixes times with and without one is flagged (`mixed`), since which time
zone the others are in would be a guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from ...base.codebook import normalise_label

UTC_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
# The same test for RE2 (pyarrow), exact on ASCII text: there Python's \d is [0-9], \s is
# [\t\n\v\f\r\x1c-\x1f ], Z ignoring case is [zZ], and $ also matches before a final newline.
_UTC_OFFSET_ASCII = (r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?[\t\n\x0b\x0c\r\x1c-\x1f ]*"
                     r"(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2})?)\n?$")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_INTEGER = re.compile(r"[+-]?\d+")


def per_unique(s: pd.Series, fn: Callable[[str], Any], dtype=object) -> np.ndarray:
    """fn applied to each distinct value of `s` (strings), spread back to the rows.

    For columns with few distinct values (answers, names, codes); never for ids or free text.
    """
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    vals = np.array([fn(u) for u in uniq], dtype=dtype) if len(uniq) else np.array([], dtype=dtype)
    return vals[codes] if len(codes) else np.array([], dtype=dtype)


def blank(s: pd.Series) -> np.ndarray:
    """True where a cell is empty or white space only (vectorised)."""
    return s.astype("str").str.strip().eq("").to_numpy(dtype=bool)


# ------------------------------------------------------------------------------------- labels
def labels(s: pd.Series) -> tuple[pd.Categorical, np.ndarray, list[str]]:
    """A coded column's normalised labels (`normalise_label`): as a categorical (what the schema
    checks), and as row codes into the list of distinct normalised labels."""
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    norm_codes, norm_uniq = pd.factorize(pd.Index([normalise_label(u) for u in uniq], dtype=object))
    row_codes = norm_codes[codes] if len(codes) else codes
    categorical = pd.Categorical.from_codes(row_codes, categories=pd.Index(norm_uniq, dtype=object))
    return categorical, row_codes, list(norm_uniq)


# ------------------------------------------------------------------------------------ numbers
def parse_number(text: str) -> tuple[float, bool, bool]:
    """'50 %' -> (50.0, True, True); '0,5' -> (0.5, False, True); '' -> (nan, False, True).

    Returns (written number, has a % sign, well-formed). Decimal comma or point; spaces allowed.
    """
    t = str(text).strip()
    if t == "":
        return math.nan, False, True
    pct = t.endswith("%")
    if pct:
        t = t[:-1].strip()
    t = t.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not _NUMBER.fullmatch(t):
        return math.nan, pct, False
    return float(t.replace(",", ".")), pct, True


class NumberRule:
    """`parse: number`: a number as written (decimal comma or point), without a % sign."""

    kind = "a number"  # how a message names what is expected
    written_as = ""  # examples a message adds to the expected range

    def well_formed(self, text: str, value: float, pct: bool, ok: bool) -> bool:
        return ok and not pct

    def stored(self, value: np.ndarray, pct: np.ndarray) -> np.ndarray:
        """The stored values of the written numbers (NaN stays NaN)."""
        return value

    def log_rows(self, value: np.ndarray, pct: np.ndarray, blank: np.ndarray) -> list[tuple[str, int, str]]:
        """(action, count, detail) of the cleaning log, from the kept rows' written numbers."""
        return [("numbers_parsed", int((~np.isnan(value)).sum()), "numbers parsed (kept rows)")]


class IntegerRule(NumberRule):
    """`parse: integer`: a whole number as written, without a % sign."""

    kind = "an integer"

    def well_formed(self, text: str, value: float, pct: bool, ok: bool) -> bool:
        if ok and not math.isnan(value):
            return bool(_INTEGER.fullmatch(str(text).strip())) and not pct
        return ok

    def log_rows(self, value, pct, blank):
        return [("numbers_parsed", int((~np.isnan(value)).sum()), "integers parsed (kept rows)")]


class ShareRule(NumberRule):
    """`parse: share`: a value with a % sign is a percentage; otherwise a value above 1 is a
    percentage and a value from 0 to 1 a fraction. Stored as the fraction."""

    written_as = " (written as 50, '50 %' or '0,5')"

    def well_formed(self, text, value, pct, ok):
        return ok

    def stored(self, value, pct):
        return np.where(pct | (value > 1), value / 100.0, value)

    def log_rows(self, value, pct, blank):
        written = ~blank
        return [("percent_sign", int((pct & written).sum()), "written with %: percentage -> fraction"),
                ("percent_no_sign", int((~pct & written & (value > 1)).sum()),
                 "above 1 without %: percentage -> fraction"),
                ("fraction", int((~pct & written & (value <= 1)).sum()), "0-1 without %: a fraction")]


NUMBER_RULES: dict[str, NumberRule] = {"number": NumberRule(), "integer": IntegerRule(), "share": ShareRule()}


def numbers(s: pd.Series, rule: NumberRule) -> dict[str, Any]:
    """A numeric column: the written numbers (`value`, NaN where blank or malformed), whether each has a
    % sign (`pct`), `blank`, and `format_ok` (well-formed under `rule`, a Series on the frame's index)."""
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    triples = []
    for u in uniq:
        value, pct, ok = parse_number(u)
        triples.append((value, pct, rule.well_formed(u, value, pct, ok)))
    value = np.array([t[0] for t in triples], dtype="float64")[codes]
    pct = np.array([t[1] for t in triples], dtype=bool)[codes]
    ok = np.array([t[2] for t in triples], dtype=bool)[codes]
    return {"value": value, "pct": pct, "blank": blank(s), "format_ok": pd.Series(ok, index=s.index)}


# -------------------------------------------------------------------------------------- times
def has_utc_offset(text: pd.Series) -> np.ndarray:
    """Whether each cell ends in a time with a UTC offset (`UTC_OFFSET`); False for NA.

    The same answer as `text.str.contains(UTC_OFFSET, na=False)`, without a Python call per cell:
    ASCII cells are tested by pyarrow's RE2 with the exact ASCII translation of the pattern, the
    others (rare) by Python's `re`.
    """
    try:
        arr = arrow.array(text, type=arrow.large_string(), from_pandas=True)
    except (arrow.ArrowException, TypeError, ValueError):  # cells that are not all text: one by one
        return text.str.contains(UTC_OFFSET, na=False).to_numpy(dtype=bool)
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False)
    out = pc.fill_null(pc.match_substring_regex(arr, _UTC_OFFSET_ASCII), False).to_numpy(zero_copy_only=False)
    other = np.flatnonzero(~ascii_)
    if len(other):
        out = out.copy()
        out[other] = [bool(UTC_OFFSET.search(t)) for t in arr.take(arrow.array(other)).to_pylist()]
    return out


def times(s: pd.Series) -> dict[str, Any]:
    """A time column: `value` (datetimes; UTC when the times carry an offset), the stripped `text`,
    `blank`, `format_ok` (ISO 8601 or blank, a Series on the frame's index) and `mixed`: the rows of
    the minority kind (with or without an offset; ties: those without) where the column mixes both."""
    is_blank = blank(s)
    text = s.where(~is_blank).str.strip()
    aware = has_utc_offset(text)
    naive = ~aware & ~is_blank
    when = pd.to_datetime(text.where(naive), format="ISO8601", errors="coerce")
    ok = when.notna().to_numpy() | is_blank
    mixed = np.zeros(len(s), dtype=bool)
    if aware.any():
        when_utc = pd.to_datetime(text.where(aware), format="ISO8601", utc=True, errors="coerce")
        ok |= when_utc.notna().to_numpy()
        mixed = naive if naive.sum() <= aware.sum() else aware
        if not naive.any():
            when = when_utc
    return {"value": when, "text": text, "blank": is_blank, "mixed": mixed & ok,
            "format_ok": pd.Series(ok, index=s.index)}
