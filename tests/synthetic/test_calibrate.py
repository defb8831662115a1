"""synthetic.calibrate: the expected shares equal the targets (checked here with adaptive quadrature
over u, not the Gauss-Hermite rule the calibration uses), the non-response probabilities sum to the
number of non-respondents, and the truth file reports the published targets."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from analysis.synthetic import calibrate, generator
from analysis.synthetic.parameters import GOVERNANCE, LATENT_LOADING, MATURITY_SLOPE, N_RESPONDENTS


def test_calibration_is_exact(default_export, codebook):
    _, truth = default_export
    for item, share in codebook.published_shares().items():
        assert truth["expected_shares"][item] == pytest.approx(share, abs=1e-9)
        assert truth["published_shares"][item] == share


@pytest.fixture(scope="module")
def cal(register, codebook):
    lp, is_c = generator.frame_keys(register)
    return calibrate.calibrate(lp, is_c, tuple(sorted(calibrate.targets(codebook).items()))), lp, is_c


def test_governance_shares_by_adaptive_quadrature(cal, codebook):
    c, lp, _ = cal
    z = (np.asarray(lp) - c["mean"]) / c["sd"]
    w = c["pi"] / c["pi"].sum()
    tgt = calibrate.targets(codebook)
    for k in GOVERNANCE:
        a, d = c["alpha"][k], MATURITY_SLOPE[k]
        per_mun = [integrate.quad(lambda u, zi=zi, a=a, d=d: calibrate.logistic(a + d * (LATENT_LOADING * zi + u))
                                  * np.exp(-u * u / 2) / np.sqrt(2 * np.pi), -12, 12, epsabs=1e-12)[0]
                   for zi in z[::29]]
        # the quadrature at every 29th municipality equals the calibration's P(yes) there
        np.testing.assert_allclose(per_mun, c["p_yes"][k][::29], atol=1e-9)
        assert float(w @ c["p_yes"][k]) == pytest.approx(tgt[k], abs=1e-9)


def test_response_probabilities_sum_to_the_nonrespondents(cal):
    c, _, is_c = cal
    assert c["q"].sum() == pytest.approx(len(is_c) - N_RESPONDENTS, abs=1e-9)
    assert ((c["q"] > 0) & (c["q"] < 1)).all()
    q_c, q_other = c["q"][np.asarray(is_c)].mean(), c["q"][~np.asarray(is_c)].mean()
    assert q_c > q_other  # group C answers less often


def test_logistic():
    assert calibrate.logistic(0.0) == 0.5
    assert calibrate.logistic(np.log(3.0)) == pytest.approx(0.75)
