"""Reading a raw survey export (CSV or xlsx): every format through one door, as strings, never modified.

`read_export` picks the reader by the file's suffix (csv_reader, xlsx), then passes every header and
cell through `text_frame`, the one place where an export's text is made uniform whatever its format
(a normalisation of text, such as Unicode NFC or unwrapped headers, belongs there).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .csv_reader import read_csv
from .limits import DEFAULT_MAX_INPUT_MB, DEFAULT_MAX_ROWS, check_rows, input_error
from .xlsx import read_xlsx

if TYPE_CHECKING:
    import pandas as pd

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx",)


def read_export(path: str | Path, *, max_rows: int = DEFAULT_MAX_ROWS,
                max_input_mb: float = DEFAULT_MAX_INPUT_MB) -> pd.DataFrame:
    """Read a raw survey export (CSV or xlsx) as strings with its raw headers; never modifies it.

    CSV: comma or semicolon (detected from the header), UTF-8 with or without BOM, or Windows-1252.
    Every cell is a string: "" is a blank answer, "NA" is the text "NA". Headers are stripped of
    surrounding white space. Raises analysis.base.errors.InputError naming the file and the problem.

    Bounded: a file with more than `max_rows` data rows, or more than `max_input_mb` megabytes of
    content (a CSV's size; an xlsx's size and the declared uncompressed size of its parts) is
    refused before its rows are parsed. An xlsx formula cell without a saved result is refused
    (it would read as a blank). Formula cells with a saved result are read as that result.
    """
    path = Path(path)
    if not path.is_file():
        raise input_error(path, "an existing CSV or .xlsx file", "no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        df = read_csv(path, max_rows, max_input_mb)
    elif suffix in XLSX_SUFFIXES:
        df = read_xlsx(path, max_rows, max_input_mb)
    else:
        raise input_error(path, "a .csv or .xlsx file", f"extension {path.suffix or '(none)'!r}")
    if len(df.columns) == 0:
        raise input_error(path, "a header row and at least one data row", "no columns")
    if len(df) == 0:
        raise input_error(path, "at least one data row below the header", "a header only", rows=2)
    check_rows(path, len(df), max_rows)
    return text_frame(df, path)


def text_frame(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The door every export passes, whatever its format: headers stripped of surrounding white space
    and each header once (else InputError), every cell a str ("" where the reader gave none)."""
    import pandas as pd  # noqa: PLC0415 - heavy: the runner's no-op path imports io without pandas

    df.columns = [str(c).strip() for c in df.columns]
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise input_error(path, "each column header once", "repeated headers", columns=dupes)
    # Excel may give non-string cells despite dtype=str (e.g. empty columns); make all str.
    for col in df.columns:
        if not pd.api.types.is_string_dtype(df[col]) or df[col].isna().any():
            df[col] = df[col].astype("object").where(df[col].notna(), "").astype("str")
    return df
