"""How this package's errors show in IPython: as their one line `Name: message`, not a traceback.

Light at import (no pandas, no IPython until called): run.params calls `short_errors()` in every
notebook's first cell, and the runner imports run.params on its no-op path.
"""

from __future__ import annotations

from ..base.errors import ContractError, InputError, MissingInput, ParamError

# The errors a user can fix from their message alone (bad input, a broken contract, a bad parameter,
# a missing input).
OWN_ERRORS: tuple[type[BaseException], ...] = (InputError, ContractError, ParamError, MissingInput)


def _one_line(shell, etype, value, tb, tb_offset=None):
    # the exception's own line ("Name: message"), sent as the cell's error (ipykernel overrides
    # _showtraceback to send it to the front end); showtraceback(exception_only=True) would add
    # a line pointing to %tb
    shell._showtraceback(etype, value, shell.InteractiveTB.get_exception_only(etype, value))


def short_errors() -> bool:
    """In IPython, show this package's own errors (OWN_ERRORS) as one line `Name: message`, without
    the traceback. The cell still fails, so Run All stops there. Other exceptions keep their
    traceback. Returns False outside IPython."""
    try:
        from IPython import get_ipython  # noqa: PLC0415 - IPython only where a shell may be running
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc(OWN_ERRORS, _one_line)
    return True
