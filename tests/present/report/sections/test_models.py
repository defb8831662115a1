"""present.report.sections.models: without models (thin data) the reason instead of the tables; on a real
small run Table 6 shows the AME in percentage points as models.csv has it, Table 5 the q-value of the
primary family and the p-value otherwise."""

from __future__ import annotations

from analysis.compute.models import OUTCOMES, PRIMARY_TERMS
from analysis.present import catalogue
from analysis.present.cells import read_tagged
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.models import section_models


def test_without_models_the_section_says_why(make_data):
    data = make_data("en", model={"not_estimable": [{"reason": "too_few_complete", "required": 30}]})
    s = section_models(data, Formatter(data))
    assert s["not_estimable"] == catalogue.text("estimable.models_not_fitted", "en",
                                                reasons=catalogue.text("estimable.too_few_complete", "en",
                                                                       required="30"))
    assert "tables" not in s


def test_ame_and_odds_ratios_equal_models_csv(small_data):
    data = small_data["sv"]
    s = section_models(data, Formatter(data))
    t5, t6, _ = s["tables"]
    models = data.tables["models"].set_index(["spec", "outcome", "term"])
    ame = [c for r in t6.rows for c in r if c.src == "models"]
    assert ame and all(c.cols == ("ame", "ame_ci_low", "ame_ci_high") for c in ame)
    for c in ame:
        shown = float(c.text.split(" [")[0].replace(",", ".").replace("\u2212", "-"))
        assert abs(shown - models.loc[(c.key["spec"], c.key["outcome"], c.key["term"]), "ame"]) <= 0.05 + 1e-9
    for c in (c for r in t5.rows for c in r if c.src == "models"):
        primary = c.key["term"] in PRIMARY_TERMS and c.key["outcome"] in OUTCOMES
        assert c.cols[-1] == ("q_value" if primary else "p_value")
    assert len(read_tagged(str(s["verdicts_table"].html()))) > 20
