"""compute.models.verdicts: the verdict rule on hand-made families of tests, and the verdicts table's
numbers recomputed from a claim-tests table made here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.compute.models import verdicts


def _fam(orr, lo, hi, q):
    return pd.DataFrame({"odds_ratio": orr, "ci_low": lo, "ci_high": hi, "q_value": q})


def test_verdict_rule():
    decide = verdicts.decide
    assert decide(_fam([2, 1.5, 0.9], [1.2, 0.8, 0.5], [3, 2.5, 1.6], [0.01, 0.2, 0.6])) == "supported"
    # every upper limit below 1.25: a meaningful positive association is ruled out
    assert decide(_fam([1.0, 1.05], [0.9, 0.95], [1.1, 1.2], [0.9, 0.9])) == "contradicted"
    # significant in the opposite direction
    assert decide(_fam([0.5, 1.5], [0.3, 0.9], [0.8, 2.5], [0.01, 0.3])) == "contradicted"
    # positive but not significant, wide intervals: not shown
    assert decide(_fam([1.5, 1.4], [0.8, 0.9], [2.9, 2.5], [0.3, 0.3])) == "not_shown"
    # one significant of two but not more than half above 1
    assert decide(_fam([2.0, 0.9], [1.1, 0.5], [3.6, 1.6], [0.02, 0.7])) == "not_shown"
    assert decide(_fam([3.6], [2.1], [6.1], [1e-6])) == "supported"


def _claim_tests():
    """A claim-tests table: leadership with three decisive tests and two supporting, resources with one."""
    rows = []
    for role, orr, q, ame in (("decisive", 2.0, 0.01, 5.0), ("decisive", 1.5, 0.20, 3.0), ("decisive", 0.9, 0.60, -1.0),
                              ("supporting", 1.3, 0.03, np.nan), ("supporting", 0.8, 0.40, np.nan)):
        rows.append({"claim": "leadership", "role": role, "odds_ratio": orr, "ci_low": orr / 2, "ci_high": orr * 2,
                     "p_value": q / 2, "q_value": q, "ame": ame, "n": 200 if orr > 1 else 180, "test_alpha": 0.05 / 3,
                     "mde_odds_ratio": 1.5 + orr / 10, "power_meaningful": 0.2 + orr / 10})
    rows.append({"claim": "resources_self_rating", "role": "decisive", "odds_ratio": 1.1, "ci_low": 0.8,
                 "ci_high": 1.2, "p_value": 0.5, "q_value": 0.5, "ame": np.nan, "n": 230, "test_alpha": 0.05,
                 "mde_odds_ratio": 1.6, "power_meaningful": 0.3})
    rows.append({**rows[-1], "claim": "collaboration"})
    return pd.DataFrame(rows)


def test_verdict_table_numbers():
    v = verdicts.verdict_table(pd.DataFrame(), claim_tests=_claim_tests()).set_index("claim")
    assert list(v.columns) == verdicts.VERDICT_COLUMNS[1:]
    lead = v.loc["leadership"]
    assert lead["verdict"] == "supported" and lead["n_tests"] == 3 and lead["n_or_above_1"] == 2
    assert lead["n_q_below_alpha_positive"] == 1 and lead["n_q_below_alpha_negative"] == 0
    assert lead["median_odds_ratio"] == 1.5 and lead["max_ci_high"] == 4.0 and lead["median_ame"] == 3.0
    assert pd.isna(lead["odds_ratio"]) and lead["n_min"] == 180 and lead["n_max"] == 200
    assert lead["mde_min"] == pytest.approx(1.59) and lead["power_meaningful_max"] == pytest.approx(0.4)
    assert lead["n_supporting"] == 2 and lead["n_supporting_or_above_1"] == 1
    assert lead["n_supporting_q_below_alpha_positive"] == 1
    res = v.loc["resources_self_rating"]
    assert res["verdict"] == "contradicted"  # the upper limit 1.2 is below MEANINGFUL_OR = 1.25
    assert (res["odds_ratio"], res["ci_low"], res["ci_high"], res["p_value"]) == (1.1, 0.8, 1.2, 0.5)
    assert pd.isna(res["median_ame"]) and res["n_supporting"] == 0
    assert res["power"] == 0.8 and res["meaningful_odds_ratio"] == 1.25 and res["alpha"] == 0.05
