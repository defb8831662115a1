"""The labels a reader sees for codes: survey items (codebook, else catalogue), model terms and outcomes,
and groups (SKR groups, merged groups, counties), in the run's language."""

from __future__ import annotations

import re
from typing import Any

from ..base.codebook import Codebook, default_codebook
from . import catalogue, fmt


def item_label(item: str, lang: str, codebook: Codebook | None = None) -> str:
    """Codebook label of a headline item (default: the 2019 codebook); else the catalogue's labels.items;
    else the codebook question."""
    s = str(item)
    try:
        v = (codebook or default_codebook())[s]
    except KeyError:
        v = None
    if v is not None and v.headline:
        return getattr(v.headline, f"label_{lang}")
    if catalogue.has(f"labels.items.{s}"):
        return catalogue.label("items", s, lang)
    if v is None:
        raise KeyError(s)
    return getattr(v, f"question_{lang}")


def term_label(term: str, lang: str) -> str:
    """Label of a model term or outcome: the catalogue's terms, group dummies, the codebook."""
    s = str(term)
    if catalogue.has(f"labels.terms.{s}"):
        return catalogue.label("terms", s, lang)
    m = re.fullmatch(r"(huvudgrupp|kommungrupp)(?:_(.+)|\[(.+)\])", s)  # models: _B; non-response model: [B]
    if m:
        return f"{catalogue.label('terms', m[1], lang)} {m[2] or m[3]}"
    try:
        return item_label(s, lang)
    except KeyError:
        return s


def group_label(grouping: str, group: str, lang: str, name: Any = None) -> str:
    """'A1 Storstäder', 'A1 Storstäder + A2 ...', 'Alla kommuner', 'Stockholms län' / 'Stockholm County'."""
    g = str(group)
    if grouping == "all":
        return catalogue.label("groupings", "all", lang)
    if grouping == "lan_kod":
        if fmt.isna(name) or not str(name):
            return g
        n = str(name) if lang == "sv" else re.sub(r"(?<=[^s])s? län$", "", str(name))
        return catalogue.text("labels.county", lang, name=n)
    parts = []
    for p in g.split("+"):
        lab = catalogue.label(grouping, p, lang, default="")
        parts.append(f"{p} {lab}".strip())
    return " + ".join(parts)
