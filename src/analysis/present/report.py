"""The report: Jinja2 templates (one per section) filled from the validated tables of steps 01-03 and 05.

Every number is formatted from its column's declared unit (present.fmt) and carries its source in data-*
attributes, so a test can compare each shown number with the table it comes from. Computes no estimate.

Inputs are read through analysis.base.contracts (every table validated); texts come from the catalogue.
Jinja2 autoescapes every value. The rendered page is also passed through a bleach allow-list as a
second defence: the templates are ours, but the data (free text, labels from a codebook someone
edited) are not, and an allow-list catches a template or filter that forgets to escape.

Also here: the index page, the analysts' notebook pages (nbconvert) and provenance.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from markupsafe import Markup, escape

from ..base import contracts, io
from ..base.errors import ContractError
from ..base.codebook import HEADLINE_ITEMS, Codebook, codebook_for
from . import catalogue, fmt
from .labels import group_label, item_label, term_label

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
NOTEBOOK_TEMPLATE = "notebook"
REPORT_CSS = HERE / "report.css"

# Packages whose versions the provenance lists.
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
SECTIONS = ("summary", "shares", "change", "groups", "models", "nonresponse", "methods", "limitations",
            "provenance")
OUTPUT_TABLES = ("headline", "headline_by_group", "maturity_index", "response", "nonresponse_model", "models",
                 "reliability", "verdicts", "claim_tests", "se_design")
# Written by 05_compare when two waves are compared; the section "change" is shown only with them.
COMPARE_TABLES = ("change", "transitions", "trend")


# ------------------------------------------------------------------------------------- inputs
@dataclass
class ReportData:
    """What the report shows: validated tables, the steps' JSON summaries, the parameters."""

    P: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    describe: dict[str, Any]
    model: dict[str, Any]
    run_info: dict[str, Any]
    compare: dict[str, Any] | None = None  # compare_summary.json when 05 compared two waves

    @property
    def codebook(self) -> Codebook:
        """The codebook of the report's wave (labels and statements of its questions)."""
        return codebook_for(int(self.P["wave"]))

    @property
    def has_change(self) -> bool:
        return self.compare is not None

    @property
    def lang(self) -> str:
        return self.P["lang"]

    @property
    def output_dir(self) -> Path:
        return Path(self.P["output_dir"])

    @property
    def synthetic(self) -> bool:
        return io.is_synthetic(self.run_info)

    @property
    def level(self) -> str:
        return fmt.level(float(self.P["alpha"]), self.lang)


def load(P: dict[str, Any]) -> ReportData:
    """Read and validate every table and summary of 01-03 for parameters P.

    A missing or broken file raises ContractError naming it and the step that writes it.
    """
    out, processed = Path(P["output_dir"]), Path(P["processed_dir"])
    tables = {name: contracts.read_table(name, out) for name in OUTPUT_TABLES}
    describe, model = contracts.read_json("describe_summary", out), contracts.read_json("model_summary", out)
    compare = None
    if (out / contracts.contract("change").path).is_file():  # two waves compared (05_compare)
        compare = contracts.read_json("compare_summary", out)
        tables.update({name: contracts.read_table(name, out) for name in COMPARE_TABLES})
    # The intervals in the tables must be the ones the labels will name.
    checks = [("describe_summary.json", describe, ("alpha", "min_cell")), ("model_summary.json", model, ("alpha",))]
    if compare is not None:
        checks.append(("compare_summary.json", compare, ("alpha", "min_cell")))
    for name, summary, keys in checks:
        for k in keys:
            if float(summary[k]) != float(P[k]):
                raise ContractError(f"{out / name}: made with {k} = {summary[k]}, but the report is asked for "
                                    f"{k} = {P[k]}; rerun the earlier steps with the same parameters")
    return ReportData(P=P, tables=tables, describe=describe, model=model, run_info=contracts.read_json("run_info", processed),
                      compare=compare)


# ---------------------------------------------------------------------------------- view model
@dataclass
class Cell:
    """One table cell: its text and, for numbers, where they come from (contract, row key, columns)."""

    text: Any
    num: bool = False
    src: str | None = None
    key: dict[str, Any] | None = None
    cols: tuple[str, ...] = ()
    header: bool = False
    colspan: int = 1
    cls: str = ""
    title: str | None = None


@dataclass
class Table:
    id: str
    caption: str
    head: list[list[Cell]]
    rows: list[list[Cell]]
    notes: list[Any] = field(default_factory=list)
    cls: str = ""


def _key(row: pd.Series, key_cols: Iterable[str]) -> dict[str, Any]:
    out = {}
    for k in key_cols:
        v = row[k]
        out[k] = None if fmt.isna(v) else (v.item() if hasattr(v, "item") else v)
    return out


