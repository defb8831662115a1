"""Step 04_report: report.html from the validated tables and provenance.json, written only when the
disclosure audit finds no hidden cell that could be worked out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base import contracts, io
from ...base.errors import ContractError
from ...present import published
from ...present.report.data import load
from ...present.report.render import render
from .. import provenance


def run(P: dict[str, Any]) -> dict[str, Any]:
    """04_report: report.html from the validated tables (Jinja2 templates) and provenance.json,
    written only when the disclosure audit finds no hidden cell that could be worked out.

    The runner adds the workbook, the PDF and index.html once every notebook page is rendered.
    """

    out = Path(P["output_dir"])
    data = load(P)
    prov = provenance.collect(P)
    html = render(data, prov)
    # nothing is written if a hidden cell could be worked out from the tables, summaries and page
    found = published.audit_folder(out, contracts.read_table("analysis", P["processed_dir"]), int(P["min_cell"]),
                                   P["lang"], report_html=html)
    if len(found):
        raise ContractError(published.finding_line(found, out))
    contracts.write_json("provenance", prov, out)
    io.write_text(html, out / "report.html")
    return {"path": out / "report.html", "data": data, "provenance": prov}
