"""Disclosure control: suppression of small cells, merged reporting groups, complementary suppression,
and an audit (linear programming) that no hidden cell can be worked out from what is published.

No published cell may rest on fewer than `min_cell` municipalities, nor be derivable from other cells.
A suppressed row shows nothing but its key and public register counts: its interval method
(`ci_method`) becomes SUPPRESSED_CODE, since "census" or "no answers" would say what n is.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def levels(s: pd.Series) -> list[str]:
    """The levels of `s` as strings: category order when categorical, else sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(s.dropna().astype(str).unique())


def suppress(df: pd.DataFrame, n_col: str, min_cell: int, value_cols: list[str] | None = None) -> pd.DataFrame:
    """Copy of `df` with value_cols set to NA where df[n_col] < min_cell, and a `suppressed` column.

    value_cols defaults to every numeric column except n_col. Existing `suppressed` marks are kept
    (a row already suppressed stays suppressed).
    """
    out = df.copy()
    if value_cols is None:
        value_cols = [c for c in out.columns if c not in (n_col, "suppressed")
                      and pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    small = out[n_col].astype("Float64").fillna(0).to_numpy(dtype=float) < min_cell
    prev = out["suppressed"].astype(bool).to_numpy() if "suppressed" in out else np.zeros(len(out), bool)
    mask = small | prev
    for c in value_cols:
        if pd.api.types.is_integer_dtype(out[c]):
            out[c] = out[c].astype("Int64")
        elif pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].astype("Float64")
        else:
            out[c] = out[c].astype("object")
        out.loc[mask, c] = pd.NA
    out["suppressed"] = mask
    return _hide_codes(out)


def suppress_items(df: pd.DataFrame, min_cell: int, n_col: str = "n_eligible",
                   keep: tuple[str, ...] = ("item", "label_sv", "label_en", "published_share", "published_x_of_10",
                                             "ci_method")) -> pd.DataFrame:
    """National rows (one per item) with 1 to min_cell - 1 valid answers: every number but SKR's
    published figure hidden, `suppressed` True. A row with no valid answers hides nothing (it has
    no estimate); its count, 0, is shown."""
    out = df.copy()
    n = out[n_col].astype("Float64").fillna(0).to_numpy(dtype=float)
    mask = (n > 0) & (n < min_cell)
    for c in out.columns:
        if c in keep:
            continue
        out[c] = out[c].astype("Int64") if pd.api.types.is_integer_dtype(out[c]) else (
            out[c].astype("Float64") if pd.api.types.is_numeric_dtype(out[c]) else out[c].astype("object"))
        out.loc[mask, c] = pd.NA
    out["suppressed"] = mask
    return _hide_codes(out)


def _hide_codes(out: pd.DataFrame) -> pd.DataFrame:
    """ci_method of suppressed rows -> SUPPRESSED_CODE ("census" or "none_no_answers" would say what n is)."""
    if "ci_method" in out and "suppressed" in out:
        out["ci_method"] = out["ci_method"].astype("object").where(~out["suppressed"].astype(bool), SUPPRESSED_CODE)
    return out


def reporting_groups(df: pd.DataFrame, min_cell: int, group: str = "kommungrupp",
                     parent: str = "huvudgrupp") -> pd.Series:
    """Label of the group each row is REPORTED in: SKR groups with fewer than `min_cell`
    municipalities are reported together with the smallest other group(s) of the same main group.

    A1 (3 municipalities) is a cell no suppression rule can protect: national and main-group rows
    minus the other groups give it back. It is therefore never shown alone; 2019 reports "A1+A2".
    The design (strata, weights) is unchanged; only the reporting domains are merged.
    """
    labels = df[group].astype(str)
    out = labels.copy()
    sizes = labels.value_counts()
    for _, members in labels.groupby(df[parent].astype(str), sort=True):
        kids = sorted(members.unique(), key=lambda g: (sizes[g], g))
        small = [g for g in kids if sizes[g] < min_cell]
        if not small:
            continue
        merged = list(small)
        rest = [g for g in kids if g not in merged]
        while rest and (sum(sizes[g] for g in merged) < min_cell or len(merged) < 2):
            merged.append(rest.pop(0))
        order = levels(df[group])
        label = "+".join(sorted(merged, key=order.index))
        out[labels.isin(merged)] = label
    return out


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
    changed = True
    while changed:
        changed = False
        for by in margins:
            for _, idx in out.groupby(by if len(by) > 1 else by[0], sort=False).groups.items():
                block = out.loc[idx]
                if int(block["suppressed"].sum()) == 1 and (~block["suppressed"]).any():
                    j = block.loc[~block["suppressed"], n_col].astype(float).idxmin()
                    out.loc[j, value_cols] = pd.NA
                    out.loc[j, "suppressed"] = True
                    changed = True
    if units is not None:
        table = _TableAudit(out, n_col, units, kind, facts, ratio_col, weights)
        while (j := table.next_to_hide(margins)) is not None:
            out.loc[j, value_cols] = pd.NA
            out.loc[j, "suppressed"] = True
            table.out = out
    out[n_col] = out[n_col].astype("Int64").mask(out["suppressed"])
    return _hide_codes(out)


