"""present.report.pages: a notebook page links back to the index and the report, carries the banner
when the data are synthetic, takes its language from the notebook's parameters and loads nothing; its
formulas are MathML, offline (through the report's facade, as the runner calls it)."""

from __future__ import annotations

import nbformat
from bs4 import BeautifulSoup

from analysis.present.report import pages


def _notebook(lang: str | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = {"wave": 2019} | ({"lang": lang} if lang else {})
    nb.metadata["papermill"] = {"parameters": params, "input_path": "02_describe.ipynb"}
    nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
    return nb


def test_notebook_pages_link_back_and_carry_the_banner():
    soup = BeautifulSoup(pages.render_notebook_html(_notebook("en"), synthetic=True), "html.parser")
    assert [a["href"] for a in soup.select("nav.project-links a")] == ["../index.html", "../report.html"]
    assert "not SKR's results" in soup.select_one("#synthetic-banner").get_text()
    assert not soup.select('script[src^="http"], link[href^="http"]')


def test_real_data_have_no_banner_and_the_language_defaults_to_swedish():
    nb = _notebook(None)
    soup = BeautifulSoup(pages.render_notebook_html(nb, synthetic=False), "html.parser")
    assert soup.select_one("#synthetic-banner") is None
    assert soup.title.get_text() == "02_describe"
    assert soup.html["lang"] == "sv" and "2019" in soup.select("nav.project-links a")[0].get_text()
    assert "title" not in nb.metadata  # the caller's notebook is not changed


def test_the_runners_entry_points_import_no_heavy_library():
    """The runner imports present.report (render_index, render_notebook_html) on its no-op path."""
    import subprocess
    import sys

    heavy = ("jinja2", "nbconvert", "openpyxl", "bleach", "matplotlib", "IPython")
    code = ("import sys, analysis.present.report as r; r.render_index, r.render_notebook_html; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout


def test_notebook_pages_render_formulas_as_mathml_offline():
    from analysis.present import report

    md_out = nbformat.v4.new_output("display_data", data={"text/markdown": "## Method\n\nWeight $w_h = N_h / n_h$.",
                                                          "text/plain": "<Markdown>"})
    narrative = nbformat.v4.new_code_cell('show.text("describe.method")', metadata={"tags": ["narrative"]},
                                          outputs=[md_out])
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(r"Share $\hat p = \frac{\sum_i w_i y_i}{\sum_i w_i}$ and $$\sum_h n_h = n.$$"),
        narrative,
        nbformat.v4.new_code_cell("result = 1 + 1"),
    ], metadata={"papermill": {"parameters": {"lang": "en", "wave": 2019}}})
    html = report.render_notebook_html(nb, synthetic=True)
    assert html.count("<math") == 3 and "$" not in html.split("<body", 1)[1].replace("&#36;", "")
    assert "<script" not in html and "mathjax" not in html.lower()
    assert 'show.text(' not in html  # the narrative cell's code is left out, its text stays
    assert 'id="Method"' in html and "result" in html
