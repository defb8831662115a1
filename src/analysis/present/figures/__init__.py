"""Seaborn figures from the validated tables, with texts from the catalogue and the synthetic-data mark.

A facade: the steps and tests call `figures.describe_figures(...)` etc. through this one import.
Modules: style (theme, texts, formatters, `save_figure`, the only writer), describe (02's four
figures), model (03's forest and AME plots), compare (05's trend figure). Plot functions take data and
return a matplotlib Figure.
"""

from .compare import TREND_OFFSET, compare_figures, plot_trend
from .describe import (
    describe_figures,
    plot_county_map,
    plot_group_heatmap,
    plot_headline_shares,
    plot_response_rate,
)
from .model import model_ame_plot, model_figures, model_forest_plot
from .style import DPI, LANGS, mark_synthetic, save_figure, setup_style, texts

__all__ = [
    "DPI", "LANGS", "TREND_OFFSET", "compare_figures", "describe_figures", "mark_synthetic", "model_ame_plot",
    "model_figures", "model_forest_plot", "plot_county_map", "plot_group_heatmap", "plot_headline_shares",
    "plot_response_rate", "plot_trend", "save_figure", "setup_style", "texts",
]
