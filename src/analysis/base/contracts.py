"""Table contracts as code: one schema per output file, declaring every column's type, unit and bounds.

Writers validate before they write and readers validate what they read; docs/contracts.md is generated here.

Every column carries `metadata={"unit": ...}` from UNITS. The presentation layer formats a number
from its column's unit (and optional `digits`), never from the column's name. Files:

- processed data (01): analysis.parquet, responses.parquet, cleaning_log.csv, run_info.json
- tables of 02 and 03: tables/<name>.csv (UTF-8 with BOM), plus describe_summary.json and
  model_summary.json (strict JSON: NaN is written as null)
- tables of 05 (when two waves are compared): tables/change.csv, transitions.csv, trend.csv and
  compare_summary.json, in the later wave's output folder
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from . import io
from .errors import ContractError

# ---------------------------------------------------------------------------------------- units
# unit -> (meaning, default display decimals). Display decimals count in the shown scale: a
# proportion 0.5893 shown with 1 decimal is "58,9 %".
UNITS: dict[str, tuple[str, int | None]] = {
    "proportion": ("a share between 0 and 1; shown as a percent", 1),
    "percent": ("a share in percent, 0 to 100", 1),
    "percentage_points": ("a difference between two percents, in percentage points", 1),
    "odds_ratio": ("a ratio of odds, above 0; 1 means no association", 2),
    "log_odds": ("a coefficient on the log-odds scale", 3),
    "p_value": ("a probability between 0 and 1 (p- or q-value); below 0.001 shown as < 0.001", 3),
    "count": ("a whole number (municipalities, items, tests, degrees of freedom)", 0),
    "score": ("a mean on the scale of a count or rating (e.g. established areas, 0 to 7)", 1),
    "coefficient": ("a dimensionless coefficient (e.g. KR-20 reliability)", 2),
    "weight": ("a design weight N_h / n_h", 2),
    "year": ("a survey wave (calendar year)", 0),
    "code": ("an identifier or category code; shown through the label catalogue", None),
    "text": ("text (labels, names, log details)", None),
    "flag": ("true or false", None),
    "datetime": ("a date and time", None),
}
NUMERIC_UNITS = {u for u, (_, d) in UNITS.items() if d is not None}

_DTYPES = {
    "proportion": "Float64", "percent": "Float64", "percentage_points": "Float64", "odds_ratio": "Float64",
    "log_odds": "Float64", "p_value": "Float64", "count": "Int64", "score": "Float64",
    "coefficient": "Float64", "weight": "Float64", "year": "Int64", "code": "string", "text": "string",
    "flag": "boolean",
}
_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "proportion": (0.0, 1.0), "percent": (0.0, 100.0), "p_value": (0.0, 1.0), "count": (0, None),
    "odds_ratio": (0.0, None), "weight": (0.0, None), "percentage_points": (-100.0, 100.0),
}


def col(unit: str, description: str, *, nullable: bool = False, digits: int | None = None,
        isin: tuple | list | None = None, ge: float | None = None, le: float | None = None,
        dtype: str | None = None, required: bool = True) -> pa.Column:
    """A pandera Column with its unit, description and the unit's bounds (tightened by ge/le)."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNITS)}")
    lo, hi = _BOUNDS.get(unit, (None, None))
    lo = ge if ge is not None else lo
    hi = le if le is not None else hi
    checks = []
    if lo is not None:
        checks.append(pa.Check.ge(lo) if unit != "odds_ratio" else pa.Check.gt(lo))
    if hi is not None:
        checks.append(pa.Check.le(hi))
    if isin is not None:
        checks.append(pa.Check.isin(list(isin)))
    meta = {"unit": unit}
    if digits is not None:
        meta["digits"] = digits
    return pa.Column(dtype or _DTYPES.get(unit), checks=checks, nullable=nullable, coerce=True,
                     description=description, metadata=meta, required=required)


# ------------------------------------------------------------------------------------ contracts
@dataclass(frozen=True)
class Contract:
    """One output file: where it lives, who writes and reads it, and its schema (tables) or
    required keys (JSON). `key` names the columns that identify a row."""

    path: str  # relative to processed_dir or output_dir
    home: str  # "processed" or "output"
    writer: str
    readers: tuple[str, ...]
    description: str
    schema: pa.DataFrameSchema | None = None
    key: tuple[str, ...] = ()
    json_keys: dict[str, str] = field(default_factory=dict)  # JSON: key -> description

    @property
    def name(self) -> str:
        return Path(self.path).stem


DATA_SOURCE = col("code", "synthetic or survey: whether the numbers come from the synthetic export",
                  isin=("synthetic", "survey"))
