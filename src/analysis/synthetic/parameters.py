"""The generative model's constants (every one written to the truth file): response, latent maturity,
planted effects, answer levels, missingness, and the 2023 panel's response, transitions and targets.

The predictors and terms are the codebook's analysis plan (Codebook.analysis_plan), the same lists the
models read; the planted effects are given in the plan's term order. generator.py documents the model.
"""

from __future__ import annotations

import numpy as np

from ..base.codebook import MATURITY_AREAS, default_codebook

_PLAN = default_codebook().analysis_plan()
PREDICTORS = _PLAN.predictors  # leadership_informed, action_plans, resources, collaboration
SIZE_TERM = _PLAN.size_term  # log_folkmangd: natural log of the register's folkmangd
TERMS = _PLAN.terms  # the predictors, then the size term
GOVERNANCE = ("ciso", *PREDICTORS)  # the items the latent maturity touches
AREAS = tuple(MATURITY_AREAS)

N_RESPONDENTS = 264
RESPONSE_SLOPE_Z = -0.6  # per SD of log population: larger municipalities respond more often
RESPONSE_GROUP_C = 0.8  # non-response log-odds added for SKR main group C (small/rural)

LATENT_LOADING = 0.6  # a: latent maturity per SD of log population
# delta_k, in GOVERNANCE order (ciso, then the plan's predictors)
MATURITY_SLOPE = dict(zip(GOVERNANCE, (1.0, 1.0, 0.9, 0.8, 0.6), strict=True))
# Not published by SKR; plausible values (SKR: resources are often lacking; collaboration common).
ASSUMED_SHARES = {"resources": 0.35, "collaboration": 0.5}

# beta_j (log-odds) per area, one value per term of TERMS in its order; gamma_j is the last
# (log_folkmangd). A plan with other predictors needs these rows changed with it (strict zip).
_EFFECT_ROWS = {
    "risk_management":     (0.9, 0.8, 0.5, 0.4, 0.25),
    "classification":      (0.7, 1.0, 0.6, 0.5, 0.20),
    "incident_management": (1.1, 0.6, 0.4, 0.3, 0.30),
    "continuity":          (0.6, 0.9, 0.7, 0.4, 0.15),
    "awareness":           (0.8, 0.7, 0.5, 0.6, 0.10),
    "procurement":         (0.5, 1.2, 0.6, 0.5, 0.20),
    "follow_up":           (1.0, 0.9, 0.8, 0.3, 0.15),
}
EFFECTS: dict[str, dict[str, float]] = {j: dict(zip(TERMS, row, strict=True)) for j, row in _EFFECT_ROWS.items()}
P_INFORMED_WHEN_NEEDED = 0.55  # P("Ja, vid behov" | not "Ja, regelbundet")
LOWER_LEVEL_PROBS = (0.20, 0.35, 0.45)  # codes 0, 1, 2 given not established
UPPER_LEVEL_PROBS = (0.65, 0.35)  # codes 3, 4 given established

SELF_RATING = {"established_count": 0.45, "resources": 0.9, "leadership_informed": 0.3,
               "cutpoints": [0.0, 1.2, 2.7, 4.3]}
CISO_SHARE_VALUES = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.8, 1.0)

DONT_KNOW_RATE = 0.04
BLANK_RATE = 0.02
NUMERIC_BLANK_RATE = 0.02
GH_NODES = 60
FIELDWORK_START = np.datetime64("2019-03-18T00:00:00")

# --- the 2023 wave (a panel on 2019; see generator.py, 7-10) -----------------------------------
BASE_WAVE = 2019
PANEL_WAVES = (2023,)
RESPONSE_2023 = {"n_respondents": 255, "slope_z": -0.4, "group_C": 1.0}  # assumption: 88 % answer
# P(yes in 2023 | yes in 2019): most municipalities keep what they had; some lose it (staff turnover,
# reorganisation). Assumptions, documented; the gains are solved from the targets.
PERSISTENCE_2023 = {"ciso": 0.92, "leadership_informed": 0.80, "action_plans": 0.80, "resources": 0.85,
                    "collaboration": 0.85, **{a: 0.85 for a in MATURITY_AREAS}}
# 2023 targets other than the published CISO share: assumption, 2019 target + 0.05 each.
ASSUMED_SHARES_2023 = {"leadership_informed": 0.35, "action_plans": 0.25, "risk_management": 0.55,
                       "classification": 0.55, "incident_management": 0.65, "continuity": 0.45,
                       "awareness": 0.55, "procurement": 0.35, "follow_up": 0.25, "resources": 0.40,
                       "collaboration": 0.55}
PUBLISHED_ITEMS_2023 = ("ciso",)  # calibrated to published_series.csv
DONT_KNOW_RATE_2023 = 0.03
BLANK_RATE_2023 = 0.02
FIELDWORK_START_2023 = np.datetime64("2023-09-11T00:00:00")
