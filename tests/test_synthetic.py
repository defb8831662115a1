"""The synthetic raw export: codebook round trip, determinism, calibration, response, mess, CLI."""

from __future__ import annotations

import hashlib
import json
import re
import time

import numpy as np
import pandas as pd
import pytest

from analysis.base import io
from analysis.__main__ import main
from analysis.synthetic import generator as synthetic
from analysis.base.codebook import DONT_KNOW, HEADLINE_ITEMS, normalise_label

SEED = 2019


@pytest.fixture(scope="module")
def default_export(register, codebook):
    return synthetic.generate(register, seed=SEED, codebook=codebook)


def _read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")


def _complete(df, codebook):
    return df[df[codebook["submitted_at"].header] != ""]


def _headline_shares(df, codebook) -> dict[str, float]:
    """Share of yes among valid answers (not "Vet ej", not blank) of the kept complete submissions."""
    kept = _complete(df, codebook)
    out = {}
    for item in HEADLINE_ITEMS:
        var = codebook[item]
        lookup = var.label_lookup()
        codes = kept[var.header].map(lambda s: lookup[normalise_label(s)] if s.strip() else None)
        valid = codes.notna() & (codes != DONT_KNOW)
        out[item] = float(codes[valid].isin(var.headline.yes_codes).mean())
    return out


def _match_municipality(df, register, codebook) -> pd.Series:
    """Register code of each row, from the code if given (zero-padded) else from the name."""
    names = {}
    for kod, nm, full in register[["kommunkod", "kommun", "kommun_fullnamn"]].itertuples(index=False):
        for variant in (nm, full):
            names[normalise_label(variant).replace("-", " ")] = kod
    code = df[codebook["municipality_code"].header].str.strip()
    by_name = df[codebook["municipality_name"].header].map(lambda s: names.get(normalise_label(s).replace("-", " ")))
    return code.where(code == "", code.str.zfill(4)).where(code != "", by_name)


# ---------------------------------------------------------------------------------------------

def test_frame_is_the_290_municipalities(register, default_export):
    _, truth = default_export
    assert len(register) == 290
    assert truth["response_model"]["n_frame"] == 290
    assert truth["response_model"]["n_nonrespondents"] == 26


def test_export_round_trips_through_the_codebook(default_export, codebook):
    df, _ = default_export
    assert list(df.columns) == [v.header for v in codebook.variables]  # all headers, codebook order
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)
    assert not df.isna().any().any()
    for var in codebook.variables:
        if not var.is_coded:
            continue
        allowed = set(var.label_lookup())
        seen = {normalise_label(s) for s in df[var.header] if s.strip()}
        assert seen <= allowed, (var.id, seen - allowed)
    ids = df[codebook["response_id"].header]
    assert ids.is_unique and ids.str.fullmatch(r"R\d{4}").all()
    ts = re.compile(r"2019-0[345]-\d\d \d\d:\d\d:\d\d")
    assert df[codebook["started_at"].header].str.fullmatch(ts).all()
    sub = df[codebook["submitted_at"].header]
    assert sub[sub != ""].str.fullmatch(ts).all()
    rating = df[codebook["self_rating"].header]
    assert set(rating[rating != ""]) <= {"1", "2", "3", "4", "5"}


def test_exactly_264_responding_municipalities(register, codebook, default_export):
    df, truth = default_export
    kept = _complete(df, codebook)
    assert len(kept) == 264
    matched = _match_municipality(kept, register, codebook)
    assert matched.notna().all()
    assert matched.nunique() == 264
    assert sorted(matched) == truth["response_model"]["respondents"]
    # every row (abandoned ones too) is matchable to the register
    assert _match_municipality(df, register, codebook).notna().all()


def test_264_respond_at_every_seed_and_small_rural_answer_less(register, codebook):
    groups = register.set_index("kommunkod")["huvudgrupp"].astype(str)
    missing = {"A": 0, "C": 0}
    for seed in range(20):
        _, truth = synthetic.generate(register, seed=seed, codebook=codebook)
        resp = set(truth["response_model"]["respondents"])
        assert len(resp) == 264
        for g in missing:
            missing[g] += int(((groups == g) & ~groups.index.isin(resp)).sum())
    rate_a = missing["A"] / (20 * (groups == "A").sum())
    rate_c = missing["C"] / (20 * (groups == "C").sum())
    assert rate_c > 2 * rate_a, (rate_a, rate_c)


def test_calibration_is_exact(default_export, codebook):
    _, truth = default_export
    for item, share in codebook.published_shares().items():
        assert truth["expected_shares"][item] == pytest.approx(share, abs=1e-9)
        assert truth["published_shares"][item] == share


