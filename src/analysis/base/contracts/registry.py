"""The contract of every file the steps write: where it lives, who writes and reads it, and its columns.

A table contract lists its fields (base/fields.py) with the table's overrides; the JSON contracts list
their required keys. Each table is built when first asked for (analysis and responses from the
codebook, one column per item). Nothing here imports pandas or pandera: the runner's no-op path asks
CONTRACTS for each step's files. Files:

- processed data (01): analysis.parquet, responses.parquet, cleaning_log.csv, run_info.json
- tables of 02 and 03: tables/<name>.csv (UTF-8 with BOM), plus describe_summary.json and
  model_summary.json (strict JSON: NaN is written as null)
- tables of 05 (when two waves are compared): tables/change.csv, transitions.csv, trend.csv and
  compare_summary.json, in the later wave's output folder
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..codebook import default_codebook
from ..fields import Field, Table, col, table
from ..units import UNITS
from .validation import build_schema


@dataclass(frozen=True)
class Contract:
    """One output file: where it lives, who writes and reads it, and its columns (tables) or
    required keys (JSON). `key` names the columns that identify a row.

    `spec` is a function that builds the table's fields when first asked (from FIELDS, or from the
    codebook), or the fields themselves; `table` is those fields and `schema` the pandera schema
    derived from them (built on first use: pandera costs seconds to import).
    """

    path: str  # relative to processed_dir or output_dir
    home: str  # "processed" or "output"
    writer: str
    readers: tuple[str, ...]
    description: str
    spec: Table | Callable[[], Table] | None = None
    key: tuple[str, ...] = ()
    json_keys: dict[str, str] = field(default_factory=dict)  # JSON: key -> description

    @property
    def name(self) -> str:
        return Path(self.path).stem

    @cached_property
    def table(self) -> Table | None:
        """The table's fields in order (None for a JSON file)."""
        return self.spec() if callable(self.spec) else self.spec

    @cached_property
    def schema(self):
        """The pandera DataFrameSchema of the table (None for a JSON file), built on first use."""
        return None if self.table is None else build_schema(self.table)


# ---------------------------------------------------------------------------- overrides by table
# The same name measuring another quantity: an interval around an odds ratio is an odds ratio.
ODDS = {"unit": "odds_ratio", "nullable": False}
ODDS_OR_EMPTY = {"unit": "odds_ratio"}
SCORE = {"unit": "score"}
CHANGE = {"unit": "percentage_points"}
KR20 = {"unit": "coefficient", "le": 1, "nullable": False}
SHOWN = {"nullable": False}  # never empty in this table
OR_EMPTY = {"nullable": True}
SAME_OR_REWORDED = {"isin": ("same", "wording_changed")}  # two waves of the project's own survey


def _headline() -> Table:
    return table("headline", "item", "label_sv", "label_en", "n_eligible", "n_yes", "share_unweighted",
                 "share_weighted", "se", "ci_low", "ci_high", "ci_method", "bound_low", "bound_high", "x_of_10",
                 "published_share", "published_x_of_10", "suppressed", "data_source")


def _headline_by_group() -> Table:
    return table("headline_by_group", "grouping", "group", "item", "n_eligible", "share_weighted", "ci_low",
                 "ci_high", "ci_method", "suppressed", "data_source")


def _maturity_index() -> Table:
    return table("maturity_index", "grouping", "group", "n", "mean", "se", "ci_low", "ci_high", "df", "ci_method",
                 "suppressed", "data_source", n=OR_EMPTY, se=SCORE, ci_low=SCORE, ci_high=SCORE, df=OR_EMPTY)


def _response() -> Table:
    return table("response", "grouping", "group", "N", "respondents", "name", "rate", "suppressed", "data_source")


def _nonresponse_model() -> Table:
    return table("nonresponse_model", "term", "coef", "se", "odds_ratio", "ci_low", "ci_high", "p_value", "n",
                 "method", "data_source", se={"unit": "log_odds", "nullable": False, "digits": None},
                 ci_low=ODDS, ci_high=ODDS, method={"isin": ("ml_wald", "ml_profile")})


def _models() -> Table:
    return table("models", "spec", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value",
                 "ame", "ame_ci_low", "ame_ci_high", "n", "weighted", "method", "data_source",
                 ci_low=ODDS, ci_high=ODDS, method={"isin": ("ML", "ML_profile", "Firth")})


def _reliability() -> Table:
    return table("reliability", "coding", "measure", "n", "k", "estimate", "ci_low", "ci_high", "ci_method",
                 "n_boot", "data_source", ci_low=KR20, ci_high=KR20,
                 ci_method={"isin": ("bootstrap_percentile", "feldt_f")})


