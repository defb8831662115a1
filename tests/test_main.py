"""The command line's dispatch in-process: usage, unknown commands, one module per command, errors as one
line; and that the `run` command's imports stay light (the no-op run is 0.3 s: no pandas, no papermill)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import __main__ as cli
from analysis.base.errors import ContractError, InputError


def test_usage_lists_every_command(capsys):
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m analysis {run,synthesize,check-reference,contracts,lab} [options]\n")
    assert "  run               run the pipeline (see `run --help`)" in err.splitlines()
    assert cli.main(["--help"]) == 0 and cli.main(["nonsense"]) == 2


def test_every_command_is_a_function_of_argv():
    for name in cli.COMMANDS:
        assert callable(cli.command(name)), name


@pytest.mark.parametrize("error, line", [
    (InputError("raw.csv", rows=[2, 5], columns="kommunkod", expected="a municipality code"),
     "error: " + InputError("raw.csv", rows=[2, 5], columns="kommunkod", expected="a municipality code").message),
    (ContractError("x.csv: not found"), "error: x.csv: not found"),
    (FileNotFoundError(2, "No such file or directory", "x.csv"), "error: x.csv: No such file or directory"),
])
def test_errors_are_one_line(monkeypatch, capsys, error, line):
    def fails(argv):
        raise error

    monkeypatch.setattr(cli, "command", lambda name: fails)
    assert cli.main(["run"]) == 1
    assert capsys.readouterr().err == line + "\n"


HEAVY = ("pandas", "numpy", "pandera", "pyarrow", "papermill", "nbformat", "nbconvert", "jupyter_client",
         "matplotlib", "scipy", "statsmodels", "jinja2", "openpyxl", "importlib.metadata")


def test_the_run_command_imports_no_heavy_library():
    """Everything `python -m analysis run` imports before it knows whether a step must run."""
    code = ("import sys; import analysis.__main__ as m; m.command('run'); "
            f"print(sorted(n for n in {HEAVY!r} if n in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert r.stdout.strip() == "[]"
