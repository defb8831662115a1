"""05_compare against R's survey package: the change between waves and its panel-aware SE equal R's
frozen output, a live R run on freshly generated waves, and R on the tiny design of
tests/fixtures/change_tiny.csv (worked by hand in tests/compute/compare/test_change.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.base import reference
from analysis.base.waves import codebook_for, item_map
from analysis.compute import clean, compare
from analysis.synthetic import generator as synthetic

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"
R_SCRIPT = TESTS / "r" / "change_reference.R"
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
                         capture_output=True, text=True, timeout=300, check=False)
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


TINY = pd.read_csv(FIXTURES / "change_tiny.csv", dtype={"kommunkod": str, "kommungrupp": str})


def test_the_tiny_design_equals_r(tmp_path):
    if RSCRIPT is None:
        pytest.skip("Rscript is not installed; the hand computation above stands alone")
    TINY.to_csv(tmp_path / "tiny.csv", index=False)
    res = subprocess.run([RSCRIPT, str(R_SCRIPT), str(tmp_path / "tiny.csv"), str(tmp_path / "r.csv")],
                         capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    r = pd.read_csv(tmp_path / "r.csv")
    assert r.loc[0, "se_change"] ** 2 == pytest.approx(61.5 / 2401, abs=1e-14)
    assert r.loc[0, "change"] == pytest.approx(5 / 7 - 0.5, abs=1e-14)
