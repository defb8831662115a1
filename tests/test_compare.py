"""05_compare: the change between waves equals the reference definition (R's survey, frozen and live,
and a hand computation), transitions and McNemar, and the public record drawn from the CSV."""

from __future__ import annotations

import csv
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.compute import clean, compare, survey
from analysis.base import reference
from analysis.synthetic import generator as synthetic
from analysis.base.codebook import ItemLink, ItemMap, codebook_for, item_map

FIXTURES = Path(__file__).parent / "fixtures"
R_SCRIPT = Path(__file__).parent / "r" / "change_reference.R"
RSCRIPT = shutil.which("Rscript")
TOL = 1e-10  # the issue asks for 1e-6; the estimator agrees with R to rounding


def _python_on_stacked(st: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """linearised_change on a stacked file, per item, on R's (proportion) scale."""
    N_h = st.drop_duplicates("kommungrupp").set_index("kommungrupp")["N_h"].to_dict()
    waves = sorted(st["wave"].unique())
    rows = []
    for item in [c for c in st.columns if c not in ("kommunkod", "kommungrupp", "N_h", "w", "wave")]:
        e = compare.linearised_change(st[item], st["wave"], st["kommunkod"], st["kommungrupp"], st["w"], N_h,
                                      waves[0], waves[1])
        half = stats.t.ppf(1 - alpha / 2, e["df"]) * e["se_change"]
        rows.append({"item": item, "share_from": e["share_from"], "share_to": e["share_to"], "var_from": e["var_from"],
                     "var_to": e["var_to"], "cov": e["cov"], "change": e["change"], "se_change": e["se_change"],
                     "df": e["df"], "ci_low": e["change"] - half, "ci_high": e["change"] + half})
    return pd.DataFrame(rows)


def _read_stacked(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"kommunkod": str, "kommungrupp": str})


def _assert_equal_to_r(py: pd.DataFrame, r: pd.DataFrame) -> None:
    assert list(py["item"]) == list(r["item"])
    for col in ("share_from", "share_to", "var_from", "var_to", "cov", "change", "se_change", "ci_low", "ci_high"):
        np.testing.assert_allclose(py[col].to_numpy(float), r[col].to_numpy(float), rtol=1e-9, atol=TOL, err_msg=col)
    assert py["df"].tolist() == r["df"].astype(int).tolist()


# ----------------------------------------------------------------------------- the reference
def test_change_and_se_equal_the_frozen_r_output():
    st = _read_stacked(FIXTURES / "change_stacked.csv")
    r = pd.read_csv(FIXTURES / "change_reference_r.csv")
    assert len(r) == 12 and (r["se_change"] > 0).all()
    _assert_equal_to_r(_python_on_stacked(st), r)


