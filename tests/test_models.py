"""models: coverage and bias of the reported intervals on the generator's truth (slow tier), equality with
plain statsmodels, weighted AME/sandwich by hand, profile likelihood, sparse groups, BH, Firth on separated
data, KR-20, the claim map, power and verdicts, and the step's outputs (no identifying columns)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit

from analysis.compute import models
from conftest import write_processed

N_SEEDS = 50


# ------------------------------------------------------------------------------------ helpers
def _sim(n=300, seed=0, weights=True):
    """A simulated design like the main spec: four 0/1 terms, log size, three groups."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "leadership_informed": rng.random(n) < 0.3, "action_plans": rng.random(n) < 0.25,
        "resources": rng.random(n) < 0.35, "collaboration": rng.random(n) < 0.5,
        "log_folkmangd": rng.normal(9.8, 1.0, n),
        "huvudgrupp": pd.Categorical(rng.choice(list("ABC"), n, p=[0.2, 0.4, 0.4]), categories=list("ABC")),
    })
    X = models.design_matrix(df, models.TERMS, "huvudgrupp")
    beta = np.array([-2.5, 0.9, 0.7, 0.5, 0.4, 0.15, 0.0, 0.0])
    y = (rng.random(n) < expit(X.to_numpy() @ beta)).astype(float)
    w = rng.uniform(1.0, 1.5, n) if weights else None
    return X, y, w


def _analysis_frame(n=290, seed=1):
    """A hand-made analysis.parquet-like frame following docs/contracts.md."""
    rng = np.random.default_rng(seed)
    groups = np.array(["A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9"])
    kg = groups[rng.integers(0, 9, n)]
    df = pd.DataFrame({
        "kommunkod": [f"{i:04d}" for i in range(100, 100 + n)], "kommun": [f"K{i}" for i in range(n)],
        "kommungrupp": pd.Categorical(kg, categories=groups),
        "huvudgrupp": pd.Categorical([g[0] for g in kg], categories=list("ABC")),
        "folkmangd": rng.integers(3000, 200000, n).astype("int64"),
        "responded": rng.random(n) < 0.9,
    })
    lp = np.log(df["folkmangd"].to_numpy(float))
    x = {p: rng.random(n) < s for p, s in zip(models.PREDICTORS, (0.3, 0.25, 0.35, 0.5))}
    for p in models.PREDICTORS:
        df[p] = pd.array(x[p], dtype="boolean")
        df.loc[rng.random(n) < 0.03, p] = pd.NA
    for a in models.OUTCOMES:
        eta = -3 + 0.9 * x["leadership_informed"] + 0.8 * x["action_plans"] + 0.5 * x["resources"] \
            + 0.4 * x["collaboration"] + 0.2 * lp
        est = rng.random(n) < expit(eta)
        level = np.where(est, 3 + rng.integers(0, 2, n), rng.integers(0, 3, n))
        miss = rng.random(n) < 0.05
        dk = miss & (rng.random(n) < 0.6)
        df[a] = pd.array(np.where(miss, None, est), dtype="boolean")
        df[f"{a}_level"] = pd.array(np.where(miss, None, level), dtype="Int8")
        df[f"{a}_dont_know"] = dk
    items = df[list(models.OUTCOMES)]
    df["maturity_index"] = items.astype("Int8").sum(axis=1).where(items.notna().all(axis=1)).astype("Int8")
    latent = 0.45 * items.fillna(False).astype(int).sum(axis=1) + 0.9 * x["resources"] + rng.logistic(size=n)
    df["self_rating"] = pd.array(1 + np.searchsorted([0.0, 1.2, 2.7, 4.3], latent), dtype="Int8")
    return df


# ------------------------------------------------------------------------------------ coverage and bias
# What the report shows: the main spec's weighted fits (design weights, HC1 sandwich, Wald intervals),
# over N_SEEDS synthetic surveys whose planted effects are known. Slow tier (about 1.5 minutes).
N_SEEDS = 200
COVERAGE_TERMS = (*models.TERMS, "huvudgrupp_B", "huvudgrupp_C")


