"""03_model as a whole, on the default synthetic data (generated and cleaned in-test), in both languages:
the step's outputs (tables, figures, summary; no identifying columns; deterministic; the notebook run by
papermill) and the verdicts recomputed from models.csv. The single modules' tests: tests/compute/models/;
coverage and bias over simulated surveys: tests/scenarios/test_model_coverage.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.compute import models
from conftest import write_processed


@pytest.fixture(scope="module")
def step_outputs(register, tmp_path_factory):
    from analysis.run.steps import model as model_step

    proc = tmp_path_factory.mktemp("processed")
    write_processed(register, proc)
    outs = {}
    for lang in ("sv", "en"):
        out = tmp_path_factory.mktemp(f"reports_{lang}")
        P = {"processed_dir": str(proc), "output_dir": str(out), "lang": lang, "alpha": 0.05, "seed": 2019,
             "min_cell": 5}
        outs[lang] = (out, model_step.run(P))
    return outs


def test_step_writes_tables_figures_and_summary(step_outputs):
    for lang, (out, _result) in step_outputs.items():
        t = pd.read_csv(out / "tables" / "models.csv", encoding="utf-8-sig")
        assert list(t.columns) == [*models.COLUMNS, "data_source"]
        assert (t["data_source"] == "synthetic").all()
        assert set(t["method"]) <= set(models.METHODS)
        assert t["q_value"].notna().sum() == 14
        rel = pd.read_csv(out / "tables" / "reliability.csv", encoding="utf-8-sig")
        assert {"estimate", "ci_low", "ci_high"} <= set(rel.columns)
        for name in ("model_forest_or", "model_ame"):  # PNG, in the run's language only
            assert (out / "figures" / f"{name}_{lang}.png").stat().st_size > 1000
            assert not list((out / "figures").glob(f"{name}_*.svg"))
            assert not (out / "figures" / f"{name}_{'en' if lang == 'sv' else 'sv'}.png").exists()
        s = json.loads((out / "model_summary.json").read_text(encoding="utf-8"))
        ver = pd.read_csv(out / "tables" / "verdicts.csv", encoding="utf-8-sig")
        assert list(ver["claim"]) == ["leadership", "resources_self_rating", "collaboration"]
        assert set(ver["verdict"]) <= {"supported", "not_shown", "contradicted"}
        assert (out / "tables" / "claim_tests.csv").is_file() and (out / "tables" / "se_design.csv").is_file()
        assert s["claim_tests"]["collaboration"]["decisive"] == ["maturity_index_binomial", "maturity_index_ordinal"]
        assert s["synthetic"] is True and s["alpha"] == 0.05


def _keys_and_values(o, keys: set, values: set) -> None:
    """Every key and every leaf value (as text) of a JSON document, collected into keys and values."""
    if isinstance(o, dict):
        keys.update(o)
        for v in o.values():
            _keys_and_values(v, keys, values)
    elif isinstance(o, list):
        for v in o:
            _keys_and_values(v, keys, values)
    else:
        values.add(str(o))


def test_no_output_identifies_a_municipality(step_outputs, register):
    names = set(register["kommun"].astype(str)) | set(register["kommunkod"].astype(str))
    for out, _ in step_outputs.values():
        for path in (out / "tables").glob("*.csv"):
            t = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
            assert not {"kommun", "kommunkod", "kommun_fullnamn"} & set(t.columns), path
            cells = set(t.to_numpy().ravel().astype(str))
            assert not (cells & names), path
        keys, values = set(), set()
        _keys_and_values(json.loads((out / "model_summary.json").read_text(encoding="utf-8")), keys, values)
        assert not {"kommun", "kommunkod", "kommun_fullnamn"} & keys
        assert not (values & names)


def test_run_step_is_deterministic(step_outputs, tmp_path):
    out, _ = step_outputs["sv"]
    # re-run into a fresh folder and compare the tables byte for byte
    proc = next(p for p in out.parent.iterdir() if p.name.startswith("processed"))
    from analysis.run.steps import model as model_step

    model_step.run({"processed_dir": str(proc), "output_dir": str(tmp_path), "lang": "sv", "alpha": 0.05,
                 "seed": 2019, "min_cell": 5})
    for name in ("tables/models.csv", "tables/reliability.csv", "tables/verdicts.csv", "tables/claim_tests.csv",
                 "tables/se_design.csv", "model_summary.json",
                 "figures/model_forest_or_sv.png", "figures/model_ame_sv.png"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_notebook_renders_tables_and_plots(step_outputs, root, tmp_path, monkeypatch):
    """03 in English, as the runner runs it (its kernel marked, so it writes where it is told): no
    errors, both figures, and every verdict of verdicts.csv shown by its English label."""
    import nbformat
    import papermill as pm

    from analysis.present import catalogue
    from analysis.run import params as params_mod

    monkeypatch.setenv(params_mod.RUNNER_ENV, "1")

    out, _ = step_outputs["sv"]
    proc = next(p for p in out.parent.iterdir() if p.name.startswith("processed"))
    target = tmp_path / "03_model.out.ipynb"
    pm.execute_notebook(str(root / "notebooks" / "03_model.ipynb"), str(target), kernel_name="python3",
                        cwd=str(root / "notebooks"), progress_bar=False,
                        parameters={"processed_dir": str(proc), "output_dir": str(tmp_path / "reports"), "lang": "en"})
    nb = nbformat.read(target, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    verdicts = pd.read_csv(tmp_path / "reports" / "tables" / "verdicts.csv", encoding="utf-8-sig")
    shown = " ".join(html)
    assert "Odds ratio" in shown
    for v in verdicts["verdict"]:
        assert f">{catalogue.label('verdicts', v, 'en')}<" in shown, v
    assert (tmp_path / "reports" / "tables" / "claim_tests.csv").is_file()


def test_verdict_table_holds_the_numbers_of_each_family(step_outputs):
    """verdicts.csv: numbers and codes only, each recomputed here from models.csv."""
    out, result = step_outputs["sv"]
    table, ver = result["models"], result["verdicts"].set_index("claim")
    main = table[(table["spec"] == "main") & table["outcome"].isin(models.OUTCOMES)]
    lead = main[main["term"].isin(models.PRIMARY_TERMS)]
    assert ver.loc["leadership", "n_tests"] == 14
    assert ver.loc["leadership", "n_or_above_1"] == int((lead["odds_ratio"] > 1).sum())
    positive = (lead["q_value"] < 0.05) & (lead["odds_ratio"] > 1)
    assert ver.loc["leadership", "n_q_below_alpha_positive"] == int(positive.sum())
    assert ver.loc["leadership", "median_odds_ratio"] == pytest.approx(lead["odds_ratio"].median())
    # collaboration: decided by the two maturity-index models, the seven areas support it
    mi = table[(table["spec"] == "main") & table["outcome"].isin(["maturity_index_binomial", "maturity_index_ordinal"])
               & (table["term"] == "collaboration")]
    assert ver.loc["collaboration", "n_tests"] == 2
    assert ver.loc["collaboration", "min_odds_ratio"] == pytest.approx(mi["odds_ratio"].min())
    assert ver.loc["collaboration", "median_ame"] == pytest.approx(mi["ame"].dropna().median())
    col = main[main["term"] == "collaboration"]
    assert ver.loc["collaboration", "n_supporting"] == 7
    assert ver.loc["collaboration", "n_supporting_or_above_1"] == int((col["odds_ratio"] > 1).sum())
    sr = table[(table["spec"] == "main") & (table["outcome"] == "self_rating_ordinal")
               & (table["term"] == "resources")].iloc[0]
    assert ver.loc["resources_self_rating", "odds_ratio"] == pytest.approx(sr["odds_ratio"])
    assert ver.loc["resources_self_rating", "p_value"] == pytest.approx(sr["p_value"])
    assert ver.loc["resources_self_rating", "n_supporting"] == 0
    assert set(ver["verdict"]) <= set(models.VERDICTS)
    assert (ver["mde_min"] <= ver["mde_max"]).all() and (ver["mde_min"] > 1).all()
