"""Degenerate but valid data (issue 14, point 5): an item nobody answered, or one to three
respondents, gives a report that says so, instead of a crash in 02, 03 or 04.

Each case is a real in-process run of the four steps on a modified synthetic export.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.base import io, contracts
from analysis.compute import disclosure, estimable, survey
from analysis.synthetic import generator as synthetic
from analysis.base.codebook import default_codebook
from analysis.present import catalogue

CB = default_codebook()
H = {v.id: v.header for v in CB.variables}


def _one_submission_per_municipality(raw: pd.DataFrame) -> pd.DataFrame:
    done = raw[raw[H["submitted_at"]].str.strip() != ""]
    return done.drop_duplicates(H["municipality_name"])


def _run(tmp_path, reference_dir, raw: pd.DataFrame):
    from conftest import _small_params
    from analysis.run.steps import clean as clean_step, describe as describe_step, model as model_step, report as report_step

    path = tmp_path / "raw" / "synthetic_skr_infosak_2019.csv"
    io.write_export(raw, path)
    P = _small_params(tmp_path, "sv", reference_dir, path)
    clean_step.run(P)
    describe_step.run(P)
    model_step.run(P)
    report_step.run(P)
    out = tmp_path / "reports_sv"
    text = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser").get_text(" ")
    summaries = {n: json.loads((out / f"{n}_summary.json").read_text(encoding="utf-8")) for n in ("describe", "model")}
    return P, out, " ".join(text.split()), summaries


@pytest.fixture(scope="module")
def raw(register):
    return synthetic.generate(register, seed=2019)[0]


def test_an_item_nobody_answered(tmp_path, reference_dir, raw):
    r = raw.copy()
    r[H["leadership_informed"]] = "Vet ej"  # a headline item, and a predictor of every model
    P, out, text, summ = _run(tmp_path, reference_dir, r)
    head = contracts.read_table("headline", out).set_index("item")
    row = head.loc["leadership_informed"]
    assert row["n_eligible"] == 0 and pd.isna(row["share_weighted"]) and not row["suppressed"]
    assert row["bound_low"] == 0 and row["bound_high"] == 1  # all that can be said
    question = CB["leadership_informed"].question_sv
    assert catalogue.text("summary.item_no_answers", "sv", question=question) in text
    # 03: no models, and why; 04 says so instead of tables
    assert {"reason": "no_valid_answers", "item": "leadership_informed"} in summ["model"]["not_estimable"]
    assert contracts.read_table("models", out).empty and contracts.read_table("verdicts", out).empty
    assert "Modellerna har inte skattats på dessa data: ingen kommun gav ett giltigt svar" in text
    assert not list((out / "figures").glob("model_*"))
    # the other nine items are reported as usual
    assert head.drop(index="leadership_informed")["share_weighted"].notna().all()


@pytest.mark.parametrize("n", [1, 3])
def test_one_to_three_respondents(tmp_path, reference_dir, raw, n):
    r = _one_submission_per_municipality(raw).head(n)
    P, out, text, summ = _run(tmp_path, reference_dir, r)
    head = contracts.read_table("headline", out)
    # every national item rests on fewer than min_cell answers: suppressed, or no answers at all
    shown = head[~head["suppressed"]]
    assert (shown["n_eligible"] == 0).all() and head["suppressed"].any()
    assert head.loc[head["suppressed"], ["n_eligible", "n_yes", "share_weighted", "bound_low"]].isna().all().all()
    assert catalogue.text("summary.item_suppressed", "sv", question=CB["ciso"].question_sv, min_cell=5) in text \
        or catalogue.text("summary.item_no_answers", "sv", question=CB["ciso"].question_sv) in text
    assert summ["describe"]["not_estimable"] == {"nonresponse_model": [{"reason": "all_or_none_responded"}]}
    assert "Bortfallsmodellen har inte skattats" in text
    assert {"reason": "too_few_complete", "required": estimable.MIN_MODEL_N} in summ["model"]["not_estimable"]
    assert summ["describe"]["n_respondents"] == n
    assert summ["describe"]["respondent_profile"]["population_median"]["respondents"] is None
    # nothing published lets a hidden cell, or who responded, be worked out (04 checked it too)
    from analysis.present import published

    found = published.audit_folder(out, contracts.read_table("analysis", P["processed_dir"]), 5, "sv")
    assert found.empty, found.to_string()


def test_estimable_rules_on_the_default_data_and_below_them(raw, register):
    from analysis.compute import clean

    a = clean.clean(raw, register, source="synthetic_skr_infosak_2019.csv").analysis
    assert estimable.model_problems(a) == [] and estimable.nonresponse_problems(a) == []
    b = a.copy()
    b["procurement"] = b["procurement"].where(b["procurement"].isna(), True)  # everyone established
    assert {"reason": "too_few_of_one_answer", "item": "procurement", "required": 5} in estimable.model_problems(b)
    c = a.copy()
    c.loc[c["huvudgrupp"] == "A", "responded"] = True
    assert estimable.nonresponse_problems(c) == [{"reason": "all_or_none_responded"}]


def test_national_items_with_one_to_four_answers_are_suppressed_and_zero_is_shown():
    t = pd.DataFrame({"item": ["a", "b", "c"], "label_sv": "x", "label_en": "x", "n_eligible": [0, 4, 5],
                      "n_yes": [0, 4, 1], "share_weighted": [float("nan"), 1.0, 0.2], "ci_method": ["none_no_answers",
                      "clopper_pearson", "korn_graubard"], "bound_low": [0.0, 4 / 290, 1 / 290],
                      "published_share": 0.5})
    out = disclosure.suppress_items(t, 5)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out.loc[1, ["n_eligible", "n_yes", "share_weighted", "bound_low"]].isna().all()
    assert out.loc[1, "ci_method"] == disclosure.SUPPRESSED_CODE and out.loc[1, "published_share"] == 0.5
    assert out.loc[0, "n_eligible"] == 0 and out.loc[2, "n_yes"] == 1


def test_two_respondents_at_the_table_level(raw, register):
    from analysis.compute import clean

    r = _one_submission_per_municipality(raw).head(2)
    a = clean.clean(r, register, source="synthetic_skr_infosak_2019.csv").analysis
    tables = survey.compute(a, 0.05, 5)
    assert tables["nonresponse_model"].empty and tables["not_estimable"]
    assert tables["headline"]["suppressed"].sum() + (tables["headline"]["n_eligible"] == 0).sum() == 10
    assert tables["headline_by_group"]["suppressed"].all() and tables["maturity_index"]["suppressed"].all()
