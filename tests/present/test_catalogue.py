"""present.catalogue: every text in Swedish and English with the same placeholders; lookups, filling,
lists and labels of codes; the model texts speak of associations, not causes."""

from __future__ import annotations

import pytest

from analysis.present import catalogue


def test_catalogue_has_both_languages_with_the_same_placeholders():
    leaves = catalogue.leaves()
    assert len(leaves) > 150
    for key, leaf in leaves.items():
        assert set(leaf) == set(catalogue.LANGS), key
        assert leaf["sv"] and leaf["en"], key
        assert catalogue.placeholders(leaf["sv"]) == catalogue.placeholders(leaf["en"]), key


def test_model_texts_use_associational_language():
    for key, leaf in catalogue.leaves().items():
        if key.startswith(("verdict_text", "models", "figures")):
            en = leaf["en"].replace("not that one causes the other", "")
            sv = leaf["sv"].replace("inte att det ena orsakar det andra", "")
            for word in ("leads to", "causes", "increases", "improves", "results in", "leder till", "orsakar",
                         "ökar", "förbättrar"):
                assert word not in en and word not in sv, (key, word)


def test_text_fills_placeholders_in_the_language_asked():
    assert catalogue.text("labels.county", "en", name="Uppsala") == "Uppsala County"
    assert catalogue.text("labels.county", "sv", name="Uppsala län") == "Uppsala län"
    assert catalogue.text("labels.groupings.all", "sv") == "Alla kommuner"
    with pytest.raises(ValueError, match="lang"):
        catalogue.text("labels.groupings.all", "de")
    with pytest.raises(KeyError, match="no entry"):
        catalogue.text("labels.no_such_key", "sv")
    with pytest.raises(KeyError, match="not a text"):
        catalogue.text("labels.groupings", "sv")


def test_lists_labels_and_placeholders():
    bullets = catalogue.texts("limitations.items", "en")
    assert len(bullets) == len(catalogue.entry("limitations.items")) and all(bullets)
    assert catalogue.label("kommungrupp", "A1", "en") == "Large cities"
    assert catalogue.label("kommungrupp", "Z9", "en") == "Z9"  # an unknown code is shown as itself
    assert catalogue.label("kommungrupp", "Z9", "en", default="") == ""
    assert catalogue.placeholders("{x} av {n}, {{literal}}") == {"x", "n"}
    assert catalogue.has("labels.terms.resources") and not catalogue.has("labels.terms.nothing")


def test_the_model_notebook_uses_associational_language():
    for key, leaf in catalogue.leaves().items():
        if key.startswith("notebooks.model"):
            en = " ".join(leaf["en"].split()).replace("none of them shows that one thing causes another", "")
            sv = " ".join(leaf["sv"].split()).replace("inget av dem visar att det ena orsakar det andra", "")
            for word in ("leads to", "causes", "increases", "improves", "results in", "effect of",
                         "leder till", "orsakar", "ökar", "förbättrar", "effekten av"):
                assert word not in en.lower() and word not in sv.lower(), (key, word)
