"""The methods section (its paragraphs cite the design's effect on the model standard errors from
se_design.csv, as tagged spans) and the limitations."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ... import catalogue, fmt
from ..data import ReportData
from ..formatter import Formatter


def section_methods(data: ReportData, F: Formatter) -> dict[str, Any]:
    """The methods paragraphs; the model SE comparison cites tables/se_design.csv (tagged spans)."""
    lang = data.lang
    se = data.tables["se_design"].set_index("variant", drop=False)

    def ratio(variant: str, col: str) -> Markup:
        if variant not in se.index:  # no models fitted (thin data): the models section says why
            return Markup("–")
        return F.number("se_design", se.loc[variant], col)

    model = data.model
    return {"paragraphs": F.fills(
        "methods.paragraphs", population=int(data.describe["n_municipalities"]), level=data.level,
        min_cell=data.P["min_cell"], alpha=fmt.value(float(data.P["alpha"]), "p_value", lang, 2),
        meaningful=fmt.value(float(model.get("meaningful_odds_ratio", 1.25)), "odds_ratio", lang),
        power=fmt.value(float(model.get("power", 0.8)), "proportion", lang, 0),
        min_events=int(model.get("min_events", 5)),
        strata_min=ratio("strata", "ratio_min"), strata_max=ratio("strata", "ratio_max"),
        strata_median=ratio("strata", "ratio_median"), fpc_min=ratio("strata_fpc", "ratio_min"),
        fpc_max=ratio("strata_fpc", "ratio_max"))}


def section_limitations(data: ReportData, F: Formatter) -> dict[str, Any]:
    return {"bullets": catalogue.texts("limitations.items", data.lang)}
