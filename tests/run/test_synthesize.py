"""The `synthesize` command's own choices: the file and format it writes, and the names it refuses
(the generator itself is tests/test_synthetic.py's)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.run import synthesize


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
