"""analysis.compute.disclosure.findings: the audit of published cells, on hand-made records over a
small register (one finding of each kind) and on the survey's tables, naive and as published."""

from __future__ import annotations

import math

import pandas as pd

from analysis.compute import disclosure, survey
from analysis.compute.disclosure import findings
from conftest import audit_table

# A1: 3 municipalities, A2: 10, B3: 20 (counties 01, 01, 02)
UNITS = pd.DataFrame({"kommungrupp": ["A1"] * 3 + ["A2"] * 10 + ["B3"] * 20, "huvudgrupp": ["A"] * 13 + ["B"] * 20,
                      "lan_kod": ["01"] * 13 + ["02"] * 20})


def _rec(table, grouping, group, column, value, hidden=False, item=None, source="tables/x.csv", text=None):
    lo = hi = float(value) if isinstance(value, int | float) else math.nan  # text (a code) has no bounds
    return {"source": source, "table": table, "grouping": grouping, "group": group, "item": item, "column": column,
            "lo": lo, "hi": hi, "row_suppressed": hidden, "text": "" if value is None else (text or str(value))}


def _audit(recs, min_cell=5):
    return findings.audit(pd.DataFrame(recs, columns=findings.RECORD_COLUMNS), UNITS, min_cell)


def test_a_hidden_group_that_the_total_gives_back_is_derivable():
    recs = [_rec("response", "all", "all", "respondents", 30), _rec("response", "kommungrupp", "A2", "respondents", 9),
            _rec("response", "kommungrupp", "B3", "respondents", 18),
            _rec("response", "kommungrupp", "A1", "respondents", None, hidden=True)]
    found = _audit(recs)
    assert found[["kind", "group", "measure", "detail"]].values.tolist() == [
        ["derivable", "A1", "responded", "the published numbers give exactly 3"]]
    # with B3 hidden too, A1 + B3 = 21 of 23: neither is known
    recs[2] = _rec("response", "kommungrupp", "B3", "respondents", None, hidden=True)
    assert _audit(recs).empty


def test_each_kind_of_finding_on_hand_made_records():
    recs = [_rec("response", "kommungrupp", "A1", "respondents", 2),  # a domain of 3 < 5
            _rec("maturity_index", "kommungrupp", "B3", "n", 4),  # a base count of 4 < 5
            _rec("maturity_index", "kommungrupp", "A2", "mean", None, hidden=True),
            _rec("maturity_index", "kommungrupp", "A2", "ci_method", "census", hidden=True),  # says n
            _rec("maturity_index", "kommungrupp", "A2", "mean", 3.5, source="report.html"),  # hidden elsewhere
            _rec("response", "all", "all", "respondents", 30), _rec("response", "all", "all", "respondents", 31,
                                                                     source="report.html"),
            _rec("response", "lan_kod", "99", "respondents", 1)]
    found = _audit(recs)
    kinds = list(zip(found["kind"], found["group"], found["source"], strict=True))
    assert kinds == [("shown_in_suppressed_row", "A2", "tables/x.csv"), ("shown_elsewhere", "A2", "report.html"),
                     ("primary", "A1", "tables/x.csv"), ("primary", "B3", "tables/x.csv"),
                     ("unknown_group", "99", "tables/x.csv"), ("inconsistent", "all", "tables/x.csv")]


def test_measures_published_by_county():
    county = pd.DataFrame([_rec("maturity_index", "lan_kod", "01", "mean", 3.0)])
    assert findings.published_by_county(county) == {"score", "complete", "responded"}
    rate = pd.DataFrame([_rec("response", "lan_kod", "01", "rate", 0.9)])
    assert findings.published_by_county(rate) == {"responded"}
    assert findings.published_by_county(rate.iloc[:0]) == set()


def test_naive_response_table_is_caught(analysis):
    """The old table: A1 alone (suppressed) and Gotland suppressed, without complementary cells."""
    resp = analysis["responded"].astype(bool)
    rows = [{"grouping": "all", "group": "all", "N": 290, "respondents": int(resp.sum())}]
    for grouping in ("kommungrupp", "huvudgrupp", "lan_kod"):
        for g, s in resp.groupby(analysis[grouping].astype(str)):
            rows.append({"grouping": grouping, "group": g, "N": len(s), "respondents": int(s.sum())})
    t = pd.DataFrame(rows)
    t["rate"] = t["respondents"] / t["N"]
    naive = disclosure.suppress(t, "N", 5, ["respondents", "rate"])
    found = audit_table("response", naive, analysis)
    derived = found[found["kind"] == "derivable"]
    assert {("kommungrupp", "A1"), ("lan_kod", "09")} <= set(zip(derived["grouping"], derived["group"], strict=True))
    assert derived.set_index("group").loc["A1", "detail"].endswith("exactly 3")
    # and shown alone, A1's respondents break the rule outright
    shown = audit_table("response", t.assign(suppressed=False), analysis)
    assert ("primary", "A1") in set(zip(shown["kind"], shown["group"], strict=True))


def test_suppressed_rows_show_no_interval_method(analysis):
    mt = survey.maturity_table(analysis, 5)
    hidden = mt[mt["suppressed"]]
    assert len(hidden) and (hidden["ci_method"] == disclosure.SUPPRESSED_CODE).all()
    # before: "none_no_answers" or "census" in a hidden row said what n was
    leaky = mt.copy()
    leaky.loc[hidden.index[0], "ci_method"] = "census"
    found = audit_table("maturity_index", leaky, analysis)
    assert list(found["kind"]) == ["shown_in_suppressed_row"]


def test_what_the_national_total_says_about_everyone_is_not_a_leak(analysis):
    # every municipality responded: the total says so for Gotland too; nothing to hide, nothing to fail
    a = analysis.assign(responded=True)
    rt = survey.response_table(a, 5)
    assert rt.loc[rt["grouping"] == "all", "respondents"].item() == 290
    assert audit_table("response", rt, a).empty
