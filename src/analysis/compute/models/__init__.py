"""Associational models of SKR's claims (step 03): GLM / ordinal / Firth fits, AMEs, FDR, claim verdicts.

Every number here is an ASSOCIATION between answers given at one time, never an effect of one on another.

The survey is cross-sectional and self-reported, so wording in tables, figures and verdicts follows
that (``goes with``, ``more often``; never ``leads to`` or ``increases``).

Models
------
The items come from the codebook's ``analysis_plan`` (specs.py); with the shipped plan:

* Seven established-method outcomes (risk_management ... follow_up, True = "Etablerat" or
  "Etablerat och följs upp"): binomial GLM, logit link,
  ``y ~ leadership_informed + action_plans + resources + collaboration + log(folkmangd) + group``
  (group = huvudgrupp with A as reference). Each model uses the respondents with complete data for
  that model.
* Maturity index (0-7 established areas): binomial GLM on (established, 7 - established) and an
  ordinal logit (OrderedModel, distr="logit", no constant) on the same predictors.
* Self-rated maturity (self_rating 1-5): ordinal logit on resources, leadership_informed,
  action_plans and log(folkmangd). SKR's claim that low self-rated work goes with leadership that
  delegated without resources maps to the ``resources`` coefficient here. The survey has no item on
  delegation: only the "without resources" half is measured, and the claim is labelled as a
  resources claim.

What the numbers estimate
-------------------------
* Odds ratio (``odds_ratio``): exp of a model coefficient, the ratio of the odds of the outcome
  between municipalities with and without the item (per unit of log population for
  log_folkmangd), the other terms held fixed. The TARGET is the coefficient of the process that
  produces such answers (the superpopulation), not the number one would get by fitting the model
  to all 290 municipalities; glm.py says why.
* Average marginal effect (``ame``, percentage points): effects.py.
* q-value (``q_value``): Benjamini-Hochberg over the pre-specified primary family: table.py.
* KR-20 (``reliability_table``): reliability.py.

Where each part lives (the method text sits in each module's docstring)
-----------------------------------------------------------------------
specs (items, specifications, each spec's frame and outcome coding) -> matrix (design matrix) ->
glm (weighted pseudo-ML, HC1, why no strata or FPC; separation) / firth / ordinal -> sparse (the
sparse-group rule, with compute.likelihood) -> effects (AMEs) -> table (rows, primary family, BH) ->
estimate (fit_spec, fit_all); reliability (KR-20); design_se (the SEs with strata and FPC);
claims (CLAIM_TESTS, the claim-tests table) -> power (MDE, power) -> verdicts (the rule, the table).

This package re-exports the names the step (run/steps/model.py), the report and notebook 03 use, so
``from analysis.compute import models`` stays one import; tests import the modules themselves.
"""

from __future__ import annotations

from .claims import CLAIM_TEST_COLUMNS, CLAIM_TESTS, CLAIMS, claim_test_table
from .design_se import SE_DESIGN_COLUMNS, design_se_table, stratified_cov
from .estimate import fit_all, fit_spec
from .power import MEANINGFUL_OR, POWER
from .reliability import reliability_table
from .specs import OUTCOMES, PREDICTORS, PRIMARY_TERMS, SPECS, TERMS, spec_frame
from .table import COLUMNS, IDENTIFYING, METHODS, primary_family
from .verdicts import VERDICT_COLUMNS, VERDICTS, decide, verdict_table

__all__ = [
    "CLAIMS", "CLAIM_TESTS", "CLAIM_TEST_COLUMNS", "COLUMNS", "IDENTIFYING", "MEANINGFUL_OR", "METHODS",
    "OUTCOMES", "POWER", "PREDICTORS", "PRIMARY_TERMS", "SE_DESIGN_COLUMNS", "SPECS", "TERMS", "VERDICTS",
    "VERDICT_COLUMNS", "claim_test_table", "decide", "design_se_table", "fit_all", "fit_spec", "primary_family",
    "reliability_table", "spec_frame", "stratified_cov", "verdict_table",
]