GROUPING = col("code", "how the rows are grouped: all, kommungrupp, huvudgrupp or lan_kod",
               isin=("all", "kommungrupp", "huvudgrupp", "lan_kod"))
GROUP = col("code", "the group: a SKR group (A1..C9, merged groups as A1+A2), main group, county code or all")
CI_METHOD = col("code", "how the interval was made (a code; the report's methods section names it); 'suppressed' where the "
                "row is hidden")


def _table(columns: dict[str, pa.Column], name: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=name, coerce=True)


def _headline() -> pa.DataFrameSchema:
    return _table({
        "item": col("code", "headline item id (codebook)"),
        "label_sv": col("text", "the item's label in Swedish (codebook)"),
        "label_en": col("text", "the item's label in English (codebook)"),
        "n_eligible": col("count", "respondents with a valid answer (Vet ej and blank excluded; hidden when "
                                   "suppressed)", nullable=True),
        "n_yes": col("count", "respondents answering yes / established (hidden when suppressed)", nullable=True),
        "share_unweighted": col("proportion", "n_yes / n_eligible", nullable=True),
        "share_weighted": col("proportion", "design-weighted share among valid answers (domain estimate)",
                              nullable=True),
        "se": col("proportion", "linearised standard error of share_weighted (with FPC)", nullable=True,
                  digits=2),
        "ci_low": col("proportion", "lower limit of the interval of share_weighted", nullable=True),
        "ci_high": col("proportion", "upper limit of the interval of share_weighted", nullable=True),
        "ci_method": CI_METHOD,
        "bound_low": col("proportion", "share among all 290 if every missing answer were no", nullable=True),
        "bound_high": col("proportion", "share among all 290 if every missing answer were yes", nullable=True),
        "x_of_10": col("count", "share_weighted rounded half up to tenths, times 10 (SKR's 'x av 10')",
                       nullable=True, le=10),
        "published_share": col("proportion", "SKR's published share (x av 10 as a fraction)", nullable=True),
        "published_x_of_10": col("count", "SKR's published figure as the x of 'x av 10'", nullable=True, le=10),
        "suppressed": col("flag", "row not shown: 1 to min_cell - 1 valid answers (0 valid answers: nothing to hide)"),
        "data_source": DATA_SOURCE,
    }, "headline")


def _by_group() -> pa.DataFrameSchema:
    return _table({
        "grouping": GROUPING, "group": GROUP,
        "item": col("code", "headline item id"),
        "n_eligible": col("count", "respondents in the group with a valid answer (hidden when suppressed)",
                          nullable=True),
        "share_weighted": col("proportion", "design-weighted share within the group", nullable=True),
        "ci_low": col("proportion", "lower interval limit", nullable=True),
        "ci_high": col("proportion", "upper interval limit", nullable=True),
        "ci_method": CI_METHOD,
        "suppressed": col("flag", "cell not shown: fewer than min_cell respondents, or complementary"),
        "data_source": DATA_SOURCE,
    }, "headline_by_group")


def _maturity() -> pa.DataFrameSchema:
    return _table({
        "grouping": GROUPING, "group": GROUP,
        "n": col("count", "respondents with all seven areas answered (hidden when suppressed)", nullable=True),
        "mean": col("score", "design-weighted mean number of established areas (0-7)", nullable=True,
                    ge=0, le=7),
        "se": col("score", "linearised standard error of the mean", nullable=True, digits=2),
        "ci_low": col("score", "lower interval limit", nullable=True),
        "ci_high": col("score", "upper interval limit", nullable=True),
        "df": col("count", "degrees of freedom n - H", nullable=True),
        "ci_method": CI_METHOD,
        "suppressed": col("flag", "cell not shown (see headline_by_group)"),
        "data_source": DATA_SOURCE,
    }, "maturity_index")


def _response() -> pa.DataFrameSchema:
    return _table({
        "grouping": GROUPING, "group": GROUP,
        "N": col("count", "municipalities in the group"),
        "respondents": col("count", "municipalities that responded (hidden when suppressed)", nullable=True),
        "name": col("text", "county name (lan_kod rows), else empty", nullable=True),
        "rate": col("proportion", "respondents / N", nullable=True),
        "suppressed": col("flag", "cell not shown: fewer than min_cell municipalities, or complementary"),
        "data_source": DATA_SOURCE,
    }, "response")


def _odds_columns(p_name: str = "p_value") -> dict[str, pa.Column]:
    return {
        "odds_ratio": col("odds_ratio", "exp(coefficient)"),
        "ci_low": col("odds_ratio", "lower interval limit of the odds ratio"),
        "ci_high": col("odds_ratio", "upper interval limit of the odds ratio"),
        p_name: col("p_value", "two-sided p-value"),
    }


