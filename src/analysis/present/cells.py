"""Tagged cells and tables: one model and one HTML emitter for the report and the notebook pages.

A number a reader sees carries where it comes from: `data-src` (the contract), `data-cols` (its
columns) and `data-key` (the row's key, JSON with sorted keys). tests/scenarios/test_report_page.py reads
every tagged number back and compares it with its table; the disclosure audit (present.published) reads
the same tags in report.html and the notebook pages. `Cell.html()` and `Table.html()` are the only writers of
this markup (text that is not Markup is escaped); `read_tagged()` is its reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup

from . import fmt

# Inline styles of the notebook pages' tables (they carry no style sheet of ours; JupyterLab's
# right-aligns every cell): labels to the left, numbers never broken inside ("< 0,001", intervals).
LABEL_STYLE = "text-align: left"
NUMBER_STYLE = "white-space: nowrap"
CAPTION_STYLE = "text-align: left; font-weight: bold"
NOTE_STYLE = "font-size: smaller"


def row_key(row: Mapping[str, Any], key_cols: Iterable[str]) -> dict[str, Any]:
    """The key of a table row as plain Python values (None where missing): what `data-key` holds."""
    out = {}
    for k in key_cols:
        v = row[k]
        out[k] = None if fmt.isna(v) else (v.item() if hasattr(v, "item") else v)
    return out


def key_json(key: Mapping[str, Any]) -> str:
    """`data-key`'s text: the key as JSON, keys sorted, non-ASCII kept."""
    return json.dumps(dict(key), ensure_ascii=False, sort_keys=True)


@dataclass
class Cell:
    """One shown value: its text (escaped unless Markup) and, for numbers, its source (contract, row
    key, columns). `tag` is td (th for a header); "span" for a number in running text."""

    text: Any
    num: bool = False
    src: str | None = None
    key: dict[str, Any] | None = None
    cols: tuple[str, ...] = ()
    header: bool = False
    colspan: int = 1
    cls: str = ""
    title: str | None = None
    style: str = ""
    tag: str | None = None

    def attributes(self) -> list[tuple[str, str]]:
        """The element's attributes in the order they are written."""
        tag = self.element()
        attrs = []
        if tag == "th":
            attrs.append(("scope", "colgroup" if self.colspan > 1 else "col"))
        classes = (["num"] if self.num else []) + ([self.cls] if self.cls else [])
        if classes:
            attrs.append(("class", " ".join(classes)))
        if self.colspan > 1:
            attrs.append(("colspan", str(self.colspan)))
        if self.title:
            attrs.append(("title", str(self.title)))
        if self.style:
            attrs.append(("style", self.style))
        if self.src:
            attrs += [("data-src", self.src), ("data-cols", " ".join(self.cols)),
                      ("data-key", key_json(self.key or {}))]
        return attrs

    def element(self) -> str:
        return self.tag or ("th" if self.header else "td")

    def html(self) -> Markup:
        tag = self.element()
        attrs = Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in self.attributes())
        return Markup("<{}{}>{}</{}>").format(Markup(tag), attrs, self.text, Markup(tag))

    __html__ = html


def span(text: Any, src: str, key: dict[str, Any], cols: tuple[str, ...]) -> Markup:
    """A number in running text, tagged with its source like a table cell."""
    return Cell(text, num=True, src=src, key=key, cols=tuple(cols), tag="span").html()


@dataclass
class Table:
    """A table: header rows and body rows of cells, a caption and notes below it.

    `inline` styles the cells for the notebook pages, which carry no style sheet of ours."""

    id: str | None
    caption: Any
    head: list[list[Cell]]
    rows: list[list[Cell]]
    notes: list[Any] = field(default_factory=list)
    cls: str = ""
    inline: bool = False

    def _cell(self, cell: Cell) -> Markup:
        if self.inline and not cell.style:
            style = LABEL_STYLE if not cell.num else NUMBER_STYLE if not cell.header else ""
            cell = replace(cell, style=style)
        return cell.html()

    def _rows(self, rows: list[list[Cell]]) -> Markup:
        return Markup("").join(Markup("<tr>{}</tr>\n").format(Markup("").join(self._cell(c) for c in row))
                               for row in rows)

    def html(self) -> Markup:
        attrs = Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in (("id", self.id), ("class", self.cls))
                                if v)
        caption = Markup("")
        if self.caption:
            style = Markup(' style="{}"').format(CAPTION_STYLE) if self.inline else Markup("")
            caption = Markup("<caption{}>{}</caption>").format(style, self.caption)
        note_style = Markup(' style="{}"').format(NOTE_STYLE) if self.inline else Markup("")
        notes = Markup("").join(Markup('<p class="note"{}>{}</p>\n').format(note_style, n) for n in self.notes)
        return Markup('<div class="table-block">\n<table{}>\n{}<thead>\n{}</thead>\n<tbody>\n{}</tbody>\n'
                      '</table>\n{}</div>').format(attrs, caption, self._rows(self.head), self._rows(self.rows), notes)

    __html__ = html

    def texts(self, rows: list[list[Cell]] | None = None) -> list[list[str]]:
        """The shown text of each cell (of `rows`, default the body)."""
        return [[str(c.text) for c in row] for row in (self.rows if rows is None else rows)]


# ------------------------------------------------------------------------------------ reading back
_VOID = frozenset({"br", "img", "meta", "link", "input", "hr"})


@dataclass
class Tagged:
    """One tagged element read back from a page: its source, row key, columns, classes and text."""

    src: str
    key: dict[str, Any]
    cols: list[str]
    classes: list[str]
    text: str


class _TagReader(HTMLParser):
    """Elements carrying data-src / data-key / data-cols, with the text inside them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[dict[str, Any]] = []
        self._stack: list[dict[str, Any] | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        item = None
        if "data-src" in a:
            item = {"src": a["data-src"], "key": a.get("data-key") or "{}", "cols": (a.get("data-cols") or "").split(),
                    "classes": (a.get("class") or "").split(), "text": []}
            self.items.append(item)
        if tag not in _VOID:
            self._stack.append(item)

    def handle_endtag(self, tag):
        if tag not in _VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        for item in self._stack:
            if item is not None:
                item["text"].append(data)


def read_tagged(html: str) -> list[Tagged]:
    """Every tagged element of `html` (cells and spans as Cell.html() writes them), in page order."""
    reader = _TagReader()
    reader.feed(html)
    return [Tagged(i["src"], json.loads(i["key"]), i["cols"], i["classes"], "".join(i["text"]).strip())
            for i in reader.items]