def expected_first_order_bias(X: np.ndarray, w: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """O(1/n) bias of the weighted pseudo-ML logistic estimator at the true beta (Cox-Snell for an
    estimating equation sum w_i (y_i - p_i) x_i = 0): J^-1 sum_i w_i v_i (p_i - 1/2) (x_i' V x_i) x_i with
    J = sum w v x x', V = J^-1 (sum w^2 v x x') J^-1 the true variance, v = p (1 - p). With w = 1 this is
    the familiar J^-1 sum h_i (p_i - 1/2) x_i that Firth's penalty removes."""
    p = expit(X @ beta)
    v = p * (1 - p)
    J = (X * (w * v)[:, None]).T @ X
    Ji = np.linalg.inv(J)
    V = Ji @ ((X * (w**2 * v)[:, None]).T @ X) @ Ji
    q = np.einsum("ij,jk,ik->i", X, V, X)
    return Ji @ (X.T @ (w * v * (p - 0.5) * q))


def _simulate(register, seeds) -> list[tuple]:
    """Rows of the simulation fixture for `seeds` (one worker's share)."""
    from analysis.compute import clean, survey
    from analysis.synthetic import generator as synthetic

    z = 1.959963984540054
    rows = []
    for seed in seeds:
        raw, truth = synthetic.generate(register, seed=seed)
        a = clean.clean(raw, register, source="synthetic_coverage.csv").analysis
        df, group = models.spec_frame(a, "main")
        resp = a[a["responded"].astype(bool)]
        n_h = resp["kommungrupp"].astype(str).value_counts().to_dict()
        N_h = survey.stratum_sizes(a)
        for out in models.OUTCOMES:
            d = df.loc[df[[f"y_{out}", *models.PREDICTORS, "log_folkmangd"]].notna().all(axis=1)]
            X = models.design_matrix(d, models.TERMS, group)
            f = models.fit_binary(d[f"y_{out}"].astype(float), X, d["_w"])  # exactly the main spec's fit
            true = pd.Series({"const": truth["intercepts"][out], **truth["effects"][out],
                              **truth["group_effects"][out]}).reindex(X.columns)
            ml = f.method == "ML"
            bias = expected_first_order_bias(X.to_numpy(float), np.asarray(f.weights), true.to_numpy(float)) \
                if ml else np.full(len(X.columns), np.nan)
            se_fpc = np.sqrt(np.diag(models.stratified_cov(f, resp.loc[d.index, "kommungrupp"], n_h, N_h))) \
                if ml else np.full(len(X.columns), np.nan)
            for k, t in enumerate(X.columns):
                if t in COVERAGE_TERMS:
                    rows.append((seed, out, t, f.method, true[t], f.params[t], f.ci.loc[t, "low"], f.ci.loc[t, "high"],
                                 bias[k], f.params[t] - z * se_fpc[k], f.params[t] + z * se_fpc[k]))
    return rows


@pytest.fixture(scope="module")
def simulation(register):
    """Per seed, outcome and term: the reported estimate and interval, the truth, the expected bias,
    and the interval the strata + FPC variant would give. Two worker processes (CI has two cores)."""
    from concurrent.futures import ProcessPoolExecutor

    seeds = list(range(1, N_SEEDS + 1))
    workers = max(1, min(2, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_simulate, [register] * workers, [seeds[i::workers] for i in range(workers)]))
    rows = sorted(r for part in parts for r in part)
    return pd.DataFrame(rows, columns=["seed", "outcome", "term", "method", "truth", "est", "lo", "hi",
                                       "expected_bias", "lo_fpc", "hi_fpc"])


def _per_seed_band(flags: pd.Series, seeds: pd.Series) -> tuple[float, float]:
    """Pooled rate and its Monte Carlo SE with seeds as independent clusters (the outcomes of one
    survey share its predictors), never below the binomial SE of the pooled count."""
    per_seed = flags.groupby(seeds).mean()
    rate = float(flags.mean())
    se = max(float(per_seed.std(ddof=1) / np.sqrt(len(per_seed))), float(np.sqrt(0.95 * 0.05 / len(flags))))
    return rate, se


@pytest.mark.slow
def test_coverage_of_the_reported_weighted_hc1_intervals(simulation):
    """Per term, the share of the reported 95 % intervals (weighted, HC1) that contain the planted
    value lies within 3 Monte Carlo SEs of 0.95. The strata + FPC variant is printed beside it."""
    r = simulation
    lines, failures = [], []
    for t in COVERAGE_TERMS:
        g = r[r["term"] == t]
        rate, se = _per_seed_band((g["lo"] <= g["truth"]) & (g["truth"] <= g["hi"]), g["seed"])
        ml = g[g["method"] == "ML"]
        fpc = float(((ml["lo_fpc"] <= ml["truth"]) & (ml["truth"] <= ml["hi_fpc"])).mean())
        lines.append(f"{t:22s} {rate:.4f} (MC SE {se:.4f}, n {len(g)})   strata+FPC {fpc:.3f}")
        if abs(rate - 0.95) > 3 * se:
            failures.append(lines[-1])
        assert fpc < 0.75, f"{t}: the FPC intervals covered {fpc:.3f}; the methods text says they are far too narrow"
    n_firth = int((r.drop_duplicates(["seed", "outcome"])["method"] == "Firth").sum())
    print(f"\ncoverage of the weighted HC1 95% intervals, {N_SEEDS} seeds x 7 outcomes ({n_firth} Firth fits):\n"
          + "\n".join(lines))
    assert not failures, failures


@pytest.mark.slow
def test_mean_error_equals_the_expected_small_sample_bias(simulation):
    """Maximum likelihood is biased away from zero at n = 190: the mean estimation error per term must
    equal the first-order bias expected at the truth (expected_first_order_bias, averaged over the same
    fits), within 3.5 Monte Carlo SEs, and for the four items that bias must be distinguishable from 0
    (so a test against zero would fail)."""
    r = simulation[simulation["method"] == "ML"].assign(err=lambda d: d["est"] - d["truth"])
    lines = []
    for t in COVERAGE_TERMS:
        g = r[r["term"] == t]
        dev = (g["err"] - g["expected_bias"]).groupby(g["seed"]).mean()
        exp_seed = g["expected_bias"].groupby(g["seed"]).mean()
        mc_se = float(dev.std(ddof=1) / np.sqrt(len(dev)))
        observed, expected = float(g["err"].mean()), float(g["expected_bias"].mean())
        lines.append(f"{t:22s} mean error {observed:+.4f}, expected bias {expected:+.4f} (MC SE {mc_se:.4f})")
        assert abs(observed - expected) < 3.5 * mc_se, lines[-1]
        if t in models.PREDICTORS:  # away from zero: every planted item effect is positive
            assert float(exp_seed.min()) > 0, lines[-1]
    # the four items together: the expected bias is far from zero, so a test against zero would fail
    items = r[r["term"].isin(models.PREDICTORS)]
    pooled = (items["err"]).groupby(items["seed"]).mean()
    expected = float(items["expected_bias"].mean())
    lines.append(f"{'four items pooled':22s} mean error {pooled.mean():+.4f}, expected bias {expected:+.4f} "
                 f"(MC SE {pooled.std(ddof=1) / np.sqrt(len(pooled)):.4f})")
    print("\n" + "\n".join(lines))
    assert expected > 4 * pooled.std(ddof=1) / np.sqrt(len(pooled)), lines[-1]


# ------------------------------------------------------------------------------------ equality with statsmodels
def test_unweighted_equals_plain_logit_and_get_margeff():
    X, y, _ = _sim(seed=3, weights=False)
    f = models.fit_binary(y, X, None)
    assert f.method == "ML" and not f.weighted
    logit = sm.Logit(y, X).fit(disp=False, tol=1e-12)
    np.testing.assert_allclose(np.exp(f.params), np.exp(logit.params), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(f.cov.to_numpy(), logit.cov_params().to_numpy(), rtol=1e-4, atol=1e-9)
    ame = models.average_marginal_effects(f.params, f.cov, X)
    me = logit.get_margeff(at="overall", method="dydx", dummy=True)
    np.testing.assert_allclose(ame["ame"].to_numpy(), me.margeff, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ame["se"].to_numpy(), me.margeff_se, rtol=1e-4)
    rows = models.fit_rows(f, "unweighted", "y")
    np.testing.assert_allclose(rows["ame"].to_numpy(), 100 * me.margeff, rtol=1e-7)
    # the GLM results' own get_margeff agrees as well
    glm_me = f.extra["result"].get_margeff(at="overall", method="dydx", dummy=True)
    np.testing.assert_allclose(ame["ame"].to_numpy(), glm_me.margeff, rtol=1e-7)


def test_weighted_sandwich_is_hc1_by_hand_and_not_freq_weights():
    X, y, w = _sim(seed=4)
    f = models.fit_binary(y, X, w)
    wn = w / w.mean()
    Xv = X.to_numpy()
    p = expit(Xv @ f.params.to_numpy())
    H = (Xv * (wn * p * (1 - p))[:, None]).T @ Xv
    S = Xv * (wn * (y - p))[:, None]
    n, k = Xv.shape
    V = np.linalg.inv(H) @ (S.T @ S) @ np.linalg.inv(H) * n / (n - k)
    np.testing.assert_allclose(f.cov.to_numpy(), V, rtol=1e-6)
    # invariant to the scale of the weights
    np.testing.assert_allclose(models.fit_binary(y, X, 7 * w).cov.to_numpy(), V, rtol=1e-6)
    # freq_weights give a different (replicated-rows) sandwich: the reason they are not used
    fw = sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=wn).fit(cov_type="HC0")
    assert not np.allclose(np.asarray(fw.cov_params()), V / (n / (n - k)), rtol=1e-3)


def test_weighted_ame_delta_method_by_finite_differences():
    X, y, w = _sim(seed=5)
    f = models.fit_binary(y, X, w)
    ame = models.average_marginal_effects(f.params, f.cov, X, w)
    Xv, a = X.to_numpy(), w / w.sum()

    def ame_of(b, j):
        if models.is_binary(X.iloc[:, j]):
            X1, X0 = Xv.copy(), Xv.copy()
            X1[:, j], X0[:, j] = 1, 0
            return a @ (expit(X1 @ b) - expit(X0 @ b))
        p = expit(Xv @ b)
        return a @ (p * (1 - p)) * b[j]

    b0, V = f.params.to_numpy(), f.cov.to_numpy()
    for j, t in enumerate(X.columns):
        if t == "const":
            continue
        assert ame.loc[t, "ame"] == pytest.approx(ame_of(b0, j), rel=1e-10)
        g = np.array([(ame_of(b0 + h * e, j) - ame_of(b0 - h * e, j)) / (2 * h)
                      for e, h in zip(np.eye(len(b0)), np.full(len(b0), 1e-6))])
        assert ame.loc[t, "se"] == pytest.approx(np.sqrt(g @ V @ g), rel=1e-5), t
    # weights matter: the weighted AME differs from the unweighted one on skewed weights
    w2 = np.where(X["huvudgrupp_C"] == 1, 5.0, 1.0)
    f2 = models.fit_binary(y, X, w2)
    a2 = models.average_marginal_effects(f2.params, f2.cov, X, w2)
    a1 = models.average_marginal_effects(f2.params, f2.cov, X, None)
    assert not np.isclose(a2.loc["leadership_informed", "ame"], a1.loc["leadership_informed", "ame"])


def test_weighted_ordinal_sandwich_by_numerical_derivatives():
    from statsmodels.tools.numdiff import approx_fprime, approx_hess

    rng = np.random.default_rng(6)
    n = 250
    X = pd.DataFrame({"a": (rng.random(n) < 0.4).astype(float), "b": rng.normal(size=n)})
    y = 1 + np.searchsorted([-0.5, 0.5, 1.5], X["a"] * 0.9 + X["b"] * 0.5 + rng.logistic(size=n))
    w = rng.uniform(0.5, 2, n)
    f = models.fit_ordinal(y, X, w)
    m = f.extra["result"].model
    b = f.params.to_numpy()
    S = approx_fprime(b, m.loglikeobs, centered=True)
    Hi = np.linalg.inv(-approx_hess(b, m.loglike))
    k = len(b)
    np.testing.assert_allclose(f.cov.to_numpy(), Hi @ (S.T @ S) @ Hi * n / (n - k), rtol=1e-4)
    # unit weights give the plain OrderedModel estimates
    g0 = models.fit_ordinal(y, X, None)
    g1 = models.fit_ordinal(y, X, np.ones(n))
    np.testing.assert_allclose(g0.params.to_numpy(), g1.params.to_numpy(), atol=1e-5)


# ------------------------------------------------------------------------------------ BH, Firth, KR-20
def test_bh_qvalues_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20, 0.005])
    # sorted: 0.005, 0.01, 0.03, 0.04, 0.20 -> p*m/rank: 0.025, 0.025, 0.05, 0.05, 0.20; cummin from top
    expected = np.array([0.025, 0.05, 0.05, 0.20, 0.025])
    np.testing.assert_allclose(models.bh_qvalues(p), expected)


