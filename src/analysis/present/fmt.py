"""Numbers formatted for a reader from their declared unit (analysis.base.contracts.UNITS), by Babel.

The unit decides the format, never the column's name: a proportion is shown as a percent, a count
as an integer, a p-value with three decimals and "< 0,001" below that, in the language's style.
"""

from __future__ import annotations

import math
from typing import Any

from babel import Locale
from babel import numbers as bn

from ..base.contracts import UNITS

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
P_FLOOR = 0.001  # p-values below this are shown as "< 0.001"


def isna(x: Any) -> bool:
    """True for None, NaN and pandas' NA."""
    if x is None or type(x).__name__ in ("NAType", "NaTType"):
        return True
    try:
        # a numpy scalar NaN is the only value unequal to itself
        return isinstance(x, float) and math.isnan(x) or (hasattr(x, "dtype") and bool(x != x))  # noqa: PLR0124
    except (TypeError, ValueError):
        return False


def _locale(lang: str) -> str:
    try:
        return LOCALES[lang]
    except KeyError:
        raise ValueError(f"lang must be one of {tuple(LOCALES)}, got {lang!r}") from None


def _decimal_pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def _percent_pattern(lang: str, digits: int) -> str:
    base = Locale.parse(_locale(lang)).percent_formats[None].pattern  # '#,##0 %' (sv), '#,##0%' (en)
    return base.replace("#,##0", _decimal_pattern(digits), 1)


def decimal(x: float, lang: str, digits: int) -> str:
    """A plain number with `digits` decimals and the language's separators."""
    return bn.format_decimal(float(x), _decimal_pattern(digits), locale=_locale(lang))


def percent(x: float, lang: str, digits: int = 1) -> str:
    """A fraction (0.589) as a percent ('58,9 %' / '58.9%')."""
    return bn.format_percent(float(x), _percent_pattern(lang, digits), locale=_locale(lang))


def percent_sign(lang: str) -> str:
    """What follows the number in a percent ('\u00a0%' in Swedish, '%' in English)."""
    return percent(0, lang, 0).replace("0", "", 1)


def value(x: Any, unit: str, lang: str, digits: int | None = None) -> str:
    """One value in its unit; '' when missing. `digits` overrides the unit's default decimals."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if isna(x):
        return ""
    if unit in ("code", "text"):
        return str(x)
    if unit == "flag":
        raise ValueError("flags are shown through the catalogue (word_yes / word_no)")
    d = UNITS[unit][1] if digits is None else digits
    if unit == "proportion":
        return percent(x, lang, d)
    if unit == "p_value":
        if float(x) < P_FLOOR:
            return "< " + decimal(P_FLOOR, lang, d)
        return decimal(x, lang, d)
    if unit in ("count", "year"):
        if float(x) != int(float(x)):
            raise ValueError(f"a {unit} must be a whole number, got {x!r}")
        return decimal(int(float(x)), lang, 0) if unit == "count" else str(int(float(x)))
    return decimal(x, lang, d)


def interval(lo: Any, hi: Any, unit: str, lang: str, digits: int | None = None) -> str:
    """'57,0–60,7 %' (proportion: one percent sign), '1,06–4,27' (others); '' when missing."""
    if isna(lo) or isna(hi):
        return ""
    if unit == "proportion":
        d = UNITS[unit][1] if digits is None else digits
        return f"{decimal(float(lo) * 100, lang, d)}–{decimal(float(hi) * 100, lang, d)}{percent_sign(lang)}"
    return f"{value(lo, unit, lang, digits)}–{value(hi, unit, lang, digits)}"


def level(alpha: float, lang: str) -> str:
    """The confidence level of `alpha` as a percent: '95 %' for 0.05, '99,5 %' for 0.005."""
    conf = 1 - float(alpha)
    digits = 0
    while digits < 4 and abs(round(conf * 100, digits) - conf * 100) > 1e-9:
        digits += 1
    return percent(conf, lang, digits)
