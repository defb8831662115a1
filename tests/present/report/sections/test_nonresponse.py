"""present.report.sections.nonresponse: Table 8 from hand-made response rows (labels with their
grouping, suppressed cells as the dash) and Table 9, or the reason the model was not fitted."""

from __future__ import annotations

import pandas as pd

from analysis.present import catalogue
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.nonresponse import section_nonresponse


def _tables() -> dict[str, pd.DataFrame]:
    response = pd.DataFrame({"grouping": ["all", "lan_kod"], "group": ["all", "01"], "N": [290, 26],
                             "respondents": [264, None], "rate": [264 / 290, None], "suppressed": [False, True],
                             "name": [None, "Stockholms län"]})
    model = pd.DataFrame({"term": ["const", "log_folkmangd"], "odds_ratio": [1.0, 1.8], "ci_low": [0.5, 1.2],
                          "ci_high": [2.0, 2.7], "p_value": [0.9, 0.0004], "n": [290, 290],
                          "method": ["ml_profile", "ml_profile"]})
    return {"response": response, "nonresponse_model": model}


def test_response_and_the_model_of_responding(make_data):
    data = make_data("en", _tables(), model={"min_events": 5})
    s = section_nonresponse(data, Formatter(data))
    t8, t9 = s["tables"]
    assert [[c.text for c in r] for r in t8.rows] == [["All municipalities", "290", "264", "91.0%"],
                                                      ["County: Stockholm County", "26", "–", "–"]]
    assert [[c.text for c in r] for r in t9.rows] == [["Population (log)", "1.80", "1.20–2.70", "< 0.001", "290"]]
    assert t9.notes == [catalogue.text("nonresponse.profile_note", "en", min_events=5)]
    assert s["not_estimable"] is None


def test_without_the_model_the_section_says_why(make_data):
    problems = [{"reason": "all_or_none_responded"}]
    data = make_data("sv", _tables(), describe={"not_estimable": {"nonresponse_model": problems}})
    s = section_nonresponse(data, Formatter(data))
    assert len(s["tables"]) == 1
    assert s["not_estimable"] == catalogue.text("estimable.nonresponse_not_fitted", "sv",
                                                reasons=catalogue.text("estimable.all_or_none_responded", "sv"))
