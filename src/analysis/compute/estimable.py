"""Which analyses the data can support, checked before anything is fitted, so that degenerate but
valid data (an item nobody answered, a handful of respondents) give a stated reason, not a crash.

Each check returns a list of problems (plain dicts of codes and thresholds; the report words them
through the catalogue, `estimable.<reason>`); an empty list means the analysis is run. A problem
never carries a count of the data: "only 3 answered yes" would publish a cell smaller than min_cell.

Rules
-----
Models (03): fitted only when the respondents who answered every model question (the seven areas,
the four leadership items and the self-rating: the sample of the complete-case sensitivity model,
the smallest of all) number at least MIN_MODEL_N = 30, about two per parameter of the largest model
(14: the nine-group sensitivity model); within them each yes/no item, each area cut at "Delvis
etablerat", and each main group has at least MIN_EACH = 5 of each answer, and the self-rating at
least two levels. Below that the fits are singular or do not converge (random subsamples of the
2019 export fail with 40 respondents, about 20 complete cases), and a verdict on SKR's claims would
rest on almost nothing.
The non-response model (02): fitted only when every main group has respondents and
non-respondents; otherwise its maximum-likelihood estimate does not exist.
"""

from __future__ import annotations

import pandas as pd

from ..base.codebook import MATURITY_AREAS
from .design import is_respondent, respondents
from .models import PREDICTORS

MIN_MODEL_N = 30
MIN_EACH = 5
PARTLY_ESTABLISHED = 2  # level of "Delvis etablerat" on the maturity scale (the cut_partly sensitivity)


def model_problems(analysis: pd.DataFrame) -> list[dict]:
    """Why the models of 03 cannot be fitted on `analysis` (all 290 rows); [] when they can."""
    r = respondents(analysis)
    binary = [*MATURITY_AREAS, *PREDICTORS]
    inputs = [*binary, "self_rating"]
    problems = [{"reason": "no_valid_answers", "item": c} for c in inputs if int(r[c].notna().sum()) == 0]
    complete = r[r[inputs].notna().all(axis=1)]
    n = len(complete)
    if n < MIN_MODEL_N:
        problems.append({"reason": "too_few_complete", "required": MIN_MODEL_N})
        return problems
    checks = {c: complete[c].astype(bool) for c in binary}
    checks.update({f"{a}_level": complete[f"{a}_level"].astype(int) >= PARTLY_ESTABLISHED for a in MATURITY_AREAS})
    for name, yes in checks.items():
        fewest = int(min(yes.sum(), (~yes).sum()))
        if fewest < MIN_EACH:
            problems.append({"reason": "too_few_of_one_answer", "item": name, "required": MIN_EACH})
    groups = complete["huvudgrupp"].astype(str).value_counts()
    for g in sorted(set(analysis["huvudgrupp"].astype(str))):
        if int(groups.get(g, 0)) < MIN_EACH:
            problems.append({"reason": "too_few_in_group", "group": g, "required": MIN_EACH})
    if complete["self_rating"].nunique() < 2:
        problems.append({"reason": "one_level", "item": "self_rating"})
    return problems


def nonresponse_problems(analysis: pd.DataFrame) -> list[dict]:
    """Why the logistic model of responding cannot be fitted; [] when it can."""
    responded = is_respondent(analysis)
    by_group = responded.groupby(analysis["huvudgrupp"].astype(str), sort=True)
    # which group, and whether all or none, is not said: it would be a count the response table may hide
    if any(s.all() or not s.any() for _, s in by_group):
        return [{"reason": "all_or_none_responded"}]
    return []
