"""compute.models.design_se: the stratified sandwich by hand (stratum-centred scores, zero scores for
respondents outside the sample), and the table: strata change the SEs little, the FPC a lot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from analysis.compute.models import design_se
from analysis.compute.models.estimate import fit_all
from analysis.compute.models.glm import fit_binary


def test_stratified_cov_by_hand(sim):
    X, y, w = sim(n=120, seed=10)
    f = fit_binary(y, X, w)
    strata = pd.Series(np.where(np.arange(120) % 3 == 0, "h1", "h2"), index=X.index)
    n_h = {"h1": 50, "h2": 85}  # 10 and 5 respondents outside the model sample (zero scores)
    N_h = {"h1": 60, "h2": 100}
    wn = w / w.mean()
    Xv = X.to_numpy()
    p = expit(Xv @ f.params.to_numpy())
    U = Xv * (wn * (y - p))[:, None]
    H = (Xv * (wn * p * (1 - p))[:, None]).T @ Xv
    for Nh in (None, N_h):
        meat = np.zeros((X.shape[1], X.shape[1]))
        for h, nh in n_h.items():
            Uh = np.vstack([U[strata.to_numpy() == h], np.zeros((nh - int((strata == h).sum()), X.shape[1]))])
            D = Uh - Uh.mean(axis=0)
            meat += (1 if Nh is None else 1 - nh / Nh[h]) * nh / (nh - 1) * D.T @ D
        want = np.linalg.inv(H) @ meat @ np.linalg.inv(H)
        np.testing.assert_allclose(design_se.stratified_cov(f, strata, n_h, Nh).to_numpy(), want, rtol=1e-6)
    with pytest.raises(ValueError, match="no within-stratum variance"):
        design_se.stratified_cov(f, strata, {"h1": 1, "h2": 85})
    with pytest.raises(ValueError, match="weighted ML GLM"):
        design_se.stratified_cov(fit_binary(y, X, None), strata, n_h)


def test_design_se_table_strata_change_little_fpc_a_lot(analysis_frame):
    a = analysis_frame(seed=4)
    fits: dict = {}
    fit_all(a, specs=("main",), fits=fits)
    se = design_se.design_se_table(a, fits).set_index("variant")
    assert list(se.columns) == design_se.SE_DESIGN_COLUMNS[1:]
    assert 0.85 < se.loc["strata", "ratio_min"] <= se.loc["strata", "ratio_max"] < 1.15
    assert se.loc["strata_fpc", "ratio_max"] < 0.6  # 90 % responded: the FPC removes most of the variance
    ratios = design_se.design_se_ratios(a, fits)
    assert se.loc["strata", "n_terms"] == (ratios["variant"] == "strata").sum() > 0
    assert "const" not in set(ratios["term"])