class _TableAudit:
    """The audit of one table while it is being suppressed (see complementary_suppression)."""

    def __init__(self, out, n_col, units, kind, facts, ratio_col, weights):
        self.out, self.n_col, self.units, self.kind = out, n_col, units, kind
        self.facts, self.ratio_col = tuple(facts), ratio_col
        self.weights = weights or {}
        self.has_item = "item" in out
        self.county = (out["grouping"] == "lan_kod").any() or any(f[2] == "lan_kod" for f in facts)
        self._external: dict = {}

    def measure(self, kind: str, row) -> tuple[str, str | None]:
        return (kind, row["item"] if self.has_item and kind in ("eligible", "yes") else None)

    def _lp(self, with_table: bool) -> LinearAudit:
        """The model with the other tables' facts, and this table's shown rows (all of them, or only
        its national rows: what the totals say about everyone cannot be hidden by hiding groups)."""
        kinds = {"responded", self.kind, PROTECTED[self.kind]} & {"responded", "complete", "score"}
        lp = LinearAudit(self.units, county_kinds=tuple(sorted(kinds)) if self.county else ())
        for f_kind, f_item, grouping, group, value in self.facts:
            lp.count((f_kind, f_item if f_kind in ("eligible", "yes") else None), grouping, group, value, value)
        supp = self.out["suppressed"].astype(bool)
        rows = self.out[~supp] if with_table else self.out[~supp & (self.out["grouping"] == "all")]
        for _, row in rows.iterrows():
            n = float(row[self.n_col])
            lp.count(self.measure(self.kind, row), row["grouping"], row["group"], n, n)
            if self.ratio_col and not pd.isna(row[self.ratio_col]):
                p = float(row[self.ratio_col])
                lp.ratio(self.measure(PROTECTED[self.kind], row), self.measure(self.kind, row),
                         row["grouping"], row["group"], p - 1e-9, p + 1e-9, self.weights)
        return lp

    def _derivable(self, lp: LinearAudit, row) -> bool:
        target = self.measure(PROTECTED[self.kind], row)
        if not derivable(lp.bounds(target, row["grouping"], row["group"])):
            return False
        if target[0] == "responded":
            return True
        base = lp.bounds(self.measure(KINDS[target[0]], row), row["grouping"], row["group"])
        return base is not None and base[1] >= 1 - 1e-6  # nobody to protect when the base is 0

    def next_to_hide(self, margins: list[list[str]]):
        """The row to hide next; None when no protected count is derivable. ValueError when a
        derivable count cannot be protected by hiding more of this table."""
        out = self.out
        supp = out["suppressed"].astype(bool)
        if not supp.any():
            return None
        lp = self._lp(True)
        for i, row in out[supp].iterrows():
            if not self._derivable(lp, row):
                continue
            key = (row["grouping"], row["group"], row["item"] if self.has_item else None)
            if key not in self._external:  # derivable from other tables and totals alone: nothing to do here
                self._external[key] = self._derivable(self._lp(False), row)
            if self._external[key]:
                continue
            shown = ~supp.to_numpy() & (out["grouping"] != "all").to_numpy()
            if self.has_item:
                shown &= (out["item"] == row["item"]).to_numpy()
            for by in margins:  # the smallest shown cell of a margin holding the derivable one
                same = shown & np.all([(out[c] == row[c]).to_numpy() for c in by], axis=0)
                if same.any():
                    return out.loc[same, self.n_col].astype(float).idxmin()
            if shown.any():
                return out.loc[shown, self.n_col].astype(float).idxmin()
            raise ValueError(f"cannot protect {row['grouping']} {row['group']}: every other cell is hidden already")
        return None


