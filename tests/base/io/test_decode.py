"""Tests of analysis.base.io.decode: an export's bytes checked for binary content, decoded strictly
(UTF-8, else Windows-1252), and its delimiter found."""

from __future__ import annotations

import pytest

from analysis.base import io
from analysis.base.errors import InputError
from analysis.base.io import decode


def test_detect_delimiter():
    assert io.detect_delimiter("a;b;c") == ";"
    assert io.detect_delimiter("a,b,c") == ","
    assert io.detect_delimiter('"a;x",b,c') == ","
    assert io.detect_delimiter('"x, y";b;c') == ";"


def test_decode_text_is_strict_utf8_then_strict_windows_1252(tmp_path):
    assert decode.decode_text("Åre".encode("utf-8-sig"), tmp_path / "a.csv") == ("Åre", "utf-8-sig")
    assert decode.decode_text("Åre".encode("cp1252"), tmp_path / "a.csv") == ("Åre", "cp1252")
    with pytest.raises(InputError, match="expected text encoded as UTF-8 or Windows-1252"):
        decode.decode_text(b"a,b\n\x81\x8d", tmp_path / "a.csv")  # undefined in cp1252 too


def test_binary_content_is_refused_before_decoding(tmp_path):
    with pytest.raises(InputError, match="found a gzip file"):
        decode.check_not_binary(b"\x1f\x8b\x08\x00", tmp_path / "a.csv")
    with pytest.raises(InputError, match="found binary data"):
        decode.check_not_binary(b"a,b\n" + b"\x01" * 10, tmp_path / "a.csv")
    decode.check_not_binary(b"a\tb\r\n1\t2\r\n", tmp_path / "a.csv")  # tab, CR, LF are text


def test_first_line_and_blank_files():
    assert decode.first_line(b"\xef\xbb\xbfa;b\r\n1;2\r\n") == ("a;b", True)
    assert decode.first_line("Län;b\n".encode("cp1252")) == ("Län;b", False)
    assert decode.is_blank(b"\xef\xbb\xbf \r\n\t") and not decode.is_blank(b"\r\na")
    assert decode.split_header('"a;b";c', ";") == ["a;b", "c"]
