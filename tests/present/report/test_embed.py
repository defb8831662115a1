"""present.report.embed: the figures of the report's language are numbered in their sections' order and
captioned; the trend figure only when two waves were compared, the model figures only with models."""

from __future__ import annotations

import base64

from analysis.present.report.embed import FIGURE_SECTION, figures_by_section

PNG = b"\x89PNG\r\n\x1a\n-fake-"


def _figures(folder, names):
    (folder / "figures").mkdir(exist_ok=True)
    for name in names:
        (folder / "figures" / f"{name}.png").write_bytes(PNG)


def test_figures_are_numbered_in_section_order_and_embedded(make_data, tmp_path):
    _figures(tmp_path, [f"{b}_en" for b in FIGURE_SECTION] + ["headline_shares_sv", "something_else_en"])
    by_section = figures_by_section(make_data("en"))  # one wave: no "change" section, no trend figure
    shown = [f for fs in by_section.values() for f in fs]
    assert [f["id"] for f in shown] == ["fig-headline_shares", "fig-headline_by_group_heatmap",
                                        "fig-maturity_index_map", "fig-model_forest_or", "fig-model_ame",
                                        "fig-response_rate_by_group"]
    assert [f["id"] for f in by_section["groups"]] == ["fig-headline_by_group_heatmap", "fig-maturity_index_map"]
    assert by_section["change"] == []
    assert shown[0]["src"] == "data:image/png;base64," + base64.b64encode(PNG).decode("ascii")
    assert shown[0]["caption"].startswith("Figure 1") and shown[-1]["caption"].startswith("Figure 6")
    assert shown[0]["caption"] in shown[0]["alt"]


def test_the_trend_comes_with_the_comparison_and_model_figures_only_with_models(make_data, tmp_path):
    _figures(tmp_path, ["headline_shares_sv", "trend_sv", "model_ame_sv"])
    compared = figures_by_section(make_data("sv", compare={"wave_from": 2019, "wave_to": 2023}, wave=2023))
    assert [f["id"] for f in compared["change"]] == ["fig-trend"] and compared["change"][0]["caption"].startswith(
        "Figur 2")
    thin = figures_by_section(make_data("sv", model={"not_estimable": [{"reason": "too_few_complete"}]}))
    assert thin["models"] == [] and [f["id"] for f in thin["shares"]] == ["fig-headline_shares"]
