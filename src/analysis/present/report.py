"""The report: Jinja2 templates (one per section) filled from the validated tables of steps 01-03.

Every number is formatted from its column's declared unit (present.fmt) and carries its source in data-*
attributes, so a test can compare each shown number with the table it comes from. Computes no estimate.

Inputs are read through analysis.schemas (every table validated); texts come from the catalogue.
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
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from markupsafe import Markup, escape

from .. import io, schemas
from ..compute.codebook import HEADLINE_ITEMS, default_codebook
from . import catalogue, fmt

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
NOTEBOOK_TEMPLATE = "notebook"
REPORT_CSS = HERE / "report.css"

# Packages whose versions the provenance lists.
PROVENANCE_PACKAGES = (
    "numpy", "pandas", "pyarrow", "scipy", "statsmodels", "firthmodels", "pandera", "matplotlib",
    "seaborn", "geopandas", "openpyxl", "nbformat", "nbconvert", "papermill", "ipykernel", "jinja2",
    "babel", "bleach", "pyyaml",
)
# Figures by section, in the order they are numbered.
FIGURE_SECTION = {
    "headline_shares": "shares",
    "headline_by_group_heatmap": "groups",
    "maturity_index_map": "groups",
    "model_forest_or": "models",
    "model_ame": "models",
    "response_rate_by_group": "nonresponse",
}
SECTIONS = ("summary", "shares", "groups", "models", "nonresponse", "methods", "limitations", "provenance")
OUTPUT_TABLES = ("headline", "headline_by_group", "maturity_index", "response", "nonresponse_model", "models",
                 "reliability", "verdicts")


# ------------------------------------------------------------------------------------- inputs
@dataclass
class ReportData:
    """What the report shows: validated tables, the steps' JSON summaries, the parameters."""

    P: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    describe: dict[str, Any]
    model: dict[str, Any]
    run_info: dict[str, Any]

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
    from ..run.steps import read_json

    from ..errors import ContractError

    out, processed = Path(P["output_dir"]), Path(P["processed_dir"])
    tables = {name: schemas.read_table(name, out) for name in OUTPUT_TABLES}
    describe, model = read_json("describe_summary", out), read_json("model_summary", out)
    # The intervals in the tables must be the ones the labels will name.
    for name, summary, keys in (("describe_summary.json", describe, ("alpha", "min_cell")),
                                ("model_summary.json", model, ("alpha",))):
        for k in keys:
            if float(summary[k]) != float(P[k]):
                raise ContractError(f"{out / name}: made with {k} = {summary[k]}, but the report is asked for "
                                    f"{k} = {P[k]}; rerun the earlier steps with the same parameters")
    return ReportData(P=P, tables=tables, describe=describe, model=model, run_info=read_json("run_info", processed))


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

    def value(self, name: str, row: pd.Series, col: str, digits: int | None = None) -> str:
        return fmt.value(row[col], schemas.unit(name, col), self.lang,
                         schemas.digits(name, col) if digits is None else digits)

    def span(self, name: str, row: pd.Series, cols: tuple[str, ...], text: str) -> Markup:
        """Number(s) in running text, tagged with their source like a table cell."""
        key = _key(row, schemas.contract(name).key)
        return Markup('<span class="num" data-src="{}" data-cols="{}" data-key=\'{}\'>{}</span>').format(
            name, " ".join(cols), Markup(escape(json.dumps(key, ensure_ascii=False))), text)

    def num(self, name: str, row: pd.Series, cols: str | tuple[str, ...], *, digits: int | None = None,
            style: str = "value", suppressed: bool = False, extra: str = "") -> Cell:
        """A numeric cell. style: value (one column), interval (low-high), estimate_interval
        (estimate [low-high]). Suppressed rows show the catalogue's dash."""
        cols = (cols,) if isinstance(cols, str) else tuple(cols)
        key = _key(row, schemas.contract(name).key)
        if suppressed:
            return Cell(self.t("report.suppressed"), num=True, src=name, key=key, cols=cols, cls="suppressed")
        unit = schemas.unit(name, cols[-1])
        d = schemas.digits(name, cols[-1]) if digits is None else digits
        if style == "interval":
            text = fmt.interval(row[cols[0]], row[cols[1]], unit, self.lang, d)
        elif style == "estimate_interval":
            est = fmt.value(row[cols[0]], schemas.unit(name, cols[0]), self.lang, d)
            ci = fmt.interval(row[cols[1]], row[cols[2]], unit, self.lang, d)
            text = f"{est} [{ci}]" if ci else est
        else:
            text = self.value(name, row, cols[0], d)
        return Cell(text + extra, num=True, src=name, key=key, cols=cols)

    def label(self, text: str, **kw: Any) -> Cell:
        return Cell(text, **kw)