def _nonresponse() -> pa.DataFrameSchema:
    return _table({
        "term": col("code", "model term"),
        "coef": col("log_odds", "coefficient (log-odds), maximum likelihood"),
        "se": col("log_odds", "model-based standard error (behind Wald intervals; profile intervals do not use it)"),
        "odds_ratio": col("odds_ratio", "exp(coefficient): ratio of the odds of responding"),
        "ci_low": col("odds_ratio", "lower interval limit of the odds ratio (Wald or profile likelihood, see method)"),
        "ci_high": col("odds_ratio", "upper interval limit of the odds ratio (Wald or profile likelihood, see method)"),
        "p_value": col("p_value", "two-sided p-value: Wald (ml_wald) or likelihood-ratio (ml_profile)"),
        "n": col("count", "municipalities in the model (all 290)"),
        "method": col("code", "ml_wald, or ml_profile when a main group has fewer than 5 respondents or "
                      "non-respondents", isin=("ml_wald", "ml_profile")),
        "data_source": DATA_SOURCE,
    }, "nonresponse_model")


def _models() -> pa.DataFrameSchema:
    return _table({
        "spec": col("code", "specification (main or a sensitivity analysis)"),
        "outcome": col("code", "outcome: an area, the maturity index or the self-rating"),
        "term": col("code", "explanatory term"),
        **_odds_columns(),
        "q_value": col("p_value", "Benjamini-Hochberg q-value (primary family only)", nullable=True),
        "ame": col("percentage_points", "average marginal effect on P(established)", nullable=True),
        "ame_ci_low": col("percentage_points", "lower interval limit of the AME", nullable=True),
        "ame_ci_high": col("percentage_points", "upper interval limit of the AME", nullable=True),
        "n": col("count", "respondents in the model"),
        "weighted": col("flag", "survey-weighted fit (HC1 sandwich, no strata, no FPC) or not"),
        "method": col("code", "ML (Wald; HC1 when weighted), ML_profile (profile-likelihood interval, LR p: sparse "
                      "group in an unweighted fit) or Firth (profile penalised likelihood)",
                      isin=("ML", "ML_profile", "Firth")),
        "data_source": DATA_SOURCE,
    }, "models")


def _reliability() -> pa.DataFrameSchema:
    return _table({
        "coding": col("code", "main (top two levels established) or cut_partly (Delvis etablerat or above)"),
        "measure": col("code", "kr20"),
        "n": col("count", "respondents with all seven areas answered"),
        "k": col("count", "items"),
        "estimate": col("coefficient", "KR-20 (Cronbach's alpha for 0/1 items)", le=1),
        "ci_low": col("coefficient", "lower interval limit", le=1),
        "ci_high": col("coefficient", "upper interval limit", le=1),
        "ci_method": col("code", "bootstrap_percentile or feldt_f", isin=("bootstrap_percentile", "feldt_f")),
        "n_boot": col("count", "bootstrap resamples (bootstrap rows)", nullable=True),
        "data_source": DATA_SOURCE,
    }, "reliability")


def _verdicts() -> pa.DataFrameSchema:
    return _table({
        "claim": col("code", "SKR's claim (analysis.compute.models.CLAIM_TESTS)"),
        "verdict": col("code", "supported, not_shown or contradicted (rule in analysis.compute.models)",
                       isin=("supported", "not_shown", "contradicted")),
        "n_tests": col("count", "decisive tests of the claim"),
        "n_or_above_1": col("count", "decisive tests with an odds ratio above 1"),
        "n_q_below_alpha_positive": col("count", "decisive tests with q < alpha and an odds ratio above 1"),
        "n_q_below_alpha_negative": col("count", "decisive tests with q < alpha and an odds ratio below 1"),
        "median_odds_ratio": col("odds_ratio", "median odds ratio of the decisive tests"),
        "min_odds_ratio": col("odds_ratio", "smallest odds ratio"),
        "max_odds_ratio": col("odds_ratio", "largest odds ratio"),
        "max_ci_high": col("odds_ratio",
                           "largest upper interval limit (all below meaningful_odds_ratio: contradicted)"),
        "median_ame": col("percentage_points", "median average marginal effect (tests that have one)", nullable=True),
        "odds_ratio": col("odds_ratio", "odds ratio of a one-test claim", nullable=True),
        "ci_low": col("odds_ratio", "its lower interval limit", nullable=True),
        "ci_high": col("odds_ratio", "its upper interval limit", nullable=True),
        "p_value": col("p_value", "its p-value", nullable=True),
        "n_min": col("count", "smallest model sample of the decisive tests"),
        "n_max": col("count", "largest model sample of the decisive tests"),
        "alpha": col("p_value", "significance level of the rule (on q-values)", digits=2),
        "test_alpha": col("p_value", "per-test level of the power statement: alpha / n_tests", digits=4),
        "power": col("proportion", "power of the minimum detectable effect", digits=0),
        "mde_min": col("odds_ratio", "smallest minimum detectable odds ratio over the decisive tests"),
        "mde_max": col("odds_ratio", "largest minimum detectable odds ratio over the decisive tests"),
        "power_meaningful_min": col("proportion", "smallest power to detect meaningful_odds_ratio", digits=0),
        "power_meaningful_max": col("proportion", "largest power to detect meaningful_odds_ratio", digits=0),
        "meaningful_odds_ratio": col("odds_ratio", "smallest odds ratio counted as a meaningful association"),
        "n_supporting": col("count", "supporting tests reported beside the decisive ones"),
        "n_supporting_or_above_1": col("count", "supporting tests with an odds ratio above 1"),
        "n_supporting_q_below_alpha_positive": col("count",
                                                   "supporting tests with q < alpha and an odds ratio above 1"),
        "data_source": DATA_SOURCE,
    }, "verdicts")


