"""compute/clean/stages: the stages in order, from a raw export to CleanResult (the package's facade)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.compute import clean
from analysis.compute.clean import stages
from analysis.compute.clean.log import CleaningLog

CB = default_codebook()


def _export(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Raw headers; every answer 'Nej' or its scale's first label unless a row says otherwise."""
    base = {v.id: next(iter(v.labels)) for v in CB.variables if v.is_coded}
    base.update(started_at="2019-03-01 09:00", ciso_share="", self_rating="", comment="", respondent_name="")
    out = [{**base, **r} for r in rows]
    return pd.DataFrame(out).rename(columns={v.id: v.header for v in CB.variables}).astype("str")


def test_the_facade_is_the_stages_clean():
    assert clean.clean is stages.clean and clean.CleanResult is stages.CleanResult


def test_receive_counts_the_rows_and_refuses_a_header_only():
    log = CleaningLog()
    got = stages.receive(pd.DataFrame({"a": ["1", "2"]}, index=[5, 9]), Path("dir/x.csv"), log)
    assert got.index.tolist() == [0, 1]
    assert log.frame()[["action", "count", "detail"]].values.tolist() == [["rows_read", 2, "data rows in x.csv"]]
    with pytest.raises(InputError, match="header only"):
        stages.receive(pd.DataFrame({"a": []}), Path("x.csv"), CleaningLog())


def test_three_rows_two_municipalities(register):
    raw = _export([
        {"response_id": "A", "submitted_at": "2019-03-02 10:00", "municipality_name": "Ale", "ciso": "Ja",
         "ciso_share": "40"},
        {"response_id": "B", "submitted_at": "2019-03-03 10:00", "municipality_name": "Ale kommun", "ciso": "Nej"},
        {"response_id": "C", "submitted_at": "", "municipality_name": "Bjuv", "respondent_name": "Anna Berg"},
    ])
    r = stages.clean(raw, register, CB, "export.csv", raw_sha256="abc")
    assert r.responses["raw_row"].tolist() == [3] and r.responses["kommunkod"].tolist() == ["1440"]
    assert r.run_info["counts"] == {"rows_read": 3, "rows_dropped": 2, "respondents": 1, "municipalities": 290,
                                    "non_respondents": 289}
    assert r.run_info["raw_sha256"] == "abc" and r.run_info["synthetic"] is False
    a = r.analysis.set_index("kommunkod")
    assert a.loc["1440", "ciso"] == False and a["responded"].sum() == 1  # noqa: E712  (the later submission)
    steps = list(dict.fromkeys(r.log["step"]))
    assert steps == ["read", "columns", "match", "dedup", "map", "result"]
    assert "Anna" not in r.log.to_csv() and "A" not in set(r.log["detail"])
