"""The section on non-response: Table 8 (response by group and county) and Table 9 (the model of
responding), or why that model could not be fitted."""

from __future__ import annotations

from typing import Any

from ... import catalogue
from ...cells import Cell, Table
from ...labels import group_label, term_label
from ..data import ReportData
from ..formatter import Formatter, head


def _response_table(data: ReportData, F: Formatter) -> Table:
    lang = data.lang
    head_row = [head(F.t("columns.group")), head(F.t("columns.N"), True), head(F.t("columns.respondents"), True),
                head(F.t("columns.rate"), True)]
    rows, any_supp = [], False
    for _, r in data.tables["response"].iterrows():
        supp = bool(r["suppressed"])
        any_supp |= supp
        label = group_label(r["grouping"], r["group"], lang, r["name"])
        if r["grouping"] != "all":
            label = f"{catalogue.label('groupings', r['grouping'], lang)}: {label}"
        rows.append([Cell(label), F.num("response", r, "N"), F.num("response", r, "respondents", suppressed=supp),
                     F.num("response", r, "rate", suppressed=supp)])
    return Table("table-response", F.t("nonresponse.response_caption"), [head_row], rows,
                 [F.suppressed_note()] if any_supp else [])


def _model_table(data: ReportData, F: Formatter) -> Table:
    nr = data.tables["nonresponse_model"]
    nr = nr[nr["term"] != "const"]
    name = "nonresponse_model"
    head_row = [head(F.t("columns.term")), head(F.t("columns.odds_ratio"), True),
                head(F.t("columns.interval", level=data.level), True), head(F.t("columns.p_value"), True),
                head(F.t("columns.n"), True)]
    rows = [[Cell(term_label(r["term"], data.lang)), F.num(name, r, "odds_ratio"),
             F.num(name, r, ("ci_low", "ci_high"), style="interval"), F.num(name, r, "p_value"), F.num(name, r, "n")]
            for _, r in nr.iterrows()]
    notes = [F.t("nonresponse.profile_note", min_events=int(data.model.get("min_events", 5)))] \
        if (nr["method"] == "ml_profile").any() else []
    return Table("table-nonresponse-model", F.t("nonresponse.model_caption", level=data.level), [head_row], rows,
                 notes)


def section_nonresponse(data: ReportData, F: Formatter) -> dict[str, Any]:
    problems = (data.describe.get("not_estimable") or {}).get("nonresponse_model") or []
    response = _response_table(data, F)
    return {"intro": F.t("nonresponse.intro", min_cell=data.P["min_cell"]),
            "not_estimable": F.t("estimable.nonresponse_not_fitted", reasons=F.reasons(problems)) if problems else None,
            "tables": [response] if problems else [response, _model_table(data, F)]}
