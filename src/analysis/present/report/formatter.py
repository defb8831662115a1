"""Numbers and texts of one report, in its language: formatted from the declared units, as tagged cells.

Every number is a present.cells.Cell (a table cell) or a tagged span (running text) carrying its
contract, row key and columns, so that a test can compare each shown number with its table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from ...base import contracts
from .. import catalogue, fmt
from ..cells import Cell, row_key, span
from ..labels import term_label
from .data import ReportData


class Formatter:
    """Formats cells of one contract's rows in one language, from the declared units."""

    def __init__(self, data: ReportData):
        self.data = data
        self.lang = data.lang

    def t(self, key: str, **kw: Any) -> str:
        return catalogue.text(key, self.lang, **kw)

    def fill(self, key: str, **values: Any) -> Markup:
        """A catalogue text with its placeholders filled; Markup values (number spans) stay markup,
        everything else is escaped."""
        return Markup(escape(catalogue.text(key, self.lang))).format(**values)

    def fills(self, key: str, **values: Any) -> list[Markup]:
        """A catalogue list (e.g. methods.paragraphs), each item filled as `fill` does."""
        return [Markup(escape(leaf[self.lang])).format(**values) for leaf in catalogue.entry(key)]

    def key(self, name: str, row: pd.Series) -> dict[str, Any]:
        """The row's key in contract `name` (what its cells' data-key holds)."""
        return row_key(row, contracts.contract(name).key)

    def value(self, name: str, row: pd.Series, col: str, digits: int | None = None) -> str:
        return fmt.value(row[col], contracts.unit(name, col), self.lang,
                         contracts.digits(name, col) if digits is None else digits)

    def bare(self, name: str, row: pd.Series, col: str, digits: int | None = None) -> str:
        """Like value(), but a proportion without its percent sign (for the low end of 'a–b %')."""
        if contracts.unit(name, col) != "proportion" or fmt.isna(row[col]):
            return self.value(name, row, col, digits)
        d = contracts.digits(name, col) if digits is None else digits
        return fmt.decimal(float(row[col]) * 100, self.lang, d)

    def span(self, name: str, row: pd.Series, cols: tuple[str, ...], text: str) -> Markup:
        """Number(s) in running text, tagged with their source like a table cell."""
        return span(text, name, self.key(name, row), cols)

    def number(self, name: str, row: pd.Series, col: str, digits: int | None = None) -> Markup:
        """One column's value in running text, formatted and tagged."""
        return self.span(name, row, (col,), self.value(name, row, col, digits))

    def num(self, name: str, row: pd.Series, cols: str | tuple[str, ...], *, digits: int | None = None,
            style: str = "value", suppressed: bool = False, extra: str = "") -> Cell:
        """A numeric cell. style: value (one column), interval (low-high), estimate_interval
        (estimate [low-high]). Suppressed rows show the catalogue's dash."""
        cols = (cols,) if isinstance(cols, str) else tuple(cols)
        key = self.key(name, row)
        if suppressed:
            return Cell(self.t("report.suppressed"), num=True, src=name, key=key, cols=cols, cls="suppressed")
        unit = contracts.unit(name, cols[-1])
        d = contracts.digits(name, cols[-1]) if digits is None else digits
        if style == "interval":
            text = fmt.interval(row[cols[0]], row[cols[1]], unit, self.lang, d)
        elif style == "estimate_interval":
            est = fmt.value(row[cols[0]], contracts.unit(name, cols[0]), self.lang, d)
            ci = fmt.interval(row[cols[1]], row[cols[2]], unit, self.lang, d)
            text = f"{est} [{ci}]" if ci else est
        else:
            text = self.value(name, row, cols[0], d)
        return Cell(text + extra, num=True, src=name, key=key, cols=cols)

    def suppressed_note(self) -> str:
        return self.t("report.suppressed_note", min_cell=self.data.P["min_cell"])

    def reasons(self, problems: list[dict]) -> str:
        """Problems of analysis.compute.estimable in words, joined with semicolons."""
        parts = []
        for p in problems:
            values = {k: (fmt.value(v, "count", self.lang) if isinstance(v, int) else v)
                      for k, v in p.items() if k != "reason"}
            item = str(p.get("item", ""))
            if item.endswith("_level"):
                values["item"] = self.t("estimable.cut_partly", item=term_label(item[: -len("_level")], self.lang))
            elif item:
                values["item"] = term_label(item, self.lang)
            parts.append(self.t(f"estimable.{p['reason']}", **values))
        return "; ".join(parts)


def head(text: Any, num: bool = False, colspan: int = 1, title: str | None = None) -> Cell:
    """A header cell."""
    return Cell(text, num=num, header=True, colspan=colspan, title=title)


def p_text(p: str) -> str:
    """'= 0,021' or '< 0,001' for running text."""
    return p if p.startswith("<") else f"= {p}"


def signed(text: str, value: Any) -> str:
    """A change shown with its sign: '+5,7' for a rise (fmt already writes the minus of a fall)."""
    return text if fmt.isna(value) or float(value) <= 0 or not text else "+" + text
