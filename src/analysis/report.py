"""The report: assembles the outputs of the earlier steps into HTML sections; provenance; exports.

04_report.ipynb calls the section functions below; each reads only what 01-03 wrote (tables/*.csv,
figures/*.png, *_summary.json, run_info.json) and returns an IPython HTML object. It computes no
estimate. Every data value is HTML-escaped here, and the report is rendered with a sanitising
allow-list as a second line of defence, so free text in the data is shown as text and never runs.

Prose lives in prose_sv.yaml / prose_en.yaml (same keys); labels come from the codebook.

Hooks for the runner: render_notebook_html, write_index, print_pdf, export_workbook.
"""

from __future__ import annotations

import base64
import copy
import html
import math
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
import yaml

from . import io
from .codebook import HEADLINE_ITEMS, default_codebook

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
TEMPLATE_NAME = "skr_report"
REPORT_CSS = HERE / "report.css"
LANGS = ("sv", "en")

# Chromium flags: headless, and nothing that would reach the network on its own.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")

# Packages whose versions the provenance lists.
PROVENANCE_PACKAGES = (
    "numpy", "pandas", "pyarrow", "scipy", "statsmodels", "firthmodels", "pandera", "matplotlib",
    "seaborn", "geopandas", "openpyxl", "nbformat", "nbconvert", "papermill", "ipykernel", "bleach",
    "pyyaml",
)
# A fixed timestamp for the workbook's properties and zip entries (deterministic bytes).
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------------------------------ prose
@lru_cache(maxsize=None)
def prose(lang: str) -> dict[str, Any]:
    """The report's prose in `lang` (prose_<lang>.yaml)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return yaml.safe_load((HERE / f"prose_{lang}.yaml").read_text(encoding="utf-8"))


def prose_keys(obj: Any, prefix: str = "") -> set[str]:
    """Flattened keys of a prose mapping (lists count as one key), for comparing languages."""
    if isinstance(obj, dict):
        out: set[str] = set()
        for k, v in obj.items():
            out |= prose_keys(v, f"{prefix}{k}.")
        return out
    if isinstance(obj, list):
        return {f"{prefix}[{len(obj)}]"}
    return {prefix.rstrip(".")}


def esc(value: Any) -> str:
    """HTML-escape any data value (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


# ------------------------------------------------------------------------------------ formatting
def _isna(x: Any) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_num(x: Any, lang: str, digits: int = 1) -> str:
    if _isna(x):
        return ""
    s = f"{float(x):.{digits}f}"
    return s.replace(".", prose(lang)["decimal"])


def fmt_pct(x: Any, lang: str, digits: int = 0) -> str:
    """A fraction 0-1 as a percentage in the language's style ('62 %' / '62%')."""
    if _isna(x):
        return ""
    return prose(lang)["percent"].format(x=fmt_num(float(x) * 100, lang, digits))


def fmt_p(x: Any, lang: str) -> str:
    if _isna(x):
        return ""
    if float(x) < 0.001:
        return "<" + fmt_num(0.001, lang, 3)
    return fmt_num(x, lang, 3)


def _as_bool(x: Any) -> bool | None:
    if _isna(x):
        return None
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes", "ja")
    return bool(x)


def level_label(alpha: float, lang: str) -> str:
    """'95 %' for alpha = 0.05."""
    return fmt_pct(1 - alpha, lang, 0 if round((1 - alpha) * 100, 6).is_integer() else 1)


# ---------------------------------------------------------------------------------- the inputs
@dataclass
class Inputs:
    """Everything the report shows, read from the earlier steps' outputs."""

    P: dict[str, Any]
    lang: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    describe: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    run_info: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> dict[str, Any]:
        return prose(self.lang)

    @property
    def output_dir(self) -> Path:
        return Path(self.P["output_dir"])

    @property
    def synthetic(self) -> bool:
        return io.is_synthetic(self.run_info)

    @property
    def level(self) -> str:
        return level_label(float(self.P["alpha"]), self.lang)


def read_table(path: Path) -> pd.DataFrame:
    """A table written by io.write_csv(excel=True): UTF-8 with BOM; empty cells are missing."""
    return pd.read_csv(path, encoding="utf-8-sig")


def load(P: dict[str, Any]) -> Inputs:
    """Read the outputs of 01-03 for parameters P (as from params.notebook_params)."""
    out = Path(P["output_dir"])
    tables = {p.stem: read_table(p) for p in sorted((out / "tables").glob("*.csv"))}
    return Inputs(
        P=P, lang=P["lang"], tables=tables,
        describe=io.read_json(out / "describe_summary.json"),
        model=io.read_json(out / "model_summary.json"),
        run_info=io.read_json(Path(P["processed_dir"]) / "run_info.json"),
    )


# ------------------------------------------------------------------------------- HTML builders
def _html(body: str):
    from IPython.display import HTML

    return HTML(f'<div class="report">{body}</div>')


def _section_id(key: str, lang: str) -> str:
    return f"{key}"


def heading(R: Inputs, key: str) -> str:
    return f'<h2 id="{_section_id(key, R.lang)}">{esc(R.t["sections"][key])}</h2>'


def para(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def note_missing(R: Inputs, what: str) -> str:
    return f'<p class="note">{esc(R.t["not_available"].format(what=what))}</p>'


def item_label(item: Any, lang: str) -> str:
    """Codebook label of a variable id (headline label, else the question); the id otherwise."""
    cb = default_codebook()
    try:
        v = cb[str(item)]
    except KeyError:
        return str(item)
    if v.headline:
        return getattr(v.headline, f"label_{lang}")
    return getattr(v, f"question_{lang}")


# How a column is formatted, by name (html_table may override per table).
_PCT_COLS = re.compile(r"^(share.*|ci_low|ci_high|bound_low|bound_high|published_share|response_rate|rate)$")
_PP_COLS = re.compile(r"^ame(_ci_low|_ci_high)?$")
_INT_COLS = re.compile(r"^(n|n_.*|N|respondents|count|items|df)$")
_P_COLS = re.compile(r"^(p_value|q_value)$")
_LABEL_COLS = ("item", "outcome", "term", "variable")
_BOOL_COLS = ("weighted", "responded")
_HIDDEN_COLS = ("suppressed", "data_source", "label_sv", "label_en", "ci_method")
_SUPPRESS_FLAG_COLS = ("suppressed",)
_COUNT_COLS = ("n_eligible", "n_respondents", "n")


def column_kind(col: str) -> str:
    if col in _LABEL_COLS:
        return "label"
    if col in _BOOL_COLS:
        return "bool"
    if col == "grouping":
        return "grouping"
    if col == "group":
        return "group"
    if _PCT_COLS.match(col):
        return "pct"
    if _PP_COLS.match(col):
        return "pp"
    if _INT_COLS.match(col):
        return "int"
    if _P_COLS.match(col):
        return "p"
    return "num2"


def term_label(term: Any, lang: str) -> str:
    """Label of a model term or outcome: prose `terms`, the codebook, 'huvudgrupp[B]' patterns."""
    t = prose(lang)
    s = str(term)
    if s in t["terms"]:
        return t["terms"][s]
    m = re.fullmatch(r"(\w+)\[(?:T\.)?([^\]]+)\]", s)
    if m:
        return f"{term_label(m[1], lang)}: {group_label(m[1], m[2], lang)}"
    return item_label(s, lang)


def group_label(grouping: Any, group: Any, lang: str) -> str:
    """'A1' -> 'A1 Storstäder' / 'A1 Large cities'; 'all' -> 'Alla kommuner'."""
    t = prose(lang)
    g = str(group)
    if g == "all":
        return t["groupings"]["all"]
    names = t["group_names"].get(str(grouping), {})
    if "+" in g:  # groups reported together (A1+A2): name each part
        return " + ".join(f"{p} {names[p]}" if p in names else p for p in g.split("+"))
    return f"{g} {names[g]}" if g in names else g


def format_cell(col: str, value: Any, lang: str, kind: str | None = None, row: pd.Series | None = None) -> tuple[str, bool]:
    """(text, numeric?) for one cell; ids become labels, booleans Ja/Nej, numbers in the language's style."""
    t = prose(lang)
    kind = kind or column_kind(col)
    if _isna(value):
        return "", False
    if kind == "label":
        return term_label(value, lang), False
    if kind == "grouping":
        return t["groupings"].get(str(value), str(value)), False
    if kind == "group":
        grouping = row["grouping"] if row is not None and "grouping" in row.index else ""
        if grouping == "lan_kod" and row is not None and "name" in row.index and not _isna(row["name"]):
            # 'Stockholms län' (sv) / 'Stockholm County' (en): the county's proper name stays Swedish.
            name = re.sub(r"(?<=[^s])s? län$", "", str(row["name"])) if lang != "sv" else str(row["name"])
            return t["county_name"].format(name=name), False
        return group_label(grouping, value, lang), False
    if kind == "bool" or isinstance(value, bool):
        return (t["word_yes"] if _as_bool(value) else t["word_no"]), False
    if not isinstance(value, (int, float)):
        return str(value), False
    if kind == "pct":
        return fmt_pct(value, lang, 1 if col.startswith("share") else 0), True
    if kind == "pp":
        return fmt_num(float(value) * 100, lang, 1), True
    if kind == "int":
        return (str(int(value)) if float(value).is_integer() else fmt_num(value, lang, 1)), True
    if kind == "p":
        return fmt_p(value, lang), True
    if kind == "num1":
        return fmt_num(value, lang, 1), True
    return fmt_num(value, lang, 2), True


def _row_suppressed(row: pd.Series, min_cell: int) -> bool:
    for c in _SUPPRESS_FLAG_COLS:
        if c in row.index and _as_bool(row[c]):
            return True
    for c in _COUNT_COLS:
        if c in row.index and not _isna(row[c]) and isinstance(row[c], (int, float)) and 0 < row[c] < min_cell:
            return True
    return False


def html_table(df: pd.DataFrame, R: Inputs, columns: Iterable[str] | None = None, *,
               caption: str | None = None, keep: Iterable[str] = (), kinds: dict[str, str] | None = None) -> str:
    """An escaped HTML table of `columns`; headers from the prose, values formatted per column.

    Rows flagged `suppressed` (or with a count below min_cell) show "–" in every column not in
    `keep` (the row's labels), so no small cell is disclosed.
    """
    t = R.t
    cols = [c for c in (columns or df.columns) if c in df.columns and c not in _HIDDEN_COLS]
    kinds = kinds or {}
    keep = set(keep)
    min_cell = int(R.P["min_cell"])
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if kinds.get(c, column_kind(c)) not in ("label", "grouping", "group", "bool") else ""}>'
        f'{esc(t["columns"].get(c, c.replace("_", " ")))}</th>'
        for c in cols
    )
    body, any_suppressed = [], False
    for _, row in df.iterrows():
        suppressed = _row_suppressed(row, min_cell)
        any_suppressed |= suppressed
        cells = []
        for c in cols:
            text, numeric = format_cell(c, row[c], R.lang, kinds.get(c), row)
            if suppressed and c not in keep:
                text = t["suppressed"]
            cells.append(f'<td{num if numeric else ""}>{esc(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    out = f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if any_suppressed:
        out += f'<p class="note">{esc(t["suppressed_note"].format(min_cell=min_cell))}</p>'
    return out


# ---------------------------------------------------------------------------------- figures
_LANG_SUFFIX = re.compile(r"^(?P<base>.+?)[_.-](?P<lang>sv|en)$")
# Where a figure goes, by base name; figures not listed go to the "figures" section.
FIGURE_SECTION = {
    "headline_shares": "shares",
    "headline_by_group_heatmap": "groups",
    "maturity_index_map": "groups",
    "response_rate_by_group": "nonresponse",
    "model_forest_or": "models",
    "model_ame": "models",
}


def _figure_base(p: Path) -> str:
    m = _LANG_SUFFIX.match(p.stem)
    return m["base"] if m else p.stem


def figure_files(R: Inputs) -> list[Path]:
    """PNG figures for the report's language: `<name>.png`, or `<name>_<lang>.png` /
    `<lang>/<name>.png` when the step drew both languages (the report's language wins)."""
    fig_dir = R.output_dir / "figures"
    found: dict[str, Path] = {}
    for p in sorted(fig_dir.glob("*.png")) + sorted((fig_dir / R.lang).glob("*.png")):
        m = _LANG_SUFFIX.match(p.stem)
        if m and m["lang"] != R.lang:
            continue
        base = _figure_base(p)
        if m or p.parent.name == R.lang or base not in found:
            found[base] = p
    order = list(FIGURE_SECTION)
    return sorted(found.values(), key=lambda p: (order.index(_figure_base(p)) if _figure_base(p) in order
                                                 else len(order), _figure_base(p)))


def _figures_in(R: Inputs, section: str) -> list[Path]:
    return [p for p in figure_files(R) if FIGURE_SECTION.get(_figure_base(p), "figures") == section]


def figure_html(R: Inputs, path: Path) -> str:
    """<figure> with the PNG embedded as base64 (self-contained) and a caption from the prose."""
    base = _figure_base(path)
    n = [_figure_base(p) for p in figure_files(R)].index(base) + 1
    caption = R.t["figure_captions"].get(base) or R.t["figure_caption_fallback"]
    caption = caption.format(n=n, level=R.level, min_cell=R.P["min_cell"])
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = R.t["figure_alt"].format(caption=caption)
    return (f'<figure id="fig-{esc(base)}"><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _section_figures(R: Inputs, section: str) -> str:
    return "".join(figure_html(R, p) for p in _figures_in(R, section))


# --------------------------------------------------------------------------------- sections
SECTIONS = ("summary", "shares", "groups", "models", "nonresponse", "figures", "methods",
            "limitations", "provenance")


def header(R: Inputs):
    """Title, the synthetic-data banner (when the input was synthetic) and the table of contents."""
    t = R.t
    parts = [f'<h1 id="top">{esc(t["title"].format(wave=R.P["wave"]))}</h1>',
             f'<p class="subtitle">{esc(t["subtitle"])}</p>']
    if R.synthetic:
        parts.append(f'<div class="banner" id="synthetic-banner">{esc(t["synthetic_banner"])}</div>')
    links = "".join(f'<li><a href="#{_section_id(k, R.lang)}">{esc(t["sections"][k])}</a></li>'
                    for k in SECTIONS if k != "figures" or _figures_in(R, "figures"))
    parts.append(f'<nav class="toc" id="toc"><strong>{esc(t["toc"])}</strong><ol>{links}</ol></nav>')
    return _html("".join(parts))


def _headline(R: Inputs) -> pd.DataFrame | None:
    df = R.tables.get("headline")
    if df is None:
        return None
    order = {k: i for i, k in enumerate(HEADLINE_ITEMS)}
    return df.assign(_o=df["item"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def _share_col(df: pd.DataFrame) -> str:
    return "share_weighted" if "share_weighted" in df.columns else "share_unweighted"


def _counts(R: Inputs) -> tuple[int, int | None]:
    population = int(default_codebook().survey["population"])
    resp = R.describe.get("n_respondents") or R.describe.get("respondents")
    if resp is None:
        counts = R.run_info.get("counts", {})
        resp = counts.get("respondents") if isinstance(counts, dict) else None
    return population, (int(resp) if resp is not None else None)


def _x_of_10(value: Any) -> int:
    """The x of 'x av 10' / 'x in 10' / x as written by 02."""
    m = re.match(r"\s*(\d+)", str(value))
    if not m:
        raise ValueError(f"x_of_10: cannot read {value!r}")
    return int(m[1])


def summary(R: Inputs):
    """'6 av 10 kommuner har en CISO' for each headline item, with interval and SKR's figure."""
    t = R.t
    parts = [heading(R, "summary")]
    df = _headline(R)
    if df is None:
        return _html("".join(parts) + note_missing(R, "tables/headline.csv"))
    population, resp = _counts(R)
    rate = fmt_pct(resp / population, R.lang) if resp else t["prov_unknown"]
    parts.append(para(t["summary_intro"].format(population=population, respondents=resp or t["prov_unknown"],
                                                 rate=rate, level=R.level)))
    cb = default_codebook()
    share = _share_col(df)
    items = []
    for _, row in df.iterrows():
        v = cb[str(row["item"])]
        statement = getattr(v.headline, f"statement_{R.lang}").format(x=_x_of_10(row["x_of_10"]))
        published = row["published_share"] if "published_share" in row.index else v.headline.published_share
        interval = t["summary_interval"].format(
            share=fmt_pct(row[share], R.lang), level=R.level, low=fmt_pct(row["ci_low"], R.lang),
            high=fmt_pct(row["ci_high"], R.lang), published=int(round(float(published) * 10)))
        items.append(f'<li><strong>{esc(statement)}</strong> <span class="interval">{esc(interval)}</span></li>')
    parts.append(f'<ul class="key-figures">{"".join(items)}</ul>')
    mat = R.describe.get("maturity_index")
    if isinstance(mat, dict) and mat.get("estimate") is not None:
        parts.append(para(t["summary_maturity"].format(
            mean=fmt_num(mat["estimate"], R.lang, 1), low=fmt_num(mat.get("ci_low"), R.lang, 1),
            high=fmt_num(mat.get("ci_high"), R.lang, 1), level=R.level)))
    return _html("".join(parts))


HEADLINE_COLUMNS = ("item", "n_eligible", "n_yes", "share_weighted", "ci_low", "ci_high",
                    "bound_low", "bound_high", "published_share")


def shares(R: Inputs):
    """The table of the ten shares and the headline figure."""
    t = R.t
    parts = [heading(R, "shares")]
    df = _headline(R)
    if df is None:
        return _html("".join(parts) + note_missing(R, "tables/headline.csv"))
    parts.append(para(t["shares_intro"]))
    parts.append(html_table(df, R, HEADLINE_COLUMNS, caption=t["shares_caption"].format(wave=R.P["wave"]),
                            keep=("item",)))
    parts.append(_section_figures(R, "shares"))
    return _html("".join(parts))


def _by_group_wide(R: Inputs, df: pd.DataFrame) -> str:
    """Items as rows, groups as columns; suppressed cells '–'."""
    t = R.t
    if "grouping" in df.columns:
        df = df[df["grouping"].isin(["kommungrupp", "huvudgrupp"])]
    groups = list(dict.fromkeys(zip(df.get("grouping", pd.Series([""] * len(df))), df["group"])))
    head = f'<th scope="col">{esc(t["columns"]["item"])}</th>' + "".join(
        f'<th scope="col" class="num" title="{esc(group_label(g, c, R.lang))}">{esc(c)}</th>' for g, c in groups)
    rows, any_suppressed = [], False
    min_cell = int(R.P["min_cell"])
    for item in [i for i in HEADLINE_ITEMS if i in set(df["item"])]:
        cells = [f"<td>{esc(item_label(item, R.lang))}</td>"]
        sub = df[df["item"] == item]
        for g, c in groups:
            r = sub[(sub["group"] == c) & ((sub["grouping"] == g) if "grouping" in sub else True)]
            if r.empty:
                cells.append("<td></td>")
                continue
            row = r.iloc[0]
            if _row_suppressed(row, min_cell) or _isna(row["share_weighted"]):
                any_suppressed = True
                cells.append(f'<td class="num">{esc(t["suppressed"])}</td>')
            else:
                cells.append(f'<td class="num">{esc(fmt_pct(row["share_weighted"], R.lang))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    legend = "; ".join(group_label(g, c, R.lang) for g, c in groups)
    out = (f'<table><caption>{esc(t["groups_caption"])}</caption><thead><tr>{head}</tr></thead>'
           f'<tbody>{"".join(rows)}</tbody></table><p class="note">{esc(legend)}</p>')
    if any_suppressed:
        out += f'<p class="note">{esc(t["suppressed_note"].format(min_cell=min_cell))}</p>'
    return out


def groups(R: Inputs):
    """Shares by municipality group, the maturity index by group, and their figures."""
    t = R.t
    parts = [heading(R, "groups"), para(t["groups_intro"].format(min_cell=R.P["min_cell"]))]
    by_group = R.tables.get("headline_by_group")
    if by_group is None:
        parts.append(note_missing(R, "tables/headline_by_group.csv"))
    else:
        parts.append(_by_group_wide(R, by_group))
    maturity = R.tables.get("maturity_index")
    if maturity is not None:
        if "grouping" in maturity.columns:
            maturity = maturity[maturity["grouping"].isin(["all", "kommungrupp", "huvudgrupp"])]
        parts.append(html_table(maturity, R, ("group", "n", "mean", "ci_low", "ci_high"),
                                caption=t["maturity_caption"].format(level=R.level), keep=("group", "n"),
                                kinds={"mean": "num1", "ci_low": "num1", "ci_high": "num1"}))
        if "ci_method" in maturity.columns:
            census = maturity[maturity["ci_method"].astype(str).str.startswith("zero design variance")]
            if len(census):
                names = ", ".join(group_label(g, v, R.lang) for g, v in zip(census["grouping"], census["group"]))
                parts.append(f'<p class="note">{esc(t["maturity_census_note"].format(groups=names))}</p>')
    parts.append(_section_figures(R, "groups"))
    return _html("".join(parts))


def figures(R: Inputs):
    """Figures of the earlier steps that no other section shows (none for the standard outputs)."""
    files = _figures_in(R, "figures")
    if not files:
        return _html("")
    return _html(heading(R, "figures") + para(R.t["figures_intro"]) + "".join(figure_html(R, p) for p in files))


def _verdicts(R: Inputs) -> list[dict[str, Any]]:
    claims = R.model.get("verdicts") or R.model.get("claims") or []
    if isinstance(claims, dict):
        claims = [dict(v, claim=k) if isinstance(v, dict) else {"claim": k, "verdict": v} for k, v in claims.items()]
    return [c for c in claims if isinstance(c, dict)]


def _pick(d: dict[str, Any], lang: str, *names: str) -> str:
    for n in names:
        for key in (f"{n}_{lang}", n):
            if d.get(key) not in (None, ""):
                return str(d[key])
    return ""


MODEL_COLUMNS = ("outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "ame", "n", "method")
_MODEL_KINDS = {"ci_low": "num2", "ci_high": "num2"}


def models(R: Inputs):
    """Plain-language verdict per claim, the forest plot and the model table (03)."""
    t = R.t
    parts = [heading(R, "models"), para(t["models_intro"])]
    verdicts = _verdicts(R)
    if verdicts:
        parts.append(f'<h3 id="verdicts">{esc(t["verdicts_heading"])}</h3>')
        rows = "".join(
            f'<tr><td>{esc(_pick(v, R.lang, "claim"))}</td>'
            f'<td class="verdict">{esc(t["verdict_words"].get(str(v.get("verdict")), _pick(v, R.lang, "verdict")))}</td>'
            f'<td>{esc(_pick(v, R.lang, "text"))}</td></tr>'
            for v in verdicts)
        parts.append(f'<table><thead><tr><th scope="col">{esc(t["verdict_claim"])}</th>'
                     f'<th scope="col">{esc(t["verdict_verdict"])}</th><th scope="col">{esc(t["verdict_text"])}</th>'
                     f"</tr></thead><tbody>{rows}</tbody></table>")
    else:
        parts.append(note_missing(R, "model_summary.json"))
    parts.append(_section_figures(R, "models"))
    df = R.tables.get("models")
    if df is None:
        parts.append(note_missing(R, "tables/models.csv"))
    else:
        shown = df[df["spec"] == "main"] if "spec" in df.columns and (df["spec"] == "main").any() else df
        if "term" in shown.columns:  # the claims' explanatory variables; controls stay in models.csv
            cb_ids = {v.id for v in default_codebook().variables}
            shown = shown[shown["term"].astype(str).isin(cb_ids)]
        parts.append(para(t["models_table_intro"].format(level=R.level)))
        parts.append(html_table(shown, R, MODEL_COLUMNS, caption=t["models_caption"], keep=("outcome", "term"),
                                kinds=_MODEL_KINDS))
        specs = [s for s in dict.fromkeys(df["spec"]) if s != "main"] if "spec" in df.columns else []
        if specs:
            names = ", ".join(t["specs"].get(s, s) for s in specs)
            parts.append(para(t["sensitivity_note"].format(specs=names)))
    rel = R.tables.get("reliability")
    if rel is not None:
        if "ci_method" in rel.columns:
            rel = rel.assign(interval_method=[
                next((lab for key, lab in t["ci_methods"].items() if key in str(m).lower()), str(m))
                for m in rel["ci_method"]])
        parts.append(html_table(rel, R, [c for c in rel.columns if c != "spec"],
                                caption=t["reliability_caption"].format(level=R.level),
                                kinds={"estimate": "num2", "ci_low": "num2", "ci_high": "num2"}))
    return _html("".join(parts))


def nonresponse(R: Inputs):
    t = R.t
    parts = [heading(R, "nonresponse"), para(t["nonresponse_intro"])]
    resp = R.tables.get("response")
    if resp is None:
        parts.append(note_missing(R, "tables/response.csv"))
    else:
        cols = [c for c in ("grouping", "group", "kommungrupp", "kommungrupp_namn", "N", "n_population",
                            "respondents", "n_respondents", "rate", "response_rate") if c in resp.columns]
        parts.append(html_table(resp, R, cols, caption=t["response_caption"],
                                keep=("grouping", "group", "kommungrupp", "kommungrupp_namn", "N", "n_population")))
    parts.append(_section_figures(R, "nonresponse"))
    nr = R.tables.get("nonresponse_model")
    if nr is not None:
        nr = nr[~nr["term"].astype(str).str.lower().isin(["intercept", "const"])] if "term" in nr.columns else nr
        parts.append(html_table(nr, R, ("term", "odds_ratio", "ci_low", "ci_high", "p_value", "n"),
                                caption=t["nonresponse_model_caption"].format(level=R.level), keep=("term",),
                                kinds=_MODEL_KINDS))
    return _html("".join(parts))


def methods(R: Inputs):
    population, _ = _counts(R)
    paras = [para(p.format(population=population, level=R.level, min_cell=R.P["min_cell"]))
             for p in R.t["methods_paragraphs"]]
    return _html(heading(R, "methods") + "".join(paras))


def limitations(R: Inputs):
    items = "".join(f"<li>{esc(x)}</li>" for x in R.t["limitations_items"])
    return _html(heading(R, "limitations") + f"<ul>{items}</ul>")


# ------------------------------------------------------------------------------- provenance
_STAGING = re.compile(r"/\.([^/]+)\.staging-\d+(?=/|$)")


def _display_path(path: str | Path, root: Path) -> str:
    """A path relative to the project root, with the runner's staging folder name undone."""
    s = _STAGING.sub(r"/\1", str(path))
    try:
        return str(Path(s).resolve().relative_to(root))
    except ValueError:
        return s


def _git(root: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def collect_provenance(P: dict[str, Any], root: str | Path | None = None) -> dict[str, Any]:
    """Git commit and dirtiness, SHA-256 of the raw and processed files, parameters, versions.

    Reads files and runs `git` (locally, no network); returns plain data.
    """
    from importlib import metadata

    from . import params as params_mod

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


def provenance(R: Inputs, prov: dict[str, Any] | None = None):
    """The provenance section (collect_provenance unless given)."""
    t = R.t
    prov = prov if prov is not None else collect_provenance(R.P)
    unknown = t["prov_unknown"]
    dirty = prov.get("git_dirty")
    dirty_text = unknown if dirty is None else (t["prov_dirty_yes"] if dirty else t["prov_dirty_no"])
    raw_sha = prov.get("raw_sha256") or R.run_info.get("raw_sha256") or unknown

    def kv(rows: list[tuple[str, str]], h1: str, h2: str, code: bool = False) -> str:
        cls = ' class="hash"' if code else ""
        body = "".join(f"<tr><td>{esc(k)}</td><td{cls}>{esc(v)}</td></tr>" for k, v in rows)
        return (f'<table><thead><tr><th scope="col">{esc(h1)}</th><th scope="col">{esc(h2)}</th></tr></thead>'
                f"<tbody>{body}</tbody></table>")

    general = [
        (t["prov_commit"], prov.get("git_commit") or unknown),
        (t["prov_dirty"], dirty_text),
        (t["prov_synthetic"], t["word_yes"] if R.synthetic else t["word_no"]),
        (t["prov_raw"], f"{prov.get('raw_file', '')}: {raw_sha}"),
        (t["prov_python"], prov.get("python", unknown)),
    ]
    parts = [heading(R, "provenance"), para(t["provenance_intro"]), kv(general, t["prov_item"], t["prov_value"])]
    parts.append(f'<h3 id="provenance-files">{esc(t["prov_processed"])}</h3>')
    parts.append(kv(list(prov.get("processed_sha256", {}).items()), t["prov_file"], "SHA-256", code=True))
    parts.append(f'<h3 id="provenance-params">{esc(t["prov_params"])}</h3>')
    parts.append(kv([(k, str(v)) for k, v in prov.get("params", {}).items()], t["prov_param"], t["prov_value"]))
    parts.append(f'<h3 id="provenance-packages">{esc(t["prov_packages"])}</h3>')
    parts.append(kv(list(prov.get("packages", {}).items()), t["prov_package"], t["prov_version"]))
    return _html("".join(parts))


# ------------------------------------------------------------------------------- rendering
# Allow-list for the report's HTML outputs (a second line of defence after esc()).
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "i", "img", "li", "nav", "ol", "p", "pre", "section", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "lang"):
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
    return bleach.clean(text, tags=ALLOWED_TAGS, attributes=_allowed_attribute, protocols={"data"},
                        strip=False, strip_comments=True)


def _notebook_lang(nb) -> str:
    lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang", "sv")
    return lang if lang in LANGS else "sv"


def _notebook_title(nb) -> str:
    path = nb.metadata.get("papermill", {}).get("input_path") or nb.metadata.get("title") or "notebook"
    return Path(str(path)).stem


def render_notebook_html(nb, *, report: bool) -> str:
    """HTML of an executed notebook, self-contained (no CDN script, style or font).

    report=True: the report view: no input cells or prompts, stderr streams dropped, every HTML and
    Markdown output sanitised by the allow-list, the report CSS inlined, <html lang> and <title>
    from the report's language. report=False: the analysts' view with the code.
    """
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    lang = _notebook_lang(nb)
    if report:
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.get("outputs", [])
                                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        title = prose(lang)["title"].format(wave=nb.metadata.get("papermill", {}).get("parameters", {}).get("wave", ""))
    else:
        title = _notebook_title(nb)
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=report,
        exclude_input_prompt=report,
        exclude_output_prompt=report,
        sanitize_html=report,
        embed_images=True,
        language_code=lang if report else "en",
    )
    if report:
        exporter.register_filter("clean_html", clean_html)
    nb.metadata["title"] = title.strip()
    resources = {"report_css": REPORT_CSS.read_text(encoding="utf-8") if report else ""}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ---------------------------------------------------------------------------------- index
def write_index(output_dir: Path, notebook_htmls: list[Path], lang: str) -> Path:
    """output_dir/index.html: links to the report, its PDF and workbook, and each notebook's HTML."""
    output_dir = Path(output_dir)
    t = prose(lang)
    wave = output_dir.name.split(".")[0].lstrip(".")
    links = [("report.html", t["index_report"])]
    if (output_dir / "report.pdf").is_file():
        links.append(("report.pdf", t["index_pdf"]))
    if (output_dir / "tables" / "tables.xlsx").is_file():
        links.append(("tables/tables.xlsx", t["index_workbook"]))
    items = "".join(f'<li><a href="{esc(h)}">{esc(label)}</a></li>' for h, label in links)
    nbs = []
    for p in sorted(Path(x) for x in notebook_htmls):
        try:
            rel = p.resolve().relative_to(output_dir.resolve()).as_posix()
        except ValueError:
            rel = f"notebooks/{p.name}"
        nbs.append(f'<li><a href="{esc(rel)}">{esc(p.stem)}</a></li>')
    title = t["index_title"].format(wave=wave)
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
        "<style>body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:40rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}h1{color:#1d4f91}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n<p>{esc(t['index_intro'])}</p>\n<ul>{items}</ul>\n"
        f"<h2>{esc(t['index_notebooks'])}</h2>\n<ul>{''.join(nbs)}</ul>\n</body>\n</html>\n"
    )
    return io.write_text(page, output_dir / "index.html")


# ------------------------------------------------------------------------------------ PDF
def find_chromium() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        found = shutil.which(c)
        if found:
            return found
    return None


def print_pdf(html_path: Path, pdf: Path) -> Path | None:
    """Print `html_path` to `pdf` with headless Chromium; None (and a note) without Chromium or
    when printing fails, so the rest of the run is kept."""
    chromium = find_chromium()
    html_path, pdf = Path(html_path), Path(pdf)
    if chromium is None:
        print("note: chromium not found; report.pdf not written (apt-get install chromium)", flush=True)
        return None
    with io.atomic_path(pdf) as tmp:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--print-to-pdf={tmp}", "--no-pdf-header-footer",
               html_path.resolve().as_uri()]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"note: report.pdf not written: chromium failed ({exc})", flush=True)
            return None
        if r.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tail = (r.stderr or "").strip().splitlines()[-1:] or [""]
            print(f"note: report.pdf not written: chromium exited {r.returncode} {tail[0]}", flush=True)
            return None
    return pdf


# ------------------------------------------------------------------------------- workbook
def export_workbook(tables_dir: Path) -> Path:
    """tables_dir/tables.xlsx: one sheet per tables/*.csv (sorted), formula-like text neutralised,
    fixed properties and zip times so the same tables give the same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    tables_dir = Path(tables_dir)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for path in sorted(tables_dir.glob("*.csv")):
        df = read_table(path)
        name = re.sub(r"[\[\]:*?/\\]", "_", path.stem)[:31]
        i = 1
        while name in used:
            i += 1
            name = f"{path.stem[:28]}_{i}"
        used.add(name)
        ws = wb.create_sheet(title=name)
        ws.append([io.neutralise_cell(str(c)) for c in df.columns])
        for row in df.itertuples(index=False):
            cells = []
            for v in row:
                if _isna(v):
                    cells.append(None)
                elif isinstance(v, float) and math.isinf(v):
                    cells.append(str(v))
                elif hasattr(v, "item"):
                    cells.append(io.neutralise_cell(v.item()))
                else:
                    cells.append(io.neutralise_cell(v))
            ws.append(cells)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for j, col in enumerate(df.columns, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, len(str(col)) + 2))
        ws.freeze_panes = "A2"
    if not wb.worksheets:
        wb.create_sheet(title="empty")
    wb.properties.creator = "analysis"
    return io.write_bytes(io.workbook_bytes(wb, FIXED_ZIP_TIME), tables_dir / "tables.xlsx")
