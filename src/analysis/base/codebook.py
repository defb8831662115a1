"""Load and validate the survey codebooks (one per wave, waves.yaml); map raw labels to codes and back.

Every other module learns what a raw export contains, what each answer means, and which items of two
waves may be compared (the item map), from here only.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("codebook.yaml")  # the 2019 wave

VARIABLE_TYPES = {"metadata", "personal", "single_choice", "ordinal", "numeric", "free_text"}
CODED_TYPES = {"single_choice", "ordinal"}
DONT_KNOW = "dont_know"
# How a numeric variable's written text is read (its `parse`; analysis.compute.clean.parse applies them):
# number and integer keep the written value; share reads 50, "50 %" and "0,5" as the fraction 0.5.
PARSE_RULES = ("number", "integer", "share")

# Order of the ten headline items (DESIGN.md); the codebook must define exactly these.
HEADLINE_ITEMS = (
    "ciso",
    "leadership_informed",
    "action_plans",
    "risk_management",
    "classification",
    "incident_management",
    "continuity",
    "awareness",
    "procurement",
    "follow_up",
)
# The seven working-method areas on the maturity scale.
MATURITY_AREAS = HEADLINE_ITEMS[3:]
# Every yes/no item of analysis.parquet: the ten headline items and the two other governance items.
# Each codebook must declare exactly these as flags (a headline, or `flag:`); Codebook.flags lists them.
BINARY_ITEMS = (*HEADLINE_ITEMS, "resources", "collaboration")
# How comparable an item is between two waves (waves.yaml, item_maps).
COMPARABILITY = ("same", "wording_changed")


class CodebookError(ValueError):
    """The codebook file itself is malformed."""


def normalise_label(label: Any) -> str:
    """Key used to match a raw answer label: case-folded, surrounding white space removed."""
    return str(label).strip().casefold()


@dataclass(frozen=True)
class Headline:
    yes_codes: tuple[int, ...]
    label_sv: str
    label_en: str
    statement_sv: str
    statement_en: str
    published_share: float | None  # None: not published for this wave


@dataclass(frozen=True)
class Variable:
    id: str
    type: str
    header: str
    question_sv: str
    question_en: str
    scale: str | None = None
    labels: dict[str, int | str] = field(default_factory=dict)  # raw label -> code or "dont_know"
    levels_en: tuple[str, ...] = ()
    dtype: str | None = None
    min: float | None = None
    max: float | None = None
    unique: bool = False
    required: bool = False
    headline: Headline | None = None
    flag: tuple[int, ...] | None = None  # codes meaning yes, where the item is stored as a yes/no flag
    parse: str | None = None  # numeric: the rule reading the written text (PARSE_RULES)
    unit: str | None = None  # numeric: the unit of the stored value (a unit of base.contracts)
    description: str | None = None  # numeric: what the stored column holds (docs/contracts.md)
    optional: bool = False  # an export may lack the column
    not_stored: str | None = None  # why the values are read but never stored (the cleaning log says it)
    holds_names: bool = False  # personal: the respondents' names (each part is scrubbed as a word)

    @property
    def is_coded(self) -> bool:
        return self.type in CODED_TYPES

    @property
    def stored_range(self) -> tuple[float | None, float | None]:
        """Bounds of a numeric variable's stored value: those of the written number, except under the
        share rule, whose fraction has the bounds of its unit (None, None)."""
        return (None, None) if self.parse == "share" else (self.min, self.max)

    @property
    def codes(self) -> list[int]:
        """The valid numeric codes, in scale order."""
        return sorted(c for c in self.labels.values() if c != DONT_KNOW)

    @property
    def levels_sv(self) -> list[str]:
        """Swedish labels of the valid codes, in code order (for ordered categoricals)."""
        by_code = {c: lab for lab, c in self.labels.items() if c != DONT_KNOW}
        return [by_code[c] for c in self.codes]

    def label_lookup(self) -> dict[str, int | str]:
        """Normalised label -> code, for matching raw answers."""
        return {normalise_label(lab): code for lab, code in self.labels.items()}


@dataclass(frozen=True)
class Codebook:
    survey: dict[str, Any]
    variables: tuple[Variable, ...]
    path: Path

    def __getitem__(self, var_id: str) -> Variable:
        for v in self.variables:
            if v.id == var_id:
                return v
        raise KeyError(var_id)

    def of_type(self, *types: str) -> list[Variable]:
        return [v for v in self.variables if v.type in types]

    @property
    def headline(self) -> list[Variable]:
        """The ten headline items in the order of HEADLINE_ITEMS."""
        return [self[i] for i in HEADLINE_ITEMS]

    @property
    def flags(self) -> list[Variable]:
        """The yes/no items of analysis.parquet: the headline items (HEADLINE_ITEMS order), then the
        other items that declare `flag`, in codebook order."""
        return self.headline + [v for v in self.variables if v.flag is not None and v.headline is None]

    @property
    def personal(self) -> list[Variable]:
        return self.of_type("personal")

    @property
    def headers(self) -> dict[str, str]:
        """Raw column header -> variable id."""
        return {v.header: v.id for v in self.variables}

    @property
    def wave(self) -> int | None:
        """The wave (calendar year) the codebook describes (survey.wave)."""
        w = self.survey.get("wave")
        return None if w is None else int(w)

    def published_shares(self) -> dict[str, float]:
        """SKR's published shares of this wave's headline items (items not published are left out)."""
        return {v.id: v.headline.published_share for v in self.headline if v.headline.published_share is not None}

    def analysis_plan(self) -> AnalysisPlan:
        """The items the models use (the codebook's section `analysis_plan`; see AnalysisPlan)."""
        return read_analysis_plan(self)

    def is_synthetic_file(self, path: str | Path) -> bool:
        """True when the file name carries the synthetic-data marker."""
        marker = self.survey["synthetic_file_marker"]
        return fnmatch.fnmatch(Path(path).name.casefold(), f"*{marker.casefold()}*")

    def is_synthetic_value(self, value: object) -> bool:
        """True when a cell of the `synthetic_marker` column holds the generator's mark."""
        return normalise_label(value) == normalise_label(self.survey["synthetic_value"])


def _build_variable(raw: dict[str, Any], scales: dict[str, Any]) -> Variable:
    missing = {"id", "type", "header", "question_sv", "question_en"} - raw.keys()
    if missing:
        raise CodebookError(f"variable {raw.get('id', '?')}: missing keys {sorted(missing)}")
    if raw["type"] not in VARIABLE_TYPES:
        raise CodebookError(f"variable {raw['id']}: unknown type {raw['type']!r}")
    kw: dict[str, Any] = {k: raw[k] for k in ("id", "type", "header", "question_sv", "question_en")}
    for k in ("dtype", "min", "max", "unique", "required", "optional", "not_stored", "holds_names"):
        if k in raw:
            kw[k] = raw[k]
    if raw["type"] in CODED_TYPES:
        kw.update(_coded_fields(raw, scales))
    if raw["type"] == "numeric":
        kw.update(_numeric_fields(raw))
    if "headline" in raw:
        kw["headline"] = _headline(raw["headline"])
    kw["flag"] = _flag(raw, kw.get("labels", {}), kw.get("headline"))
    if raw.get("holds_names") and raw["type"] != "personal":
        raise CodebookError(f"variable {raw['id']}: only a personal column holds the respondents' names")
    return Variable(**kw)


def _coded_fields(raw: dict[str, Any], scales: dict[str, Any]) -> dict[str, Any]:
    """scale, labels and levels_en of a coded variable, checked against its scale."""
    scale_name = raw.get("scale")
    if scale_name not in scales:
        raise CodebookError(f"variable {raw['id']}: unknown scale {scale_name!r}")
    scale = scales[scale_name]
    if scale["type"] != raw["type"]:
        raise CodebookError(f"variable {raw['id']}: type {raw['type']} but scale {scale_name} is {scale['type']}")
    labels = dict(scale["labels"])
    keys = [normalise_label(k) for k in labels]
    if len(set(keys)) != len(keys):
        raise CodebookError(f"scale {scale_name}: two labels differ only in case or spacing")
    return {"scale": scale_name, "labels": labels, "levels_en": tuple(scale.get("levels_en", ()))}


def _numeric_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """parse, unit and description of a numeric variable: the rule must fit its dtype and stored unit."""
    vid = raw["id"]
    missing = {"min", "max", "unit", "description"} - raw.keys()
    if missing:
        raise CodebookError(f"variable {vid}: a numeric variable needs {sorted(missing)}")
    integer = raw.get("dtype") == "integer"
    rule = raw.get("parse", "integer" if integer else "number")
    if rule not in PARSE_RULES:
        raise CodebookError(f"variable {vid}: unknown parse rule {rule!r}; known: {', '.join(PARSE_RULES)}")
    if (rule == "integer") != integer:
        raise CodebookError(f"variable {vid}: parse: integer and dtype: integer go together (parse is {rule!r})")
    if rule == "share" and raw["unit"] != "proportion":
        raise CodebookError(f"variable {vid}: parse: share stores a fraction, so its unit is proportion")
    if raw["unit"] == "proportion" and float(raw["max"]) > 1 and rule != "share":
        raise CodebookError(f"variable {vid}: stored as a proportion but written up to {raw['max']}: declare "
                            f"parse: share (the rule that reads 50 or '50 %' as 0.5)")
    return {"parse": rule, "unit": raw["unit"], "description": raw["description"]}


def _flag(raw: dict[str, Any], labels: dict[str, Any], headline: Headline | None) -> tuple[int, ...] | None:
    """The codes meaning yes of an item stored as a flag: a headline item's yes_codes, or `flag.yes_codes`
    of another coded item; None for an item that is not a flag."""
    if "flag" in raw and (headline is not None or raw["type"] not in CODED_TYPES):
        raise CodebookError(f"variable {raw['id']}: `flag` is for a coded item that is not a headline item "
                            f"(a headline item is a flag by its yes_codes)")
    if headline is None and "flag" not in raw:
        return None
    yes = headline.yes_codes if headline is not None else tuple((raw["flag"] or {}).get("yes_codes", ()))
    bad = set(yes) - {c for c in labels.values() if c != DONT_KNOW}
    if bad or not yes:
        raise CodebookError(f"variable {raw['id']}: yes_codes {sorted(bad) if bad else '(none)'} are not codes of "
                            f"its scale")
    return yes


def _headline(h: dict[str, Any]) -> Headline:
    return Headline(
        yes_codes=tuple(h["yes_codes"]),
        label_sv=h["label_sv"],
        label_en=h["label_en"],
        statement_sv=h["statement_sv"],
        statement_en=h["statement_en"],
        published_share=None if h.get("published_share") is None else float(h["published_share"]),
    )


def load_codebook(path: str | Path = DEFAULT_PATH) -> Codebook:
    """Read and validate a codebook YAML file."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    scales = raw.get("scales", {})
    variables = tuple(_build_variable(v, scales) for v in raw["variables"])
    ids = [v.id for v in variables]
    headers = [v.header for v in variables]
    if len(set(ids)) != len(ids):
        raise CodebookError("duplicate variable ids")
    if len(set(headers)) != len(headers):
        raise CodebookError("duplicate raw headers")
    cb = Codebook(survey=raw["survey"], variables=variables, path=path)
    defined = {v.id for v in variables if v.headline}
    if defined != set(HEADLINE_ITEMS):
        raise CodebookError(f"headline items differ from {HEADLINE_ITEMS}: {sorted(defined ^ set(HEADLINE_ITEMS))}")
    flags = {v.id for v in variables if v.flag is not None}
    if flags != set(BINARY_ITEMS):
        raise CodebookError(f"the yes/no items (headline items and `flag:`) differ from {BINARY_ITEMS}: "
                            f"{sorted(flags ^ set(BINARY_ITEMS))}")
    return cb


@lru_cache(maxsize=4)
def default_codebook() -> Codebook:
    """The codebook shipped with the package (cached)."""
    return load_codebook(DEFAULT_PATH)


# ------------------------------------------------------------------------------ analysis plan
PLAN_KEYS = ("outcomes", "predictors", "primary", "size_term", "self_rating_predictors")


@dataclass(frozen=True)
class AnalysisPlan:
    """Which items the association models use (section `analysis_plan` of a codebook).

    outcomes: the binary outcomes (one model each); predictors: the items in every area model, in
    term order; primary: the predictors of the pre-specified primary family; size_term: the name of
    the log-population term; self_rating_predictors: the items of the self-rating model.
    """

    outcomes: tuple[str, ...]
    predictors: tuple[str, ...]
    primary: tuple[str, ...]
    size_term: str
    self_rating_predictors: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        """The predictors and then the size term: the terms of every area model."""
        return (*self.predictors, self.size_term)


def read_analysis_plan(cb: Codebook) -> AnalysisPlan:
    """The analysis plan of `cb`, read from its file (cached per file) and checked against its items."""
    return _analysis_plan(cb.path, frozenset(v.id for v in cb.variables))


@lru_cache(maxsize=8)
def _analysis_plan(path: Path, ids: frozenset[str]) -> AnalysisPlan:
    with path.open(encoding="utf-8") as fh:
        raw = (yaml.safe_load(fh) or {}).get("analysis_plan")
    where = f"{path.name}, analysis_plan"
    if not isinstance(raw, dict) or set(raw) != set(PLAN_KEYS):
        raise CodebookError(f"{where}: expected the keys {', '.join(PLAN_KEYS)}")
    plan = AnalysisPlan(**{k: str(raw[k]) if k == "size_term" else tuple(map(str, raw[k])) for k in PLAN_KEYS})
    _check_plan(plan, ids, where)
    return plan


def _check_plan(plan: AnalysisPlan, ids: frozenset[str], where: str) -> None:
    """CodebookError unless every listed item is a variable, listed once, and the lists fit together."""
    lists = [plan.outcomes, plan.predictors, plan.primary, plan.self_rating_predictors]
    unknown = sorted({i for items in lists for i in items} - ids)
    if unknown:
        raise CodebookError(f"{where}: not variables of the codebook: {unknown}")
    if any(len(set(items)) != len(items) for items in lists):
        raise CodebookError(f"{where}: an item is listed twice in one list")
    if not set(plan.primary) | set(plan.self_rating_predictors) <= set(plan.predictors):
        raise CodebookError(f"{where}: primary and self_rating_predictors must be predictors")
    if plan.size_term in ids or set(plan.outcomes) & set(plan.predictors):
        raise CodebookError(f"{where}: size_term names a computed term, not an item; no outcome is a predictor")