# ---------------------------------------------------------------------------------------------
# Audit: can a hidden cell be worked out from what is published?
# ---------------------------------------------------------------------------------------------
#
# The attacker knows the register (which municipalities form each group, county and main group)
# and everything published. Each municipality i has one unknown per measure, between 0 and 1:
#
#   responded_i;  eligible_{k,i} <= responded_i (a valid answer to item k);  yes_{k,i} <= eligible_{k,i};
#   complete_i <= responded_i and <= eligible_{a,i} for the seven areas (the maturity index exists);
#   score_i <= 7 complete_i (the number of established areas, whose mean the maturity table shows).
#
# A published count of domain D gives sum_{i in D} x_i in [lo, hi] (lo = hi when shown exactly;
# a rounded number gives its rounding interval); a published share p of domain D, weighted with
# the design weights w, gives sum_D w_i (yes_i - p eligible_i) = 0 (a mean: score over complete),
# a linear constraint when the weights of every stratum in D are public (or follow from a
# published respondent count).
#
# What a hidden row protects (PROTECTED) is the answers: who responded (response table), how many
# said yes (a hidden share), how many areas are established (a hidden mean). Its base count (valid
# answers, complete answers) may well follow from published respondent counts (when everyone
# answered); that says nothing about the answers and is not reported.
# Each hidden count is then bounded from below and above by linear programming (scipy's HiGHS),
# as tau-Argus audits a table: if the bounds leave a single whole number, the cell is derivable.
# The relaxation can only widen the bounds, so a cell it calls derivable is derivable; it can miss
# a cell that only integer reasoning pins down. Shares over strata of unknown weight are not modelled.

KINDS: dict[str, str | None] = {"responded": None, "eligible": "responded", "yes": "eligible", "complete": "responded",
                                "score": "complete"}
# per municipality a measure is at most CAPACITY times its parent (the score: 0 to 7 established areas)
CAPACITY = {"score": 7.0}
# the count a hidden row protects: who responded; how many said yes; how many areas are established
PROTECTED = {"responded": "responded", "eligible": "yes", "complete": "score"}
_GROUPINGS = ("kommungrupp", "huvudgrupp", "lan_kod")


def domain_mask(units: pd.DataFrame, grouping: str, group: str) -> np.ndarray:
    """Which municipalities (rows of `units`) form the domain: 'all', an SKR group (merged groups as
    'A1+A2'), a main group or a county. KeyError for a group the register does not have."""
    if grouping == "all":
        return np.ones(len(units), dtype=bool)
    if grouping not in _GROUPINGS:
        raise KeyError(f"unknown grouping {grouping!r}")
    members = str(group).split("+") if grouping == "kommungrupp" else [str(group)]
    m = units[grouping].astype(str).isin(members).to_numpy()
    if not m.any() or (grouping == "kommungrupp" and len(set(members) - set(units[grouping].astype(str)))):
        raise KeyError(f"no {grouping} {group!r} in the register")
    return m


