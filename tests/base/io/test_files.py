"""Tests of analysis.base.io.files: a file is written whole or not at all, and hashed by its bytes."""

from __future__ import annotations

import hashlib
import os
import stat

import pandas as pd
import pytest

from analysis.base.io import files


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out" / "table.csv"
    files.write_text("old\n", target)
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("the writer fails")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["table.csv"]


def test_a_written_file_has_the_usual_mode_not_mkstemps_0600(tmp_path):
    path = files.write_bytes(b"x", tmp_path / "f.bin")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # what open() would have made


def test_write_text_encodes_and_sha256_is_the_digest_of_the_bytes(tmp_path):
    path = files.write_text("Åre\n", tmp_path / "t.txt", encoding="cp1252")
    assert path.read_bytes() == b"\xc5re\n"
    # the SHA-256 of "abc" (FIPS 180-2, appendix B.1), read in chunks smaller than the file
    (tmp_path / "abc").write_bytes(b"abc")
    assert files.sha256_file(tmp_path / "abc", chunk=2) == \
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    big = os.urandom(3 << 20)
    (tmp_path / "big").write_bytes(big)
    assert files.sha256_file(tmp_path / "big") == hashlib.sha256(big).hexdigest()


def test_parquet_is_written_without_index_and_the_same_bytes_each_time(tmp_path):
    df = pd.DataFrame({"kommunkod": ["0114", "0180"], "n": [1, 2]}, index=[5, 7])
    a = files.write_parquet(df, tmp_path / "a.parquet")
    b = files.write_parquet(df, tmp_path / "b.parquet")
    assert a.read_bytes() == b.read_bytes()
    back = pd.read_parquet(a)
    assert list(back.columns) == ["kommunkod", "n"] and back["kommunkod"].tolist() == ["0114", "0180"]
