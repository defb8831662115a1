"""present.report.render: report.html of a real small run: self-contained (no script, nothing remote),
hostile data shown as text, the synthetic banner only for synthetic data."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from analysis.present.report.data import load
from analysis.present.report.render import render
from analysis.run import provenance
from conftest import HOSTILE


def _page(P) -> str:
    return (Path(P["output_dir"]) / "report.html").read_text(encoding="utf-8")


def test_report_is_self_contained_and_has_no_script(small_run):
    page = _page(small_run["sv"])
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "@import" not in page
    assert page.count('src="data:image/png;base64,') == 6


def test_hostile_text_is_shown_as_text(small_run):
    P = small_run["sv"]
    data = load(P)
    resp = data.tables["response"]
    data.tables["response"] = resp.assign(name=[HOSTILE[i % 3] if g == "lan_kod" else n
                                                for i, (g, n) in enumerate(zip(resp["grouping"], resp["name"],
                                                                               strict=True))])
    page = render(data, provenance.collect(P))
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.select("script, svg, iframe, [onerror], [onload]")
    assert all(img["src"].startswith("data:image/png;base64,") for img in soup.select("img"))
    assert HOSTILE[0] in soup.get_text() and HOSTILE[1] in soup.get_text()


def test_banner_present_when_synthetic_and_absent_when_not(small_run):
    P = small_run["sv"]
    assert BeautifulSoup(_page(P), "html.parser").select_one("#synthetic-banner")
    data = load(P)
    data.run_info = dict(data.run_info, synthetic=False)
    real = BeautifulSoup(render(data, provenance.collect(P)), "html.parser")
    assert real.select_one("#synthetic-banner") is None and "SYNTETISKA" not in real.get_text()
