"""docs/contracts.md, generated: the units, then every file with its writer, readers and columns.

Each column's type and bounds are read from the pandera schema derived from its field (so the page says
what validation checks); `python -m analysis contracts` writes it and a test keeps it current.
"""

from __future__ import annotations

from ..units import UNITS
from .registry import CONTRACTS, Contract

HOMES = (("processed", "data/processed/<wave>/ (processed_dir)"), ("output", "reports/<wave>/ (output_dir)"))


def contracts_markdown() -> str:
    """docs/contracts.md: every file, its writer and readers, and each column's type, unit and bounds."""
    lines = ["# Contracts between the steps", "",
             "Generated from `src/analysis/base/fields.py` (each column declared once) and",
             "`src/analysis/base/contracts/registry.py` (each file's columns) by `python -m analysis contracts`;",
             "a test checks that this file and the contracts agree. Do not edit by hand.", "",
             "## Units", "", "| unit | meaning | decimals shown |", "|---|---|---|"]
    for u, (meaning, d) in UNITS.items():
        lines.append(f"| `{u}` | {meaning} | {'' if d is None else d} |")
    for home, title in HOMES:
        lines += ["", f"## {title}"]
        for c in CONTRACTS.values():
            if c.home == home:
                lines += _section(c)
    return "\n".join(lines) + "\n"


def _section(c: Contract) -> list[str]:
    keyed = f" Rows are identified by {', '.join(c.key)}." if c.key else ""
    lines = ["", f"### `{c.path}`", "",
             f"{c.description}. Written by {c.writer}; read by {', '.join(c.readers)}.{keyed}"]
    if c.schema is None:
        return [*lines, "", "| key | meaning |", "|---|---|", *(f"| `{k}` | {v} |" for k, v in c.json_keys.items())]
    extra = "" if c.schema.strict else " Other columns may follow (not strict)."
    lines += ["", f"Columns{' in this order' if c.schema.ordered else ''}.{extra}", "",
              "| column | type | unit | nullable | bounds | meaning |", "|---|---|---|---|---|---|"]
    for name, column in c.schema.columns.items():
        bounds = ", ".join(_check_text(ch) for ch in column.checks)
        lines.append(f"| `{name}` | {column.dtype} | {(column.metadata or {}).get('unit', '')} | "
                     f"{'yes' if column.nullable else 'no'} | {bounds} | {column.description or ''} |")
    return lines


_SYMBOLS = {"greater_than_or_equal_to": ">=", "less_than_or_equal_to": "<=", "greater_than": ">"}


def _check_text(check) -> str:
    stats = check.statistics or {}
    if check.name == "isin":
        return "in {" + ", ".join(map(str, stats.get("allowed_values", []))) + "}"
    symbol = _SYMBOLS.get(check.name)
    if symbol:
        return f"{symbol} {next(iter(stats.values()), '')}"
    return check.name