def test_headline_shares_at_default_seed(default_export, codebook):
    df, _ = default_export
    shares = _headline_shares(df, codebook)
    for item, published in codebook.published_shares().items():
        assert abs(shares[item] - published) <= 0.05, (item, shares[item], published)


def test_headline_shares_mean_over_20_seeds(register, codebook):
    acc = {item: [] for item in HEADLINE_ITEMS}
    for seed in range(SEED, SEED + 20):
        shares = _headline_shares(synthetic.generate(register, seed=seed, codebook=codebook)[0], codebook)
        for item in HEADLINE_ITEMS:
            acc[item].append(shares[item])
    for item, published in codebook.published_shares().items():
        assert abs(np.mean(acc[item]) - published) <= 0.02, (item, np.mean(acc[item]), published)


def test_dont_know_and_blank_rates(default_export, codebook):
    df, _ = default_export
    kept = _complete(df, codebook)
    cells = pd.concat([kept[v.header] for v in codebook.variables if v.is_coded], ignore_index=True)
    dk = (cells.map(normalise_label) == "vet ej").mean()
    blank = (cells.str.strip() == "").mean()
    assert 0.03 <= dk <= 0.05, dk
    assert 0.01 <= blank <= 0.03, blank


def test_planted_effects_recovered_by_pooled_glm(register, codebook):
    """Outcome ~ the four items + log(folkmangd) + huvudgrupp recovers the truth (no confounder)."""
    import statsmodels.api as sm

    frames, truth = [], None
    reg = register.set_index("kommunkod")
    for seed in range(20):
        df, truth = synthetic.generate(register, seed=seed, codebook=codebook)
        kept = _complete(df, codebook).copy()
        kept["kod"] = _match_municipality(kept, register, codebook).to_numpy()
        rows = {"log_folkmangd": np.log(reg.loc[kept["kod"], "folkmangd"].to_numpy(float)),
                "B": (reg.loc[kept["kod"], "huvudgrupp"].astype(str) == "B").to_numpy(float),
                "C": (reg.loc[kept["kod"], "huvudgrupp"].astype(str) == "C").to_numpy(float)}
        for item in (*synthetic.PREDICTORS, *synthetic.AREAS):
            var = codebook[item]
            lookup = var.label_lookup()
            codes = kept[var.header].map(lambda s: lookup[normalise_label(s)] if s.strip() else None)
            valid = codes.notna() & (codes != DONT_KNOW)
            rows[item] = np.where(valid, codes.isin(var.headline.yes_codes if var.headline else [1]), np.nan)
        frames.append(pd.DataFrame(rows))
    data = pd.concat(frames, ignore_index=True)
    for area in synthetic.AREAS:
        cols = [*synthetic.PREDICTORS, "log_folkmangd", "B", "C"]
        d = data[[area, *cols]].dropna()
        fit = sm.GLM(d[area], sm.add_constant(d[cols]), family=sm.families.Binomial()).fit()
        for term in synthetic.TERMS:
            assert abs(fit.params[term] - truth["effects"][area][term]) < 0.3, (area, term, fit.params[term])
        assert abs(fit.params["B"]) < 0.35 and abs(fit.params["C"]) < 0.35, (area, fit.params[["B", "C"]])


def test_self_rating_lower_without_resources(default_export, codebook):
    df, _ = default_export
    kept = _complete(df, codebook)
    res = kept[codebook["resources"].header].map(normalise_label)
    rating = pd.to_numeric(kept[codebook["self_rating"].header].replace("", None))
    assert rating[res == "nej"].mean() + 0.4 < rating[res == "ja"].mean()


