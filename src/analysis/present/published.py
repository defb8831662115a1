"""Reads back everything the project publishes about counts (tables/*.csv, tables.xlsx, report.html,
the notebook pages, describe_summary.json) as records of shown and hidden cells, for the disclosure audit.

Each record (analysis.compute.disclosure.RECORD_COLUMNS) is one cell: where it is shown, which
table, row (grouping, group, item) and column it belongs to, and the interval its shown text
allows (exact for a full-precision number, the rounding interval for a rounded one; NaN when the
cell shows nothing). `audit_folder` runs the audit on an output folder.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from ..base import contracts
from ..base.codebook import MATURITY_AREAS
from ..compute import disclosure
from . import catalogue
from .cells import read_tagged

# The tables whose cells are counts of municipalities, or rest on them.
TABLES = ("headline", "headline_by_group", "maturity_index", "response")
_KEYS = ("grouping", "group", "item")
_NUMBER = re.compile(r"[-+\u2212]?\d[\d\s\u00a0\u202f,.]*")


# ------------------------------------------------------------------------------------ numbers
def shown_interval(text: str, lang: str | None = None) -> tuple[float, float] | None:
    """The interval a shown number allows: '58,9 %' -> (0.5885, 0.5895); '45' -> (45, 45) when the
    number is an integer written in full; None when the text shows no single number.

    lang 'sv': decimal comma, spaces group; 'en': decimal point, commas group; None (notebook pages,
    CSV text): Python's repr, decimal point, no grouping.
    """
    t = str(text).strip()
    if t in ("", "–", "-", "<NA>", "NaN", "nan", "None", "NaT"):
        return None
    pct = t.endswith("%")
    t = t.rstrip("%").strip().replace("\u2212", "-")
    if not _NUMBER.fullmatch(t):
        return None
    t = re.sub(r"[\s\u00a0\u202f]", "", t)
    if lang == "sv":
        t = t.replace(",", ".")
    elif lang == "en":
        t = t.replace(",", "")
    try:
        value = float(t)
    except ValueError:
        return None
    decimals = len(t.split(".")[1]) if "." in t else 0
    half = 0.5 * 10 ** -decimals if (pct or decimals) else 0.0
    scale = 0.01 if pct else 1.0
    return (value - half) * scale, (value + half) * scale


def _record(source: str, table: str, key: dict[str, Any], column: str, value: Any, row_suppressed: bool,
            lang: str | None = None, exact: bool = False) -> dict[str, Any]:
    lo = hi = math.nan
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if type(value).__name__ in ("NAType", "NaTType"):
        text = ""
    if isinstance(value, bool):
        pass
    elif isinstance(value, (int, float)) and text and exact:
        lo = hi = float(value)
    elif text:
        iv = shown_interval(text, lang)
        if iv is not None:
            lo, hi = iv
    return {"source": source, "table": table, "grouping": str(key.get("grouping") or "all"),
            "group": str(key.get("group") or "all"), "item": key.get("item"), "column": column,
            "lo": lo, "hi": hi, "row_suppressed": bool(row_suppressed), "text": text}


def _suppressed(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _frame_records(df: pd.DataFrame, table: str, source: str, exact: bool, lang: str | None = None) -> list[dict]:
    out = []
    for row in df.to_dict("records"):
        key = {k: row.get(k) for k in _KEYS if k in row}
        supp = _suppressed(row.get("suppressed", False))
        for col, value in row.items():
            if col in _KEYS or col == "suppressed":
                continue
            out.append(_record(source, table, key, col, value, supp, lang, exact))
    return out


# ------------------------------------------------------------------------------------- sources
def csv_records(output_dir: Path) -> list[dict]:
    out = []
    for name in TABLES:
        path = output_dir / contracts.contract(name).path
        if path.is_file():
            df = contracts.read_table(name, output_dir)
            out += _frame_records(df.astype(object).where(df.notna(), None), name,
                                  str(path.relative_to(output_dir)), exact=True)
    return out


def workbook_records(path: Path) -> list[dict]:
    from openpyxl import load_workbook  # noqa: PLC0415 - only when a workbook is read back (seconds to import)

    out = []
    if not path.is_file():
        return out
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            if ws.title not in TABLES:
                continue
            rows = list(ws.iter_rows(values_only=True))
            if not rows:
                continue
            df = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]])
            out += _frame_records(df, ws.title, f"{path.name}:{ws.title}", exact=True)
    finally:
        wb.close()
    return out


def summary_records(path: Path) -> list[dict]:
    """describe_summary.json: the respondents, the design weights and the respondents' distribution
    over the SKR groups (turned into counts with the published total)."""
    if not path.is_file():
        return []
    s = json.loads(path.read_text(encoding="utf-8"))
    src = path.name
    out = []
    total = s.get("n_respondents")
    if total is not None:
        out.append(_record(src, "describe_summary", {}, "n_respondents", int(total), False, exact=True))
    for g, w in (s.get("weights") or {}).items():
        if w is not None:
            out.append(_record(src, "describe_summary", {"grouping": "kommungrupp", "group": g}, "weight",
                               float(w), False, exact=True))
    shares = ((s.get("respondent_profile") or {}).get("group_share") or {})
    for g, v in shares.items():
        share = (v or {}).get("respondents")
        if share is None or total is None:
            continue
        half = 0.5 * 10 ** -4  # written with four decimals
        rec = _record(src, "describe_summary", {"grouping": "kommungrupp", "group": g}, "respondents", None, False)
        rec.update(lo=max(0.0, (float(share) - half) * total), hi=(float(share) + half) * total, text=str(share))
        out.append(rec)
    return out


def report_records(path: Path, lang: str, dash: str = "–", html: str | None = None) -> list[dict]:
    """Numbers of report.html (or of `html`, the page about to be written there) whose data-src is
    an audited table, one record per shown cell."""
    if html is None:
        if not path.is_file():
            return []
        html = path.read_text(encoding="utf-8")
    out = []
    for item in read_tagged(html):
        if item.src not in TABLES or len(item.cols) != 1:
            continue
        supp = item.text == dash or "suppressed" in item.classes
        out.append(_record(path.name, item.src, item.key, item.cols[0], None if supp else item.text, supp, lang))
    return out


class _Frames(HTMLParser):
    """The pandas tables (class "dataframe") of a notebook page: header cells and body rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, list]] = []
        self._t: dict[str, list] | None = None
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "dataframe" in (dict(attrs).get("class") or ""):
            self._t = {"head": [], "body": []}
            self.tables.append(self._t)
        elif self._t is not None:
            if tag in ("thead", "tbody"):
                self._section = tag
            elif tag == "tr":
                self._row = []
            elif tag in ("td", "th") and self._row is not None:
                self._cell = []

    def handle_endtag(self, tag):
        if self._t is None:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._t["head" if self._section == "thead" else "body"].append(self._row)
            self._row = None
        elif tag == "table":
            self._t = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _identify(columns: Iterable[str]) -> str | None:
    cols = set(columns)
    if {"N", "respondents"} <= cols or {"N", "rate"} <= cols:
        return "response"
    if {"group", "item", "n_eligible"} <= cols or {"group", "item", "share_weighted"} <= cols:
        return "headline_by_group"
    if {"group", "n", "mean"} <= cols:
        return "maturity_index"
    if {"item", "n_eligible"} <= cols or {"item", "n_yes"} <= cols:
        return "headline"
    return None


