"""The `synthesize` command's own choices: the file and format it writes, and the names it refuses; through
`python -m analysis synthesize`, the export and the truth file equal generate()'s (the generator itself:
tests/synthetic/)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.__main__ import main
from analysis.base import io
from analysis.run import synthesize
from analysis.synthetic import generator
from analysis.synthetic.parameters import AREAS, DONT_KNOW_RATE, EFFECTS


def _args(out=None, fmt=None) -> argparse.Namespace:
    return argparse.Namespace(out=out, format=fmt)


def test_the_format_follows_the_option_else_the_suffix():
    default = Path("data/raw/synthetic_skr_infosak_2019.csv")
    assert synthesize._target(_args(), default) == (default, "csv")
    assert synthesize._target(_args(fmt="xlsx"), default) == (default.with_suffix(".xlsx"), "xlsx")
    assert synthesize._target(_args(out="x/synthetic_a.XLSX"), default) == (Path("x/synthetic_a.XLSX"), "xlsx")
    assert synthesize._target(_args(out="x/synthetic_a.txt", fmt="csv"), default) == (Path("x/synthetic_a.txt"), "csv")


def test_a_name_without_the_synthetic_marker_is_refused(tmp_path, capsys):
    assert synthesize.main(["--out", str(tmp_path / "skr_2019.csv")]) == 2
    assert "the file name must contain" in capsys.readouterr().err
    assert not (tmp_path / "skr_2019.csv").exists()


def test_rows_must_be_positive(tmp_path, capsys):
    assert synthesize.main(["--out", str(tmp_path / "synthetic_skr_infosak_2019.csv"), "--rows", "0"]) == 2
    assert capsys.readouterr().err == "error: --rows must be at least 1\n"


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
