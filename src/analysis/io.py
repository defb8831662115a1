"""File input and output at the edges: atomic writes of parquet, CSV, JSON and text.

Reading raw survey exports (CSV/xlsx, encodings, delimiters) also lives here.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(data: bytes, target: str | Path) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(text: str, target: str | Path, encoding: str = "utf-8") -> Path:
    return write_bytes(text.encode(encoding), target)


def strict_json(obj: Any) -> Any:
    """A copy of `obj` fit for strict JSON: NaN, infinities and pandas' NA become None, numpy
    scalars become Python numbers, tuples lists."""
    if isinstance(obj, dict):
        return {str(k): strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict_json(v) for v in obj]
    if type(obj).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (ValueError, TypeError):
            pass
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_text(obj: Any) -> str:
    """Strict JSON (RFC 8259: no NaN or Infinity), sorted keys, two-space indent, trailing newline."""
    return json.dumps(strict_json(obj), indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n"


def write_json(obj: Any, target: str | Path) -> Path:
    """Write strict JSON atomically (NaN becomes null)."""
    return write_text(json_text(obj), target)


def write_parquet(df: pd.DataFrame, target: str | Path) -> Path:
    """Write parquet deterministically (no pandas index, fixed compression, no timestamps)."""
    with atomic_path(target) as tmp:
        df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
    return Path(target)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (= + - @) with an apostrophe."""
    import pandas as pd  # lazy: the runner's no-op path imports io without pandas
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            mask = s.notna() & s.astype("string").str.startswith(FORMULA_PREFIXES)
            if mask.any():
                out[col] = s.astype("object").where(~mask, "'" + s.astype("string"))
    return out


def write_csv(df: pd.DataFrame, target: str | Path, *, excel: bool = False) -> Path:
    """Write a CSV atomically; `excel=True` adds a UTF-8 BOM and neutralises formula-like cells."""
    if excel:
        df = neutralise_formulas(df)
    text = df.to_csv(index=False, lineterminator="\n")
    return write_text(text, target, encoding="utf-8-sig" if excel else "utf-8")


def read_json(path: str | Path) -> dict[str, Any]:
    """A JSON file as a dict; {} when the file does not exist."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def is_synthetic(run_info: dict[str, Any]) -> bool:
    """Whether processed data came from a synthetic export (run_info.json of 01_clean).

    Unknown provenance counts as synthetic: such numbers are never presented as SKR's.
    """
    return bool(run_info.get("synthetic", True))


def neutralise_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (= + - @ ...) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Reading raw survey exports
# --------------------------------------------------------------------------------------------

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx",)
DELIMITERS = (",", ";")
# Signatures of files that are certainly not a CSV text export (checked before decoding).
_BINARY_MAGIC = {
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
_MAX_CONTROL_SHARE = 0.01


def _input_error(path: Path, expected: str, found: str | None = None, rows=None, columns=None):
    from .errors import InputError

    return InputError(path, rows, columns, expected, found)


def _check_not_binary(data: bytes, path: Path) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise _input_error(path, "a CSV text file (UTF-8 or Windows-1252) or an .xlsx workbook", what)
    sample = data[: 1 << 16]
    n_ctrl = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 13)) + sample.count(b"\x7f")
    if sample and n_ctrl / len(sample) > _MAX_CONTROL_SHARE:
        raise _input_error(path, "a CSV text file (UTF-8 or Windows-1252)", "binary data")


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode an export: strict UTF-8 (BOM allowed), else strict Windows-1252; else InputError.

    Returns (text, encoding). Nothing is replaced or guessed, so å ä ö are never mangled.
    """
    _check_not_binary(data, path)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise _input_error(path, "text encoded as UTF-8 or Windows-1252", "bytes that are neither")


def detect_delimiter(header_line: str) -> str:
    """',' or ';': whichever splits the header line (quotes respected) into more fields."""
    import csv

    best, best_n = ",", 0
    for sep in DELIMITERS:
        n = len(next(csv.reader([header_line], delimiter=sep), []))
        if n > best_n:
            best, best_n = sep, n
    return best


def _header_line(data: bytes) -> tuple[str, bool]:
    """The first line of the file, decoded; and whether it is valid UTF-8."""
    line = data[: data.find(b"\n")] if b"\n" in data[: 1 << 20] else data[: 1 << 20]
    line = line.rstrip(b"\r")
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace"), False


