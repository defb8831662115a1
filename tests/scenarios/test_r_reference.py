"""The estimators against R (survey, sandwich, MASS, stats): frozen reference values, and live R.

tests/r/reference.R recomputes, from a CSV of the analysis data, what the report shows: the ten
shares with svyciprop(method = "beta"), the by-group shares and maturity means, the non-response
model (profile likelihood), the main-spec weighted GLMs with sandwich::vcovHC(type = "HC1") (and
svyglm with strata, with and without FPC), MASS::polr (weighted with an HC1 sandwich, and
unweighted) and p.adjust(method = "BH").

* test_python_equals_frozen_r_values: the committed input (tests/fixtures/r_reference_input.csv,
  the default synthetic data) and R's output on it (tests/fixtures/r_reference.json) against this
  package, always (no R needed).
* test_python_equals_live_r: writes the CSV from the CURRENT default synthetic data, runs the R
  script and compares; skipped with a reason where Rscript is missing, unless REQUIRE_R=1 (set by
  .ci/run), which turns a missing Rscript into a failure.

Regenerate the fixture after a deliberate change of the data or of the script:
    .venv/bin/python tests/scenarios/test_r_reference.py --regenerate
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compute.design import stratum_sizes

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "r" / "reference.R"
FIXTURE_INPUT = ROOT / "tests" / "fixtures" / "r_reference_input.csv"
FIXTURE_OUTPUT = ROOT / "tests" / "fixtures" / "r_reference.json"
ITEMS = ["ciso", "leadership_informed", "action_plans", "risk_management", "classification",
         "incident_management", "continuity", "awareness", "procurement", "follow_up"]
GROUPS = ["A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9"]
ALPHA, MIN_CELL = 0.05, 5

# Tolerances (absolute unless named relative; the largest differences seen on the 2019 synthetic
# data are in brackets). Survey estimators are closed-form: rounding (<= 5e-15). GLMs: IRLS to
# convergence on both sides (coef 2e-12, HC1 SE 2e-8 relative). polr: two BFGS optimisers (ours
# gtol 1e-7, R's reltol set to 1e-14): coefficients 1e-5 (9e-7), cut-points 1e-4 (7e-6; they are
# about 10 because log population has no centring), SEs 5e-4 relative (5e-5; numerical scores and
# Hessians). Profile limits: R interpolates a spline through a grid of the profile, we solve for
# the crossing: 2e-3 relative (6e-4). p- and q-values 1e-6 (4e-9).
TOL = {"survey": 1e-10, "glm_coef": 1e-6, "glm_se_rel": 1e-6, "polr_coef": 1e-5, "polr_cut": 1e-4,
       "polr_se_rel": 5e-4, "profile_rel": 2e-3, "p": 1e-6}


# ---------------------------------------------------------------------------------------- data
def default_analysis(register) -> pd.DataFrame:
    """analysis.parquet of the default synthetic export (seed 2019), cleaned in-process."""
    from analysis.compute import clean
    from analysis.synthetic import generator as synthetic

    raw, _ = synthetic.generate(register, seed=2019)
    return clean.clean(raw, register, source="synthetic_skr_infosak_2019.csv").analysis


def write_input(analysis: pd.DataFrame, path: Path) -> Path:
    """The CSV reference.R reads: one row per municipality, no names or codes."""
    from analysis.compute.disclosure import reporting_groups

    N_h = stratum_sizes(analysis)
    out = pd.DataFrame({
        "kommungrupp": analysis["kommungrupp"].astype(str),
        "reported_group": reporting_groups(analysis, MIN_CELL).astype(str),
        "huvudgrupp": analysis["huvudgrupp"].astype(str),
        "lan_kod": analysis["lan_kod"].astype(str),
        "folkmangd": analysis["folkmangd"].astype("int64"),
        "N_h": analysis["kommungrupp"].astype(str).map(N_h).astype("int64"),
        "responded": analysis["responded"].astype(int),
    })
    for c in [*ITEMS, "resources", "collaboration"]:
        out[c] = analysis[c].astype("boolean").astype("Int64")
    out["self_rating"] = analysis["self_rating"].astype("Int64")
    out["maturity_index"] = analysis["maturity_index"].astype("Int64")
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, lineterminator="\n")
    return path


def read_input(path: Path) -> pd.DataFrame:
    """The CSV back as an analysis-like frame (the columns the estimators use)."""
    d = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"lan_kod": str})
    d["kommungrupp"] = pd.Categorical(d["kommungrupp"], categories=GROUPS)
    d["huvudgrupp"] = pd.Categorical(d["huvudgrupp"], categories=list("ABC"))
    d["responded"] = d["responded"].astype(bool)
    for c in [*ITEMS, "resources", "collaboration"]:
        d[c] = d[c].astype("Int64").astype("boolean")
    d["self_rating"] = d["self_rating"].astype("Int8")
    d["maturity_index"] = d["maturity_index"].astype("Int8")
    return d


def run_r(csv: Path, out: Path) -> dict:
    r = subprocess.run(["Rscript", str(SCRIPT), str(csv), str(out)], check=False, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, f"Rscript failed:\n{r.stderr[-2000:]}"
    return json.loads(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------- comparison
R_TERM = {"(Intercept)": "const", "huvudgruppB": "huvudgrupp_B", "huvudgruppC": "huvudgrupp_C"}


class Diffs:
    """Largest differences seen per quantity, for the report of what was achieved."""

    def __init__(self):
        self.max: dict[str, float] = {}

    def check(self, name: str, got, want, tol: float, rel: bool = False, what: str = ""):
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        d = np.abs(got - want) / (np.abs(want) if rel else 1.0)
        d = float(np.nanmax(d)) if d.size else 0.0
        self.max[name] = max(self.max.get(name, 0.0), d)
        assert d <= tol, f"{name} {what}: python {got} vs R {want} (max {'rel ' if rel else ''}diff {d:.3g} > {tol})"


def compare(r: dict, analysis: pd.DataFrame) -> dict[str, float]:
    """Every R value against this package's computation on the same data; returns the max diffs."""
    from analysis.compute import models, survey

    D = Diffs()
    # shares
    head = survey.headline_table(analysis, ALPHA).set_index("item")
    for rec in r["headline"]:
        row = head.loc[rec["item"]]
        assert (row["n_eligible"], row["n_yes"]) == (rec["n"], rec["n_yes"]), rec["item"]
        assert row["ci_method"] == "korn_graubard"
        D.check("share", row["share_weighted"], rec["share"], TOL["survey"], what=rec["item"])
        D.check("share_se", row["se"], rec["se"], TOL["survey"], what=rec["item"])
        D.check("share_kg_limits", [row["ci_low"], row["ci_high"]], [rec["ci_low"], rec["ci_high"]],
                TOL["survey"], what=rec["item"])
    # by group: every cell the report shows
    bg = survey.headline_by_group(analysis, ALPHA, MIN_CELL)
    bg = bg[~bg["suppressed"]].set_index(["grouping", "group", "item"])
    seen = {"korn_graubard": 0, "census": 0, "clopper_pearson": 0}
    for rec in r["by_group"]:
        key = (rec["grouping"], rec["group"], rec["item"])
        # the Clopper-Pearson fallback itself, on every cell's counts (= binom.test), used or not
        D.check("clopper_pearson_vs_binom_test", survey.clopper_pearson(rec["n_yes"], rec["n"], ALPHA),
                [rec["cp_low"], rec["cp_high"]], TOL["survey"], what=str(key))
        if key not in bg.index:
            continue
        row = bg.loc[key]
        D.check("by_group_share", row["share_weighted"], rec["share"], TOL["survey"], what=str(key))
        method = row["ci_method"]
        seen[method] += 1
        if method == "korn_graubard":
            D.check("by_group_kg_limits", [row["ci_low"], row["ci_high"]], [rec["ci_low"], rec["ci_high"]],
                    TOL["survey"], what=str(key))
        elif method == "census":  # R: the design variance is zero; ours: the zero-width census interval
            D.check("by_group_census_se", rec["se"], 0.0, TOL["survey"], what=str(key))
            assert row["ci_low"] == row["ci_high"] == row["share_weighted"], key
        else:  # Clopper-Pearson on the counts = binom.test
            D.check("by_group_clopper_pearson", [row["ci_low"], row["ci_high"]], [rec["cp_low"], rec["cp_high"]],
                    TOL["survey"], what=str(key))
    assert seen["korn_graubard"] > 50 and len(bg) == sum(seen.values())
    # maturity means
    mat = survey.maturity_table(analysis, ALPHA, MIN_CELL)
    mat = mat[~mat["suppressed"]].set_index(["grouping", "group"])
    n_mat = 0
    for rec in r["maturity"]:
        key = (rec["grouping"], rec["group"])
        if key not in mat.index:
            continue
        row, n_mat = mat.loc[key], n_mat + 1
        D.check("maturity_mean", row["mean"], rec["mean"], TOL["survey"], what=str(key))
        D.check("maturity_se", row["se"], rec["se"], TOL["survey"], what=str(key))
        assert row["df"] == rec["df"], key
        if row["ci_method"] == "t":
            D.check("maturity_t_limits", [row["ci_low"], row["ci_high"]], [rec["ci_low"], rec["ci_high"]],
                    TOL["survey"], what=str(key))
        else:
            assert row["ci_method"] == "census" and rec["se"] == 0, key
    assert n_mat >= 10
    # non-response model: ML, profile-likelihood limits and LR p-values
    nr = survey.nonresponse_model(analysis, ALPHA)
    rn = r["nonresponse"]
    assert (nr["method"] == "ml_profile").all()
    D.check("nonresponse_coef", nr["coef"], rn["coef"], TOL["glm_coef"])
    D.check("nonresponse_se", nr["se"], rn["se"], TOL["glm_se_rel"], rel=True)
    D.check("nonresponse_profile_limits", np.r_[nr["ci_low"], nr["ci_high"]], np.r_[rn["ci_low"], rn["ci_high"]],
            TOL["profile_rel"], rel=True)
    D.check("nonresponse_lr_p", nr["p_value"], rn["lr_p"], TOL["p"])
    # main spec: weighted GLMs with HC1, svyglm with strata (with and without FPC)
    fits: dict = {}
    table = models.fit_all(analysis, ALPHA, specs=("main", "unweighted"), fits=fits)
    resp = analysis[analysis["responded"]]
    n_h = resp["kommungrupp"].astype(str).value_counts().to_dict()
    N_h = stratum_sizes(analysis)
    for outcome, g in r["glm"].items():
        f = fits[("main", outcome)]
        assert f.method == "ML" and f.n == g["n"], outcome
        terms = [R_TERM.get(t, t) for t in g["term"]]
        D.check("glm_coef", f.params[terms], g["coef"], TOL["glm_coef"], what=outcome)
        D.check("glm_se_hc1", np.sqrt(np.diag(f.cov.loc[terms, terms])), g["se_hc1"], TOL["glm_se_rel"], rel=True,
                what=outcome)
        D.check("glm_p", f.pvalues[terms], g["p_value"], TOL["p"], what=outcome)
        strata = resp.loc[f.X.index, "kommungrupp"]
        for variant, Nh in (("se_svyglm_strata", None), ("se_svyglm_strata_fpc", N_h)):
            v = models.stratified_cov(f, strata, n_h, Nh)
            D.check(variant, np.sqrt(np.diag(v.loc[terms, terms])), g[variant], TOL["glm_se_rel"], rel=True,
                    what=outcome)
    # polr: weighted (HC1) = main spec, unweighted = unweighted spec
    for name, p in r["polr"].items():
        outcome, weighting = name.rsplit("_", 1)
        f = fits[("main" if weighting == "weighted" else "unweighted", outcome)]
        assert f.n == p["n"], name
        terms = [R_TERM.get(t, t) for t in p["term"]]
        D.check("polr_coef", f.params[terms], p["coef"], TOL["polr_coef"], what=name)
        D.check("polr_se", np.sqrt(np.diag(f.cov.loc[terms, terms])), p["se"], TOL["polr_se_rel"], rel=True, what=name)
        th = f.params[f.extra["thresholds"]].to_numpy()
        zeta = np.cumsum(np.r_[th[0], np.exp(th[1:])])  # statsmodels: first cut, then log increments
        D.check("polr_cutpoints", zeta, p["zeta"], TOL["polr_cut"], what=name)
    # Benjamini-Hochberg: the primary family (models.csv) and the collaboration claim's two groups
    prim = table[models.primary_family(table)].set_index(["outcome", "term"])
    bh = r["bh"]["primary"]
    keys = list(zip(bh["outcome"], bh["term"], strict=True))
    D.check("bh_primary_p", prim.loc[keys, "p_value"], bh["p_value"], TOL["p"])
    D.check("bh_primary_q", prim.loc[keys, "q_value"], bh["q_value"], TOL["p"])
    ct = models.claim_test_table(table, ALPHA)
    col = ct[ct["claim"] == "collaboration"]
    D.check("bh_collaboration_areas", col.loc[col["role"] == "supporting", "q_value"], r["bh"]["collaboration_areas"],
            TOL["p"])
    D.check("bh_collaboration_maturity", col.loc[col["role"] == "decisive", "q_value"],
            r["bh"]["collaboration_maturity"], TOL["p"])
    return D.max


