"""compute/clean/tables: responses.parquet and analysis.parquet built from the kept rows, their columns
from the codebook (flags, levels, numbers by their rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.base.codebook import BINARY_ITEMS, MATURITY_AREAS, default_codebook
from analysis.compute.clean import tables
from analysis.compute.clean.mapping import Mapped

CB = default_codebook()


def _mapped(n: int, **codes) -> Mapped:
    """Every coded variable answered with its lowest code on `n` rows, unless `codes` says otherwise."""
    c = {v.id: np.full(n, min(v.codes), dtype=np.int64) for v in CB.of_type("single_choice", "ordinal")}
    c.update({k: np.asarray(v, dtype=np.int64) for k, v in codes.items()})
    return Mapped(codes=c, dont_know={k: np.zeros(len(v), dtype=bool) for k, v in c.items()},
                  numbers={"ciso_share": np.array([0.5, np.nan][:n]), "self_rating": np.array([4.0, np.nan][:n])})


def test_categorical_gives_the_swedish_labels_in_code_order():
    got = tables.categorical(np.array([2, -1, 0, 1]), CB["leadership_informed"])
    assert list(got.astype(object)) == ["Ja, regelbundet", np.nan, "Nej", "Ja, vid behov"]
    assert got.ordered and list(got.categories) == ["Nej", "Ja, vid behov", "Ja, regelbundet"]


def test_analysis_flags_follow_the_codebooks_yes_codes(register):
    reg = register.sort_values("kommunkod", ignore_index=True)
    mapped = _mapped(2, risk_management=[3, 2], resources=[1, -1], ciso=[0, 1])
    src = np.full(len(reg), -1)
    src[[0, 5]] = [0, 1]
    a = tables.analysis(reg, CB, mapped, src)
    assert a.columns[8:8 + len(BINARY_ITEMS)].tolist() == list(BINARY_ITEMS)
    assert a.loc[0, "risk_management"] and not a.loc[5, "risk_management"]  # established = 3, 4
    assert a.loc[0, "resources"] and pd.isna(a.loc[5, "resources"]) and pd.isna(a.loc[1, "resources"])
    assert not a.loc[0, "ciso"] and a.loc[5, "ciso"]
    assert a.loc[0, "ciso_share"] == 0.5 and pd.isna(a.loc[5, "ciso_share"]) and a.loc[0, "self_rating"] == 4
    assert str(a["ciso_share"].dtype) == "Float64" and str(a["self_rating"].dtype) == "Int8"
    assert a.loc[0, "maturity_index"] == 1 and a["responded"].sum() == 2
    assert len(MATURITY_AREAS) == 7


def test_responses_hold_the_stored_variables_in_kommunkod_order():
    frame = pd.DataFrame({"municipality_name": [" Ale ", "Bjuv"], "municipality_code": ["1440", "1260"]})
    parsed = {v.id: {"value": pd.Series(pd.to_datetime(["2019-03-01", "2019-03-02"]))}
              for v in CB.variables if v.dtype == "datetime"}
    r = tables.responses(frame, CB, _mapped(2), parsed, np.array([1, 0]), np.array(["1260", "1440"], dtype=object))
    assert r["raw_row"].tolist() == [3, 2] and r["municipality_name"].tolist() == ["Bjuv", "Ale"]
    assert r.columns[r.columns.get_loc("municipality_code") + 1] == "kommunkod"
    assert not {"response_id", "synthetic_marker", "comment", "respondent_name"} & set(r.columns)
    assert r["self_rating"].isna().tolist() == [True, False]
