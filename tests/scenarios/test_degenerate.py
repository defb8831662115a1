"""Degenerate but valid data (issue 14, point 5): an item nobody answered, or one to three
respondents, gives a report that says so, instead of a crash in 02, 03 or 04.

Each case is a real in-process run of the four steps on a modified synthetic export.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.base import contracts, io
from analysis.base.codebook import default_codebook
from analysis.compute import estimable, survey
from analysis.present import catalogue
from analysis.synthetic import generator as synthetic

CB = default_codebook()
H = {v.id: v.header for v in CB.variables}


def _one_submission_per_municipality(raw: pd.DataFrame) -> pd.DataFrame:
    done = raw[raw[H["submitted_at"]].str.strip() != ""]
    return done.drop_duplicates(H["municipality_name"])


def _run(tmp_path, reference_dir, raw: pd.DataFrame):
    from analysis.run.steps import clean as clean_step
    from analysis.run.steps import describe as describe_step
    from analysis.run.steps import model as model_step
    from analysis.run.steps import report as report_step
    from conftest import _small_params

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


def test_two_respondents_at_the_table_level(raw, register):
    from analysis.compute import clean

    r = _one_submission_per_municipality(raw).head(2)
    a = clean.clean(r, register, source="synthetic_skr_infosak_2019.csv").analysis
    tables = survey.compute(a, 0.05, 5)
    assert tables["nonresponse_model"].empty and tables["not_estimable"]
    assert tables["headline"]["suppressed"].sum() + (tables["headline"]["n_eligible"] == 0).sum() == 10
    assert tables["headline_by_group"]["suppressed"].all() and tables["maturity_index"]["suppressed"].all()