def _claim_tests() -> pa.DataFrameSchema:
    return _table({
        "claim": col("code", "SKR's claim"),
        "role": col("code", "decisive (decides the verdict) or supporting (reported beside it)",
                    isin=("decisive", "supporting")),
        "outcome": col("code", "outcome of the main-spec model"),
        "term": col("code", "explanatory term"),
        **_odds_columns(),
        "q_value": col("p_value", "Benjamini-Hochberg q-value within the claim's decisive or supporting tests "
                       "(the p-value for a single test)"),
        "ame": col("percentage_points", "average marginal effect", nullable=True),
        "n": col("count", "respondents in the model"),
        "method": col("code", "ML, ML_profile or Firth (as in models.csv)"),
        "m_tests": col("count", "tests in the group (decisive or supporting) of this claim"),
        "test_alpha": col("p_value", "alpha / m_tests: the level of the power statement", digits=4),
        "se_log_or": col("log_odds", "standard error of the log odds ratio behind the interval"),
        "mde_odds_ratio": col("odds_ratio", "smallest odds ratio detected with 80 % power at test_alpha"),
        "power_meaningful": col("proportion", "power to detect the meaningful odds ratio (1.25) at test_alpha",
                                digits=0),
        "data_source": DATA_SOURCE,
    }, "claim_tests")


def _se_design() -> pa.DataFrameSchema:
    return _table({
        "variant": col("code", "strata (svyglm with strata, no FPC) or strata_fpc (with the FPC as well)",
                       isin=("strata", "strata_fpc")),
        "n_terms": col("count", "terms compared (weighted ML GLM terms of the main spec, intercepts excluded)"),
        "ratio_min": col("coefficient", "smallest ratio of the variant's SE to the reported HC1 SE", digits=3),
        "ratio_median": col("coefficient", "median ratio", digits=3),
        "ratio_max": col("coefficient", "largest ratio", digits=3),
        "data_source": DATA_SOURCE,
    }, "se_design")


COMPARABILITY = col("code", "how comparable the item is with the earlier wave: same, or wording_changed "
                    "(the question or an answer label changed; see the item map in base/waves.yaml)",
                    isin=("same", "wording_changed"))


def _change() -> pa.DataFrameSchema:
    return _table({
        "item": col("code", "item id in the earlier wave (item map, base/waves.yaml)"),
        "wave_from": col("year", "the earlier wave"),
        "wave_to": col("year", "the later wave"),
        "share_from": col("proportion", "design-weighted share in the earlier wave (stacked design)", nullable=True),
        "share_to": col("proportion", "design-weighted share in the later wave (stacked design)", nullable=True),
        "change": col("percentage_points", "share_to - share_from, in percentage points", nullable=True),
        "se_change": col("percentage_points", "linearised SE of the change, panel-aware: R survey on the stacked "
                         "respondents, municipalities as clusters, fpc N_h (analysis.compute.compare)",
                         nullable=True, digits=2),
        "ci_low": col("percentage_points", "lower limit: change - t(df) se_change", nullable=True),
        "ci_high": col("percentage_points", "upper limit: change + t(df) se_change", nullable=True),
        "n_from": col("count", "respondents with a valid answer in the earlier wave"),
        "n_to": col("count", "respondents with a valid answer in the later wave"),
        "n_both": col("count", "municipalities with a valid answer in both waves"),
        "df": col("count", "degrees of freedom: clusters with a valid answer minus their strata"),
        "se_change_independent": col("percentage_points", "SE if the waves were independent samples, each with its "
                                     "own FPC (the SEs of 02_describe); ignores the panel", nullable=True, digits=2),
        "ci_low_independent": col("percentage_points", "lower limit with se_change_independent", nullable=True),
        "ci_high_independent": col("percentage_points", "upper limit with se_change_independent", nullable=True),
        "comparability": COMPARABILITY,
        "data_source": DATA_SOURCE,
    }, "change")


