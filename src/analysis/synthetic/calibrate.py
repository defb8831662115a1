"""The seed-free calibration (cached): the response probabilities, the governance intercepts and the
area intercepts of 2019 solved against the target shares, and the gains of the 2023 transitions.

The method (expected shares among respondents, Gauss-Hermite over u, the 16 item combinations exactly;
2023 in closed form) is the generator's docstring's "Calibration" and item 9.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..base.codebook import Codebook
from .parameters import (
    AREAS,
    ASSUMED_SHARES,
    EFFECTS,
    GH_NODES,
    GOVERNANCE,
    LATENT_LOADING,
    MATURITY_SLOPE,
    N_RESPONDENTS,
    PERSISTENCE_2023,
    PREDICTORS,
    RESPONSE_2023,
    RESPONSE_GROUP_C,
    RESPONSE_SLOPE_Z,
    SIZE_TERM,
)


def logistic(x):
    """1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-x))


def targets(cb: Codebook) -> dict[str, float]:
    """The 2019 target shares: the codebook's published shares and ASSUMED_SHARES."""
    t = dict(cb.published_shares())
    t.update(ASSUMED_SHARES)
    return t


def response_probabilities(z: np.ndarray, is_c: np.ndarray, n_respondents: int, slope_z: float,
                           group_c: float) -> tuple[float, np.ndarray]:
    """theta0 and the non-response probabilities q (summing to the number of non-respondents)."""
    from scipy.optimize import brentq  # noqa: PLC0415  heavy: the synthesize command's only scipy use

    n_non = len(z) - n_respondents
    theta0 = brentq(lambda t: logistic(t + slope_z * z + group_c * is_c).sum() - n_non, -30, 30, xtol=1e-14)
    q = logistic(theta0 + slope_z * z + group_c * is_c)
    return float(theta0), q * (n_non / q.sum())


def _governance(w: np.ndarray, m: np.ndarray, gh_w: np.ndarray, tgt: dict) -> tuple[dict, dict]:
    """alpha_k solved so that the expected share among respondents is the target; P(x_k = 1 | m)."""
    from scipy.optimize import brentq  # noqa: PLC0415  heavy: see response_probabilities

    alpha, p_given_m = {}, {}
    for k in GOVERNANCE:
        d = MATURITY_SLOPE[k]

        def share(a, d=d):
            return float(w @ (logistic(a + d * m) @ gh_w))

        alpha[k] = brentq(lambda a, share=share, target=tgt[k]: share(a) - target, -30, 30, xtol=1e-14)
        p_given_m[k] = logistic(alpha[k] + d * m)
    return alpha, p_given_m


def _item_combinations(p_given_m: dict, gh_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 16 combinations of the four predictors and P(combination | municipality), u integrated out."""
    n, k_nodes = next(iter(p_given_m.values())).shape
    combos = np.array([[(c >> b) & 1 for b in range(4)] for c in range(16)], dtype=float)  # (16, 4)
    joint = np.ones((n, k_nodes, 16))
    for b, k in enumerate(PREDICTORS):
        p = p_given_m[k][:, :, None]
        joint *= np.where(combos[None, None, :, b] == 1, p, 1 - p)
    return combos, np.einsum("ikc,k->ic", joint, gh_w)  # (n, 16)


def _areas(w: np.ndarray, lp_a: np.ndarray, combos: np.ndarray, pbar: np.ndarray, tgt: dict):
    """c_j solved against each area's target; the expected shares and P(yes)_i per area."""
    from scipy.optimize import brentq  # noqa: PLC0415  heavy: see response_probabilities

    intercepts, expected, p_yes = {}, {}, {}
    for j in AREAS:
        beta = np.array([EFFECTS[j][t] for t in PREDICTORS])
        eta0 = (combos @ beta)[None, :] + EFFECTS[j][SIZE_TERM] * lp_a[:, None]

        def area_share(c, eta0=eta0):
            return float(w @ (pbar * logistic(c + eta0)).sum(axis=1))

        intercepts[j] = brentq(lambda c, area_share=area_share, target=tgt[j]: area_share(c) - target, -60, 60,
                               xtol=1e-14)
        expected[j] = area_share(intercepts[j])
        p_yes[j] = (pbar * logistic(intercepts[j] + eta0)).sum(axis=1)
    return intercepts, expected, p_yes


@lru_cache(maxsize=8)
def calibrate(lp: tuple[float, ...], is_c: tuple[bool, ...], targets: tuple[tuple[str, float], ...]) -> dict:
    """The 2019 calibration for a frame (log population, group C flags) and sorted target items."""
    lp_a = np.asarray(lp, dtype=float)
    c_a = np.asarray(is_c, dtype=float)
    mean, sd = float(lp_a.mean()), float(lp_a.std())
    z = (lp_a - mean) / sd
    theta0, q = response_probabilities(z, c_a, N_RESPONDENTS, RESPONSE_SLOPE_Z, RESPONSE_GROUP_C)
    pi = 1.0 - q
    w = pi / pi.sum()

    nodes, gh_w = np.polynomial.hermite_e.hermegauss(GH_NODES)
    gh_w = gh_w / gh_w.sum()
    m = LATENT_LOADING * z[:, None] + nodes[None, :]  # (n, K)
    tgt = dict(targets)
    alpha, p_given_m = _governance(w, m, gh_w, tgt)
    combos, pbar = _item_combinations(p_given_m, gh_w)
    intercepts, expected, p_yes = _areas(w, lp_a, combos, pbar, tgt)
    for k in GOVERNANCE:
        expected[k] = float(w @ (p_given_m[k] @ gh_w))
        p_yes[k] = p_given_m[k] @ gh_w
    return {"mean": mean, "sd": sd, "theta0": float(theta0), "q": q, "pi": pi,
            "alpha": alpha, "intercepts": intercepts, "expected": expected, "p_yes": p_yes}


@lru_cache(maxsize=8)
def calibrate_2023(lp: tuple[float, ...], is_c: tuple[bool, ...], targets: tuple[tuple[str, float], ...],
                   targets_2023: tuple[tuple[str, float], ...]) -> dict:
    """Response probabilities of 2023 and the gains of the transitions (seed-free, cached)."""
    cal = calibrate(lp, is_c, targets)
    lp_a, c_a = np.asarray(lp, dtype=float), np.asarray(is_c, dtype=float)
    z = (lp_a - cal["mean"]) / cal["sd"]
    n_resp = RESPONSE_2023["n_respondents"]
    theta0, q = response_probabilities(z, c_a, n_resp, RESPONSE_2023["slope_z"], RESPONSE_2023["group_C"])
    pi = 1.0 - q
    gain, expected, expected_2019 = {}, {}, {}
    for k, target in targets_2023:
        keep = PERSISTENCE_2023[k]
        a = float(pi @ cal["p_yes"][k]) / n_resp  # expected 2019 share among the 2023 respondents
        g = (target - keep * a) / (1.0 - a)
        if not 0.0 <= g <= 1.0:
            raise ValueError(f"2023 target {target} for {k} cannot be reached with P(kept) = {keep} "
                             f"(needs P(gained) = {g:.3f})")
        gain[k] = g
        expected[k] = float(pi @ (g + (keep - g) * cal["p_yes"][k])) / n_resp
        expected_2019[k] = a
    return {"theta0": theta0, "q": q, "pi": pi, "gain": gain, "expected": expected,
            "expected_2019_among_2023_respondents": expected_2019}
