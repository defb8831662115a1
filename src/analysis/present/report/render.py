"""report.html: the view model (report.view) rendered by one template per section, sanitised, in a page.

Every number is formatted from its column's declared unit and carries its source in data-* attributes
(present.cells), so a test can compare each shown number with the table it comes from. Computes no
estimate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .data import ReportData
from .html import page
from .view import context

REPORT_CSS = Path(__file__).resolve().parent.parent / "report.css"


def render(data: ReportData, prov: dict[str, Any]) -> str:
    """report.html: the body from one template per section, sanitised as a second defence, in a page."""
    ctx = context(data, prov)
    return page("report.html.j2", lang=data.lang, title=ctx["header"]["title"],
                css=REPORT_CSS.read_text(encoding="utf-8"), **{k: v for k, v in ctx.items() if k != "lang"})
