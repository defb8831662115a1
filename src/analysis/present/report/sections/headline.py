"""The sections on the headline items: the summary (key figures in SKR's form, the maturity index) and
Table 1 (every headline share with its interval, bounds and SKR's published figure)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from ....base.codebook import HEADLINE_ITEMS
from ... import fmt
from ...cells import Cell, Table
from ...labels import item_label
from ..data import ReportData
from ..formatter import Formatter, head


def headline_rows(data: ReportData) -> pd.DataFrame:
    """headline.csv in the codebook's order of the headline items."""
    df = data.tables["headline"]
    order = {k: i for i, k in enumerate(HEADLINE_ITEMS)}
    return df.assign(_o=df["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def missing_item(row: pd.Series) -> str | None:
    """'suppressed' (fewer than min_cell valid answers), 'no_answers' (none), or None for a headline row."""
    if bool(row.get("suppressed", False)):
        return "suppressed"
    if not fmt.isna(row["n_eligible"]) and int(row["n_eligible"]) == 0:
        return "no_answers"
    return None


def _key_figure(data: ReportData, F: Formatter, row: pd.Series) -> dict[str, Any]:
    """One key figure: SKR's statement ("x in 10 ...") and the share with its interval, or why there is none."""
    question = data.codebook[str(row["item"])]
    gap = missing_item(row)
    if gap:  # suppressed, or nobody answered: say so instead of a share
        return {"statement": F.t(f"summary.item_{gap}", question=getattr(question, f"question_{data.lang}"),
                                 min_cell=data.P["min_cell"]), "interval": ""}
    x = row["x_of_10"]
    statement = Markup(escape(getattr(question.headline, f"statement_{data.lang}"))).format(
        x=F.span("headline", row, ("x_of_10",), "–" if fmt.isna(x) else F.value("headline", row, "x_of_10")))
    values = {"share": F.number("headline", row, "share_weighted", 0), "level": data.level,
              "low": F.span("headline", row, ("ci_low",), F.bare("headline", row, "ci_low", 0)),
              "high": F.number("headline", row, "ci_high", 0)}
    if fmt.isna(row["published_share"]):
        interval = F.fill("summary.interval_unpublished", **values)
    else:
        interval = F.fill("summary.interval", **values, published=F.number("headline", row, "published_x_of_10"),
                          wave=data.P["wave"])
    return {"statement": statement, "interval": interval}


def section_summary(data: ReportData, F: Formatter) -> dict[str, Any]:
    resp = data.tables["response"]
    total = resp[(resp["grouping"] == "all")].iloc[0]
    intro = F.fill("summary.intro", population=F.number("response", total, "N"),
                   respondents=F.number("response", total, "respondents"),
                   rate=F.number("response", total, "rate", 0), level=data.level, wave=data.P["wave"])
    items = [_key_figure(data, F, row) for _, row in headline_rows(data).iterrows()]
    mat = data.tables["maturity_index"]
    overall = mat[mat["grouping"] == "all"].iloc[0]
    maturity = None
    if not fmt.isna(overall["mean"]):
        maturity = F.fill("summary.maturity", mean=F.number("maturity_index", overall, "mean"),
                          low=F.number("maturity_index", overall, "ci_low"),
                          high=F.number("maturity_index", overall, "ci_high"), level=data.level)
    return {"intro": intro, "key_figures": items, "maturity": maturity}


def section_shares(data: ReportData, F: Formatter) -> dict[str, Any]:
    name = "headline"
    head_row = [head(F.t("columns.item")), head(F.t("columns.n_eligible"), True), head(F.t("columns.n_yes"), True),
                head(F.t("columns.share_weighted"), True), head(F.t("columns.interval", level=data.level), True),
                head(F.t("columns.bounds"), True), head(F.t("columns.published_share", wave=data.P["wave"]), True)]
    rows, hidden, empty = [], False, []
    for _, r in headline_rows(data).iterrows():
        gap = missing_item(r)
        supp = gap == "suppressed"
        hidden |= supp
        label = item_label(r["item"], data.lang, data.codebook)
        if gap == "no_answers":
            empty.append(label)
        rows.append([Cell(label),
                     F.num(name, r, "n_eligible", suppressed=supp), F.num(name, r, "n_yes", suppressed=supp),
                     F.num(name, r, "share_weighted", suppressed=supp),
                     F.num(name, r, ("ci_low", "ci_high"), style="interval", suppressed=supp),
                     F.num(name, r, ("bound_low", "bound_high"), style="interval", suppressed=supp),
                     F.num(name, r, "published_share", digits=0)])
    notes = ([F.suppressed_note()] if hidden else []) + (
        [F.t("shares.no_answers_note", items=", ".join(empty))] if empty else [])
    table = Table("table-headline", F.t("shares.caption", wave=data.P["wave"]), [head_row], rows, notes)
    return {"intro": F.t("shares.intro"), "table": table}
