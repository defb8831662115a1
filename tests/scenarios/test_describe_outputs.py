"""02_describe end to end on the default synthetic data (generated and cleaned in-test):
every table and figure is written, non-empty, carries the synthetic mark; figures in the run's language."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.compute import survey
from analysis.run import params
from analysis.run.steps import describe as describe_step
from conftest import write_processed

FIGURES = ("headline_shares", "headline_by_group_heatmap", "response_rate_by_group", "maturity_index_map")
TABLES = ("headline", "headline_by_group", "response", "nonresponse_model", "maturity_index")


@pytest.fixture(scope="module")
def processed(tmp_path_factory, register):
    d = tmp_path_factory.mktemp("processed")
    write_processed(register, d)
    return d


@pytest.fixture(scope="module", params=["sv", "en"])
def run(request, processed, tmp_path_factory, reference_dir):
    out = tmp_path_factory.mktemp(f"out_{request.param}")
    P = params.resolve(params.merge(dict(wave=2019, raw_path="unused.csv", reference_dir=str(reference_dir),
                                         processed_dir=str(processed), output_dir=str(out), lang=request.param,
                                         alpha=0.05, seed=2019, min_cell=5, max_rows=100000,
                                         max_input_mb=200)))
    return out, describe_step.run(P)


def test_figures_written(run):
    out, result = run
    lang = result["summary"]["figures"][0].rsplit("_", 1)[1].split(".")[0]
    other = {"sv": "en", "en": "sv"}[lang]
    for name in FIGURES:  # PNG in the run's language only (lang is one of 02's keys: a switch reruns it)
        f = out / "figures" / f"{name}_{lang}.png"
        assert f.is_file() and f.stat().st_size > 10_000, f
        assert not (out / "figures" / f"{name}_{other}.png").exists()
        assert not (out / "figures" / f"{name}_{lang}.svg").exists()
    assert len(result["figures"]) == len(FIGURES)


def test_tables_written_with_source_mark(run):
    out, _ = run
    for name in TABLES:
        f = out / "tables" / f"{name}.csv"
        assert f.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel BOM
        t = pd.read_csv(f, encoding="utf-8-sig")
        assert t.columns[-1] == "data_source" and (t["data_source"] == "synthetic").all()
    head = pd.read_csv(out / "tables" / "headline.csv", encoding="utf-8-sig")
    assert list(head.columns[:-1]) == [*survey.HEADLINE_COLUMNS, "suppressed"]
    assert not head["suppressed"].any()  # every item has far more than min_cell valid answers


def test_summary_json(run):
    out, _ = run
    s = json.loads((out / "describe_summary.json").read_text(encoding="utf-8"))
    assert s["synthetic"] is True and s["n_municipalities"] == 290
    assert 0 < s["response_rate"] <= 1 and s["n_respondents"] == round(s["response_rate"] * 290)
    # A1's and A2's weights (3 / n_A1, 43 / n_A2) would give back the counts "A1+A2" hides
    assert set(s["weights"]) == {"B3", "B4", "B5", "C6", "C7", "C8", "C9"}
    assert not any(isinstance(v, str) and " " in v for v in s.values())  # numbers and codes, no prose


def test_no_unsuppressed_small_cell_in_outputs(run):
    out, _ = run
    bg = pd.read_csv(out / "tables" / "headline_by_group.csv", encoding="utf-8-sig")
    assert bg.loc[bg["n_eligible"] < 5, "share_weighted"].isna().all()
    mt = pd.read_csv(out / "tables" / "maturity_index.csv", encoding="utf-8-sig")
    assert mt.loc[mt["n"] < 5, "mean"].isna().all()