def test_primary_family_gets_qvalues_only():
    t = models.fit_all(_analysis_frame(), specs=("main", "unweighted"))
    fam = models.primary_family(t)
    assert fam.sum() == 14
    assert t.loc[fam, "q_value"].notna().all() and t.loc[~fam, "q_value"].isna().all()
    np.testing.assert_allclose(t.loc[fam, "q_value"], models.bh_qvalues(t.loc[fam, "p_value"]))
    assert list(t.columns) == models.COLUMNS


def test_separation_triggers_firth():
    X, y, w = _sim(n=200, seed=7)
    y = y.copy()
    y[X["leadership_informed"] == 1] = 1.0  # quasi-complete separation on leadership_informed
    with pytest.raises(models.SeparationDetected):
        models._glm_ml(y, X, None)
    for weights in (None, w):
        f = models.fit_binary(y, X, weights)
        assert f.method == "Firth" and f.separation
        assert np.isfinite(f.params).all() and abs(f.params["leadership_informed"]) < 10
        assert f.ci.loc["leadership_informed", "low"] > 0
        rows = models.fit_rows(f, "main", "y")
        assert (rows["method"] == "Firth").all() and rows["ame"].notna().all()
    # complete separation: statsmodels' PerfectSeparation warning/error is turned into the Firth path
    x = np.r_[np.zeros(20), np.ones(20)]
    Xc = pd.DataFrame({"const": 1.0, "x": x})
    f = models.fit_binary(x, Xc)
    assert f.method == "Firth" and np.isfinite(f.params["x"])


