"""The units a column can have: what each means, how many decimals a reader sees, its dtype and bounds.

The presentation layer formats a number from its column's unit (analysis.present.fmt), never from the
column's name; the contracts derive each column's dtype and range checks from its unit (base/fields.py).
Display decimals count in the shown scale: a proportion 0.5893 shown with 1 decimal is "58,9 %".
"""

from __future__ import annotations

# unit -> (meaning, default display decimals); None: not a number
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

# The pandas dtype of a column of each unit (a column may declare another, e.g. Int8 or category).
DTYPES: dict[str, str] = {
    "proportion": "Float64", "percent": "Float64", "percentage_points": "Float64", "odds_ratio": "Float64",
    "log_odds": "Float64", "p_value": "Float64", "count": "Int64", "score": "Float64",
    "coefficient": "Float64", "weight": "Float64", "year": "Int64", "code": "string", "text": "string",
    "flag": "boolean",
}
# The values a unit allows, (lowest, highest); a column may tighten them (ge / le).
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "proportion": (0.0, 1.0), "percent": (0.0, 100.0), "p_value": (0.0, 1.0), "count": (0, None),
    "odds_ratio": (0.0, None), "weight": (0.0, None), "percentage_points": (-100.0, 100.0),
}
# Units whose lowest value is excluded: an odds ratio is above 0.
STRICT_LOWER = frozenset({"odds_ratio"})


def check_unit(unit: str) -> str:
    """`unit` if it is one of UNITS; ValueError naming the known units otherwise."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(UNITS)}")
    return unit


def decimals(unit: str) -> int | None:
    """The decimals a reader sees of a number of `unit` by default (None: not a number)."""
    return UNITS[check_unit(unit)][1]
