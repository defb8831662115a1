"""synthetic.export: the file round-trips through the codebook, 264 complete submissions match the
register, "Vet ej" and blanks come at their rates, the mess is there, and the typed formats by hand."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.base.codebook import normalise_label
from analysis.synthetic import export
from analysis.synthetic.parameters import AREAS, FIELDWORK_START


def test_export_round_trips_through_the_codebook(default_export, codebook):
    df, _ = default_export
    assert list(df.columns) == [v.header for v in codebook.variables]  # all headers, codebook order
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)
    assert not df.isna().any().any()
    for var in codebook.variables:
        if not var.is_coded:
            continue
        allowed = set(var.label_lookup())
        seen = {normalise_label(s) for s in df[var.header] if s.strip()}
        assert seen <= allowed, (var.id, seen - allowed)
    ids = df[codebook["response_id"].header]
    assert ids.is_unique and ids.str.fullmatch(r"R\d{4}").all()
    ts = re.compile(r"2019-0[345]-\d\d \d\d:\d\d:\d\d")
    assert df[codebook["started_at"].header].str.fullmatch(ts).all()
    sub = df[codebook["submitted_at"].header]
    assert sub[sub != ""].str.fullmatch(ts).all()
    rating = df[codebook["self_rating"].header]
    assert set(rating[rating != ""]) <= {"1", "2", "3", "4", "5"}


def test_exactly_264_responding_municipalities(register, codebook, default_export, reader):
    df, truth = default_export
    kept = reader.complete(df)
    assert len(kept) == 264
    matched = reader.municipality(kept, register)
    assert matched.notna().all()
    assert matched.nunique() == 264
    assert sorted(matched) == truth["response_model"]["respondents"]
    # every row (abandoned ones too) is matchable to the register
    assert reader.municipality(df, register).notna().all()


def test_dont_know_and_blank_rates(default_export, codebook, reader):
    df, _ = default_export
    kept = reader.complete(df)
    cells = pd.concat([kept[v.header] for v in codebook.variables if v.is_coded], ignore_index=True)
    dk = (cells.map(normalise_label) == "vet ej").mean()
    blank = (cells.str.strip() == "").mean()
    assert 0.03 <= dk <= 0.05, dk
    assert 0.01 <= blank <= 0.03, blank


def test_realistic_mess(default_export, register, codebook, reader):
    df, truth = default_export
    h = {v.id: v.header for v in codebook.variables}
    abandoned = df[df[h["submitted_at"]] == ""]
    assert len(df) == 269 and len(abandoned) == 5
    kod = reader.municipality(df, register)
    assert sorted(kod[abandoned.index]) == truth["duplicates"]["abandoned_submissions"]
    for i in abandoned.index:  # the abandoned one started earlier than the complete one
        twin = df[(kod == kod[i]) & (df[h["submitted_at"]] != "")]
        assert len(twin) == 1 and df.loc[i, h["started_at"]] < twin[h["started_at"]].iloc[0]
    answers = [codebook[a].header for a in AREAS]
    assert (abandoned[answers] == "").any(axis=1).all()  # partly blank
    names = df[h["municipality_name"]]
    assert names.str.endswith(" kommun").sum() >= 10
    assert names.str.endswith("s kommun").any()
    assert (names.str.isupper()).sum() >= 3
    codes = df[h["municipality_code"]]
    assert (codes.str.len() == 3).sum() >= 5 and (codes == "").sum() >= 3
    labels = pd.concat([df[v.header] for v in codebook.variables if v.is_coded])
    assert labels.str.endswith(" ").sum() >= 20 and labels.str.fullmatch(r"[A-ZÅÄÖ ,]{3,}").sum() >= 20
    share = df[h["ciso_share"]]
    assert share.str.fullmatch(r"\d+").any() and share.str.fullmatch(r"\d+ %").any()
    assert share.str.fullmatch(r"0,\d+").any()
    comments = set(df[h["comment"]])
    assert {"=SUMMA(A1:A2)", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>"} <= comments
    assert any('"' in c and "&" in c and "<" in c for c in comments)
    assert (df[h["comment"]] == "").mean() > 0.7
    assert df[h["respondent_email"]].str.fullmatch(r"[a-z.]+@example\.(com|org|net)").all()


def test_typed_formats_by_hand():
    assert [export.format_share(0.25, s) for s in range(4)] == ["25", "25 %", "25%", "0,25"]
    assert export.format_share(1.0, 3) == "1"
    assert export.swap_hyphen_space("Upplands-Väsby") == "Upplands Väsby"
    assert export.swap_hyphen_space("Malung Sälen") == "Malung-Sälen" and export.swap_hyphen_space("Ale") == "Ale"
    stamps = export.timestamps(np.array([0, 86400 + 3661]), FIELDWORK_START)
    assert list(stamps) == ["2019-03-18 00:00:00", "2019-03-19 01:01:01"]
