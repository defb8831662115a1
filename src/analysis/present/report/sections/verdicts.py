"""The verdicts on SKR's claims: one row per claim (its label, the verdict and the explanation, every
number a span tagged with its row of verdicts.csv or claim_tests.csv) and Table 4, the claim map."""

from __future__ import annotations

from functools import partial

import pandas as pd
from markupsafe import Markup, escape

from ....base import contracts
from ... import catalogue, fmt
from ...cells import Cell, Table
from ...labels import term_label
from ..data import ReportData
from ..formatter import Formatter, head, p_text

FEW_TESTS = 3  # up to this many decisive tests, each is named with its numbers; more are summarised


def _range(F: Formatter, name: str, row: pd.Series, lo: str, hi: str) -> Markup:
    """'a–b' from two columns as one tagged span, or 'a' when both show the same."""
    a, b = F.value(name, row, lo), F.value(name, row, hi)
    if a == b:
        return F.span(name, row, (lo,), a)
    return F.span(name, row, (lo, hi), fmt.interval(row[lo], row[hi], contracts.unit(name, lo), F.lang,
                                                    contracts.digits(name, lo)))


def _what(F: Formatter, claim: str, kind: str = "what") -> str:
    """What a claim's tests are about (verdict_text.what_<claim> or what_supporting_<claim>)."""
    key = f"verdict_text.{kind}_{claim}"
    return F.t(key) if catalogue.has(key) else claim


def _tests_text(data: ReportData, F: Formatter, r: pd.Series, decisive: pd.DataFrame) -> Markup:
    """The decisive tests of one claim: the single test's numbers, each of a few tests, or the family."""
    v = partial(F.number, "verdicts", r)  # one tagged number of this verdict
    n_tests = int(r["n_tests"])
    if n_tests == 1:
        return F.fill("verdict_text.single", level=data.level, odds_ratio=v("odds_ratio"), ci_low=v("ci_low"),
                      ci_high=v("ci_high"),
                      p_value=F.span("verdicts", r, ("p_value",), p_text(F.value("verdicts", r, "p_value"))))
    if n_tests <= FEW_TESTS:
        tests = []
        for _, t in decisive.iterrows():
            c = partial(F.number, "claim_tests", t)  # one tagged number of this test
            tests.append(F.fill("verdict_text.test", outcome=term_label(t["outcome"], data.lang), level=data.level,
                                odds_ratio=c("odds_ratio"), ci_low=c("ci_low"), ci_high=c("ci_high"),
                                q_value=F.span("claim_tests", t, ("q_value",),
                                               p_text(F.value("claim_tests", t, "q_value")))))
        return (F.fill("verdict_text.tests_intro", what=_what(F, r["claim"])) + Markup(" ")
                + Markup("; ").join(tests) + Markup("."))
    return F.fill("verdict_text.family", what=_what(F, r["claim"]), n_pos=v("n_or_above_1"), n_tests=v("n_tests"),
                  n_sig=v("n_q_below_alpha_positive"), alpha=v("alpha"), median_or=v("median_odds_ratio"),
                  median_ame=v("median_ame"))


def _power_text(F: Formatter, r: pd.Series) -> Markup:
    v = partial(F.number, "verdicts", r)  # one tagged number of this verdict
    power = {"alpha": v("alpha"), "power": v("power"), "meaningful": v("meaningful_odds_ratio"),
             "mde": _range(F, "verdicts", r, "mde_min", "mde_max"),
             "pow": _range(F, "verdicts", r, "power_meaningful_min", "power_meaningful_max")}
    if int(r["n_tests"]) == 1:
        return F.fill("verdict_text.power_single", **power)
    return F.fill("verdict_text.power_range", n_tests=v("n_tests"), **power)


def _explanation(data: ReportData, F: Formatter, r: pd.Series, verdict: str) -> Markup:
    """The verdict in words: what it rests on, the supporting tests, the power, what it means, caveats."""
    claim, ct = r["claim"], data.tables["claim_tests"]
    v = partial(F.number, "verdicts", r)  # one tagged number of this verdict
    parts = [F.fill("verdict_text.on_these_data", verdict=verdict[0].lower() + verdict[1:]),
             _tests_text(data, F, r, ct[(ct["claim"] == claim) & (ct["role"] == "decisive")])]
    if int(r["n_supporting"]) > 0:
        parts.append(F.fill("verdict_text.supporting", what=_what(F, claim, "what_supporting"),
                            n_pos=v("n_supporting_or_above_1"), n_tests=v("n_supporting"),
                            n_sig=v("n_supporting_q_below_alpha_positive"), alpha=v("alpha")))
    parts.append(_power_text(F, r))
    for key in (f"verdict_text.meaning_{r['verdict']}", f"verdict_text.note_{claim}"):
        if catalogue.has(key):
            parts.append(escape(F.t(key)))
    parts.append(escape(F.t("verdict_text.caveat")))
    return Markup(" ").join(parts)


def verdicts_table(data: ReportData, F: Formatter) -> Table:
    """One row per claim of verdicts.csv: the claim, the verdict, the explanation."""
    head_row = [head(F.t("models.verdict_claim")), head(F.t("models.verdict_verdict")),
                head(F.t("models.verdict_text"))]
    rows = []
    for _, r in data.tables["verdicts"].iterrows():
        verdict = catalogue.label("verdicts", r["verdict"], data.lang)
        rows.append([Cell(catalogue.label("claims", r["claim"], data.lang)), Cell(verdict, cls="verdict"),
                     Cell(_explanation(data, F, r, verdict))])
    return Table("table-verdicts", None, [head_row], rows, cls="verdicts")


def claims_table(data: ReportData, F: Formatter) -> Table:
    """Table 4: the map from each claim to its decisive and supporting tests (claim_tests.csv)."""
    ct, lang, level = data.tables["claim_tests"], data.lang, data.level
    name = "claim_tests"
    head_row = [head(F.t("models.column_role")), head(F.t("columns.outcome")), head(F.t("columns.term")),
                head(F.t("columns.odds_ratio") + f" ({F.t('columns.interval', level=level)})", True),
                head(F.t("models.column_q"), True), head(F.t("models.column_mde"), True)]
    rows = []
    for claim in dict.fromkeys(ct["claim"]):
        rows.append([Cell(catalogue.label("claims_short", claim, lang), header=True, colspan=6, cls="group-row")])
        for _, t in ct[ct["claim"] == claim].iterrows():
            rows.append([Cell(catalogue.label("roles", t["role"], lang)), Cell(term_label(t["outcome"], lang)),
                         Cell(term_label(t["term"], lang)),
                         F.num(name, t, ("odds_ratio", "ci_low", "ci_high"), style="estimate_interval"),
                         F.num(name, t, "q_value"), F.num(name, t, "mde_odds_ratio")])
    power = fmt.value(float(data.model.get("power", 0.8)), "proportion", lang, 0)
    return Table("table-claims", F.t("models.claims_caption", level=level), [head_row], rows,
                 [F.t("models.claims_note", power=power)], cls="compact")