class Formatter:
    """Formats cells of one contract's rows in one language, from the declared units."""

    def __init__(self, data: ReportData):
        self.data = data
        self.lang = data.lang

    def t(self, key: str, **kw: Any) -> str:
        return catalogue.text(key, self.lang, **kw)

    def fill(self, key: str, **values: Any) -> Markup:
        """A catalogue text with its placeholders filled; Markup values (number spans) stay markup,
        everything else is escaped."""
        return Markup(escape(catalogue.text(key, self.lang))).format(**values)

    def fills(self, key: str, **values: Any) -> list[Markup]:
        """A catalogue list (e.g. methods.paragraphs), each item filled as `fill` does."""
        return [Markup(escape(leaf[self.lang])).format(**values) for leaf in catalogue.entry(key)]

    def value(self, name: str, row: pd.Series, col: str, digits: int | None = None) -> str:
        return fmt.value(row[col], contracts.unit(name, col), self.lang,
                         contracts.digits(name, col) if digits is None else digits)

    def bare(self, name: str, row: pd.Series, col: str, digits: int | None = None) -> str:
        """Like value(), but a proportion without its percent sign (for the low end of 'a–b %')."""
        if contracts.unit(name, col) != "proportion" or fmt.isna(row[col]):
            return self.value(name, row, col, digits)
        d = contracts.digits(name, col) if digits is None else digits
        return fmt.decimal(float(row[col]) * 100, self.lang, d)

    def span(self, name: str, row: pd.Series, cols: tuple[str, ...], text: str) -> Markup:
        """Number(s) in running text, tagged with their source like a table cell."""
        key = _key(row, contracts.contract(name).key)
        return Markup('<span class="num" data-src="{}" data-cols="{}" data-key=\'{}\'>{}</span>').format(
            name, " ".join(cols), Markup(escape(json.dumps(key, ensure_ascii=False))), text)

    def num(self, name: str, row: pd.Series, cols: str | tuple[str, ...], *, digits: int | None = None,
            style: str = "value", suppressed: bool = False, extra: str = "") -> Cell:
        """A numeric cell. style: value (one column), interval (low-high), estimate_interval
        (estimate [low-high]). Suppressed rows show the catalogue's dash."""
        cols = (cols,) if isinstance(cols, str) else tuple(cols)
        key = _key(row, contracts.contract(name).key)
        if suppressed:
            return Cell(self.t("report.suppressed"), num=True, src=name, key=key, cols=cols, cls="suppressed")
        unit = contracts.unit(name, cols[-1])
        d = contracts.digits(name, cols[-1]) if digits is None else digits
        if style == "interval":
            text = fmt.interval(row[cols[0]], row[cols[1]], unit, self.lang, d)
        elif style == "estimate_interval":
            est = fmt.value(row[cols[0]], contracts.unit(name, cols[0]), self.lang, d)
            ci = fmt.interval(row[cols[1]], row[cols[2]], unit, self.lang, d)
            text = f"{est} [{ci}]" if ci else est
        else:
            text = self.value(name, row, cols[0], d)
        return Cell(text + extra, num=True, src=name, key=key, cols=cols)

    def label(self, text: str, **kw: Any) -> Cell:
        return Cell(text, **kw)


def _h(text: Any, num: bool = False, colspan: int = 1, title: str | None = None) -> Cell:
    return Cell(text, num=num, header=True, colspan=colspan, title=title)


# -------------------------------------------------------------------------------- sections
def section_keys(data: ReportData) -> list[str]:
    """The report's sections in order; "change" only when two waves were compared."""
    return [k for k in SECTIONS if k != "change" or data.has_change]


def section_titles(data: ReportData, F: Formatter) -> dict[str, str]:
    out = {k: F.t(f"report.sections.{k}") for k in section_keys(data) if k != "change"}
    if data.has_change:
        out["change"] = F.t("report.sections.change", wave_from=data.compare["wave_from"])
    return out


def section_header(data: ReportData, F: Formatter) -> dict[str, Any]:
    titles = section_titles(data, F)
    return {"title": F.t("report.title", wave=data.P["wave"]), "subtitle": F.t("report.subtitle"),
            "banner": F.t("report.synthetic_banner") if data.synthetic else None,
            "toc_title": F.t("report.toc"),
            "toc": [(k, titles[k]) for k in section_keys(data)],
            "nav": [("index.html", F.t("report.nav_index", wave=data.P["wave"])),
                    ("tables/tables.xlsx", F.t("report.nav_workbook"))]}


