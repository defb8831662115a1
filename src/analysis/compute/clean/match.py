"""Identify each submission's municipality in the register of 290: by its code (a lost leading zero
restored), else by its name normalised (case, white space, hyphens, a 'kommun' suffix ignored).

No guessing beyond that: a row matching nothing, or whose name and code point at two municipalities,
stops the run with one InputError naming the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ...base import reference
from ...base.errors import InputError
from .log import CleaningLog, spreadsheet_rows
from .parse import per_unique

# The variables matched to the register; both are stored as written once they match.
MATCHED = ("municipality_name", "municipality_code")
BLANK, BAD = -2, -1  # positions of a blank cell and of one matching no municipality
_CODE = re.compile(r"\d{1,4}")


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
        for name, code in zip(register[col].astype(str), register["kommunkod"].astype(str), strict=True):
            k = normalise_name(name)
            if keys.setdefault(k, code) != code:
                raise ValueError(f"municipality name key {k!r} is ambiguous: {keys[k]} and {code}")
    return keys


def _by_code(frame: pd.DataFrame, pos_of_code: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's register position by its code (BLANK, BAD), and whether a leading zero was restored."""
    if "municipality_code" not in frame.columns:
        return np.full(len(frame), BLANK, dtype=np.int64), np.zeros(len(frame), dtype=bool)

    def code_of(u: str) -> int:
        t = str(u).strip()
        if t == "":
            return BLANK
        return pos_of_code.get(t.zfill(4), BAD) if _CODE.fullmatch(t) else BAD

    cs = frame["municipality_code"]
    by_code = per_unique(cs, code_of, dtype=np.int64)
    short = per_unique(cs, lambda u: bool(_CODE.fullmatch(str(u).strip())) and len(str(u).strip()) < 4, dtype=bool)
    return by_code, short & (by_code >= 0)


def _by_name(names: pd.Series, register: pd.DataFrame, pos_of_code: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's register position by its normalised name (BLANK, BAD), and whether the name is
    written exactly as the register's `kommun` or `kommun_fullnamn`."""
    try:
        keys = name_keys(register)
    except ValueError as exc:
        raise InputError(reference.REGISTER_FILE, None, "kommun", "unambiguous municipality names", str(exc)) from None
    exact = {str(x) for x in register["kommun"]} | {str(x) for x in register.get("kommun_fullnamn", [])}

    def name_of(u: str) -> int:
        t = str(u).strip()
        if t == "":
            return BLANK
        code = keys.get(normalise_name(t))
        return BAD if code is None else pos_of_code[code]

    return per_unique(names, name_of, dtype=np.int64), per_unique(names, lambda u: str(u) in exact, dtype=bool)


def _refuse(frame: pd.DataFrame, by_code: np.ndarray, by_name: np.ndarray, header_of: dict[str, str],
            source: Path, scrub: Callable[[str], str]) -> None:
    """InputError naming the rows that match no municipality, or whose name and code disagree."""
    code_bad, name_bad = by_code == BAD, by_name == BAD
    neither = (by_code == BLANK) & (by_name == BLANK)
    disagree = (by_code >= 0) & (by_name >= 0) & (by_code != by_name)
    bad = code_bad | name_bad | neither | disagree
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    kinds = [f"{what} ({int(mask.sum())})" for mask, what in (
        (code_bad, "unknown code"), (name_bad, "unknown name"),
        (disagree, "name and code disagree"), (neither, "no name or code")) if mask.any()]
    has_code = "municipality_code" in frame.columns
    ns = frame["municipality_name"]
    codes_raw = frame["municipality_code"] if has_code else pd.Series("", index=frame.index)
    examples = [f"{scrub(str(ns.iloc[i]).strip())[:40]!r}/{scrub(str(codes_raw.iloc[i]).strip())[:12]!r}"
                for i in idx[:3]]
    cols = [header_of["municipality_name"]] + ([header_of["municipality_code"]] if has_code else [])
    raise InputError(source, spreadsheet_rows(idx), cols,
                     "a municipality of the register of 290, by code or name (no guessing), name and code agreeing",
                     ", ".join(kinds) + " e.g. " + ", ".join(examples) + (" ..." if len(idx) > 3 else ""))


def match_municipalities(frame: pd.DataFrame, register: pd.DataFrame, header_of: dict[str, str],
                         source: Path, log: CleaningLog, scrub: Callable[[str], str] = str) -> np.ndarray:
    """Position in `register` of each row's municipality: by code (leading zero restored), else by
    normalised name. A row matching nothing, or whose name and code disagree, is an InputError.
    """
    pos_of_code = {c: i for i, c in enumerate(register["kommunkod"].astype(str))}
    by_code, code_repaired = _by_code(frame, pos_of_code)
    by_name, name_exact = _by_name(frame["municipality_name"], register, pos_of_code)
    _refuse(frame, by_code, by_name, header_of, source, scrub)
    code_blank, name_blank = by_code == BLANK, by_name == BLANK
    log.add("match", "matched_by_code", "municipality_code", int((~code_blank).sum()),
            "code found in the register (name, where given, agrees)")
    log.add("match", "matched_by_name", "municipality_name", int(code_blank.sum()),
            "no code given; identified by normalised name")
    log.add("match", "codes_repaired", "municipality_code", int(code_repaired.sum()),
            "leading zero restored (e.g. 114 -> 0114)")
    log.add("match", "names_repaired", "municipality_name", int((~name_blank & ~name_exact).sum()),
            "name differs from the register's (case, white space, 'kommun' suffix or hyphen); matched by key")
    return np.where(code_blank, by_name, by_code)