def _h(text: Any, num: bool = False, colspan: int = 1, title: str | None = None) -> Cell:
    return Cell(text, num=num, header=True, colspan=colspan, title=title)


# ------------------------------------------------------------------------------------- labels
def item_label(item: str, lang: str) -> str:
    """Codebook label of a headline item (else its question)."""
    v = default_codebook()[str(item)]
    return getattr(v.headline, f"label_{lang}") if v.headline else getattr(v, f"question_{lang}")


def term_label(term: str, lang: str) -> str:
    """Label of a model term or outcome: the catalogue's terms, group dummies, the codebook."""
    s = str(term)
    if catalogue.has(f"labels.terms.{s}"):
        return catalogue.label("terms", s, lang)
    m = re.fullmatch(r"(huvudgrupp|kommungrupp)(?:_(.+)|\[(.+)\])", s)  # models: _B; non-response model: [B]
    if m:
        return f"{catalogue.label('terms', m[1], lang)} {m[2] or m[3]}"
    try:
        return item_label(s, lang)
    except KeyError:
        return s


def group_label(grouping: str, group: str, lang: str, name: Any = None) -> str:
    """'A1 Storstäder', 'A1 Storstäder + A2 ...', 'Alla kommuner', 'Stockholms län' / 'Stockholm County'."""
    g = str(group)
    if grouping == "all":
        return catalogue.label("groupings", "all", lang)
    if grouping == "lan_kod":
        if fmt.isna(name) or not str(name):
            return g
        n = str(name) if lang == "sv" else re.sub(r"(?<=[^s])s? län$", "", str(name))
        return catalogue.text("labels.county", lang, name=n)
    parts = []
    for p in g.split("+"):
        lab = catalogue.label(grouping, p, lang, default="")
        parts.append(f"{p} {lab}".strip())
    return " + ".join(parts)


# -------------------------------------------------------------------------------- sections
def section_header(data: ReportData, F: Formatter) -> dict[str, Any]:
    return {"title": F.t("report.title", wave=data.P["wave"]), "subtitle": F.t("report.subtitle"),
            "banner": F.t("report.synthetic_banner") if data.synthetic else None,
            "toc_title": F.t("report.toc"),
            "toc": [(k, F.t(f"report.sections.{k}")) for k in SECTIONS],
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
                   level=data.level)
    cb = default_codebook()
    items = []
    for _, row in head.iterrows():
        h = cb[str(row["item"])].headline
        x = row["x_of_10"]
        statement = Markup(escape(getattr(h, f"statement_{data.lang}"))).format(
            x=F.span("headline", row, ("x_of_10",), "–" if fmt.isna(x) else F.value("headline", row, "x_of_10")))
        share = F.span("headline", row, ("share_weighted",), F.value("headline", row, "share_weighted", 0))
        lo = F.span("headline", row, ("ci_low",), F.value("headline", row, "ci_low", 0))
        hi = F.span("headline", row, ("ci_high",), F.value("headline", row, "ci_high", 0))
        if fmt.isna(row["published_share"]):
            interval = F.fill("summary.interval_unpublished", share=share, level=data.level, low=lo, high=hi)
        else:
            published = F.span("headline", row, ("published_x_of_10",), F.value("headline", row, "published_x_of_10"))
            interval = F.fill("summary.interval", share=share, level=data.level, low=lo, high=hi, published=published)
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


