"""The exceptions shown to the user as one line: bad input (InputError) and broken table contracts
(ContractError). Each names the file, the row(s), the column(s) and what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def _fmt_rows(rows: Iterable[int] | int | None, limit: int = 10) -> str | None:
    if rows is None:
        return None
    if isinstance(rows, int):
        return str(rows)
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" (+{len(rows) - limit} more)" if len(rows) > limit else "")


class InputError(Exception):
    """Bad input: one short message naming file, row(s), column(s) and what was expected.

    Rows are 1-based line numbers as a spreadsheet shows them (the header is row 1).
    """

    def __init__(self, path, rows=None, columns=None, expected: str = "", found: str | None = None):
        self.path = Path(path) if path is not None else None
        self.rows = rows
        self.columns = columns
        self.expected = expected
        self.found = found
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [str(self.path) if self.path else "input"]
        rows = _fmt_rows(self.rows)
        if rows:
            parts.append(f"row {rows}" if "," not in rows else f"rows {rows}")
        if self.columns:
            cols = self.columns if isinstance(self.columns, str) else ", ".join(map(str, self.columns))
            parts.append(f"column {cols!r}" if isinstance(self.columns, str) else f"columns {cols}")
        text = ": ".join([", ".join(parts), f"expected {self.expected}"])
        if self.found is not None:
            text += f"; found {self.found}"
        return text


class ContractError(Exception):
    """A table or JSON file does not meet its contract (analysis.base.contracts): one line naming the file,
    the row, the column and what was expected."""


class ParamError(ValueError):
    """A parameter is unknown or has a value of the wrong type."""


class MissingInput(FileNotFoundError):
    """A notebook was opened before the step that writes its inputs ran; the message says what to run."""
