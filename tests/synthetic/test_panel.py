"""synthetic.panel: the 2023 wave is calibrated to the published CISO share read from the public record
(and moves with it), has its own headers and response, and starts from the 2019 yes/no answers."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from analysis.base.codebook import BINARY_ITEMS, default_codebook
from analysis.base.waves import codebook_for
from analysis.synthetic import calibrate, generator, panel
from analysis.synthetic.municipalities import municipality_truth
from analysis.synthetic.parameters import ASSUMED_SHARES_2023, PERSISTENCE_2023, RESPONSE_2023

SEED = 2019


def _published_2023_ciso(reference_dir) -> float:
    """The 2023 CISO share of published_series.csv, read with the csv module only (not the loader)."""
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        return next(float(r["share"]) for r in csv.DictReader(fh) if r["wave"] == "2023" and r["item"] == "ciso")


@pytest.fixture
def export_2023(synthetic_data):
    return synthetic_data.export(seed=SEED, wave=2023)


def test_2023_is_calibrated_to_the_published_share_read_from_the_csv(export_2023, reference_dir):
    _, truth = export_2023
    published = _published_2023_ciso(reference_dir)
    assert truth["published_shares"] == {"ciso": published}
    assert truth["expected_shares"]["ciso"] == pytest.approx(published, abs=1e-12)
    for item, share in ASSUMED_SHARES_2023.items():
        assert truth["expected_shares"][item] == pytest.approx(share, abs=1e-12)
    for item in BINARY_ITEMS:
        t = truth["transitions"][item]
        assert t["p_kept"] == PERSISTENCE_2023[item] and 0 <= t["p_gained"] <= 1
        # the expected share is exactly what the transitions give from the 2019 expectation
        a = truth["expected_shares_2019_among_respondents"][item]
        assert truth["expected_shares"][item] == pytest.approx(t["p_gained"] + (t["p_kept"] - t["p_gained"]) * a)


def test_2023_calibration_moves_with_the_csv(register, published_series):
    """The target is read from the file: a different published figure gives a different calibration."""
    other = published_series.copy()
    other.loc[(other["wave"] == 2023) & (other["item"] == "ciso"), "share"] = 0.8
    _, truth = generator.generate(register, seed=SEED, wave=2023, published_series=other)
    assert truth["expected_shares"]["ciso"] == pytest.approx(0.8, abs=1e-12)
    with pytest.raises(ValueError, match="published_series"):
        generator.generate(register, seed=SEED, wave=2023)


def test_2023_export_has_its_own_headers_response_and_marks(export_2023, synthetic_data):
    df, truth = export_2023
    cb23 = codebook_for(2023)
    assert list(df.columns) == [v.header for v in cb23.variables]
    assert (df["Datakälla"] == cb23.survey["synthetic_value"]).all()
    assert cb23.is_synthetic_file("synthetic_skr_infosak_2023.csv")
    assert len(truth["response_model"]["respondents"]) == RESPONSE_2023["n_respondents"] == 255
    _, truth19 = synthetic_data.export(seed=SEED)
    assert truth["response_model"]["respondents"] != truth19["response_model"]["respondents"]
    both = set(truth["response_model"]["respondents"]) & set(truth19["response_model"]["respondents"])
    assert len(both) == truth["response_model"]["respondents_both_waves"]
    assert df["Påbörjad"].str.startswith("2023-").all()
    assert set(df[cb23["leadership_informed"].header].str.strip().str.casefold()) <= {
        "", "nej", "ja, vid behov", "ja, minst en gång per år", "vet ej"}


def test_targets_come_from_the_public_record(published_series, reference_dir):
    t = panel.targets_2023(published_series, 2023)
    assert t["ciso"] == _published_2023_ciso(reference_dir)
    assert {k: v for k, v in t.items() if k != "ciso"} == ASSUMED_SHARES_2023
    with pytest.raises(ValueError, match="published_series has no 2027 figure for ciso"):
        panel.targets_2023(published_series, 2027)
    with pytest.raises(ValueError, match="calibrated to the public record"):
        panel.targets_2023(None, 2023)


def test_yes_2019_uses_the_codebooks_yes_codes(codebook):
    codes = {k: np.arange(5) % (len(codebook[k].codes)) for k in BINARY_ITEMS}
    yes = panel.yes_2019(codes)
    for k in BINARY_ITEMS:
        expected = codebook[k].headline.yes_codes if codebook[k].headline else (1,)
        assert (yes[k] == np.isin(codes[k], expected)).all() and yes[k].dtype == np.int8, k
    assert yes["leadership_informed"].tolist() == [0, 0, 1, 0, 0]  # codes 0 1 2 0 1: yes = "Ja, regelbundet"
    assert yes["risk_management"].tolist() == [0, 0, 0, 1, 1]  # the top two of the maturity scale


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
