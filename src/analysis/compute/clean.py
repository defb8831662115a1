"""Step 01: clean a raw survey export into the processed data of docs/contracts.md.

`clean()` is pure (data in, data out): it validates the export with a pandera schema built from
the codebook, maps labels to codes, identifies each submission's municipality in the register,
de-duplicates, drops personal data and keeps a log in which every raw row, and every cell that
becomes missing, is accounted for.

Personal data: only values validated against the codebook reach processed data (answers, numbers,
times, the municipality's name and code). Personal columns, columns the codebook does not know,
free text (the comments), the response id and the synthetic mark are not stored: free text cannot
be scrubbed with certainty, and an id is whatever the survey tool or a person typed. A response is
identified by `raw_row`, its row in the raw file (whose SHA-256 run_info records). Messages and the
log name rows, never ids, and pass any echoed cell through `personal.Scrubber`.

Times: ISO 8601, with or without a UTC offset. Times with an offset are converted to UTC (so
submissions on either side of a daylight-saving change sort correctly); times without are kept as
written. A column that mixes the two is refused: which time zone the others are in would be a guess.

Everything is vectorised: labels, numbers and names are parsed once per *distinct* raw value
(`pd.factorize`) and spread back to the rows, so a 1M-row export costs about as much Python work
as a 300-row one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..base import reference
from ..base.codebook import DONT_KNOW, HEADLINE_ITEMS, MATURITY_AREAS, Codebook, Variable, default_codebook, normalise_label
from .personal import Scrubber
from ..base.errors import InputError

LOG_COLUMNS = ["step", "action", "column", "count", "detail"]
REGISTER_COLUMNS = ["kommunkod", "kommun", "lan_kod", "lan_namn", "kommungrupp", "huvudgrupp", "folkmangd"]
# Non-personal variables a raw export may lack (the name suffices to identify the municipality).
OPTIONAL_VARIABLES = {"municipality_code", "synthetic_marker"}
DATETIME_EXAMPLE = "a date-time such as 2019-03-14 09:30 (ISO 8601)"
# Variables read but never stored: they may hold anything a person typed (module docstring).
NOT_STORED = {"response_id": "response ids are not stored (they may hold personal data); rows are "
                             "identified by raw_row, the row in the raw file",
              "synthetic_marker": "the mark itself is not stored; run_info.json says whether the export is synthetic"}
# Text variables stored as written: both are checked against the register of municipalities.
STORED_TEXT = ("municipality_name", "municipality_code")
_UTC_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
# The same test for RE2 (pyarrow), exact on ASCII text: there Python's \d is [0-9], \s is
# [\t\n\v\f\r\x1c-\x1f ], Z ignoring case is [zZ], and $ also matches before a final newline.
_UTC_OFFSET_ASCII = (r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?[\t\n\x0b\x0c\r\x1c-\x1f ]*"
                     r"(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2})?)\n?$")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
_CODE = re.compile(r"\d{1,4}")


@dataclass
class CleanResult:
    """What the cleaning step produces; `write_outputs` writes it."""

    responses: pd.DataFrame
    analysis: pd.DataFrame
    log: pd.DataFrame
    run_info: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# small vectorised helpers
# ---------------------------------------------------------------------------------------------


def _per_unique(s: pd.Series, fn: Callable[[str], Any], dtype=object) -> np.ndarray:
    """fn applied to each distinct value of `s` (strings), spread back to the rows.

    For columns with few distinct values (answers, names, codes); never for ids or free text.
    """
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    vals = np.array([fn(u) for u in uniq], dtype=dtype) if len(uniq) else np.array([], dtype=dtype)
    return vals[codes] if len(codes) else np.array([], dtype=dtype)


def has_utc_offset(text: pd.Series) -> np.ndarray:
    """Whether each cell ends in a time with a UTC offset (`_UTC_OFFSET`); False for NA.

    The same answer as `text.str.contains(_UTC_OFFSET, na=False)`, without a Python call per cell:
    ASCII cells are tested by pyarrow's RE2 with the exact ASCII translation of the pattern, the
    others (rare) by Python's `re`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # cells that are not all text: one by one
        return text.str.contains(_UTC_OFFSET, na=False).to_numpy(dtype=bool)
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False)
    out = pc.fill_null(pc.match_substring_regex(arr, _UTC_OFFSET_ASCII), False).to_numpy(zero_copy_only=False)
    other = np.flatnonzero(~ascii_)
    if len(other):
        out = out.copy()
        out[other] = [bool(_UTC_OFFSET.search(t)) for t in arr.take(pa.array(other)).to_pylist()]
    return out


def _blank(s: pd.Series) -> np.ndarray:
    """True where a cell is empty or white space only (vectorised)."""
    return s.astype("str").str.strip().eq("").to_numpy(dtype=bool)


