"""Where the project is and how a path is shown to a reader: relative to the project root, with a
runner's staging folder named by the folder it will replace (`.<name>.staging-<pid>` -> `<name>`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

# The runner builds into `.<name>.staging-<pid>` beside `<name>` (run.staging.staging_path).
STAGING_NAME = re.compile(r"^\.(?P<name>.+)\.staging-\d+$")
_STAGING_PART = re.compile(r"/\.([^/]+)\.staging-\d+(?=/|$)")


def project_root(start: str | Path | None = None) -> Path:
    """The folder holding pyproject.toml and params/, searched upwards from `start` (default: this package)."""
    here = Path(start or __file__).resolve()
    for d in [here, *here.parents]:
        if (d / "pyproject.toml").is_file() and (d / "params").is_dir():
            return d
    raise FileNotFoundError("project root (pyproject.toml with params/) not found")


def unstaged(path: str | Path | bytes) -> str:
    """`path` with every runner staging folder in it named by its final folder."""
    return _STAGING_PART.sub(r"/\1", os.fsdecode(path))


def shown_path(path: str | Path, root: str | Path | None = None) -> str:
    """`path` as a reader knows it: staging folders undone, then relative to the project root when
    inside it, else as given."""
    text = unstaged(path)
    root = Path(root) if root is not None else project_root()
    try:
        return str(Path(text).resolve().relative_to(root.resolve()))
    except ValueError:
        return text
