"""Complementary (secondary) suppression: where a hidden cell could be got back from a margin's total,
a second cell is hidden, until the table's linear audit finds no hidden count derivable."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .linear import KINDS, PROTECTED, LinearAudit, derivable, measure
from .primary import hide_codes


def complementary_suppression(df: pd.DataFrame, n_col: str, margins: list[list[str]],
                              value_cols: list[str], *, units: pd.DataFrame | None = None, kind: str = "responded",
                              facts: tuple = (), ratio_col: str | None = None,
                              weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Secondary suppression. Within a margin (rows that add up to a published total, e.g. the SKR
    groups of one item, or the groups of one main group) a single suppressed cell could be got
    back from the total, so the unsuppressed cell with the fewest respondents is suppressed too;
    repeated over all margins until nothing changes. The counts of suppressed cells are hidden.

    Two hidden cells are not always enough (two cells whose total equals their combined size are
    both known). With `units` (the register: kommungrupp, huvudgrupp, lan_kod per municipality) the
    table is then audited (`LinearAudit`): `n_col` is a count of measure `kind` per row (per item
    when the table has an `item` column), `ratio_col` a share or mean over it (weighted by the
    SKR groups' `weights`), and `facts` ((kind, item, grouping, group, count)) what other tables
    publish. While the protected count of a hidden row (PROTECTED[kind]: who responded, how many
    said yes, the sum of established areas) is derivable, and not already from `facts` alone, the
    smallest shown cell of one of its margins is hidden too.
    """
    out = df.copy()
    _hide_lonely_cells(out, n_col, margins, value_cols)
    if units is not None:
        table = TableAudit(out, n_col, units, kind, facts, ratio_col, weights)
        while (j := table.next_to_hide(margins)) is not None:
            _hide(out, j, value_cols)
            table.out = out
    out[n_col] = out[n_col].astype("Int64").mask(out["suppressed"])
    return hide_codes(out)


def _hide(out: pd.DataFrame, j, value_cols: list[str]) -> None:
    """Row j of `out` suppressed, in place."""
    out.loc[j, value_cols] = pd.NA
    out.loc[j, "suppressed"] = True


def _hide_lonely_cells(out: pd.DataFrame, n_col: str, margins: list[list[str]], value_cols: list[str]) -> None:
    """In place: wherever a margin has exactly one hidden cell, its smallest shown cell is hidden too,
    until no margin changes."""
    changed = True
    while changed:
        changed = False
        for by in margins:
            for _, idx in out.groupby(by if len(by) > 1 else by[0], sort=False).groups.items():
                block = out.loc[idx]
                if int(block["suppressed"].sum()) == 1 and (~block["suppressed"]).any():
                    _hide(out, block.loc[~block["suppressed"], n_col].astype(float).idxmin(), value_cols)
                    changed = True


class TableAudit:
    """The audit of one table while it is being suppressed (see complementary_suppression)."""

    def __init__(self, out, n_col, units, kind, facts, ratio_col, weights):
        self.out, self.n_col, self.units, self.kind = out, n_col, units, kind
        self.facts, self.ratio_col = tuple(facts), ratio_col
        self.weights = weights or {}
        self.has_item = "item" in out
        self.county = (out["grouping"] == "lan_kod").any() or any(f[2] == "lan_kod" for f in facts)
        self._external: dict = {}

    def row_measure(self, kind: str, row) -> tuple[str, str | None]:
        """The LP measure of `kind` for a row: per item for valid and yes answers, else one."""
        return measure(kind, row["item"] if self.has_item else None)

    def _lp(self, with_table: bool) -> LinearAudit:
        """The model with the other tables' facts, and this table's shown rows (all of them, or only
        its national rows: what the totals say about everyone cannot be hidden by hiding groups)."""
        kinds = {"responded", self.kind, PROTECTED[self.kind]} & {"responded", "complete", "score"}
        lp = LinearAudit(self.units, county_kinds=tuple(sorted(kinds)) if self.county else ())
        for f_kind, f_item, grouping, group, value in self.facts:
            lp.count(measure(f_kind, f_item), grouping, group, value, value)
        supp = self.out["suppressed"].astype(bool)
        rows = self.out[~supp] if with_table else self.out[~supp & (self.out["grouping"] == "all")]
        for _, row in rows.iterrows():
            n = float(row[self.n_col])
            lp.count(self.row_measure(self.kind, row), row["grouping"], row["group"], n, n)
            if self.ratio_col and not pd.isna(row[self.ratio_col]):
                p = float(row[self.ratio_col])
                lp.ratio(self.row_measure(PROTECTED[self.kind], row), self.row_measure(self.kind, row),
                         row["grouping"], row["group"], p - 1e-9, p + 1e-9, self.weights)
        return lp

    def _derivable(self, lp: LinearAudit, row) -> bool:
        """Whether `lp` pins down the count `row` protects, while its base may be above 0."""
        target = self.row_measure(PROTECTED[self.kind], row)
        if not derivable(lp.bounds(target, row["grouping"], row["group"])):
            return False
        if target[0] == "responded":
            return True
        base = lp.bounds(self.row_measure(KINDS[target[0]], row), row["grouping"], row["group"])
        return base is not None and base[1] >= 1 - 1e-6  # nobody to protect when the base is 0

    def next_to_hide(self, margins: list[list[str]]):
        """The row to hide next; None when no protected count is derivable. ValueError when a
        derivable count cannot be protected by hiding more of this table."""
        supp = self.out["suppressed"].astype(bool)
        if not supp.any():
            return None
        lp = self._lp(True)
        for _, row in self.out[supp].iterrows():
            if self._derivable(lp, row) and not self._known_anyway(row):
                return self._cell_to_hide(row, supp, margins)
        return None

    def _known_anyway(self, row) -> bool:
        """Whether the row's protected count follows from the other tables and this table's national
        rows alone: then hiding more of this table cannot protect it, and there is nothing to do here."""
        key = (row["grouping"], row["group"], row["item"] if self.has_item else None)
        if key not in self._external:
            self._external[key] = self._derivable(self._lp(False), row)
        return self._external[key]

    def _cell_to_hide(self, row, supp: pd.Series, margins: list[list[str]]):
        """The smallest shown cell of a margin holding the derivable `row` (else of the table, for its item)."""
        out = self.out
        shown = ~supp.to_numpy() & (out["grouping"] != "all").to_numpy()
        if self.has_item:
            shown &= (out["item"] == row["item"]).to_numpy()
        for by in margins:
            same = shown & np.all([(out[c] == row[c]).to_numpy() for c in by], axis=0)
            if same.any():
                return out.loc[same, self.n_col].astype(float).idxmin()
        if shown.any():
            return out.loc[shown, self.n_col].astype(float).idxmin()
        raise ValueError(f"cannot protect {row['grouping']} {row['group']}: every other cell is hidden already")
