"""The attacker's linear model of a published table (LinearAudit): can a hidden count be worked out
from what is published? Bounds by linear programming, as tau-Argus audits a table.

The attacker knows the register (which municipalities form each group, county and main group)
and everything published. Each municipality i has one unknown per measure, between 0 and 1:

  responded_i;  eligible_{k,i} <= responded_i (a valid answer to item k);  yes_{k,i} <= eligible_{k,i};
  complete_i <= responded_i and <= eligible_{a,i} for the seven areas (the maturity index exists);
  score_i <= 7 complete_i (the number of established areas, whose mean the maturity table shows).

A published count of domain D gives sum_{i in D} x_i in [lo, hi] (lo = hi when shown exactly;
a rounded number gives its rounding interval); a published share p of domain D, weighted with
the design weights w, gives sum_D w_i (yes_i - p eligible_i) = 0 (a mean: score over complete),
a linear constraint when the weights of every stratum in D are public (or follow from a
published respondent count).

What a hidden row protects (PROTECTED) is the answers: who responded (response table), how many
said yes (a hidden share), how many areas are established (a hidden mean). Its base count (valid
answers, complete answers) may well follow from published respondent counts (when everyone
answered); that says nothing about the answers and is not reported.
Each hidden count is then bounded from below and above by linear programming (scipy's HiGHS),
as tau-Argus audits a table: if the bounds leave a single whole number, the cell is derivable.
The relaxation can only widen the bounds, so a cell it calls derivable is derivable; it can miss
a cell that only integer reasoning pins down. Shares over strata of unknown weight are not modelled.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

# each measure and the measure it is bounded by in every municipality (its base)
KINDS: dict[str, str | None] = {"responded": None, "eligible": "responded", "yes": "eligible", "complete": "responded",
                                "score": "complete"}
# per municipality a measure is at most CAPACITY times its parent (the score: 0 to 7 established areas)
CAPACITY = {"score": 7.0}
# the count a hidden row protects: who responded; how many said yes; how many areas are established
PROTECTED = {"responded": "responded", "eligible": "yes", "complete": "score"}
ITEM_KINDS = ("eligible", "yes")  # the measures counted per item; the others once per municipality
GROUPINGS = ("kommungrupp", "huvudgrupp", "lan_kod")  # of the register; a domain is one of their groups or "all"


def measure(kind: str, item: str | None = None) -> tuple[str, str | None]:
    """The LP's name of a measure: (kind, item) for the answers to an item, (kind, None) otherwise."""
    return (kind, item if kind in ITEM_KINDS else None)


def domain_mask(units: pd.DataFrame, grouping: str, group: str) -> np.ndarray:
    """Which municipalities (rows of `units`) form the domain: 'all', an SKR group (merged groups as
    'A1+A2'), a main group or a county. KeyError for a group the register does not have."""
    if grouping == "all":
        return np.ones(len(units), dtype=bool)
    if grouping not in GROUPINGS:
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
        u = units.reset_index(drop=True)[list(GROUPINGS)].astype(str)
        fine = u.value_counts(sort=True).sort_index().reset_index(name="size")
        coarse = fine.groupby(["kommungrupp", "huvudgrupp"], as_index=False, sort=True)["size"].sum()
        coarse["lan_kod"] = None
        self._atoms = {True: fine, False: coarse}
        coarse_index = coarse.reset_index().set_index("kommungrupp")["index"]
        self._coarse_of_fine = coarse_index.loc[fine["kommungrupp"]].to_numpy()
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
                sizes = self._atoms[fine]["size"].to_numpy(dtype=float)
                ub[off:off + len(sizes)] = CAPACITY.get(kind, 1.0) * sizes
            self._matrix = (A, np.array([b for _, _, b in self._rows], dtype=float),
                            np.column_stack([np.zeros(self._size), ub]))
        return self._matrix

    def bounds(self, measure, grouping: str, group: str) -> tuple[float, float] | None:
        """The smallest and largest count of `measure` in the domain consistent with everything
        added; None when the published numbers contradict each other."""
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


