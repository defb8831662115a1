"""Several waves: a codebook per wave and the item map, the public record, the synthetic 2023 panel
(calibration, transitions recovered through cleaning), and the parameters naming the earlier wave."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from analysis.base import codebook as codebook_mod
from analysis.base import reference
from analysis.base import waves as waves_mod
from analysis.base.codebook import BINARY_ITEMS, CodebookError, default_codebook
from analysis.base.errors import InputError
from analysis.base.waves import codebook_for, item_map
from analysis.compute import clean, compare
from analysis.synthetic import calibrate, generator, panel
from analysis.synthetic.municipalities import municipality_truth

SEED = 2019


@pytest.fixture(scope="module")
def series(reference_dir):
    return reference.load_published_series(reference_dir)


@pytest.fixture(scope="module")
def csv_rows(reference_dir):
    """published_series.csv read with the csv module only (independent of the loader)."""
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------- codebooks, map
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


@pytest.mark.parametrize("change, message", [
    ("  primary: [leadership_informed, ciso]", "must be predictors"),
    ("  predictors: [leadership_informed, action_plans, resources, budget]", "not variables of the codebook"),
    ("  size_term: resources", "size_term names a computed term"),
    ("", "expected the keys"),
])
def test_a_broken_analysis_plan_is_refused(tmp_path, change, message):
    text = default_codebook().path.read_text(encoding="utf-8")
    key = change.split(":")[0] + ":" if change else "  self_rating_predictors:"
    lines = [(change if line.startswith(key) else line) for line in text.splitlines()]
    path = tmp_path / "codebook.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        codebook_mod.load_codebook(path).analysis_plan()


def test_codebooks_published_shares_equal_the_public_record(csv_rows):
    published = {(int(r["wave"]), r["item"]): float(r["share"]) for r in csv_rows
                 if r["share_is_rounded_to"] == "x_of_10"}
    for wave in (2019, 2023):
        shares = codebook_for(wave).published_shares()
        assert shares, wave
        for item, share in shares.items():
            assert published[(wave, item)] == share, (wave, item)
        assert {i for (w, i) in published if w == wave} == set(shares), wave


# ------------------------------------------------------------------------------- public record
def test_public_record_is_loaded_as_published(series, csv_rows):
    assert len(series) == len(csv_rows) == 16
    for r, row in zip(csv_rows, series.itertuples(), strict=True):
        assert (int(r["wave"]), r["item"]) == (row.wave, row.item)
        if r["share_is_rounded_to"] == "count":
            assert (int(r["numerator"]), int(r["denominator"])) == (row.numerator, row.denominator)
        else:
            assert float(r["share"]) == row.share
    cls = dict(zip(zip(series["wave"], series["item"], strict=True), series["comparability_class"], strict=True))
    assert cls[(2015, "ciso")] == "similar" and cls[(2015, "policy_adopted")] == "other_item"
    assert cls[(2019, "ciso")] == cls[(2023, "ciso")] == "same"


@pytest.mark.parametrize("column, value, message", [
    ("share", "0.65", "whole tenths"),
    ("numerator", "300", "numerator <= denominator"),
    ("comparability", "roughly like 2019", "a note starting with"),
    ("share_is_rounded_to", "percent", "share_is_rounded_to"),
])
def test_a_broken_public_record_is_refused_in_one_line(tmp_path, reference_dir, column, value, message):
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    target = 2 if column in ("numerator",) else 5  # a 2015 count row / a 2019 "x av 10" row
    rows[target][column] = value
    with open(tmp_path / "published_series.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(InputError) as err:
        reference.load_published_series(tmp_path)
    msg = err.value.message
    assert "\n" not in msg and "published_series.csv" in msg and f"row {target + 2}" in msg and message in msg


# ------------------------------------------------------------------------------- synthetic 2023
@pytest.fixture(scope="module")
def export_2023(synthetic_data):
    return synthetic_data.export(seed=SEED, wave=2023)


def test_the_panel_is_drawn_on_the_2019_export_of_the_same_seed(register, export_2023, synthetic_data):
    """The 2019 answers the transitions start from are the answers in the 2019 export of the seed."""
    _, truth23 = export_2023
    a19 = synthetic_data.analysis(seed=SEED).set_index("kommunkod")
    # the generator's 2019 frame, redrawn as generate() does (seed -> calibration -> frame)
    lp = tuple(np.log(register["folkmangd"].to_numpy(float)).tolist())
    is_c = tuple((register["huvudgrupp"].astype(str) == "C").tolist())
    cal = calibrate.calibrate(lp, is_c, tuple(sorted(calibrate.targets(default_codebook()).items())))
    frame = panel.yes_2019(municipality_truth(register, cal, np.random.default_rng(SEED))["codes"])
    codes = register["kommunkod"].to_numpy()
    for item in BINARY_ITEMS:
        answered = a19[item].reindex(codes)
        ok = answered.notna().to_numpy()
        assert ok.sum() > 200
        assert (answered[ok].astype(int).to_numpy() == frame[item][ok]).all(), item
        t = truth23["frame_transitions"][item]
        assert t["kept_yes"] + t["lost"] == int(frame[item].sum()), item


def _clean(register, wave, seed, series):
    raw, truth = generator.generate(register, seed=seed, wave=wave, published_series=series)
    res = clean.clean(raw, register, codebook_for(wave), f"synthetic_{wave}.csv")
    return res.analysis, truth


def test_panel_transitions_recover_the_generator_truth(register, series):
    """Through export and cleaning: the share kept and the share gained among municipalities answering
    in both waves, averaged over seeds, equal P(kept) and P(gained) within Monte Carlo error."""
    seeds = range(100, 110)
    kept, gained, truth = {i: [] for i in BINARY_ITEMS}, {i: [] for i in BINARY_ITEMS}, None
    m = item_map(2019, 2023)
    for seed in seeds:
        a19, _ = _clean(register, 2019, seed, series)
        a23, truth = _clean(register, 2023, seed, series)
        t = compare.transitions_table(a19, a23, m).set_index("item")
        for i in BINARY_ITEMS:
            kept[i].append(float(t.loc[i, "share_kept"]))
            gained[i].append(float(t.loc[i, "share_gained"]))
    for i in BINARY_ITEMS:
        for est, key in ((kept[i], "p_kept"), (gained[i], "p_gained")):
            mean, se = np.mean(est), np.std(est, ddof=1) / np.sqrt(len(est))
            assert abs(mean - truth["transitions"][i][key]) <= 4 * se + 1e-9, (i, key, mean, se,
                                                                              truth["transitions"][i][key])


def test_realised_2023_ciso_share_is_near_the_published_share(register, series):
    shares = []
    for seed in range(SEED, SEED + 8):
        raw, truth = generator.generate(register, seed=seed, wave=2023, published_series=series)
        res = clean.clean(raw, register, codebook_for(2023), "synthetic.csv")
        r = res.analysis[res.analysis["responded"]]
        shares.append(float(r["ciso"].dropna().mean()))
    assert abs(np.mean(shares) - truth["published_shares"]["ciso"]) <= 0.02, shares


# ------------------------------------------------------------------------------- parameters
def _P(root, tmp_path, **kw):
    from analysis.run import params

    base = {"wave": 2023, "raw_path": "raw.csv", "reference_dir": "ref",
            "processed_dir": str(tmp_path / "proc" / "{wave}"), "output_dir": str(tmp_path / "out" / "{wave}"),
            "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5,
            "compare_dir": str(tmp_path / "proc" / "{compare_with}")}
    base.update(kw)
    return params.resolve(params.merge(base), root)


def test_compare_with_previous_finds_the_latest_earlier_wave(root, tmp_path):
    from analysis.run import params

    assert _P(root, tmp_path)["compare_with"] is None  # nothing processed yet
    for w in (2015, 2019, 2023, 2027):
        (tmp_path / "proc" / str(w)).mkdir(parents=True)
        (tmp_path / "proc" / str(w) / "run_info.json").write_text("{}")
    (tmp_path / "proc" / "2021").mkdir()  # no run_info.json: not a processed wave
    P = _P(root, tmp_path)
    assert P["compare_with"] == 2019 and P["compare_dir"] == str(tmp_path / "proc" / "2019")
    assert _P(root, tmp_path, compare_with=2015)["compare_dir"] == str(tmp_path / "proc" / "2015")
    assert _P(root, tmp_path, compare_with=None)["compare_dir"] is None
    assert _P(root, tmp_path, wave=2019)["compare_with"] == 2015
    for bad, key in ((dict(compare_with=2023), "compare_with"), (dict(compare_with="last"), "compare_with"),
                     (dict(compare_with=2019, compare_dir=str(tmp_path / "proc" / "{wave}")), "compare_dir")):
        with pytest.raises(params.ParamError, match=repr(key)):
            _P(root, tmp_path, **bad)
    # resolving twice (the runner, then the notebook) gives the same values
    again = params.resolve(params.merge(P), root)
    assert {k: again[k] for k in ("compare_with", "compare_dir")} == {k: P[k] for k in ("compare_with", "compare_dir")}


def test_old_parameter_files_without_the_compare_keys_still_work(root):
    from analysis.run import params

    P = params.resolve(params.merge({"wave": 2019, "raw_path": "r.csv", "reference_dir": "ref",
                                     "processed_dir": "data/processed/{wave}", "output_dir": "reports/{wave}",
                                     "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5}), root)
    assert P["compare_with"] is None and P["compare_dir"] is None
    assert params.load(overrides=["compare_with=null"], root=root)["compare_with"] is None
