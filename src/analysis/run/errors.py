"""The runner's errors: each is one line for the user (the command line prints it as `error: ...`).

`saved` names where a failed notebook was kept, when it was.
"""

from __future__ import annotations

from pathlib import Path


class RunError(RuntimeError):
    """A failure shown to the user as one line. `saved`: where a failed notebook was kept."""

    def __init__(self, message: str, saved: Path | None = None):
        super().__init__(message)
        self.saved = saved


class FolderError(RunError):
    """A folder the runner must not or cannot use; nothing was changed."""


class StepFailed(RunError):
    """A notebook raised or its kernel died; the message names the notebook, the cell and the error."""


class Cancelled(RunError):
    """The step was stopped because the run is being abandoned (another step failed, Ctrl-C)."""