def _verdicts() -> Table:
    return table("verdicts", "claim", "verdict", "n_tests", "n_or_above_1", "n_q_below_alpha_positive",
                 "n_q_below_alpha_negative", "median_odds_ratio", "min_odds_ratio", "max_odds_ratio", "max_ci_high",
                 "median_ame", "odds_ratio", "ci_low", "ci_high", "p_value", "n_min", "n_max", "alpha", "test_alpha",
                 "power", "mde_min", "mde_max", "power_meaningful_min", "power_meaningful_max",
                 "meaningful_odds_ratio", "n_supporting", "n_supporting_or_above_1",
                 "n_supporting_q_below_alpha_positive", "data_source",
                 odds_ratio=OR_EMPTY, ci_low=ODDS_OR_EMPTY, ci_high=ODDS_OR_EMPTY, p_value=OR_EMPTY)


def _claim_tests() -> Table:
    return table("claim_tests", "claim", "role", "outcome", "term", "odds_ratio", "ci_low", "ci_high", "p_value",
                 "q_value", "ame", "n", "method", "m_tests", "test_alpha", "se_log_or", "mde_odds_ratio",
                 "power_meaningful", "data_source", ci_low=ODDS, ci_high=ODDS, q_value=SHOWN)


def _se_design() -> Table:
    return table("se_design", "variant", "n_terms", "ratio_min", "ratio_median", "ratio_max", "data_source")


def _change() -> Table:
    return table("change", "item", "wave_from", "wave_to", "share_from", "share_to", "change", "se_change",
                 "ci_low", "ci_high", "n_from", "n_to", "n_both", "df", "se_change_independent",
                 "ci_low_independent", "ci_high_independent", "comparability", "data_source",
                 ci_low=CHANGE, ci_high=CHANGE, comparability=SAME_OR_REWORDED)


def _transitions() -> Table:
    return table("transitions", "item", "wave_from", "wave_to", "n_both", "kept_yes", "lost", "gained", "kept_no",
                 "share_kept", "share_gained", "p_value", "comparability", "suppressed", "data_source",
                 p_value=OR_EMPTY, comparability=SAME_OR_REWORDED)


def _trend() -> Table:
    return table("trend", "item", "wave", "kind", "publisher", "share", "ci_low", "ci_high", "interval", "numerator",
                 "denominator", "x_of_10", "comparability", "note", "source_url", "data_source")


def _cleaning_log() -> Table:
    return table("cleaning_log", "step", "action", "column", "count", "detail")