class LinearAudit:
    """The linear model above for one register (`units`: kommungrupp, huvudgrupp, lan_kod per
    municipality). Add what is published, then ask for the bounds of a hidden count.

    Municipalities that share SKR group and county are interchangeable for every published domain
    and weight, so they are pooled into one "atom" whose count lies between 0 and its size: the
    same bounds as one unknown per municipality, with far fewer unknowns. A measure published for no
    county (`county_kinds` lists those that are) is pooled further, by SKR group alone; its links
    to other measures then hold group by group, which loses nothing, because any pooled solution
    can be spread back over the counties in proportion.
    """

    def __init__(self, units: pd.DataFrame, areas: tuple[str, ...] = (),
                 county_kinds: tuple[str, ...] = ("responded", "complete")):
        u = units.reset_index(drop=True)[list(_GROUPINGS)].astype(str)
        fine = u.value_counts(sort=True).sort_index().reset_index(name="size")
        coarse = fine.groupby(["kommungrupp", "huvudgrupp"], as_index=False, sort=True)["size"].sum()
        coarse["lan_kod"] = None
        self._atoms = {True: fine, False: coarse}
        self._coarse_of_fine = coarse.reset_index().set_index("kommungrupp").loc[fine["kommungrupp"], "index"].to_numpy()
        self.county_kinds = set(county_kinds)
        self.areas = tuple(areas)
        self._offset: dict[tuple[str, str | None], tuple[int, bool]] = {}
        self._size = 0
        self._rows: list[tuple[np.ndarray, np.ndarray, float]] = []  # A_ub rows: cols, coefs, rhs
        self._masks: dict[tuple[str, str, bool], np.ndarray] = {}
        self._linked: set = set()
        self._matrix = None

    @property
    def strata(self) -> np.ndarray:
        return self._atoms[False]["kommungrupp"].to_numpy()

    # -- model -----------------------------------------------------------------------------
    def mask(self, grouping: str, group: str, fine: bool = True) -> np.ndarray:
        """The atoms of a domain (by SKR group and county, or by SKR group alone)."""
        key = (grouping, str(group), fine)
        if key not in self._masks:
            if grouping == "lan_kod" and not fine:
                raise KeyError(f"a count by county of a measure pooled by SKR group ({group!r})")
            self._masks[key] = domain_mask(self._atoms[fine], grouping, str(group))
        return self._masks[key]

    def domain_size(self, grouping: str, group: str) -> int:
        return int(self._atoms[True]["size"].to_numpy()[self.mask(grouping, group)].sum())

    def _var(self, measure: tuple[str, str | None]) -> tuple[int, bool]:
        if measure not in self._offset:
            kind, item = measure
            if kind not in KINDS:
                raise ValueError(f"unknown measure {measure!r}")
            fine = kind in self.county_kinds
            self._offset[measure] = (self._size, fine)
            self._size += len(self._atoms[fine])
            self._matrix = None
            parent = KINDS[kind]
            if parent:
                self._structural(measure, (parent, None if parent == "responded" else item))
            if kind == "complete":
                for a in self.areas:
                    self._structural(measure, ("eligible", a))
            if kind == "eligible" and item in self.areas and ("complete", None) in self._offset:
                self._structural(("complete", None), measure)
        return self._offset[measure]

    def _structural(self, child, parent) -> None:
        """child <= parent in every atom, pooled to the coarser of the two (once per pair)."""
        if (child, parent) in self._linked:
            return
        self._linked.add((child, parent))
        (c, cf), (p, pf) = self._var(child), self._var(parent)
        k = CAPACITY.get(child[0], 1.0) if parent[0] == KINDS[child[0]] else 1.0
        if cf == pf:
            for i in range(len(self._atoms[cf])):
                self._rows.append((np.array([c + i, p + i]), np.array([1.0, -k]), 0.0))
            return
        for j in range(len(self._atoms[False])):
            fine_idx = np.flatnonzero(self._coarse_of_fine == j)
            # fine child: sum_f child_f - k parent_C <= 0; coarse child: child_C - k sum_f parent_f <= 0
            fine_cols, coarse_col = (c if cf else p) + fine_idx, (p if cf else c) + j
            fine_coef, coarse_coef = (1.0, -k) if cf else (-k, 1.0)
            self._rows.append((np.concatenate([fine_cols, [coarse_col]]),
                               np.concatenate([np.full(len(fine_idx), fine_coef), [coarse_coef]]), 0.0))

    def _cols(self, measure, grouping: str, group: str) -> np.ndarray:
        off, fine = self._var(measure)
        return off + np.flatnonzero(self.mask(grouping, group, fine))

    def count(self, measure, grouping: str, group: str, lo: float, hi: float) -> None:
        """Published: the count of `measure` in the domain lies in [lo, hi]."""
        cols = self._cols(measure, grouping, group)
        ones = np.ones(len(cols))
        if np.isfinite(hi):
            self._rows.append((cols, ones, float(hi)))
        if np.isfinite(lo) and lo > 0:
            self._rows.append((cols, -ones, -float(lo)))
        self._matrix = None

    def ratio(self, num, den, grouping: str, group: str, lo: float, hi: float, weights: dict[str, float]) -> bool:
        """Published: lo <= sum_D w num / sum_D w den <= hi, w the weight of each SKR group. False
        (nothing added) when the weight of a group in the domain is unknown."""
        (yo, yf), (eo, ef) = self._var(num), self._var(den)
        parts = []
        for off, fine in ((yo, yf), (eo, ef)):
            m = self.mask(grouping, group, fine)
            w = np.array([weights.get(h, np.nan) for h in self._atoms[fine]["kommungrupp"].to_numpy()[m]], dtype=float)
            if np.isnan(w).any():
                return False
            parts.append((off + np.flatnonzero(m), w))
        (y, wy), (e, we) = parts
        cols = np.concatenate([y, e])
        self._rows.append((cols, np.concatenate([wy, -hi * we]), 0.0))   # sum w y - hi sum w e <= 0
        self._rows.append((cols, np.concatenate([-wy, lo * we]), 0.0))  # lo sum w e - sum w y <= 0
        self._matrix = None
        return True

    # -- bounds ----------------------------------------------------------------------------
    def _build(self):
        from scipy import sparse

        if self._matrix is None:
            if self._rows:
                r = np.concatenate([np.full(len(c), k) for k, (c, _, _) in enumerate(self._rows)])
                c = np.concatenate([c for c, _, _ in self._rows])
                v = np.concatenate([v for _, v, _ in self._rows])
                A = sparse.csr_matrix((v, (r, c)), shape=(len(self._rows), self._size))
            else:
                A = sparse.csr_matrix((0, self._size))
            ub = np.zeros(self._size)
            for (kind, _), (off, fine) in self._offset.items():
                ub[off:off + len(self._atoms[fine])] = CAPACITY.get(kind, 1.0) * self._atoms[fine]["size"].to_numpy(dtype=float)
            self._matrix = (A, np.array([b for _, _, b in self._rows], dtype=float),
                            np.column_stack([np.zeros(self._size), ub]))
        return self._matrix

    def bounds(self, measure, grouping: str, group: str) -> tuple[float, float] | None:
        """The smallest and largest count of `measure` in the domain consistent with everything
        added; None when the published numbers contradict each other."""
        from scipy.optimize import linprog

        cols = self._cols(measure, grouping, group)
        A, b, box = self._build()
        c = np.zeros(A.shape[1])
        c[cols] = 1.0
        out = []
        for sign in (1.0, -1.0):
            res = linprog(sign * c, A_ub=A if A.shape[0] else None, b_ub=b if A.shape[0] else None,
                          bounds=box, method="highs")
            if res.status != 0:
                return None
            out.append(sign * res.fun)
        return out[0], out[1]


