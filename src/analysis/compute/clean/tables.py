"""Build the processed tables from the kept rows: responses.parquet (one row per responding municipality,
its validated answers) and analysis.parquet (one row per municipality of the register).

What each column holds comes from the codebook: coded answers as categoricals of their labels, the
items declared as flags (`Codebook.flags`) as yes/no, numbers as their rule stores them, times as parsed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...base.codebook import MATURITY_AREAS, Codebook, Variable
from .columns import stored
from .mapping import Mapped

REGISTER_COLUMNS = ["kommunkod", "kommun", "lan_kod", "lan_namn", "kommungrupp", "huvudgrupp", "folkmangd"]


def categorical(codes: np.ndarray, v: Variable) -> pd.Categorical:
    """Int codes (with -1 for missing) -> categorical of the Swedish labels, in code order."""
    lut = np.full(max(v.codes) + 2, -1, dtype=np.int64)
    for i, c in enumerate(v.codes):
        lut[c] = i
    cat_codes = np.where(codes >= 0, lut[np.clip(codes, 0, None)], -1)
    return pd.Categorical.from_codes(cat_codes, categories=v.levels_sv, ordered=v.type == "ordinal")


def _numbers(values: np.ndarray, v: Variable) -> pd.api.extensions.ExtensionArray:
    """Stored numbers (NaN missing) as the variable's nullable array: Int8 for integers, else Float64."""
    if v.dtype == "integer":
        return pd.arrays.IntegerArray(np.nan_to_num(values).astype("int8"), np.isnan(values))
    return pd.arrays.FloatingArray(np.nan_to_num(values), np.isnan(values))


def responses(frame: pd.DataFrame, cb: Codebook, mapped: Mapped, parsed: dict[str, dict[str, Any]],
              order: np.ndarray, kommunkod: np.ndarray) -> pd.DataFrame:
    """responses.parquet: the raw rows `order` (the kept ones, in kommunkod order), every stored
    variable, and the register's `kommunkod` of each (after the code as written)."""
    resp: dict[str, Any] = {"raw_row": pd.array(order + 2, dtype="Int64")}
    for v in cb.variables:
        if not stored(v):
            continue
        if v.is_coded:
            resp[v.id] = categorical(mapped.codes[v.id][order], v)
        elif v.type == "numeric":
            resp[v.id] = _numbers(mapped.numbers[v.id][order], v)
        elif v.dtype == "datetime":
            resp[v.id] = parsed[v.id]["value"].array[order]
        elif v.id not in frame.columns:  # an optional column absent from the export
            resp[v.id] = pd.array([pd.NA] * len(order), dtype="str")
        else:  # the municipality's name and code as written (both checked against the register)
            resp[v.id] = pd.array(frame[v.id].iloc[order].str.strip().to_numpy(), dtype="str")
        if v.id == "municipality_code":
            resp["kommunkod"] = pd.array(kommunkod, dtype="str")
    return pd.DataFrame(resp)


def analysis(register: pd.DataFrame, cb: Codebook, mapped: Mapped, src: np.ndarray) -> pd.DataFrame:
    """analysis.parquet: one row per municipality of `register` (sorted by code); `src` is the raw row
    of each one's kept submission, -1 for a municipality without one."""
    responded = src >= 0

    def take(arr: np.ndarray, fill):
        out = np.asarray(arr)[np.clip(src, 0, None)]
        return np.where(responded, out, fill)

    ana: dict[str, Any] = {c: register[c] for c in REGISTER_COLUMNS}
    ana["kommunkod"] = register["kommunkod"].astype("str")
    ana["lan_kod"] = register["lan_kod"].astype("str")
    ana["folkmangd"] = register["folkmangd"].astype("int64")
    ana["responded"] = responded
    code_rows = {vid: take(c, -1) for vid, c in mapped.codes.items()}
    for v in cb.flags:
        c = code_rows[v.id]
        ana[v.id] = pd.arrays.BooleanArray(np.isin(c, v.flag), c < 0)
    for v in cb.of_type("ordinal"):
        c = code_rows[v.id]
        ana[f"{v.id}_level"] = pd.arrays.IntegerArray(np.clip(c, 0, None).astype("int8"), c < 0)
    for v in cb.of_type("single_choice", "ordinal"):
        ana[f"{v.id}_dont_know"] = take(mapped.dont_know[v.id], False).astype(bool)
    for v in cb.of_type("numeric"):
        ana[v.id] = _numbers(take(mapped.numbers[v.id], np.nan).astype("float64"), v)
    areas = np.column_stack([code_rows[a] for a in MATURITY_AREAS])
    established = np.column_stack([np.isin(code_rows[a], cb[a].flag) for a in MATURITY_AREAS])
    ana["maturity_index"] = pd.arrays.IntegerArray(established.sum(axis=1).astype("int8"), (areas < 0).any(axis=1))
    return pd.DataFrame(ana)