def _report(diffs: dict[str, float], label: str):
    print(f"\n{label}: largest differences python vs R")
    for k, v in diffs.items():
        print(f"  {k:32s} {v:.2e}")


# ---------------------------------------------------------------------------------------- tests
def test_python_equals_frozen_r_values():
    r = json.loads(FIXTURE_OUTPUT.read_text(encoding="utf-8"))
    assert r["input_md5"] == __import__("hashlib").md5(FIXTURE_INPUT.read_bytes()).hexdigest(), \
        "tests/fixtures/r_reference.json was not made from r_reference_input.csv: regenerate (module docstring)"
    label = f"frozen fixture ({r['r_version']}, survey {r['packages']['survey']})"
    _report(compare(r, read_input(FIXTURE_INPUT)), label)


def test_python_equals_live_r(register, tmp_path):
    if shutil.which("Rscript") is None:
        if os.environ.get("REQUIRE_R") == "1":
            pytest.fail("REQUIRE_R=1 but Rscript is not installed (apt-get install r-base-core r-cran-survey "
                        "r-cran-sandwich r-cran-mass r-cran-jsonlite)")
        pytest.skip("Rscript not installed: the live R comparison needs R with survey, sandwich, MASS, jsonlite")
    csv = write_input(default_analysis(register), tmp_path / "input.csv")
    r = run_r(csv, tmp_path / "r.json")
    _report(compare(r, read_input(csv)), f"live ({r['r_version']})")


def test_input_round_trip_keeps_the_estimates(register, tmp_path):
    """The CSV the R script reads carries everything the estimators use: same tables from both."""
    from analysis.compute import survey

    a = default_analysis(register)
    back = read_input(write_input(a, tmp_path / "input.csv"))
    pd.testing.assert_frame_equal(survey.headline_table(a), survey.headline_table(back))
    pd.testing.assert_frame_equal(survey.maturity_table(a), survey.maturity_table(back))


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit("usage: python tests/scenarios/test_r_reference.py --regenerate")
    from analysis.base.reference import load_register

    write_input(default_analysis(load_register(ROOT / "data" / "external")), FIXTURE_INPUT)
    res = run_r(FIXTURE_INPUT, FIXTURE_OUTPUT)
    print(f"wrote {FIXTURE_INPUT.relative_to(ROOT)} and {FIXTURE_OUTPUT.relative_to(ROOT)} ({res['r_version']})")
