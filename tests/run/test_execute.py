"""Running one notebook and saying why it failed: the runner's wording of a notebook error whose
message is empty, a dead kernel, and the executed notebook made independent of the run."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat

from analysis.run import dag, execute


def _executed_with(tmp_path, outputs: list) -> Path:
    nb = nbformat.v4.new_notebook()
    params_cell = nbformat.v4.new_code_cell("x = 1")
    params_cell.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("x = 2")
    injected.metadata["tags"] = ["injected-parameters"]
    failing = nbformat.v4.new_code_cell("...")
    failing.outputs = outputs
    nb.cells = [params_cell, injected, failing]
    path = tmp_path / "03_model.ipynb"
    nbformat.write(nb, path)
    return path


STEP = dag.STEPS[2]


def test_an_empty_error_value_is_explained_by_the_line_that_raised(tmp_path):
    tb = ["\x1b[31mAssertionError\x1b[39m      Traceback (most recent call last)",
          "Cell \x1b[32mIn[2], line 3\x1b[39m\n      1 counts = result\n\x1b[32m----> 3\x1b[39m "
          "\x1b[38;5;28;01massert\x1b[39;00m counts[\"a\"] == counts[\"b\"]\n",
          "\x1b[31mAssertionError\x1b[39m: "]
    executed = _executed_with(tmp_path, [nbformat.v4.new_output("error", ename="AssertionError", evalue="",
                                                                traceback=tb)])
    exc = SimpleNamespace(ename="AssertionError", evalue="", cell_index=2)
    assert execute.failure_message(STEP, exc, executed) == (
        '03_model.ipynb failed in cell 2: AssertionError: (no message) at: assert counts["a"] == counts["b"]')


def test_an_error_ipython_could_not_format_is_taken_from_stderr(tmp_path):
    """IPython's fallback when formatting a traceback fails (seen with Jinja2 templates): no error
    output, papermill says CellExecutionError with an empty value; the cell's stderr has the text."""
    stderr = ("Unexpected exception formatting exception. Falling back to standard exception\n"
              "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\n"
              "jinja2.exceptions.TemplateSyntaxError: unexpected '}' in report.html.j2 line 12\n")
    executed = _executed_with(tmp_path, [nbformat.v4.new_output("stream", name="stderr", text=stderr)])
    exc = SimpleNamespace(ename="CellExecutionError", evalue="", cell_index=2)
    assert execute.failure_message(STEP, exc, executed) == (
        "03_model.ipynb failed in cell 2: TemplateSyntaxError: unexpected '}' in report.html.j2 line 12")


def test_an_error_with_nothing_to_say_still_makes_a_sentence(tmp_path):
    executed = _executed_with(tmp_path, [])
    exc = SimpleNamespace(ename="CellExecutionError", evalue="", cell_index=2)
    assert execute.failure_message(STEP, exc, executed) == (
        "03_model.ipynb failed in cell 2: CellExecutionError: (no message)")


# ------------------------------------------------------------------------------- a dead kernel
def _ended(code: int):
    """A finished process whose exit status is `code` (negative: killed by that signal)."""
    proc = subprocess.Popen([sys.executable, "-c", f"import os, signal; os.kill(os.getpid(), {-code})"
                             if code < 0 else f"raise SystemExit({code})"])
    proc.wait()
    return proc


def test_a_dead_kernel_is_named_by_its_signal_or_exit_code():
    assert execute._death(_ended(-signal.SIGKILL)) == "the kernel died (SIGKILL, out of memory?)"
    assert execute._death(_ended(-signal.SIGSEGV)) == "the kernel died (SIGSEGV)"
    assert execute._death(_ended(3)) == "the kernel died (exit code 3)"
    assert execute._death(None) == "the kernel died"


def test_the_failing_cell_is_counted_in_the_source_notebook(tmp_path):
    """papermill's injected cell is not in the notebook the analyst edits: cell 3 of the executed
    notebook (index 2, after the injected one) is cell 2 of the source; a missing notebook counts as is."""
    executed = _executed_with(tmp_path, [])
    assert execute._source_cell_number(executed, 2) == 2
    assert execute._source_cell_number(tmp_path / "missing.ipynb", 2) == 3


def test_the_running_cell_is_the_last_one_papermill_started(tmp_path):
    executed = _executed_with(tmp_path, [])
    nb = nbformat.read(executed, as_version=4)
    nb.cells[0].metadata["papermill"] = {"start_time": "2019-01-01T00:00:00"}
    nb.cells[1].metadata["papermill"] = {"start_time": "2019-01-01T00:00:01"}
    nbformat.write(nb, executed)
    assert execute._running_cell(executed) == 1
    assert execute._running_cell(None) is None


# ------------------------------------------------------------------------ the executed notebook
def test_an_executed_notebook_names_the_final_folders_and_numbers_its_cells(tmp_path):
    staged, final = "/x/.out.staging-12", "/x/out"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"output_dir = {staged!r}"),
                                         nbformat.v4.new_code_cell("print(1)")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"wrote {staged}/a.csv\n")]
    path = tmp_path / "a.ipynb"
    nbformat.write(nb, path)
    execute.finalise_executed(path, {staged: final})
    done = nbformat.read(path, as_version=4)
    assert [c.id for c in done.cells] == ["cell-1", "cell-2"]
    assert staged not in path.read_text() and done.cells[0].outputs[0].text == "wrote /x/out/a.csv\n"
    assert done.cells[0].source == "output_dir = '/x/out'"


def test_cell_seconds_sums_papermills_durations(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2"),
                                         nbformat.v4.new_code_cell("3")])
    nb.cells[0].metadata["papermill"] = {"duration": 1.25}
    nb.cells[1].metadata["papermill"] = {"duration": None}  # a cell that never ran
    nb.cells[2].metadata["papermill"] = {"duration": 0.5}
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert execute.cell_seconds(tmp_path / "a.ipynb") == 1.75


def test_papermills_warnings_are_held_once_each_and_its_logger_restored():
    logger = logging.getLogger(execute.LibraryLog.LOGGER)
    before = logger.propagate
    with execute.LibraryLog() as held:
        logger.warning("Kernel died while waiting for execute reply.")
        logger.warning("Kernel  died while waiting\nfor execute reply.")  # the same, wrapped
        logger.info("not a warning")
        assert logger.propagate is False
    assert held.messages == ["Kernel died while waiting for execute reply."]
    assert logger.propagate is before and held not in logger.handlers