def derivable(bounds: tuple[float, float] | None, tol: float = 1e-6) -> bool:
    """Whether LP bounds leave a single whole number (the cell is known exactly)."""
    if bounds is None:
        return False
    lo, hi = bounds
    return math.ceil(lo - tol) == math.floor(hi + tol)


# Published cells read back (analysis.present.published makes these records from the files):
# one record per shown or hidden cell, with columns RECORD_COLUMNS; lo/hi bound the shown value
# (equal for an exact number, the rounding interval for a rounded one, NaN when nothing is shown).
RECORD_COLUMNS = ["source", "table", "grouping", "group", "item", "column", "lo", "hi", "row_suppressed", "text"]
FINDING_COLUMNS = ["kind", "source", "table", "grouping", "group", "item", "measure", "detail"]

# (table, column) -> the measure a shown count is a fact about
COUNT_COLUMNS = {("response", "respondents"): "responded", ("headline_by_group", "n_eligible"): "eligible",
                 ("headline", "n_eligible"): "eligible", ("headline", "n_yes"): "yes",
                 ("maturity_index", "n"): "complete", ("describe_summary", "n_respondents"): "responded",
                 ("describe_summary", "respondents"): "responded"}
# what a suppressed row of each table protects (see PROTECTED), and the measure it rests on
PROTECTED_BY_TABLE = {"response": "responded", "headline_by_group": "yes", "headline": "yes", "maturity_index": "score"}
# (table, column) of a share or mean: (numerator, denominator, weighted)
RATIO_COLUMNS = {("headline_by_group", "share_weighted"): ("yes", "eligible", True),
                 ("headline", "share_weighted"): ("yes", "eligible", True),
                 ("headline", "share_unweighted"): ("yes", "eligible", False),
                 ("maturity_index", "mean"): ("score", "complete", True)}
# base counts on which the min_cell rule rests (a shown one below min_cell is a primary disclosure)
BASE_COLUMNS = {("headline_by_group", "n_eligible"), ("headline", "n_eligible"), ("maturity_index", "n")}
# columns a suppressed row may still show: its key, labels, public register counts, flags
SHOWN_WHEN_SUPPRESSED = {"grouping", "group", "item", "label_sv", "label_en", "name", "N", "suppressed",
                         "data_source", "published_share", "published_x_of_10", "ci_method"}
