"""Every column of the steps' output tables, declared once: its unit, dtype, meaning and allowed values.

A name has one description, true in every table that has the column (the table's own description says
what its rows are). A table lists its fields by name (`table`) and may override, where the same name
measures another quantity, the unit, the range, nullability, `digits` and `isin`: `ci_low` is a
proportion in the headline table and an odds ratio in the model tables. Only the standard library is
imported here: the runner's no-op path reads the contracts without pandas or pandera. The pandera
schemas are derived from these declarations (base/contracts/validation.py).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, replace

from .units import BOUNDS, DTYPES, STRICT_LOWER, check_unit

OVERRIDABLE = ("unit", "nullable", "digits", "isin", "ge", "le", "dtype")


@dataclass(frozen=True)
class Field:
    """One column: its unit (base/units.py), what it means, and the values it may take.

    `ge`/`le` tighten the unit's bounds; `digits` overrides the unit's display decimals; `dtype`
    the unit's pandas dtype; `isin` lists the only values allowed.
    """

    unit: str
    description: str
    _: KW_ONLY
    nullable: bool = False
    digits: int | None = None
    isin: tuple | None = None
    ge: float | None = None
    le: float | None = None
    dtype: str | None = None
    required: bool = True

    def __post_init__(self) -> None:
        check_unit(self.unit)
        if self.isin is not None:
            object.__setattr__(self, "isin", tuple(self.isin))

    @property
    def type(self) -> str | None:
        """The pandas dtype: the declared one, else the unit's."""
        return self.dtype or DTYPES.get(self.unit)

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(lowest, highest) allowed: the unit's bounds, tightened by ge / le."""
        lo, hi = BOUNDS.get(self.unit, (None, None))
        return (self.ge if self.ge is not None else lo), (self.le if self.le is not None else hi)

    @property
    def strict_lower(self) -> bool:
        """Whether the lowest value itself is excluded (an odds ratio is above 0)."""
        return self.unit in STRICT_LOWER

    @property
    def meta(self) -> dict:
        """{"unit": ..., "digits": ...} (digits only where declared): what the presentation formats from."""
        return {"unit": self.unit} | ({"digits": self.digits} if self.digits is not None else {})

    def override(self, **changes) -> Field:
        """This field as a table declares it: the unit, range, nullability, digits, isin or dtype changed."""
        unknown = sorted(set(changes) - set(OVERRIDABLE))
        if unknown:
            raise ValueError(f"a table may override only {', '.join(OVERRIDABLE)}; not {', '.join(unknown)}")
        return replace(self, **changes)


def col(unit: str, description: str, **kw) -> Field:
    """A column declared in place, for the tables built from the codebook (one column per item)."""
    return Field(unit, description, **kw)


@dataclass(frozen=True)
class Table:
    """A table's columns in order, and how strictly a frame must match them (pandera's defaults)."""

    fields: dict[str, Field]
    _: KW_ONLY
    name: str | None = None
    strict: bool = False
    ordered: bool = False
    coerce: bool = False
    unique: tuple[str, ...] | list[str] | None = None


def table(name: str, *names: str, **overrides: dict) -> Table:
    """The output table `name`: the FIELDS `names` in this order, each with its `overrides` (a dict of
    Field.override's changes keyed by column name). Strict, ordered and coerced."""
    unknown = [n for n in (*names, *overrides) if n not in FIELDS]
    if unknown:
        raise KeyError(f"table {name!r}: no field declared for {', '.join(map(repr, unknown))} (base/fields.py)")
    stray = [n for n in overrides if n not in names]
    if stray:
        raise KeyError(f"table {name!r}: overrides for columns it does not have: {', '.join(stray)}")
    fields = {n: FIELDS[n].override(**overrides.get(n, {})) for n in names}
    return Table(fields, name=name, strict=True, ordered=True, coerce=True)


# ------------------------------------------------------------------------------------- the fields
HIDDEN = "; empty where the row is suppressed"

