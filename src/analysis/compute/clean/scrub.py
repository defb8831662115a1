"""Personal data in a raw export: the rule that recognises it, so that no message or log echoes it.

Used wherever a cell's text could be shown (error messages, the cleaning log); processed data never
hold free text or response ids at all (see `analysis.compute.clean.stages`).

The rule (`Scrubber.scrub`) replaces, in this order:

1. e-mail addresses (`local@domain.tld`)                                   -> `<e-mail>`
2. Swedish personnummer and samordningsnummer, 10 or 12 digits, with or
   without `-`, `+` or a space before the last four (`YYMMDD-NNNN`,
   `YYYYMMDDNNNN`; day 61-91 for samordningsnummer)                        -> `<personnummer>`
3. phone numbers: starting with `+`, `00` or `0`, 7 to 13 digits with
   spaces, hyphens, slashes or brackets between them (`08-123 45 67`,
   `+46 (0)70 123 45 67`, `0046 70 1234567`)                               -> `<phone>`
4. the respondents' names taken from the personal columns of the same export
   that the codebook marks `holds_names` (each full name, and each part of
   two or more letters, as whole words, case ignored)                      -> `<name>`
5. any other value of the export's personal columns (e-mail, phone, title)
   written exactly                                                         -> `<personal>`

It is a rule for what is *shown*; it cannot promise to find every personal detail in free text
(a colleague's name, an address), which is why free text is not kept in processed data at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ...base.codebook import Codebook, normalise_label

EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"'.]{2,}")
PERSONNUMMER = re.compile(
    r"(?<![\d])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+ ]?\d{4}(?![\d])")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|0)[\d\s\-()/]{5,24}\d")
_PHONE_DIGITS = (7, 13)
_NAME_SPLIT = re.compile(r"[\s\-]+")
PLACEHOLDERS = {"email": "<e-mail>", "personnummer": "<personnummer>", "phone": "<phone>", "name": "<name>",
                "personal": "<personal>"}


def _phone(m: re.Match) -> str:
    n = sum(ch.isdigit() for ch in m.group(0))
    return PLACEHOLDERS["phone"] if _PHONE_DIGITS[0] <= n <= _PHONE_DIGITS[1] else m.group(0)


class Scrubber:
    """The rule of the module docstring, with the names and values of one export's personal columns."""

    def __init__(self, names: Iterable[str] = (), values: Iterable[str] = ()):
        self._given = (list(names), list(values))
        # an export's personal columns, read at the first scrub: most runs show no cell, and a large
        # export's distinct names make a long pattern
        self._columns: list[tuple[bool, pd.Series]] = []  # (holds names, cells)
        self._patterns: tuple[re.Pattern | None, re.Pattern | None] | None = None

    @classmethod
    def from_export(cls, raw: pd.DataFrame, codebook: Codebook) -> Scrubber:
        """Names from the personal columns the codebook marks `holds_names`, exact values from every
        personal column (headers matched like the cleaning step does: case and surrounding white space
        ignored)."""
        by_header = {normalise_label(v.header): v for v in codebook.personal}
        scrubber = cls()
        for col in raw.columns:
            v = by_header.get(normalise_label(str(col)))
            if v is not None:
                scrubber._columns.append((v.holds_names, raw[col].copy()))
        return scrubber

    def _compiled(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        """(pattern of exact personal values, pattern of names), built once."""
        if self._patterns is None:
            names, values = list(self._given[0]), list(self._given[1])
            for holds_names, cells in self._columns:
                (names if holds_names else values).extend(c for c in pd.unique(cells.astype(str)) if c.strip())
            words: set[str] = set()
            for written in names:
                name = " ".join(str(written).split())
                if len(name) >= 2:
                    words.add(name)
                    words.update(p for p in _NAME_SPLIT.split(name) if len(p) >= 2)
            exact = {" ".join(str(v).split()) for v in values if len(str(v).strip()) >= 3}
            self._patterns = (_alternation(exact), _alternation(words))
            self._columns = []
        return self._patterns

    def scrub(self, text: str) -> str:
        """`text` with every match of the rule replaced by its placeholder."""
        t = EMAIL.sub(PLACEHOLDERS["email"], str(text))
        t = PERSONNUMMER.sub(PLACEHOLDERS["personnummer"], t)
        t = _PHONE.sub(_phone, t)
        values, names = self._compiled()
        if values is not None:
            t = values.sub(PLACEHOLDERS["personal"], t)
        if names is not None:
            t = names.sub(PLACEHOLDERS["name"], t)
        return t

    def __call__(self, text: str) -> str:
        return self.scrub(text)


def _alternation(words: set[str]) -> re.Pattern | None:
    if not words:
        return None
    alts = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)
