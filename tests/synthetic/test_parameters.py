"""synthetic.parameters: the predictors and terms are the codebook's analysis plan, each area's planted
effects cover exactly those terms, and the probabilities and shares are probabilities."""

from __future__ import annotations

from analysis.base.codebook import BINARY_ITEMS, MATURITY_AREAS, default_codebook
from analysis.synthetic import parameters as P


def test_predictors_and_terms_are_the_analysis_plan():
    plan = default_codebook().analysis_plan()
    assert plan.predictors == P.PREDICTORS and plan.terms == P.TERMS and plan.size_term == P.SIZE_TERM
    assert ("ciso", *plan.predictors) == P.GOVERNANCE and tuple(MATURITY_AREAS) == P.AREAS
    assert set(P.EFFECTS) == set(P.AREAS)
    for area, effects in P.EFFECTS.items():
        assert tuple(effects) == P.TERMS, area
        assert all(v > 0 for v in effects.values()), area  # every planted association is positive
    assert tuple(P.MATURITY_SLOPE) == P.GOVERNANCE


def test_probabilities_are_probabilities():
    assert abs(sum(P.LOWER_LEVEL_PROBS) - 1) < 1e-12 and abs(sum(P.UPPER_LEVEL_PROBS) - 1) < 1e-12
    assert set(P.PERSISTENCE_2023) == set(BINARY_ITEMS)
    shares = [*P.PERSISTENCE_2023.values(), *P.ASSUMED_SHARES.values(), *P.ASSUMED_SHARES_2023.values(),
              P.P_INFORMED_WHEN_NEEDED, P.DONT_KNOW_RATE + P.BLANK_RATE, P.DONT_KNOW_RATE_2023 + P.BLANK_RATE_2023]
    assert all(0 < s < 1 for s in shares)
    assert set(P.ASSUMED_SHARES) <= set(P.PREDICTORS) and set(P.PUBLISHED_ITEMS_2023).isdisjoint(P.ASSUMED_SHARES_2023)
    assert P.BASE_WAVE not in P.PANEL_WAVES