_GROUPS = {
    "data_source": Field("code", "synthetic or survey: whether the numbers come from the synthetic export",
                         isin=("synthetic", "survey")),
    "grouping": Field("code", "how the rows are grouped: all, kommungrupp, huvudgrupp or lan_kod",
                      isin=("all", "kommungrupp", "huvudgrupp", "lan_kod")),
    "group": Field("code", "the group: a SKR group (A1..C9, merged groups as A1+A2), main group, county code or all"),
    "name": Field("text", "county name (lan_kod rows), else empty", nullable=True),
    "suppressed": Field("flag", "the row's counts and estimates are not shown (disclosure control, by the rule the "
                        "report's methods section gives: too few municipalities behind them, or a complement hidden "
                        "so that no hidden cell can be derived)"),
}

_ITEMS = {
    "item": Field("code", "item id of the codebook; in tables of two waves the earlier wave's id (item map, "
                  "base/waves.yaml); a published item with no such id keeps its own"),
    "label_sv": Field("text", "the item's label in Swedish (codebook)"),
    "label_en": Field("text", "the item's label in English (codebook)"),
}

_COUNTS = {
    "N": Field("count", "municipalities in the group"),
    "respondents": Field("count", "municipalities in the group that responded" + HIDDEN, nullable=True),
    "rate": Field("proportion", "respondents / N", nullable=True),
    "n": Field("count", "municipalities the row's estimate is computed from: respondents in the model or with "
               "every area answered (the table says which)" + HIDDEN),
    "n_eligible": Field("count", "respondents in the row's group with a valid answer to the item (Vet ej and "
                        "blank excluded)" + HIDDEN, nullable=True),
    "n_yes": Field("count", "respondents answering yes / established" + HIDDEN, nullable=True),
    "df": Field("count", "degrees of freedom of the interval: municipalities (clusters) with a valid answer minus "
                "their strata, n - H"),
}

_ESTIMATES = {
    "share_unweighted": Field("proportion", "n_yes / n_eligible", nullable=True),
    "share_weighted": Field("proportion", "design-weighted share among valid answers in the row's group (a "
                            "domain estimate)", nullable=True),
    "mean": Field("score", "design-weighted mean number of established areas (0-7)", nullable=True, ge=0, le=7),
    "se": Field("proportion", "standard error of the row's estimate: linearised with the FPC for a share or "
                "a mean, model-based for a coefficient (behind Wald intervals only)", nullable=True, digits=2),
    "ci_low": Field("proportion", "lower limit of the interval of the row's estimate (ci_method, method or "
                    "interval says how it was made)", nullable=True),
    "ci_high": Field("proportion", "upper limit of the interval of the row's estimate (ci_method, method or "
                     "interval says how it was made)", nullable=True),
    "ci_method": Field("code", "how the interval was made (a code the report's methods section names); "
                       "'suppressed' where the row is hidden"),
    "bound_low": Field("proportion", "share among all 290 if every missing answer were no", nullable=True),
    "bound_high": Field("proportion", "share among all 290 if every missing answer were yes", nullable=True),
    "x_of_10": Field("count", "a share rounded half up to tenths, times 10 (SKR's 'x av 10'): the estimate's, "
                     "or the published figure's", nullable=True, le=10),
    "published_share": Field("proportion", "SKR's published share (x av 10 as a fraction)", nullable=True),
    "published_x_of_10": Field("count", "SKR's published figure as the x of 'x av 10'", nullable=True, le=10),
}

_MODELS = {
    "spec": Field("code", "specification (main or a sensitivity analysis)"),
    "outcome": Field("code", "outcome of the model: an area, the maturity index or the self-rating"),
    "term": Field("code", "explanatory term of the model"),
    "coef": Field("log_odds", "coefficient (log-odds), maximum likelihood"),
    "odds_ratio": Field("odds_ratio", "odds ratio of the row's term: exp(coefficient)"),
    "p_value": Field("p_value", "two-sided p-value of the row's test (Wald, likelihood-ratio or exact McNemar: the "
                     "table or its method column says which)"),
    "q_value": Field("p_value", "Benjamini-Hochberg q-value within the row's family of tests (models: the primary "
                     "family, else empty; claim_tests: the claim's decisive or supporting tests, the p-value for "
                     "a single test)", nullable=True),
    "ame": Field("percentage_points", "average marginal effect on P(established)", nullable=True),
    "ame_ci_low": Field("percentage_points", "lower interval limit of the AME", nullable=True),
    "ame_ci_high": Field("percentage_points", "upper interval limit of the AME", nullable=True),
    "weighted": Field("flag", "survey-weighted fit (HC1 sandwich, no strata, no FPC) or not"),
    "method": Field("code", "how the model was fitted: ML (Wald; HC1 when weighted), ML_profile (profile-likelihood "
                    "interval, LR p: a sparse group in an unweighted fit) or Firth (profile penalised likelihood); "
                    "the nonresponse model: ml_wald, or ml_profile when a main group has fewer than 5 respondents "
                    "or non-respondents"),
    "se_log_or": Field("log_odds", "standard error of the log odds ratio behind the interval"),
}