def notebook_records(path: Path, lang: str | None = None, dash: str = "–") -> list[dict]:
    """The numbers of an executed notebook's HTML page that show an audited table: the cells the
    notebooks' tables tag with data-src (present.notebook.Display, as the report does) and any plain
    DataFrame shown with the table's own column names."""
    html = path.read_text(encoding="utf-8", errors="replace")
    # a page keeps the language its step ran in (a later run in another language may rerun only 04)
    m = re.search(r'<html[^>]*\blang="([a-z]{2})"', html[:2000])
    page_lang = m.group(1) if m else (lang or "sv")
    if page_lang != lang:
        dash = catalogue.text("report.suppressed", page_lang)
    out = [r for r in report_records(path, page_lang, dash, html=html)]
    for r in out:
        r["source"] = f"notebooks/{path.name}"
    return out + _frame_page_records(path, html)


def _frame_page_records(path: Path, html: str) -> list[dict]:
    p = _Frames()
    p.feed(html)
    out = []
    for t in p.tables:
        if not t["head"] or not t["body"]:
            continue
        header = t["head"][0]
        table = _identify(header)
        if table is None:
            continue
        for row in t["body"]:
            n = min(len(row), len(header))  # the last n cells of each: a row may start with its index
            values = dict(zip(header[len(header) - n:], row[len(row) - n:], strict=True))
            values.pop("", None)  # the index column
            key = {k: values.get(k) for k in _KEYS if k in values}
            supp = _suppressed(values.get("suppressed", False))
            for col, text in values.items():
                if col in _KEYS or col == "suppressed" or not col:
                    continue
                out.append(_record(f"notebooks/{path.name}", table, key, col, text, supp))
    return out


# ---------------------------------------------------------------------------------------- audit
def records(output_dir: str | Path, lang: str, report_html: str | None = None) -> pd.DataFrame:
    """Every published cell of an output folder (see the module docstring); `report_html` stands
    for report.html when given (the page before it is written)."""
    out_dir = Path(output_dir)
    recs = csv_records(out_dir)
    recs += workbook_records(out_dir / "tables" / "tables.xlsx")
    recs += summary_records(out_dir / "describe_summary.json")
    recs += report_records(out_dir / "report.html", lang, catalogue.text("report.suppressed", lang), report_html)
    for page in sorted((out_dir / "notebooks").glob("*.html")):
        recs += notebook_records(page, lang, catalogue.text("report.suppressed", lang))
    return pd.DataFrame(recs, columns=disclosure.RECORD_COLUMNS)


def audit_folder(output_dir: str | Path, units: pd.DataFrame, min_cell: int, lang: str,
                 report_html: str | None = None) -> pd.DataFrame:
    """disclosure.audit on everything published in `output_dir` (findings; empty when safe)."""
    return disclosure.audit(records(output_dir, lang, report_html), units, min_cell, tuple(MATURITY_AREAS))


def finding_line(found: pd.DataFrame, output_dir: str | Path) -> str:
    """The first finding as one line for the user, with how many there are."""
    f = found.iloc[0]
    where = " ".join(str(x) for x in (f["table"], f["grouping"], f["group"], f["item"] or "") if x)
    return (f"{Path(output_dir) / f['source']}: disclosure audit ({f['kind']}): {where}: {f['detail']}"
            f"{f'; {len(found) - 1} more' if len(found) > 1 else ''}")