def parse_number(text: str) -> tuple[float, bool, bool]:
    """'50 %' -> (50.0, True, True); '0,5' -> (0.5, False, True); '' -> (nan, False, True).

    Returns (written number, has a % sign, well-formed). Decimal comma or point; spaces allowed.
    """
    t = str(text).strip()
    if t == "":
        return math.nan, False, True
    pct = t.endswith("%")
    if pct:
        t = t[:-1].strip()
    t = t.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not _NUMBER.fullmatch(t):
        return math.nan, pct, False
    return float(t.replace(",", ".")), pct, True


def share_to_fraction(value: float, has_pct: bool) -> float:
    """The codebook rule for ciso_share: with a % sign a percentage; else >1 a percentage, 0-1 a fraction."""
    if math.isnan(value):
        return value
    return value / 100.0 if (has_pct or value > 1) else value


def normalise_name(name: str) -> str:
    """Key for matching a municipality name: case, white space, hyphens and a 'kommun' suffix ignored."""
    k = str(name).casefold().replace("-", " ").replace("\u2013", " ")
    k = " ".join(k.split())
    if k.endswith(" kommun"):
        k = k[: -len(" kommun")].rstrip()
    return k


def name_keys(register: pd.DataFrame) -> dict[str, str]:
    """Normalised name -> kommunkod, from the register's `kommun` and `kommun_fullnamn`.

    "Stockholms kommun" gives the key "stockholms" besides "stockholm"; "Mönsterås kommun" gives
    "mönsterås" only. Raises ValueError if one key would point at two municipalities.
    """
    keys: dict[str, str] = {}
    cols = [c for c in ("kommun", "kommun_fullnamn") if c in register.columns]
    for col in cols:
        for name, code in zip(register[col].astype(str), register["kommunkod"].astype(str)):
            k = normalise_name(name)
            if keys.setdefault(k, code) != code:
                raise ValueError(f"municipality name key {k!r} is ambiguous: {keys[k]} and {code}")
    return keys


class _Log:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, step: str, action: str, column: str, count: int, detail: str = "") -> None:
        self.parts.append(pd.DataFrame([[step, action, column, int(count), detail]], columns=LOG_COLUMNS))

    def add_many(self, df: pd.DataFrame) -> None:
        self.parts.append(df[LOG_COLUMNS])

    def frame(self) -> pd.DataFrame:
        out = pd.concat(self.parts, ignore_index=True)
        out["count"] = out["count"].astype("int64")
        for c in ("step", "action", "column", "detail"):
            out[c] = out[c].astype("str")
        return out


def _stored(v: Variable) -> bool:
    """Whether a variable's values reach processed data: coded, numeric and time values (validated
    against the codebook) and the municipality's name and code (matched to the register)."""
    if v.type in ("personal", "free_text") or v.id in NOT_STORED:
        return False
    return v.is_coded or v.type == "numeric" or v.dtype == "datetime" or v.id in STORED_TEXT


def _rows(index) -> list[int]:
    """0-based data-row positions -> 1-based spreadsheet rows (header is row 1)."""
    return sorted({int(i) + 2 for i in index})


# ---------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------


