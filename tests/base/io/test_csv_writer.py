"""Tests of analysis.base.io.csv_writer: text and integer frames are formatted by pyarrow, with
to_csv's exact bytes; formula-like cells are neutralised for spreadsheets."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from analysis.base import io
from analysis.base.io import csv_writer

_CSV_NASTY = [",", '"', "\n", "\r", "\r\n", ";", "\t", " ", "'", "=1+1", "é", "\u2028", "\x85", "", "a,b", 'say "hi"']

@pytest.mark.parametrize("excel", [False, True])
@pytest.mark.parametrize("text_dtype", ["str", object])
@pytest.mark.parametrize("int_dtype", ["int64", "Int64", "uint8"])
def test_write_csv_fast_path_gives_to_csv_bytes(tmp_path, excel, text_dtype, int_dtype):
    rng = random.Random(7)
    n = 3000
    cells = [None if rng.random() < 0.1 else "".join(rng.choice(_CSV_NASTY) for _ in range(rng.randint(0, 4)))
             for _ in range(n)]
    counts = pd.Series([i % 97 for i in range(n)], dtype=int_dtype)
    if int_dtype == "Int64":
        counts[::5] = pd.NA
    df = pd.DataFrame({"step": pd.Series(cells, dtype=text_dtype), "count": counts,
                       'odd, "name"': pd.Series(list(reversed(cells)), dtype=text_dtype), "plain": "x"})
    assert csv_writer.arrow_csv(df) is not None  # the fast path is the one under test
    io.write_csv(df, tmp_path / "t.csv", excel=excel, neutralise=False)
    expected = df.to_csv(index=False, lineterminator="\n").encode("utf-8-sig" if excel else "utf-8")
    assert (tmp_path / "t.csv").read_bytes() == expected

def test_write_csv_other_frames_go_through_to_csv(tmp_path):
    floats = pd.DataFrame({"a": ["x", "y"], "b": [0.1, float("nan")]})
    one_column = pd.DataFrame({"a": ["", "x"]})  # csv quotes a lone empty field: left to to_csv
    empty = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="int64")})
    for i, df in enumerate((floats, one_column, empty)):
        io.write_csv(df, tmp_path / f"{i}.csv")
        assert (tmp_path / f"{i}.csv").read_bytes() == df.to_csv(index=False, lineterminator="\n").encode()
    assert csv_writer.arrow_csv(floats) is None and csv_writer.arrow_csv(one_column) is None


def test_formula_like_cells_get_an_apostrophe_and_nothing_else_changes(tmp_path):
    df = pd.DataFrame({"a": ["=1+1", "+46 8", "-x", "@SUM", "ok", None], "n": [1, 2, 3, 4, 5, 6]})
    out = csv_writer.neutralise_formulas(df)
    assert out["a"].tolist()[:5] == ["'=1+1", "'+46 8", "'-x", "'@SUM", "ok"] and pd.isna(out["a"].iloc[5])
    assert out["n"].tolist() == [1, 2, 3, 4, 5, 6] and df["a"].iloc[0] == "=1+1"  # a copy
    assert csv_writer.neutralise_cell("=HYPERLINK()") == "'=HYPERLINK()" and csv_writer.neutralise_cell(3) == 3
    io.write_csv(df, tmp_path / "x.csv", excel=True)  # excel: neutralised by default, with a BOM
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbfa,n\n'=1+1,1\n")


@pytest.mark.parametrize("ch", [",", '"', "\n", "\r", ";", "\t", " ", "'"])
def test_the_quoted_characters_are_those_to_csv_quotes(ch):
    quoted = pd.DataFrame({"a": [f"x{ch}y"], "b": ["z"]}).to_csv(index=False, lineterminator="\n").split("\n", 1)[1]
    assert quoted.startswith('"') == (ch in csv_writer.csv_quoted_chars())


def test_csv_neutralises_formulas(tmp_path):
    df = pd.DataFrame({"a": ["=1+1", "+cmd", "-x", "@SUM(A1)", "ok", "-"], "n": [1, -2, 3, 4, 5, 6]})
    path = io.write_csv(df, tmp_path / "t.csv", excel=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert all(not str(v).startswith(("=", "+", "-", "@")) for v in back["a"])
    assert list(back["n"]) == [1, -2, 3, 4, 5, 6]
