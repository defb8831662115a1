"""What the step notebooks show, in one language (`lang`): texts from the catalogue, tables formatted
from their columns' units (present.fmt) with labels that follow `lang` and `alpha`, and the figures.

Also `short_errors()`: in IPython, this package's errors are shown as their one line, not a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd
from markupsafe import Markup, escape

from ..base import contracts
from ..base.errors import ContractError, InputError, MissingInput, ParamError
from ..base.paths import shown_path
from . import catalogue, fmt
from .labels import group_label, item_label, term_label

# Code columns and how their values are labelled (catalogue labels.<kind>, or a function below).
_LABEL_KINDS = {"spec": "specs", "ci_method": "ci_methods", "verdict": "verdicts", "claim": "claims", "role": "roles",
                "comparability": "comparability", "kind": "kinds",
                "method": "method", "coding": "codings", "grouping": "groupings", "measure": "measures",
                "step": "cleaning_steps", "action": "cleaning_actions"}
# Headers of (low, high) column pairs shown as one column (catalogue columns.<key>).
_PAIR_HEADERS = {("ci_low", "ci_high"): "interval", ("bound_low", "bound_high"): "bounds",
                 ("ame_ci_low", "ame_ci_high"): "ame_interval",
                 ("ci_low_independent", "ci_high_independent"): "interval_independent"}


# ------------------------------------------------------------------------------------- errors
def _errors() -> tuple[type[BaseException], ...]:
    return (InputError, ContractError, ParamError, MissingInput)


def short_errors() -> bool:
    """In IPython, show this package's own errors (bad input, a broken contract, a bad parameter, a
    missing input) as one line `Name: message`, without the traceback. The cell still fails, so
    Run All stops there. Other exceptions keep their traceback. Returns False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False

    def handler(shell, etype, value, tb, tb_offset=None):
        # the exception's own line ("Name: message"), sent as the cell's error (ipykernel overrides
        # _showtraceback to send it to the front end); showtraceback(exception_only=True) would add
        # a line pointing to %tb
        shell._showtraceback(etype, value, shell.InteractiveTB.get_exception_only(etype, value))

    shell.set_custom_exc(_errors(), handler)
    return True


