"""The `run` command in-process: what it checks before any notebook starts, and every way a run can end
as one line and an exit code (the pipeline replaced by a stand-in; tests/scenarios run the real one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.run import cli, staging
from analysis.run.errors import StepFailed


@pytest.fixture()
def P(tmp_path, reference_dir):
    raw = tmp_path / "raw.csv"
    raw.write_text("x")
    return {"reference_dir": str(reference_dir), "raw_path": str(raw), "compare_with": None,
            "compare_dir": None, "output_dir": str(tmp_path / "out")}


def test_nothing_missing(P):
    assert cli.missing_input(P) is None


def test_a_missing_input_names_what_to_run(P, tmp_path):
    assert cli.missing_input(dict(P, reference_dir=str(tmp_path))).startswith(f"reference data missing in {tmp_path}: ")
    assert cli.missing_input(dict(P, raw_path=str(tmp_path / "nope.csv"))) == (
        f"{tmp_path / 'nope.csv'}: raw export not found (expected a CSV or xlsx file; `make` generates the "
        "synthetic default)")
    no_earlier = cli.missing_input(dict(P, compare_with=2019, compare_dir=str(tmp_path / "2019")))
    assert "no processed data of wave 2019" in no_earlier and "-p wave=2019" in no_earlier


def test_a_bad_parameter_is_exit_code_2_before_anything(capsys):
    assert cli.main(["-p", "alpha=abc"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: parameter 'alpha' must be float") and err.count("\n") == 1


def _ends(monkeypatch, P, outcome) -> tuple[int, str, str]:
    def stand_in(P, **kw):
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(cli, "run", stand_in)
    return cli.run_and_report(P)


def test_success_names_the_report(P, monkeypatch, capsys):
    assert _ends(monkeypatch, P, None) == 0
    assert capsys.readouterr().out == f"report: {Path(P['output_dir']) / 'report.html'}\n"


def test_a_failed_step_names_the_saved_notebook_and_the_previous_results(P, monkeypatch, capsys):
    failed = StepFailed("c.ipynb failed in cell 3: ValueError: no", Path("/x/out.failed/c.ipynb"))
    assert _ends(monkeypatch, P, failed) == 1
    assert capsys.readouterr().err.splitlines() == ["error: c.ipynb failed in cell 3: ValueError: no",
                                                    "the failed notebook is saved at /x/out.failed/c.ipynb"]
    Path(P["output_dir"]).mkdir()
    staging.mark(Path(P["output_dir"]), "earlier")
    assert _ends(monkeypatch, P, failed) == 1
    assert capsys.readouterr().err.splitlines()[-1] == f"previous results in {P['output_dir']} are unchanged"


def test_an_interrupt_is_130_and_a_bug_is_one_line(P, monkeypatch, capsys):
    assert _ends(monkeypatch, P, KeyboardInterrupt()) == 130
    assert capsys.readouterr().err == "interrupted: nothing was written\n"
    monkeypatch.delenv("ANALYSIS_TRACEBACK", raising=False)
    assert _ends(monkeypatch, P, ValueError("oops")) == 1
    assert capsys.readouterr().err == ("error: unexpected ValueError in the runner: oops "
                                       "(ANALYSIS_TRACEBACK=1 shows where)\n")
    monkeypatch.setenv("ANALYSIS_TRACEBACK", "1")
    with pytest.raises(ValueError, match="oops"):
        _ends(monkeypatch, P, ValueError("oops"))
