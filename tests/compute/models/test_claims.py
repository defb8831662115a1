"""compute.models.claims: the claim map is data (leadership by the primary family, collaboration by the
maturity-index models, resources by one test), and the claim-tests table's q-values, SEs and MDEs."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.compute.models import claims
from analysis.compute.models.estimate import fit_all
from analysis.compute.models.power import minimum_detectable_or
from analysis.compute.models.specs import OUTCOMES, PRIMARY_TERMS
from analysis.compute.models.table import bh_qvalues, primary_family
from analysis.compute.models.verdicts import VERDICTS, decide, verdict_table


def test_claim_map_and_claim_tests_table(analysis_frame):
    """The map is data: leadership is decided by the 14 primary tests, collaboration by the two
    maturity-index models (the seven areas support it), resources by one test; q within each group."""
    assert set(claims.CLAIM_TESTS["leadership"]["decisive"]) == set(OUTCOMES)
    assert claims.CLAIM_TESTS["leadership"]["terms"] == PRIMARY_TERMS
    assert claims.CLAIM_TESTS["collaboration"]["decisive"] == ("maturity_index_binomial", "maturity_index_ordinal")
    assert claims.CLAIM_TESTS["collaboration"]["supporting"] == OUTCOMES
    assert claims.CLAIM_TESTS["resources_self_rating"]["decisive"] == ("self_rating_ordinal",)
    t = fit_all(analysis_frame(), specs=("main",))
    ct = claims.claim_test_table(t)
    assert list(ct.columns) == claims.CLAIM_TEST_COLUMNS
    lead = ct[(ct["claim"] == "leadership") & (ct["role"] == "decisive")].set_index(["outcome", "term"])
    prim = t[primary_family(t)].set_index(["outcome", "term"])
    assert len(lead) == 14
    np.testing.assert_allclose(lead.loc[prim.index, "q_value"], prim["q_value"])  # the same BH family
    for (claim, role), g in ct.groupby(["claim", "role"]):
        expected = bh_qvalues(g["p_value"]) if len(g) > 1 else g["p_value"].to_numpy()
        np.testing.assert_allclose(g["q_value"], expected, err_msg=f"{claim} {role}")
        assert (g["m_tests"] == len(g)).all() and np.allclose(g["test_alpha"], 0.05 / len(g))
    # SE from the Wald interval, MDE from the SE
    se = (np.log(ct["ci_high"]) - np.log(ct["ci_low"])) / (2 * 1.959963984540054)
    np.testing.assert_allclose(ct["se_log_or"], se, rtol=1e-9)
    np.testing.assert_allclose(ct["mde_odds_ratio"], minimum_detectable_or(se, ct["test_alpha"]))
    v = verdict_table(t, claim_tests=ct).set_index("claim")
    assert list(v.index) == list(claims.CLAIMS) and set(v["verdict"]) <= set(VERDICTS)
    col = ct[(ct["claim"] == "collaboration") & (ct["role"] == "decisive")]
    assert v.loc["collaboration", "verdict"] == decide(col)
    assert v.loc["collaboration", "n_tests"] == 2 and v.loc["collaboration", "n_supporting"] == 7
    assert v.loc["collaboration", "mde_min"] == pytest.approx(col["mde_odds_ratio"].min())


def test_a_claim_whose_rows_are_missing_is_refused(analysis_frame):
    t = fit_all(analysis_frame(seed=8), specs=("main",))
    main = t[(t["spec"] == "main") & (t["outcome"] != "self_rating_ordinal")]
    with pytest.raises(ValueError, match="claim 'resources_self_rating' needs main-spec rows"):
        claims.claim_tests(main, "resources_self_rating", "decisive")
    rows = claims.claim_tests(t[t["spec"] == "main"], "collaboration", "decisive")
    assert list(zip(rows["outcome"], rows["term"], strict=True)) == [
        ("maturity_index_binomial", "collaboration"), ("maturity_index_ordinal", "collaboration")]
