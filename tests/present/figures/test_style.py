"""present.figures.style: the same figure gives the same bytes; axis ticks in the language's style; the
figures' texts from the catalogue with the level filled from alpha."""

from __future__ import annotations

import matplotlib.pyplot as plt

from analysis.present import catalogue
from analysis.present.figures import style

NBSP = "\u00a0"


def test_figures_are_deterministic(tmp_path):
    def draw(d):
        style.setup_style()
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [0.2, 0.5, 0.4])
        ax.set_title("Andel kommuner – Åre")
        return style.save_figure(fig, d, "f", synthetic=True, lang="sv")

    for pa, pb in zip(draw(tmp_path / "a"), draw(tmp_path / "b"), strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert [p.name for p in draw(tmp_path / "c")] == ["f.png"]  # PNG only


def test_axis_ticks_in_the_languages_style():
    assert style.percent_formatter("sv")(0.5, 0) == f"50{NBSP}%" and style.percent_formatter("en")(0.5, 0) == "50%"
    assert style.decimal_formatter("sv")(2.5, 0) == "2,5" and style.decimal_formatter("en")(3.0, 0) == "3"
    assert style.decimal_formatter("sv", 1)(3.0, 0) == "3,0"


def test_texts_fill_the_level_from_alpha():
    t = style.texts("en", alpha=0.10, min_cell=7)
    leaves = {k for k, v in catalogue.entry("figures").items() if catalogue.is_leaf(v)}
    assert set(t) == leaves
    assert not any("{level}" in v or "{min_cell}" in v for v in t.values())
    assert any("90%" in v for v in t.values())
