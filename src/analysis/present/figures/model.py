"""03_model's figures: the forest plot of odds ratios (log scale) and the plot of average marginal
effects, one row per outcome and one marker per term, Firth fits marked."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from .. import fmt
from ..labels import term_label
from .style import LANGS, decimal_formatter, save_figure, setup_style
from .style import texts as figure_texts

_MODEL_COLORS = ("#1f4e79", "#b35900", "#2e7d32", "#7b1fa2")


def _draw_terms(ax, rows, outcomes: list[str], terms: list[str], cols: tuple[str, str, str],
                texts: dict[str, str]) -> None:
    """One dodged row of markers with intervals per term, Firth fits circled by a square."""
    est, lo, hi = cols
    n_t = len(terms)
    height = 0.8 / max(n_t, 1)
    for k, term in enumerate(terms):
        d = rows[rows["term"] == term].set_index("outcome").reindex(outcomes)
        y = np.arange(len(outcomes))[::-1] + (n_t - 1) / 2 * height - k * height
        e, l, h = (d[c].astype(float).to_numpy() for c in (est, lo, hi))
        color = _MODEL_COLORS[k % len(_MODEL_COLORS)]
        ax.errorbar(e, y, xerr=[e - l, h - e], fmt="o", color=color, ecolor=color, elinewidth=1.8, capsize=3,
                    markersize=5, label=texts[term])
        firth = (d["method"] == "Firth").to_numpy()
        if firth.any():
            ax.scatter(e[firth], y[firth], marker="s", s=60, facecolor="none", edgecolor="black", zorder=4,
                       label=texts["firth"])


def _x_axis(ax, *, ref: float, log: bool, lang: str) -> None:
    """The reference line (no association) and the x axis: log scale with 1, 2, 5 ticks, or linear."""
    ax.axvline(ref, color="#555555", linestyle="--", linewidth=1)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt.decimal(v, lang, 0 if v >= 1 else 1)))
        ax.xaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1, 2, 5)))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    else:
        ax.xaxis.set_major_formatter(decimal_formatter(lang))


def _model_dodge_plot(rows, labels: dict[str, str], terms, *, est: str, lo: str, hi: str, ref: float,
                      log: bool, axis_text: str, title: str, lang: str):
    texts = {**figure_texts(lang), **{t: term_label(t, lang) for t in terms}}
    outcomes = [o for o in labels if o in set(rows["outcome"])]
    fig, ax = plt.subplots(figsize=(8.5, 1.6 + len(outcomes) * (0.35 + 0.2 * len(terms))))
    _draw_terms(ax, rows, outcomes, terms, (est, lo, hi), texts)
    _x_axis(ax, ref=ref, log=log, lang=lang)
    ax.set_yticks(np.arange(len(outcomes))[::-1], [labels[o][:1].upper() + labels[o][1:] for o in outcomes])
    ax.grid(axis="y", visible=False)
    for b in np.arange(len(outcomes) - 1) + 0.5:
        ax.axhline(b, color="#dddddd", linewidth=0.8)
    ax.set_ylim(-0.5, len(outcomes) - 0.5)
    ax.set_xlabel(axis_text)
    ax.set_title(title, fontsize=10)
    handles, names = ax.get_legend_handles_labels()
    uniq = dict(zip(names, handles, strict=True))
    fig.legend(uniq.values(), uniq.keys(), loc="lower center", bbox_to_anchor=(0.5, 0.025), ncol=2,
               frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.035 + 0.025 * ((len(uniq) + 1) // 2), 1, 1))
    return fig


def model_forest_plot(rows, labels: dict[str, str], terms=("leadership_informed", "action_plans"), *,
                      lang: str = "sv", alpha: float = 0.05):
    """Forest plot of odds ratios (log scale): one row per outcome, one marker per term."""
    t = figure_texts(lang, alpha)
    return _model_dodge_plot(rows, labels, list(terms), est="odds_ratio", lo="ci_low", hi="ci_high", ref=1.0,
                             log=True, axis_text=t["or_axis"], title=t["forest_title"], lang=lang)


def model_ame_plot(rows, labels: dict[str, str],
                   terms=("leadership_informed", "action_plans", "resources", "collaboration"), *,
                   lang: str = "sv", alpha: float = 0.05):
    """Average marginal effects in percentage points with intervals: one row per outcome."""
    t = figure_texts(lang, alpha)
    return _model_dodge_plot(rows, labels, list(terms), est="ame", lo="ame_ci_low", hi="ame_ci_high", ref=0.0,
                             log=False, axis_text=t["ame_axis"], title=t["ame_title"], lang=lang)


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
