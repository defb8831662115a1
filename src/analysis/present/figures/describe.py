"""02_describe's figures: the headline shares with intervals, the shares by SKR group (heat map), the
response rate by group, and the maturity index by county (map); suppressed cells shown as such."""

from __future__ import annotations

from pathlib import Path

import matplotlib.patches as mpatches
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from .. import fmt
from .style import LANGS, decimal_formatter, percent_formatter, save_figure, setup_style, texts

HATCH = "///"  # suppressed cells and counties
SUPPRESSED_FACE, SUPPRESSED_EDGE = "#eeeeee", "#777777"


def plot_headline_shares(headline, *, label_col: str, texts: dict[str, str], lang: str = "sv"):
    """Weighted shares of the ten headline items with their intervals; SKR's published share marked."""
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
    ax.xaxis.set_major_formatter(percent_formatter(lang))
    ax.set_xlabel(texts["share_axis"])
    ax.set_ylabel("")
    ax.set_title(texts["headline_title"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def plot_group_heatmap(by_group, *, labels: dict[str, str], texts: dict[str, str]):
    """Heat map of within-group shares (items x SKR groups); suppressed cells blank and hatched."""
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
                ax.add_patch(mpatches.Rectangle((c, r), 1, 1, fill=False, hatch=HATCH, edgecolor="#999999",
                                                linewidth=0))
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
    d = response.assign(rate=response["rate"].astype(float)).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.barplot(data=d, x="group", y="rate", ax=ax, color="#4a7fb0")
    for i, row in d.iterrows():
        if row["suppressed"]:
            ax.text(i, 0.02, texts["suppressed"], rotation=90, ha="center", va="bottom", fontsize=8, color="#555555")
        else:
            label = f"{fmt.percent(row['rate'], lang, 0)}\n({int(row['respondents'])}/{int(row['N'])})"
            ax.text(i, row["rate"] + 0.01, label, ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(percent_formatter(lang))
    ax.set_xlabel(texts["group_axis"])
    ax.set_ylabel(texts["response_rate"])
    ax.set_title(texts["response_title"])
    fig.tight_layout()
    return fig


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
        g[supp].plot(ax=ax, facecolor=SUPPRESSED_FACE, edgecolor=SUPPRESSED_EDGE, hatch=HATCH, linewidth=0.4)
        ax.legend(handles=[mpatches.Patch(facecolor=SUPPRESSED_FACE, edgecolor=SUPPRESSED_EDGE, hatch=HATCH,
                                          label=texts["suppressed"])], loc="lower right", fontsize=8)
    ax.set_axis_off()
    if len(fig.axes) > 1:  # the colour bar
        fig.axes[-1].yaxis.set_major_formatter(decimal_formatter(lang, 1))
    ax.set_title(texts["map_title"], fontsize=11)
    fig.tight_layout()
    return fig


def describe_figures(tables: dict, counties, out_dir, *, alpha: float, min_cell: int, synthetic: bool,
                     langs=LANGS) -> list[Path]:
    """02's four figures in each language of `langs`: `<name>_<lang>.png` (the steps draw the run's
    language only: `lang` is one of their keys, so a language switch reruns them)."""
    setup_style()
    paths: list[Path] = []
    for lang in langs:
        t = texts(lang, alpha, min_cell)
        head = tables["headline"]
        labels = dict(zip(head["item"], head[f"label_{lang}"], strict=True))
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