def _transitions() -> pa.DataFrameSchema:
    hidden = " (hidden when suppressed)"
    return _table({
        "item": col("code", "item id in the earlier wave"),
        "wave_from": col("year", "the earlier wave"),
        "wave_to": col("year", "the later wave"),
        "n_both": col("count", "municipalities with a valid answer in both waves (unweighted)"),
        "kept_yes": col("count", "yes in both waves" + hidden, nullable=True),
        "lost": col("count", "yes in the earlier wave, no in the later" + hidden, nullable=True),
        "gained": col("count", "no in the earlier wave, yes in the later" + hidden, nullable=True),
        "kept_no": col("count", "no in both waves" + hidden, nullable=True),
        "share_kept": col("proportion", "kept_yes / (kept_yes + lost): P(yes later | yes earlier)", nullable=True),
        "share_gained": col("proportion", "gained / (gained + kept_no): P(yes later | no earlier)", nullable=True),
        "p_value": col("p_value", "exact McNemar test of gained = lost (two-sided)", nullable=True),
        "comparability": COMPARABILITY,
        "suppressed": col("flag", "counts not shown: fewer than min_cell municipalities answered in both waves"),
        "data_source": DATA_SOURCE,
    }, "transitions")


def _trend() -> pa.DataFrameSchema:
    return _table({
        "item": col("code", "item id (the project's 2019 id; published items without one keep their own)"),
        "wave": col("year", "survey wave"),
        "kind": col("code", "published (the public record), or this project's estimate from synthetic or "
                    "survey data", isin=("published", "synthetic", "survey")),
        "publisher": col("text", "who published the figure (published rows)", nullable=True),
        "share": col("proportion", "the published share (counts: numerator / denominator) or the estimate"),
        "ci_low": col("proportion", "lower limit of the interval", nullable=True),
        "ci_high": col("proportion", "upper limit of the interval", nullable=True),
        "interval": col("code", "clopper_pearson (published counts), rounding ([x - 0.5, x + 0.5] / 10 for "
                        "'x av 10'), or the estimate's ci_method (korn_graubard, ...)"),
        "numerator": col("count", "published count with the item", nullable=True),
        "denominator": col("count", "published count answering", nullable=True),
        "x_of_10": col("count", "published 'x av 10', or the estimate rounded half up to tenths x 10",
                       nullable=True, le=10),
        "comparability": col("code", "same (the project's item), wording_changed (the later wave's reworded "
                             "item), similar (another survey's close or near item), other_item (no 2019 item)",
                             isin=("same", "wording_changed", "similar", "other_item")),
        "note": col("text", "the public record's comparability note, verbatim (published rows)", nullable=True),
        "source_url": col("text", "the page the figure was published on (published rows)", nullable=True),
        "data_source": DATA_SOURCE,
    }, "trend")


def _cleaning_log() -> pa.DataFrameSchema:
    return _table({
        "step": col("code", "cleaning stage"),
        "action": col("code", "what was done"),
        "column": col("text", "variable or column concerned", nullable=True),
        "count": col("count", "rows or cells concerned"),
        "detail": col("text", "detail (never personal data or response ids; rows are named by their row in "
                              "the raw file)", nullable=True),
    }, "cleaning_log")


def _analysis() -> pa.DataFrameSchema:
    """analysis.parquet, its answer columns derived from the codebook: the yes/no flags (`Codebook.flags`),
    the ordinal levels, 'Vet ej' per coded item, and each numeric variable in its declared unit and range."""
    from .codebook import default_codebook

    cb = default_codebook()
    cols: dict[str, pa.Column] = {
        "kommunkod": col("code", "SCB municipality code, 4 digits", dtype="str"),
        "kommun": col("text", "municipality name (register)", dtype="str"),
        "lan_kod": col("code", "county code, 2 digits", dtype="str"),
        "lan_namn": col("text", "county name", dtype="str"),
        "kommungrupp": col("code", "SKR group 2017 (stratum)", dtype="category"),
        "huvudgrupp": col("code", "SKR main group A/B/C", dtype="category"),
        "folkmangd": col("count", "population 31 Dec of the year before the wave", dtype="int64"),
        "responded": col("flag", "the municipality has a kept submission", dtype="bool"),
    }
    for v in cb.flags:
        cols[v.id] = col("flag", f"{v.id}: yes / established (NA: Vet ej, blank or non-response)", nullable=True)
    for v in cb.of_type("ordinal"):
        cols[f"{v.id}_level"] = col("count", f"codebook code of {v.id}", nullable=True, dtype="Int8")
    for v in cb.variables:
        if v.is_coded:
            cols[f"{v.id}_dont_know"] = col("flag", f"{v.id} answered Vet ej", dtype="bool")
    for v in cb.of_type("numeric"):
        lo, hi = v.stored_range
        cols[v.id] = col(v.unit, v.description, nullable=True, dtype="Int8" if v.dtype == "integer" else None,
                         ge=lo, le=hi)
    cols["maturity_index"] = col("count", "established areas of seven (NA unless all answered)", nullable=True,
                                 dtype="Int8", le=7)
    return pa.DataFrameSchema(cols, strict=True, ordered=False, name="analysis", coerce=False,
                              unique=["kommunkod"])


