"""The figures the report embeds: the PNGs of the report's language, numbered in order, captioned,
by section (the model figures only when models were fitted)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from .. import catalogue
from .data import ReportData
from .sections.header import SECTIONS, section_keys

# Figures by section, in the order they are numbered.
FIGURE_SECTION = {
    "headline_shares": "shares",
    "trend": "change",
    "headline_by_group_heatmap": "groups",
    "maturity_index_map": "groups",
    "model_forest_or": "models",
    "model_ame": "models",
    "response_rate_by_group": "nonresponse",
}
_LANG_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<lang>sv|en)$")


def found_figures(data: ReportData) -> dict[str, Path]:
    """The report's figures in its language that exist, by name; none of the models' without models."""
    found = {}
    for p in sorted((data.output_dir / "figures").glob(f"*_{data.lang}.png")):
        m = _LANG_SUFFIX.match(p.stem)
        if m and m["base"] in FIGURE_SECTION:
            found[m["base"]] = p
    if data.model.get("not_estimable"):  # no models: no model figures, whatever the folder holds
        found = {b: p for b, p in found.items() if FIGURE_SECTION[b] != "models"}
    return found


def figures_by_section(data: ReportData) -> dict[str, list[dict[str, Any]]]:
    """The PNG figures in the report's language, numbered in FIGURE_SECTION order, by section."""
    found = found_figures(data)
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    shown = set(section_keys(data))
    for n, base in enumerate([b for b in FIGURE_SECTION if b in found and FIGURE_SECTION[b] in shown], 1):
        caption = catalogue.text(f"figures.captions.{base}", data.lang, n=n, level=data.level,
                                 min_cell=data.P["min_cell"], wave=data.P["wave"])
        out[FIGURE_SECTION[base]].append({
            "id": f"fig-{base}", "caption": caption, "alt": catalogue.text("figures.alt", data.lang, caption=caption),
            "src": "data:image/png;base64," + base64.b64encode(found[base].read_bytes()).decode("ascii")})
    return out
