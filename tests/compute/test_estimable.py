"""analysis.compute.estimable: which analyses the data can support, on hand-made frames whose answer
is known and on the default synthetic data and variants just below the rules."""

from __future__ import annotations

import pandas as pd

from analysis.base.codebook import MATURITY_AREAS
from analysis.compute import estimable
from analysis.compute.models import PREDICTORS


def _frame(n: int, responded: list[bool], huvudgrupp: list[str]) -> pd.DataFrame:
    """n municipalities answering yes to every model question, self_rating 3."""
    yes = pd.array([True] * n, dtype="boolean")
    cols = {c: yes for c in (*MATURITY_AREAS, *PREDICTORS)}
    return pd.DataFrame({"responded": responded, "huvudgrupp": huvudgrupp, "self_rating": [3] * n, **cols})


def test_nonresponse_model_needs_respondents_and_non_respondents_in_every_main_group():
    mixed = _frame(4, [True, False, True, False], ["A", "A", "B", "B"])
    assert estimable.nonresponse_problems(mixed) == []
    all_a = mixed.assign(responded=[True, True, True, False])
    assert estimable.nonresponse_problems(all_a) == [{"reason": "all_or_none_responded"}]
    # a missing response counts as not responding: B then has nobody
    none_b = mixed.assign(responded=pd.array([True, False, pd.NA, False], dtype="boolean"))
    assert estimable.nonresponse_problems(none_b) == [{"reason": "all_or_none_responded"}]


def test_models_need_thirty_complete_respondents_and_say_which_item_nobody_answered():
    few = _frame(29, [True] * 29, ["A"] * 29)
    assert estimable.model_problems(few) == [{"reason": "too_few_complete", "required": estimable.MIN_MODEL_N}]
    blank = few.assign(resources=pd.array([pd.NA] * 29, dtype="boolean"))
    assert estimable.model_problems(blank) == [{"reason": "no_valid_answers", "item": "resources"},
                                               {"reason": "too_few_complete", "required": 30}]
    # non-respondents do not count, even with answers
    assert estimable.model_problems(_frame(40, [False] * 11 + [True] * 29, ["A"] * 40))[-1]["reason"] \
        == "too_few_complete"


def test_estimable_rules_on_the_default_data_and_below_them(synthetic_data):
    a = synthetic_data.analysis(seed=2019)
    assert estimable.model_problems(a) == [] and estimable.nonresponse_problems(a) == []
    b = a.copy()
    b["procurement"] = b["procurement"].where(b["procurement"].isna(), True)  # everyone established
    assert {"reason": "too_few_of_one_answer", "item": "procurement", "required": 5} in estimable.model_problems(b)
    c = a.copy()
    c.loc[c["huvudgrupp"] == "A", "responded"] = True
    assert estimable.nonresponse_problems(c) == [{"reason": "all_or_none_responded"}]