def _responses() -> pa.DataFrameSchema:
    return pa.DataFrameSchema({
        "raw_row": col("count", "row of the submission in the raw file (the header is row 1)", dtype="Int64", ge=2),
        "kommunkod": col("code", "SCB municipality code of the kept submission", dtype="str"),
    }, strict=False, name="responses", unique=["kommunkod"])


def _json_contract(path: str, home: str, writer: str, readers: tuple[str, ...], description: str,
                   keys: dict[str, str]) -> Contract:
    return Contract(path, home, writer, readers, description, json_keys=keys)


CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    Contract("analysis.parquet", "processed", "01_clean", ("02_describe", "03_model"),
             "one row per municipality of the 290: register columns and the coded answers", _analysis(),
             key=("kommunkod",)),
    Contract("responses.parquet", "processed", "01_clean", ("analysts",),
             "one row per responding municipality: the codebook's answers, numbers and times as validated; no "
             "personal data, free text or response ids", _responses(),
             key=("kommunkod",)),
    Contract("cleaning_log.csv", "processed", "01_clean", ("04_report", "analysts"),
             "one row per cleaning action; rows read = kept + dropped", _cleaning_log()),
    _json_contract("run_info.json", "processed", "01_clean", ("02_describe", "03_model", "04_report"),
                   "the raw file, its SHA-256, whether it is synthetic, and the counts",
                   {"raw_file": "raw file name", "raw_sha256": "SHA-256 of the raw file",
                    "synthetic": "true when the export is synthetic", "counts": "rows read, respondents, ..."}),
    Contract("tables/headline.csv", "output", "02_describe", ("04_report",),
             "the ten headline shares with design-based intervals and bounds", _headline(), key=("item",)),
    Contract("tables/headline_by_group.csv", "output", "02_describe", ("04_report",),
             "the ten shares by SKR group and main group, suppressed", _by_group(),
             key=("grouping", "group", "item")),
    Contract("tables/maturity_index.csv", "output", "02_describe", ("04_report",),
             "mean number of established areas overall, by group and county, suppressed", _maturity(),
             key=("grouping", "group")),
    Contract("tables/response.csv", "output", "02_describe", ("04_report",),
             "response by group and county, suppressed", _response(), key=("grouping", "group")),
    Contract("tables/nonresponse_model.csv", "output", "02_describe", ("04_report",),
             "logistic model of responding", _nonresponse(), key=("term",)),
    _json_contract("describe_summary.json", "output", "02_describe", ("04_report",),
                   "counts, weights and respondent profile (numbers only)",
                   {"n_municipalities": "municipalities", "n_respondents": "respondents",
                    "response_rate": "respondents / municipalities", "alpha": "1 - confidence level",
                    "min_cell": "suppression threshold", "synthetic": "synthetic input",
                    "weights": "design weight per SKR group", "respondent_profile": "respondents vs all"}),
    Contract("tables/models.csv", "output", "03_model", ("04_report",),
             "odds ratios, AMEs (percentage points), p- and q-values of every model and specification",
             _models(), key=("spec", "outcome", "term")),
    Contract("tables/reliability.csv", "output", "03_model", ("04_report",),
             "KR-20 of the seven areas, per coding and interval method", _reliability(),
             key=("coding", "ci_method")),
    Contract("tables/verdicts.csv", "output", "03_model", ("04_report",),
             "one verdict per SKR claim, the numbers it rests on and the power of its tests", _verdicts(),
             key=("claim",)),
    Contract("tables/claim_tests.csv", "output", "03_model", ("04_report",),
             "the tests behind each claim (models.CLAIM_TESTS), with BH q-values and minimum detectable "
             "odds ratios", _claim_tests(), key=("claim", "role", "outcome", "term")),
    Contract("tables/se_design.csv", "output", "03_model", ("04_report",),
             "how much strata (and the FPC) would change the model standard errors", _se_design(),
             key=("variant",)),
    Contract("tables/change.csv", "output", "05_compare", ("04_report",),
             "change of each shared item's weighted share since the earlier wave, with a panel-aware SE "
             "(change in percentage points)", _change(), key=("item",)),
    Contract("tables/transitions.csv", "output", "05_compare", ("04_report",),
             "per shared item: kept, lost and gained among municipalities answering in both waves, exact "
             "McNemar test", _transitions(), key=("item",)),
    Contract("tables/trend.csv", "output", "05_compare", ("04_report",),
             "the public record 2015-2023 (published_series.csv) beside the project's estimates of each wave, "
             "with intervals; the points of the trend figure", _trend(), key=("item", "wave", "kind")),
    _json_contract("compare_summary.json", "output", "05_compare", ("04_report",),
                   "what was compared and how (numbers and codes only)",
                   {"wave_from": "the earlier wave", "wave_to": "the later wave", "alpha": "1 - confidence level",
                    "min_cell": "suppression threshold", "synthetic": "synthetic input (either wave)",
                    "figures": "the trend figure's files"}),
    _json_contract("provenance.json", "output", "04_report", ("readers of the report",),
                   "what the report was made from: git state, file digests, parameters, versions",
                   {"git_commit": "HEAD commit (null outside git)",
                    "git_dirty": "uncommitted changes: changed, staged or untracked files (as in the step hashes)",
                    "git_changes": "number of such files",
                    "raw_file": "raw export", "raw_sha256": "its SHA-256",
                    "processed_sha256": "SHA-256 of each processed file", "params": "parameters of the run",
                    "python": "Python version", "packages": "versions of the main packages",
                    "environment_sha256": "SHA-256 of every installed distribution and its version"}),
    _json_contract("model_summary.json", "output", "03_model", ("04_report",),
                   "model settings, Firth fits, sparse groups and the claim map (numbers and codes only)",
                   {"alpha": "1 - confidence level", "n_respondents": "respondents",
                    "specs": "specifications fitted", "firth_fits": "models refitted with Firth",
                    "primary_family": "the pre-specified primary tests",
                    "sparse_groups": "models with a group of fewer than 5 events and what was done",
                    "claim_tests": "the map from each claim to its decisive and supporting tests"}),
)}


