"""present.figures.describe: 02's figures from hand-made tables: the county map hatches suppressed
counties (all of them when the data are thin), the heat map hatches suppressed cells, the shares plot
marks SKR's published figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.present.figures import describe, style


def test_county_map_with_every_county_suppressed_draws_all_hatched_without_warning(reference_dir):
    """Thin data suppress every county: the map shows all 21 counties hatched, no colour bar, and no
    warning about an empty layer reaches the notebook."""
    import warnings

    from analysis.base import reference

    counties = reference.load_counties_geojson(reference_dir)
    table = pd.DataFrame({"group": counties["lan_kod"], "mean": float("nan"), "suppressed": True})
    texts = {"map_legend": "index", "suppressed": "suppressed", "map_title": "title"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = describe.plot_county_map(counties, table, texts=texts, lang="en")
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # no colour bar
    assert len(ax.collections) == 1 and len(ax.collections[0].get_paths()) >= len(counties) == 21
    assert ax.collections[0].get_hatch() == "///"
    plt.close(fig)


def test_heatmap_hatches_suppressed_cells_and_annotates_the_others():
    by_group = pd.DataFrame({"item": ["ciso", "ciso", "awareness", "awareness"], "group": ["B3", "C9", "B3", "C9"],
                             "share_weighted": [0.5, None, 0.25, 0.75], "suppressed": [False, True, False, False]})
    fig = describe.plot_group_heatmap(by_group, labels={"ciso": "CISO", "awareness": "Awareness"},
                                      texts=style.texts("en"))
    ax = fig.axes[0]
    assert [p.get_hatch() for p in ax.patches] == ["///"]  # one suppressed cell
    shown = sorted(t.get_text() for t in ax.texts)
    assert shown == ["25", "50", "75", "–"]  # percents of the shown cells, the dash for the hidden one
    assert [t.get_text() for t in ax.get_yticklabels()] == ["CISO", "Awareness"]
    plt.close(fig)


def test_headline_plot_marks_the_published_share():
    head = pd.DataFrame({"item": ["ciso"], "label_en": ["has a CISO"], "share_weighted": [0.589], "ci_low": [0.57],
                         "ci_high": [0.607], "published_share": [0.6]})
    fig = describe.plot_headline_shares(head, label_col="label_en", texts=style.texts("en"), lang="en")
    ax = fig.axes[0]
    points = [tuple(c.get_offsets()[0]) for c in ax.collections if len(c.get_offsets())]
    assert (0.589, 0.0) in points and (0.6, 0.0) in points
    assert [t.get_text() for t in ax.get_yticklabels()] == ["has a CISO"]
    plt.close(fig)
