"""index.html: one wave's report, its PDF and workbook, every wave of the report and every notebook page.

Imports no pandas or jinja2 itself (jinja2 on first use): the runner imports it on its no-op path. The
path of compare_summary.json comes from analysis.base.contracts (which imports pandera at its top today).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base import contracts, io
from .. import catalogue
from .html import page

INDEX_CSS = """body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 42rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.5; }
h1 { color: #1d4f91; }
.banner { border: 3px solid #b00020; background: #fdecee; color: #5c0011; padding: 0.8rem 1rem;
  border-radius: 6px; font-weight: 600; }"""


def render_index(output_dir: Path, notebook_htmls: list[Path], *, lang: str, wave: Any, synthetic: bool,
                 has_pdf: bool, has_workbook: bool) -> str:
    """index.html: the wave in the title, links to the report, its PDF and workbook, every notebook page."""
    def t(key: str, **kw: Any) -> str:
        return catalogue.text(key, lang, **kw)

    links = [("report.html", t("index.report"))]
    if has_pdf:
        links.append(("report.pdf", t("index.pdf")))
    if has_workbook:
        links.append(("tables/tables.xlsx", t("index.workbook")))
    nbs = [(f"notebooks/{Path(p).name}", Path(p).stem) for p in sorted(notebook_htmls, key=lambda p: Path(p).name)]
    return page("index.html.j2", lang=lang, title=t("index.title", wave=wave), css=INDEX_CSS,
                intro=t("index.intro"), links=links, notebooks_title=t("index.notebooks"), notebooks=nbs,
                banner=t("report.synthetic_banner") if synthetic else None, waves_title=t("index.waves"),
                waves=index_waves(Path(output_dir), wave, lang))


def index_waves(output_dir: Path, wave: Any, lang: str) -> list[tuple[str | None, str]]:
    """Every wave of the report, in order: this one, and the wave 05_compare compared it with (from
    compare_summary.json), linked to its index when that sits beside this report's folder."""
    waves = {int(wave): (None, catalogue.text("index.this_wave", lang, wave=wave))}
    summary = output_dir / contracts.contract("compare_summary").path
    if summary.is_file():
        earlier = int(io.read_json(summary)["wave_from"])
        href = f"../{earlier}/index.html" if (output_dir.parent / str(earlier) / "index.html").is_file() else None
        waves[earlier] = (href, catalogue.text("index.other_wave", lang, wave=earlier))
    return [waves[w] for w in sorted(waves)]