def test_realistic_mess(default_export, register, codebook):
    df, truth = default_export
    h = {v.id: v.header for v in codebook.variables}
    abandoned = df[df[h["submitted_at"]] == ""]
    assert len(df) == 269 and len(abandoned) == 5
    kod = _match_municipality(df, register, codebook)
    assert sorted(kod[abandoned.index]) == truth["duplicates"]["abandoned_submissions"]
    for i in abandoned.index:  # the abandoned one started earlier than the complete one
        twin = df[(kod == kod[i]) & (df[h["submitted_at"]] != "")]
        assert len(twin) == 1 and df.loc[i, h["started_at"]] < twin[h["started_at"]].iloc[0]
    answers = [codebook[a].header for a in synthetic.AREAS]
    assert (abandoned[answers] == "").any(axis=1).all()  # partly blank
    names = df[h["municipality_name"]]
    assert names.str.endswith(" kommun").sum() >= 10
    assert names.str.endswith("s kommun").any()
    assert (names.str.isupper()).sum() >= 3
    codes = df[h["municipality_code"]]
    assert (codes.str.len() == 3).sum() >= 5 and (codes == "").sum() >= 3
    labels = pd.concat([df[v.header] for v in codebook.variables if v.is_coded])
    assert labels.str.endswith(" ").sum() >= 20 and labels.str.fullmatch(r"[A-ZÅÄÖ ,]{3,}").sum() >= 20
    share = df[h["ciso_share"]]
    assert share.str.fullmatch(r"\d+").any() and share.str.fullmatch(r"\d+ %").any()
    assert share.str.fullmatch(r"0,\d+").any()
    comments = set(df[h["comment"]])
    assert {"=SUMMA(A1:A2)", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>"} <= comments
    assert any('"' in c and "&" in c and "<" in c for c in comments)
    assert (df[h["comment"]] == "").mean() > 0.7
    assert df[h["respondent_email"]].str.fullmatch(r"[a-z.]+@example\.(com|org|net)").all()


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return frame.astype(object).where(frame.notna(), "").astype(str).to_numpy().tolist()


def test_same_seed_same_bytes_different_seed_different(register, codebook, tmp_path):
    def write(seed, fmt, name):
        df, _ = synthetic.generate(register, seed=seed, codebook=codebook)
        p = io.write_export(df, tmp_path / f"synthetic_{name}.{fmt}", fmt)
        return hashlib.sha256(p.read_bytes()).hexdigest(), p, df

    for fmt in ("csv", "xlsx"):
        a, pa, df = write(SEED, fmt, "a")
        time.sleep(1.1)  # a clock-dependent writer would now differ
        b, _, _ = write(SEED, fmt, "b")
        c, _, _ = write(SEED + 1, fmt, "c")
        assert a == b
        assert a != c
        back = _read_csv(pa) if fmt == "csv" else pd.read_excel(pa, dtype=str, keep_default_na=False)
        assert list(back.columns) == list(df.columns)
        assert _cells(back) == _cells(df)  # the DataFrame is exactly what the file holds
    raw = (tmp_path / "synthetic_a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\r\n", 1)[0].count(b";") == len(codebook.variables) - 1


def test_cli_writes_export_and_truth(register, codebook, reference_dir, tmp_path, capsys):
    out, truth_path = tmp_path / "synthetic_test.csv", tmp_path / "truth.json"
    rc = main(["synthesize", "--seed", "7", "--out", str(out), "--truth", str(truth_path),
                        "--reference-dir", str(reference_dir)])
    assert rc == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and str(out) in printed[0]
    df, truth = synthetic.generate(register, seed=7, codebook=codebook)
    assert json.loads(truth_path.read_text(encoding="utf-8")) == truth
    assert out.read_bytes() == _csv_bytes(df, tmp_path)
    assert truth["seed"] == 7
    for area in synthetic.AREAS:
        assert set(truth["effects"][area]) == {"leadership_informed", "action_plans", "resources",
                                              "collaboration", "log_folkmangd"}
        assert truth["effects"][area] == synthetic.EFFECTS[area]
        assert isinstance(truth["intercepts"][area], float)
    assert truth["missingness"]["dont_know"] == synthetic.DONT_KNOW_RATE
    assert truth["response_model"]["theta0"] and len(truth["response_model"]["respondents"]) == 264


def _csv_bytes(df, tmp_path):
    return io.write_export(df, tmp_path / "synthetic_again.csv").read_bytes()


def test_cli_refuses_a_file_name_without_the_synthetic_marker(reference_dir, tmp_path, capsys):
    rc = main(["synthesize", "--out", str(tmp_path / "skr_2019.csv"), "--reference-dir", str(reference_dir)])
    assert rc == 2 and "synthetic" in capsys.readouterr().err
    assert not (tmp_path / "skr_2019.csv").exists()


def test_n_rows_scale_is_fast_and_well_formed(register, codebook):
    t0 = time.perf_counter()
    df, truth = synthetic.generate(register, seed=SEED, n_rows=200_000, codebook=codebook)
    elapsed = time.perf_counter() - t0
    assert len(df) == 200_000 and truth["n_rows"] == 200_000
    ids = df[codebook["response_id"].header]
    assert ids.is_unique and ids.iloc[0] == "R000001"
    abandoned = (df[codebook["submitted_at"].header] == "").mean()
    assert 0.01 < abandoned < 0.03
    assert elapsed < 15, elapsed  # 1M rows take about 6 s on a laptop-class machine
    small, _ = synthetic.generate(register, seed=SEED, n_rows=100, codebook=codebook)
    assert len(small) == 100 and small[codebook["response_id"].header].is_unique
