"""The section on groups: Table 2 (the headline shares by SKR group and main group) and Table 3 (the
maturity index overall and by group), suppressed cells shown as the catalogue's dash."""

from __future__ import annotations

from typing import Any

from ....base.codebook import HEADLINE_ITEMS
from ... import fmt
from ...cells import Cell, Table
from ...labels import group_label, item_label
from ..data import ReportData
from ..formatter import Formatter, head

GROUPINGS = ("kommungrupp", "huvudgrupp")  # the groupings shown (counties are on the map)


def _groups_table(data: ReportData, F: Formatter) -> Table:
    lang = data.lang
    bg = data.tables["headline_by_group"]
    bg = bg[bg["grouping"].isin(GROUPINGS)]
    groups = list(dict.fromkeys(zip(bg["grouping"], bg["group"], strict=True)))
    head_row = [head(F.t("columns.item"))] + [head(g, True, title=group_label(gr, g, lang)) for gr, g in groups]
    rows, any_supp = [], False
    for item in [i for i in HEADLINE_ITEMS if i in set(bg["item"])]:
        sub = bg[bg["item"] == item].set_index(["grouping", "group"], drop=False)
        cells = [Cell(item_label(item, lang, data.codebook))]
        for gr, g in groups:
            r = sub.loc[(gr, g)]
            supp = bool(r["suppressed"]) or fmt.isna(r["share_weighted"])
            any_supp |= supp
            cells.append(F.num("headline_by_group", r, "share_weighted", digits=0, suppressed=supp))
        rows.append(cells)
    legend = "; ".join(group_label(gr, g, lang) for gr, g in groups)
    notes = [legend] + ([F.suppressed_note()] if any_supp else [])
    return Table("table-groups", F.t("groups.caption"), [head_row], rows, notes, cls="compact")


def _maturity_table(data: ReportData, F: Formatter) -> Table:
    lang = data.lang
    mat = data.tables["maturity_index"]
    mat = mat[mat["grouping"].isin(("all", *GROUPINGS))]
    head_row = [head(F.t("columns.group")), head(F.t("columns.n"), True), head(F.t("columns.mean"), True),
                head(F.t("columns.interval", level=data.level), True)]
    rows, any_supp = [], False
    for _, r in mat.iterrows():
        supp = bool(r["suppressed"])
        any_supp |= supp
        rows.append([Cell(group_label(r["grouping"], r["group"], lang)),
                     F.num("maturity_index", r, "n", suppressed=supp),
                     F.num("maturity_index", r, "mean", suppressed=supp),
                     F.num("maturity_index", r, ("ci_low", "ci_high"), style="interval", suppressed=supp)])
    census = mat[mat["ci_method"] == "census"]
    notes = [F.suppressed_note()] if any_supp else []
    if len(census):
        names = ", ".join(group_label(g, v, lang) for g, v in zip(census["grouping"], census["group"], strict=True))
        notes.append(F.t("groups.census_note", groups=names))
    return Table("table-maturity", F.t("groups.maturity_caption", level=data.level), [head_row], rows, notes)


def section_groups(data: ReportData, F: Formatter) -> dict[str, Any]:
    return {"intro": F.t("groups.intro", min_cell=data.P["min_cell"]),
            "tables": [_groups_table(data, F), _maturity_table(data, F)]}
