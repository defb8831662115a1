"""The synthetic exports' tests: the default 2019 export, and reading an export back without the
cleaning code (complete submissions, the municipality of each row, the headline shares)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.base.codebook import DONT_KNOW, HEADLINE_ITEMS, normalise_label

SEED = 2019


class ExportReader:
    """Reads a raw export with the codebook only (independent of compute.clean)."""

    def __init__(self, codebook):
        self.cb = codebook

    @staticmethod
    def read_csv(path) -> pd.DataFrame:
        return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")

    def complete(self, df):
        """The submitted rows (submitted_at not blank)."""
        return df[df[self.cb["submitted_at"].header] != ""]

    def codes(self, df, item) -> pd.Series:
        """The item's codes (None for blank, "dont_know" for "Vet ej")."""
        lookup = self.cb[item].label_lookup()
        return df[self.cb[item].header].map(lambda s: lookup[normalise_label(s)] if s.strip() else None)

    def headline_shares(self, df) -> dict[str, float]:
        """Share of yes among valid answers (not "Vet ej", not blank) of the kept complete submissions."""
        kept = self.complete(df)
        out = {}
        for item in HEADLINE_ITEMS:
            codes = self.codes(kept, item)
            valid = codes.notna() & (codes != DONT_KNOW)
            out[item] = float(codes[valid].isin(self.cb[item].headline.yes_codes).mean())
        return out

    def municipality(self, df, register) -> pd.Series:
        """Register code of each row, from the code if given (zero-padded) else from the name."""
        names = {}
        for kod, nm, full in register[["kommunkod", "kommun", "kommun_fullnamn"]].itertuples(index=False):
            for variant in (nm, full):
                names[normalise_label(variant).replace("-", " ")] = kod
        code = df[self.cb["municipality_code"].header].str.strip()
        by_name = df[self.cb["municipality_name"].header].map(
            lambda s: names.get(normalise_label(s).replace("-", " ")))
        return code.where(code == "", code.str.zfill(4)).where(code != "", by_name)


@pytest.fixture(scope="session")
def reader(codebook) -> ExportReader:
    return ExportReader(codebook)


@pytest.fixture
def default_export(synthetic_data):
    """(export, truth) of generate(register, seed=2019): the default 2019 export."""
    return synthetic_data.export(seed=SEED)
