"""Step 03_model: every model and specification, reliability, the claim tests and verdicts, the SE
design table, the model figures and model_summary.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...base import contracts
from ...base.codebook import default_codebook
from ...compute import estimable, likelihood, models
from ...present import figures
from .inputs import processed, source, tables_written_by


def run(P: dict[str, Any]) -> dict[str, Any]:
    """03_model: every model and specification, reliability, verdicts, figures, model_summary.json."""
    analysis, synthetic = processed(P)
    out = Path(P["output_dir"])
    alpha = float(P["alpha"])
    problems = estimable.model_problems(analysis)
    if problems:  # degenerate but valid data: empty tables, and the summary says why
        return _no_models(P, analysis, synthetic, problems)
    fits: dict = {}
    sparse: list = []
    table = models.fit_all(analysis, alpha, min_cell=int(P["min_cell"]), fits=fits, log=sparse)
    claim_tests = models.claim_test_table(table, alpha)
    derived = {
        "models": table,
        "reliability": models.reliability_table(analysis, alpha, int(P["seed"])),
        "claim_tests": claim_tests,
        "verdicts": models.verdict_table(table, alpha, claim_tests),
        "se_design": models.design_se_table(analysis, fits),
    }
    written = {}
    for name, frame in derived.items():
        df = frame.assign(data_source=source(synthetic))
        bad = [c for c in df.columns if c in models.IDENTIFYING]
        if bad:
            raise ValueError(f"identifying columns in output: {bad}")
        contracts.write_table(name, df, out)
        written[name] = contracts.validate(name, df)
    cb = default_codebook()
    lang = P["lang"]
    labels = {lang: {a: getattr(cb[a].headline, f"label_{lang}") for a in models.OUTCOMES}}
    main = table[(table["spec"] == "main") & table["outcome"].isin(models.OUTCOMES)]
    figs = figures.model_figures(main, labels, out / "figures", alpha=alpha, synthetic=synthetic,
                                 primary_terms=models.PRIMARY_TERMS, predictors=models.PREDICTORS,
                                 langs=(lang,))
    summary = {
        "step": "03_model", "synthetic": synthetic, "alpha": alpha,
        "n_respondents": int(analysis["responded"].sum()), "n_municipalities": int(len(analysis)),
        "specs": list(models.SPECS),
        "primary_family": {"terms": list(models.PRIMARY_TERMS), "outcomes": list(models.OUTCOMES),
                           "adjustment": "fdr_bh"},
        "meaningful_odds_ratio": models.MEANINGFUL_OR,
        "firth_fits": table.loc[table["method"] == "Firth", ["spec", "outcome"]].drop_duplicates()
        .to_dict(orient="records"),
        "sparse_groups": sparse,
        "claim_tests": {c: {k: list(v) for k, v in spec.items()} for c, spec in models.CLAIM_TESTS.items()},
        "power": models.POWER, "min_events": likelihood.MIN_EVENTS,
        "figures": sorted(str(p.relative_to(out)) for lg in figs.values() for ps in lg.values() for p in ps),
        "not_estimable": [],
    }
    contracts.write_json("model_summary", summary, out)
    return {**written, "summary": summary, "figures": figs[lang], "synthetic": synthetic}


def _no_models(P: dict[str, Any], analysis, synthetic: bool, problems: list[dict]) -> dict[str, Any]:
    """03 on data the models cannot use (analysis.compute.estimable): its tables without rows,
    no figures, and model_summary.json listing the problems under `not_estimable`."""
    out = Path(P["output_dir"])
    for stale in (out / "figures").glob("model_*"):  # an earlier run's model figures would contradict this one
        stale.unlink()
    written = {}
    for name in tables_written_by("03_model"):
        cols = [c for c in contracts.contract(name).schema.columns if c != "data_source"]
        df = pd.DataFrame(columns=cols).assign(data_source=pd.Series(dtype="str"))
        contracts.write_table(name, df, out)
        written[name] = contracts.validate(name, df)
    summary = {
        "step": "03_model", "synthetic": synthetic, "alpha": float(P["alpha"]),
        "n_respondents": int(analysis["responded"].sum()), "n_municipalities": int(len(analysis)),
        "specs": [], "primary_family": {"terms": list(models.PRIMARY_TERMS), "outcomes": list(models.OUTCOMES),
                                        "adjustment": "fdr_bh"},
        "meaningful_odds_ratio": models.MEANINGFUL_OR, "firth_fits": [], "sparse_groups": [],
        "claim_tests": {c: {k: list(v) for k, v in spec.items()} for c, spec in models.CLAIM_TESTS.items()},
        "power": models.POWER, "min_events": likelihood.MIN_EVENTS, "figures": [],
        "not_estimable": problems,
    }
    contracts.write_json("model_summary", summary, out)
    return {**written, "summary": summary, "figures": {}, "synthetic": synthetic}
