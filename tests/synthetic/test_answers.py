"""synthetic.answers: the governance codes (leadership_informed on its three levels), an area's level
from its yes/no draw, the self-rating range and the CISO share blank without a CISO."""

from __future__ import annotations

import numpy as np

from analysis.synthetic import answers
from analysis.synthetic.parameters import CISO_SHARE_VALUES, P_INFORMED_WHEN_NEEDED, PREDICTORS


def _yes(n, seed):
    rng = np.random.default_rng(seed)
    return {k: (rng.random(n) < 0.5).astype(np.int8) for k in ("ciso", *PREDICTORS)}


def test_governance_codes():
    yes = _yes(20_000, 1)
    codes = answers.governance_codes(yes, np.random.default_rng(2))
    li = codes["leadership_informed"]
    assert ((li == 2) == (yes["leadership_informed"] == 1)).all()
    not_yes = li[yes["leadership_informed"] == 0]
    assert set(np.unique(not_yes)) == {0, 1}
    assert abs((not_yes == 1).mean() - P_INFORMED_WHEN_NEEDED) < 0.02  # "Ja, vid behov"
    for k in ("ciso", *PREDICTORS):
        if k != "leadership_informed":
            assert (codes[k] == yes[k]).all(), k


def test_area_levels_follow_the_yes_no_draw():
    y = (np.random.default_rng(3).random(5000) < 0.4).astype(np.int8)
    lev = answers.area_codes(y, np.random.default_rng(4))
    assert ((lev >= 3) == (y == 1)).all() and lev.min() >= 0 and lev.max() <= 4
    assert abs((lev[y == 1] == 3).mean() - 0.65) < 0.03 and abs((lev[y == 0] == 2).mean() - 0.45) < 0.03


def test_self_rating_and_ciso_share():
    n = 4000
    yes = _yes(n, 5)
    established = np.random.default_rng(6).integers(0, 8, n)
    rating, share = answers.rating_and_share(established, yes, np.random.default_rng(7).normal(size=n),
                                             np.random.default_rng(8))
    assert rating.min() >= 1 and rating.max() <= 5
    assert rating[established >= 6].mean() > rating[established <= 1].mean() + 1
    assert ((share == -1) == (yes["ciso"] == 0)).all() and share.max() < len(CISO_SHARE_VALUES)
