"""present.report.sections.header: the sections in order ("change" only with a comparison, titled with
the earlier wave), the title with the wave, the banner only for synthetic data, the links."""

from __future__ import annotations

from analysis.present import catalogue
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.header import SECTIONS, section_header, section_keys, section_titles


def test_change_is_shown_only_when_two_waves_were_compared(make_data):
    one = make_data("sv")
    assert section_keys(one) == [s for s in SECTIONS if s != "change"]
    two = make_data("en", compare={"wave_from": 2019, "wave_to": 2023}, wave=2023)
    assert section_keys(two) == list(SECTIONS)
    assert section_titles(two, Formatter(two))["change"] == "Change since 2019"


def test_the_header_names_the_wave_and_carries_the_banner_only_for_synthetic_data(make_data):
    data = make_data("en", wave=2023)
    head = section_header(data, Formatter(data))
    assert head["title"] == catalogue.text("report.title", "en", wave=2023)
    assert head["banner"] == catalogue.text("report.synthetic_banner", "en")
    assert [href for href, _ in head["nav"]] == ["index.html", "tables/tables.xlsx"]
    assert [key for key, _ in head["toc"]] == section_keys(data)
    real = make_data("sv", synthetic=False)
    assert section_header(real, Formatter(real))["banner"] is None
