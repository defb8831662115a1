"""present.nbhtml: a formula becomes MathML (inline and display), a malformed one stays readable as
source; the exporter leaves out the code of narrative cells and loads no script."""

from __future__ import annotations

import nbformat
from bs4 import BeautifulSoup

from analysis.present import nbhtml
from analysis.present.report.html import TEMPLATES_DIR


def test_a_formula_becomes_mathml():
    inline = BeautifulSoup(nbhtml.mathml(r"w_h = \frac{N_h}{n_h}", "inline"), "html.parser").math
    assert inline is not None and inline.get("display") == "inline"
    assert [part.get_text() for part in inline.select("mfrac > mrow")] == ["Nh", "nh"]  # N_h over n_h
    block = BeautifulSoup(nbhtml.mathml(r"\sum_h n_h = n", "block"), "html.parser").math
    assert block.get("display") == "block" and block.find("mo").get_text() == "\u2211"


def test_a_formula_latex2mathml_refuses_is_shown_as_its_source(monkeypatch):
    import latex2mathml.converter

    def refuse(tex, display):
        raise ValueError(f"cannot read {tex}")

    monkeypatch.setattr(latex2mathml.converter, "convert", refuse)
    assert nbhtml.mathml(r"a < \frac{b", "inline") == r'<code class="tex">a &lt; \frac{b</code>'


def test_the_exporter_renders_markdown_formulas_and_drops_narrative_code():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(r"Share $\hat p = \frac{\sum_i w_i y_i}{\sum_i w_i}$."),
        nbformat.v4.new_code_cell('show.text("x")', metadata={"tags": [nbhtml.NARRATIVE_TAG]}),
        nbformat.v4.new_code_cell("kept = 2"),
    ])
    html, _ = nbhtml.exporter("notebook", str(TEMPLATES_DIR), "en").from_notebook_node(nb)
    assert html.count("<math") == 1 and "<script" not in html
    assert "show.text" not in html and "kept" in html