def contract(name: str) -> Contract:
    try:
        return CONTRACTS[name]
    except KeyError:
        raise KeyError(f"no contract named {name!r}; known: {', '.join(CONTRACTS)}") from None


# ---------------------------------------------------------------------------------- validation
def _failure_line(name: str, exc: pa.errors.SchemaErrors | pa.errors.SchemaError, path: Path | None) -> str:
    cases = getattr(exc, "failure_cases", None)
    where = str(path) if path else name
    if cases is not None and len(cases):
        first = cases.iloc[0]
        column, check, index, value = (first.get(k) for k in ("column", "check", "index", "failure_case"))
        try:  # spreadsheet row: the header is row 1
            row = f", row {int(index) + 2}"
        except (TypeError, ValueError):
            row = ""
        value = value.item() if hasattr(value, "item") else value
        more = f" and {len(cases) - 1} more" if len(cases) > 1 else ""
        return f"{where}{row}, column {column!r}: expected {check} (contract {name!r}); found {value!r}{more}"
    return f"{where}: does not meet contract {name!r}: {str(exc).splitlines()[0]}"


def validate(name: str, df: pd.DataFrame, path: str | Path | None = None) -> pd.DataFrame:
    """`df` checked (and coerced) against the contract `name`; ContractError in one line otherwise."""
    c = contract(name)
    if c.schema is None:
        raise ValueError(f"contract {name!r} is a JSON file; use validate_json")
    try:
        return c.schema.validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        raise ContractError(_failure_line(name, exc, Path(path) if path else None)) from None


def read_table(name: str, folder: str | Path) -> pd.DataFrame:
    """Read the CSV or parquet of contract `name` from `folder` (processed_dir or output_dir) and
    validate it. A missing file raises ContractError naming the file and its writer."""
    c = contract(name)
    path = Path(folder) / c.path
    if not path.is_file():
        raise ContractError(f"{path}: not found (written by {c.writer}; run it first)")
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""],
                         dtype={k: "string" for k, v in c.schema.columns.items()
                                if v.metadata and v.metadata.get("unit") in ("code", "text")})
    return validate(name, df, path)


