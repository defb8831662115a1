"""synthetic.municipalities: exactly 264 respond at every seed (small and rural less often), the
balanced draws are Bernoulli with the right means, the planted effects are recovered by a pooled GLM,
and the self-rating is lower without resources."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.synthetic import generator, municipalities
from analysis.synthetic.parameters import AREAS, PREDICTORS, TERMS

N_DRAWS = 4000  # draws behind each simulated mean (5 SE bands)


def test_264_respond_at_every_seed_and_small_rural_answer_less(register, codebook):
    groups = register.set_index("kommunkod")["huvudgrupp"].astype(str)
    missing = {"A": 0, "C": 0}
    for seed in range(20):
        _, truth = generator.generate(register, seed=seed, codebook=codebook)
        resp = set(truth["response_model"]["respondents"])
        assert len(resp) == 264
        for g in missing:
            missing[g] += int(((groups == g) & ~groups.index.isin(resp)).sum())
    rate_a = missing["A"] / (20 * (groups == "A").sum())
    rate_c = missing["C"] / (20 * (groups == "C").sum())
    assert rate_c > 2 * rate_a, (rate_a, rate_c)


def test_balanced_bernoulli_has_the_right_means_and_balanced_totals():
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 0.95, 40)
    draws = np.array([municipalities.balanced_bernoulli(p, rng.permutation(40), rng) for _ in range(N_DRAWS)])
    assert set(np.unique(draws)) <= {0, 1}
    assert (np.abs(draws.mean(axis=0) - p) < 5 * np.sqrt(p * (1 - p) / N_DRAWS)).all()
    assert np.abs(draws.sum(axis=1) - p.sum()).max() < 1 + 1e-9


def test_systematic_pps_draws_exactly_k_with_the_inclusion_probabilities():
    rng = np.random.default_rng(6)
    q = rng.uniform(0.05, 0.6, 30)
    q = q * (6 / q.sum())
    hits = np.zeros(30)
    for _ in range(N_DRAWS):
        chosen = municipalities.systematic_pps(q, 6, rng)
        assert len(chosen) == 6 and (np.diff(chosen) > 0).all()
        hits[chosen] += 1
    assert (np.abs(hits / N_DRAWS - q) < 5 * np.sqrt(q * (1 - q) / N_DRAWS)).all()
    responded = municipalities.draw_response(q, 24, rng)
    assert responded.sum() == 24


def test_planted_effects_recovered_by_pooled_glm(register, codebook, reader):
    """Outcome ~ the four items + log(folkmangd) + huvudgrupp recovers the truth (no confounder)."""
    import statsmodels.api as sm

    frames, truth = [], None
    reg = register.set_index("kommunkod")
    for seed in range(20):
        df, truth = generator.generate(register, seed=seed, codebook=codebook)
        kept = reader.complete(df).copy()
        kept["kod"] = reader.municipality(kept, register).to_numpy()
        rows = {"log_folkmangd": np.log(reg.loc[kept["kod"], "folkmangd"].to_numpy(float)),
                "B": (reg.loc[kept["kod"], "huvudgrupp"].astype(str) == "B").to_numpy(float),
                "C": (reg.loc[kept["kod"], "huvudgrupp"].astype(str) == "C").to_numpy(float)}
        for item in (*PREDICTORS, *AREAS):
            var = codebook[item]
            codes = reader.codes(kept, item)
            valid = codes.notna() & (codes != "dont_know")
            rows[item] = np.where(valid, codes.isin(var.headline.yes_codes if var.headline else [1]), np.nan)
        frames.append(pd.DataFrame(rows))
    data = pd.concat(frames, ignore_index=True)
    for area in AREAS:
        cols = [*PREDICTORS, "log_folkmangd", "B", "C"]
        d = data[[area, *cols]].dropna()
        fit = sm.GLM(d[area], sm.add_constant(d[cols]), family=sm.families.Binomial()).fit()
        for term in TERMS:
            assert abs(fit.params[term] - truth["effects"][area][term]) < 0.3, (area, term, fit.params[term])
        assert abs(fit.params["B"]) < 0.35 and abs(fit.params["C"]) < 0.35, (area, fit.params[["B", "C"]])


def test_self_rating_lower_without_resources(default_export, codebook, reader):
    df, _ = default_export
    kept = reader.complete(df)
    res = kept[codebook["resources"].header].str.strip().str.casefold()
    rating = pd.to_numeric(kept[codebook["self_rating"].header].replace("", None))
    assert rating[res == "nej"].mean() + 0.4 < rating[res == "ja"].mean()
