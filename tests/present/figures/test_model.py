"""present.figures.model: the forest plot of hand-made odds ratios: log scale, one marker per outcome and
term at its estimate, Firth fits marked, outcomes labelled and capitalised."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.present.figures import model, style
from analysis.present.labels import term_label


def _rows() -> pd.DataFrame:
    return pd.DataFrame({"outcome": ["risk_management", "risk_management", "continuity", "continuity"],
                         "term": ["leadership_informed", "action_plans"] * 2, "odds_ratio": [1.5, 2.0, 0.8, 4.0],
                         "ci_low": [1.0, 1.2, 0.5, 2.0], "ci_high": [2.2, 3.3, 1.3, 8.0],
                         "method": ["ML", "ML", "ML", "Firth"]})


def test_forest_plot_puts_each_estimate_on_a_log_axis_and_marks_firth_fits():
    labels = {"risk_management": "manages risks", "continuity": "plans continuity"}
    fig = model.model_forest_plot(_rows(), labels, ("leadership_informed", "action_plans"), lang="en")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    estimates = sorted(round(float(x), 3) for line in ax.lines if line.get_marker() == "o" for x in line.get_xdata())
    assert estimates == [0.8, 1.5, 2.0, 4.0]
    firth = [c for c in ax.collections if c.get_label() == style.texts("en")["firth"]]
    assert [float(c.get_offsets()[0][0]) for c in firth] == [4.0]  # only the Firth fit is boxed
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Manages risks", "Plans continuity"]
    legend = {t.get_text() for t in fig.legends[0].get_texts()}  # each label once
    assert legend == {term_label("leadership_informed", "en"), term_label("action_plans", "en"),
                      style.texts("en")["firth"]}
    plt.close(fig)


def test_ame_plot_is_linear_around_zero():
    rows = _rows().assign(ame=[5.0, -2.0, 1.0, 3.0], ame_ci_low=[1.0, -4.0, -1.0, 0.5],
                          ame_ci_high=[9.0, 0.0, 3.0, 5.5])
    fig = model.model_ame_plot(rows, {"risk_management": "r", "continuity": "c"},
                               ("leadership_informed", "action_plans"), lang="sv")
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    assert any(list(line.get_xdata()) == [0.0, 0.0] for line in ax.lines)  # the reference line at 0
    plt.close(fig)