def validate_json(name: str, obj: dict[str, Any], path: str | Path | None = None) -> dict[str, Any]:
    """The JSON object of contract `name`, with its required keys present; made strict."""
    c = contract(name)
    if not isinstance(obj, dict):
        raise ContractError(f"{path or name}: expected a JSON object (contract {name!r})")
    missing = [k for k in c.json_keys if k not in obj]
    if missing:
        raise ContractError(f"{path or name}: missing keys {', '.join(missing)} (contract {name!r})")
    return io.strict_json(obj)


def columns(name: str, *, without: tuple[str, ...] = ()) -> list[str]:
    """The columns of table contract `name` in their declared order, leaving out `without`."""
    return [c for c in contract(name).schema.columns if c not in without]


def unit(name: str, column: str) -> str:
    """The declared unit of `column` in contract `name`."""
    return meta(name, column)["unit"]


def meta(name: str, column: str) -> dict[str, Any]:
    c = contract(name)
    try:
        return dict(c.schema.columns[column].metadata or {})
    except KeyError:
        raise KeyError(f"contract {name!r} has no column {column!r}") from None


def digits(name: str, column: str) -> int | None:
    m = meta(name, column)
    return m.get("digits", UNITS[m["unit"]][1])


# ------------------------------------------------------------------------------ reading, writing
def write_table(name: str, df, folder: str | Path) -> Path:
    """Validate `df` against contract `name`, then write it atomically under `folder`."""
    c = contract(name)
    target = Path(folder) / c.path
    df = validate(name, df, target)
    if target.suffix == ".parquet":
        return io.write_parquet(df, target)
    # every CSV may be opened in a spreadsheet: text that would run as a formula is neutralised
    # (the cleaning log names columns of the raw file, whose headers anyone could have typed)
    return io.write_csv(df, target, excel=c.home == "output", neutralise=True)


def write_json(name: str, obj: dict[str, Any], folder: str | Path) -> Path:
    """Check the JSON object of contract `name` and write it as strict JSON."""
    c = contract(name)
    target = Path(folder) / c.path
    return io.write_json(validate_json(name, obj, target), target)


def read_json(name: str, folder: str | Path) -> dict[str, Any]:
    """The JSON file of contract `name` under `folder`, checked; ContractError when it is missing."""
    c = contract(name)
    path = Path(folder) / c.path
    if not path.is_file():
        raise ContractError(f"{path}: not found (written by {c.writer}; run it first)")
    return validate_json(name, io.read_json(path), path)


# ------------------------------------------------------------------------------------- docs
def contracts_markdown() -> str:
    """docs/contracts.md: every file, its writer and readers, and each column's type, unit and bounds."""
    lines = ["# Contracts between the steps", "",
             "Generated from `src/analysis/schemas.py` by `python -m analysis contracts`; a test checks that",
             "this file and the schemas agree. Do not edit by hand.", "",
             "## Units", "", "| unit | meaning | decimals shown |", "|---|---|---|"]
    for u, (meaning, d) in UNITS.items():
        lines.append(f"| `{u}` | {meaning} | {'' if d is None else d} |")
    for home, title in (("processed", "data/processed/<wave>/ (processed_dir)"),
                        ("output", "reports/<wave>/ (output_dir)")):
        lines += ["", f"## {title}"]
        for c in CONTRACTS.values():
            if c.home != home:
                continue
            lines += ["", f"### `{c.path}`", "", f"{c.description}. Written by {c.writer}; read by "
                      f"{', '.join(c.readers)}." + (f" Rows are identified by {', '.join(c.key)}." if c.key else "")]
            if c.schema is not None:
                extra = "" if c.schema.strict else " Other columns may follow (not strict)."
                lines += ["", f"Columns{' in this order' if c.schema.ordered else ''}.{extra}", "",
                          "| column | type | unit | nullable | bounds | meaning |", "|---|---|---|---|---|---|"]
                for name, column in c.schema.columns.items():
                    m = column.metadata or {}
                    bounds = ", ".join(_check_text(ch) for ch in column.checks)
                    lines.append(f"| `{name}` | {column.dtype} | {m.get('unit', '')} | "
                                 f"{'yes' if column.nullable else 'no'} | {bounds} | {column.description or ''} |")
            else:
                lines += ["", "| key | meaning |", "|---|---|"]
                lines += [f"| `{k}` | {v} |" for k, v in c.json_keys.items()]
    return "\n".join(lines) + "\n"


def _check_text(check: pa.Check) -> str:
    stats = check.statistics or {}
    name = check.name
    if name == "isin":
        return "in {" + ", ".join(map(str, stats.get("allowed_values", []))) + "}"
    symbol = {"greater_than_or_equal_to": ">=", "less_than_or_equal_to": "<=", "greater_than": ">"}.get(name)
    if symbol:
        value = next(iter(stats.values()), "")
        return f"{symbol} {value}"
    return name

