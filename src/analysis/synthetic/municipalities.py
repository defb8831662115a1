"""The 2019 frame drawn per municipality: who responds (exactly N_RESPONDENTS, by randomised systematic
PPS), the latent maturity, the governance items, the seven areas, the self-rating and the CISO share.

Items 1-6 of the generator's docstring, with its balanced (randomised systematic) Bernoulli draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .answers import area_codes, governance_codes, rating_and_share
from .calibrate import logistic
from .parameters import AREAS, EFFECTS, GOVERNANCE, LATENT_LOADING, MATURITY_SLOPE, N_RESPONDENTS, PREDICTORS, SIZE_TERM


def balanced_bernoulli(p: np.ndarray, order: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomised systematic sampling: y_i ~ Bernoulli(p_i) exactly; partial sums along `order` balanced."""
    c = np.cumsum(p[order])
    u = rng.random()
    hits = np.floor(c + u) - np.floor(np.concatenate([[0.0], c[:-1]]) + u)
    y = np.empty(len(p), dtype=np.int8)
    y[order] = hits.astype(np.int8)
    return y


def systematic_pps(q: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of exactly k units drawn without replacement with inclusion probabilities q (sum k)."""
    order = rng.permutation(len(q))
    c = np.cumsum(q[order])
    c[-1] = max(c[-1], float(k))  # guard against rounding below k
    points = rng.random() + np.arange(k)
    pos = np.searchsorted(c, points, side="right")
    chosen = order[pos]
    assert len(set(chosen.tolist())) == k
    return np.sort(chosen)


def draw_response(q: np.ndarray, n_respondents: int, rng: np.random.Generator) -> np.ndarray:
    """Who responds: True for all but len(q) - n_respondents units, those drawn by systematic_pps on q."""
    responded = np.ones(len(q), dtype=bool)
    responded[systematic_pps(q, len(q) - n_respondents, rng)] = False
    return responded


def respondents_first(responded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An order of the frame: the respondents first, each group in random order (balanced totals)."""
    return np.concatenate([rng.permutation(np.flatnonzero(responded)), rng.permutation(np.flatnonzero(~responded))])


def municipality_truth(register: pd.DataFrame, cal: dict, rng: np.random.Generator) -> dict:
    """Draw response, latent maturity and every answer's code per municipality (frame level)."""
    from scipy.special import ndtri  # noqa: PLC0415  heavy: the synthesize command's only scipy use

    n = len(register)
    lp = np.log(register["folkmangd"].to_numpy(dtype=float))
    z = (lp - cal["mean"]) / cal["sd"]
    responded = draw_response(cal["q"], N_RESPONDENTS, rng)
    u = ndtri((rng.permutation(n) + rng.random(n)) / n)  # Latin hypercube, each u_i ~ N(0, 1)
    m = LATENT_LOADING * z + u
    x = {k: balanced_bernoulli(logistic(cal["alpha"][k] + MATURITY_SLOPE[k] * m), respondents_first(responded, rng),
                               rng) for k in GOVERNANCE}
    codes = governance_codes(x, rng)
    X = np.column_stack([x[k] for k in PREDICTORS]).astype(float)
    established = np.zeros(n, dtype=int)
    for j in AREAS:
        beta = np.array([EFFECTS[j][t] for t in PREDICTORS])
        p = logistic(cal["intercepts"][j] + X @ beta + EFFECTS[j][SIZE_TERM] * lp)
        y = balanced_bernoulli(p, respondents_first(responded, rng), rng)
        established += y
        codes[j] = area_codes(y, rng)
    self_rating, share_idx = rating_and_share(established, x, z, rng)
    return {"responded": responded, "codes": codes, "self_rating": self_rating, "ciso_share_idx": share_idx, "z": z}
