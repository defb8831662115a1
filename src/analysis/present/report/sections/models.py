"""The section on the models: the verdicts, Table 4 (the claim map), Table 5 (odds ratios), Table 6
(average marginal effects) and Table 7 (reliability); or, without models (thin data), the reason."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from ....compute.models import OUTCOMES, PREDICTORS, PRIMARY_TERMS
from ... import catalogue, fmt
from ...cells import Cell, Table
from ...labels import term_label
from ..data import ReportData
from ..formatter import Formatter, head, p_text
from .verdicts import claims_table, verdicts_table


def _odds_cell(F: Formatter, r: pd.Series, outcome: str, term: str) -> tuple[Cell, bool]:
    """An odds ratio with its interval (F: a Firth fit) and its q-value (the primary family) or p-value;
    and whether it is a Firth fit."""
    firth = r["method"] == "Firth"
    c = F.num("models", r, ("odds_ratio", "ci_low", "ci_high"), style="estimate_interval", extra=" F" if firth else "")
    stat, col = ("stat_q", "q_value") if term in PRIMARY_TERMS and outcome in OUTCOMES else ("stat_p", "p_value")
    c.text = Markup("{}<br><small>{} {}</small>").format(c.text, F.t(f"models.{stat}"),
                                                          p_text(F.value("models", r, col)))
    c.cols = (*c.cols, col)
    return c, bool(firth)


def _odds_table(data: ReportData, F: Formatter, main: pd.DataFrame, specs: list[str]) -> Table:
    """Table 5: odds ratios, one row per outcome (the seven areas, then the indices), one column per predictor."""
    lang = data.lang
    head_row = [head(F.t("columns.outcome"))] + [head(term_label(t, lang), True) for t in PREDICTORS]
    rows, any_firth = [], False
    other = [o for o in dict.fromkeys(main["outcome"]) if o not in OUTCOMES]
    for group_key, outcomes in (("models.group_areas", OUTCOMES), ("models.group_indices", other)):
        rows.append([Cell(F.t(group_key), header=True, colspan=1 + len(PREDICTORS), cls="group-row")])
        for o in outcomes:
            sub = main[main["outcome"] == o].set_index("term", drop=False)
            cells = [Cell(term_label(o, lang))]
            for t in PREDICTORS:
                if t not in sub.index:
                    cells.append(Cell(""))
                    continue
                cell, firth = _odds_cell(F, sub.loc[t], o, t)
                any_firth |= firth
                cells.append(cell)
            rows.append(cells)
    notes = [F.t("models.firth_note")] if any_firth else []
    if specs:
        notes.append(F.t("models.sensitivity_note", specs=", ".join(catalogue.label("specs", s, lang) for s in specs)))
    return Table("table-models", F.t("models.or_caption", level=data.level), [head_row], rows, notes, cls="models")


def _ame_table(data: ReportData, F: Formatter, main: pd.DataFrame) -> Table:
    """Table 6: average marginal effects (percentage points) of the outcomes that have them."""
    lang = data.lang
    head_row = [head(F.t("columns.outcome"))] + [head(term_label(t, lang), True) for t in PREDICTORS]
    rows = []
    for o in [o for o in dict.fromkeys(main["outcome"]) if main.loc[main["outcome"] == o, "ame"].notna().any()]:
        sub = main[main["outcome"] == o].set_index("term", drop=False)
        rows.append([Cell(term_label(o, lang))]
                    + [F.num("models", sub.loc[t], ("ame", "ame_ci_low", "ame_ci_high"), style="estimate_interval")
                       if t in sub.index else Cell("") for t in PREDICTORS])
    return Table("table-ame", F.t("models.ame_caption", level=data.level), [head_row], rows, cls="models")


def _reliability_table(data: ReportData, F: Formatter) -> Table:
    """Table 7: reliability (KR-20), one row per coding and interval method."""
    lang = data.lang
    head_row = [head(F.t("columns.coding")), head(F.t("columns.ci_method")), head(F.t("columns.n"), True),
                head(F.t("columns.k"), True), head(F.t("columns.estimate"), True),
                head(F.t("columns.interval", level=data.level), True)]
    rows = []
    for _, r in data.tables["reliability"].iterrows():
        method = catalogue.label("ci_methods", r["ci_method"], lang,
                                 n_boot="" if fmt.isna(r["n_boot"]) else fmt.value(r["n_boot"], "count", lang))
        rows.append([Cell(catalogue.label("codings", r["coding"], lang)),
                     Cell(method, src="reliability", key=F.key("reliability", r), cols=("n_boot",)),
                     F.num("reliability", r, "n"), F.num("reliability", r, "k"), F.num("reliability", r, "estimate"),
                     F.num("reliability", r, ("ci_low", "ci_high"), style="interval")])
    return Table("table-reliability", F.t("models.reliability_caption", level=data.level), [head_row], rows)


def section_models(data: ReportData, F: Formatter) -> dict[str, Any]:
    problems = data.model.get("not_estimable") or []
    if problems:  # degenerate data: no models, and the reason
        return {"intro": F.t("models.intro"),
                "not_estimable": F.t("estimable.models_not_fitted", reasons=F.reasons(problems))}
    models = data.tables["models"]
    main = models[models["spec"] == "main"]
    specs = [s for s in dict.fromkeys(models["spec"]) if s != "main"]
    return {"intro": F.t("models.intro"), "not_estimable": None, "verdicts_heading": F.t("models.verdicts_heading"),
            "verdicts_intro": F.t("models.verdicts_intro"), "verdicts_table": verdicts_table(data, F),
            "claims_table": claims_table(data, F), "or_intro": F.t("models.or_intro", level=data.level),
            "ame_intro": F.t("models.ame_intro"),
            "tables": [_odds_table(data, F, main, specs), _ame_table(data, F, main), _reliability_table(data, F)]}
