"""Every model of every specification: the area models, the two maturity-index models and the
self-rating model, fitted and tabulated (fit_spec), then q-values on the primary family (fit_all)."""

from __future__ import annotations

import pandas as pd

from .glm import fit_binary, fit_counts
from .matrix import design_matrix, group_counts
from .ordinal import fit_ordinal
from .sparse import apply_sparse_rule
from .specs import (
    OUTCOMES,
    SELF_RATING_SPECS,
    SELF_RATING_TERMS,
    SPEC_TERMS,
    SPEC_WEIGHTED,
    SPECS,
    TERMS,
    complete_rows,
    spec_frame,
)
from .table import add_qvalues, fit_rows


class _Fitter:
    """One specification's frame and options, and where its fits and sparse-group log entries go."""

    def __init__(self, analysis, spec, alpha, weights, min_cell, fits, log):
        self.df, self.group = spec_frame(analysis, spec, weights, min_cell)
        self.spec, self.alpha, self.min_cell = spec, alpha, min_cell
        self.weighted, self.terms = SPEC_WEIGHTED[spec], SPEC_TERMS[spec]
        self.fits, self.log = fits, log

    def keep(self, name: str, fit) -> None:
        if self.fits is not None:
            self.fits[(self.spec, name)] = fit

    def weights_of(self, d: pd.DataFrame):
        return d["_w"] if self.weighted else None

    def area(self, a: str) -> pd.DataFrame:
        """The binary model of one outcome, with the sparse-group rule."""
        d = complete_rows(self.df, [f"y_{a}", *TERMS])  # every spec's sample: complete on TERMS (as main)
        X = design_matrix(d, self.terms, self.group)
        y = d[f"y_{a}"].astype(float)
        f = fit_binary(y, X, self.weights_of(d), self.alpha)
        omit, entry = apply_sparse_rule(f, y, d[self.group], self.group, self.alpha)
        if entry is not None and self.log is not None:
            self.log.append({"spec": self.spec, "outcome": a, **entry})
        self.keep(a, f)
        return fit_rows(f, self.spec, a, self.alpha, group_n=group_counts(X), min_cell=self.min_cell, omit=omit)

    def maturity(self) -> list[pd.DataFrame]:
        """The binomial (Firth on separation) and the ordinal model of the maturity index."""
        d = complete_rows(self.df, ["y_maturity", *TERMS])
        X = design_matrix(d, self.terms, self.group)
        w, n = self.weights_of(d), group_counts(X)
        f = fit_counts(d["y_maturity"].astype(float), len(OUTCOMES), X, w, self.alpha)
        self.keep("maturity_index_binomial", f)
        out = [fit_rows(f, self.spec, "maturity_index_binomial", self.alpha, group_n=n, min_cell=self.min_cell)]
        f = fit_ordinal(d["y_maturity"].astype(int), X.drop(columns="const"), w, self.alpha)
        self.keep("maturity_index_ordinal", f)
        out.append(fit_rows(f, self.spec, "maturity_index_ordinal", self.alpha, ame=False, group_n=n,
                            min_cell=self.min_cell))
        return out

    def self_rating(self) -> pd.DataFrame:
        """The ordinal model of the self-rating (no grouping)."""
        d = complete_rows(self.df, ["self_rating", *SELF_RATING_TERMS])
        X = design_matrix(d, SELF_RATING_TERMS, None, const=False)
        f = fit_ordinal(d["self_rating"].astype(int), X, self.weights_of(d), self.alpha)
        self.keep("self_rating_ordinal", f)
        return fit_rows(f, self.spec, "self_rating_ordinal", self.alpha, ame=False)


def fit_spec(analysis: pd.DataFrame, spec: str = "main", alpha: float = 0.05, weights: pd.Series | None = None,
             min_cell: int = 0, fits: dict | None = None, log: list | None = None) -> pd.DataFrame:
    """Every model of one specification; returns the table rows (q_value not yet filled).

    `fits`, if given, collects the Fit objects under (spec, outcome); `log`, if given, collects one
    dict per model touched by the sparse-group rule (spec, outcome, groups, action, terms).
    """
    m = _Fitter(analysis, spec, alpha, weights, min_cell, fits, log)
    out = [m.area(a) for a in OUTCOMES]
    out += m.maturity()
    if spec in SELF_RATING_SPECS:
        out.append(m.self_rating())
    return pd.concat(out, ignore_index=True)


def fit_all(analysis: pd.DataFrame, alpha: float = 0.05, specs=SPECS, min_cell: int = 0,
            weights: pd.Series | None = None, fits: dict | None = None, log: list | None = None) -> pd.DataFrame:
    """The full models table (COLUMNS), all specs, with q-values on the primary family."""
    table = pd.concat([fit_spec(analysis, s, alpha, weights, min_cell, fits, log) for s in specs],
                      ignore_index=True)
    if "main" in specs:
        table = add_qvalues(table, alpha)
    return table
