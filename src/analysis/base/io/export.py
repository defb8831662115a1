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

from .sizes import MB, megabytes

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


def write_csv(df: pd.DataFrame, target: str | Path, *, excel: bool = False, neutralise: bool | None = None) -> Path:
    """Write a CSV atomically; `excel=True` adds a UTF-8 BOM; formula-like text cells are neutralised
    when `neutralise` is true (default: when `excel` is).

    The bytes are those of `df.to_csv(index=False, lineterminator="\\n")`; frames of text and integer
    columns (such as a cleaning log of a million rows) are formatted by pyarrow, column by column.
    """
    if excel if neutralise is None else neutralise:
        df = neutralise_formulas(df)
    encoding = "utf-8-sig" if excel else "utf-8"
    fast = _csv_arrow(df)
    if fast is None:
        return write_text(df.to_csv(index=False, lineterminator="\n"), target, encoding=encoding)
    header, body = fast
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(header.encode(encoding))
        fh.write(body)
    return Path(target)


def _csv_quoted_chars() -> str:
    """The characters that make Python's csv writer (pandas' to_csv) quote a field, as to_csv sets
    it up with lineterminator="\\n": asked of the csv module, not assumed."""
    import csv
    import io as _stdio

    found = ""
    for ch in ',"\n\r':
        buf = _stdio.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([ch, "x"])
        if buf.getvalue().startswith('"'):
            found += ch
    return found


def _may_hold(a, chars: bytes) -> bool:
    """False when no byte of the string array `a` (a pyarrow Array or ChunkedArray) is one of the
    ASCII `chars` (in UTF-8 an ASCII byte is always that character); True when one may be."""
    import numpy as np
    import pyarrow as pa

    for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a]):
        data = chunk.buffers()[2]
        if data is not None:
            values = np.frombuffer(data, dtype=np.uint8)
            if any((values == c).any() for c in chars):
                return True
    return False


def _csv_arrow(df: pd.DataFrame) -> tuple[str, memoryview] | None:
    """to_csv's header line (text) and body (UTF-8 bytes) for a frame of two or more columns, each
    integer or text (NA written as ""), with text column names; None for any other frame."""
    import csv
    import io as _stdio

    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if df.shape[1] < 2 or not all(isinstance(c, str) for c in df.columns):
        return None
    chars = _csv_quoted_chars()
    special, special_bytes = "[" + re.escape(chars) + "]", chars.encode("ascii")

    def lit(text: str):
        return pa.scalar(text, type=pa.large_string())

    cols = []
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_integer_dtype(s.dtype):  # numpy or nullable integers
            cols.append(pc.fill_null(pa.array(s, from_pandas=True).cast(pa.large_string()), lit("")))
        elif pd.api.types.is_string_dtype(s.dtype):
            try:
                a = pa.array(s, type=pa.large_string(), from_pandas=True)
            except (pa.ArrowException, TypeError, ValueError):
                return None
            if isinstance(a, pa.ChunkedArray):  # one piece: joining columns chunked differently is slow
                a = a.combine_chunks()
            if _may_hold(a, special_bytes):  # a cheap look at the bytes first: usually none
                needs = pc.match_substring_regex(a, special)
                quoted = pc.binary_join_element_wise(lit('"'), pc.replace_substring(a, '"', '""'), lit('"'), lit(""))
                a = pc.if_else(needs, quoted, a)
            cols.append(pc.fill_null(a, lit("")))
        else:
            return None
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cols, lit(",")), lit("\n"), lit(""))
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    header = _stdio.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(df.columns))
    if len(lines) == 0:
        return header.getvalue(), memoryview(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    return header.getvalue(), memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]


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

# Limits on what reading accepts (parameters max_rows and max_input_mb; params/default.yaml holds
# the same defaults). The survey has one row per municipality (290) plus abandoned and repeated
# submissions: 100,000 rows is over 300 times that; 200 MB of uncompressed content is far more than
# 100,000 rows of this questionnaire take as CSV (27 MB) or as the XML inside an xlsx.
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_INPUT_MB = 200
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_XML_CHUNK = 1 << 20
_MAX_ZIP_MEMBERS = 10_000


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


def _arrow_csv(data: bytes, sep: str, headers: list[str], path: Path, max_rows: int = DEFAULT_MAX_ROWS) -> pd.DataFrame:
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
    _too_many_rows(path, table.num_rows, max_rows)  # before the rows become Python objects
    return table.to_pandas()


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _too_big(path: Path, size: int, max_input_mb: float, what: str) -> None:
    if size > max_input_mb * MB:
        raise _input_error(path, f"at most {max_input_mb:g} MB of {what} (parameter max_input_mb)", megabytes(size))


