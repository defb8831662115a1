"""What the notebooks show and how: the display helpers (numbers from units, labels in one language
that follow alpha, the report's disclosure rules) and the notebook pages (formulas as MathML,
offline). `analysis.load` is tests/run/test_explore.py."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from analysis.base import contracts
from analysis.present import catalogue, fmt
from analysis.present.notebook import Display


# ------------------------------------------------------------------------------------ display
def _cells(table) -> dict[str, list[str]]:
    return {h: [row[i] for row in table.rows] for i, h in enumerate(table.head)}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_tables_are_formatted_from_units_in_one_language(small_run, lang):
    P = small_run[lang]
    headline = contracts.read_table("headline", P["output_dir"])
    t = Display(P).table(headline, "headline", ["item", "n_eligible", "share_weighted", ("ci_low", "ci_high")])
    assert t.head == [catalogue.text("columns.item", lang), catalogue.text("columns.n_eligible", lang),
                      catalogue.text("columns.share_weighted", lang),
                      catalogue.text("columns.interval", lang, level=fmt.level(0.05, lang))]
    ciso = headline.set_index("item").loc["ciso"]
    row = t.rows[list(headline["item"]).index("ciso")]
    assert row[0] == getattr(ciso, f"label_{lang}")[:1].upper() + getattr(ciso, f"label_{lang}")[1:]
    assert row[2] == fmt.percent(ciso["share_weighted"], lang, 1)  # e.g. 58,9 % / 58.9%
    assert row[3] == fmt.interval(ciso["ci_low"], ciso["ci_high"], "proportion", lang)
    other = "en" if lang == "sv" else "sv"
    assert getattr(ciso, f"label_{other}") not in t._repr_html_()  # the other language's label is not shown


def test_interval_labels_follow_alpha(small_run):
    P = dict(small_run["sv"], alpha=0.10)
    t = Display(P).table(contracts.read_table("headline", P["output_dir"]), "headline", [("ci_low", "ci_high")])
    assert t.head == ["90\u00a0% KI"]
    assert Display(dict(P, lang="en", alpha=0.005)).header(("ci_low", "ci_high")) == "99.5% CI"


def test_the_notebooks_response_table_follows_the_disclosure_rules(small_run):
    """01 shows survey.response_table: A1 only with A2, no group shown below min_cell, no hidden cell
    recoverable from a total, suppressed cells shown as the report's dash."""
    from analysis.compute import survey

    P = small_run["sv"]
    response = survey.response_table(contracts.read_table("analysis", P["processed_dir"]), P["min_cell"])
    t = Display(P).table(response, "response", ["grouping", "group", "N", "respondents", "rate"])
    groups = _cells(t)[catalogue.text("columns.group", "sv")]
    assert not [g for g in groups if g.startswith("A1 ") and "A2" not in g]
    assert any(g.startswith("A1 Storstäder + A2") for g in groups)
    dash = catalogue.text("report.suppressed", "sv")
    shown = response[~response["suppressed"]]
    assert (shown["N"] >= P["min_cell"]).all()
    for (_, r), row in zip(response.iterrows(), t.rows, strict=True):
        assert (row[3] == dash) == bool(r["suppressed"])
    assert catalogue.text("report.suppressed_note", "sv", min_cell=5) in t.notes


def test_table_html_is_escaped_and_deterministic(small_run):
    df = pd.DataFrame({"claim": ["<script>alert(1)</script>"], "verdict": ["supported"], "n_tests": [3]})
    t = Display(small_run["en"]).table(df, "verdicts", ["claim", "verdict", "n_tests"])
    html = t._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html == Display(small_run["en"]).table(df, "verdicts", ["claim", "verdict", "n_tests"])._repr_html_()
    assert "Supported" in html


def test_texts_come_from_the_catalogue_with_latex(small_run):
    md = Display(small_run["en"]).text("describe.method").data
    assert r"$$w_h = \frac{N_h}{n_h},$$" in md  # LaTeX braces undoubled
    assert "fewer than 5 respondents" in md and "Korn–Graubard (95%;" in md


# ----------------------------------------------------------------------------- notebook pages
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


def test_group_terms_of_both_models_are_labelled():
    from analysis.present.labels import term_label

    assert term_label("huvudgrupp[B]", "sv") == term_label("huvudgrupp_B", "sv") == "Huvudgrupp B"
    assert term_label("kommungrupp_A2", "en") == "Municipality group A2"


def test_the_model_notebook_uses_associational_language():
    for key, leaf in catalogue.leaves().items():
        if key.startswith("notebooks.model"):
            en = " ".join(leaf["en"].split()).replace("none of them shows that one thing causes another", "")
            sv = " ".join(leaf["sv"].split()).replace("inget av dem visar att det ena orsakar det andra", "")
            for word in ("leads to", "causes", "increases", "improves", "results in", "effect of",
                         "leder till", "orsakar", "ökar", "förbättrar", "effekten av"):
                assert word not in en.lower() and word not in sv.lower(), (key, word)