def test_kr20_by_hand():
    items = np.array([[1, 1, 1, 0], [1, 0, 1, 0], [0, 0, 1, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 0, 1]])
    k = 4
    p = items.mean(axis=0)
    total = items.sum(axis=1)
    hand = k / (k - 1) * (1 - (p * (1 - p)).sum() / total.var())
    assert models.kr20(items) == pytest.approx(hand)
    cronbach = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert models.kr20(items) == pytest.approx(cronbach)
    t1 = models.kr20_intervals(items, seed=1, n_boot=200)
    t2 = models.kr20_intervals(items, seed=1, n_boot=200)
    pd.testing.assert_frame_equal(t1, t2)
    feldt = t1[t1["ci_method"] == "feldt_f"].iloc[0]
    assert feldt["ci_low"] < hand < feldt["ci_high"]


# ------------------------------------------------------------------------------------ specs
def test_specs_code_outcomes_as_documented():
    a = _analysis_frame()
    main, dk, cut = (models.spec_outcomes(a, s) for s in ("main", "dont_know_as_no", "cut_partly"))
    for o in models.OUTCOMES:
        assert (dk[o] == False).sum() == (main[o] == False).sum() + a[f"{o}_dont_know"].sum()  # noqa: E712
        np.testing.assert_array_equal(cut[o].fillna(False), (a[f"{o}_level"] >= 2).fillna(False))
    t = models.fit_all(a, min_cell=5)
    assert set(t["spec"]) == set(models.SPECS)
    assert t.loc[t["spec"] == "unweighted", "weighted"].eq(False).all()
    assert t.loc[t["spec"] == "main", "weighted"].eq(True).all()
    assert t.loc[t["spec"] == "kommungrupp", "term"].str.startswith("kommungrupp_").any()
    # kommungrupp: the reporting groups, so A1 (three municipalities, as in the register) never has a
    # dummy of its own but is merged with A2
    small = a.copy()
    a1 = small.index[small["kommungrupp"] == "A1"]
    small.loc[a1[3:], "kommungrupp"] = "A2"
    df, group = models.spec_frame(small, "kommungrupp", min_cell=5)
    assert "A1" not in set(df[group]) and "A1+A2" in set(df[group])
    tk = models.fit_spec(small, "kommungrupp", min_cell=5)
    assert not tk["term"].isin(["kommungrupp_A1", "kommungrupp_A2"]).any()
    # leadership_total: no resources or collaboration, the same samples as main
    lt, main = t[t["spec"] == "leadership_total"], t[t["spec"] == "main"]
    assert not lt["term"].isin(["resources", "collaboration"]).any()
    assert set(lt["outcome"]) == {*models.OUTCOMES, "maturity_index_binomial", "maturity_index_ordinal"}
    pd.testing.assert_series_equal(lt.groupby("outcome")["n"].first(),
                                   main[main["outcome"].isin(lt["outcome"])].groupby("outcome")["n"].first())
    n_main = t[(t["spec"] == "main") & t["outcome"].isin(models.OUTCOMES)].groupby("outcome")["n"].first()
    n_dk = t[(t["spec"] == "dont_know_as_no") & t["outcome"].isin(models.OUTCOMES)].groupby("outcome")["n"].first()
    assert (n_dk >= n_main).all() and (n_dk > n_main).any()
    n_cc = t.loc[(t["spec"] == "complete_cases"), "n"].unique()
    assert len(n_cc) == 1  # one sample for every model