def _arrow_csv(data: bytes, sep: str, headers: list[str], path: Path) -> pd.DataFrame:
    """Parse UTF-8 CSV bytes with pyarrow, every column as string; InputError on malformed rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

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
        raise _input_error(path, f"a well-formed CSV with delimiter {sep!r}", detail) from None
    if bad_rows:
        rows = [r for r in bad_rows if r is not None]
        raise _input_error(path, f"every row with the header's {len(headers)} fields (delimiter {sep!r})",
                           f"{len(bad_rows)} row(s) with a different number of fields", rows=rows or None)
    return table.to_pandas()


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(path: Path) -> pd.DataFrame:
    """CSV via pyarrow's parser (multi-threaded).

    UTF-8 is validated by pyarrow as it parses (no extra pass); if parsing fails and the bytes are
    not UTF-8, the file is decoded strictly as Windows-1252 and parsed again; else an InputError.
    """
    import csv

    data = path.read_bytes()
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise _input_error(path, "a header row and at least one data row", "an empty file")
    _check_not_binary(data, path)
    first, utf8 = _header_line(data)
    if not utf8:
        data = decode_text(data, path)[0].encode("utf-8")
        first, utf8 = _header_line(data)
    sep = detect_delimiter(first)
    headers = next(csv.reader([first], delimiter=sep), [])
    stripped = [h.strip() for h in headers]
    dupes = sorted({h for h in stripped if stripped.count(h) > 1})
    if dupes:
        raise _input_error(path, "each column header once", "repeated headers", rows=1, columns=dupes)
    try:
        return _arrow_csv(data, sep, headers, path)
    except Exception:
        if _is_utf8(data):
            raise
    # not UTF-8: strict Windows-1252 or an error
    data = decode_text(data, path)[0].encode("utf-8")
    return _arrow_csv(data, sep, headers, path)


def _read_xlsx(path: Path) -> pd.DataFrame:
    import pandas as pd  # lazy: the runner's no-op path imports io without pandas
    import zipfile

    if not zipfile.is_zipfile(path):
        raise _input_error(path, "an .xlsx workbook", "a file that is not a zip-based workbook")
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, na_filter=False,
                               engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise _input_error(path, "a readable .xlsx workbook", type(exc).__name__) from None
    used = {name: df for name, df in sheets.items() if df.shape[1] or len(df)}
    if len(used) > 1:  # never pick one silently: rows on another sheet would be lost
        raise _input_error(path, "the export on a single sheet",
                           f"{len(used)} sheets with content: {', '.join(map(repr, used))}")
    return next(iter(used.values()), next(iter(sheets.values())))


def read_export(path: str | Path) -> pd.DataFrame:
    """Read a raw survey export (CSV or xlsx) as strings with its raw headers; never modifies it.

    CSV: comma or semicolon (detected from the header), UTF-8 with or without BOM, or Windows-1252.
    Every cell is a string: "" is a blank answer, "NA" is the text "NA". Headers are stripped of
    surrounding white space. Raises analysis.errors.InputError naming the file and the problem.
    """
    import pandas as pd  # lazy: the runner's no-op path imports io without pandas
    path = Path(path)
    if not path.is_file():
        raise _input_error(path, "an existing CSV or .xlsx file", "no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        df = _read_csv(path)
    elif suffix in XLSX_SUFFIXES:
        df = _read_xlsx(path)
    else:
        raise _input_error(path, "a .csv or .xlsx file", f"extension {path.suffix or '(none)'!r}")
    if len(df.columns) == 0:
        raise _input_error(path, "a header row and at least one data row", "no columns")
    if len(df) == 0:
        raise _input_error(path, "at least one data row below the header", "a header only", rows=2)
    df.columns = [str(c).strip() for c in df.columns]
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise _input_error(path, "each column header once", "repeated headers", columns=dupes)
    # Excel may give non-string cells despite dtype=str (e.g. empty columns); make all str.
    for col in df.columns:
        if not pd.api.types.is_string_dtype(df[col]) or df[col].isna().any():
            df[col] = df[col].astype("object").where(df[col].notna(), "").astype("str")
    return df


def workbook_bytes(wb, fixed_time: tuple[int, ...] = (2000, 1, 1, 0, 0, 0)) -> bytes:
    """Bytes of an openpyxl Workbook that do not depend on when it was saved.

    openpyxl stamps the save time into docProps/core.xml and into every zip entry; both are pinned
    to `fixed_time`, so the same content gives the same bytes.
    """
    import datetime as dt
    import io as _stdio

    fixed = dt.datetime(*fixed_time)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = _stdio.BytesIO()
    wb.save(buf)
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = _stdio.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=fixed_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    return out.getvalue()


def _export_xlsx_bytes(df: pd.DataFrame, fixed_time: tuple[int, ...]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # text starting with "=" is text in the export, not a formula
                cell.data_type = "s"
    wb.properties.creator = "synthetic"
    return workbook_bytes(wb, fixed_time)


def write_export(df: pd.DataFrame, path: str | Path, fmt: str = "csv",
                 fixed_time: tuple[int, ...] = (2019, 6, 1, 0, 0, 0)) -> Path:
    """Write a survey export atomically, as a web-survey tool would: semicolon CSV in UTF-8 with BOM,
    or xlsx (one sheet "Svar", every cell text, `fixed_time` stamped so the bytes are stable)."""
    path = Path(path)
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx', got {fmt!r}")
    with atomic_path(path) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
        else:
            tmp.write_bytes(_export_xlsx_bytes(df, fixed_time))
    return path
