"""`python -m analysis synthesize`: the export and the truth file it writes equal generate()'s, and a
file name without the synthetic marker is refused. The generator's own tests: tests/synthetic/."""

from __future__ import annotations

import json

from analysis.__main__ import main
from analysis.base import io
from analysis.synthetic import generator
from analysis.synthetic.parameters import AREAS, DONT_KNOW_RATE, EFFECTS


def test_cli_writes_export_and_truth(register, codebook, reference_dir, tmp_path, capsys):
    out, truth_path = tmp_path / "synthetic_test.csv", tmp_path / "truth.json"
    rc = main(["synthesize", "--seed", "7", "--out", str(out), "--truth", str(truth_path),
                        "--reference-dir", str(reference_dir)])
    assert rc == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and str(out) in printed[0]
    df, truth = generator.generate(register, seed=7, codebook=codebook)
    assert json.loads(truth_path.read_text(encoding="utf-8")) == truth
    assert out.read_bytes() == _csv_bytes(df, tmp_path)
    assert truth["seed"] == 7
    for area in AREAS:
        assert set(truth["effects"][area]) == {"leadership_informed", "action_plans", "resources",
                                              "collaboration", "log_folkmangd"}
        assert truth["effects"][area] == EFFECTS[area]
        assert isinstance(truth["intercepts"][area], float)
    assert truth["missingness"]["dont_know"] == DONT_KNOW_RATE
    assert truth["response_model"]["theta0"] and len(truth["response_model"]["respondents"]) == 264


def _csv_bytes(df, tmp_path):
    return io.write_export(df, tmp_path / "synthetic_again.csv").read_bytes()


def test_cli_refuses_a_file_name_without_the_synthetic_marker(reference_dir, tmp_path, capsys):
    rc = main(["synthesize", "--out", str(tmp_path / "skr_2019.csv"), "--reference-dir", str(reference_dir)])
    assert rc == 2 and "synthetic" in capsys.readouterr().err
    assert not (tmp_path / "skr_2019.csv").exists()
