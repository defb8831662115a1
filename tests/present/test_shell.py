"""present.shell: in IPython this package's own errors show as one line; others keep their traceback;
outside IPython nothing is installed."""

from __future__ import annotations

import re

import pytest

from analysis.base.errors import ContractError, InputError, MissingInput
from analysis.present import shell


def test_outside_ipython_nothing_is_installed():
    assert shell.short_errors() is False


def test_own_errors_are_the_ones_a_user_fixes_from_the_message():
    assert InputError in shell.OWN_ERRORS and MissingInput in shell.OWN_ERRORS
    assert ValueError not in shell.OWN_ERRORS


@pytest.fixture()
def ipython():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance(colors="nocolor")
    yield sh
    InteractiveShell.clear_instance()


def test_in_ipython_an_own_error_is_one_line(ipython, capsys):
    assert shell.short_errors()
    res = ipython.run_cell("from analysis.base.errors import ContractError\nraise ContractError('x.csv: not found')")
    assert isinstance(res.error_in_exec, ContractError)
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).strip().splitlines()
    assert out == ["ContractError: x.csv: not found"]
    ipython.run_cell("[][1]")
    assert "Traceback" in capsys.readouterr().out