def test_verdict_rule():
    def fam(orr, lo, hi, q):
        return pd.DataFrame({"odds_ratio": orr, "ci_low": lo, "ci_high": hi, "q_value": q})
    assert models.decide(fam([2, 1.5, 0.9], [1.2, 0.8, 0.5], [3, 2.5, 1.6], [0.01, 0.2, 0.6])) == "supported"
    # every upper limit below 1.25: a meaningful positive association is ruled out
    assert models.decide(fam([1.0, 1.05], [0.9, 0.95], [1.1, 1.2], [0.9, 0.9])) == "contradicted"
    # significant in the opposite direction
    assert models.decide(fam([0.5, 1.5], [0.3, 0.9], [0.8, 2.5], [0.01, 0.3])) == "contradicted"
    # positive but not significant, wide intervals: not shown
    assert models.decide(fam([1.5, 1.4], [0.8, 0.9], [2.9, 2.5], [0.3, 0.3])) == "not_shown"
    # one significant of two but not more than half above 1
    assert models.decide(fam([2.0, 0.9], [1.1, 0.5], [3.6, 1.6], [0.02, 0.7])) == "not_shown"
    assert models.decide(fam([3.6], [2.1], [6.1], [1e-6])) == "supported"


def test_minimum_detectable_odds_ratio_has_the_stated_power():
    """At the MDE a two-sided Wald test at level a rejects with probability 0.80: by formula and by
    simulating the test statistic."""
    se, a = 0.4, 0.05 / 14
    mde = float(models.minimum_detectable_or(se, a))
    assert float(models.power_at(mde, se, a)) == pytest.approx(0.80, abs=1e-3)
    from scipy import stats

    draws = np.random.default_rng(1).normal(np.log(mde) / se, 1.0, 400_000)
    assert np.mean(np.abs(draws) > stats.norm.ppf(1 - a / 2)) == pytest.approx(0.80, abs=0.003)
    # no effect: power equals the level
    assert float(models.power_at(1.0, se, a)) == pytest.approx(a)


