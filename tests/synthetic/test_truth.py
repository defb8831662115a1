"""synthetic.truth: the truth files are JSON documents that name the analysis plan's terms, hold the
planted effects and the drawn respondents, and (2023) transitions whose kept and lost add to one."""

from __future__ import annotations

import json

import pytest

from analysis.base.codebook import BINARY_ITEMS, default_codebook


def test_the_2019_truth_names_the_plan_and_the_draws(default_export, codebook):
    df, truth = default_export
    assert json.loads(json.dumps(truth)) == truth  # JSON-ready: nothing but dicts, lists, str, numbers
    plan = default_codebook().analysis_plan()
    assert truth["terms"] == list(plan.terms) and truth["outcomes"] == list(plan.outcomes)
    for area, effects in truth["effects"].items():
        assert list(effects) == list(plan.terms), area
        assert truth["group_effects"][area] == {"huvudgrupp_B": 0.0, "huvudgrupp_C": 0.0}
    assert truth["n_rows"] is None and truth["n_rows_written"] == len(df) and truth["seed"] == 2019
    r = truth["response_model"]
    assert len(r["respondents"]) == r["n_respondents"] == 264 and r["respondents"] == sorted(r["respondents"])
    assert len(truth["duplicates"]["abandoned_submissions"]) == 5


def test_the_2023_truth_holds_the_transitions(synthetic_data):
    _, truth = synthetic_data.export(seed=2019, wave=2023)
    assert json.loads(json.dumps(truth)) == truth and truth["wave"] == 2023
    assert set(truth["transitions"]) == set(BINARY_ITEMS)
    for item, t in truth["transitions"].items():
        assert t["p_kept"] + t["p_lost"] == pytest.approx(1.0, abs=1e-12), item
        f = truth["frame_transitions"][item]
        assert f["kept_yes"] + f["lost"] + f["gained"] + f["kept_no"] == 290, item
    assert truth["panel"] == {"wave_from": 2019, "seed_from": 2019,
                              "rng": "numpy default_rng([2019, 2023]) after redrawing the 2019 frame"}
