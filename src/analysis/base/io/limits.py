"""What reading an export accepts: at most so many data rows and megabytes, and the one-line refusal.

The limits are the parameters max_rows and max_input_mb (params/default.yaml holds the same defaults).
The survey has one row per municipality (290) plus abandoned and repeated submissions: 100,000 rows is
over 300 times that; 200 MB of uncompressed content is far more than 100,000 rows of this
questionnaire take as CSV (27 MB) or as the XML inside an xlsx.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..sizes import MB, megabytes

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_INPUT_MB = 200


def input_error(path: Path, expected: str, found: str | None = None, rows=None, columns=None) -> InputError:
    """The InputError naming `path` (and rows, columns), what was expected and what was found."""
    return InputError(path, rows, columns, expected, found)


def check_size(path: Path, size: int, max_input_mb: float, what: str) -> None:
    """InputError when `size` bytes of `what` exceed `max_input_mb` megabytes (10^6 bytes)."""
    if size > max_input_mb * MB:
        raise input_error(path, f"at most {max_input_mb:g} MB of {what} (parameter max_input_mb)", megabytes(size))


def check_rows(path: Path, n_rows: int, max_rows: int, exact: bool = True) -> None:
    """InputError when there are more than `max_rows` data rows (`exact`: `n_rows` is the count, else
    counting stopped once it passed the limit)."""
    if n_rows > max_rows:
        found = f"{n_rows:,} data rows" if exact else f"more than {max_rows:,} data rows"
        raise input_error(path, f"at most {max_rows:,} data rows (parameter max_rows)", found)
