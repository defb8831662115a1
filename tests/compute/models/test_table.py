"""compute.models.table: BH q-values by hand, q-values on the primary family only, and the rows of a
fit (odds ratios as exp of the coefficients, disclosure and sparse-group omissions)."""

from __future__ import annotations

import numpy as np

from analysis.compute.models import table
from analysis.compute.models.estimate import fit_all
from analysis.compute.models.glm import fit_binary


def test_bh_qvalues_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20, 0.005])
    # sorted: 0.005, 0.01, 0.03, 0.04, 0.20 -> p*m/rank: 0.025, 0.025, 0.05, 0.05, 0.20; cummin from top
    expected = np.array([0.025, 0.05, 0.05, 0.20, 0.025])
    np.testing.assert_allclose(table.bh_qvalues(p), expected)


def test_primary_family_gets_qvalues_only(analysis_frame):
    t = fit_all(analysis_frame(), specs=("main", "unweighted"))
    fam = table.primary_family(t)
    assert fam.sum() == 14
    assert t.loc[fam, "q_value"].notna().all() and t.loc[~fam, "q_value"].isna().all()
    np.testing.assert_allclose(t.loc[fam, "q_value"], table.bh_qvalues(t.loc[fam, "p_value"]))
    assert list(t.columns) == table.COLUMNS


def test_fit_rows_are_odds_ratios_and_leave_out_small_cells(sim):
    X, y, w = sim(seed=9)
    f = fit_binary(y, X, w)
    rows = table.fit_rows(f, "main", "y").set_index("term")
    assert "const" not in rows.index and list(rows.index) == list(X.columns[1:])
    np.testing.assert_allclose(rows["odds_ratio"], np.exp(f.params[rows.index]))
    np.testing.assert_allclose(rows["ci_low"], np.exp(f.ci.loc[rows.index, "low"]))
    assert rows["weighted"].all() and (rows["n"] == len(X)).all() and rows["q_value"].isna().all()
    counts = {"huvudgrupp_B": 4, "huvudgrupp_C": 120}
    kept = table.fit_rows(f, "main", "y", group_n=counts, min_cell=5, omit=("resources",))["term"]
    assert "huvudgrupp_B" not in set(kept) and "huvudgrupp_C" in set(kept) and "resources" not in set(kept)
