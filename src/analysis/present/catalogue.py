"""The language catalogue: every text a reader sees, in Swedish and English (catalogue.yaml).

`text(key, lang, **values)` looks up a dotted key and fills its {placeholders}; labels of codes too.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGS = ("sv", "en")
PATH = Path(__file__).with_name("catalogue.yaml")


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The parsed catalogue (cached)."""
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def entry(key: str) -> Any:
    """The raw entry at a dotted key: a {sv, en} leaf, a list of leaves, or a mapping."""
    node: Any = load()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"catalogue has no entry {key!r}")
        node = node[part]
    return node


def is_leaf(node: Any) -> bool:
    return isinstance(node, dict) and set(node) == set(LANGS)


def text(key: str, lang: str, **values: Any) -> str:
    """The text at `key` in `lang`, with {placeholders} filled from `values`."""
    _check_lang(lang)
    node = entry(key)
    if not is_leaf(node):
        raise KeyError(f"catalogue entry {key!r} is not a text")
    return node[lang].format(**values) if values else node[lang]


def texts(key: str, lang: str, **values: Any) -> list[str]:
    """A list entry (e.g. methods.paragraphs) in `lang`, each filled from `values`."""
    _check_lang(lang)
    node = entry(key)
    if not isinstance(node, list):
        raise KeyError(f"catalogue entry {key!r} is not a list")
    return [leaf[lang].format(**values) for leaf in node]


def has(key: str) -> bool:
    try:
        entry(key)
    except KeyError:
        return False
    return True


def label(kind: str, code: Any, lang: str, default: str | None = None, **values: Any) -> str:
    """The label of a code under labels.<kind> (e.g. label("ci_methods", "korn_graubard", "sv")).
    Unknown codes give `default`, or the code itself."""
    key = f"labels.{kind}.{code}"
    if has(key):
        return text(key, lang, **values)
    return str(code) if default is None else default


def placeholders(s: str) -> set[str]:
    """Names of the {placeholders} in a format string."""
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}


def leaves(node: Any = None, prefix: str = "") -> dict[str, dict[str, str]]:
    """Every {sv, en} leaf under `node` (default: the whole catalogue) by dotted key; list items as key[i]."""
    node = load() if node is None else node
    out: dict[str, dict[str, str]] = {}
    if is_leaf(node):
        out[prefix] = node
    elif isinstance(node, dict):
        for k, v in node.items():
            out |= leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out |= leaves(v, f"{prefix}[{i}]")
    return out
