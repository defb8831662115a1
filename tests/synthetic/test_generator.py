"""synthetic.generator: the frame, the headline shares at the default seed and over 20 seeds, byte-for-byte
determinism (csv and xlsx), the n_rows option, and what generate refuses."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import pytest

from analysis.base import io
from analysis.base.codebook import HEADLINE_ITEMS
from analysis.synthetic import generator

SEED = 2019


def test_frame_is_the_290_municipalities(register, default_export):
    _, truth = default_export
    assert len(register) == 290
    assert truth["response_model"]["n_frame"] == 290
    assert truth["response_model"]["n_nonrespondents"] == 26


def test_headline_shares_at_default_seed(default_export, codebook, reader):
    df, _ = default_export
    shares = reader.headline_shares(df)
    for item, published in codebook.published_shares().items():
        assert abs(shares[item] - published) <= 0.05, (item, shares[item], published)


def test_headline_shares_mean_over_20_seeds(register, codebook, reader):
    acc = {item: [] for item in HEADLINE_ITEMS}
    for seed in range(SEED, SEED + 20):
        shares = reader.headline_shares(generator.generate(register, seed=seed, codebook=codebook)[0])
        for item in HEADLINE_ITEMS:
            acc[item].append(shares[item])
    for item, published in codebook.published_shares().items():
        assert abs(np.mean(acc[item]) - published) <= 0.02, (item, np.mean(acc[item]), published)


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return frame.astype(object).where(frame.notna(), "").astype(str).to_numpy().tolist()


def test_same_seed_same_bytes_different_seed_different(register, codebook, reader, tmp_path):
    def write(seed, fmt, name):
        df, _ = generator.generate(register, seed=seed, codebook=codebook)
        p = io.write_export(df, tmp_path / f"synthetic_{name}.{fmt}", fmt)
        return hashlib.sha256(p.read_bytes()).hexdigest(), p, df

    for fmt in ("csv", "xlsx"):
        a, pa, df = write(SEED, fmt, "a")
        time.sleep(1.1)  # a clock-dependent writer would now differ
        b, _, _ = write(SEED, fmt, "b")
        c, _, _ = write(SEED + 1, fmt, "c")
        assert a == b
        assert a != c
        back = reader.read_csv(pa) if fmt == "csv" else pd.read_excel(pa, dtype=str, keep_default_na=False)
        assert list(back.columns) == list(df.columns)
        assert _cells(back) == _cells(df)  # the DataFrame is exactly what the file holds
    raw = (tmp_path / "synthetic_a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\r\n", 1)[0].count(b";") == len(codebook.variables) - 1


def test_n_rows_scale_is_fast_and_well_formed(register, codebook):
    t0 = time.perf_counter()
    df, truth = generator.generate(register, seed=SEED, n_rows=200_000, codebook=codebook)
    elapsed = time.perf_counter() - t0
    assert len(df) == 200_000 and truth["n_rows"] == 200_000
    ids = df[codebook["response_id"].header]
    assert ids.is_unique and ids.iloc[0] == "R000001"
    abandoned = (df[codebook["submitted_at"].header] == "").mean()
    assert 0.01 < abandoned < 0.03
    assert elapsed < 15, elapsed  # 1M rows take about 6 s on a laptop-class machine
    small, _ = generator.generate(register, seed=SEED, n_rows=100, codebook=codebook)
    assert len(small) == 100 and small[codebook["response_id"].header].is_unique


def test_unknown_waves_small_registers_and_empty_exports_are_refused(register):
    with pytest.raises(ValueError, match="no synthetic model for wave 2021"):
        generator.generate(register, wave=2021)
    with pytest.raises(ValueError, match="need more than 264"):
        generator.generate(register.head(264))
    with pytest.raises(ValueError, match="n_rows must be at least 1"):
        generator.generate(register, n_rows=0)


def test_frame_keys_are_log_population_and_group_c(register):
    lp, is_c = generator.frame_keys(register)
    assert len(lp) == len(is_c) == len(register)
    assert lp[0] == pytest.approx(np.log(float(register["folkmangd"].iloc[0])))
    assert sum(is_c) == int((register["huvudgrupp"].astype(str) == "C").sum()) > 0
