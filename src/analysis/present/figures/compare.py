"""05_compare's figure: the public record beside the project's estimates, one small panel per item."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from .style import LANGS, percent_formatter, save_figure, setup_style
from .style import texts as figure_texts

_PUBLISHED_COLOR, _ESTIMATE_COLOR = "#b35900", "#1f4e79"
_PUBLISHED_MARKERS = {"same": ("D", True), "similar": ("D", False), "other_item": ("s", False)}
TREND_OFFSET = 0.35  # published points left of the wave, estimates right of it


def _wrap(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _published(ax, item: str, pub) -> None:
    """An item's published figures left of their wave: filled diamonds (same item), hollow (another
    survey's close item), squares (an item without a 2019 counterpart), each with its interval."""
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


def _estimates(ax, item: str, est) -> None:
    """The project's estimate of each wave right of it, joined by a dashed line; hollow where reworded."""
    x = est["wave"].astype(float).to_numpy() + TREND_OFFSET
    ax.plot(x, est["share"].astype(float), color=_ESTIMATE_COLOR, linewidth=0.9, linestyle="--", zorder=2)
    ax.vlines(x, est["ci_low"].astype(float), est["ci_high"].astype(float), color=_ESTIMATE_COLOR,
              linewidth=1.6, gid=f"estimate_interval:{item}")
    reworded = (est["comparability"] == "wording_changed").to_numpy()
    ax.scatter(x, est["share"].astype(float), marker="o", s=30, zorder=3, linewidths=1.4,
               facecolors=np.where(reworded, "white", _ESTIMATE_COLOR).tolist(), edgecolors=_ESTIMATE_COLOR,
               gid=f"estimate:{item}")


def _legend_handles(texts: dict[str, str], estimate_kind: str | None) -> list[Line2D]:
    est_label = texts["trend_estimate_synthetic"] if estimate_kind == "synthetic" else texts["trend_estimate"]
    return [
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


def plot_trend(trend, labels: dict[str, str], *, texts: dict[str, str], lang: str = "sv", ncols: int = 4):
    """Small multiples, one panel per item: each published figure (left of its wave, orange diamonds;
    hollow for another survey's close item, squares for an item without a 2019 counterpart) and the
    project's estimate of each wave (right, blue circles; hollow where the question was reworded),
    every point with its interval. Artists carry gids "published:<item>" / "estimate:<item>"."""
    items = list(dict.fromkeys(trend["item"]))
    waves = sorted(int(w) for w in set(trend["wave"]))
    nrows = math.ceil((len(items) + 1) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.9 * ncols, 2.45 * nrows), sharex=True, sharey=True,
                             squeeze=False)
    flat = axes.ravel()
    estimate_kind = None
    for ax, item in zip(flat, items, strict=False):
        d = trend[trend["item"] == item]
        _published(ax, item, d[d["kind"] == "published"])
        est = d[d["kind"] != "published"].sort_values("wave")
        if not est.empty:
            estimate_kind = str(est["kind"].iloc[0])
            _estimates(ax, item, est)
        ax.set_title(_wrap(labels.get(item, item)), fontsize=7.5)
        ax.set_ylim(0, 1)
        ax.set_xlim(waves[0] - 1.5, waves[-1] + 1.5)
        ax.set_xticks(waves, [str(w) for w in waves], fontsize=7.5)
        ax.yaxis.set_major_formatter(percent_formatter(lang))
        ax.tick_params(axis="y", labelsize=7.5)
    for ax in flat[len(items):]:
        ax.set_axis_off()
    flat[-1].legend(handles=_legend_handles(texts, estimate_kind), loc="center", fontsize=7, frameon=False,
                    title=_wrap(texts["trend_legend"], 34), title_fontsize=7.5)
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
        fig = plot_trend(trend, labels[lang], texts=figure_texts(lang, alpha), lang=lang)
        paths += save_figure(fig, out_dir, f"trend_{lang}", synthetic=synthetic, lang=lang)
    return paths
