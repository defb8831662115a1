"""present.report.sections.methods: the methods paragraphs cite se_design.csv's ratios as tagged spans,
or a dash when no models were fitted; the limitations come from the catalogue."""

from __future__ import annotations

import pandas as pd

from analysis.present import catalogue
from analysis.present.cells import read_tagged
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.methods import section_limitations, section_methods


def test_the_paragraphs_cite_the_design_ratios(make_data):
    se = pd.DataFrame({"variant": ["strata", "strata_fpc"], "ratio_min": [0.91, 0.62], "ratio_median": [0.97, 0.7],
                       "ratio_max": [1.02, 0.8]})
    data = make_data("en", {"se_design": se}, model={"power": 0.8, "min_events": 5})
    text = " ".join(str(p) for p in section_methods(data, Formatter(data))["paragraphs"])
    tags = read_tagged(text)
    assert {(t.key["variant"], t.cols[0]) for t in tags} == {
        ("strata", "ratio_min"), ("strata", "ratio_max"), ("strata", "ratio_median"), ("strata_fpc", "ratio_min"),
        ("strata_fpc", "ratio_max")}
    assert "290" in text  # the population


def test_without_models_the_ratios_are_a_dash(make_data):
    se = pd.DataFrame({"variant": [], "ratio_min": [], "ratio_median": [], "ratio_max": []})
    data = make_data("sv", {"se_design": se})
    paragraphs = section_methods(data, Formatter(data))["paragraphs"]
    assert read_tagged(" ".join(str(p) for p in paragraphs)) == []
    assert section_limitations(data, Formatter(data))["bullets"] == catalogue.texts("limitations.items", "sv")
