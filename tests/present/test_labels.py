"""present.labels: the labels a reader sees for items (codebook, else catalogue), model terms (including
group dummies of both models) and groups (SKR groups, merged groups, counties), in either language."""

from __future__ import annotations

import pytest

from analysis.base.codebook import default_codebook
from analysis.base.waves import codebook_for
from analysis.present import catalogue
from analysis.present.labels import group_label, item_label, term_label


def test_headline_items_take_the_codebooks_label():
    cb = default_codebook()
    for lang in ("sv", "en"):
        assert item_label("ciso", lang) == getattr(cb["ciso"].headline, f"label_{lang}")
    later = codebook_for(2023)
    assert item_label("ciso", "en", later) == later["ciso"].headline.label_en


def test_unknown_items_are_refused():
    with pytest.raises(KeyError):
        item_label("no_such_item", "sv")


def test_terms_from_the_catalogue_and_group_dummies_of_both_models():
    assert term_label("resources", "en") == catalogue.label("terms", "resources", "en")
    assert term_label("huvudgrupp[B]", "sv") == term_label("huvudgrupp_B", "sv") == "Huvudgrupp B"
    assert term_label("kommungrupp_A2", "en") == "Municipality group A2"
    assert term_label("ciso", "en") == item_label("ciso", "en")  # an outcome that is an item
    assert term_label("something_else", "sv") == "something_else"


def test_groups_merged_groups_and_counties():
    assert group_label("all", "all", "sv") == "Alla kommuner"
    assert group_label("kommungrupp", "A1", "en") == "A1 Large cities"
    assert group_label("kommungrupp", "A1+A2", "en") == \
        "A1 Large cities + A2 Commuter municipality near a large city"
    assert group_label("lan_kod", "03", "sv", "Uppsala län") == "Uppsala län"
    assert group_label("lan_kod", "03", "en", "Uppsala län") == "Uppsala County"
    assert group_label("lan_kod", "01", "en", "Stockholms län") == "Stockholm County"
    assert group_label("lan_kod", "03", "en", None) == "03"  # no name: the code


def test_group_terms_of_both_models_are_labelled():
    from analysis.present.labels import term_label

    assert term_label("huvudgrupp[B]", "sv") == term_label("huvudgrupp_B", "sv") == "Huvudgrupp B"
    assert term_label("kommungrupp_A2", "en") == "Municipality group A2"
