"""The verdict rule on a claim's decisive tests and the verdicts table (tables/verdicts.csv): the
verdict code of each claim and the numbers it rests on; the report words them.

Verdict on the decisive tests (claims.CLAIM_TESTS; q-values as in claims.claim_test_table):
* "supported": at least one test has q < alpha with OR > 1, the OR is above 1 in more than half of
  the tests, and no test has q < alpha with OR < 1;
* "contradicted": a test has q < alpha with OR < 1 (an association in the opposite direction), or
  every interval's upper limit is below MEANINGFUL_OR (the data rule out a meaningful positive
  association; at these sample sizes practically out of reach, as the power statement shows);
* "not_shown": otherwise: the data neither show the association nor rule it out.
Every verdict carries the power statement of its decisive tests (compute.models.power). The rule
lives in `decide` only; a stricter rule changes it there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .claims import CLAIMS, claim_test_table
from .power import MEANINGFUL_OR, POWER

VERDICTS = ("supported", "not_shown", "contradicted")
VERDICT_COLUMNS = ["claim", "verdict", "n_tests", "n_or_above_1", "n_q_below_alpha_positive",
                   "n_q_below_alpha_negative", "median_odds_ratio", "min_odds_ratio", "max_odds_ratio",
                   "max_ci_high", "median_ame", "odds_ratio", "ci_low", "ci_high", "p_value", "n_min", "n_max",
                   "alpha", "test_alpha", "power", "mde_min", "mde_max", "power_meaningful_min",
                   "power_meaningful_max", "meaningful_odds_ratio", "n_supporting", "n_supporting_or_above_1",
                   "n_supporting_q_below_alpha_positive"]


def decide(rows: pd.DataFrame, alpha: float = 0.05, q_col: str = "q_value") -> str:
    """The verdict rule (module docstring) on the decisive tests of one claim: a VERDICTS code."""
    q, orr, hi = rows[q_col].to_numpy(float), rows["odds_ratio"].to_numpy(float), rows["ci_high"].to_numpy(float)
    sig_pos, sig_neg = int(((q < alpha) & (orr > 1)).sum()), int(((q < alpha) & (orr < 1)).sum())
    if sig_neg > 0 or np.all(hi < MEANINGFUL_OR):
        return "contradicted"
    if sig_pos >= 1 and (orr > 1).sum() > len(orr) / 2:
        return "supported"
    return "not_shown"


def _single(fam: pd.DataFrame) -> dict[str, float]:
    """odds_ratio ... p_value of a one-test claim; NaN for a family of tests."""
    keys = ("odds_ratio", "ci_low", "ci_high", "p_value")
    if len(fam) != 1:
        return {k: np.nan for k in keys}
    return {k: float(fam.iloc[0][k]) for k in keys}


def _decisive(fam: pd.DataFrame, alpha: float) -> dict:
    """The verdict and the numbers of the decisive tests."""
    q, orr = fam["q_value"].to_numpy(float), fam["odds_ratio"].to_numpy(float)
    return {
        "verdict": decide(fam, alpha, "q_value"), "n_tests": len(fam),
        "n_or_above_1": int((orr > 1).sum()),
        "n_q_below_alpha_positive": int(((q < alpha) & (orr > 1)).sum()),
        "n_q_below_alpha_negative": int(((q < alpha) & (orr < 1)).sum()),
        "median_odds_ratio": float(np.median(orr)), "min_odds_ratio": float(orr.min()),
        "max_odds_ratio": float(orr.max()), "max_ci_high": float(fam["ci_high"].max()),
        "median_ame": float(fam["ame"].median()) if fam["ame"].notna().any() else np.nan,
        **_single(fam),
        "n_min": int(fam["n"].min()), "n_max": int(fam["n"].max()), "alpha": float(alpha),
        "test_alpha": float(fam["test_alpha"].iloc[0]), "power": POWER,
        "mde_min": float(fam["mde_odds_ratio"].min()), "mde_max": float(fam["mde_odds_ratio"].max()),
        "power_meaningful_min": float(fam["power_meaningful"].min()),
        "power_meaningful_max": float(fam["power_meaningful"].max()),
        "meaningful_odds_ratio": MEANINGFUL_OR,
    }


def _supporting(sup: pd.DataFrame, alpha: float) -> dict:
    """How many supporting tests there are, and how many point the same way (significant or not)."""
    return {"n_supporting": int(len(sup)), "n_supporting_or_above_1": int((sup["odds_ratio"] > 1).sum()),
            "n_supporting_q_below_alpha_positive": int(((sup["q_value"] < alpha) & (sup["odds_ratio"] > 1)).sum())}


def verdict_table(table: pd.DataFrame, alpha: float = 0.05, claim_tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim (VERDICT_COLUMNS): the verdict code and the numbers it rests on.

    Numbers only; the report words them. odds_ratio ... p_value are filled for one-test claims;
    mde_* and power_meaningful_* span the decisive tests; n_supporting_* summarise the supporting ones.
    """
    ct = claim_test_table(table, alpha) if claim_tests is None else claim_tests
    rows = []
    for cid in CLAIMS:
        fam = ct[(ct["claim"] == cid) & (ct["role"] == "decisive")]
        sup = ct[(ct["claim"] == cid) & (ct["role"] == "supporting")]
        rows.append({"claim": cid, **_decisive(fam, alpha), **_supporting(sup, alpha)})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
