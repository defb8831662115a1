"""The report's order of sections, their titles and the page header (title, banner, contents, links)."""

from __future__ import annotations

from typing import Any

from ..data import ReportData
from ..formatter import Formatter

SECTIONS = ("summary", "shares", "change", "groups", "models", "nonresponse", "methods", "limitations",
            "provenance")


def section_keys(data: ReportData) -> list[str]:
    """The report's sections in order; "change" only when two waves were compared."""
    return [k for k in SECTIONS if k != "change" or data.has_change]


def section_titles(data: ReportData, F: Formatter) -> dict[str, str]:
    out = {k: F.t(f"report.sections.{k}") for k in section_keys(data) if k != "change"}
    if data.has_change:
        out["change"] = F.t("report.sections.change", wave_from=data.compare["wave_from"])
    return out


def section_header(data: ReportData, F: Formatter) -> dict[str, Any]:
    titles = section_titles(data, F)
    return {"title": F.t("report.title", wave=data.P["wave"]), "subtitle": F.t("report.subtitle"),
            "banner": F.t("report.synthetic_banner") if data.synthetic else None,
            "toc_title": F.t("report.toc"),
            "toc": [(k, titles[k]) for k in section_keys(data)],
            "nav": [("index.html", F.t("report.nav_index", wave=data.P["wave"])),
                    ("tables/tables.xlsx", F.t("report.nav_workbook"))]}