_CLAIMS = {
    "claim": Field("code", "SKR's claim (analysis.compute.models.CLAIM_TESTS)"),
    "verdict": Field("code", "supported, not_shown or contradicted (rule in analysis.compute.models)",
                     isin=("supported", "not_shown", "contradicted")),
    "role": Field("code", "decisive (decides the verdict) or supporting (reported beside it)",
                  isin=("decisive", "supporting")),
    "n_tests": Field("count", "decisive tests of the claim"),
    "m_tests": Field("count", "tests in the group (decisive or supporting) of this claim"),
    "n_or_above_1": Field("count", "decisive tests with an odds ratio above 1"),
    "n_q_below_alpha_positive": Field("count", "decisive tests with q < alpha and an odds ratio above 1"),
    "n_q_below_alpha_negative": Field("count", "decisive tests with q < alpha and an odds ratio below 1"),
    "median_odds_ratio": Field("odds_ratio", "median odds ratio of the decisive tests"),
    "min_odds_ratio": Field("odds_ratio", "smallest odds ratio of the decisive tests"),
    "max_odds_ratio": Field("odds_ratio", "largest odds ratio of the decisive tests"),
    "max_ci_high": Field("odds_ratio", "largest upper interval limit of the decisive tests (all below "
                         "meaningful_odds_ratio: contradicted)"),
    "median_ame": Field("percentage_points", "median average marginal effect (tests that have one)", nullable=True),
    "n_min": Field("count", "smallest model sample of the decisive tests"),
    "n_max": Field("count", "largest model sample of the decisive tests"),
    "alpha": Field("p_value", "significance level of the rule (on q-values)", digits=2),
    "test_alpha": Field("p_value", "per-test level of the power statement: alpha divided by the number of tests "
                        "(n_tests or m_tests)", digits=4),
    "power": Field("proportion", "power of the minimum detectable effect", digits=0),
    "mde_odds_ratio": Field("odds_ratio", "smallest odds ratio detected with 80 % power at test_alpha"),
    "mde_min": Field("odds_ratio", "smallest minimum detectable odds ratio over the decisive tests"),
    "mde_max": Field("odds_ratio", "largest minimum detectable odds ratio over the decisive tests"),
    "power_meaningful": Field("proportion", "power to detect meaningful_odds_ratio (1.25) at test_alpha", digits=0),
    "power_meaningful_min": Field("proportion", "smallest power to detect meaningful_odds_ratio", digits=0),
    "power_meaningful_max": Field("proportion", "largest power to detect meaningful_odds_ratio", digits=0),
    "meaningful_odds_ratio": Field("odds_ratio", "smallest odds ratio counted as a meaningful association"),
    "n_supporting": Field("count", "supporting tests reported beside the decisive ones"),
    "n_supporting_or_above_1": Field("count", "supporting tests with an odds ratio above 1"),
    "n_supporting_q_below_alpha_positive": Field("count", "supporting tests with q < alpha and an odds ratio "
                                                 "above 1"),
}

_RELIABILITY = {
    "coding": Field("code", "main (top two levels established) or cut_partly (Delvis etablerat or above)"),
    "measure": Field("code", "kr20"),
    "k": Field("count", "items"),
    "estimate": Field("coefficient", "KR-20 (Cronbach's alpha for 0/1 items)", le=1),
    "n_boot": Field("count", "bootstrap resamples (bootstrap rows)", nullable=True),
    "variant": Field("code", "strata (svyglm with strata, no FPC) or strata_fpc (with the FPC as well)",
                     isin=("strata", "strata_fpc")),
    "n_terms": Field("count", "terms compared (weighted ML GLM terms of the main spec, intercepts excluded)"),
    "ratio_min": Field("coefficient", "smallest ratio of the variant's SE to the reported HC1 SE", digits=3),
    "ratio_median": Field("coefficient", "median ratio of the variant's SE to the reported HC1 SE", digits=3),
    "ratio_max": Field("coefficient", "largest ratio of the variant's SE to the reported HC1 SE", digits=3),
}

