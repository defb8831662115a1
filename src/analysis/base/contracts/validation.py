"""The pandera schema of a table, derived from its fields, and a frame checked against it in one line.

pandera (and with it pandas) is imported by the functions that need it, the first time one is called:
the runner's no-op path imports the contracts and never validates a frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ContractError
from ..fields import Field, Table


def build_schema(table: Table):
    """The pandera DataFrameSchema of `table`: each field's dtype, nullability, range and isin checks,
    with its unit (and digits) as metadata and its description."""
    import pandera.pandas as pa  # noqa: PLC0415 - heavy (seconds): built on first use, not on the no-op path

    columns = {name: _column(pa, f) for name, f in table.fields.items()}
    return pa.DataFrameSchema(columns, strict=table.strict, ordered=table.ordered, name=table.name,
                              coerce=table.coerce, unique=table.unique)


def _column(pa: Any, f: Field):
    lo, hi = f.bounds
    checks = []
    if lo is not None:
        checks.append(pa.Check.gt(lo) if f.strict_lower else pa.Check.ge(lo))
    if hi is not None:
        checks.append(pa.Check.le(hi))
    if f.isin is not None:
        checks.append(pa.Check.isin(list(f.isin)))
    return pa.Column(f.type, checks=checks, nullable=f.nullable, coerce=True, description=f.description,
                     metadata=f.meta, required=f.required)


def check_frame(schema, df, name: str, path: str | Path | None = None):
    """`df` checked (and coerced) against `schema` of contract `name`; ContractError in one line otherwise."""
    import pandera.pandas as pa  # noqa: PLC0415 - heavy (seconds): only where a frame is validated

    try:
        return schema.validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        raise ContractError(failure_line(name, exc, Path(path) if path else None)) from None


def failure_line(name: str, exc: Exception, path: Path | None) -> str:
    """One line naming the file (or contract), the first failing row and column, what was expected and
    what was found, and how many other cells failed (pandera's failure cases)."""
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