def _too_many_rows(path: Path, n_rows: int, max_rows: int, exact: bool = True) -> None:
    if n_rows > max_rows:
        found = f"{n_rows:,} data rows" if exact else f"more than {max_rows:,} data rows"
        raise _input_error(path, f"at most {max_rows:,} data rows (parameter max_rows)", found)


_NOT_SPACE = re.compile(rb"\S")  # bytes.strip()'s white space: space, \t \n \r \v \f


def _read_csv(path: Path, max_rows: int, max_input_mb: float) -> pd.DataFrame:
    """CSV via pyarrow's parser (multi-threaded).

    UTF-8 is validated by pyarrow as it parses (no extra pass); if parsing fails and the bytes are
    not UTF-8, the file is decoded strictly as Windows-1252 and parsed again; else an InputError.
    The file's size is checked before it is read and the row count before the rows become Python
    objects, so memory stays within a small multiple of `max_input_mb`.
    """
    import csv

    _too_big(path, path.stat().st_size, max_input_mb, "CSV text")
    data = path.read_bytes()
    if not _NOT_SPACE.search(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0):  # no copy of the data
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
        return _arrow_csv(data, sep, headers, path, max_rows)
    except Exception:
        if _is_utf8(data):
            raise
    # not UTF-8: strict Windows-1252 or an error
    data = decode_text(data, path)[0].encode("utf-8")
    return _arrow_csv(data, sep, headers, path, max_rows)


# --- xlsx: checked before it is parsed ---------------------------------------------------------

def _column_index(ref: str) -> int:
    """'C5' -> 2 (0-based column of an A1-style cell reference)."""
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def _count_tags(stream, patterns: dict[str, re.Pattern], stop: dict[str, int] | None = None) -> dict[str, int]:
    """Occurrences of each pattern in a byte stream, read in chunks (bounded memory); stops early
    once a count exceeds its `stop` value. Text and attribute values in XML cannot hold '<', so
    a tag pattern counts tags only (a comment or CDATA could only add to a count)."""
    counts = dict.fromkeys(patterns, 0)
    stop = stop or {}
    overlap = 64
    buf = b""
    while True:
        chunk = stream.read(_XML_CHUNK)
        buf += chunk
        end = len(buf) if not chunk else max(0, len(buf) - overlap)
        for name, pat in patterns.items():
            counts[name] += sum(1 for m in pat.finditer(buf) if m.start() < end)
        if any(counts[k] > v for k, v in stop.items()) or not chunk:
            return counts
        buf = buf[end:]


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


class _SheetScan:
    """One expat pass over a worksheet: formula cells without a saved value, and row 1's cells."""

    def __init__(self) -> None:
        self.uncached: list[tuple[int, int]] = []  # (1-based row, 0-based column)
        self.header: dict[int, tuple[str | None, str]] = {}  # column -> (cell type, raw text)
        self._row = 0
        self._cell: list[Any] | None = None  # [row, col, type, has_formula, value text]
        self._text_target: str | None = None
        self._root: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if self._root is None:
            self._root = tag
        if self._root != "worksheet":
            return
        if tag == "row":
            self._row = int(attrs.get("r", self._row + 1))
        elif tag == "c":
            ref = attrs.get("r", "")
            col = _column_index(ref) if ref else (self._cell[1] + 1 if self._cell else 0)
            self._cell = [self._row, col, attrs.get("t"), False, None]
        elif self._cell is not None:
            if tag == "f":
                self._cell[3] = True
            elif tag in ("v", "t"):
                self._text_target = tag
                if self._cell[4] is None:
                    self._cell[4] = ""

    def text(self, data: str) -> None:
        if self._text_target and self._cell is not None and self._root == "worksheet":
            self._cell[4] += data

    def end(self, name: str) -> None:
        tag = _local(name)
        if self._root != "worksheet":
            return
        if tag in ("v", "t"):
            self._text_target = None
        elif tag == "c" and self._cell is not None:
            row, col, typ, formula, value = self._cell
            # no <v> at all, or an empty one where only a text result may be empty
            if formula and (value is None or (value == "" and typ not in ("str", "inlineStr"))):
                self.uncached.append((row, col))
            if row == 1:
                self.header[col] = (typ, value or "")