def _headline(data: ReportData) -> pd.DataFrame:
    df = data.tables["headline"]
    order = {k: i for i, k in enumerate(HEADLINE_ITEMS)}
    return df.assign(_o=df["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def section_summary(data: ReportData, F: Formatter) -> dict[str, Any]:
    head = _headline(data)
    resp = data.tables["response"]
    total = resp[(resp["grouping"] == "all")].iloc[0]
    intro = F.fill("summary.intro", population=F.span("response", total, ("N",), F.value("response", total, "N")),
                   respondents=F.span("response", total, ("respondents",), F.value("response", total, "respondents")),
                   rate=F.span("response", total, ("rate",), F.value("response", total, "rate", 0)),
                   level=data.level, wave=data.P["wave"])
    cb = data.codebook
    items = []
    for _, row in head.iterrows():
        h = cb[str(row["item"])].headline
        gap = _missing_item(row)
        if gap:  # suppressed, or nobody answered: say so instead of a share
            items.append({"statement": F.t(f"summary.item_{gap}", question=getattr(cb[str(row["item"])], f"question_{data.lang}"),
                                           min_cell=data.P["min_cell"]), "interval": ""})
            continue
        x = row["x_of_10"]
        statement = Markup(escape(getattr(h, f"statement_{data.lang}"))).format(
            x=F.span("headline", row, ("x_of_10",), "–" if fmt.isna(x) else F.value("headline", row, "x_of_10")))
        share = F.span("headline", row, ("share_weighted",), F.value("headline", row, "share_weighted", 0))
        lo = F.span("headline", row, ("ci_low",), F.bare("headline", row, "ci_low", 0))
        hi = F.span("headline", row, ("ci_high",), F.value("headline", row, "ci_high", 0))
        if fmt.isna(row["published_share"]):
            interval = F.fill("summary.interval_unpublished", share=share, level=data.level, low=lo, high=hi)
        else:
            published = F.span("headline", row, ("published_x_of_10",), F.value("headline", row, "published_x_of_10"))
            interval = F.fill("summary.interval", share=share, level=data.level, low=lo, high=hi, published=published,
                              wave=data.P["wave"])
        items.append({"statement": statement, "interval": interval})
    mat = data.tables["maturity_index"]
    overall = mat[mat["grouping"] == "all"].iloc[0]
    maturity = None
    if not fmt.isna(overall["mean"]):
        maturity = F.fill("summary.maturity",
                          mean=F.span("maturity_index", overall, ("mean",), F.value("maturity_index", overall, "mean")),
                          low=F.span("maturity_index", overall, ("ci_low",), F.value("maturity_index", overall, "ci_low")),
                          high=F.span("maturity_index", overall, ("ci_high",), F.value("maturity_index", overall, "ci_high")),
                          level=data.level)
    return {"intro": intro, "key_figures": items, "maturity": maturity}


def _missing_item(row: pd.Series) -> str | None:
    """'suppressed' (fewer than min_cell valid answers), 'no_answers' (none), or None for a headline row."""
    if bool(row.get("suppressed", False)):
        return "suppressed"
    if not fmt.isna(row["n_eligible"]) and int(row["n_eligible"]) == 0:
        return "no_answers"
    return None


def _reasons(problems: list[dict], F: Formatter) -> str:
    """Problems of analysis.compute.estimable in words, joined with semicolons."""
    parts = []
    for p in problems:
        values = {k: (fmt.value(v, "count", F.lang) if isinstance(v, int) else v) for k, v in p.items() if k != "reason"}
        item = str(p.get("item", ""))
        if item.endswith("_level"):
            values["item"] = F.t("estimable.cut_partly", item=term_label(item[: -len("_level")], F.lang))
        elif item:
            values["item"] = term_label(item, F.lang)
        parts.append(F.t(f"estimable.{p['reason']}", **values))
    return "; ".join(parts)


def _suppressed_note(F: Formatter, data: ReportData) -> str:
    return F.t("report.suppressed_note", min_cell=data.P["min_cell"])


def section_shares(data: ReportData, F: Formatter) -> dict[str, Any]:
    name = "headline"
    level = data.level
    head = [[_h(F.t("columns.item")), _h(F.t("columns.n_eligible"), True), _h(F.t("columns.n_yes"), True),
             _h(F.t("columns.share_weighted"), True), _h(F.t("columns.interval", level=level), True),
             _h(F.t("columns.bounds"), True), _h(F.t("columns.published_share", wave=data.P["wave"]), True)]]
    rows, hidden, empty = [], False, []
    for _, r in _headline(data).iterrows():
        gap = _missing_item(r)
        supp = gap == "suppressed"
        hidden |= supp
        if gap == "no_answers":
            empty.append(item_label(r["item"], data.lang, data.codebook))
        rows.append([Cell(item_label(r["item"], data.lang, data.codebook)),
                     F.num(name, r, "n_eligible", suppressed=supp), F.num(name, r, "n_yes", suppressed=supp),
                     F.num(name, r, "share_weighted", suppressed=supp),
                     F.num(name, r, ("ci_low", "ci_high"), style="interval", suppressed=supp),
                     F.num(name, r, ("bound_low", "bound_high"), style="interval", suppressed=supp),
                     F.num(name, r, "published_share", digits=0)])
    notes = ([_suppressed_note(F, data)] if hidden else []) + (
        [F.t("shares.no_answers_note", items=", ".join(empty))] if empty else [])
    table = Table("table-headline", F.t("shares.caption", wave=data.P["wave"]), head, rows, notes)
    return {"intro": F.t("shares.intro"), "table": table}


def _signed(text: str, value: Any) -> str:
    """A change shown with its sign: '+5,7' for a rise (fmt already writes the minus of a fall)."""
    return text if fmt.isna(value) or float(value) <= 0 or not text else "+" + text


def _item_map(data: ReportData):
    from ..base.codebook import item_map

    return item_map(int(data.compare["wave_from"]), int(data.compare["wave_to"]))


def section_change(data: ReportData, F: Formatter) -> dict[str, Any]:
    """Change since the earlier wave (05_compare): the lead sentence, the change, transition and
    public-record tables, and the notes of items whose wording changed."""
    lang, level = data.lang, data.level
    w_from, w_to = int(data.compare["wave_from"]), int(data.compare["wave_to"])
    change = data.tables["change"]
    lead = None
    first = change[change["item"] == "ciso"] if (change["item"] == "ciso").any() else change.head(1)
    if len(first) and not fmt.isna(first.iloc[0]["change"]):
        r = first.iloc[0]
        lead = F.fill("change.lead", label=item_label(r["item"], lang), wave_from=w_from, wave_to=w_to, level=level,
                      share_from=F.span("change", r, ("share_from",), F.value("change", r, "share_from")),
                      share_to=F.span("change", r, ("share_to",), F.value("change", r, "share_to")),
                      change=F.span("change", r, ("change",), _signed(F.value("change", r, "change"), r["change"])),
                      low=F.span("change", r, ("ci_low",), F.value("change", r, "ci_low")),
                      high=F.span("change", r, ("ci_high",), F.value("change", r, "ci_high")),
                      low_ind=F.span("change", r, ("ci_low_independent",), F.value("change", r, "ci_low_independent")),
                      high_ind=F.span("change", r, ("ci_high_independent",),
                                      F.value("change", r, "ci_high_independent")))
    head = [[_h(F.t("columns.item")), _h(F.t("columns.share_wave", wave=w_from), True),
             _h(F.t("columns.share_wave", wave=w_to), True), _h(F.t("columns.change"), True),
             _h(F.t("columns.interval_independent", level=level), True),
             _h(F.t("columns.interval_panel", level=level), True), _h(F.t("columns.n_both"), True),
             _h(F.t("columns.comparability"))]]
    rows = []
    for _, r in change.iterrows():
        c = F.num("change", r, "change")
        c.text = _signed(c.text, r["change"])
        rows.append([Cell(item_label(r["item"], lang)), F.num("change", r, "share_from"), F.num("change", r, "share_to"),
                     c, F.num("change", r, ("ci_low_independent", "ci_high_independent"), style="interval"),
                     F.num("change", r, ("ci_low", "ci_high"), style="interval"),
                     F.num("change", r, "n_both"),
                     Cell(catalogue.label("comparability", r["comparability"], lang))])
    links = _item_map(data)
    changed = [links[str(i)] for i in change["item"] if links[str(i)].comparability != "same"]
    notes = [F.t("change.item_note", label=item_label(link.item_from, lang), note=getattr(link, f"note_{lang}"))
             for link in changed]
    t1 = Table("table-change", F.t("change.change_caption", wave_from=w_from, wave_to=w_to, level=level), head, rows,
               notes, cls="compact change")

    tr = data.tables["transitions"]
    head2 = [[_h(F.t("columns.item")), _h(F.t("columns.n_both"), True), _h(F.t("columns.kept_yes"), True),
              _h(F.t("columns.lost"), True), _h(F.t("columns.gained"), True), _h(F.t("columns.kept_no"), True),
              _h(F.t("columns.mcnemar"), True)]]
    rows2, any_supp = [], False
    for _, r in tr.iterrows():
        supp = bool(r["suppressed"])
        any_supp |= supp
        rows2.append([Cell(item_label(r["item"], lang)), F.num("transitions", r, "n_both")]
                     + [F.num("transitions", r, col, suppressed=supp) for col in ("kept_yes", "lost", "gained", "kept_no",
                                                                               "p_value")])
    t2 = Table("table-transitions", F.t("change.transitions_caption", wave_from=w_from, wave_to=w_to), head2, rows2,
               [F.t("change.suppressed_note", min_cell=data.P["min_cell"])] if any_supp else [], cls="compact change")

    trend = data.tables["trend"]
    pub = trend[trend["kind"] == "published"]
    head3 = [[_h(F.t("columns.item")), _h(F.t("columns.wave")), _h(F.t("columns.publisher")),
              _h(F.t("columns.published_figure")), _h(F.t("columns.interval", level=level), True),
              _h(F.t("columns.comparability")), _h(F.t("columns.source"))]]
    rows3 = []
    for _, r in pub.iterrows():
        if r["interval"] == "clopper_pearson":
            figure = F.fill("change.of", x=F.span("trend", r, ("numerator",), F.value("trend", r, "numerator")),
                            n=F.span("trend", r, ("denominator",), F.value("trend", r, "denominator")))
            ci = F.num("trend", r, ("ci_low", "ci_high"), style="interval")
        else:
            figure = F.fill("change.x_of_10", x=F.span("trend", r, ("x_of_10",), F.value("trend", r, "x_of_10")))
            ci = F.num("trend", r, ("ci_low", "ci_high"), style="interval")
        method = catalogue.label("intervals", r["interval"], lang)
        ci.text = Markup("{}<br><small>{}</small>").format(ci.text, method)
        comp = Markup("{}<br><small>{}</small>").format(catalogue.label("comparability", r["comparability"], lang),
                                                         F.t("change.source_note", note=r["note"]))
        rows3.append([Cell(item_label(r["item"], lang)), Cell(str(r["wave"])), Cell(r["publisher"]), Cell(figure), ci,
                      Cell(comp), Cell(r["source_url"], cls="url")])
    t3 = Table("table-record", F.t("change.record_caption", wave_to=w_to), head3, rows3, cls="compact record")
    return {"lead": lead, "intro": F.t("change.intro", wave_from=w_from, wave_to=w_to), "caveat": F.t("change.caveat"),
            "comparability": F.t("change.comparability_intro") if changed else None, "tables": [t1, t2, t3],
            "transitions_intro": F.t("change.transitions_intro"),
            "record_intro": F.t("change.record_intro", wave_to=w_to)}


def section_groups(data: ReportData, F: Formatter) -> dict[str, Any]:
    lang = data.lang
    bg = data.tables["headline_by_group"]
    bg = bg[bg["grouping"].isin(["kommungrupp", "huvudgrupp"])]
    groups = list(dict.fromkeys(zip(bg["grouping"], bg["group"])))
    head = [[_h(F.t("columns.item"))] + [_h(g, True, title=group_label(gr, g, lang)) for gr, g in groups]]
    rows, any_supp = [], False
    for item in [i for i in HEADLINE_ITEMS if i in set(bg["item"])]:
        sub = bg[bg["item"] == item].set_index(["grouping", "group"], drop=False)
        cells = [Cell(item_label(item, lang, data.codebook))]
        for gr, g in groups:
            r = sub.loc[(gr, g)]
            supp = bool(r["suppressed"]) or fmt.isna(r["share_weighted"])
            any_supp |= supp
            cells.append(F.num("headline_by_group", r, "share_weighted", digits=0, suppressed=supp))
        rows.append(cells)
    legend = "; ".join(group_label(gr, g, lang) for gr, g in groups)
    notes = [legend] + ([_suppressed_note(F, data)] if any_supp else [])
    t2 = Table("table-groups", F.t("groups.caption"), head, rows, notes, cls="compact")

    mat = data.tables["maturity_index"]
    mat = mat[mat["grouping"].isin(["all", "kommungrupp", "huvudgrupp"])]
    head3 = [[_h(F.t("columns.group")), _h(F.t("columns.n"), True), _h(F.t("columns.mean"), True),
              _h(F.t("columns.interval", level=data.level), True)]]
    rows3, any_supp = [], False
    for _, r in mat.iterrows():
        supp = bool(r["suppressed"])
        any_supp |= supp
        rows3.append([Cell(group_label(r["grouping"], r["group"], lang)),
                      F.num("maturity_index", r, "n", suppressed=supp),
                      F.num("maturity_index", r, "mean", suppressed=supp),
                      F.num("maturity_index", r, ("ci_low", "ci_high"), style="interval", suppressed=supp)])
    census = mat[mat["ci_method"] == "census"]
    notes3 = [_suppressed_note(F, data)] if any_supp else []
    if len(census):
        names = ", ".join(group_label(g, v, lang) for g, v in zip(census["grouping"], census["group"]))
        notes3.append(F.t("groups.census_note", groups=names))
    t3 = Table("table-maturity", F.t("groups.maturity_caption", level=data.level), head3, rows3, notes3)
    return {"intro": F.t("groups.intro", min_cell=data.P["min_cell"]), "tables": [t2, t3]}


def _verdict_rows(data: ReportData, F: Formatter) -> list[dict[str, Any]]:
    """One row per claim: its label, the verdict's label and the explanation, every number a span
    tagged with its row of verdicts.csv or claim_tests.csv."""
    ver, ct = data.tables["verdicts"], data.tables["claim_tests"]
    name = "verdicts"
    out = []
    for _, r in ver.iterrows():
        claim = r["claim"]

        def v(col: str, r=r) -> Markup:
            return F.span(name, r, (col,), F.value(name, r, col))

        verdict = catalogue.label("verdicts", r["verdict"], data.lang)
        parts = [F.fill("verdict_text.on_these_data", verdict=verdict[0].lower() + verdict[1:])]
        decisive = ct[(ct["claim"] == claim) & (ct["role"] == "decisive")]
        if int(r["n_tests"]) == 1:
            parts.append(F.fill(
                "verdict_text.single", level=data.level, odds_ratio=v("odds_ratio"), ci_low=v("ci_low"),
                ci_high=v("ci_high"),
                p_value=F.span(name, r, ("p_value",), _p_text(F.value(name, r, "p_value")))))
        elif int(r["n_tests"]) <= 3:  # few tests: each one with its numbers
            tests = []
            for _, t in decisive.iterrows():
                def c(col: str, t=t) -> Markup:
                    return F.span("claim_tests", t, (col,), F.value("claim_tests", t, col))
                tests.append(F.fill("verdict_text.test", outcome=term_label(t["outcome"], data.lang), level=data.level,
                                    odds_ratio=c("odds_ratio"), ci_low=c("ci_low"), ci_high=c("ci_high"),
                                    q_value=F.span("claim_tests", t, ("q_value",),
                                                   _p_text(F.value("claim_tests", t, "q_value")))))
            parts.append(F.fill("verdict_text.tests_intro", what=_what(F, claim)) + Markup(" ")
                         + Markup("; ").join(tests) + Markup("."))
        else:
            parts.append(F.fill(
                "verdict_text.family", what=_what(F, claim), n_pos=v("n_or_above_1"), n_tests=v("n_tests"),
                n_sig=v("n_q_below_alpha_positive"), alpha=v("alpha"), median_or=v("median_odds_ratio"),
                median_ame=v("median_ame")))
        if int(r["n_supporting"]) > 0:
            what = F.t(f"verdict_text.what_supporting_{claim}") \
                if catalogue.has(f"verdict_text.what_supporting_{claim}") else claim
            parts.append(F.fill("verdict_text.supporting", what=what, n_pos=v("n_supporting_or_above_1"),
                                n_tests=v("n_supporting"), n_sig=v("n_supporting_q_below_alpha_positive"),
                                alpha=v("alpha")))
        power = {"alpha": v("alpha"), "power": v("power"), "meaningful": v("meaningful_odds_ratio"),
                 "mde": _range(F, name, r, "mde_min", "mde_max"),
                 "pow": _range(F, name, r, "power_meaningful_min", "power_meaningful_max")}
        if int(r["n_tests"]) == 1:
            parts.append(F.fill("verdict_text.power_single", **power))
        else:
            parts.append(F.fill("verdict_text.power_range", n_tests=v("n_tests"), **power))
        if catalogue.has(f"verdict_text.meaning_{r['verdict']}"):
            parts.append(escape(F.t(f"verdict_text.meaning_{r['verdict']}")))
        if catalogue.has(f"verdict_text.note_{claim}"):
            parts.append(escape(F.t(f"verdict_text.note_{claim}")))
        parts.append(escape(F.t("verdict_text.caveat")))
        out.append({"claim": catalogue.label("claims", claim, data.lang), "verdict": verdict,
                    "text": Markup(" ").join(parts)})
    return out


def _range(F: Formatter, name: str, row: pd.Series, lo: str, hi: str) -> Markup:
    """'a–b' from two columns as one tagged span, or 'a' when both show the same."""
    a, b = F.value(name, row, lo), F.value(name, row, hi)
    if a == b:
        return F.span(name, row, (lo,), a)
    return F.span(name, row, (lo, hi), fmt.interval(row[lo], row[hi], contracts.unit(name, lo), F.lang,
                                                    contracts.digits(name, lo)))


def _what(F: Formatter, claim: str) -> str:
    key = f"verdict_text.what_{claim}"
    return F.t(key) if catalogue.has(key) else claim


def _claims_table(data: ReportData, F: Formatter) -> Table:
    """Table 4: the map from each claim to its decisive and supporting tests (claim_tests.csv)."""
    ct, lang, level = data.tables["claim_tests"], data.lang, data.level
    name = "claim_tests"
    head = [[_h(F.t("models.column_role")), _h(F.t("columns.outcome")), _h(F.t("columns.term")),
             _h(F.t("columns.odds_ratio") + f" ({F.t('columns.interval', level=level)})", True),
             _h(F.t("models.column_q"), True), _h(F.t("models.column_mde"), True)]]
    rows = []
    for claim in dict.fromkeys(ct["claim"]):
        rows.append([Cell(catalogue.label("claims_short", claim, lang), header=True, colspan=6, cls="group-row")])
        for _, t in ct[ct["claim"] == claim].iterrows():
            rows.append([Cell(catalogue.label("roles", t["role"], lang)), Cell(term_label(t["outcome"], lang)),
                         Cell(term_label(t["term"], lang)),
                         F.num(name, t, ("odds_ratio", "ci_low", "ci_high"), style="estimate_interval"),
                         F.num(name, t, "q_value"), F.num(name, t, "mde_odds_ratio")])
    power = fmt.value(float(data.model.get("power", 0.8)), "proportion", lang, 0)
    return Table("table-claims", F.t("models.claims_caption", level=level), head, rows,
                 [F.t("models.claims_note", power=power)], cls="compact")


def _p_text(p: str) -> str:
    """'= 0,021' or '< 0,001' for running text."""
    return p if p.startswith("<") else f"= {p}"


def section_models(data: ReportData, F: Formatter) -> dict[str, Any]:
    from ..compute.models import OUTCOMES, PREDICTORS, PRIMARY_TERMS

    lang = data.lang
    problems = data.model.get("not_estimable") or []
    if problems:  # degenerate data: no models, and the reason
        return {"intro": F.t("models.intro"), "not_estimable": F.t("estimable.models_not_fitted",
                                                                   reasons=_reasons(problems, F)),
                "verdicts_heading": F.t("models.verdicts_heading"), "verdict_head": (), "verdicts": [],
                "or_intro": "", "ame_intro": "", "tables": []}
    models = data.tables["models"]
    main = models[models["spec"] == "main"]
    level = data.level
    # Table 4: odds ratios, one row per outcome, the four items as column groups
    head = [[_h(F.t("columns.outcome"))] + [_h(term_label(t, lang), True) for t in PREDICTORS]]
    rows = []
    other = [o for o in dict.fromkeys(main["outcome"]) if o not in OUTCOMES]
    any_firth = False
    for group_key, outcomes in (("models.group_areas", OUTCOMES), ("models.group_indices", other)):
        rows.append([Cell(F.t(group_key), header=True, colspan=1 + len(PREDICTORS), cls="group-row")])
        for o in outcomes:
            sub = main[main["outcome"] == o].set_index("term", drop=False)
            cells = [Cell(term_label(o, lang))]
            for t in PREDICTORS:
                if t not in sub.index:
                    cells.append(Cell(""))
                    continue
                r = sub.loc[t]
                firth = r["method"] == "Firth"
                any_firth |= firth
                c = F.num("models", r, ("odds_ratio", "ci_low", "ci_high"), style="estimate_interval",
                          extra=" F" if firth else "")
                stat, col = ("stat_q", "q_value") if t in PRIMARY_TERMS and o in OUTCOMES else ("stat_p", "p_value")
                p = F.value("models", r, col)
                c.text = Markup("{}<br><small>{} {}</small>").format(c.text, F.t(f"models.{stat}"), _p_text(p))
                c.cols = c.cols + (col,)
                cells.append(c)
            rows.append(cells)
    notes = [F.t("models.firth_note")] if any_firth else []
    specs = [s for s in dict.fromkeys(models["spec"]) if s != "main"]
    if specs:
        notes.append(F.t("models.sensitivity_note",
                         specs=", ".join(catalogue.label("specs", s, lang) for s in specs)))
    t4 = Table("table-models", F.t("models.or_caption", level=level), head, rows, notes, cls="models")

    # Table 5: average marginal effects (percentage points)
    head5 = [[_h(F.t("columns.outcome"))] + [_h(term_label(t, lang), True) for t in PREDICTORS]]
    rows5 = []
    for o in [o for o in dict.fromkeys(main["outcome"]) if main.loc[main["outcome"] == o, "ame"].notna().any()]:
        sub = main[main["outcome"] == o].set_index("term", drop=False)
        cells = [Cell(term_label(o, lang))]
        for t in PREDICTORS:
            cells.append(F.num("models", sub.loc[t], ("ame", "ame_ci_low", "ame_ci_high"), style="estimate_interval")
                         if t in sub.index else Cell(""))
        rows5.append(cells)
    t5 = Table("table-ame", F.t("models.ame_caption", level=level), head5, rows5, cls="models")

    # Table 6: reliability, one row per coding and interval method
    rel = data.tables["reliability"]
    head6 = [[_h(F.t("columns.coding")), _h(F.t("columns.ci_method")), _h(F.t("columns.n"), True),
              _h(F.t("columns.k"), True), _h(F.t("columns.estimate"), True),
              _h(F.t("columns.interval", level=level), True)]]
    rows6 = []
    for _, r in rel.iterrows():
        method = catalogue.label("ci_methods", r["ci_method"], lang,
                                 n_boot="" if fmt.isna(r["n_boot"]) else fmt.value(r["n_boot"], "count", lang))
        rows6.append([Cell(catalogue.label("codings", r["coding"], lang)),
                      Cell(method, src="reliability", key=_key(r, contracts.contract("reliability").key),
                           cols=("n_boot",)),
                      F.num("reliability", r, "n"), F.num("reliability", r, "k"),
                      F.num("reliability", r, "estimate"),
                      F.num("reliability", r, ("ci_low", "ci_high"), style="interval")])
    t6 = Table("table-reliability", F.t("models.reliability_caption", level=level), head6, rows6)
    return {"intro": F.t("models.intro"), "not_estimable": None, "verdicts_heading": F.t("models.verdicts_heading"),
            "verdicts_intro": F.t("models.verdicts_intro"),
            "verdict_head": (F.t("models.verdict_claim"), F.t("models.verdict_verdict"), F.t("models.verdict_text")),
            "verdicts": _verdict_rows(data, F), "claims_table": _claims_table(data, F),
            "or_intro": F.t("models.or_intro", level=level),
            "ame_intro": F.t("models.ame_intro"), "tables": [t4, t5, t6]}


def section_nonresponse(data: ReportData, F: Formatter) -> dict[str, Any]:
    lang = data.lang
    resp = data.tables["response"]
    head = [[_h(F.t("columns.group")), _h(F.t("columns.N"), True), _h(F.t("columns.respondents"), True),
             _h(F.t("columns.rate"), True)]]
    rows, any_supp = [], False
    for _, r in resp.iterrows():
        supp = bool(r["suppressed"])
        any_supp |= supp
        label = group_label(r["grouping"], r["group"], lang, r["name"])
        if r["grouping"] not in ("all",):
            label = f"{catalogue.label('groupings', r['grouping'], lang)}: {label}"
        rows.append([Cell(label), F.num("response", r, "N"), F.num("response", r, "respondents", suppressed=supp),
                     F.num("response", r, "rate", suppressed=supp)])
    t7 = Table("table-response", F.t("nonresponse.response_caption"), head, rows,
               [_suppressed_note(F, data)] if any_supp else [])
    nr = data.tables["nonresponse_model"]
    nr = nr[nr["term"] != "const"]
    head8 = [[_h(F.t("columns.term")), _h(F.t("columns.odds_ratio"), True),
              _h(F.t("columns.interval", level=data.level), True), _h(F.t("columns.p_value"), True),
              _h(F.t("columns.n"), True)]]
    rows8 = [[Cell(term_label(r["term"], lang)), F.num("nonresponse_model", r, "odds_ratio"),
              F.num("nonresponse_model", r, ("ci_low", "ci_high"), style="interval"),
              F.num("nonresponse_model", r, "p_value"), F.num("nonresponse_model", r, "n")]
             for _, r in nr.iterrows()]
    notes8 = [F.t("nonresponse.profile_note", min_events=int(data.model.get("min_events", 5)))] \
        if (nr["method"] == "ml_profile").any() else []
    t8 = Table("table-nonresponse-model", F.t("nonresponse.model_caption", level=data.level), head8, rows8, notes8)
    problems = (data.describe.get("not_estimable") or {}).get("nonresponse_model") or []
    return {"intro": F.t("nonresponse.intro", min_cell=data.P["min_cell"]),
            "not_estimable": F.t("estimable.nonresponse_not_fitted", reasons=_reasons(problems, F)) if problems else None,
            "tables": [t7] if problems else [t7, t8]}


def section_methods(data: ReportData, F: Formatter) -> dict[str, Any]:
    """The methods paragraphs; the model SE comparison cites tables/se_design.csv (tagged spans)."""
    lang = data.lang
    se = data.tables["se_design"].set_index("variant", drop=False)

    def ratio(variant: str, col: str) -> Markup:
        if variant not in se.index:  # no models fitted (thin data): the models section says why
            return Markup("–")
        r = se.loc[variant]
        return F.span("se_design", r, (col,), F.value("se_design", r, col))

    model = data.model
    return {"paragraphs": F.fills(
        "methods.paragraphs", population=int(data.describe["n_municipalities"]), level=data.level,
        min_cell=data.P["min_cell"], alpha=fmt.value(float(data.P["alpha"]), "p_value", lang, 2),
        meaningful=fmt.value(float(model.get("meaningful_odds_ratio", 1.25)), "odds_ratio", lang),
        power=fmt.value(float(model.get("power", 0.8)), "proportion", lang, 0),
        min_events=int(model.get("min_events", 5)),
        strata_min=ratio("strata", "ratio_min"), strata_max=ratio("strata", "ratio_max"),
        strata_median=ratio("strata", "ratio_median"), fpc_min=ratio("strata_fpc", "ratio_min"),
        fpc_max=ratio("strata_fpc", "ratio_max"))}


def section_limitations(data: ReportData, F: Formatter) -> dict[str, Any]:
    return {"bullets": catalogue.texts("limitations.items", data.lang)}


def section_provenance(data: ReportData, F: Formatter, prov: dict[str, Any]) -> dict[str, Any]:
    unknown = F.t("provenance.unknown")
    dirty = prov.get("git_dirty")

    def pv(path: str, text: Any) -> Cell:
        """A provenance value, tagged with its place in provenance.json (a list of keys)."""
        return Cell("" if text is None else str(text), src="provenance", key={"path": path.split("|")}, cls="hash")

    general = [
        (F.t("provenance.commit"), pv("git_commit", prov.get("git_commit") or unknown)),
        (F.t("provenance.dirty"), Cell(unknown if dirty is None else
                                       F.t("provenance.dirty_yes") if dirty else F.t("provenance.dirty_no"))),
        (F.t("provenance.synthetic"), Cell(F.t("report.word_yes") if data.synthetic else F.t("report.word_no"))),
        (F.t("provenance.raw"), pv("raw_file", prov.get("raw_file"))),
        (F.t("provenance.raw_sha"), pv("raw_sha256", prov.get("raw_sha256") or unknown)),
        (F.t("provenance.python"), pv("python", prov.get("python", unknown))),
        (F.t("provenance.environment"), pv("environment_sha256", prov.get("environment_sha256") or unknown)),
    ]

    def kv(pairs, h1, h2, tid, caption):
        return Table(tid, caption, [[_h(h1), _h(h2)]], [[Cell(k), v] for k, v in pairs], cls="kv")

    tables = [
        kv(general, F.t("provenance.item"), F.t("provenance.value"), "table-provenance", ""),
        kv([(f, pv(f"processed_sha256|{f}", h)) for f, h in prov.get("processed_sha256", {}).items()],
           F.t("provenance.file"), "SHA-256", "table-provenance-files", F.t("provenance.processed")),
        *([kv([(f, pv(f"compared_sha256|{f}", h)) for f, h in prov["compared_sha256"].items()],
               F.t("provenance.file"), "SHA-256", "table-provenance-compared",
               F.t("provenance.compared", wave=prov.get("params", {}).get("compare_with")))]
          if prov.get("compared_sha256") else []),
        kv([(k, pv(f"params|{k}", v)) for k, v in prov.get("params", {}).items()],
           F.t("provenance.param"), F.t("provenance.value"), "table-provenance-params", F.t("provenance.params")),
        kv([(k, pv(f"packages|{k}", v)) for k, v in prov.get("packages", {}).items()],
           F.t("provenance.package"), F.t("provenance.version"), "table-provenance-packages",
           F.t("provenance.packages")),
    ]
    return {"intro": F.t("provenance.intro"), "tables": tables}


# ---------------------------------------------------------------------------------- figures
_LANG_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<lang>sv|en)$")


def figures_by_section(data: ReportData) -> dict[str, list[dict[str, Any]]]:
    """The PNG figures in the report's language, numbered in FIGURE_SECTION order, by section."""
    fig_dir = data.output_dir / "figures"
    found = {}
    for p in sorted(fig_dir.glob(f"*_{data.lang}.png")):
        m = _LANG_SUFFIX.match(p.stem)
        if m and m["base"] in FIGURE_SECTION:
            found[m["base"]] = p
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    if data.model.get("not_estimable"):  # no models: no model figures, whatever the folder holds
        found = {b: p for b, p in found.items() if FIGURE_SECTION[b] != "models"}
    shown = set(section_keys(data))
    for n, base in enumerate([b for b in FIGURE_SECTION if b in found and FIGURE_SECTION[b] in shown], 1):
        caption = catalogue.text(f"figures.captions.{base}", data.lang, n=n, level=data.level,
                                 min_cell=data.P["min_cell"], wave=data.P["wave"])
        out[FIGURE_SECTION[base]].append({
            "id": f"fig-{base}", "caption": caption, "alt": catalogue.text("figures.alt", data.lang, caption=caption),
            "src": "data:image/png;base64," + base64.b64encode(found[base].read_bytes()).decode("ascii")})
    return out


# ---------------------------------------------------------------------------------- rendering
@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment of the report's templates: autoescape on, undefined names are errors."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR / "report")), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    return env


def context(data: ReportData, prov: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates need, as plain values and Markup (numbers already formatted)."""
    F = Formatter(data)
    return {
        "lang": data.lang,
        "header": section_header(data, F),
        "order": section_keys(data),
        "sections": section_titles(data, F),
        "figures": figures_by_section(data),
        "summary": section_summary(data, F), "shares": section_shares(data, F),
        "change": section_change(data, F) if data.has_change else None,
        "groups": section_groups(data, F), "models": section_models(data, F),
        "nonresponse": section_nonresponse(data, F), "methods": section_methods(data, F),
        "limitations": section_limitations(data, F), "provenance": section_provenance(data, F, prov),
    }


def _page(template: str, *, lang: str, title: str, css: str, **ctx: Any) -> str:
    """Render `template` as a page body, pass it through the allow-list, wrap it in page.html.j2."""
    env = environment()
    body = clean_html(env.get_template(template).render(lang=lang, title=title, **ctx))
    return env.get_template("page.html.j2").render(lang=lang, title=title, css=Markup(css), body=Markup(body))


def render(data: ReportData, prov: dict[str, Any]) -> str:
    """report.html: the body from one template per section, sanitised as a second defence, in a page."""
    ctx = context(data, prov)
    return _page("report.html.j2", lang=data.lang, title=ctx["header"]["title"],
                 css=REPORT_CSS.read_text(encoding="utf-8"), **{k: v for k, v in ctx.items() if k != "lang"})


# ------------------------------------------------------------------------------- provenance
# ------------------------------------------------------------------------------ sanitising
# Allow-list for the report's HTML (a second line of defence after Jinja2's autoescaping).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "header", "i", "img", "li", "main", "nav", "ol", "p", "pre",
    "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "lang") or name.startswith("data-"):
        return True
    if tag == "a" and name == "href":
        return value.startswith("#") or (not re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I) and not value.startswith("//"))
    if tag == "img" and name == "src":
        return value.startswith("data:image/png;base64,")
    if tag == "img" and name in ("alt", "width", "height"):
        return True
    if tag in ("th", "td") and name in ("scope", "colspan", "rowspan"):
        return True
    return False


def clean_html(text: Any) -> str:
    """Sanitise HTML: only ALLOWED_TAGS, no scripts, event handlers or remote URLs (bleach)."""
    import bleach

    text = text.decode() if isinstance(text, bytes) else str(text)
    # bleach keeps a relative link only when "http" is an allowed protocol; _allowed_attribute still
    # refuses every absolute or protocol-relative URL.
    return bleach.clean(text, tags=ALLOWED_TAGS, attributes=_allowed_attribute,
                        protocols={"data", "http", "https"}, strip=False, strip_comments=True)


# ---------------------------------------------------------------------------------- index
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
    return _page("index.html.j2", lang=lang, title=t("index.title", wave=wave), css=INDEX_CSS,
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


# ---------------------------------------------------------------------------- notebook pages
def _notebook_params(nb) -> dict[str, Any]:
    return nb.metadata.get("papermill", {}).get("parameters", {}) or {}


def render_notebook_html(nb, *, synthetic: bool) -> str:
    """The analysts' HTML of an executed notebook (code included), self-contained (no CDN), with a
    bar linking back to the index and the report, and the synthetic banner when the data were.
    Formulas are MathML (present.nbhtml), so the page needs no script."""
    from . import nbhtml

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