# ------------------------------------------------------------------- built from the codebook
def _analysis() -> Table:
    """analysis.parquet, its answer columns derived from the codebook: the yes/no flags (`Codebook.flags`),
    the ordinal levels, 'Vet ej' per coded item, and each numeric variable in its declared unit and range."""
    cb = default_codebook()
    cols: dict[str, Field] = {
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
    return Table(cols, strict=True, ordered=False, name="analysis", coerce=False,
                 unique=["kommunkod"])


def _responses() -> Table:
    return Table({
        "raw_row": col("count", "row of the submission in the raw file (the header is row 1)", dtype="Int64", ge=2),
        "kommunkod": col("code", "SCB municipality code of the kept submission", dtype="str"),
    }, strict=False, name="responses", unique=["kommunkod"])



def _json_contract(path: str, home: str, writer: str, readers: tuple[str, ...], description: str,
                   keys: dict[str, str]) -> Contract:
    return Contract(path, home, writer, readers, description, json_keys=keys)


CONTRACTS: dict[str, Contract] = {c.name: c for c in (
    Contract("analysis.parquet", "processed", "01_clean", ("02_describe", "03_model"),
             "one row per municipality of the 290: register columns and the coded answers", _analysis,
             key=("kommunkod",)),
    Contract("responses.parquet", "processed", "01_clean", ("analysts",),
             "one row per responding municipality: the codebook's answers, numbers and times as validated; no "
             "personal data, free text or response ids", _responses,
             key=("kommunkod",)),
    Contract("cleaning_log.csv", "processed", "01_clean", ("04_report", "analysts"),
             "one row per cleaning action; rows read = kept + dropped", _cleaning_log),
    _json_contract("run_info.json", "processed", "01_clean", ("02_describe", "03_model", "04_report"),
                   "the raw file, its SHA-256, whether it is synthetic, and the counts",
                   {"raw_file": "raw file name", "raw_sha256": "SHA-256 of the raw file",
                    "synthetic": "true when the export is synthetic", "counts": "rows read, respondents, ..."}),
    Contract("tables/headline.csv", "output", "02_describe", ("04_report",),
             "the ten headline shares with design-based intervals and bounds", _headline, key=("item",)),
    Contract("tables/headline_by_group.csv", "output", "02_describe", ("04_report",),
             "the ten shares by SKR group and main group, suppressed", _headline_by_group,
             key=("grouping", "group", "item")),
    Contract("tables/maturity_index.csv", "output", "02_describe", ("04_report",),
             "mean number of established areas overall, by group and county, suppressed", _maturity_index,
             key=("grouping", "group")),
    Contract("tables/response.csv", "output", "02_describe", ("04_report",),
             "response by group and county, suppressed", _response, key=("grouping", "group")),
    Contract("tables/nonresponse_model.csv", "output", "02_describe", ("04_report",),
             "logistic model of responding", _nonresponse_model, key=("term",)),
    _json_contract("describe_summary.json", "output", "02_describe", ("04_report",),
                   "counts, weights and respondent profile (numbers only)",
                   {"n_municipalities": "municipalities", "n_respondents": "respondents",
                    "response_rate": "respondents / municipalities", "alpha": "1 - confidence level",
                    "min_cell": "suppression threshold", "synthetic": "synthetic input",
                    "weights": "design weight per SKR group", "respondent_profile": "respondents vs all"}),
    Contract("tables/models.csv", "output", "03_model", ("04_report",),
             "odds ratios, AMEs (percentage points), p- and q-values of every model and specification",
             _models, key=("spec", "outcome", "term")),
    Contract("tables/reliability.csv", "output", "03_model", ("04_report",),
             "KR-20 of the seven areas, per coding and interval method", _reliability,
             key=("coding", "ci_method")),
    Contract("tables/verdicts.csv", "output", "03_model", ("04_report",),
             "one verdict per SKR claim, the numbers it rests on and the power of its tests", _verdicts,
             key=("claim",)),
    Contract("tables/claim_tests.csv", "output", "03_model", ("04_report",),
             "the tests behind each claim (models.CLAIM_TESTS), with BH q-values and minimum detectable "
             "odds ratios", _claim_tests, key=("claim", "role", "outcome", "term")),
    Contract("tables/se_design.csv", "output", "03_model", ("04_report",),
             "how much strata (and the FPC) would change the model standard errors", _se_design,
             key=("variant",)),
    Contract("tables/change.csv", "output", "05_compare", ("04_report",),
             "change of each shared item's weighted share since the earlier wave, with a panel-aware SE "
             "(change in percentage points)", _change, key=("item",)),
    Contract("tables/transitions.csv", "output", "05_compare", ("04_report",),
             "per shared item: kept, lost and gained among municipalities answering in both waves, exact "
             "McNemar test", _transitions, key=("item",)),
    Contract("tables/trend.csv", "output", "05_compare", ("04_report",),
             "the public record 2015-2023 (published_series.csv) beside the project's estimates of each wave, "
             "with intervals; the points of the trend figure", _trend, key=("item", "wave", "kind")),
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
    """The contract named `name` (a file's stem: "headline", "run_info"); KeyError naming the known ones."""
    try:
        return CONTRACTS[name]
    except KeyError:
        raise KeyError(f"no contract named {name!r}; known: {', '.join(CONTRACTS)}") from None


def _table_of(name: str) -> Table:
    t = contract(name).table
    if t is None:
        raise ValueError(f"contract {name!r} is a JSON file; it has keys, not columns")
    return t


def columns(name: str, *, without: tuple[str, ...] = ()) -> list[str]:
    """The columns of table contract `name` in their declared order, leaving out `without`."""
    return [c for c in _table_of(name).fields if c not in without]


def field_of(name: str, column: str) -> Field:
    """The declaration of `column` as table contract `name` has it (with the table's overrides)."""
    try:
        return _table_of(name).fields[column]
    except KeyError:
        raise KeyError(f"contract {name!r} has no column {column!r}") from None


def unit(name: str, column: str) -> str:
    """The declared unit of `column` in contract `name`."""
    return field_of(name, column).unit


def meta(name: str, column: str) -> dict[str, Any]:
    """{"unit": ..., "digits": ...} of `column` in contract `name` (digits only where declared)."""
    return field_of(name, column).meta


def digits(name: str, column: str) -> int | None:
    """The decimals a reader sees of `column` in contract `name`: its own digits, else its unit's."""
    f = field_of(name, column)
    return f.digits if f.digits is not None else UNITS[f.unit][1]