SUPPRESSED_CODE = "suppressed"  # ci_method of a suppressed row


def _finding(kind: str, rec: dict, measure: str = "", detail: str = "") -> dict:
    return {"kind": kind, "source": rec.get("source", ""), "table": rec.get("table", ""),
            "grouping": rec.get("grouping", ""), "group": rec.get("group", ""), "item": rec.get("item"),
            "measure": measure, "detail": detail}


def audit(records: pd.DataFrame, units: pd.DataFrame, min_cell: int, areas: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every disclosure problem in the published cells `records` (RECORD_COLUMNS), as FINDING_COLUMNS:

    - primary: a shown count rests on fewer than `min_cell` municipalities (or respondents);
    - shown_in_suppressed_row: a suppressed row shows a value beyond its key and public counts;
    - shown_elsewhere: a cell hidden in one place is shown in another;
    - derivable: the linear bounds of what a hidden row protects (who responded, how many said
      yes, how many areas are established; PROTECTED_BY_TABLE) leave a single whole number, while
      the row has someone to protect (its base count may be above 0) and the national totals alone
      do not already say it (when all 290 responded, every group did);
    - inconsistent: the published numbers contradict each other (no solution).
    An empty frame means no suppressed cell can be worked out from what is published.
    """
    recs = records.reset_index(drop=True)
    findings: list[dict] = []
    county = recs[recs["grouping"] == "lan_kod"]
    county_kinds = {k for (t, c), k in COUNT_COLUMNS.items() if ((county["table"] == t) & (county["column"] == c)).any()}
    for t in set(county["table"]):
        k = PROTECTED_BY_TABLE.get(t)
        county_kinds |= {k, KINDS.get(k)} - {None} if k else set()
    county_kinds |= {m for (t, c), (y, e, _) in RATIO_COLUMNS.items() for m in (y, e)
                     if ((county["table"] == t) & (county["column"] == c)).any()}
    if ((county["table"] == "response") & (county["column"] == "rate")).any():
        county_kinds.add("responded")
    if county_kinds & {"score", "complete", "eligible", "yes"}:
        county_kinds.add("responded")
    lp = LinearAudit(units, areas, tuple(sorted(county_kinds)))
    size = {}

    def n_units(grouping, group) -> int:
        key = (grouping, group)
        if key not in size:
            size[key] = lp.domain_size(grouping, group)
        return size[key]

    def measure_of(kind: str, item) -> tuple[str, str | None]:
        return (kind, item if kind in ("eligible", "yes") else None)

    for rec in recs[recs["row_suppressed"].astype(bool) & (recs["text"] != "")].to_dict("records"):
        col = rec["column"]
        if col not in SHOWN_WHEN_SUPPRESSED or (col == "ci_method" and rec["text"] != SUPPRESSED_CODE):
            findings.append(_finding("shown_in_suppressed_row", rec, col, f"{col} = {rec['text']} is shown in a "
                                                                          "suppressed row"))
    # a row hidden in one place and its numbers shown in another
    cell = ["table", "grouping", "group", "item", "column"]
    key_of = (lambda r: tuple(str(r[c]) for c in cell))
    hidden_rows = {tuple(str(r[c]) for c in cell[:4]): r for r in recs[recs["row_suppressed"].astype(bool)].to_dict("records")}
    for rec in recs[~recs["row_suppressed"].astype(bool) & recs["lo"].notna()].to_dict("records"):
        row_key = key_of(rec)[:4]
        if row_key in hidden_rows and rec["column"] not in SHOWN_WHEN_SUPPRESSED:
            findings.append(_finding("shown_elsewhere", rec, rec["column"],
                                     f"{rec['column']} = {rec['text']} of a row hidden in {hidden_rows[row_key]['source']}"))
    shown = recs[recs["lo"].notna()]
    # -- weights the attacker knows: published ones, and N_h / n_h where n_h is shown exactly
    known_w: dict[str, float] = {}
    for rec in shown[(shown["table"] == "describe_summary") & (shown["column"] == "weight")].to_dict("records"):
        known_w[str(rec["group"])] = float(rec["lo"])
    exact_resp = shown[(shown["table"] == "response") & (shown["column"] == "respondents")
                       & (shown["grouping"] == "kommungrupp") & (shown["hi"] - shown["lo"] < 1)]
    for rec in exact_resp.to_dict("records"):
        g = str(rec["group"])
        if "+" not in g and rec["lo"] > 0:
            known_w.setdefault(g, n_units("kommungrupp", g) / float(rec["lo"]))

    facts: dict[tuple, tuple[float, float, dict]] = {}
    for rec in shown.to_dict("records"):
        table, col, grouping, group = rec["table"], rec["column"], rec["grouping"], str(rec["group"])
        try:
            n = n_units(grouping, group)
        except KeyError as exc:
            findings.append(_finding("unknown_group", rec, detail=str(exc)))
            continue
        if rec["row_suppressed"]:
            continue  # checked above
        lo, hi = float(rec["lo"]), float(rec["hi"])
        kind = COUNT_COLUMNS.get((table, col))
        if (table, col) == ("response", "rate"):
            kind, lo, hi = "responded", lo * n - 1e-6, hi * n + 1e-6
        if (table, col) == ("response", "respondents") and n < min_cell:
            findings.append(_finding("primary", rec, "responded", f"respondents of a domain of {n} < {min_cell} "
                                                                  "municipalities are shown"))
        if (table, col) == ("response", "rate") and n < min_cell:
            findings.append(_finding("primary", rec, "responded", f"the response rate of a domain of {n} < "
                                                                  f"{min_cell} municipalities is shown"))
        if (table, col) in BASE_COLUMNS and 0 < hi < min_cell:  # 0: nobody whose answers could show
            findings.append(_finding("primary", rec, kind, f"{col} = {rec['text'] or lo:} < {min_cell} is shown"))
        # the same cell shown in several places: keep the tightest interval (one constraint)
        if kind is not None:
            key = ("count", measure_of(kind, rec["item"]), grouping, group)
        elif (table, col) in RATIO_COLUMNS:
            key = ("ratio", (table, col), rec["item"], grouping, group)
        else:
            continue
        old_lo, old_hi, first = facts.get(key, (-math.inf, math.inf, rec))
        facts[key] = (max(old_lo, lo), min(old_hi, hi), first)

    for key, (lo, hi, rec) in facts.items():
        if lo > hi + 1e-6:
            findings.append(_finding("inconsistent", rec, rec["column"], "shown with different values in different places"))
            continue
        if key[0] == "count":
            lp.count(key[1], key[2], key[3], lo, hi)
        else:
            _, table_col, item, grouping, group = key
            num, den, weighted = RATIO_COLUMNS[table_col]
            w = known_w if weighted else dict.fromkeys(map(str, lp.strata), 1.0)
            lp.ratio(measure_of(num, item), measure_of(den, item), grouping, group, lo - 1e-9, hi + 1e-9, w)

    totals_only = None
    targets: dict[tuple, dict] = {}
    for rec in recs[recs["row_suppressed"].astype(bool)].to_dict("records"):
        if rec["table"] in PROTECTED_BY_TABLE:
            m = measure_of(PROTECTED_BY_TABLE[rec["table"]], rec["item"])
            targets.setdefault((m, rec["grouping"], str(rec["group"])), rec)
    for (m, grouping, group), rec in targets.items():
        name = m[0] if m[1] is None else f"{m[0]}:{m[1]}"
        try:
            b = lp.bounds(m, grouping, group)
        except KeyError as exc:
            findings.append(_finding("unknown_group", rec, name, str(exc)))
            continue
        if b is None:
            findings.append(_finding("inconsistent", rec, name, "the published numbers contradict each other"))
            continue
        if not derivable(b):
            continue
        base = KINDS[m[0]]
        if base is not None:  # nobody to protect when the row's base count can only be 0
            bb = lp.bounds(measure_of(base, m[1]), grouping, group)
            if bb is not None and bb[1] < 1 - 1e-6:  # a count below 1 is 0
                continue
        if totals_only is None:  # what the national totals say about everyone (e.g. all 290 responded)
            totals_only = LinearAudit(units, areas, tuple(sorted(county_kinds)))
            for key, (lo, hi, _) in facts.items():
                if key[0] == "count" and key[2] == "all":
                    totals_only.count(key[1], "all", "all", lo, hi)
        if derivable(totals_only.bounds(m, grouping, group)):
            continue
        findings.append(_finding("derivable", rec, name, f"the published numbers give exactly {round(b[0])}"))
    return pd.DataFrame(findings, columns=FINDING_COLUMNS)
