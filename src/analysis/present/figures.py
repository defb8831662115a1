"""Seaborn figures from the validated tables, with texts from the catalogue and the synthetic-data mark.

Plot functions take data and return a matplotlib Figure; `save_figure` is the only writer.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..base.io import atomic_path  # noqa: E402
from . import catalogue, fmt  # noqa: E402

LANGS = catalogue.LANGS
# 200 dpi: a 8-inch figure is ~1600 px wide, 1.7 device pixels per CSS pixel in the report's
# 60rem column and ~240 dpi on an A4 page of the PDF; 300 dpi cost half as much again in savefig.
DPI = 200

# Fixed rc settings so that the same figure gives the same bytes on every run.
_RC = {
    "svg.hashsalt": "analysis",  # stable ids in SVG output
    "svg.fonttype": "path",
    "path.simplify": True,
    "font.family": "DejaVu Sans",
}


def setup_style() -> None:
    """Apply the project's seaborn theme and the deterministic rc settings."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update(_RC)


def mark_synthetic(fig, lang: str = "sv") -> None:
    """Stamp the synthetic-data mark across the bottom of a figure."""
    fig.text(
        0.5, 0.005, catalogue.text("figures.mark", lang), ha="center", va="bottom", fontsize=8,
        color="#b00020", fontweight="bold", alpha=0.9,
    )


def save_figure(fig, out_dir: str | Path, name: str, *, synthetic: bool, lang: str = "sv") -> list[Path]:
    """Write `name`.png (DPI) atomically, deterministically; close the figure.

    PNG only: the report, its PDF and the notebook pages embed the PNG, and nothing in the project
    reads another format (an SVG of every figure cost as much as the PNG and had no reader).
    Metadata that would change between runs (creation date, software version) is stripped.
    """
    out_dir = Path(out_dir)
    if synthetic:
        mark_synthetic(fig, lang)
    matplotlib.rcParams.update(_RC)
    target = out_dir / f"{name}.png"
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return [target]


def _percent_formatter(lang: str):
    """Axis ticks as percents in the language's style (0.5 -> '50 %' / '50%')."""
    return matplotlib.ticker.FuncFormatter(lambda v, _: fmt.percent(v, lang, 0))


def texts(lang: str, alpha: float = 0.05, min_cell: int = 5) -> dict[str, str]:
    """The figures' texts in `lang` (catalogue section `figures`), levels filled from alpha."""
    level = fmt.level(alpha, lang)
    out = {}
    for key, leaf in catalogue.entry("figures").items():
        if catalogue.is_leaf(leaf):
            out[key] = catalogue.text(f"figures.{key}", lang).replace("{level}", level).replace(
                "{min_cell}", str(min_cell))
    return out


# --------------------------------------------------------------------------------------------
# 02_describe figures
# --------------------------------------------------------------------------------------------

