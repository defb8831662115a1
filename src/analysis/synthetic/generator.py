"""Synthetic raw exports of SKR's 2019 survey and its 2023 follow-up, for the real 290 municipalities.

Answers come from a documented model calibrated to SKR's published shares (2023: a panel on 2019's
answers); the generating truth is returned too.

Generative model (log-odds scale; every number below is written to the truth JSON)
----------------------------------------------------------------------------------
Frame: the 290 municipalities of the register (code, name, county, SKR group 2017, population
``folkmangd``). ``lp = log(folkmangd)``; ``z = (lp - mean(lp)) / sd(lp)`` over the frame.

1. Response. Municipality i does NOT respond with probability
   ``q_i = logistic(theta0 + theta_z * z_i + theta_C * [huvudgrupp_i == C])`` (theta_z < 0, theta_C > 0:
   small and rural municipalities answer less often), where theta0 is solved so that sum(q) = 26.
   The 26 non-respondents are drawn without replacement by randomised systematic PPS sampling on q,
   which gives exactly 26 at every seed AND inclusion probabilities exactly q_i, so the response
   probabilities pi_i = 1 - q_i are known and seed-free.
2. Latent maturity ``m_i = a * z_i + u_i`` with ``u_i ~ N(0, 1)`` (drawn as a Latin-hypercube sample
   over the frame: every u_i is exactly N(0, 1), the frame's spread of u is less noisy).
3. Governance items, conditionally independent given m:
   ``P(x_ik = 1 | m_i) = logistic(alpha_k + delta_k * m_i)`` for k in ciso, leadership_informed
   (= "Ja, regelbundet"), action_plans, resources, collaboration. m_i touches ONLY these items.
   leadership_informed that is not "regelbundet" is "Ja, vid behov" with a fixed probability,
   else "Nej".
4. Seven working-method areas j (risk_management ... follow_up): established (top two levels,
   "Etablerat" / "Etablerat och följs upp") with
   ``P(y_ij = 1 | x_i) = logistic(c_j + beta_j . [leadership_informed, action_plans, resources,
   collaboration]_i + gamma_j * lp_i)`` - no group term (its truth is 0) and no direct effect of m,
   so a logistic GLM of y ~ the four items + log(folkmangd) + huvudgrupp estimates (c, beta, gamma).
   Non-established answers are spread over the lower three levels and established ones over the
   top two with fixed probabilities (``LOWER_LEVEL_PROBS``, ``UPPER_LEVEL_PROBS``).
   Binary draws use randomised systematic (balanced) sampling over the respondents in random
   order: each draw is still exactly Bernoulli with its own probability given the covariates, but
   the respondents' total is within 1 of its expectation, which reduces sampling noise.
5. self_rating (1-5): ordinal logit, latent ``0.45 * n_established + 0.9 * resources
   + 0.3 * leadership_informed + logistic noise`` cut at fixed thresholds, so a low rating goes with
   leadership that has delegated without resources. ciso_share: a fraction of full time (larger
   municipalities spend more), blank without a CISO.
6. Missingness, completely at random on every coded item: "Vet ej" with probability 4 %, blank with
   2 % (the share among valid answers is unaffected); self_rating and ciso_share blank 2 %.

Calibration: alpha_k (ciso, leadership_informed, action_plans against the published shares;
resources and collaboration against assumed shares ``ASSUMED_SHARES``) and c_j (the seven areas)
are solved with brentq so that the EXPECTED share among respondents - the frame weighted by
pi_i, integrated over u by 60-point Gauss-Hermite quadrature and over the 16 combinations of
the four items exactly - equals the target. The calibration does not depend on the seed and is
cached.

The 2023 wave: a panel on the 2019 answers
------------------------------------------
``generate(..., wave=2023, published_series=...)`` with seed s first redraws the 2019 frame (every
municipality's 2019 answer, respondent or not) exactly as the 2019 export of seed s has it, then
draws 2023 with its own generator (numpy seed sequence [s, 2023]):

7. Response 2023, its own pattern: ``P(non-response) = logistic(theta0' + RESPONSE_2023["slope_z"] * z
   + RESPONSE_2023["group_C"] * [C])``, exactly ``RESPONSE_2023["n_respondents"]`` (255) respondents by
   the same randomised systematic PPS (inclusion probabilities pi'_i exact and seed-free); independent
   of the 2019 response given size and group.
8. Transitions. For each yes/no item k (the ten headline items, resources, collaboration; "yes" as in
   the codebook: leadership_informed code 2, an area's top two levels), municipality i's 2023 answer
   depends on its 2019 answer only:
       P(yes 2023 | yes 2019) = PERSISTENCE_2023[k]      (documented constants: "kept")
       P(yes 2023 | no 2019)  = gain_k                   (solved: "gained")
   so P(no 2023 | yes 2019) = 1 - PERSISTENCE_2023[k] is the probability of losing it. Draws are
   balanced as in 4. Levels within yes / no, "Ja, vid behov", self_rating and ciso_share are drawn as
   in 3-5 from the 2023 answers.
9. Calibration: gain_k is solved in closed form so that the EXPECTED 2023 share among the 2023
   respondents, sum_i pi'_i [gain_k + (PERSISTENCE_2023[k] - gain_k) P(yes 2019)_i] / n', equals
   the 2023 target: for ciso SKR's published 2023 share, read from published_series.csv (the
   `published_series` argument; never typed here); for the other items the assumed shares
   ``ASSUMED_SHARES_2023`` (SKR's 2024 message is "förbättringar" without further figures: the
   assumption is five percentage points above each 2019 target). P(yes 2019)_i is the model
   probability of 2-4 (u integrated out), so the transition probabilities are seed-free.
10. Missingness 2023: "Vet ej" 3 %, blank 2 % (MCAR); fieldwork from ``FIELDWORK_START_2023``.
The 2023 export is read through codebook_2023.yaml (other headers, one changed answer label). No
model effect is planted for 2023: the associations of 4 carry over only through the transitions.

The export mimics a web-survey tool: the codebook's raw Swedish headers, one row per submission,
semicolon-separated UTF-8 with BOM (xlsx on request), with the mess cleaning must handle (abandoned
duplicate submissions, name and code variants, odd label case and spaces, ciso_share formats,
hostile free text). Personal data are Faker("sv_SE") inventions with reserved example domains.

Where each part lives (this package; generate() below runs them in this order)
-----------------------------------------------------------------------------
parameters (every constant above; the predictors and terms from the codebook's analysis plan) ->
calibrate (the seed-free calibration, cached) -> municipalities (1-6: the 2019 frame) / panel (7-10:
the 2023 frame and targets), both coding answers through answers -> export (the messy file, with
people for the invented respondents) -> truth (the truth JSON).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base.codebook import Codebook, default_codebook
from ..base.waves import codebook_for
from .calibrate import calibrate, calibrate_2023, targets
from .export import export
from .municipalities import municipality_truth
from .panel import panel_truth, targets_2023
from .parameters import (
    BASE_WAVE,
    BLANK_RATE,
    BLANK_RATE_2023,
    DONT_KNOW_RATE,
    DONT_KNOW_RATE_2023,
    FIELDWORK_START,
    FIELDWORK_START_2023,
    N_RESPONDENTS,
    PANEL_WAVES,
)
from .truth import truth, truth_2023


def frame_keys(register: pd.DataFrame) -> tuple[tuple[float, ...], tuple[bool, ...]]:
    """The frame as the calibration's cache keys: log population and the group-C flags, per municipality."""
    reg = register.reset_index(drop=True)
    lp = tuple(np.log(reg["folkmangd"].to_numpy(dtype=float)).tolist())
    is_c = tuple((reg["huvudgrupp"].astype(str) == "C").tolist())
    return lp, is_c


