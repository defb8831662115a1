"""Reproducible analysis of SKR's 2019 survey of municipalities' information-security work.

Four layers, one folder each, each importing only those below it (pyproject.toml [tool.importlinter]):
- `analysis.run`: parameters, the steps' entries (validate and write), the DAG runner, the commands;
- `analysis.present`: figures, the two-language catalogue, number formatting from declared units, the
  report's templates and exports;
- `analysis.compute` (data in, numbers out) and beside it `analysis.synthetic` (the synthetic exports);
- `analysis.base`: errors, the contracts (one per output file, every column with its unit), io, the
  codebook and reference data, paths, child processes.
`analysis.load(2019)` (analysis.run.explore) gives one wave's validated data and tables for exploring;
it is imported on first use, so that `import analysis.base...` never loads the layers above.
"""

import importlib
import sys

__version__ = "0.1.0"

# jsonschema (imported by nbformat, so by the runner, papermill and nbconvert) imports the optional
# rfc3987_syntax when it is installed, and that builds a Lark grammar at import: 1.5-3 s before the
# runner can start its first kernel, and again in every test process. It serves only jsonschema's
# "iri" format checks, which nbformat, nbclient, papermill and nbconvert never ask for (they
# validate without a format checker). Marking it absent makes jsonschema skip it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

# name -> the module that defines it, imported when the name is first used (PEP 562)
_ON_FIRST_USE = {"load": "analysis.run.explore"}
__all__ = ["load"]


def __getattr__(name: str):
    """`analysis.load`: one wave's results for exploring, `w = analysis.load(2019)`, then `w.analysis`,
    `w.headline`, `w.models`, `w.run_info`, ... (validated; analysis.run.explore.load and Wave).
    Official results unless `scratch=True` (what notebooks run in JupyterLab wrote)."""
    if name in _ON_FIRST_USE:
        return getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_ON_FIRST_USE])