def _expat_pass(stream, handler) -> None:
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    while chunk := stream.read(_XML_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _shared_strings(zf: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings with the given indices (streamed; stops after the largest)."""
    name = next((n for n in zf.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    if name is None or not wanted:
        return {}

    class _Strings:
        def __init__(self):
            self.i, self.inside, self.parts, self.out = -1, False, [], {}

        def start(self, tag, attrs):
            tag = _local(tag)
            if tag == "si":
                self.i += 1
                self.parts = []
            self.inside = tag == "t"

        def text(self, data):
            if self.inside:
                self.parts.append(data)

        def end(self, tag):
            tag = _local(tag)
            if tag == "t":
                self.inside = False
            elif tag == "si" and self.i in wanted:
                self.out[self.i] = "".join(self.parts)
                if len(self.out) == len(wanted):
                    raise StopIteration

    h = _Strings()
    try:
        with zf.open(name) as fh:
            _expat_pass(fh, h)
    except StopIteration:
        pass
    return h.out


def _check_xlsx(path: Path, max_rows: int, max_input_mb: float) -> None:
    """Refuse, before any parsing, a workbook that is too big, has too many rows, or has formula
    cells without a saved value (read as blanks, they would lose answers silently).

    Uses the zip's declared sizes (Python's zipfile never inflates a member beyond its declared
    size: a member that lies fails its CRC check), then one streamed pass per XML member that
    counts <row> tags and stops as soon as there are too many.
    """
    _too_big(path, path.stat().st_size, max_input_mb, "file")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _input_error(path, "a readable .xlsx workbook", type(exc).__name__) from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > _MAX_ZIP_MEMBERS:
            raise _input_error(path, f"an .xlsx workbook (at most {_MAX_ZIP_MEMBERS:,} parts)", f"{len(infos):,} parts")
        _too_big(path, sum(i.file_size for i in infos), max_input_mb, "uncompressed content")
        try:
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _input_error(path, "an .xlsx workbook (no DTD or entity declarations)",
                                           f"a declaration in {info.filename}")
                # every part, whatever its name: the workbook's relationships may name any part a sheet
                with zf.open(info) as fh:
                    counts = _count_tags(fh, {"rows": _ROW_TAG, "formulas": _FORMULA_TAG},
                                         stop={"rows": max_rows + 1})
                _too_many_rows(path, counts["rows"] - 1, max_rows, exact=counts["rows"] <= max_rows + 1)
                if counts["formulas"]:
                    scan = _SheetScan()
                    with zf.open(info) as fh:
                        _expat_pass(fh, scan)
                    if scan.uncached:
                        _uncached_error(path, zf, scan)
        except zipfile.BadZipFile as exc:
            raise _input_error(path, "a readable .xlsx workbook", f"a damaged zip member ({exc})"[:120]) from None
        except Exception as exc:  # expat errors and the like: a damaged workbook
            from .errors import InputError

            if isinstance(exc, InputError):
                raise
            raise _input_error(path, "a readable .xlsx workbook", type(exc).__name__) from None


def _uncached_error(path: Path, zf: zipfile.ZipFile, scan: _SheetScan) -> None:
    rows = sorted({r for r, _ in scan.uncached})
    cols = sorted({c for _, c in scan.uncached})
    wanted = {int(v) for t, v in (scan.header.get(c, (None, "")) for c in cols) if t == "s" and v.strip().isdigit()}
    strings = _shared_strings(zf, wanted)

    def header(c: int) -> str:
        typ, value = scan.header.get(c, (None, ""))
        text = strings.get(int(value), "") if typ == "s" and value.strip().isdigit() else value
        return text.strip() or f"column {c + 1}"

    names = [header(c) for c in cols]
    raise _input_error(path, "a value in every cell (a formula's saved result)",
                       f"{len(scan.uncached):,} formula cell(s) without a saved result; open the file in Excel or "
                       "LibreOffice and save it, or export values", rows=rows,
                       columns=names[0] if len(names) == 1 else names[:5] + (["..."] if len(names) > 5 else []))


def _read_xlsx(path: Path, max_rows: int, max_input_mb: float) -> pd.DataFrame:
    import pandas as pd  # lazy: the runner's no-op path imports io without pandas

    if not zipfile.is_zipfile(path):
        raise _input_error(path, "an .xlsx workbook", "a file that is not a zip-based workbook")
    _check_xlsx(path, max_rows, max_input_mb)
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
    import pandas as pd  # lazy: the runner's no-op path imports io without pandas
    path = Path(path)
    if not path.is_file():
        raise _input_error(path, "an existing CSV or .xlsx file", "no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        df = _read_csv(path, max_rows, max_input_mb)
    elif suffix in XLSX_SUFFIXES:
        df = _read_xlsx(path, max_rows, max_input_mb)
    else:
        raise _input_error(path, "a .csv or .xlsx file", f"extension {path.suffix or '(none)'!r}")
    if len(df.columns) == 0:
        raise _input_error(path, "a header row and at least one data row", "no columns")
    if len(df) == 0:
        raise _input_error(path, "at least one data row below the header", "a header only", rows=2)
    _too_many_rows(path, len(df), max_rows)
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
