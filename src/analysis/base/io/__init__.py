"""File input and output at the edges: atomic writes, strict JSON, CSV writing, and raw exports read.

A facade: `from analysis.base import io` gives every public name of the modules below, so callers
keep one import. Nothing here imports pandas, pyarrow or openpyxl until a function needs it (the
runner's no-op path imports io).

- files: atomic_path, write_bytes, write_text, write_parquet, sha256_file
- jsonfile: strict_json, json_text, write_json, read_json, is_synthetic
- csv_writer: write_csv (pandas' to_csv bytes, pyarrow for text and integer frames), neutralise_*
- limits: DEFAULT_MAX_ROWS, DEFAULT_MAX_INPUT_MB and the one-line refusals
- decode: an export's bytes checked, decoded (UTF-8 or Windows-1252), its delimiter detected
- csv_reader, xlsx: the two bounded readers; export: read_export, the door every format passes
- export_writer: write_export (the synthetic source), workbook_bytes (stable xlsx bytes)
"""

from __future__ import annotations

from .csv_writer import FORMULA_PREFIXES, neutralise_cell, neutralise_formulas, write_csv
from .decode import DELIMITERS, decode_text, detect_delimiter
from .export import CSV_SUFFIXES, XLSX_SUFFIXES, read_export
from .export_writer import workbook_bytes, write_export
from .files import atomic_path, sha256_file, write_bytes, write_parquet, write_text
from .jsonfile import is_synthetic, json_text, read_json, strict_json, write_json
from .limits import DEFAULT_MAX_INPUT_MB, DEFAULT_MAX_ROWS

__all__ = [
    "CSV_SUFFIXES", "DEFAULT_MAX_INPUT_MB", "DEFAULT_MAX_ROWS", "DELIMITERS", "FORMULA_PREFIXES", "XLSX_SUFFIXES",
    "atomic_path", "decode_text", "detect_delimiter", "is_synthetic", "json_text", "neutralise_cell",
    "neutralise_formulas", "read_export", "read_json", "sha256_file", "strict_json", "workbook_bytes",
    "write_bytes", "write_csv", "write_export", "write_json", "write_parquet", "write_text",
]
