"""CSV files the steps write: atomic, byte-for-byte pandas' `to_csv`, formulas neutralised for spreadsheets.

Frames of text and integer columns (a cleaning log of a million rows) are formatted by pyarrow, column
by column, into the same bytes as `df.to_csv(index=False, lineterminator="\\n")`; any other frame goes
through to_csv itself.
"""

from __future__ import annotations

import csv
import io as stdio
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import atomic_path, write_text

if TYPE_CHECKING:
    import pandas as pd

# What a spreadsheet would run as a formula when a text cell starts with it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (= + - @ ...) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @) with an apostrophe."""
    import pandas as pd  # noqa: PLC0415 - heavy: the runner's no-op path imports io without pandas

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            mask = s.notna() & s.astype("string").str.startswith(FORMULA_PREFIXES)
            if mask.any():
                out[col] = s.astype("object").where(~mask, "'" + s.astype("string"))
    return out


def write_csv(df: pd.DataFrame, target: str | Path, *, excel: bool = False, neutralise: bool | None = None) -> Path:
    """Write a CSV atomically; `excel=True` adds a UTF-8 BOM; formula-like text cells are neutralised
    when `neutralise` is true (default: when `excel` is).

    The bytes are those of `df.to_csv(index=False, lineterminator="\\n")`; frames of text and integer
    columns (such as a cleaning log of a million rows) are formatted by pyarrow, column by column.
    """
    if excel if neutralise is None else neutralise:
        df = neutralise_formulas(df)
    encoding = "utf-8-sig" if excel else "utf-8"
    fast = arrow_csv(df)
    if fast is None:
        return write_text(df.to_csv(index=False, lineterminator="\n"), target, encoding=encoding)
    header, body = fast
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(header.encode(encoding))
        fh.write(body)
    return Path(target)


def csv_quoted_chars() -> str:
    """The characters that make Python's csv writer (pandas' to_csv) quote a field, as to_csv sets
    it up with lineterminator="\\n": asked of the csv module, not assumed."""
    found = ""
    for ch in ',"\n\r':
        buf = stdio.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([ch, "x"])
        if buf.getvalue().startswith('"'):
            found += ch
    return found


def may_hold(a, chars: bytes) -> bool:
    """False when no byte of the string array `a` (a pyarrow Array or ChunkedArray) is one of the
    ASCII `chars` (in UTF-8 an ASCII byte is always that character); True when one may be."""
    import numpy as np  # noqa: PLC0415 - heavy: only the pyarrow path of write_csv needs it
    import pyarrow as pa  # noqa: PLC0415 - heavy: as above

    for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a]):
        data = chunk.buffers()[2]
        if data is not None:
            values = np.frombuffer(data, dtype=np.uint8)
            if any((values == c).any() for c in chars):
                return True
    return False


def _arrow_text(s, chars: str):
    """A text column as to_csv writes its cells (quoted where needed, NA as ""); None if pyarrow
    cannot take it."""
    import pyarrow as pa  # noqa: PLC0415 - heavy: only the pyarrow path of write_csv needs it
    import pyarrow.compute as pc  # noqa: PLC0415 - heavy: as above

    empty, quote = pa.scalar("", type=pa.large_string()), pa.scalar('"', type=pa.large_string())
    try:
        a = pa.array(s, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if isinstance(a, pa.ChunkedArray):  # one piece: joining columns chunked differently is slow
        a = a.combine_chunks()
    if may_hold(a, chars.encode("ascii")):  # a cheap look at the bytes first: usually none
        needs = pc.match_substring_regex(a, "[" + re.escape(chars) + "]")
        quoted = pc.binary_join_element_wise(quote, pc.replace_substring(a, '"', '""'), quote, empty)
        a = pc.if_else(needs, quoted, a)
    return pc.fill_null(a, empty)


def _arrow_columns(df: pd.DataFrame) -> list | None:
    """Each column of `df` as to_csv writes its cells (pyarrow string arrays); None unless every
    column is integer or text."""
    import pandas as pd  # noqa: PLC0415 - heavy: the runner's no-op path imports io without pandas
    import pyarrow as pa  # noqa: PLC0415 - heavy: only the pyarrow path of write_csv needs it
    import pyarrow.compute as pc  # noqa: PLC0415 - heavy: as above

    chars, empty = csv_quoted_chars(), pa.scalar("", type=pa.large_string())
    cols = []
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_integer_dtype(s.dtype):  # numpy or nullable integers
            cols.append(pc.fill_null(pa.array(s, from_pandas=True).cast(pa.large_string()), empty))
        elif pd.api.types.is_string_dtype(s.dtype) and (a := _arrow_text(s, chars)) is not None:
            cols.append(a)
        else:
            return None
    return cols


def arrow_csv(df: pd.DataFrame) -> tuple[str, memoryview] | None:
    """to_csv's header line (text) and body (UTF-8 bytes) for a frame of two or more columns, each
    integer or text (NA written as ""), with text column names; None for any other frame."""
    import numpy as np  # noqa: PLC0415 - heavy: only the pyarrow path of write_csv needs it
    import pyarrow as pa  # noqa: PLC0415 - heavy: as above
    import pyarrow.compute as pc  # noqa: PLC0415 - heavy: as above

    if df.shape[1] < 2 or not all(isinstance(c, str) for c in df.columns):
        return None
    cols = _arrow_columns(df)
    if cols is None:
        return None
    sep, newline, empty = (pa.scalar(t, type=pa.large_string()) for t in (",", "\n", ""))
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, sep), newline, empty)
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    header = stdio.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(df.columns))
    if len(lines) == 0:
        return header.getvalue(), memoryview(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    return header.getvalue(), memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]
