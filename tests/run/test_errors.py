"""The runner's errors: one line each, the failed notebook's place kept with the error."""

from __future__ import annotations

from pathlib import Path

from analysis.run.errors import Cancelled, FolderError, RunError, StepFailed


def test_every_runner_error_is_a_run_error_with_its_saved_notebook():
    for kind in (FolderError, StepFailed, Cancelled):
        assert issubclass(kind, RunError)
    assert RunError("x").saved is None
    failed = StepFailed("c.ipynb failed in cell 3: ValueError: no", Path("/x/c.ipynb"))
    assert str(failed) == "c.ipynb failed in cell 3: ValueError: no" and failed.saved == Path("/x/c.ipynb")