# ------------------------------------------------------------------------------------- tables
class Table:
    """A table ready to show: its cells as text, right-aligned where they are numbers.

    Jupyter displays it through `_repr_html_` (escaped, deterministic: no random ids); `frame`
    holds the shown text as a DataFrame.
    """

    def __init__(self, head: list[str], rows: list[list[str]], numeric: list[bool],
                 caption: str | None = None, notes: Sequence[str] = (),
                 tags: list[list[dict | None]] | None = None):
        self.head, self.rows, self.numeric = head, rows, numeric
        self.caption, self.notes = caption, list(notes)
        # per cell: where its number comes from ({"src", "cols", "key", "suppressed"}), as the report
        # tags its numbers; the disclosure audit reads the notebook pages through these tags
        self.tags = tags or [[None] * len(r) for r in rows]

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.head)

    def _repr_html_(self) -> str:
        def cell(tag: str, text: str, num: bool, src: dict | None = None) -> Markup:
            # numbers never break inside (intervals, "< 0,001"); headers and labels wrap
            style = ' style="text-align: left"' if not num else ' style="white-space: nowrap"' if tag == "td" else ""
            attrs = Markup("")
            if src is not None:
                attrs = Markup(' data-src="{}" data-cols="{}" data-key=\'{}\'{}').format(
                    src["src"], " ".join(src["cols"]), json.dumps(src["key"], ensure_ascii=False, sort_keys=True),
                    Markup(' class="suppressed"') if src.get("suppressed") else "")
            return Markup(f"<{tag}{style}") + attrs + Markup(">") + escape(text) + Markup(f"</{tag}>")

        parts = [Markup('<table class="analysis-table">')]
        if self.caption:
            parts.append(Markup('<caption style="text-align: left; font-weight: bold">') + escape(self.caption)
                         + Markup("</caption>"))
        parts.append(Markup("<thead><tr>") + Markup("").join(cell("th", h, n) for h, n in zip(self.head, self.numeric))
                     + Markup("</tr></thead><tbody>"))
        for row, tags in zip(self.rows, self.tags):
            parts.append(Markup("<tr>") + Markup("").join(cell("td", t, n, g) for t, n, g in zip(row, self.numeric, tags))
                         + Markup("</tr>"))
        parts.append(Markup("</tbody></table>"))
        for note in self.notes:
            parts.append(Markup('<p class="analysis-table-note"><small>') + escape(note) + Markup("</small></p>"))
        return str(Markup("\n").join(parts))

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def _column_unit(contract: str, col: str) -> str:
    return contracts.unit(contract, col)


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
        from IPython.display import Markdown

        src = catalogue.entry(f"notebooks.{key}")[self.lang]
        values = {k: (self.value(v, "count") if isinstance(v, int) and not isinstance(v, bool) else v)
                  for k, v in values.items()}
        fill = {k: v for k, v in {**self._defaults(), **values}.items() if k in catalogue.placeholders(src)}
        return Markdown(src.format(**fill))  # always formatted: LaTeX braces are doubled in the catalogue

    def synthetic(self, synthetic: bool):
        """The synthetic-data note, or nothing when the input is real."""
        from IPython.display import Markdown

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
    def table(self, df: pd.DataFrame, contract: str, columns: Iterable[str | tuple[str, ...]], *,
              caption: str | None = None, notes: Sequence[str] = ()) -> Table:
        """Rows of `df` (validated against `contract`) in the chosen columns: numbers formatted from
        their declared unit, codes by their labels, (low, high) pairs as one interval column headed
        with the level that `alpha` gives, (estimate, low, high) as "estimate [low–high]";
        suppressed cells shown as the report shows them."""
        columns = list(columns)
        head = [self.header(c) for c in columns]
        numeric = []
        for c in columns:
            unit = _column_unit(contract, c[-1] if isinstance(c, tuple) else c)
            numeric.append(unit in contracts.NUMERIC_UNITS)
        dash = self.t("report.suppressed")
        any_suppressed = False
        rows, tags = [], []
        key_cols = [k for k in contracts.contract(contract).key if k in df.columns]
        for _, row in df.iterrows():
            suppressed = bool(row.get("suppressed", False))
            key = {k: (None if fmt.isna(row[k]) else (row[k].item() if hasattr(row[k], "item") else row[k]))
                   for k in key_cols}
            out, row_tags = [], []
            for c, num in zip(columns, numeric):
                if isinstance(c, tuple):
                    lo, hi = c[-2:]
                    text = fmt.interval(row[lo], row[hi], _column_unit(contract, hi), self.lang,
                                        contracts.digits(contract, hi))
                    if len(c) == 3:  # estimate [low–high]
                        est = fmt.value(row[c[0]], _column_unit(contract, c[0]), self.lang,
                                        contracts.digits(contract, c[0]))
                        text = f"{est} [{text}]" if text else est
                    missing = fmt.isna(row[c[0]])
                else:
                    unit = _column_unit(contract, c)
                    if unit == "flag":
                        text = "" if fmt.isna(row[c]) else self.t("report.word_yes" if row[c] else "report.word_no")
                    elif unit in contracts.NUMERIC_UNITS:
                        text = fmt.value(row[c], unit, self.lang, contracts.digits(contract, c))
                    elif c == "group" and "grouping" in columns and row.get("grouping") == "all":
                        text = ""  # the grouping column already says "all municipalities"
                    else:
                        text = self.label(c, row[c], row)
                    missing = fmt.isna(row[c])
                if suppressed and missing and num:
                    text = dash
                    any_suppressed = True
                out.append(text)
                row_tags.append({"src": contract, "cols": [c], "key": key, "suppressed": suppressed and missing}
                                if num and not isinstance(c, tuple) else None)
            rows.append(out)
            tags.append(row_tags)
        notes = list(notes)
        if any_suppressed:
            notes.append(self.t("report.suppressed_note", min_cell=self.P["min_cell"]))
        return Table(head, rows, numeric, caption=caption, notes=notes, tags=tags)

    def wide(self, df: pd.DataFrame, contract: str, index: Sequence[str], column: str, value: str,
             order: Sequence[str] | None = None) -> Table:
        """`value` in a grid: one row per `index` combination (in order of appearance), one column
        per level of `column` (in `order`), formatted from the value's unit."""
        index = list(index)
        keys = list(dict.fromkeys(map(tuple, df[index].astype(str).to_numpy().tolist())))
        levels = [c for c in (order or dict.fromkeys(df[column].astype(str))) if c in set(df[column].astype(str))]
        cells = {(tuple(str(r[i]) for i in index), str(r[column])): r[value] for _, r in df.iterrows()}
        unit, digits = _column_unit(contract, value), contracts.digits(contract, value)
        head = [self.header(i) for i in index] + [self.label(column, c) for c in levels]
        rows = [[self.label(i, k) for i, k in zip(index, key)]
                + [fmt.value(cells.get((key, c)), unit, self.lang, digits) for c in levels] for key in keys]
        return Table(head, rows, [False] * len(index) + [True] * len(levels))

    # -- figures
    def figure(self, name: str, width: int = 720):
        """The figure `name` (e.g. "headline_shares") of this run, in this notebook's language."""
        from IPython.display import Image

        path = Path(self.P["output_dir"]) / "figures" / f"{name}_{self.lang}.png"
        return Image(filename=str(path), width=width)