def test_claim_map_and_claim_tests_table():
    """The map is data: leadership is decided by the 14 primary tests, collaboration by the two
    maturity-index models (the seven areas support it), resources by one test; q within each group."""
    assert set(models.CLAIM_TESTS["leadership"]["decisive"]) == set(models.OUTCOMES)
    assert models.CLAIM_TESTS["leadership"]["terms"] == models.PRIMARY_TERMS
    assert models.CLAIM_TESTS["collaboration"]["decisive"] == ("maturity_index_binomial", "maturity_index_ordinal")
    assert models.CLAIM_TESTS["collaboration"]["supporting"] == models.OUTCOMES
    assert models.CLAIM_TESTS["resources_self_rating"]["decisive"] == ("self_rating_ordinal",)
    t = models.fit_all(_analysis_frame(), specs=("main",))
    ct = models.claim_test_table(t)
    assert list(ct.columns) == models.CLAIM_TEST_COLUMNS
    lead = ct[(ct["claim"] == "leadership") & (ct["role"] == "decisive")].set_index(["outcome", "term"])
    prim = t[models.primary_family(t)].set_index(["outcome", "term"])
    assert len(lead) == 14
    np.testing.assert_allclose(lead.loc[prim.index, "q_value"], prim["q_value"])  # the same BH family
    for (claim, role), g in ct.groupby(["claim", "role"]):
        expected = models.bh_qvalues(g["p_value"]) if len(g) > 1 else g["p_value"].to_numpy()
        np.testing.assert_allclose(g["q_value"], expected, err_msg=f"{claim} {role}")
        assert (g["m_tests"] == len(g)).all() and np.allclose(g["test_alpha"], 0.05 / len(g))
    # SE from the Wald interval, MDE from the SE
    se = (np.log(ct["ci_high"]) - np.log(ct["ci_low"])) / (2 * 1.959963984540054)
    np.testing.assert_allclose(ct["se_log_or"], se, rtol=1e-9)
    np.testing.assert_allclose(ct["mde_odds_ratio"], models.minimum_detectable_or(se, ct["test_alpha"]))
    v = models.verdict_table(t, claim_tests=ct).set_index("claim")
    assert list(v.index) == list(models.CLAIMS) and set(v["verdict"]) <= set(models.VERDICTS)
    col = ct[(ct["claim"] == "collaboration") & (ct["role"] == "decisive")]
    assert v.loc["collaboration", "verdict"] == models.decide(col)
    assert v.loc["collaboration", "n_tests"] == 2 and v.loc["collaboration", "n_supporting"] == 7
    assert v.loc["collaboration", "mde_min"] == pytest.approx(col["mde_odds_ratio"].min())


