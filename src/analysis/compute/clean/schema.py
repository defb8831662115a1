"""Validate the export against a pandera schema built from the codebook, and turn pandera's failure
cases into one short InputError: the file, the rows, the column's header and what was expected.

Values are parsed before they are validated (`prepare`, by `parse`), and the parsed values are handed
on to the mapping stage, so no cell is parsed twice. A message shows a cell only through the scrubber,
and never a cell of an id, personal, free-text or not-stored column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ...base.codebook import Codebook, Variable
from ...base.errors import InputError
from . import parse
from .log import spreadsheet_rows

DATETIME_EXAMPLE = "a date-time such as 2019-03-14 09:30 (ISO 8601)"
MIXED_TIMES = ("every time in the column with a UTC offset (e.g. 2019-03-31T09:30+02:00) or every time "
               "without one", "a mix of the two")


def labels_text(v: Variable) -> str:
    """What a coded variable expects, as a message says it."""
    return "one of: " + ", ".join(v.labels) + " (or blank)"


def range_text(v: Variable) -> str:
    """What a numeric variable expects, as a message says it (its rule's kind and examples)."""
    rule = parse.NUMBER_RULES[v.parse]
    lo, hi = (int(x) if float(x).is_integer() else x for x in (v.min, v.max))
    return f"{rule.kind} from {lo} to {hi}{rule.written_as} (or blank)"


def _format_column(ok: pd.Series, error: str) -> pa.Column:
    """The `<id>__format` column: the raw text's per-row verdict (`ok`), looked up by index."""
    return pa.Column(required=False, nullable=True,
                     checks=[pa.Check(lambda s, ok=ok: ok.reindex(s.index), error=error)])


def build_schema(cb: Codebook, prepared: dict[str, dict[str, Any]] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of the *prepared* frame (one or more columns per codebook variable).

    - coded variables: normalised labels, `isin` the codebook's normalised labels or blank;
    - numeric variables: the written number `in_range(min, max)`, plus `<id>__format` (well-formed
      under the variable's `parse` rule) on the raw text;
    - datetimes: `<id>__format` must parse as ISO 8601;
    - `unique` variables: unique, non-blank values;
    - every non-personal variable not marked `optional` is a required column.
    `prepared` holds per-row results (e.g. whether a text parsed) that checks look up by index.
    """
    prepared = prepared or {}
    cols: dict[str, pa.Column] = {}
    for v in cb.variables:
        if v.type == "personal":
            continue
        req = v.required or not v.optional
        fmt_ok = prepared.get(v.id, {}).get("format_ok")
        if v.is_coded:
            allowed = sorted(set(v.label_lookup()) | {""})
            cols[v.id] = pa.Column(required=req, checks=[pa.Check.isin(allowed, error=labels_text(v))])
        elif v.type == "numeric":
            cols[v.id] = pa.Column(required=req, nullable=True,
                                   checks=[pa.Check.in_range(v.min, v.max, error=range_text(v))])
            if fmt_ok is not None:
                cols[f"{v.id}__format"] = _format_column(fmt_ok, range_text(v))
        elif v.dtype == "datetime":
            cols[v.id] = pa.Column(required=req, nullable=True)
            if fmt_ok is not None:
                cols[f"{v.id}__format"] = _format_column(fmt_ok, DATETIME_EXAMPLE)
        elif v.unique:
            cols[v.id] = pa.Column(required=req, nullable=False, unique=True)
        else:
            cols[v.id] = pa.Column(required=req, nullable=True)
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def prepare(frame: pd.DataFrame, cb: Codebook) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The frame pandera validates, and the parsed values the mapping stage reuses (per variable:
    `codes`/`uniq` of a coded one, `value`/`pct`/`blank` of a number, `value`/`blank` of a time)."""
    out: dict[str, Any] = {}
    parsed: dict[str, dict[str, Any]] = {}
    for v in cb.variables:
        if v.id not in frame.columns:
            continue
        s = frame[v.id]
        if v.is_coded:
            out[v.id], row_codes, uniq = parse.labels(s)
            parsed[v.id] = {"codes": row_codes, "uniq": uniq}
        elif v.type == "numeric":
            parsed[v.id] = parse.numbers(s, parse.NUMBER_RULES[v.parse])
            out[v.id] = parsed[v.id]["value"]
            out[f"{v.id}__format"] = s.where(~parsed[v.id]["blank"])  # NA where blank: pandera skips those
        elif v.dtype == "datetime":
            parsed[v.id] = parse.times(s)
            out[v.id] = parsed[v.id]["value"]
            out[f"{v.id}__format"] = parsed[v.id].pop("text")
        elif v.unique or v.required:
            stripped = s.str.strip()
            out[v.id] = stripped.where(stripped != "")
        else:
            out[v.id] = s
    return pd.DataFrame(out, index=frame.index), parsed


def _missing_columns(fc: pd.DataFrame, order: dict[str, int], header_of: dict[str, str], source: Path) -> InputError:
    ids = sorted(fc["failure_case"].astype(str), key=lambda c: order.get(c, 999))
    heads = [header_of.get(i, i) for i in ids]
    return InputError(source, 1, heads if len(heads) > 1 else heads[0],
                      "the required column(s) of the codebook", "missing from the header row")


def _problems(fc: pd.DataFrame, order: dict[str, int],
              frame: pd.DataFrame) -> list[tuple[str, list[int], str, list[str]]]:
    """(variable, spreadsheet rows, expected, values as written) per failing variable, in codebook order."""
    fc["var"] = fc["column"].astype(str).str.replace("__format", "", regex=False)
    problems = []
    for var, grp in sorted(fc.groupby("var", sort=False), key=lambda kv: order.get(kv[0], 999)):
        check = str(grp["check"].iloc[0])
        expected = {"not_nullable": "a non-blank value",
                    "field_uniqueness": "unique values (each response id once)"}.get(check, check)
        idx = sorted({int(i) for i in grp["index"].dropna()})
        if var in frame.columns:  # show the raw text as written, not the normalised value
            values = list(dict.fromkeys(str(x) for x in frame[var].iloc[idx]))
        else:
            values = list(dict.fromkeys(str(x) for x in grp["failure_case"] if not pd.isna(x)))
        problems.append((var, spreadsheet_rows(idx), expected, values))
    return problems


def translate(err: pa.errors.SchemaErrors, cb: Codebook, header_of: dict[str, str], source: Path,
              frame: pd.DataFrame, scrub: Callable[[str], str] = str) -> InputError:
    """pandera's failure cases -> one short InputError (file, rows, column header, expected).

    Values are shown through `scrub`; ids and personal, free-text or not-stored columns never."""
    fc = err.failure_cases.copy()
    order = {v.id: i for i, v in enumerate(cb.variables)}
    missing = fc[fc["check"].astype(str) == "column_in_dataframe"]
    if len(missing):
        return _missing_columns(missing, order, header_of, source)
    problems = _problems(fc, order, frame)
    var, rows, expected, values = problems[0]
    found = None
    silent = {v.id for v in cb.variables if v.type in ("personal", "free_text") or v.not_stored is not None}
    if values and var not in silent:
        found = ", ".join(repr(scrub(x)[:40]) for x in values[:3]) + (" ..." if len(values) > 3 else "")
    if len(problems) > 1:
        others = ", ".join(repr(header_of.get(p[0], p[0])) for p in problems[1:4])
        found = (found + "; " if found else "") + f"also problems in column(s) {others}"
    return InputError(source, rows, header_of.get(var, var), expected, found)


def validate(frame: pd.DataFrame, cb: Codebook, header_of: dict[str, str], source: Path,
             scrub: Callable[[str], str] = str) -> dict[str, dict[str, Any]]:
    """Check `frame` against the codebook's schema; the parsed values, or one InputError."""
    prepared, parsed = prepare(frame, cb)
    schema = build_schema(cb, parsed)
    try:
        schema.validate(prepared, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise translate(err, cb, header_of, source, frame, scrub) from None
    for v in cb.variables:
        mixed = parsed.get(v.id, {}).get("mixed")
        if mixed is not None and mixed.any():
            raise InputError(source, spreadsheet_rows(np.flatnonzero(mixed)), header_of.get(v.id, v.id), *MIXED_TIMES)
    return parsed
