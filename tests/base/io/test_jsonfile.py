"""Tests of analysis.base.io.jsonfile: strict JSON (NaN as null), sorted keys, unknown provenance synthetic."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.base import io
from analysis.base.io import jsonfile
from conftest import strict_load as _strict_load


def test_strict_json_turns_nan_na_and_numpy_into_plain_json():
    obj = {"a": float("nan"), "b": (np.float64("-inf"), pd.NA, np.int64(3), np.bool_(True)), 2: "x"}
    assert jsonfile.strict_json(obj) == {"a": None, "b": [None, None, 3, True], "2": "x"}
    assert type(jsonfile.strict_json(np.int64(3))) is int


def test_json_text_is_sorted_indented_and_refuses_nothing_strict_json_cannot_hold():
    text = jsonfile.json_text({"b": 1, "a": {"å": float("nan")}})
    assert text == '{\n  "a": {\n    "å": null\n  },\n  "b": 1\n}\n'
    json.loads(text)  # valid JSON
    with pytest.raises(TypeError):
        jsonfile.json_text({"a": object()})


def test_write_then_read_and_a_missing_file_reads_as_empty(tmp_path):
    path = jsonfile.write_json({"n": np.int64(290), "rate": np.nan}, tmp_path / "x" / "s.json")
    assert jsonfile.read_json(path) == {"n": 290, "rate": None}
    assert jsonfile.read_json(tmp_path / "absent.json") == {}


def test_unknown_provenance_counts_as_synthetic():
    assert jsonfile.is_synthetic({}) is True
    assert jsonfile.is_synthetic({"synthetic": False}) is False
    assert jsonfile.is_synthetic({"synthetic": True}) is True


def test_write_json_turns_nan_into_null(tmp_path):
    import numpy as np

    path = io.write_json({"a": float("nan"), "b": [np.float64("inf"), pd.NA, np.int64(3)]}, tmp_path / "x.json")
    assert _strict_load(path) == {"a": None, "b": [None, None, 3]}
