"""The door of a text export: its bytes checked for binary content, decoded, and its delimiter found.

An export is strict UTF-8 (BOM allowed) or else strict Windows-1252; nothing is replaced or guessed,
so å ä ö are never mangled. A step that reads more text encodings (UTF-16) or line endings belongs
here, before any parser sees the bytes; normalising the decoded headers and cells belongs to
`export.text_frame`, which every format passes through.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .limits import input_error

DELIMITERS = (",", ";")
# Signatures of files that are certainly not a CSV text export (checked before decoding).
BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a zip archive",
    b"\xd0\xcf\x11\xe0": "an old binary Office file (.xls/.doc)",
    b"\x1f\x8b": "a gzip file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"7z\xbc\xaf": "a 7-zip archive",
    b"\xff\xfe": "UTF-16 text",
    b"\xfe\xff": "UTF-16 text",
}
# Share of control characters (other than tab, CR, LF) above which a "text" is taken as binary.
MAX_CONTROL_SHARE = 0.01
UTF8_BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"\S")  # bytes.strip()'s white space: space, \t \n \r \v \f


def check_not_binary(data: bytes, path: Path) -> None:
    """InputError when `data` starts like a known binary format or holds too many control characters."""
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise input_error(path, "a CSV text file (UTF-8 or Windows-1252) or an .xlsx workbook", what)
    sample = data[: 1 << 16]
    n_ctrl = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 13)) + sample.count(b"\x7f")
    if sample and n_ctrl / len(sample) > MAX_CONTROL_SHARE:
        raise input_error(path, "a CSV text file (UTF-8 or Windows-1252)", "binary data")


def is_blank(data: bytes) -> bool:
    """Whether `data` holds nothing but white space (after a UTF-8 BOM); looks without copying."""
    return not _NOT_SPACE.search(data, len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0)


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode an export: strict UTF-8 (BOM allowed), else strict Windows-1252; else InputError.

    Returns (text, encoding). Nothing is replaced or guessed, so å ä ö are never mangled.
    """
    check_not_binary(data, path)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise input_error(path, "text encoded as UTF-8 or Windows-1252", "bytes that are neither")


def is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def first_line(data: bytes) -> tuple[str, bool]:
    """The first line of the file, decoded; and whether it is valid UTF-8."""
    line = data[: data.find(b"\n")] if b"\n" in data[: 1 << 20] else data[: 1 << 20]
    line = line.rstrip(b"\r")
    if line.startswith(UTF8_BOM):
        line = line[3:]
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace"), False


def detect_delimiter(header_line: str) -> str:
    """',' or ';': whichever splits the header line (quotes respected) into more fields."""
    best, best_n = ",", 0
    for sep in DELIMITERS:
        n = len(split_header(header_line, sep))
        if n > best_n:
            best, best_n = sep, n
    return best


def split_header(header: str, sep: str) -> list[str]:
    """The header line's fields (quotes respected), as the CSV parser will name the columns."""
    return next(csv.reader([header], delimiter=sep), [])
