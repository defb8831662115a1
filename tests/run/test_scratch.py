"""Only the runner writes the official results: notebooks run anywhere else (JupyterLab, plain
papermill) write to scratch/<wave>/, say so in one line, and name the command to run when an input
is missing."""

from __future__ import annotations

import re
import shutil

import pytest

from analysis.base.errors import MissingInput
from analysis.run import params, scratch

DEFAULTS = dict(wave=2019, raw_path="data/raw/synthetic_skr_infosak_{wave}.csv", reference_dir="data/external",
                processed_dir="data/processed/{wave}", output_dir="reports/{wave}", lang="sv", alpha=0.05,
                seed=2019, min_cell=5)


@pytest.fixture()
def outside_runner(monkeypatch):
    monkeypatch.delenv(params.RUNNER_ENV, raising=False)


@pytest.fixture()
def tmp_project(tmp_path, monkeypatch, root, outside_runner):
    """An empty project (pyproject.toml, params/) that scratch.notebook_params takes for the project."""
    (tmp_path / "params").mkdir()
    shutil.copy(root / "params" / "default.yaml", tmp_path / "params" / "default.yaml")
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.setattr(scratch, "project_root", lambda start=None: tmp_path)
    return tmp_path


def test_in_the_runner_the_paths_are_used_as_given(monkeypatch, root, capsys):
    monkeypatch.setenv(params.RUNNER_ENV, "1")
    P = scratch.notebook_params("01_clean", **DEFAULTS)
    assert P["processed_dir"] == str(root / "data" / "processed" / "2019")
    assert P["output_dir"] == str(root / "reports" / "2019")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_outside_the_runner_outputs_go_to_scratch_and_one_line_says_so(root, outside_runner, capsys, lang):
    P = scratch.notebook_params("01_clean", **{**DEFAULTS, "lang": lang})
    assert P["processed_dir"] == str(root / "scratch" / "2019" / "processed")
    assert P["output_dir"] == str(root / "scratch" / "2019" / "reports")
    assert P["raw_path"] == str(root / "data" / "raw" / "synthetic_skr_infosak_2019.csv")  # inputs unchanged
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert "scratch/2019/processed" in lines[0] and "data/processed/2019" in lines[0] and "`make`" in lines[0]
    assert ("pipelinen" in lines[0]) == (lang == "sv")


def test_the_scratch_rule(tmp_project):
    P = params.resolve(params.merge(DEFAULTS), tmp_project)
    official, area = tmp_project / "data" / "processed" / "2019", tmp_project / "scratch" / "2019"
    # 01 writes processed data: to scratch, always.
    assert scratch.to_scratch(P, "01_clean")["processed_dir"] == str(area / "processed")
    # 02-04 read the official processed data (never writing it) until 01 has run outside the runner...
    for step in ("02_describe", "03_model", "04_report"):
        S = scratch.to_scratch(P, step)
        assert S["processed_dir"] == str(official) and S["output_dir"] == str(area / "reports")
    # ... and from then on follow it.
    (area / "processed").mkdir(parents=True)
    (area / "processed" / "run_info.json").write_text("{}")
    assert scratch.to_scratch(P, "02_describe")["processed_dir"] == str(area / "processed")
    # An unknown step may write anything: both folders go to scratch.
    assert scratch.to_scratch(dict(P), None)["processed_dir"] == str(area / "processed")


def test_a_missing_input_names_the_command_to_run(tmp_project, register, capsys):
    with pytest.raises(MissingInput) as err:
        scratch.notebook_params("02_describe", **{**DEFAULTS, "lang": "en"})
    msg = str(err.value)
    assert msg.startswith("data/processed/2019/analysis.parquet is missing (written by 01_clean)")
    assert "`make`" in msg and "notebooks/01_clean.ipynb" in msg and "\n" not in msg
    capsys.readouterr()
    # With official processed data, 04 outside the runner reads the tables 02 and 03 wrote to scratch.
    from conftest import write_processed

    write_processed(register, tmp_project / "data" / "processed" / "2019")
    with pytest.raises(MissingInput) as err:
        scratch.notebook_params("04_report", **{**DEFAULTS, "lang": "en"})
    assert str(err.value).startswith("scratch/2019/reports/tables/headline.csv is missing (written by 02_describe)")
    assert "notebooks/02_describe.ipynb" in str(err.value)


def test_the_folders_a_step_writes_come_from_the_contracts():
    assert scratch.homes_written("01_clean") == {"processed"}
    assert scratch.homes_written("02_describe") == scratch.homes_written("04_report") == {"output"}
    assert scratch.homes_written("99_unknown") == scratch.homes_written(None) == {"processed", "output"}


def test_nothing_compared_means_no_comparison_is_missing(root, tmp_path):
    """04 reads 05's tables only when an earlier wave is compared."""
    P = {"processed_dir": str(tmp_path / "p"), "output_dir": str(tmp_path / "o"), "compare_with": None}
    missing = {path.name for path, _ in scratch.missing_inputs(P, "04_report")}
    assert "headline.csv" in missing and "change.csv" not in missing
    compared = {path.name: writer for path, writer in scratch.missing_inputs(dict(P, compare_with=2019), "04_report")}
    assert compared["change.csv"] == "05_compare" and compared["headline.csv"] == "02_describe"


# ------------------------------------------- the one-line errors notebook_params installs in IPython
@pytest.fixture()
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance(colors="nocolor")
    yield sh
    InteractiveShell.clear_instance()


def test_errors_of_this_package_show_as_one_line_in_ipython(shell, capsys):
    from analysis.base.errors import ContractError
    from analysis.present import notebook

    assert notebook.short_errors()
    res = shell.run_cell("from analysis.base.errors import ContractError\n"
                         "raise ContractError('x.csv: not found (written by 01_clean; run it first)')")
    assert isinstance(res.error_in_exec, ContractError)  # the cell fails: Run All stops there
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).strip().splitlines()
    assert out == ["ContractError: x.csv: not found (written by 01_clean; run it first)"]
    shell.run_cell("1 / 0")  # anything else keeps its traceback
    assert "Traceback" in capsys.readouterr().out
