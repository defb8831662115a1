"""The web-survey tool's file for a wave's answers (the codebook's raw headers, one row per submission,
string cells), with the mess that cleaning must handle.

The mess: abandoned duplicate submissions, name and code variants, odd label case and spaces,
ciso_share formats, hostile free text, invented personal data.

The draws happen in a fixed order (rows, times, answers, shares, ratings, comments, names and codes,
people), so the same seed gives the same file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base.codebook import DONT_KNOW, Codebook
from .parameters import CISO_SHARE_VALUES, NUMERIC_BLANK_RATE
from .people import PERSON_POOL, person_pool

N_ABANDONED = 5  # municipalities with an extra abandoned submission (natural-size export)
LABEL_VARIANT_PROBS = (0.95, 0.02, 0.015, 0.015)  # canonical, "x ", "x " lower-case, UPPER
SHARE_FORMAT_PROBS = (0.5, 0.2, 0.1, 0.2)  # "25", "25 %", "25%", "0,25"
NAME_VARIANT_PROBS = (0.80, 0.12, 0.03, 0.03, 0.02)  # name, full name, UPPER, hyphen<->space, lower
FIELDWORK_DAYS = 56
DAY_S = 86400
# Names shown in a distinctive way whenever the municipality appears (in the natural-size rows).
SHOWCASE_NAMES = {"0114": "Upplands-Väsby", "2023": "Malung Sälen", "1480": "GÖTEBORG"}
SHOWCASE_CODES = {"0114": "114"}
COMMENTS = (
    "Vi har precis börjat arbetet med KLASSA.",
    "Samarbetar med grannkommunerna i en gemensam säkerhetsgrupp.",
    "Svårt att få resurser; ledningen har delegerat ansvaret.",
    "Informationssäkerhetssamordnaren är även dataskyddsombud (50 %).",
    'Vi följer MSB:s metodstöd & "KLASSA" <se bilaga>',
    "Rutiner finns för IT men inte för övrig verksamhet.\nÖversyn pågår hösten 2019.",
    "Enkäten besvarades av säkerhetschef och IT-chef tillsammans.",
    "Kontinuitetsplanering görs inom krisberedskapen, se risk- och sårbarhetsanalysen.",
    "Fråga 7g är svår att besvara – uppföljningen skiljer sig mellan förvaltningarna.",
    "Andel > 50 % om man räknar med IT-säkerhet & dataskydd.",
)
HOSTILE_COMMENTS = ("=SUMMA(A1:A2)", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>")
COMMENT_RATE = 0.12


def swap_hyphen_space(name: str) -> str:
    """A name typed with its hyphen as a space, or its space as a hyphen."""
    if "-" in name:
        return name.replace("-", " ")
    if " " in name:
        return name.replace(" ", "-")
    return name


def format_share(v: float, style: int) -> str:
    """A share as typed: 0 "25", 1 "25 %", 2 "25%", 3 "0,25"."""
    pct = int(round(v * 100))
    if style == 0:
        return str(pct)
    if style == 1:
        return f"{pct} %"
    if style == 2:
        return f"{pct}%"
    return f"{v:g}".replace(".", ",")


def timestamps(seconds: np.ndarray, start: np.datetime64) -> np.ndarray:
    """Seconds since `start` (the fieldwork's first day) -> 'YYYY-MM-DD HH:MM:SS' (object array)."""
    t = start + seconds.astype("timedelta64[s]")
    s = np.ascontiguousarray(np.datetime_as_string(t, unit="s").astype("<U19"))  # ...T...
    chars = s.view("<U1").reshape(len(s), 19)
    chars[:, 10] = " "
    return chars.view("<U19").ravel().astype(object)


class _Rows:
    """The submissions: each row's municipality, whether it was abandoned, whether it is natural-size."""

    def __init__(self, responded: np.ndarray, n_rows: int | None, rng: np.random.Generator):
        resp_idx = np.flatnonzero(responded)
        self.abandoned_mun = np.sort(rng.choice(resp_idx, size=N_ABANDONED, replace=False))
        self.mun = np.concatenate([resp_idx, self.abandoned_mun])
        self.abandoned = np.concatenate([np.zeros(len(resp_idx), bool), np.ones(N_ABANDONED, bool)])
        self.n_natural = len(self.mun)
        self.total = self.n_natural if n_rows is None else int(n_rows)
        if self.total < 1:
            raise ValueError("n_rows must be at least 1")
        if self.total > self.n_natural:
            extra = self.total - self.n_natural
            self.mun = np.concatenate([self.mun, rng.choice(resp_idx, size=extra)])
            self.abandoned = np.concatenate([self.abandoned, rng.random(extra) < N_ABANDONED / self.n_natural])
        self.n = len(self.mun)
        self.natural = np.arange(self.n) < self.n_natural


def _times(rows: _Rows, n_mun: int, fieldwork_start: np.datetime64, rng: np.random.Generator):
    """(start seconds, started_at, submitted_at): one start per municipality for its natural rows,
    abandoned natural rows 1-6 days earlier, durations log-normal around 20 minutes."""
    n = rows.n
    mun_start = (rng.integers(7, FIELDWORK_DAYS, size=n_mun) * DAY_S
                 + rng.integers(7 * 3600, 17 * 3600, size=n_mun))
    start = np.where(rows.natural, mun_start[rows.mun],
                     rng.integers(0, FIELDWORK_DAYS, size=n) * DAY_S + rng.integers(7 * 3600, 17 * 3600, size=n))
    early = rows.natural & rows.abandoned  # abandoned natural rows start 1-6 days before the complete one
    start = np.where(early, start - rng.integers(1, 7, size=n) * DAY_S - rng.integers(0, 3600, size=n), start)
    duration = np.clip(np.exp(np.log(1200) + 0.6 * rng.standard_normal(n)), 180, 3 * 3600).astype(np.int64)
    started = timestamps(start, fieldwork_start)
    submitted = np.where(rows.abandoned, "", timestamps(start + duration, fieldwork_start)).astype(object)
    return start, started, submitted


def _answered(cb: Codebook, rows: _Rows, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per question (the codebook's variables that are neither metadata nor personal, in order): whether
    the row answered it; an abandoned row stops after a random question."""
    questions = [v.id for v in cb.variables if v.type not in ("metadata", "personal")]
    cut = np.where(rows.abandoned, rng.integers(2, len(questions) - 2, size=rows.n), len(questions))
    return {q: cut > i for i, q in enumerate(questions)}


def _coded(cb: Codebook, mt: dict, rows: _Rows, answered: dict, rng: np.random.Generator, dont_know_rate: float,
           blank_rate: float) -> dict[str, np.ndarray]:
    """The coded answers as labels: "Vet ej" and blank at their rates, label variants (case, spaces)."""
    cols: dict[str, np.ndarray] = {}
    variant_p = np.array(LABEL_VARIANT_PROBS)
    for var in (v for v in cb.variables if v.is_coded):
        levels = var.levels_sv
        dk = next(lab for lab, c in var.labels.items() if c == DONT_KNOW)
        table = np.array([[lab, lab + " ", lab.lower() + " ", lab.upper()] for lab in [*levels, dk]]
                         + [["", "", "", ""]], dtype=object)
        k = len(levels)
        code = mt["codes"][var.id][rows.mun].astype(np.int64)
        r = rng.random(rows.n)
        code = np.where(r < dont_know_rate, k, np.where(r < dont_know_rate + blank_rate, k + 1, code))
        code = np.where(answered[var.id], code, k + 1)
        variant = rng.choice(4, size=rows.n, p=variant_p)
        cols[var.id] = table[code, variant]
    return cols


def _numeric(mt: dict, rows: _Rows, answered: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """ciso_share in its typed formats and self_rating, each blank at NUMERIC_BLANK_RATE."""
    n = rows.n
    share_table = np.array([[format_share(v, s) for s in range(4)] for v in CISO_SHARE_VALUES]
                           + [["", "", "", ""]], dtype=object)
    sidx = mt["ciso_share_idx"][rows.mun]
    sidx = np.where((sidx < 0) | (rng.random(n) < NUMERIC_BLANK_RATE) | ~answered["ciso_share"],
                    len(CISO_SHARE_VALUES), sidx)
    share = share_table[sidx, rng.choice(4, size=n, p=list(SHARE_FORMAT_PROBS))]
    rating = mt["self_rating"][rows.mun].astype(object).astype(str)
    blank_rating = (rng.random(n) < NUMERIC_BLANK_RATE) | ~answered["self_rating"]
    return {"ciso_share": share, "self_rating": np.where(blank_rating, "", rating).astype(object)}


def _comments(rows: _Rows, answered: dict, rng: np.random.Generator) -> np.ndarray:
    """Free text: COMMENTS at COMMENT_RATE, and each HOSTILE_COMMENTS once in a complete natural row."""
    n = rows.n
    pool = np.array(("", *COMMENTS), dtype=object)
    cidx = np.where(rng.random(n) < COMMENT_RATE, rng.integers(1, len(pool), size=n), 0)
    comment = pool[cidx]
    complete_nat = np.flatnonzero(rows.natural & ~rows.abandoned)
    hostile_rows = rng.choice(complete_nat, size=min(len(HOSTILE_COMMENTS), len(complete_nat)), replace=False)
    comment[hostile_rows] = np.array(HOSTILE_COMMENTS[: len(hostile_rows)], dtype=object)
    return np.where(answered["comment"], comment, "").astype(object)


def _municipality(reg: pd.DataFrame, rows: _Rows, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The municipality's name and code as typed: variants, dropped leading zeros, blanks, showcases."""
    names = reg["kommun"].astype(str).tolist()
    full = reg["kommun_fullnamn"].astype(str).tolist()
    kod = reg["kommunkod"].astype(str).tolist()
    name_table = np.array([[nm, fn, nm.upper(), swap_hyphen_space(nm), nm.lower()]
                           for nm, fn in zip(names, full, strict=True)], dtype=object)
    name_col = name_table[rows.mun, rng.choice(5, size=rows.n, p=list(NAME_VARIANT_PROBS))]
    code_table = np.array([[c, c.lstrip("0"), ""] for c in kod], dtype=object)
    lead0 = np.array([c.startswith("0") for c in kod])[rows.mun]
    r = rng.random(rows.n)
    code_col = code_table[rows.mun, np.where(r < 0.04, 2, np.where(lead0 & (r < 0.30), 1, 0))]
    kod_rows = np.array(kod, dtype=object)[rows.mun]
    for c, shown in SHOWCASE_NAMES.items():
        name_col[rows.natural & (kod_rows == c)] = shown
    for c, shown in SHOWCASE_CODES.items():
        code_col[rows.natural & (kod_rows == c)] = shown
    return name_col, code_col


def _people(seed: int, n_mun: int, rows: _Rows, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The respondent columns: one invented person per municipality (people.person_pool)."""
    people = person_pool(seed)
    pidx = rng.choice(PERSON_POOL, size=n_mun, replace=n_mun > PERSON_POOL)[rows.mun]
    return {f"respondent_{k}": people[k][pidx] for k in ("name", "email", "phone", "title")}


def _in_time_order(cb: Codebook, values: dict, start: np.ndarray, rows: _Rows) -> pd.DataFrame:
    """Rows sorted by start time (ties by row), the first `total` kept, ids R0001... in that order."""
    order = np.lexsort((np.arange(rows.n), start))
    if rows.total < rows.n_natural:
        order = order[:rows.total]
    width = max(4, len(str(len(order))))
    ids = np.char.add("R", np.char.zfill(np.arange(1, len(order) + 1).astype(str), width)).astype(object)
    data = {}
    for var in cb.variables:
        col = ids if var.id == "response_id" else values[var.id][order]
        data[var.header] = pd.array(col, dtype="str")
    return pd.DataFrame(data)


def export(reg: pd.DataFrame, cb: Codebook, mt: dict, rng: np.random.Generator, seed: int, n_rows: int | None,
           fieldwork_start: np.datetime64, dont_know_rate: float, blank_rate: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The web-survey tool's file for the answers in `mt`: (export, municipalities with an abandoned row)."""
    rows = _Rows(mt["responded"], n_rows, rng)
    start, started, submitted = _times(rows, len(reg), fieldwork_start, rng)
    answered = _answered(cb, rows, rng)
    cols = _coded(cb, mt, rows, answered, rng, dont_know_rate, blank_rate)
    cols.update(_numeric(mt, rows, answered, rng))
    cols["comment"] = _comments(rows, answered, rng)
    name_col, code_col = _municipality(reg, rows, rng)
    values = {
        "started_at": started, "submitted_at": submitted,
        "municipality_name": name_col, "municipality_code": code_col,
        **_people(seed, len(reg), rows, rng),
        # the content says it is synthetic too, so a renamed file still gets the banner
        "synthetic_marker": np.full(rows.n, cb.survey["synthetic_value"], dtype=object),
        **cols,
    }
    return _in_time_order(cb, values, start, rows), rows.abandoned_mun