# ------------------------------------------------------------------------------------ sparse groups, profile
def test_profile_likelihood_by_brute_force():
    """Profile limits and LR p-values against an independent computation: the profile deviance by
    scipy optimisation of the other coefficient and a root search, no statsmodels."""
    from scipy import optimize, stats

    rng = np.random.default_rng(11)
    n = 120
    x = (rng.random(n) < 0.3).astype(float)
    y = (rng.random(n) < expit(-1 + 1.2 * x)).astype(float)
    X = pd.DataFrame({"const": 1.0, "x": x})
    ci, p = models.profile_likelihood(y, X)

    def nll(b0, b1):
        eta = b0 + b1 * x
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    full = optimize.minimize(lambda b: nll(*b), [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    dmin = 2 * full.fun

    def prof(b1):
        return 2 * optimize.minimize_scalar(lambda b0: nll(b0, b1), bounds=(-20, 20), method="bounded",
                                            options={"xatol": 1e-12}).fun - dmin

    crit = stats.chi2.ppf(0.95, 1)
    lo = optimize.brentq(lambda b: prof(b) - crit, full.x[1] - 5, full.x[1])
    hi = optimize.brentq(lambda b: prof(b) - crit, full.x[1], full.x[1] + 5)
    assert (ci.loc["x", "low"], ci.loc["x", "high"]) == pytest.approx((lo, hi), abs=1e-5)
    assert p["x"] == pytest.approx(stats.chi2.sf(prof(0.0), 1), rel=1e-5)
    # the profile interval is not the Wald interval (asymmetric on the log-odds scale)
    assert abs((ci.loc["x", "high"] - full.x[1]) - (full.x[1] - ci.loc["x", "low"])) > 1e-3


def test_sparse_group_rule():
    """A main group with fewer than 5 events: weighted fits leave out the group rows, unweighted fits
    get profile-likelihood intervals (method ML_profile)."""
    a = _analysis_frame(seed=3)
    resp = a["responded"] & (a["huvudgrupp"] == "A")
    a.loc[resp, "follow_up"] = False
    a.loc[resp[resp].index[:3], "follow_up"] = True  # three events in A
    a["maturity_index"] = a[list(models.OUTCOMES)].astype("Int8").sum(axis=1).where(
        a[list(models.OUTCOMES)].notna().all(axis=1)).astype("Int8")
    log: list = []
    t = models.fit_all(a, specs=("main", "unweighted"), log=log)
    fu = t[t["outcome"] == "follow_up"]
    assert not fu.loc[fu["spec"] == "main", "term"].str.startswith("huvudgrupp_").any()
    assert fu.loc[fu["spec"] == "main", "term"].isin(models.PREDICTORS).sum() == 4
    uw = fu[fu["spec"] == "unweighted"]
    assert (uw["method"] == "ML_profile").all() and uw["term"].str.startswith("huvudgrupp_").any()
    assert {(e["spec"], e["outcome"], e["action"]) for e in log} >= {
        ("main", "follow_up", "group_rows_left_out"), ("unweighted", "follow_up", "profile_likelihood")}
    assert models.sparse_groups([1, 1, 0, 0, 0, 0, 0, 0], list("AABBBBBB"), 5) == ["A", "B"]


def test_design_se_table_strata_change_little_fpc_a_lot():
    a = _analysis_frame(seed=4)
    fits: dict = {}
    models.fit_all(a, specs=("main",), fits=fits)
    se = models.design_se_table(a, fits).set_index("variant")
    assert list(se.columns) == models.SE_DESIGN_COLUMNS[1:]
    assert 0.85 < se.loc["strata", "ratio_min"] <= se.loc["strata", "ratio_max"] < 1.15
    assert se.loc["strata_fpc", "ratio_max"] < 0.6  # 90 % responded: the FPC removes most of the variance


# ------------------------------------------------------------------------------------ the step
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
    for lang, (out, r) in step_outputs.items():
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


def test_no_output_identifies_a_municipality(step_outputs, register):
    names = set(register["kommun"].astype(str)) | set(register["kommunkod"].astype(str))
    for out, _ in step_outputs.values():
        for path in (out / "tables").glob("*.csv"):
            t = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
            assert not {"kommun", "kommunkod", "kommun_fullnamn"} & set(t.columns), path
            cells = set(t.to_numpy().ravel().astype(str))
            assert not (cells & names), path
        keys, values = set(), set()

        def walk(o):
            if isinstance(o, dict):
                keys.update(o)
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
            else:
                values.add(str(o))

        walk(json.loads((out / "model_summary.json").read_text(encoding="utf-8")))
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


def test_counts_model_falls_back_to_firth_on_separation():
    """A binary predictor that perfectly separates all-or-nothing counts: refitted, not dropped."""
    rng = np.random.default_rng(1)
    n = 60
    x = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    z = rng.normal(size=n)
    successes = np.where(x == 1, 7, 0).astype(float)
    X = pd.DataFrame({"const": 1.0, "x": x, "z": z})
    f = models.fit_counts(successes, 7, X)
    assert f.method == "Firth" and f.n == n and f.separation
    assert np.isfinite(f.params["x"]) and f.params["x"] > 2  # large but finite, as Firth gives


def test_verdict_table_holds_the_numbers_of_each_family(step_outputs):
    """verdicts.csv: numbers and codes only, each recomputed here from models.csv."""
    out, result = step_outputs["sv"]
    table, ver = result["models"], result["verdicts"].set_index("claim")
    main = table[(table["spec"] == "main") & table["outcome"].isin(models.OUTCOMES)]
    lead = main[main["term"].isin(models.PRIMARY_TERMS)]
    assert ver.loc["leadership", "n_tests"] == 14
    assert ver.loc["leadership", "n_or_above_1"] == int((lead["odds_ratio"] > 1).sum())
    assert ver.loc["leadership", "n_q_below_alpha_positive"] == int(((lead["q_value"] < 0.05) & (lead["odds_ratio"] > 1)).sum())
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
    sr = table[(table["spec"] == "main") & (table["outcome"] == "self_rating_ordinal") & (table["term"] == "resources")].iloc[0]
    assert ver.loc["resources_self_rating", "odds_ratio"] == pytest.approx(sr["odds_ratio"])
    assert ver.loc["resources_self_rating", "p_value"] == pytest.approx(sr["p_value"])
    assert ver.loc["resources_self_rating", "n_supporting"] == 0
    assert set(ver["verdict"]) <= set(models.VERDICTS)
    assert (ver["mde_min"] <= ver["mde_max"]).all() and (ver["mde_min"] > 1).all()
