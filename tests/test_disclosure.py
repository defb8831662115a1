"""Disclosure control (issue 14, points 5 and 6): the response table follows the same rules as the
other tables, and an audit of everything published finds no hidden cell that can be worked out.

The audit's linear bounds are checked on hand-made registers where the answer is known; then on
the default outputs (must pass) and on naive tables with small groups (must be caught).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.compute import disclosure, survey
from analysis.base.codebook import MATURITY_AREAS
from analysis.present import published
from analysis.run.steps import report as report_step

R = ("responded", None)


def _units(spec: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    """A register from {(kommungrupp, huvudgrupp, lan_kod): number of municipalities}."""
    rows = [k for k, n in spec.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["kommungrupp", "huvudgrupp", "lan_kod"])


# ---------------------------------------------------------------------------------------------
# the linear bounds, by hand
# ---------------------------------------------------------------------------------------------


def test_a_single_hidden_cell_is_its_total_minus_the_others():
    units = _units({("A1", "A", "01"): 3, ("A2", "A", "01"): 10, ("B3", "B", "02"): 20})
    lp = disclosure.LinearAudit(units)
    lp.count(R, "all", "all", 30, 30)
    lp.count(R, "kommungrupp", "A2", 9, 9)
    lp.count(R, "kommungrupp", "B3", 18, 18)
    assert lp.bounds(R, "kommungrupp", "A1") == pytest.approx((3, 3))  # 30 - 9 - 18
    assert disclosure.derivable(lp.bounds(R, "kommungrupp", "A1"))


def test_two_hidden_cells_bound_each_other_by_their_sizes():
    units = _units({("A1", "A", "01"): 3, ("A2", "A", "02"): 10, ("B3", "B", "03"): 20})
    lp = disclosure.LinearAudit(units)
    lp.count(R, "all", "all", 25, 25)
    lp.count(R, "kommungrupp", "B3", 18, 18)
    # A1 + A2 = 7: A1 in [0, 3], A2 in [4, 7]
    assert lp.bounds(R, "kommungrupp", "A1") == pytest.approx((0, 3))
    assert lp.bounds(R, "kommungrupp", "A2") == pytest.approx((4, 7))
    assert not disclosure.derivable(lp.bounds(R, "kommungrupp", "A1"))
    # ... unless their total equals their combined size: then both are full
    full = disclosure.LinearAudit(units)
    full.count(R, "all", "all", 31, 31)
    full.count(R, "kommungrupp", "B3", 18, 18)
    assert full.bounds(R, "kommungrupp", "A1") == pytest.approx((3, 3))


def test_a_count_hidden_in_one_grouping_is_bounded_through_another():
    # counties cut across the groups: A1 is hidden by group, but its only county is shown
    units = _units({("A1", "A", "01"): 3, ("A2", "A", "02"): 10, ("B3", "B", "02"): 20})
    lp = disclosure.LinearAudit(units)
    lp.count(R, "lan_kod", "01", 2, 2)
    assert lp.bounds(R, "kommungrupp", "A1") == pytest.approx((2, 2))


def test_valid_answers_cannot_exceed_respondents_and_shares_link_yes_to_valid():
    units = _units({("A1", "A", "01"): 4, ("A2", "A", "01"): 6})
    e, y = ("eligible", "ciso"), ("yes", "ciso")
    lp = disclosure.LinearAudit(units, county_kinds=())
    lp.count(R, "kommungrupp", "A1", 2, 2)
    assert lp.bounds(e, "kommungrupp", "A1") == pytest.approx((0, 2))
    lp.count(e, "all", "all", 8, 8)
    lp.count(e, "kommungrupp", "A2", 6, 6)
    assert lp.bounds(e, "kommungrupp", "A1") == pytest.approx((2, 2))
    lp.ratio(y, e, "kommungrupp", "A2", 0.5, 0.5, {"A1": 1.0, "A2": 1.0})
    lp.count(y, "all", "all", 4, 4)
    assert lp.bounds(y, "kommungrupp", "A1") == pytest.approx((1, 1))  # 4 - 0.5 * 6
    # an unknown weight: the share says nothing
    assert not lp.ratio(y, e, "all", "all", 0.5, 0.5, {"A2": 1.0})


def test_contradictory_numbers_have_no_bounds():
    units = _units({("A1", "A", "01"): 4})
    lp = disclosure.LinearAudit(units)
    lp.count(R, "all", "all", 5, 5)
    assert lp.bounds(R, "all", "all") is None


# ---------------------------------------------------------------------------------------------
# reading back what is published
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, expected", [
    ("58,9\u00a0%", "sv", (0.5885, 0.5895)), ("58.9%", "en", (0.5885, 0.5895)), ("58\u00a0%", "sv", (0.575, 0.585)),
    ("1\u00a0234", "sv", (1234, 1234)), ("1,234", "en", (1234, 1234)), ("45", None, (45, 45)),
    ("0.978", None, (0.9775, 0.9785)), ("–", "sv", None), ("<NA>", None, None), ("A1+A2", None, None),
])
def test_shown_interval(text, lang, expected):
    got = published.shown_interval(text, lang)
    assert got == (None if expected is None else pytest.approx(expected))


# ---------------------------------------------------------------------------------------------
# the response table (the A1 = 264 - 261 = A 45 - A2 42, and Gotland = 264 - 263)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysis(synthetic_data):
    return synthetic_data.analysis(seed=2019)


def _units_of(a: pd.DataFrame) -> pd.DataFrame:
    return a[["kommungrupp", "huvudgrupp", "lan_kod"]]


def _audit_table(name: str, df: pd.DataFrame, a: pd.DataFrame, min_cell: int = 5) -> pd.DataFrame:
    recs = published._frame_records(df.astype(object).where(df.notna(), None), name, name, exact=True)
    return disclosure.audit(pd.DataFrame(recs, columns=disclosure.RECORD_COLUMNS), _units_of(a), min_cell,
                            tuple(MATURITY_AREAS))


def test_response_table_reports_a1_with_a2_and_hides_a_second_county(analysis):
    rt = survey.response_table(analysis, 5)
    kg = rt[rt["grouping"] == "kommungrupp"]
    assert "A1" not in set(kg["group"]) and "A1+A2" in set(kg["group"])
    row = kg.set_index("group").loc["A1+A2"]
    assert (row["N"], row["respondents"]) == (46, 45)  # the same as main group A: nothing to subtract
    gotland = rt[(rt["grouping"] == "lan_kod") & (rt["group"] == "09")].iloc[0]
    assert gotland["suppressed"] and pd.isna(gotland["respondents"]) and gotland["N"] == 1
    counties = rt[rt["grouping"] == "lan_kod"]
    assert counties["suppressed"].sum() >= 2  # Gotland is not alone in its margin
    assert _audit_table("response", rt, analysis).empty


def test_response_table_hides_more_when_two_hidden_counties_are_both_complete(analysis):
    # Gotland (1 municipality) and Blekinge (5) both answered in full: hiding the two would still
    # give both back (their total, 264 - the rest, equals their size)
    a = analysis.copy()
    a.loc[a["lan_kod"].astype(str).isin(["09", "10"]), "responded"] = True
    naive = survey.response_table(a, 5)
    counties = naive[naive["grouping"] == "lan_kod"]
    assert counties["suppressed"].sum() >= 3
    assert _audit_table("response", naive, a).empty


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
    found = _audit_table("response", naive, analysis)
    derived = found[found["kind"] == "derivable"]
    assert {("kommungrupp", "A1"), ("lan_kod", "09")} <= set(zip(derived["grouping"], derived["group"]))
    assert derived.set_index("group").loc["A1", "detail"].endswith("exactly 3")
    # and shown alone, A1's respondents break the rule outright
    shown = _audit_table("response", t.assign(suppressed=False), analysis)
    assert ("primary", "A1") in set(zip(shown["kind"], shown["group"]))


def test_suppressed_rows_show_no_interval_method(analysis):
    mt = survey.maturity_table(analysis, 5)
    hidden = mt[mt["suppressed"]]
    assert len(hidden) and (hidden["ci_method"] == disclosure.SUPPRESSED_CODE).all()
    # before: "none_no_answers" or "census" in a hidden row said what n was
    leaky = mt.copy()
    leaky.loc[hidden.index[0], "ci_method"] = "census"
    found = _audit_table("maturity_index", leaky, analysis)
    assert list(found["kind"]) == ["shown_in_suppressed_row"]


def test_by_group_tables_stay_underivable_with_a_high_threshold(analysis):
    a = analysis
    for name, table in (("headline_by_group", survey.headline_by_group(a, min_cell=20)),
                        ("maturity_index", survey.maturity_table(a, min_cell=20)),
                        ("response", survey.response_table(a, 20))):
        assert table["suppressed"].any(), name
        found = _audit_table(name, table, a, min_cell=20)
        assert found.empty, found


def test_summary_gives_no_weight_or_share_that_says_a_hidden_count(analysis):
    tables = survey.compute(analysis, 0.05, 5)
    s = survey.summary(analysis, tables, alpha=0.05, min_cell=5, synthetic=True)
    assert "A1" not in s["weights"] and "A2" not in s["weights"]
    assert set(s["respondent_profile"]["group_share"]) == set(
        tables["response"].loc[tables["response"]["grouping"] == "kommungrupp", "group"])


# ---------------------------------------------------------------------------------------------
# every published file
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_audit_of_the_default_outputs_finds_nothing(small_run, tmp_path, lang):
    from analysis.base import contracts
    from analysis.present import exports

    P = small_run[lang]
    out = tmp_path / "out"
    shutil.copytree(P["output_dir"], out)
    exports.export_workbook(out / "tables")  # what the runner adds after 04
    recs = published.records(out, lang)
    assert {"tables/response.csv", "tables.xlsx:response", "report.html", "describe_summary.json"} <= set(recs["source"])
    assert recs["row_suppressed"].any()  # there is something to protect
    units = _units_of(contracts.read_table("analysis", P["processed_dir"]))
    found = published.audit_folder(out, units, P["min_cell"], lang)
    assert found.empty, found.to_string()


def test_audit_catches_a_hidden_cell_shown_in_a_notebook_page_and_the_report(small_run, tmp_path):
    from analysis.base import contracts

    P = small_run["sv"]
    out = tmp_path / "out"
    shutil.copytree(P["output_dir"], out)
    a = contracts.read_table("analysis", P["processed_dir"])
    # a notebook page showing SKR group A1 on its own (the issue: 01's page did)
    resp = a["responded"].astype(bool)
    naive = pd.DataFrame([{"grouping": "kommungrupp", "group": g, "N": len(s), "respondents": int(s.sum())}
                          for g, s in resp.groupby(a["kommungrupp"].astype(str))])
    (out / "notebooks").mkdir(exist_ok=True)
    (out / "notebooks" / "01_clean.html").write_text(f"<html><body>{naive.to_html()}</body></html>", encoding="utf-8")
    # report.html showing Gotland's hidden count
    html = (out / "report.html").read_text(encoding="utf-8")
    html = html.replace("</body>", '<span data-src="response" data-cols="respondents" '
                                   'data-key=\'{"grouping": "lan_kod", "group": "09"}\'>1</span></body>')
    (out / "report.html").write_text(html, encoding="utf-8")
    found = published.audit_folder(out, _units_of(a), 5, "sv")
    kinds = set(zip(found["kind"], found["group"]))
    assert ("primary", "A1") in kinds
    assert ("shown_elsewhere", "09") in kinds or ("primary", "09") in kinds
    assert "notebooks/01_clean.html" in set(found["source"])


def test_the_report_step_refuses_to_publish_a_derivable_cell(small_run, tmp_path):
    from analysis.base import contracts
    from analysis.base.errors import ContractError

    P = {**small_run["sv"], "output_dir": str(tmp_path / "out")}
    shutil.copytree(small_run["sv"]["output_dir"], P["output_dir"])
    (tmp_path / "out" / "report.html").unlink()
    resp = contracts.read_table("response", P["output_dir"])
    hidden = resp.index[resp["suppressed"] & (resp["grouping"] == "lan_kod")]
    a = contracts.read_table("analysis", P["processed_dir"])
    # undo the complementary suppression of one county: the other becomes derivable
    j = next(i for i in hidden if resp.loc[i, "group"] != "09")
    n = int(a.loc[a["lan_kod"].astype(str) == resp.loc[j, "group"], "responded"].sum())
    resp.loc[j, ["respondents", "rate", "suppressed"]] = [n, n / resp.loc[j, "N"], False]
    contracts.write_table("response", resp, P["output_dir"])
    with pytest.raises(ContractError) as exc:
        report_step.run(P)
    msg = str(exc.value)
    assert "disclosure audit (derivable): response lan_kod 09" in msg and "\n" not in msg
    assert not (tmp_path / "out" / "report.html").exists()


def test_what_the_national_total_says_about_everyone_is_not_a_leak(analysis):
    # every municipality responded: the total says so for Gotland too; nothing to hide, nothing to fail
    a = analysis.assign(responded=True)
    rt = survey.response_table(a, 5)
    assert rt.loc[rt["grouping"] == "all", "respondents"].item() == 290
    assert _audit_table("response", rt, a).empty
