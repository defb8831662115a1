"""analysis.compute.design: who responded, the respondents, answers as floats, N_h, and the design
weights N_h / n_h (worked by hand on a 16-row frame: stratum a N = 10 with 4 respondents, b N = 6 with 3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.compute import design

FRAME = pd.DataFrame({"kommungrupp": pd.Categorical(["a"] * 10 + ["b"] * 6),
                      "responded": [True] * 4 + [False] * 6 + [True] * 3 + [False] * 3})


def test_design_weights_are_N_over_n_and_nan_for_nonrespondents():
    df = FRAME
    w = design.design_weights(df)
    assert w.index.equals(df.index)
    assert w.iloc[:4].tolist() == [2.5] * 4 and w.iloc[10:13].tolist() == [2.0] * 3
    assert w[~df["responded"]].isna().all()
    assert w.sum() == pytest.approx(16)


def test_design_weights_reject_missing_stratum():
    df = pd.DataFrame({"kommungrupp": ["a", None], "responded": [True, True]})
    with pytest.raises(ValueError, match="missing"):
        design.design_weights(df)


def test_missing_response_counts_as_not_responded():
    df = pd.DataFrame({"kommungrupp": ["a", "a", "a", "b"],
                       "responded": pd.array([True, pd.NA, False, True], dtype="boolean")}, index=[7, 3, 5, 1])
    mask = design.is_respondent(df)
    assert mask.dtype == bool and mask.index.equals(df.index) and mask.tolist() == [True, False, False, True]
    assert design.respondents(df).index.tolist() == [7, 1]
    # the weights follow the same rule: a has 1 respondent of 3, b 1 of 1
    np.testing.assert_array_equal(design.design_weights(df).to_numpy(), [3.0, np.nan, np.nan, 1.0])


def test_stratum_sizes_count_every_row_and_weights_say_n_h():
    assert design.stratum_sizes(FRAME) == {"a": 10, "b": 6}
    assert design.stratum_weights(FRAME) == {"a": 2.5, "b": 2.0}
    nobody = FRAME.assign(responded=[True] * 4 + [False] * 12)  # nobody in b responded: no weight
    w = design.stratum_weights(nobody)
    assert w["a"] == 2.5 and math.isnan(w["b"])


def test_as_float_keeps_yes_no_and_missing():
    got = design.as_float(pd.array([True, False, pd.NA], dtype="boolean"))
    np.testing.assert_array_equal(got, [1.0, 0.0, np.nan])
    np.testing.assert_array_equal(design.as_float(pd.array([3, pd.NA, 0], dtype="Int8")), [3.0, np.nan, 0.0])
    np.testing.assert_array_equal(design.as_float(np.array([True, False])), [1.0, 0.0])
    assert design.as_float([0.5, None]).dtype == float and np.isnan(design.as_float([0.5, None])[1])


def test_item_weights_count_only_the_item_respondents_of_each_stratum():
    # stratum a: 10 municipalities, 4 respondents of whom 3 answered; b: 6, 3 respondents, 1 answered
    item = [1.0, 0.0, np.nan, 1.0] + [np.nan] * 6 + [np.nan, 0.0, np.nan] + [np.nan] * 3
    df = FRAME.assign(y=pd.array(item, dtype="Float64"))
    w = design.item_weights(df, "y")
    assert w.index.equals(df.index)
    np.testing.assert_array_equal(w.to_numpy()[:4], [10 / 3, 10 / 3, np.nan, 10 / 3])
    np.testing.assert_array_equal(w.to_numpy()[10:13], [np.nan, 6.0, np.nan])
    assert w[~df["responded"]].isna().all()
    assert w.sum() == pytest.approx(16)  # each stratum's item respondents stand for all N_h
