"""What the step notebooks show, in one language (`lang`): texts from the catalogue, tables formatted
from their columns' units (present.fmt) with labels that follow `lang` and `alpha`, and the figures.

Each table is a present.cells.Table, tagged and emitted as the report's are. `short_errors()` (from
present.shell) shows this package's errors in IPython as their one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..base import contracts
from ..base.paths import shown_path
from . import catalogue, cells, fmt
from .labels import group_label, item_label, term_label
from .shell import short_errors  # noqa: F401 - kept importable here: run.params and the tests call it

TABLE_CLASS = "analysis-table"

# Code columns and how their values are labelled (catalogue labels.<kind>, or a function below).
_LABEL_KINDS = {"spec": "specs", "ci_method": "ci_methods", "verdict": "verdicts", "claim": "claims", "role": "roles",
                "comparability": "comparability", "kind": "kinds",
                "method": "method", "coding": "codings", "grouping": "groupings", "measure": "measures",
                "step": "cleaning_steps", "action": "cleaning_actions"}
# Headers of (low, high) column pairs shown as one column (catalogue columns.<key>).
_PAIR_HEADERS = {("ci_low", "ci_high"): "interval", ("bound_low", "bound_high"): "bounds",
                 ("ame_ci_low", "ame_ci_high"): "ame_interval",
                 ("ci_low_independent", "ci_high_independent"): "interval_independent"}


# ------------------------------------------------------------------------------------- tables
class Table:
    """A table ready to show (a present.cells.Table, emitted as the report's tables are): `head` and
    `rows` hold the shown text, `frame` the same as a DataFrame.

    Jupyter displays it through `_repr_html_` (escaped, deterministic: no random ids).
    """

    def __init__(self, table: cells.Table):
        self.table = table

    @property
    def head(self) -> list[str]:
        return self.table.texts(self.table.head)[0]

    @property
    def rows(self) -> list[list[str]]:
        return self.table.texts()

    @property
    def caption(self) -> str | None:
        return self.table.caption

    @caption.setter
    def caption(self, text: str | None) -> None:  # a notebook may caption a grid it made
        self.table.caption = text

    @property
    def notes(self) -> list[str]:
        return self.table.notes

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.head)

    def _repr_html_(self) -> str:
        return str(self.table.html())

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


class Display:
    """Shows a step's results in `P["lang"]`: `text(key)`, `table(df, contract, columns)`, `figure(name)`."""

    def __init__(self, P: dict[str, Any]):
        self.P = P
        self.lang = P["lang"]
        self.alpha = float(P["alpha"])
        self.level = fmt.level(self.alpha, self.lang)

    # -- texts
    def t(self, key: str, **values: Any) -> str:
        """A catalogue text in this notebook's language."""
        return catalogue.text(key, self.lang, **values)

    def _defaults(self) -> dict[str, Any]:
        return {"level": self.level, "min_cell": self.P["min_cell"], "wave": self.P["wave"],
                "alpha": fmt.value(self.alpha, "p_value", self.lang, 2)}

    def text(self, key: str, **values: Any):
        """The Markdown text `notebooks.<key>` (formulas in LaTeX), its {placeholders} filled from
        `values` (whole numbers formatted as counts) and the parameters (level, min_cell, wave, alpha)."""
        from IPython.display import Markdown  # noqa: PLC0415 - IPython only in a kernel (not for analysis.load)

        src = catalogue.entry(f"notebooks.{key}")[self.lang]
        values = {k: (self.value(v, "count") if isinstance(v, int) and not isinstance(v, bool) else v)
                  for k, v in values.items()}
        fill = {k: v for k, v in {**self._defaults(), **values}.items() if k in catalogue.placeholders(src)}
        return Markdown(src.format(**fill))  # always formatted: LaTeX braces are doubled in the catalogue

    def synthetic(self, synthetic: bool):
        """The synthetic-data note, or nothing when the input is real."""
        from IPython.display import Markdown  # noqa: PLC0415 - IPython only in a kernel (not for analysis.load)

        return Markdown(self.t("notebooks.synthetic") if synthetic else "")

    def value(self, x: Any, unit: str) -> str:
        """One number in its unit and this notebook's language (present.fmt)."""
        return fmt.value(x, unit, self.lang)

    def path(self, p: str | Path) -> str:
        """A path as shown to a reader: relative to the project root when inside it, the runner's
        staging folder shown as the final one (as the report's provenance does)."""
        return shown_path(p)

    # -- labels
    def label(self, col: str, value: Any, row: pd.Series | None = None) -> str:
        """The label of a code shown in column `col` (items, groups, terms, specs, verdicts, ...)."""
        if fmt.isna(value):
            return ""
        if col == "item":
            text = item_label(str(value), self.lang)
        elif col in ("term", "outcome"):
            text = term_label(str(value), self.lang)
        elif col == "group" and row is not None and "grouping" in row:
            text = group_label(row["grouping"], value, self.lang, row.get("name"))
        elif col in _LABEL_KINDS:
            extra = {}
            if col == "ci_method" and row is not None and "n_boot" in row and not fmt.isna(row["n_boot"]):
                extra["n_boot"] = fmt.value(row["n_boot"], "count", self.lang)
            text = catalogue.label(_LABEL_KINDS[col], str(value), self.lang, **extra)
        else:
            text = str(value)
        return text[:1].upper() + text[1:]

    def header(self, col: str | tuple[str, ...]) -> str:
        """Column header from the catalogue (columns.<name>); a (low, high) pair is an interval
        headed with the level `alpha` gives, or the non-response bounds; an (estimate, low, high)
        triple is the estimate with its interval."""
        if isinstance(col, tuple) and len(col) == 3:
            return self.t("columns.with_interval", name=self.t(f"columns.{col[0]}"), level=self.level)
        if isinstance(col, tuple):
            key = _PAIR_HEADERS.get(col, "interval")
            return self.t(f"columns.{key}", **({"level": self.level} if key != "bounds" else {}))
        return self.t(f"columns.{col}")

    # -- tables
    def _text(self, row: pd.Series, contract: str, col: str | tuple[str, ...], columns: list) -> str:
        """One cell's text: a number from its unit, (low, high) as one interval, (estimate, low, high)
        as "estimate [low–high]", a flag as yes/no, a code by its label."""
        if isinstance(col, tuple):
            lo, hi = col[-2:]
            text = fmt.interval(row[lo], row[hi], contracts.unit(contract, hi), self.lang,
                                contracts.digits(contract, hi))
            if len(col) == 3:
                est = fmt.value(row[col[0]], contracts.unit(contract, col[0]), self.lang,
                                contracts.digits(contract, col[0]))
                text = f"{est} [{text}]" if text else est
            return text
        unit = contracts.unit(contract, col)
        if unit == "flag":
            return "" if fmt.isna(row[col]) else self.t("report.word_yes" if row[col] else "report.word_no")
        if unit in contracts.NUMERIC_UNITS:
            return fmt.value(row[col], unit, self.lang, contracts.digits(contract, col))
        if col == "group" and "grouping" in columns and row.get("grouping") == "all":
            return ""  # the grouping column already says "all municipalities"
        return self.label(col, row[col], row)

    def _row(self, row: pd.Series, contract: str, columns: list, numeric: list[bool],
             key_cols: list[str]) -> list[cells.Cell]:
        """One row's cells; a suppressed row's missing numbers show the report's dash."""
        suppressed = bool(row.get("suppressed", False))
        key = cells.row_key(row, key_cols)
        out = []
        for col, num in zip(columns, numeric, strict=True):
            cols = col if isinstance(col, tuple) else (col,)
            hidden = suppressed and num and fmt.isna(row[cols[0]])
            text = self.t("report.suppressed") if hidden else self._text(row, contract, col, columns)
            out.append(cells.Cell(text, num=num, src=contract if num else None, key=key if num else None,
                                  cols=cols if num else (), cls="suppressed" if hidden else ""))
        return out

    def table(self, df: pd.DataFrame, contract: str, columns: Iterable[str | tuple[str, ...]], *,
              caption: str | None = None, notes: Sequence[str] = ()) -> Table:
        """Rows of `df` (validated against `contract`) in the chosen columns: numbers formatted from
        their declared unit, codes by their labels, (low, high) pairs as one interval column headed
        with the level that `alpha` gives, (estimate, low, high) as "estimate [low–high]";
        suppressed cells shown as the report shows them. Every number is tagged with its source."""
        columns = list(columns)
        numeric = [contracts.unit(contract, c[-1] if isinstance(c, tuple) else c) in contracts.NUMERIC_UNITS
                   for c in columns]
        head = [cells.Cell(self.header(c), num=n, header=True) for c, n in zip(columns, numeric, strict=True)]
        key_cols = [k for k in contracts.contract(contract).key if k in df.columns]
        rows = [self._row(row, contract, columns, numeric, key_cols) for _, row in df.iterrows()]
        notes = list(notes)
        if any(c.cls == "suppressed" for row in rows for c in row):
            notes.append(self.t("report.suppressed_note", min_cell=self.P["min_cell"]))
        return Table(cells.Table(None, caption, [head], rows, notes, cls=TABLE_CLASS, inline=True))

    def wide(self, df: pd.DataFrame, contract: str, index: Sequence[str], column: str, value: str,
             order: Sequence[str] | None = None) -> Table:
        """`value` in a grid: one row per `index` combination (in order of appearance), one column
        per level of `column` (in `order`), formatted from the value's unit."""
        index = list(index)
        keys = list(dict.fromkeys(map(tuple, df[index].astype(str).to_numpy().tolist())))
        present = set(df[column].astype(str))
        levels = [c for c in (order or dict.fromkeys(df[column].astype(str))) if c in present]
        values = {(tuple(str(r[i]) for i in index), str(r[column])): r[value] for _, r in df.iterrows()}
        unit, digits = contracts.unit(contract, value), contracts.digits(contract, value)
        head = ([cells.Cell(self.header(i), header=True) for i in index]
                + [cells.Cell(self.label(column, c), num=True, header=True) for c in levels])
        rows = [[cells.Cell(self.label(i, k)) for i, k in zip(index, key, strict=True)]
                + [cells.Cell(fmt.value(values.get((key, c)), unit, self.lang, digits), num=True) for c in levels]
                for key in keys]
        return Table(cells.Table(None, None, [head], rows, cls=TABLE_CLASS, inline=True))

    # -- figures
    def figure(self, name: str, width: int = 720):
        """The figure `name` (e.g. "headline_shares") of this run, in this notebook's language."""
        from IPython.display import Image  # noqa: PLC0415 - IPython only in a kernel (not for analysis.load)

        path = Path(self.P["output_dir"]) / "figures" / f"{name}_{self.lang}.png"
        return Image(filename=str(path), width=width)
