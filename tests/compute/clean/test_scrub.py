"""compute/clean/scrub: the rule that recognises personal data in a shown text, with the names and values
of one export's personal columns (the codebook's `holds_names` column gives the names)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analysis.base.codebook import Codebook, default_codebook
from analysis.compute.clean.scrub import Scrubber

CB = default_codebook()


def test_scrub_rule_replaces_each_kind():
    s = Scrubber(["Monica Holmberg", "Karl Hussein-Hellberg"], ["monica.h@example.net", "Dataskyddsombud"])
    assert s("Mejla monica.h@example.net eller x.y@kommun.se") == "Mejla <e-mail> eller <e-mail>"
    assert s("pnr 19601227-4962, 601227+4962 och 6012274962") == "pnr <personnummer>, <personnummer> och <personnummer>"
    assert s("samordningsnr 600187-1234") == "samordningsnr <personnummer>"  # day 87 = 27 + 60
    assert s("ring 08-123 45 67, +46 (0)70 123 45 67 el. 0046 70 1234567") == "ring <phone>, <phone> el. <phone>"
    assert s("Monica  Holmberg och HELLBERG svarade") == "<name> och <name> svarade"
    assert s("Vårt dataskyddsombud") == "Vårt <personal>"


@pytest.mark.parametrize("text", ["2019-03-25 07:45:46", "2019-03-31T09:30+02:00", "0,5", "50 %", "R0001", "0114",
                                  "Ja, regelbundet", "Etablerat och följs upp", "Holmbergsson", "Karlskoga",
                                  "Upplands Väsby", "12345"])
def test_scrub_rule_leaves_other_text(text):
    s = Scrubber(["Monica Holmberg", "Karl Hussein-Hellberg"])
    assert s(text) == text


def test_scrubber_takes_names_from_the_exports_personal_columns():
    raw = pd.DataFrame({" namn ": ["Astrid Planting", ""], "E-post": ["a@b.se", ""], "Kommun": ["Ale", "Bjuv"]})
    s = Scrubber.from_export(raw, CB)
    assert s("Astrid skrev; planting klar; Ale") == "<name> skrev; <name> klar; Ale"


def test_names_come_from_the_columns_the_codebook_marks_holds_names():
    raw = pd.DataFrame({"Namn": ["Astrid Planting"], "Befattning": ["Bergsingenjör"]})
    assert Scrubber.from_export(raw, CB)("Astrid; Bergsingenjör") == "<name>; <personal>"
    swapped = Codebook(CB.survey, tuple(dataclasses.replace(v, holds_names=v.id == "respondent_title")
                                        for v in CB.variables), CB.path)
    # the title column now holds the names: its words are names, and the name column's values exact values
    assert Scrubber.from_export(raw, swapped)("Astrid; Bergsingenjör; Astrid Planting") == "Astrid; <name>; <personal>"
