"""base/waves: a codebook per wave (waves.yaml), the item map between two waves with the reworded questions
flagged and checked against both codebooks, and one analysis plan for every wave."""

from __future__ import annotations

import json

import pytest

from analysis.base import codebook as codebook_mod
from analysis.base import waves as waves_mod
from analysis.base.codebook import BINARY_ITEMS, CodebookError, default_codebook
from analysis.base.waves import codebook_for, item_map


def test_each_wave_has_its_own_codebook():
    cb19, cb23 = codebook_for(2019), codebook_for(2023)
    assert cb19 is default_codebook() and cb19.wave == 2019 and cb23.wave == 2023
    assert cb19.survey["id"] != cb23.survey["id"]
    assert set(cb19.headers).isdisjoint(set(cb23.headers) - {"Kommun", "Kommunkod", "Datakälla", "Namn", "E-post",
                                                             "Telefon", "Befattning"})
    assert [v.id for v in cb19.variables] == [v.id for v in cb23.variables]  # same analysis columns
    with pytest.raises(CodebookError, match="no codebook for wave 2021.*2019, 2023"):
        codebook_for(2021)


def test_item_map_flags_the_reworded_questions():
    m = item_map(2019, 2023)
    assert [link.item_from for link in m.items] == list(BINARY_ITEMS)
    flagged = {link.item_from for link in m.items if link.comparability == "wording_changed"}
    assert flagged == {"leadership_informed", "continuity"}
    cb19, cb23 = codebook_for(2019), codebook_for(2023)
    for link in m.items:
        a, b = cb19[link.item_from], cb23[link.item_to]
        same = (a.question_sv, a.labels) == (b.question_sv, b.labels)
        assert same == (link.comparability == "same"), link.item_from
        if link.comparability != "same":
            assert link.note_sv and link.note_en


def test_an_item_marked_same_whose_wording_changed_is_refused(monkeypatch):
    raw = json.loads(json.dumps(waves_mod._waves_file()))
    raw["item_maps"][0]["items"]["continuity"] = {"to": "continuity", "comparability": "same"}
    monkeypatch.setattr(waves_mod, "_waves_file", lambda path=None: raw)
    waves_mod.item_map.cache_clear()
    try:
        with pytest.raises(CodebookError, match="'continuity': marked 'same' but the question"):
            waves_mod.item_map(2019, 2023)
    finally:
        waves_mod.item_map.cache_clear()


def test_every_wave_carries_the_same_analysis_plan():
    """The models apply one plan to every wave: each codebook's analysis_plan names its own items and
    equals the 2019 plan."""
    plan = default_codebook().analysis_plan()
    assert plan.outcomes == tuple(codebook_mod.MATURITY_AREAS) and set(plan.primary) <= set(plan.predictors)
    assert plan.terms == (*plan.predictors, plan.size_term)
    for wave in waves_mod.waves():
        cb = codebook_for(wave)
        assert cb.analysis_plan() == plan, wave
        assert all(cb[i].is_coded for i in (*plan.outcomes, *plan.predictors)), wave