def test_change_table_equals_a_live_r_run_on_fresh_data(register, reference_dir, tmp_path):
    """The whole path (generate both waves, clean, stack, change_table) against R run now."""
    if RSCRIPT is None:
        pytest.skip("Rscript is not installed; the frozen R output is checked by the test above")
    series = reference.load_published_series(reference_dir)
    frames = {}
    for wave in (2019, 2023):
        raw, _ = synthetic.generate(register, seed=7, wave=wave, published_series=series)
        frames[wave] = clean.clean(raw, register, codebook_for(wave), "synthetic.csv").analysis
    m = item_map(2019, 2023)
    st = compare.stack(frames[2019], frames[2023], m)
    st.to_csv(tmp_path / "stacked.csv", index=False, float_format="%.17g")
    out = tmp_path / "r.csv"
    res = subprocess.run([RSCRIPT, str(R_SCRIPT), str(tmp_path / "stacked.csv"), str(out), "0.1"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    r = pd.read_csv(out)
    table = compare.change_table(frames[2019], frames[2023], m, alpha=0.1)
    py = table.assign(change=table["change"] / 100, se_change=table["se_change"] / 100,
                      ci_low=table["ci_low"] / 100, ci_high=table["ci_high"] / 100)
    for col in ("share_from", "share_to", "change", "se_change", "ci_low", "ci_high"):
        np.testing.assert_allclose(py[col].to_numpy(float), r[col].to_numpy(float), rtol=1e-9, atol=TOL, err_msg=col)
    assert py["df"].tolist() == r["df"].tolist()
    # and the stacked file gives R's full covariance too
    _assert_equal_to_r(_python_on_stacked(_read_stacked(tmp_path / "stacked.csv"), alpha=0.1), r)


# A tiny design worked by hand. Stratum A: N = 4, municipalities a1 a2 a3; stratum B: N = 3, b1 b2.
#   wave 1: a1 = 1, a2 = 0, b1 = 1, b2 = 0  ->  w = 4/2 (A), 3/2 (B); p1 = 3.5 / 7 = 1/2
#   wave 2: a1 = 1, a3 = 0, b1 = 1          ->  w = 4/2 (A), 3/1 (B); p2 = 5 / 7
# Scores z = w (y - p) / 7; cluster totals Z = z2 - z1 (in 49ths): a1 -3, a2 7, a3 -10, b1 0.75, b2 5.25.
# A: mean -2, squares 1 + 81 + 64 = 146, (1 - 3/4) 3/2 146 = 54.75; B: mean 3, squares 2 x 2.25^2 = 10.125,
# (1 - 2/3) 2/1 10.125 = 6.75; var = (54.75 + 6.75) / 49^2 = 61.5 / 2401.
TINY = pd.DataFrame({
    "kommunkod": ["a1", "a2", "b1", "b2", "a1", "a3", "b1"],
    "kommungrupp": ["A", "A", "B", "B", "A", "A", "B"],
    "N_h": [4, 4, 3, 3, 4, 4, 3],
    "w": [2, 2, 1.5, 1.5, 2, 2, 3],
    "wave": [1, 1, 1, 1, 2, 2, 2],
    "y": [1, 0, 1, 0, 1, 0, 1],
})


def test_change_equals_a_hand_computation():
    e = compare.linearised_change(TINY["y"], TINY["wave"], TINY["kommunkod"], TINY["kommungrupp"], TINY["w"],
                                  {"A": 4, "B": 3}, 1, 2)
    assert e["share_from"] == pytest.approx(0.5, abs=1e-15)
    assert e["share_to"] == pytest.approx(5 / 7, abs=1e-15)
    assert e["change"] == pytest.approx(float(Fraction(5, 7) - Fraction(1, 2)), abs=1e-15)
    assert e["var_change"] == pytest.approx(61.5 / 2401, abs=1e-15)
    assert (e["n_from"], e["n_to"], e["n_both"], e["n_psu"], e["H"], e["df"]) == (4, 3, 2, 5, 2, 3)
    # a municipality outside the domain (no valid answer) still counts as a cluster of its stratum
    with_na = pd.concat([TINY, pd.DataFrame({"kommunkod": ["b3"], "kommungrupp": ["B"], "N_h": [3], "w": [3.0],
                                              "wave": [2], "y": [np.nan]})], ignore_index=True)
    e2 = compare.linearised_change(with_na["y"], with_na["wave"], with_na["kommunkod"], with_na["kommungrupp"],
                                   with_na["w"], {"A": 4, "B": 3}, 1, 2)
    assert e2["n_psu"] == 6 and e2["df"] == 3 and e2["change"] == pytest.approx(e["change"])
    # B is now a census (3 of 3): only A contributes, with its own scores
    assert e2["var_change"] == pytest.approx(54.75 / 2401, abs=1e-15)


def test_the_tiny_design_equals_r(tmp_path):
    if RSCRIPT is None:
        pytest.skip("Rscript is not installed; the hand computation above stands alone")
    TINY.to_csv(tmp_path / "tiny.csv", index=False)
    res = subprocess.run([RSCRIPT, str(R_SCRIPT), str(tmp_path / "tiny.csv"), str(tmp_path / "r.csv")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    r = pd.read_csv(tmp_path / "r.csv")
    assert r.loc[0, "se_change"] ** 2 == pytest.approx(61.5 / 2401, abs=1e-14)
    assert r.loc[0, "change"] == pytest.approx(5 / 7 - 0.5, abs=1e-14)


def test_the_panel_lowers_the_variance_of_a_stable_answer():
    """Same answers in both waves from the same municipalities: the change is 0 with variance 0; the
    same shares from two different sets of municipalities have a positive variance."""
    st = pd.DataFrame({"kommunkod": ["a1", "a2", "b1", "b2"] * 2, "kommungrupp": ["A", "A", "B", "B"] * 2,
                       "w": [2, 2, 1.5, 1.5] * 2, "wave": [1] * 4 + [2] * 4, "y": [1, 0, 1, 0] * 2})
    e = compare.linearised_change(st["y"], st["wave"], st["kommunkod"], st["kommungrupp"], st["w"], {"A": 6, "B": 5}, 1, 2)
    assert e["change"] == 0 and e["var_change"] == pytest.approx(0, abs=1e-18)
    other = st.assign(kommunkod=["a1", "a2", "b1", "b2", "a3", "a4", "b3", "b4"])
    e2 = compare.linearised_change(other["y"], other["wave"], other["kommunkod"], other["kommungrupp"], other["w"],
                                   {"A": 6, "B": 5}, 1, 2)
    assert e2["change"] == 0 and e2["var_change"] > 1e-3


def test_stack_refuses_a_municipality_that_changed_stratum(register):
    a = register.assign(responded=True, ciso=pd.array([True] * len(register), dtype="boolean"))
    b = a.copy()
    b["kommungrupp"] = b["kommungrupp"].astype(str)
    b.loc[0, "kommungrupp"] = "C9"
    m = ItemMap(2019, 2023, (ItemLink("ciso", "ciso", "same"),))
    with pytest.raises(ValueError, match=f"{register.loc[0, 'kommunkod']} is in stratum"):
        compare.stack(a, b, m)


# ------------------------------------------------------------------------------ transitions
@pytest.mark.parametrize("gained, lost", [(25, 4), (0, 0), (3, 3), (0, 7), (14, 2)])
def test_mcnemar_exact_equals_the_binomial_test(gained, lost):
    expected = 1.0 if gained + lost == 0 else stats.binomtest(gained, gained + lost, 0.5).pvalue
    assert compare.mcnemar_exact(gained, lost) == pytest.approx(expected, abs=1e-14)


def test_transitions_count_the_two_by_two_table():
    def frame(codes, answers):  # every listed municipality responded; None = no valid answer
        return pd.DataFrame({"kommunkod": codes, "responded": True, "ciso": pd.array(answers, dtype="boolean")})

    a = frame(["1", "2", "3", "4", "5", "6", "7"], [True, True, False, False, None, True, False])
    b = frame(["1", "2", "3", "4", "5", "6", "8"], [True, False, True, False, True, None, True])
    m = ItemMap(2019, 2023, (ItemLink("ciso", "ciso", "same"),))
    t = compare.transitions_table(a, b, m, min_cell=1).iloc[0]
    assert (t["n_both"], t["kept_yes"], t["lost"], t["gained"], t["kept_no"]) == (4, 1, 1, 1, 1)
    assert t["share_kept"] == 0.5 and t["share_gained"] == 0.5 and t["p_value"] == 1.0 and not t["suppressed"]
    hidden = compare.transitions_table(a, b, m, min_cell=5).iloc[0]
    assert hidden["suppressed"] and pd.isna(hidden["kept_yes"]) and pd.isna(hidden["p_value"])


# ------------------------------------------------------------------------------ public record
@pytest.fixture(scope="module")
def csv_rows(reference_dir):
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _expected_point(r: dict, alpha: float = 0.05) -> tuple[float, float, float]:
    """share, low, high of a published row, computed here from the CSV's text."""
    if r["share_is_rounded_to"] == "count":
        x, n = int(r["numerator"]), int(r["denominator"])
        lo = stats.beta.ppf(alpha / 2, x, n - x + 1) if x > 0 else 0.0
        hi = stats.beta.ppf(1 - alpha / 2, x + 1, n - x) if x < n else 1.0
        return x / n, lo, hi
    share = float(r["share"])
    return share, share - 0.05, share + 0.05


def test_published_points_are_the_csv(reference_dir, csv_rows):
    points = compare.published_points(reference.load_published_series(reference_dir))
    assert len(points) == len(csv_rows)
    for r, (_, p) in zip(csv_rows, points.iterrows()):
        share, lo, hi = _expected_point(r)
        assert (p["item"], p["wave"]) == (r["item"], int(r["wave"]))
        assert p["share"] == pytest.approx(share, abs=1e-15)
        assert (p["ci_low"], p["ci_high"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
        assert p["note"] == r["comparability"] and p["source_url"] == r["source_url"]


def test_the_trend_figure_draws_the_csv(reference_dir, csv_rows, synthetic_data):
    """Every published point of the figure (and its interval) is a row of published_series.csv."""
    from analysis.present import figures

    series = reference.load_published_series(reference_dir)
    frames = {wave: synthetic_data.analysis(seed=2019, wave=wave) for wave in (2019, 2023)}
    trend = compare.trend_table(series, frames, item_map(2019, 2023), synthetic=True)
    figures.setup_style()
    fig = figures.plot_trend(trend, {}, texts=figures.texts("en"), lang="en")
    drawn, bars, estimates = {}, {}, {}
    for ax in fig.axes:
        for coll in ax.collections:
            gid = coll.get_gid() or ""
            kind, _, item = gid.partition(":")
            if kind == "published":
                for x, y in coll.get_offsets():
                    drawn[(item, int(round(x + figures.TREND_OFFSET)))] = float(y)
            elif kind == "published_interval":
                for seg in coll.get_segments():
                    bars[(item, int(round(seg[0][0] + figures.TREND_OFFSET)))] = (float(seg[0][1]), float(seg[1][1]))
            elif kind == "estimate":
                for x, y in coll.get_offsets():
                    estimates[(item, int(round(x - figures.TREND_OFFSET)))] = float(y)
    import matplotlib.pyplot as plt

    plt.close(fig)
    expected = {(r["item"], int(r["wave"])): _expected_point(r) for r in csv_rows}
    assert set(drawn) == set(expected) == set(bars)
    for key, (share, lo, hi) in expected.items():
        assert drawn[key] == pytest.approx(share, abs=1e-12), key
        assert bars[key] == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12)), key
    # the estimates drawn are the project's weighted shares, two waves per shared item
    est = trend[trend["kind"] == "synthetic"]
    assert estimates == {(i, int(w)): pytest.approx(float(s)) for i, w, s in zip(est["item"], est["wave"], est["share"])}
    assert len(estimates) == 24 and set(est["kind"]) == {"synthetic"}


def test_estimate_points_equal_the_single_wave_headline(synthetic_data):
    """The project's points in the trend table are 02_describe's shares and intervals of each wave."""
    a19, a23 = synthetic_data.analysis(seed=2019, wave=2019), synthetic_data.analysis(seed=2019, wave=2023)
    pts = compare.estimate_points({2019: a19, 2023: a23}, item_map(2019, 2023), synthetic=True)
    for wave, frame, cb in ((2019, a19, codebook_for(2019)), (2023, a23, codebook_for(2023))):
        head = survey.headline_table(frame, 0.05, cb).set_index("item")
        mine = pts[pts["wave"] == wave].set_index("item")
        for item in head.index:
            for a, b in (("share", "share_weighted"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
                assert mine.loc[item, a] == pytest.approx(head.loc[item, b], abs=1e-15), (wave, item, a)