def plot_headline_shares(headline, *, label_col: str, texts: dict[str, str], lang: str = "sv"):
    """Weighted shares of the ten headline items with their intervals; SKR's published share marked."""
    import numpy as np
    import seaborn as sns

    d = headline.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(d))
    est = d["share_weighted"].astype(float).to_numpy()
    lo, hi = d["ci_low"].astype(float).to_numpy(), d["ci_high"].astype(float).to_numpy()
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="none", ecolor="#1f4e79", elinewidth=2, capsize=4)
    sns.scatterplot(x=est, y=y, ax=ax, color="#1f4e79", s=45, zorder=3, label=texts["estimate"])
    sns.scatterplot(x=d["published_share"].astype(float).to_numpy(), y=y, ax=ax, marker="D", s=40,
                    facecolor="none", edgecolor="#b35900", linewidth=1.5, zorder=4, label=texts["published"])
    ax.set_yticks(y, d[label_col])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_percent_formatter(lang))
    ax.set_xlabel(texts["share_axis"])
    ax.set_ylabel("")
    ax.set_title(texts["headline_title"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def plot_group_heatmap(by_group, *, labels: dict[str, str], texts: dict[str, str]):
    """Heat map of within-group shares (items x SKR groups); suppressed cells blank and hatched."""
    import seaborn as sns

    wide = by_group.pivot(index="item", columns="group", values="share_weighted").astype(float)
    supp = by_group.pivot(index="item", columns="group", values="suppressed").astype(bool)
    order = [i for i in labels if i in wide.index]
    wide, supp = wide.loc[order], supp.loc[order]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.set_facecolor("white")
    sns.heatmap(wide * 100, ax=ax, mask=supp.to_numpy() | wide.isna().to_numpy(), cmap="Blues",
                vmin=0, vmax=100, annot=True, fmt=".0f", linewidths=0.5, linecolor="white",
                cbar_kws={"label": texts["share_short"] + " (%)"})
    for r, item in enumerate(wide.index):
        for c, grp in enumerate(wide.columns):
            if supp.loc[item, grp]:
                ax.add_patch(matplotlib.patches.Rectangle((c, r), 1, 1, fill=False, hatch="///",
                                                          edgecolor="#999999", linewidth=0))
                ax.text(c + 0.5, r + 0.5, "–", ha="center", va="center", color="#555555", fontsize=9)
    ax.grid(False)
    ax.set_yticklabels([labels[i] for i in wide.index], rotation=0)
    ax.set_xlabel(texts["group_axis"])
    ax.set_ylabel("")
    ax.set_title(texts["heatmap_title"], fontsize=10)
    fig.tight_layout()
    return fig


def plot_response_rate(response, *, texts: dict[str, str], lang: str = "sv"):
    """Bar chart of the response rate by SKR group; suppressed groups labelled instead of a bar."""
    import seaborn as sns

    d = response.assign(rate=response["rate"].astype(float)).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.barplot(data=d, x="group", y="rate", ax=ax, color="#4a7fb0")
    for i, row in d.iterrows():
        if row["suppressed"]:
            ax.text(i, 0.02, texts["suppressed"], rotation=90, ha="center", va="bottom", fontsize=8, color="#555555")
        else:
            ax.text(i, row["rate"] + 0.01, f"{fmt.percent(row['rate'], lang, 0)}\n({int(row['respondents'])}/{int(row['N'])})",
                    ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(_percent_formatter(lang))
    ax.set_xlabel(texts["group_axis"])
    ax.set_ylabel(texts["response_rate"])
    ax.set_title(texts["response_title"])
    fig.tight_layout()
    return fig


def _decimal_formatter(lang: str, digits: int | None = None):
    """Axis ticks as decimals in the language's style ('2,5' / '2.5'); whole numbers without decimals
    when `digits` is None."""
    def f(v, _):
        d = digits if digits is not None else (0 if float(v).is_integer() else 1)
        return fmt.decimal(v, lang, d)
    return matplotlib.ticker.FuncFormatter(f)


def plot_county_map(counties, county_table, *, texts: dict[str, str], lang: str = "sv"):
    """Choropleth of a county-level mean (column `mean`, key `group` = lan_kod); suppressed hatched."""
    g = counties.merge(county_table.rename(columns={"group": "lan_kod"}), on="lan_kod", how="left")
    g["mean"] = g["mean"].astype(float)
    supp = g["suppressed"].fillna(True).astype(bool)
    fig, ax = plt.subplots(figsize=(5.5, 8.5))
    if (~supp).any():  # every county suppressed (thin data): no colour layer, no colour bar
        g[~supp].plot(column="mean", ax=ax, cmap="viridis", edgecolor="white", linewidth=0.4, legend=True,
                      legend_kwds={"label": texts["map_legend"], "shrink": 0.6})
    if supp.any():
        g[supp].plot(ax=ax, facecolor="#eeeeee", edgecolor="#777777", hatch="///", linewidth=0.4)
        ax.legend(handles=[matplotlib.patches.Patch(facecolor="#eeeeee", edgecolor="#777777", hatch="///",
                                                    label=texts["suppressed"])], loc="lower right", fontsize=8)
    ax.set_axis_off()
    if len(fig.axes) > 1:  # the colour bar
        fig.axes[-1].yaxis.set_major_formatter(_decimal_formatter(lang, 1))
    ax.set_title(texts["map_title"], fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# 03_model figures (run.steps.model passes the main-spec rows and the outcome labels)
# --------------------------------------------------------------------------------------------

_MODEL_COLORS = ("#1f4e79", "#b35900", "#2e7d32", "#7b1fa2")


def _model_dodge_plot(rows, labels: dict[str, str], terms, *, est: str, lo: str, hi: str, ref: float,
                      log: bool, axis_text: str, title: str, lang: str):
    import numpy as np
    import seaborn as sns  # noqa: F401  (style set by setup_style)

    texts = {**globals()["texts"](lang), **{t: catalogue.label("terms", t, lang) for t in terms}}
    outcomes = [o for o in labels if o in set(rows["outcome"])]
    n_t = len(terms)
    height = 0.8 / max(n_t, 1)
    fig, ax = plt.subplots(figsize=(8.5, 1.6 + len(outcomes) * (0.35 + 0.2 * n_t)))
    for k, term in enumerate(terms):
        d = rows[rows["term"] == term].set_index("outcome").reindex(outcomes)
        y = np.arange(len(outcomes))[::-1] + (n_t - 1) / 2 * height - k * height
        e, l, h = (d[c].astype(float).to_numpy() for c in (est, lo, hi))
        ax.errorbar(e, y, xerr=[e - l, h - e], fmt="o", color=_MODEL_COLORS[k % len(_MODEL_COLORS)],
                    ecolor=_MODEL_COLORS[k % len(_MODEL_COLORS)], elinewidth=1.8, capsize=3, markersize=5,
                    label=texts[term])
        firth = (d["method"] == "Firth").to_numpy()
        if firth.any():
            ax.scatter(e[firth], y[firth], marker="s", s=60, facecolor="none", edgecolor="black", zorder=4,
                       label=texts["firth"])
    ax.axvline(ref, color="#555555", linestyle="--", linewidth=1)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: fmt.decimal(v, lang, 0 if v >= 1 else 1)))
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1, 2, 5)))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    else:
        ax.xaxis.set_major_formatter(_decimal_formatter(lang))
    ax.set_yticks(np.arange(len(outcomes))[::-1], [labels[o][:1].upper() + labels[o][1:] for o in outcomes])
    ax.grid(axis="y", visible=False)
    for b in np.arange(len(outcomes) - 1) + 0.5:
        ax.axhline(b, color="#dddddd", linewidth=0.8)
    ax.set_ylim(-0.5, len(outcomes) - 0.5)
    ax.set_xlabel(axis_text)
    ax.set_title(title, fontsize=10)
    handles, names = ax.get_legend_handles_labels()
    uniq = dict(zip(names, handles))
    fig.legend(uniq.values(), uniq.keys(), loc="lower center", bbox_to_anchor=(0.5, 0.025), ncol=2,
               frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.035 + 0.025 * ((len(uniq) + 1) // 2), 1, 1))
    return fig


def model_forest_plot(rows, labels: dict[str, str], terms=("leadership_informed", "action_plans"), *,
                      lang: str = "sv", alpha: float = 0.05):
    """Forest plot of odds ratios (log scale): one row per outcome, one marker per term."""
    t = texts(lang, alpha)
    return _model_dodge_plot(rows, labels, list(terms), est="odds_ratio", lo="ci_low", hi="ci_high", ref=1.0,
                             log=True, axis_text=t["or_axis"], title=t["forest_title"], lang=lang)


def model_ame_plot(rows, labels: dict[str, str],
                   terms=("leadership_informed", "action_plans", "resources", "collaboration"), *,
                   lang: str = "sv", alpha: float = 0.05):
    """Average marginal effects in percentage points with intervals: one row per outcome."""
    t = texts(lang, alpha)
    return _model_dodge_plot(rows, labels, list(terms), est="ame", lo="ame_ci_low", hi="ame_ci_high", ref=0.0,
                             log=False, axis_text=t["ame_axis"], title=t["ame_title"], lang=lang)


# --------------------------------------------------------------------------------------------
# The steps' figure sets, in the run's language only (`lang` is one of these steps' keys, so a
# language switch reruns them; drawing both languages doubled the steps' largest cost)
# --------------------------------------------------------------------------------------------

def describe_figures(tables: dict, counties, out_dir, *, alpha: float, min_cell: int, synthetic: bool,
                     langs=LANGS) -> list[Path]:
    """02's four figures in each language of `langs`: `<name>_<lang>.png`."""
    setup_style()
    paths: list[Path] = []
    for lang in langs:
        t = texts(lang, alpha, min_cell)
        head = tables["headline"]
        labels = dict(zip(head["item"], head[f"label_{lang}"]))
        bg, resp, mat = tables["headline_by_group"], tables["response"], tables["maturity_index"]
        figs = {
            "headline_shares": plot_headline_shares(head, label_col=f"label_{lang}", texts=t, lang=lang),
            "headline_by_group_heatmap": plot_group_heatmap(bg[bg["grouping"] == "kommungrupp"], labels=labels,
                                                            texts=t),
            "response_rate_by_group": plot_response_rate(resp[resp["grouping"] == "kommungrupp"], texts=t,
                                                         lang=lang),
            "maturity_index_map": plot_county_map(counties, mat[mat["grouping"] == "lan_kod"], texts=t, lang=lang),
        }
        for name, fig in figs.items():
            paths += save_figure(fig, out_dir, f"{name}_{lang}", synthetic=synthetic, lang=lang)
    return paths


def model_figures(main_rows, outcome_labels: dict[str, dict[str, str]], out_dir, *, alpha: float,
                  synthetic: bool, primary_terms, predictors, langs=LANGS) -> dict[str, dict[str, list[Path]]]:
    """03's forest plot (odds ratios) and AME plot in each language of `langs`:
    {lang: {"forest": [...], "ame": [...]}}."""
    setup_style()
    out: dict[str, dict[str, list[Path]]] = {}
    for lang in langs:
        labels = outcome_labels[lang]
        out[lang] = {
            "forest": save_figure(model_forest_plot(main_rows, labels, primary_terms, lang=lang, alpha=alpha),
                                  out_dir, f"model_forest_or_{lang}", synthetic=synthetic, lang=lang),
            "ame": save_figure(model_ame_plot(main_rows, labels, predictors, lang=lang, alpha=alpha),
                               out_dir, f"model_ame_{lang}", synthetic=synthetic, lang=lang),
        }
    return out


# --------------------------------------------------------------------------------------------
# 05_compare: the public record beside the project's estimates
# --------------------------------------------------------------------------------------------

_PUBLISHED_COLOR, _ESTIMATE_COLOR = "#b35900", "#1f4e79"
_PUBLISHED_MARKERS = {"same": ("D", True), "similar": ("D", False), "other_item": ("s", False)}
TREND_OFFSET = 0.35  # published points left of the wave, estimates right of it


def _wrap(text: str, width: int = 30) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def plot_trend(trend, labels: dict[str, str], *, texts: dict[str, str], lang: str = "sv", ncols: int = 4):
    """Small multiples, one panel per item: each published figure (left of its wave, orange diamonds;
    hollow for another survey's close item, squares for an item without a 2019 counterpart) and the
    project's estimate of each wave (right, blue circles; hollow where the question was reworded),
    every point with its interval. Artists carry gids "published:<item>" / "estimate:<item>"."""
    import math

    import numpy as np
    from matplotlib.lines import Line2D

    items = list(dict.fromkeys(trend["item"]))
    waves = sorted(int(w) for w in set(trend["wave"]))
    nrows = math.ceil((len(items) + 1) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.9 * ncols, 2.45 * nrows), sharex=True, sharey=True,
                             squeeze=False)
    flat = axes.ravel()
    estimate_kind = None
    for ax, item in zip(flat, items):
        d = trend[trend["item"] == item]
        pub = d[d["kind"] == "published"]
        for cls, (marker, filled) in _PUBLISHED_MARKERS.items():
            p = pub[pub["comparability"] == cls]
            if p.empty:
                continue
            x = p["wave"].astype(float).to_numpy() - TREND_OFFSET
            ax.vlines(x, p["ci_low"].astype(float), p["ci_high"].astype(float), color=_PUBLISHED_COLOR,
                      linewidth=1.6, gid=f"published_interval:{item}")
            ax.scatter(x, p["share"].astype(float), marker=marker, s=34, zorder=3, linewidths=1.4,
                       facecolors=_PUBLISHED_COLOR if filled else "white", edgecolors=_PUBLISHED_COLOR,
                       gid=f"published:{item}")
        est = d[d["kind"] != "published"].sort_values("wave")
        if not est.empty:
            estimate_kind = str(est["kind"].iloc[0])
            x = est["wave"].astype(float).to_numpy() + TREND_OFFSET
            ax.plot(x, est["share"].astype(float), color=_ESTIMATE_COLOR, linewidth=0.9, linestyle="--", zorder=2)
            ax.vlines(x, est["ci_low"].astype(float), est["ci_high"].astype(float), color=_ESTIMATE_COLOR,
                      linewidth=1.6, gid=f"estimate_interval:{item}")
            reworded = (est["comparability"] == "wording_changed").to_numpy()
            ax.scatter(x, est["share"].astype(float), marker="o", s=30, zorder=3, linewidths=1.4,
                       facecolors=np.where(reworded, "white", _ESTIMATE_COLOR).tolist(),
                       edgecolors=_ESTIMATE_COLOR, gid=f"estimate:{item}")
        ax.set_title(_wrap(labels.get(item, item)), fontsize=7.5)
        ax.set_ylim(0, 1)
        ax.set_xlim(waves[0] - 1.5, waves[-1] + 1.5)
        ax.set_xticks(waves, [str(w) for w in waves], fontsize=7.5)
        ax.yaxis.set_major_formatter(_percent_formatter(lang))
        ax.tick_params(axis="y", labelsize=7.5)
    for ax in flat[len(items):]:
        ax.set_axis_off()
    est_label = texts["trend_estimate_synthetic"] if estimate_kind == "synthetic" else texts["trend_estimate"]
    handles = [
        Line2D([], [], marker="D", color=_PUBLISHED_COLOR, markerfacecolor=_PUBLISHED_COLOR, linestyle="",
               label=texts["trend_published_same"]),
        Line2D([], [], marker="D", color=_PUBLISHED_COLOR, markerfacecolor="white", linestyle="",
               label=texts["trend_published_similar"]),
        Line2D([], [], marker="s", color=_PUBLISHED_COLOR, markerfacecolor="white", linestyle="",
               label=texts["trend_published_other"]),
        Line2D([], [], marker="o", color=_ESTIMATE_COLOR, markerfacecolor=_ESTIMATE_COLOR, linestyle="--",
               label=est_label),
        Line2D([], [], marker="o", color=_ESTIMATE_COLOR, markerfacecolor="white", linestyle="",
               label=texts["trend_estimate_reworded"]),
    ]
    flat[-1].legend(handles=handles, loc="center", fontsize=7, frameon=False, title=_wrap(texts["trend_legend"], 34),
                    title_fontsize=7.5)
    fig.suptitle(texts["trend_title"], fontsize=10.5)
    fig.supylabel(texts["trend_axis"], fontsize=8.5)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def compare_figures(trend, labels: dict[str, dict[str, str]], out_dir, *, alpha: float, synthetic: bool,
                    langs=LANGS) -> list[Path]:
    """05's trend figure in each language of `langs`: `trend_<lang>.png`."""
    setup_style()
    paths: list[Path] = []
    for lang in langs:
        fig = plot_trend(trend, labels[lang], texts=texts(lang, alpha), lang=lang)
        paths += save_figure(fig, out_dir, f"trend_{lang}", synthetic=synthetic, lang=lang)
    return paths