def _suppressed_note(F: Formatter, data: ReportData) -> str:
    return F.t("report.suppressed_note", min_cell=data.P["min_cell"])


def section_shares(data: ReportData, F: Formatter) -> dict[str, Any]:
    name = "headline"
    level = data.level
    head = [[_h(F.t("columns.item")), _h(F.t("columns.n_eligible"), True), _h(F.t("columns.n_yes"), True),
             _h(F.t("columns.share_weighted"), True), _h(F.t("columns.interval", level=level), True),
             _h(F.t("columns.bounds"), True), _h(F.t("columns.published_share"), True)]]
    rows = []
    for _, r in _headline(data).iterrows():
        rows.append([Cell(item_label(r["item"], data.lang)),
                     F.num(name, r, "n_eligible"), F.num(name, r, "n_yes"), F.num(name, r, "share_weighted"),
                     F.num(name, r, ("ci_low", "ci_high"), style="interval"),
                     F.num(name, r, ("bound_low", "bound_high"), style="interval"),
                     F.num(name, r, "published_share", digits=0)])
    table = Table("table-headline", F.t("shares.caption", wave=data.P["wave"]), head, rows)
    return {"intro": F.t("shares.intro"), "table": table}


def section_groups(data: ReportData, F: Formatter) -> dict[str, Any]:
    lang = data.lang
    bg = data.tables["headline_by_group"]
    bg = bg[bg["grouping"].isin(["kommungrupp", "huvudgrupp"])]
    groups = list(dict.fromkeys(zip(bg["grouping"], bg["group"])))
    head = [[_h(F.t("columns.item"))] + [_h(g, True, title=group_label(gr, g, lang)) for gr, g in groups]]
    rows, any_supp = [], False
    for item in [i for i in HEADLINE_ITEMS if i in set(bg["item"])]:
        sub = bg[bg["item"] == item].set_index(["grouping", "group"], drop=False)
        cells = [Cell(item_label(item, lang))]
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
    ver = data.tables["verdicts"]
    out = []
    for _, r in ver.iterrows():
        name = "verdicts"
        verdict = catalogue.label("verdicts", r["verdict"], data.lang)
        parts = [F.fill("verdict_text.on_these_data", verdict=verdict.lower() if data.lang == "sv" else verdict.lower())]
        if int(r["n_tests"]) == 1:
            parts.append(F.fill(
                "verdict_text.single", level=data.level,
                odds_ratio=F.span(name, r, ("odds_ratio",), F.value(name, r, "odds_ratio")),
                ci_low=F.span(name, r, ("ci_low",), F.value(name, r, "ci_low")),
                ci_high=F.span(name, r, ("ci_high",), F.value(name, r, "ci_high")),
                p_value=F.span(name, r, ("p_value",), _p_text(F.value(name, r, "p_value")))))
        else:
            what = F.t(f"verdict_text.what_{r['claim']}") if catalogue.has(f"verdict_text.what_{r['claim']}") else r["claim"]
            parts.append(F.fill(
                "verdict_text.family", what=what,
                n_pos=F.span(name, r, ("n_or_above_1",), F.value(name, r, "n_or_above_1")),
                n_tests=F.span(name, r, ("n_tests",), F.value(name, r, "n_tests")),
                n_sig=F.span(name, r, ("n_q_below_alpha_positive",), F.value(name, r, "n_q_below_alpha_positive")),
                alpha=F.span(name, r, ("alpha",), F.value(name, r, "alpha")),
                median_or=F.span(name, r, ("median_odds_ratio",), F.value(name, r, "median_odds_ratio")),
                median_ame=F.span(name, r, ("median_ame",), F.value(name, r, "median_ame"))))
        parts.append(escape(F.t("verdict_text.caveat")))
        out.append({"claim": catalogue.label("claims", r["claim"], data.lang), "verdict": verdict,
                    "text": Markup(" ").join(parts)})
    return out


def _p_text(p: str) -> str:
    """'= 0,021' or '< 0,001' for running text."""
    return p if p.startswith("<") else f"= {p}"


