"""The report's view model: everything its templates need, as plain values, Markup (number spans) and
present.cells tables, assembled from the sections' modules."""

from __future__ import annotations

from typing import Any

from .data import ReportData
from .embed import figures_by_section
from .formatter import Formatter
from .sections.change import section_change
from .sections.groups import section_groups
from .sections.header import section_header, section_keys, section_titles
from .sections.headline import section_shares, section_summary
from .sections.methods import section_limitations, section_methods
from .sections.models import section_models
from .sections.nonresponse import section_nonresponse
from .sections.provenance import section_provenance


def context(data: ReportData, prov: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates need, as plain values and Markup (numbers already formatted)."""
    F = Formatter(data)
    return {
        "lang": data.lang,
        "header": section_header(data, F),
        "order": section_keys(data),
        "sections": section_titles(data, F),
        "figures": figures_by_section(data),
        "summary": section_summary(data, F), "shares": section_shares(data, F),
        "change": section_change(data, F) if data.has_change else None,
        "groups": section_groups(data, F), "models": section_models(data, F),
        "nonresponse": section_nonresponse(data, F), "methods": section_methods(data, F),
        "limitations": section_limitations(data, F), "provenance": section_provenance(data, F, prov),
    }
