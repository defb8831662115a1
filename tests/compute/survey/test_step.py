"""analysis.compute.survey.step: describe_summary.json on a hand-made frame (numbers worked by
hand), and on the default synthetic data: no weight or share that says a hidden count."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.compute.survey import step

# X: 6 municipalities, 3 responded (weight 2); Y: 6, all responded (weight 1), its row hidden
FRAME = pd.DataFrame({"kommungrupp": ["X"] * 6 + ["Y"] * 6, "huvudgrupp": ["H"] * 12,
                      "responded": [True, False] * 3 + [True] * 6,
                      "folkmangd": [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200]})
RESPONSE = pd.DataFrame({"grouping": ["all", "kommungrupp", "kommungrupp"], "group": ["all", "X", "Y"],
                         "N": [12, 6, 6], "respondents": [9, 3, pd.NA], "rate": [0.75, 0.5, pd.NA],
                         "suppressed": [False, False, True]})


def test_summary_by_hand():
    s = step.summary(FRAME, {"response": RESPONSE}, alpha=0.1, min_cell=5, synthetic=True)
    assert (s["step"], s["synthetic"], s["alpha"], s["min_cell"]) == ("02_describe", True, 0.1, 5)
    assert (s["n_municipalities"], s["n_respondents"], s["response_rate"]) == (12, 9, 0.75)
    assert s["weights"] == {"X": 2.0}  # Y's weight 6 / 6 would say its hidden count
    prof = s["respondent_profile"]
    # respondents' populations: 100, 300, 500 and 700..1200
    assert prof["population_median"] == {"all": 650.0, "respondents": 800.0}
    assert prof["population_mean"]["respondents"] == pytest.approx((900 + 5700) / 9)
    assert prof["group_share"] == {"X": {"all": 0.5, "respondents": round(3 / 9, 4)},
                                   "Y": {"all": 0.5, "respondents": None}}
    assert s["not_estimable"] == {}


def test_summary_gives_no_weight_or_share_that_says_a_hidden_count(synthetic_analysis):
    tables = step.compute(synthetic_analysis, 0.05, 5)
    s = step.summary(synthetic_analysis, tables, alpha=0.05, min_cell=5, synthetic=True)
    assert "A1" not in s["weights"] and "A2" not in s["weights"]
    assert set(s["respondent_profile"]["group_share"]) == set(
        tables["response"].loc[tables["response"]["grouping"] == "kommungrupp", "group"])
