"""compute/clean/mapping: labels to codes ('Vet ej' apart from blank), numbers by their rule, the map log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.base.codebook import default_codebook
from analysis.compute.clean import mapping, schema
from analysis.compute.clean.log import CleaningLog

CB = default_codebook()


def _parsed(**columns):
    rows = len(next(iter(columns.values())))
    base = {v.id: [next(iter(v.labels))] * rows for v in CB.variables if v.is_coded}
    base.update(ciso_share=[""] * rows, self_rating=[""] * rows, started_at=[""] * rows, submitted_at=[""] * rows)
    base.update(columns)
    frame = pd.DataFrame(base).astype("str")
    _prepared, parsed = schema.prepare(frame, CB)
    return parsed


def test_labels_map_to_codes_and_dont_know_is_kept_apart():
    parsed = _parsed(ciso=[" ja", "NEJ", "Vet ej", ""], leadership_informed=["Ja, regelbundet", "", "vet ej", "Nej"])
    m = mapping.map_values(CB, parsed)
    assert m.codes["ciso"].tolist() == [1, 0, -1, -1] and m.dont_know["ciso"].tolist() == [False, False, True, False]
    assert m.codes["leadership_informed"].tolist() == [2, -1, -1, 0]
    assert m.dont_know["leadership_informed"].tolist() == [False, False, True, False]


def test_numbers_are_stored_by_each_variables_rule():
    m = mapping.map_values(CB, _parsed(ciso_share=["50 %", "75", "0,25", ""], self_rating=["3", "5", "", "1"]))
    np.testing.assert_allclose(m.numbers["ciso_share"], [0.5, 0.75, 0.25, np.nan])
    np.testing.assert_allclose(m.numbers["self_rating"], [3, 5, np.nan, 1])


def test_the_map_log_counts_the_kept_rows_only():
    parsed = _parsed(ciso=["Ja", "Vet ej", "", "Ja"], ciso_share=["50 %", "75", "", "0,5"],
                     submitted_at=["2019-03-01 10:00", "", "2019-03-01 11:00", "2019-03-01 12:00"])
    m = mapping.map_values(CB, parsed)
    log = CleaningLog()
    mapping.log_mapping(CB, parsed, m, np.array([True, True, True, False]), log)
    lg = log.frame()
    count = {(a, c): n for a, c, n in lg[["action", "column", "count"]].values}
    assert (count[("labels_mapped", "ciso")], count[("dont_know", "ciso")], count[("blank", "ciso")]) == (1, 1, 1)
    assert (count[("percent_sign", "ciso_share")], count[("percent_no_sign", "ciso_share")],
            count[("fraction", "ciso_share")], count[("blank", "ciso_share")]) == (1, 1, 0, 1)
    assert (count[("times_parsed", "submitted_at")], count[("blank", "submitted_at")]) == (2, 1)
    assert count[("numbers_parsed", "self_rating")] == 0 and count[("blank", "self_rating")] == 3
    assert set(lg["step"]) == {"map"}
