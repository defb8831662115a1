"""The survey's waves (waves.yaml): each wave's codebook, and the items two waves share with how
comparable each is (the item map), checked against both codebooks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .codebook import (
    BINARY_ITEMS,
    COMPARABILITY,
    DEFAULT_PATH,
    DONT_KNOW,
    Codebook,
    CodebookError,
    Variable,
    default_codebook,
    load_codebook,
    normalise_label,
)

WAVES_PATH = Path(__file__).with_name("waves.yaml")


@dataclass(frozen=True)
class ItemLink:
    """One item two waves share: its id in the earlier and the later wave, and how comparable it is."""

    item_from: str
    item_to: str
    comparability: str  # one of COMPARABILITY
    note_sv: str | None = None
    note_en: str | None = None


@dataclass(frozen=True)
class ItemMap:
    """The items shared by wave_from and wave_to (waves.yaml), in BINARY_ITEMS order."""

    wave_from: int
    wave_to: int
    items: tuple[ItemLink, ...]

    def __getitem__(self, item_from: str) -> ItemLink:
        for link in self.items:
            if link.item_from == item_from:
                return link
        raise KeyError(item_from)


@lru_cache(maxsize=1)
def _waves_file(path: Path = WAVES_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if not isinstance(raw, dict) or not isinstance(raw.get("waves"), dict):
        raise CodebookError(f"{path}: expected a mapping with 'waves' (wave -> codebook file)")
    return raw


def waves() -> dict[int, Path]:
    """Every wave with a codebook: wave -> codebook path, in wave order."""
    raw = _waves_file()
    return {int(w): WAVES_PATH.with_name(str(f)) for w, f in sorted(raw["waves"].items(), key=lambda kv: int(kv[0]))}


@lru_cache(maxsize=8)
def codebook_for(wave: int) -> Codebook:
    """The codebook of `wave` (waves.yaml); CodebookError naming the known waves when there is none."""
    known = waves()
    if int(wave) not in known:
        raise CodebookError(f"no codebook for wave {wave}: known waves {', '.join(map(str, known))} "
                            f"({WAVES_PATH.name}); add src/analysis/base/codebook_{wave}.yaml and list it there")
    path = known[int(wave)]
    cb = default_codebook() if path == DEFAULT_PATH else load_codebook(path)
    if cb.wave != int(wave):
        raise CodebookError(f"{path.name}: survey.wave is {cb.wave}, but {WAVES_PATH.name} lists it for {wave}")
    return cb


def _wording(v: Variable) -> tuple:
    """What a reader of the question sees and what counts as yes: compared for `same` items."""
    return (v.question_sv, v.question_en, tuple(sorted((normalise_label(k), c) for k, c in v.labels.items()
                                                      if c != DONT_KNOW)), tuple(v.flag or ()))


@lru_cache(maxsize=8)
def item_map(wave_from: int, wave_to: int) -> ItemMap:
    """The items waves `wave_from` and `wave_to` share, checked against both codebooks.

    An item marked `same` must have the same question, answer labels and yes-codes in both codebooks;
    a `wording_changed` item must carry a note in both languages. CodebookError otherwise, or when
    waves.yaml has no map for the pair.
    """
    raw = _waves_file()
    found = [m for m in raw.get("item_maps", []) if int(m["from"]) == int(wave_from) and int(m["to"]) == int(wave_to)]
    if len(found) != 1:
        raise CodebookError(f"{WAVES_PATH.name}: expected one item map from {wave_from} to {wave_to}, "
                            f"found {len(found)}")
    cb_from, cb_to = codebook_for(wave_from), codebook_for(wave_to)
    links = {}
    for item, given in found[0]["items"].items():
        spec = given or {}
        link = ItemLink(str(item), str(spec.get("to", item)), str(spec.get("comparability", "")),
                        spec.get("note_sv"), spec.get("note_en"))
        where = f"{WAVES_PATH.name}, map {wave_from}->{wave_to}, item {item!r}"
        if link.comparability not in COMPARABILITY:
            raise CodebookError(f"{where}: comparability must be one of {COMPARABILITY}, got {link.comparability!r}")
        if link.item_from not in BINARY_ITEMS or link.item_to not in BINARY_ITEMS:
            raise CodebookError(f"{where}: only the yes/no items {BINARY_ITEMS} can be compared")
        same = _wording(cb_from[link.item_from]) == _wording(cb_to[link.item_to])
        if link.comparability == "same" and not same:
            raise CodebookError(f"{where}: marked 'same' but the question, labels or yes-codes differ between "
                                f"{cb_from.path.name} and {cb_to.path.name}; mark it 'wording_changed' with a note")
        if link.comparability == "wording_changed" and not (link.note_sv and link.note_en):
            raise CodebookError(f"{where}: 'wording_changed' needs note_sv and note_en")
        links[link.item_from] = link
    ordered = tuple(links[i] for i in BINARY_ITEMS if i in links)
    return ItemMap(int(wave_from), int(wave_to), ordered)