def generate(register: pd.DataFrame, seed: int = 2019, n_rows: int | None = None,
             codebook: Codebook | None = None, *, wave: int = BASE_WAVE,
             published_series: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """Draw a synthetic raw export of `wave` (2019, or 2023 as a panel) for the register's municipalities.

    Returns (export, truth): the export has the wave's codebook headers and string cells exactly as
    written to the file; truth holds the seed, the calibrated intercepts, the planted effects, the
    response model and the missingness rates (2023: the transition probabilities too; JSON-ready).
    n_rows=None gives the natural export (the respondents plus N_ABANDONED abandoned duplicate
    submissions); a larger n_rows appends further submissions by responding municipalities
    (benchmarks); a smaller one keeps the first n_rows submissions in time order. The 2023 export of
    seed s is the panel partner of the 2019 export of seed s; it needs `published_series` (the public
    record, reference.load_published_series) for its CISO target.
    """
    if wave != BASE_WAVE and wave not in PANEL_WAVES:
        raise ValueError(f"no synthetic model for wave {wave}; waves: {(BASE_WAVE, *PANEL_WAVES)}")
    cb = codebook or codebook_for(wave)
    reg = register.reset_index(drop=True)
    if len(reg) <= N_RESPONDENTS:
        raise ValueError(f"register has {len(reg)} municipalities; need more than {N_RESPONDENTS}")
    lp, is_c = frame_keys(reg)
    target = targets(default_codebook() if wave != BASE_WAVE else cb)
    cal = calibrate(lp, is_c, tuple(sorted(target.items())))
    rng = np.random.default_rng(seed)
    mt = municipality_truth(reg, cal, rng)
    if wave == BASE_WAVE:
        df, abandoned_mun = export(reg, cb, mt, rng, seed, n_rows, FIELDWORK_START, DONT_KNOW_RATE, BLANK_RATE)
        return df, truth(seed, n_rows, reg, cal, mt, abandoned_mun, target, len(df))
    target_23 = targets_2023(published_series, wave)
    cal23 = calibrate_2023(lp, is_c, tuple(sorted(target.items())), tuple(sorted(target_23.items())))
    rng23 = np.random.default_rng([seed, wave])
    mt23 = panel_truth(reg, cal23, mt, rng23)
    df, abandoned_mun = export(reg, cb, mt23, rng23, seed, n_rows, FIELDWORK_START_2023, DONT_KNOW_RATE_2023,
                               BLANK_RATE_2023)
    return df, truth_2023(seed, wave, n_rows, reg, cal23, mt23, abandoned_mun, target_23, len(df))