_WAVES = {
    "wave": Field("year", "survey wave"),
    "wave_from": Field("year", "the earlier wave"),
    "wave_to": Field("year", "the later wave"),
    "comparability": Field("code", "how comparable the item is with the project's item of the earlier wave: same, "
                           "wording_changed (the question or an answer label changed; item map in base/waves.yaml), "
                           "similar (another survey's close or near item) or other_item (no 2019 item)",
                           isin=("same", "wording_changed", "similar", "other_item")),
    "share_from": Field("proportion", "design-weighted share in the earlier wave (stacked design)", nullable=True),
    "share_to": Field("proportion", "design-weighted share in the later wave (stacked design)", nullable=True),
    "change": Field("percentage_points", "share_to - share_from, in percentage points", nullable=True),
    "se_change": Field("percentage_points", "linearised SE of the change, panel-aware: R survey on the stacked "
                       "respondents, municipalities as clusters, fpc N_h (analysis.compute.compare)",
                       nullable=True, digits=2),
    "se_change_independent": Field("percentage_points", "SE if the waves were independent samples, each with its "
                                   "own FPC (the SEs of 02_describe); ignores the panel", nullable=True, digits=2),
    "ci_low_independent": Field("percentage_points", "lower limit with se_change_independent", nullable=True),
    "ci_high_independent": Field("percentage_points", "upper limit with se_change_independent", nullable=True),
    "n_from": Field("count", "respondents with a valid answer in the earlier wave"),
    "n_to": Field("count", "respondents with a valid answer in the later wave"),
    "n_both": Field("count", "municipalities with a valid answer in both waves (unweighted)"),
    "kept_yes": Field("count", "yes in both waves" + HIDDEN, nullable=True),
    "lost": Field("count", "yes in the earlier wave, no in the later" + HIDDEN, nullable=True),
    "gained": Field("count", "no in the earlier wave, yes in the later" + HIDDEN, nullable=True),
    "kept_no": Field("count", "no in both waves" + HIDDEN, nullable=True),
    "share_kept": Field("proportion", "kept_yes / (kept_yes + lost): P(yes later | yes earlier)", nullable=True),
    "share_gained": Field("proportion", "gained / (gained + kept_no): P(yes later | no earlier)", nullable=True),
}

_PUBLISHED = {
    "kind": Field("code", "published (the public record), or this project's estimate from synthetic or survey data",
                  isin=("published", "synthetic", "survey")),
    "publisher": Field("text", "who published the figure (published rows)", nullable=True),
    "share": Field("proportion", "the published share (counts: numerator / denominator) or the estimate"),
    "interval": Field("code", "clopper_pearson (published counts), rounding ([x - 0.5, x + 0.5] / 10 for 'x av 10'), "
                      "or the estimate's ci_method (korn_graubard, ...)"),
    "numerator": Field("count", "published count with the item", nullable=True),
    "denominator": Field("count", "published count answering", nullable=True),
    "note": Field("text", "the public record's comparability note, verbatim (published rows)", nullable=True),
    "source_url": Field("text", "the page the figure was published on (published rows)", nullable=True),
}

_CLEANING_LOG = {
    "step": Field("code", "cleaning stage"),
    "action": Field("code", "what was done"),
    "column": Field("text", "variable or column concerned", nullable=True),
    "count": Field("count", "rows or cells concerned"),
    "detail": Field("text", "detail (never personal data or response ids; rows are named by their row in the raw "
                    "file)", nullable=True),
}

_PARTS = (_GROUPS, _ITEMS, _COUNTS, _ESTIMATES, _MODELS, _CLAIMS, _RELIABILITY, _WAVES, _PUBLISHED, _CLEANING_LOG)
FIELDS: dict[str, Field] = {name: f for part in _PARTS for name, f in part.items()}
