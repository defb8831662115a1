"""present.notebook: the notebooks' tables on hand-made rows: numbers from their units in the notebook's
language, every number tagged with its source, suppressed cells as the report's dash with its note,
headers that follow alpha, grids from `wide`; the figure and text helpers. On the tables of a real small
run (conftest.small_run): labels in one language, the response table's disclosure rules, escaped and
deterministic HTML, the catalogue's texts with their LaTeX."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.base import contracts
from analysis.present import catalogue, fmt
from analysis.present.cells import read_tagged
from analysis.present.notebook import Display

NBSP = "\u00a0"


def _display(lang: str = "sv", alpha: float = 0.05) -> Display:
    return Display({"lang": lang, "alpha": alpha, "min_cell": 5, "wave": 2019, "output_dir": "reports/2019"})


def _headline() -> pd.DataFrame:
    return pd.DataFrame({"item": ["ciso", "awareness"], "n_eligible": [252, 3], "share_weighted": [0.5893, None],
                         "ci_low": [0.570, None], "ci_high": [0.607, None], "suppressed": [False, True]})


def test_numbers_labels_and_intervals_in_the_notebooks_language():
    t = _display("sv").table(_headline(), "headline", ["item", "n_eligible", "share_weighted", ("ci_low", "ci_high")])
    assert t.head == ["Nyckeltal", "Svarande", "Andel (viktad)", f"95{NBSP}% KI"]
    assert t.rows[0][1:] == ["252", f"58,9{NBSP}%", f"57,0–60,7{NBSP}%"]
    assert t.rows[0][0][0].isupper()  # labels start with a capital
    en = _display("en", alpha=0.10).table(_headline(), "headline", ["share_weighted", ("ci_low", "ci_high")])
    assert en.head[1] == "90% CI" and en.rows[0] == ["58.9%", "57.0–60.7%"]


def test_suppressed_cells_show_the_dash_and_the_note():
    t = _display("sv").table(_headline(), "headline", ["item", "n_eligible", "share_weighted"])
    dash = catalogue.text("report.suppressed", "sv")
    assert t.rows[1][1:] == ["3", dash]  # the count is shown, the share hidden
    assert t.notes == [catalogue.text("report.suppressed_note", "sv", min_cell=5)]
    assert len(_display("sv").table(_headline().head(1), "headline", ["share_weighted"]).notes) == 0


def test_every_number_is_tagged_with_its_source():
    t = _display("en").table(_headline(), "headline", ["item", "n_eligible", ("ci_low", "ci_high")])
    tags = read_tagged(t._repr_html_())
    assert [(g.src, g.key, g.cols, g.text) for g in tags[:2]] == [
        ("headline", {"item": "ciso"}, ["n_eligible"], "252"),
        ("headline", {"item": "ciso"}, ["ci_low", "ci_high"], "57.0–60.7%")]
    assert {g.key["item"] for g in tags} == {"ciso", "awareness"}
    hidden = [g for g in tags if "suppressed" in g.classes]
    assert [(g.key, g.cols, g.text) for g in hidden] == [({"item": "awareness"}, ["ci_low", "ci_high"], "–")]
    soup = BeautifulSoup(t._repr_html_(), "html.parser")
    assert not soup.select("td.num:not([data-src])")  # no number escapes the tags


def test_the_frame_holds_the_shown_text():
    t = _display("sv").table(_headline(), "headline", ["item", "n_eligible"])
    assert list(t.frame.columns) == t.head and t.frame.iloc[0, 1] == "252"
    assert "252" in repr(t)


def test_wide_puts_one_value_in_a_grid():
    df = pd.DataFrame({"outcome": ["ciso", "ciso", "awareness"], "spec": ["main", "strata", "main"],
                       "odds_ratio": [1.5, 1.25, 2.0]})
    t = _display("en").wide(df, "models", index=["outcome"], column="spec", value="odds_ratio",
                            order=["main", "strata"])
    assert t.head[1:] == ["Main specification", "Strata"]  # labels of the specs, capitalised
    assert [r[1:] for r in t.rows] == [["1.50", "1.25"], ["2.00", ""]]
    t.caption = "Odds ratios of <ciso>"  # 03_model captions its grids
    assert BeautifulSoup(t._repr_html_(), "html.parser").caption.get_text() == "Odds ratios of <ciso>"


def test_values_and_labels():
    d = _display("sv")
    assert d.value(0.5, "proportion") == f"50,0{NBSP}%"
    verdict = catalogue.label("verdicts", "supported", "sv")
    assert d.label("verdict", "supported") == verdict[:1].upper() + verdict[1:]
    assert d.label("item", None) == ""


# --------------------------------------------------------------------- on a real run's tables
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
