"""SKR's claims mapped to the main-spec tests that decide them and those reported beside them
(CLAIM_TESTS, applied unchanged to every wave), and the table of those tests (tables/claim_tests.csv).

Each SKR claim is mapped, as data in CLAIM_TESTS, to the main-spec tests that decide it and to
supporting tests that are reported beside it:
* leadership ("successful work often goes with the leadership's active engagement"): decided by the
  pre-specified primary family, the primary items x the seven areas (14 tests, BH); supporting: both
  items in the two maturity-index models.
* resources_self_rating (a RESOURCES claim: SKR's "delegated without resources"; delegation is not
  measured, so only the "without resources" half is): decided by resources in the self-rating model
  (one test).
* collaboration ("municipalities that collaborate have come further"): "come further" is the
  maturity index, so it is decided by collaboration in the binomial and the ordinal maturity-index
  models (2 tests, BH); supporting: collaboration in the seven areas (7 tests, BH). (Until issue 12
  the verdict rested on the seven per-area tests only.)
Within each claim, decisive and supporting tests are adjusted separately (BH within the group; the
leadership family's q-values are models.csv's). The verdict on the decisive tests: verdicts.py. A new
kind of test (another model's rows in the models table) enters a claim here, as data.
"""

from __future__ import annotations

import pandas as pd

from .power import MEANINGFUL_OR, minimum_detectable_or, power_at, se_from_interval
from .specs import OUTCOMES, PRIMARY_TERMS
from .table import bh_qvalues

MATURITY_MODELS = ("maturity_index_binomial", "maturity_index_ordinal")
# The map from each SKR claim to its tests in the main spec (module docstring). "decisive" tests
# decide the verdict; "supporting" tests are reported beside it. BH within each group of tests.
CLAIM_TESTS: dict[str, dict[str, tuple[str, ...]]] = {
    "leadership": {"terms": PRIMARY_TERMS, "decisive": OUTCOMES, "supporting": MATURITY_MODELS},
    "resources_self_rating": {"terms": ("resources",), "decisive": ("self_rating_ordinal",), "supporting": ()},
    "collaboration": {"terms": ("collaboration",), "decisive": MATURITY_MODELS, "supporting": OUTCOMES},
}
CLAIMS = tuple(CLAIM_TESTS)
ROLES = ("decisive", "supporting")
CLAIM_TEST_COLUMNS = ["claim", "role", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value",
                      "ame", "n", "method", "m_tests", "test_alpha", "se_log_or", "mde_odds_ratio",
                      "power_meaningful"]


def claim_tests(main: pd.DataFrame, claim: str, role: str) -> pd.DataFrame:
    """The main-spec rows of one claim's decisive or supporting tests (CLAIM_TESTS order); ValueError
    naming the rows the models table lacks."""
    spec = CLAIM_TESTS[claim]
    keys = [(o, t) for o in spec[role] for t in spec["terms"]]
    idx = main.set_index(["outcome", "term"])
    missing = [k for k in keys if k not in idx.index]
    if missing:
        raise ValueError(f"models table: claim {claim!r} needs main-spec rows {missing}")
    return idx.loc[keys].reset_index()


def claim_test_table(table: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """tables/claim_tests.csv: one row per (claim, role, outcome, term) of CLAIM_TESTS, main spec.

    q_value: BH within the claim's decisive or supporting tests (equal to models.csv's q_value for
    the leadership family, which is the primary family); p_value for a single test. se_log_or: the
    Wald SE behind the interval, (log ci_high - log ci_low) / (2 z(1 - alpha/2)). test_alpha = alpha
    / m_tests; mde_odds_ratio and power_meaningful at that level (compute.models.power).
    """
    main = table[table["spec"] == "main"]
    parts = []
    for claim, spec in CLAIM_TESTS.items():
        for role in ROLES:
            if not spec[role]:
                continue
            rows = claim_tests(main, claim, role)
            m = len(rows)
            rows["q_value"] = bh_qvalues(rows["p_value"], alpha) if m > 1 else rows["p_value"].to_numpy(float)
            se = se_from_interval(rows["ci_low"].astype(float), rows["ci_high"].astype(float), alpha)
            test_alpha = alpha / m
            rows = rows.assign(claim=claim, role=role, m_tests=m, test_alpha=test_alpha, se_log_or=se,
                               mde_odds_ratio=minimum_detectable_or(se, test_alpha),
                               power_meaningful=power_at(MEANINGFUL_OR, se, test_alpha))
            parts.append(rows[CLAIM_TEST_COLUMNS])
    return pd.concat(parts, ignore_index=True)