def _select_columns(raw: pd.DataFrame, cb: Codebook, source: Path, log: _Log,
                    scrub: Callable[[str], str] = str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename codebook columns to variable ids; drop (and log) personal and extra columns.

    An extra column's header is logged through `scrub` (it is text someone typed)."""
    # headers match like answer labels: case-insensitive, surrounding white space ignored
    by_header = {normalise_label(h): vid for h, vid in cb.headers.items()}
    personal = {v.id for v in cb.personal}
    stripped = [str(c).strip() for c in raw.columns]
    keys = [normalise_label(c) for c in stripped]
    dupes = sorted({c for c, k in zip(stripped, keys) if keys.count(k) > 1})
    if dupes:
        raise InputError(source, 1, dupes, "each column header once (case and spaces ignored)", "repeated headers")
    keep: dict[str, str] = {}
    header_of: dict[str, str] = {}
    for col, head in zip(raw.columns, stripped):
        vid = by_header.get(normalise_label(head))
        if vid is None:
            log.add("columns", "dropped_extra", scrub(head), int((~_blank(raw[col])).sum()),
                    "column not in the codebook; dropped unread (non-blank cells counted)")
        elif vid in personal:
            log.add("columns", "dropped_personal", vid, int((~_blank(raw[col])).sum()),
                    f"personal data column {head!r}; dropped unread (non-blank cells counted)")
        else:
            keep[col] = vid
            header_of[vid] = head
    frame = raw[list(keep)].rename(columns=keep).reset_index(drop=True)
    for v in cb.variables:
        header_of.setdefault(v.id, v.header)
    return frame, header_of


# ---------------------------------------------------------------------------------------------
# schema (built from the codebook) and validation
# ---------------------------------------------------------------------------------------------


def _labels_text(v: Variable) -> str:
    return "one of: " + ", ".join(v.labels) + " (or blank)"


def _range_text(v: Variable) -> str:
    kind = "an integer" if v.dtype == "integer" else "a number"
    lo, hi = (int(x) if float(x).is_integer() else x for x in (v.min, v.max))
    extra = " (written as 50, '50 %' or '0,5')" if v.id == "ciso_share" else ""
    return f"{kind} from {lo} to {hi}{extra} (or blank)"


def _required(v: Variable) -> bool:
    return v.required or v.id not in OPTIONAL_VARIABLES


def build_schema(cb: Codebook, prepared: dict[str, dict[str, Any]] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of the *prepared* frame (one or more columns per codebook variable).

    - coded variables: normalised labels, `isin` the codebook's normalised labels or blank;
    - numeric variables: the written number `in_range(min, max)`, plus `<id>__format` (well-formed
      number / integer) on the raw text;
    - datetimes: `<id>__format` must parse as ISO 8601;
    - `unique` / `required` variables: unique, non-blank values;
    - every non-personal variable (except OPTIONAL_VARIABLES) is a required column.
    `prepared` holds per-row results (e.g. whether a text parsed) that checks look up by index.
    """
    prepared = prepared or {}
    cols: dict[str, pa.Column] = {}
    for v in cb.variables:
        if v.type == "personal":
            continue
        req = _required(v)
        if v.is_coded:
            allowed = sorted(set(v.label_lookup()) | {""})
            cols[v.id] = pa.Column(required=req, checks=[pa.Check.isin(allowed, error=_labels_text(v))])
        elif v.type == "numeric":
            fmt_ok = prepared.get(v.id, {}).get("format_ok")
            checks = [pa.Check.in_range(v.min, v.max, error=_range_text(v))]
            cols[v.id] = pa.Column(required=req, nullable=True, checks=checks)
            if fmt_ok is not None:
                cols[f"{v.id}__format"] = pa.Column(
                    required=False, nullable=True,
                    checks=[pa.Check(lambda s, ok=fmt_ok: ok.reindex(s.index), error=_range_text(v))],
                )
        elif v.dtype == "datetime":
            ok = prepared.get(v.id, {}).get("format_ok")
            cols[v.id] = pa.Column(required=req, nullable=True)
            if ok is not None:
                cols[f"{v.id}__format"] = pa.Column(
                    required=False, nullable=True,
                    checks=[pa.Check(lambda s, ok=ok: ok.reindex(s.index), error=DATETIME_EXAMPLE)],
                )
        elif v.unique or v.id == "response_id":
            cols[v.id] = pa.Column(required=req, nullable=False, unique=bool(v.unique))
        else:
            cols[v.id] = pa.Column(required=req, nullable=True)
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def _prepare(frame: pd.DataFrame, cb: Codebook) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The frame pandera validates, and parsed values reused by the mapping step."""
    out: dict[str, Any] = {}
    parsed: dict[str, dict[str, Any]] = {}
    for v in cb.variables:
        if v.id not in frame.columns:
            continue
        s = frame[v.id]
        if v.is_coded:
            codes, uniq = pd.factorize(s, use_na_sentinel=False)
            norm_codes, norm_uniq = pd.factorize(pd.Index([normalise_label(u) for u in uniq], dtype=object))
            row_codes = norm_codes[codes] if len(codes) else codes
            out[v.id] = pd.Categorical.from_codes(row_codes, categories=pd.Index(norm_uniq, dtype=object))
            parsed[v.id] = {"codes": row_codes, "uniq": list(norm_uniq)}
        elif v.type == "numeric":
            integer = v.dtype == "integer"

            def parse(u: str, integer=integer):
                value, pct, ok = parse_number(u)
                if integer and ok and not math.isnan(value):
                    ok = bool(_INTEGER.fullmatch(str(u).strip())) and not pct
                return value, pct, ok

            codes, uniq = pd.factorize(s, use_na_sentinel=False)
            triples = [parse(u) for u in uniq]
            value = np.array([t[0] for t in triples], dtype="float64")[codes]
            pct = np.array([t[1] for t in triples], dtype=bool)[codes]
            ok = np.array([t[2] for t in triples], dtype=bool)[codes]
            blank = _blank(s)
            out[v.id] = value
            out[f"{v.id}__format"] = s.where(~blank)  # NA where blank: pandera skips those
            parsed[v.id] = {"value": value, "pct": pct, "blank": blank, "format_ok": pd.Series(ok, index=s.index)}
        elif v.dtype == "datetime":
            blank = _blank(s)
            text = s.where(~blank).str.strip()
            aware = has_utc_offset(text)
            naive = ~aware & ~blank
            when = pd.to_datetime(text.where(naive), format="ISO8601", errors="coerce")
            ok = when.notna().to_numpy() | blank
            mixed = np.zeros(len(s), dtype=bool)
            if aware.any():
                when_utc = pd.to_datetime(text.where(aware), format="ISO8601", utc=True, errors="coerce")
                ok |= when_utc.notna().to_numpy()
                # the minority kind is the odd one out (ties: the values without an offset)
                mixed = naive if naive.sum() <= aware.sum() else aware
                if not naive.any():
                    when = when_utc
            out[v.id] = when
            out[f"{v.id}__format"] = text
            parsed[v.id] = {"value": when, "blank": blank, "mixed": mixed & ok,
                            "format_ok": pd.Series(ok, index=s.index)}
        elif v.id == "response_id" or v.unique or v.required:
            stripped = s.str.strip()
            out[v.id] = stripped.where(stripped != "")
        else:
            out[v.id] = s
    return pd.DataFrame(out, index=frame.index), parsed


def _translate(err: pa.errors.SchemaErrors, cb: Codebook, header_of: dict[str, str], source: Path,
               frame: pd.DataFrame, scrub: Callable[[str], str] = str) -> InputError:
    """pandera's failure cases -> one short InputError (file, rows, column header, expected).

    Values are shown through `scrub`; ids and personal or free-text columns never."""
    fc = err.failure_cases.copy()
    order = {v.id: i for i, v in enumerate(cb.variables)}
    missing = fc[fc["check"].astype(str) == "column_in_dataframe"]
    if len(missing):
        ids = sorted(missing["failure_case"].astype(str), key=lambda c: order.get(c, 999))
        heads = [header_of.get(i, i) for i in ids]
        return InputError(source, 1, heads if len(heads) > 1 else heads[0],
                          "the required column(s) of the codebook", "missing from the header row")
    fc["var"] = fc["column"].astype(str).str.replace("__format", "", regex=False)
    problems = []
    for var, grp in sorted(fc.groupby("var", sort=False), key=lambda kv: order.get(kv[0], 999)):
        check = str(grp["check"].iloc[0])
        if check == "not_nullable":
            expected = "a non-blank value"
        elif check == "field_uniqueness":
            expected = "unique values (each response id once)"
        else:
            expected = check
        idx = sorted({int(i) for i in grp["index"].dropna()})
        rows = _rows(idx)
        if var in frame.columns:  # show the raw text as written, not the normalised value
            values = list(dict.fromkeys(str(x) for x in frame[var].iloc[idx]))
        else:
            values = list(dict.fromkeys(str(x) for x in grp["failure_case"] if not pd.isna(x)))
        problems.append((var, rows, expected, values))
    var, rows, expected, values = problems[0]
    found = None
    silent = {v.id for v in cb.personal} | {v.id for v in cb.of_type("free_text")} | set(NOT_STORED)
    if values and var not in silent:
        shown = ", ".join(repr(scrub(x)[:40]) for x in values[:3]) + (" ..." if len(values) > 3 else "")
        found = shown
    if len(problems) > 1:
        others = ", ".join(repr(header_of.get(p[0], p[0])) for p in problems[1:4])
        found = (found + "; " if found else "") + f"also problems in column(s) {others}"
    return InputError(source, rows, header_of.get(var, var), expected, found)


def validate(frame: pd.DataFrame, cb: Codebook, header_of: dict[str, str], source: Path,
             scrub: Callable[[str], str] = str) -> dict[str, dict[str, Any]]:
    """Check `frame` against the codebook's schema; the parsed values, or one InputError."""
    prepared, parsed = _prepare(frame, cb)
    schema = build_schema(cb, parsed)
    try:
        schema.validate(prepared, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise _translate(err, cb, header_of, source, frame, scrub) from None
    for v in cb.variables:
        mixed = parsed.get(v.id, {}).get("mixed")
        if mixed is not None and mixed.any():
            raise InputError(source, _rows(np.flatnonzero(mixed)), header_of.get(v.id, v.id),
                             "every time in the column with a UTC offset (e.g. 2019-03-31T09:30+02:00) or every "
                             "time without one", "a mix of the two")
    return parsed


# ---------------------------------------------------------------------------------------------
# municipality matching
# ---------------------------------------------------------------------------------------------


def match_municipalities(frame: pd.DataFrame, register: pd.DataFrame, header_of: dict[str, str],
                         source: Path, log: _Log, scrub: Callable[[str], str] = str) -> np.ndarray:
    """Position in `register` of each row's municipality: by code (leading zero restored), else by
    normalised name. A row matching nothing, or whose name and code disagree, is an InputError.
    """
    n = len(frame)
    BLANK, BAD = -2, -1
    pos_of_code = {c: i for i, c in enumerate(register["kommunkod"].astype(str))}
    try:
        keys = name_keys(register)
    except ValueError as exc:
        raise InputError(reference.REGISTER_FILE, None, "kommun", "unambiguous municipality names", str(exc)) from None
    exact = {str(x) for x in register["kommun"]} | {str(x) for x in register.get("kommun_fullnamn", [])}

    def code_of(u: str) -> int:
        t = str(u).strip()
        if t == "":
            return BLANK
        return pos_of_code.get(t.zfill(4), BAD) if _CODE.fullmatch(t) else BAD

    has_code = "municipality_code" in frame.columns
    if has_code:
        cs = frame["municipality_code"]
        by_code = _per_unique(cs, code_of, dtype=np.int64)
        code_repaired = _per_unique(cs, lambda u: bool(_CODE.fullmatch(str(u).strip())) and len(str(u).strip()) < 4,
                                    dtype=bool) & (by_code >= 0)
    else:
        by_code = np.full(n, BLANK, dtype=np.int64)
        code_repaired = np.zeros(n, dtype=bool)

    def name_of(u: str) -> int:
        t = str(u).strip()
        if t == "":
            return BLANK
        code = keys.get(normalise_name(t))
        return BAD if code is None else pos_of_code[code]

    ns = frame["municipality_name"]
    by_name = _per_unique(ns, name_of, dtype=np.int64)
    name_exact = _per_unique(ns, lambda u: str(u) in exact, dtype=bool)

    code_blank, name_blank = by_code == BLANK, by_name == BLANK
    code_bad, name_bad = by_code == BAD, by_name == BAD
    neither = code_blank & name_blank
    disagree = (by_code >= 0) & (by_name >= 0) & (by_code != by_name)
    bad = code_bad | name_bad | neither | disagree
    if bad.any():
        idx = np.flatnonzero(bad)
        kinds = [f"{what} ({int(mask.sum())})" for mask, what in (
            (code_bad, "unknown code"), (name_bad, "unknown name"),
            (disagree, "name and code disagree"), (neither, "no name or code")) if mask.any()]
        codes_raw = frame["municipality_code"] if has_code else pd.Series("", index=frame.index)
        examples = [f"{scrub(str(ns.iloc[i]).strip())[:40]!r}/{scrub(str(codes_raw.iloc[i]).strip())[:12]!r}"
                    for i in idx[:3]]
        cols = [header_of["municipality_name"]] + ([header_of["municipality_code"]] if has_code else [])
        raise InputError(source, _rows(idx), cols,
                         "a municipality of the register of 290, by code or name (no guessing), name and code agreeing",
                         ", ".join(kinds) + " e.g. " + ", ".join(examples) + (" ..." if len(idx) > 3 else ""))
    position = np.where(code_blank, by_name, by_code)
    name_repaired = ~name_blank & ~name_exact
    log.add("match", "matched_by_code", "municipality_code", int((~code_blank).sum()),
            "code found in the register (name, where given, agrees)")
    log.add("match", "matched_by_name", "municipality_name", int(code_blank.sum()),
            "no code given; identified by normalised name")
    log.add("match", "codes_repaired", "municipality_code", int(code_repaired.sum()),
            "leading zero restored (e.g. 114 -> 0114)")
    log.add("match", "names_repaired", "municipality_name", int(name_repaired.sum()),
            "name differs from the register's (case, white space, 'kommun' suffix or hyphen); matched by key")
    return position


# ---------------------------------------------------------------------------------------------
# de-duplication
# ---------------------------------------------------------------------------------------------


def _as_int64(t: pd.Series) -> np.ndarray:
    """Datetimes as sortable int64 (NaT smallest); times with a time zone compare in UTC."""
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    a = t.to_numpy(dtype="datetime64[us]").astype(np.int64)
    return np.where(t.isna().to_numpy(), np.iinfo(np.int64).min, a)


def _rank(ids: pd.Series) -> np.ndarray:
    """`pd.factorize(ids, sort=True)[0]`: each id's position among the distinct ids in sorted order
    (by pyarrow when every id is text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(ids, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        arr = None
    if arr is None or arr.null_count:
        return pd.factorize(ids, sort=True)[0]
    return pc.rank(arr, sort_keys="ascending", tiebreaker="dense").to_numpy(zero_copy_only=False).astype(np.int64) - 1


def _stable_order(*keys: np.ndarray) -> np.ndarray:
    """`np.lexsort(keys[::-1])`: row positions sorted by the first key, then the next, ...; ties kept
    in row order (pyarrow's stable multi-key sort, quicker than lexsort on a million rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.table({f"k{i}": np.asarray(k, dtype=np.int64) for i, k in enumerate(keys)})
    order = pc.sort_indices(table, sort_keys=[(f"k{i}", "ascending") for i in range(len(keys))])
    return order.to_numpy().astype(np.intp)


def deduplicate(ids: pd.Series, position: np.ndarray, kommunkod: np.ndarray, submitted: pd.Series,
                started: pd.Series, log: _Log) -> np.ndarray:
    """Boolean mask of the rows kept: per municipality the latest complete submission.

    Complete = submitted_at present. Latest by submitted_at, then started_at, then response id.
    Every dropped row is logged by its row in the raw file (never by its id, which may hold
    personal data), sorted by code and id.
    """
    n = len(ids)
    complete = submitted.notna().to_numpy()
    id_rank = _rank(ids)
    sub, start = _as_int64(submitted), _as_int64(started)
    # incomplete rows sort before every complete row of their municipality, so the last row of
    # each municipality is its latest complete submission if it has one
    order = _stable_order(position * 2 + complete, sub, start, id_rank)
    pos_sorted = position[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = pos_sorted[:-1] != pos_sorted[1:]
    winner_rows = order[last & complete[order]]
    keep = np.zeros(n, dtype=bool)
    keep[winner_rows] = True

    dropped = order[~keep[order]]
    if len(dropped):
        import pyarrow as pa
        import pyarrow.compute as pc

        dropped = dropped[np.argsort(position[dropped] * n + id_rank[dropped], kind="stable")]  # municipality, id
        winner_row = np.full(len(kommunkod), -1, dtype=np.int64)
        winner_row[position[winner_rows]] = winner_rows
        incomplete = ~complete[dropped]
        # the text after "row N" depends only on the municipality and on whether the row was
        # incomplete: built once per such pair, then joined to the row numbers by pyarrow
        pair, inverse = np.unique(position[dropped] * 2 + incomplete, return_inverse=True)

        def tail(p: int) -> str:
            pos, inc = divmod(int(p), 2)
            kept = f"row {winner_row[pos] + 2}" if winner_row[pos] >= 0 else ""
            if not inc:
                reason = "superseded by the later complete submission " + kept
            elif kept:
                reason = "not submitted (no submission time); kept " + kept
            else:
                reason = "not submitted (no submission time); municipality has no complete submission"
            return f" (kommunkod {kommunkod[pos]}): {reason}"

        detail = pc.binary_join_element_wise(
            "row ", pa.array(dropped + 2).cast(pa.string()),
            pa.array([tail(p) for p in pair], type=pa.string()).take(pa.array(inverse.ravel())), "")
        log.add_many(pd.DataFrame({
            "step": "dedup",
            "action": pd.array(pa.array(["row_dropped_duplicate", "row_dropped_incomplete"]).take(
                pa.array(incomplete.astype(np.int8))), dtype="str"),
            "column": "raw_row", "count": 1, "detail": pd.array(detail, dtype="str"),
        }))
    return keep


# ---------------------------------------------------------------------------------------------
# the step
# ---------------------------------------------------------------------------------------------


def _categorical(codes: np.ndarray, v: Variable) -> pd.Categorical:
    """Int codes (with -1 for missing) -> categorical of the Swedish labels, in code order."""
    levels = v.levels_sv
    pos = {c: i for i, c in enumerate(v.codes)}
    lut = np.full(max(v.codes) + 2, -1, dtype=np.int64)
    for c, i in pos.items():
        lut[c] = i
    cat_codes = np.where(codes >= 0, lut[np.clip(codes, 0, None)], -1)
    return pd.Categorical.from_codes(cat_codes, categories=levels, ordered=v.type == "ordinal")


def clean(raw: pd.DataFrame, register: pd.DataFrame, codebook: Codebook | None = None,
          source: str | Path = "input", *, raw_sha256: str | None = None) -> CleanResult:
    """Clean a raw export (all cells strings, raw headers). Pure: no file is read or written.

    Raises InputError (naming `source`, rows, columns and what was expected) on bad input.
    """
    cb = codebook or default_codebook()
    source = Path(source)
    log = _Log()
    raw = raw.reset_index(drop=True)
    n_read = len(raw)
    if n_read == 0:
        raise InputError(source, 2, None, "at least one data row below the header", "a header only")
    log.add("read", "rows_read", "", n_read, f"data rows in {source.name}")

    scrub = Scrubber.from_export(raw, cb)
    frame, header_of = _select_columns(raw, cb, source, log, scrub)
    parsed = validate(frame, cb, header_of, source, scrub)

    # --- labels -> codes ---------------------------------------------------------------------
    codes: dict[str, np.ndarray] = {}
    dont_know: dict[str, np.ndarray] = {}
    for v in cb.of_type("single_choice", "ordinal"):
        lookup = v.label_lookup()
        code_of = {k: (-2 if c == DONT_KNOW else int(c)) for k, c in lookup.items()}
        code_of[""] = -1
        lut = np.array([code_of[u] for u in parsed[v.id]["uniq"]], dtype=np.int64)
        arr = lut[parsed[v.id]["codes"]] if len(lut) else np.zeros(0, dtype=np.int64)
        codes[v.id] = np.where(arr == -2, -1, arr)
        dont_know[v.id] = arr == -2
    numeric: dict[str, np.ndarray] = {}
    for v in cb.of_type("numeric"):
        p = parsed[v.id]
        if v.id == "ciso_share":
            frac = np.where(p["pct"] | (p["value"] > 1), p["value"] / 100.0, p["value"])
            numeric[v.id] = frac
        else:
            numeric[v.id] = p["value"]

    # --- municipality, de-duplication --------------------------------------------------------
    reg = register.sort_values("kommunkod", ignore_index=True)
    reg_codes = reg["kommunkod"].astype(str).to_numpy(dtype=object)
    position = match_municipalities(frame, reg, header_of, source, log, scrub)
    ids = frame["response_id"].str.strip()
    keep = deduplicate(ids, position, reg_codes, parsed["submitted_at"]["value"], parsed["started_at"]["value"], log)

    # --- log the mapping on the kept rows ------------------------------------------------------
    for v in cb.of_type("single_choice", "ordinal"):
        c, dk = codes[v.id][keep], dont_know[v.id][keep]
        log.add("map", "labels_mapped", v.id, int((c >= 0).sum()), "answers mapped to codes (kept rows)")
        log.add("map", "dont_know", v.id, int(dk.sum()), "'Vet ej' -> missing (kept rows)")
        log.add("map", "blank", v.id, int(((c < 0) & ~dk).sum()), "blank -> missing (kept rows)")
    for v in cb.of_type("numeric"):
        p = parsed[v.id]
        val, blank = numeric[v.id][keep], p["blank"][keep]
        if v.id == "ciso_share":
            pct, written = p["pct"][keep], p["value"][keep]
            log.add("map", "percent_sign", v.id, int((pct & ~blank).sum()), "written with %: percentage -> fraction")
            log.add("map", "percent_no_sign", v.id, int((~pct & ~blank & (written > 1)).sum()),
                    "above 1 without %: percentage -> fraction")
            log.add("map", "fraction", v.id, int((~pct & ~blank & (written <= 1)).sum()), "0-1 without %: a fraction")
        else:
            log.add("map", "numbers_parsed", v.id, int((~np.isnan(val)).sum()), "integers parsed (kept rows)")
        log.add("map", "blank", v.id, int(blank.sum()), "blank -> missing (kept rows)")
    for v in cb.variables:
        if v.dtype != "datetime" or v.id not in parsed:
            continue
        blank = parsed[v.id]["blank"][keep]
        log.add("map", "times_parsed", v.id, int((~blank).sum()),
                "ISO 8601 times parsed (kept rows)" + ("; UTC offsets converted to UTC"
                                                      if isinstance(parsed[v.id]["value"].dtype, pd.DatetimeTZDtype) else ""))
        log.add("map", "blank", v.id, int(blank.sum()), "blank -> missing (kept rows)")
    for v in cb.variables:
        if v.type == "personal":
            continue
        if v.id not in frame.columns:
            log.add("columns", "column_absent", v.id, int(keep.sum()),
                    f"optional column {header_of[v.id]!r} not in the export -> missing (kept rows)")
        elif v.type == "free_text":
            log.add("columns", "dropped_free_text", v.id, int((~_blank(frame[v.id])).sum()),
                    "free text is not stored (it may hold personal data); non-blank cells counted")
        elif not _stored(v):
            log.add("columns", "not_stored", v.id, int((~_blank(frame[v.id])).sum()),
                    NOT_STORED.get(v.id, "text not checked against the codebook is not stored (it may hold "
                                         "personal data)") + "; non-blank cells counted")

    # --- responses.parquet -------------------------------------------------------------------
    kept = np.flatnonzero(keep)
    order = kept[np.argsort(position[kept], kind="stable")]  # register order = kommunkod order
    resp: dict[str, Any] = {"raw_row": pd.array(order + 2, dtype="Int64")}
    for v in cb.variables:
        if not _stored(v):
            continue
        if v.is_coded:
            resp[v.id] = _categorical(codes[v.id][order], v)
        elif v.type == "numeric":
            vals = numeric[v.id][order]
            if v.dtype == "integer":
                resp[v.id] = pd.arrays.IntegerArray(np.nan_to_num(vals).astype("int8"), np.isnan(vals))
            else:
                resp[v.id] = pd.arrays.FloatingArray(np.nan_to_num(vals), np.isnan(vals))
        elif v.dtype == "datetime":
            resp[v.id] = parsed[v.id]["value"].array[order]
        elif v.id not in frame.columns:  # an optional column absent from the export
            resp[v.id] = pd.array([pd.NA] * len(order), dtype="str")
        else:  # the municipality's name and code as written (both checked against the register)
            resp[v.id] = pd.array(frame[v.id].iloc[order].str.strip().to_numpy(), dtype="str")
        if v.id == "municipality_code":
            resp["kommunkod"] = pd.array(reg_codes[position[order]], dtype="str")
    responses = pd.DataFrame(resp)

    # --- analysis.parquet --------------------------------------------------------------------
    src = np.full(len(reg), -1, dtype=np.int64)  # raw row of each municipality's kept submission
    src[position[order]] = order
    responded = src >= 0

    def take(arr: np.ndarray, fill):
        out = np.asarray(arr)[np.clip(src, 0, None)]
        return np.where(responded, out, fill)

    ana: dict[str, Any] = {c: reg[c] for c in REGISTER_COLUMNS}
    ana["kommunkod"] = reg["kommunkod"].astype("str")
    ana["lan_kod"] = reg["lan_kod"].astype("str")
    ana["folkmangd"] = reg["folkmangd"].astype("int64")
    ana["responded"] = responded
    code_rows = {vid: take(c, -1) for vid, c in codes.items()}

    def boolean(mask_true: np.ndarray, missing: np.ndarray) -> pd.arrays.BooleanArray:
        return pd.arrays.BooleanArray(mask_true.astype(bool), missing.astype(bool))

    for vid in HEADLINE_ITEMS:
        c = code_rows[vid]
        ana[vid] = boolean(np.isin(c, cb[vid].headline.yes_codes), c < 0)
    for vid in ("resources", "collaboration"):
        c = code_rows[vid]
        ana[vid] = boolean(c == 1, c < 0)
    for v in cb.of_type("ordinal"):
        c = code_rows[v.id]
        ana[f"{v.id}_level"] = pd.arrays.IntegerArray(np.clip(c, 0, None).astype("int8"), c < 0)
    for v in cb.of_type("single_choice", "ordinal"):
        ana[f"{v.id}_dont_know"] = take(dont_know[v.id], False).astype(bool)
    share = take(numeric["ciso_share"], np.nan).astype("float64")
    ana["ciso_share"] = pd.arrays.FloatingArray(np.nan_to_num(share), np.isnan(share))
    rating = take(numeric["self_rating"], np.nan).astype("float64")
    ana["self_rating"] = pd.arrays.IntegerArray(np.nan_to_num(rating).astype("int8"), np.isnan(rating))
    areas = np.column_stack([code_rows[a] for a in MATURITY_AREAS])
    established = np.column_stack([np.isin(code_rows[a], cb[a].headline.yes_codes) for a in MATURITY_AREAS])
    ana["maturity_index"] = pd.arrays.IntegerArray(established.sum(axis=1).astype("int8"), (areas < 0).any(axis=1))
    analysis = pd.DataFrame(ana)

    # --- summary log rows and run info -------------------------------------------------------
    synthetic_rows = bool("synthetic_marker" in frame
                          and _per_unique(frame["synthetic_marker"], cb.is_synthetic_value, dtype=bool).any())
    n_kept = int(keep.sum())
    n_dropped = n_read - n_kept
    log.add("result", "rows_dropped", "", n_dropped, "rows dropped in de-duplication (see row_dropped_* rows)")
    log.add("result", "respondents_kept", "", n_kept, "one submission per responding municipality")
    log.add("result", "municipalities_without_response", "", int((~responded).sum()),
            f"of the {len(reg)} municipalities in the register")
    run_info = {
        "step": "01_clean",
        "survey": cb.survey.get("id"),
        "raw_file": source.name,
        "raw_sha256": raw_sha256,
        # synthetic when the file name or any row's "Datakälla" says so (a renamed file stays marked)
        "synthetic": bool(cb.is_synthetic_file(source)) or synthetic_rows,
        "counts": {
            "rows_read": n_read,
            "rows_dropped": n_dropped,
            "respondents": n_kept,
            "municipalities": int(len(reg)),
            "non_respondents": int((~responded).sum()),
        },
    }
    return CleanResult(responses=responses, analysis=analysis, log=log.frame(), run_info=run_info)
