"""A CSV export parsed by pyarrow (multi-threaded), every cell a string, within the size and row limits.

UTF-8 is validated by pyarrow as it parses (no extra pass); if parsing fails and the bytes are not
UTF-8, the file is decoded strictly as Windows-1252 (decode.py) and parsed again; else an InputError.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .decode import check_not_binary, decode_text, detect_delimiter, first_line, is_blank, is_utf8, split_header
from .limits import DEFAULT_MAX_INPUT_MB, DEFAULT_MAX_ROWS, check_rows, check_size, input_error

if TYPE_CHECKING:
    import pandas as pd


def read_csv(path: Path, max_rows: int = DEFAULT_MAX_ROWS, max_input_mb: float = DEFAULT_MAX_INPUT_MB) -> pd.DataFrame:
    """The CSV export at `path` as strings, with its raw headers (delimiter from the header line).

    The file's size is checked before it is read and the row count before the rows become Python
    objects, so memory stays within a small multiple of `max_input_mb`.
    """
    check_size(path, path.stat().st_size, max_input_mb, "CSV text")
    data = path.read_bytes()
    if is_blank(data):
        raise input_error(path, "a header row and at least one data row", "an empty file")
    check_not_binary(data, path)
    first, utf8 = first_line(data)
    if not utf8:
        data = decode_text(data, path)[0].encode("utf-8")
        first, utf8 = first_line(data)
    sep = detect_delimiter(first)
    headers = split_header(first, sep)
    stripped = [h.strip() for h in headers]
    dupes = sorted({h for h in stripped if stripped.count(h) > 1})
    if dupes:
        raise input_error(path, "each column header once", "repeated headers", rows=1, columns=dupes)
    try:
        return parse_utf8(data, sep, headers, path, max_rows)
    except Exception:
        if is_utf8(data):
            raise
    # not UTF-8: strict Windows-1252 or an error
    data = decode_text(data, path)[0].encode("utf-8")
    return parse_utf8(data, sep, headers, path, max_rows)


def parse_utf8(data: bytes, sep: str, headers: list[str], path: Path, max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
    """Parse UTF-8 CSV bytes with pyarrow, every column as string; InputError on malformed rows."""
    import pyarrow as pa  # noqa: PLC0415 - heavy: the runner's no-op path imports io without pyarrow
    import pyarrow.csv as pacsv  # noqa: PLC0415 - heavy: as above

    bad_rows: list[int | None] = []

    def on_bad_row(row) -> str:
        bad_rows.append(row.number)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(encoding="utf8", block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[],
            ),
        )
    except pa.ArrowInvalid as exc:
        detail = str(exc).split(":", 1)[0][:80]  # never echo a row's content (it may hold personal data)
        raise input_error(path, f"a well-formed CSV with delimiter {sep!r}", detail) from None
    if bad_rows:
        rows = [r for r in bad_rows if r is not None]
        raise input_error(path, f"every row with the header's {len(headers)} fields (delimiter {sep!r})",
                          f"{len(bad_rows)} row(s) with a different number of fields", rows=rows or None)
    check_rows(path, table.num_rows, max_rows)  # before the rows become Python objects
    return table.to_pandas()