def section_models(data: ReportData, F: Formatter) -> dict[str, Any]:
    from ..compute.models import OUTCOMES, PREDICTORS, PRIMARY_TERMS

    lang = data.lang
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
                      Cell(method, src="reliability", key=_key(r, schemas.contract("reliability").key),
                           cols=("n_boot",)),
                      F.num("reliability", r, "n"), F.num("reliability", r, "k"),
                      F.num("reliability", r, "estimate"),
                      F.num("reliability", r, ("ci_low", "ci_high"), style="interval")])
    t6 = Table("table-reliability", F.t("models.reliability_caption", level=level), head6, rows6)
    return {"intro": F.t("models.intro"), "verdicts_heading": F.t("models.verdicts_heading"),
            "verdict_head": (F.t("models.verdict_claim"), F.t("models.verdict_verdict"), F.t("models.verdict_text")),
            "verdicts": _verdict_rows(data, F), "or_intro": F.t("models.or_intro", level=level),
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
    t8 = Table("table-nonresponse-model", F.t("nonresponse.model_caption", level=data.level), head8, rows8)
    return {"intro": F.t("nonresponse.intro", min_cell=data.P["min_cell"]), "tables": [t7, t8]}


def section_methods(data: ReportData, F: Formatter) -> dict[str, Any]:
    population = int(data.describe["n_municipalities"])
    return {"paragraphs": catalogue.texts("methods.paragraphs", data.lang, population=population,
                                          level=data.level, min_cell=data.P["min_cell"])}


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
    ]

    def kv(pairs, h1, h2, tid, caption):
        return Table(tid, caption, [[_h(h1), _h(h2)]], [[Cell(k), v] for k, v in pairs], cls="kv")

    tables = [
        kv(general, F.t("provenance.item"), F.t("provenance.value"), "table-provenance", ""),
        kv([(f, pv(f"processed_sha256|{f}", h)) for f, h in prov.get("processed_sha256", {}).items()],
           F.t("provenance.file"), "SHA-256", "table-provenance-files", F.t("provenance.processed")),
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
    for n, base in enumerate([b for b in FIGURE_SECTION if b in found], 1):
        caption = catalogue.text(f"figures.captions.{base}", data.lang, n=n, level=data.level,
                                 min_cell=data.P["min_cell"])
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
        "sections": {k: F.t(f"report.sections.{k}") for k in SECTIONS},
        "figures": figures_by_section(data),
        "summary": section_summary(data, F), "shares": section_shares(data, F),
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
_STAGING = re.compile(r"/\.([^/]+)\.staging-\d+(?=/|$)")


def _display_path(path: str | Path, root: Path) -> str:
    """A path relative to the project root, with the runner's staging folder name undone."""
    s = _STAGING.sub(r"/\1", str(path))
    try:
        return str(Path(s).resolve().relative_to(root))
    except ValueError:
        return s


display_path = _display_path  # public: the notebooks show paths the same way


def _git(root: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def collect_provenance(P: dict[str, Any], root: str | Path | None = None) -> dict[str, Any]:
    """Git commit and dirtiness, SHA-256 of the raw and processed files, parameters, versions."""
    from importlib import metadata

    from ..run import params as params_mod

    root = Path(root) if root else params_mod.project_root()
    commit = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    raw = Path(P["raw_path"])
    processed = Path(P["processed_dir"])
    processed_files = {}
    if processed.is_dir():
        for p in sorted(processed.rglob("*")):
            rel = p.relative_to(processed)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                processed_files[str(rel)] = io.sha256_file(p)
    packages = {}
    for name in PROVENANCE_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "git_commit": commit,
        "git_dirty": (status != "") if status is not None else None,
        "raw_file": _display_path(raw, root),
        "raw_sha256": io.sha256_file(raw) if raw.is_file() else None,
        "processed_sha256": processed_files,
        "params": {k: (_display_path(v, root) if k in params_mod.PATH_KEYS else v) for k, v in P.items()},
        "python": sys.version.split()[0],
        "packages": packages,
    }


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
                 banner=t("report.synthetic_banner") if synthetic else None)


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
