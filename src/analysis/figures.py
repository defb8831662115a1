"""Seaborn figures and their deterministic files (PNG 300 dpi + SVG), with the synthetic-data mark.

Plot functions take data and return a matplotlib Figure; `save_figure` is the only writer.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .io import atomic_path  # noqa: E402

SYNTHETIC_MARK = {
    "sv": "SYNTETISKA DATA – illustrerar metoden, inte SKR:s resultat",
    "en": "SYNTHETIC DATA – illustrates the method, not SKR's results",
}
DPI = 300

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
        0.5, 0.005, SYNTHETIC_MARK[lang], ha="center", va="bottom", fontsize=8,
        color="#b00020", fontweight="bold", alpha=0.9,
    )


def save_figure(fig, out_dir: str | Path, name: str, *, synthetic: bool, lang: str = "sv") -> list[Path]:
    """Write `name`.png (300 dpi) and `name`.svg atomically, deterministically; close the figure.

    Metadata that would change between runs (creation date, software version) is stripped.
    """
    out_dir = Path(out_dir)
    if synthetic:
        mark_synthetic(fig, lang)
    matplotlib.rcParams.update(_RC)
    paths = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = out_dir / f"{name}.{ext}"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=ext, dpi=DPI, metadata=meta, bbox_inches="tight")
        paths.append(target)
    plt.close(fig)
    return paths


# --------------------------------------------------------------------------------------------
# 02_describe figures (survey.make_figures passes the texts in the report language)
# --------------------------------------------------------------------------------------------

def plot_headline_shares(headline, *, label_col: str, texts: dict[str, str]):
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
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(texts["share"])
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
    ax.set_xlabel(texts["group"])
    ax.set_ylabel("")
    ax.set_title(texts["heatmap_title"], fontsize=10)
    fig.tight_layout()
    return fig


def plot_response_rate(response, *, texts: dict[str, str]):
    """Bar chart of the response rate by SKR group; suppressed groups labelled instead of a bar."""
    import seaborn as sns

    d = response.assign(rate=response["rate"].astype(float)).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.barplot(data=d, x="group", y="rate", ax=ax, color="#4a7fb0")
    for i, row in d.iterrows():
        if row["suppressed"]:
            ax.text(i, 0.02, texts["suppressed_n"], rotation=90, ha="center", va="bottom", fontsize=8, color="#555555")
        else:
            ax.text(i, row["rate"] + 0.01, f"{row['rate']:.0%}\n({int(row['respondents'])}/{int(row['N'])})",
                    ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(texts["group"])
    ax.set_ylabel(texts["response_rate"])
    ax.set_title(texts["response_title"])
    fig.tight_layout()
    return fig


def plot_county_map(counties, county_table, *, texts: dict[str, str]):
    """Choropleth of a county-level mean (column `mean`, key `group` = lan_kod); suppressed hatched."""
    g = counties.merge(county_table.rename(columns={"group": "lan_kod"}), on="lan_kod", how="left")
    g["mean"] = g["mean"].astype(float)
    supp = g["suppressed"].fillna(True).astype(bool)
    fig, ax = plt.subplots(figsize=(5.5, 8.5))
    g[~supp].plot(column="mean", ax=ax, cmap="viridis", edgecolor="white", linewidth=0.4, legend=True,
                  legend_kwds={"label": texts["map_legend"], "shrink": 0.6})
    if supp.any():
        g[supp].plot(ax=ax, facecolor="#eeeeee", edgecolor="#777777", hatch="///", linewidth=0.4)
        ax.legend(handles=[matplotlib.patches.Patch(facecolor="#eeeeee", edgecolor="#777777", hatch="///",
                                                    label=texts["suppressed"])], loc="lower right", fontsize=8)
    ax.set_axis_off()
    ax.set_title(texts["map_title"], fontsize=11)
    fig.tight_layout()
    return fig
