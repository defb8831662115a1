"""The analysts' notebook pages: an executed notebook as HTML (code included), offline, with a bar back
to the index and the report, and the synthetic banner when the data were.

Light at import (nbconvert loads in present.nbhtml's exporter on first use): the runner imports it on
its no-op path.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from .. import catalogue, nbhtml
from .html import TEMPLATES_DIR

NOTEBOOK_TEMPLATE = "notebook"  # present/templates/notebook: JupyterLab's, without any CDN


def _notebook_params(nb) -> dict[str, Any]:
    return nb.metadata.get("papermill", {}).get("parameters", {}) or {}


def render_notebook_html(nb, *, synthetic: bool) -> str:
    """The analysts' HTML of an executed notebook (code included), self-contained (no CDN), with a
    bar linking back to the index and the report, and the synthetic banner when the data were.
    Formulas are MathML (present.nbhtml), so the page needs no script."""
    nb = copy.deepcopy(nb)
    params = _notebook_params(nb)
    lang = params.get("lang", "sv") if params.get("lang") in catalogue.LANGS else "sv"
    path = nb.metadata.get("papermill", {}).get("input_path") or nb.metadata.get("title") or "notebook"
    exporter = nbhtml.exporter(NOTEBOOK_TEMPLATE, str(TEMPLATES_DIR), lang)
    nb.metadata["title"] = Path(str(path)).stem
    nav = {"index": ("../index.html", catalogue.text("index.back", lang, wave=params.get("wave", ""))),
           "report": ("../report.html", catalogue.text("report.nav_report", lang)),
           "banner": catalogue.text("report.synthetic_banner", lang) if synthetic else ""}
    body, _ = exporter.from_notebook_node(nb, resources={"nav": nav})
    return body
