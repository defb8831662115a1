"""Reproducible analysis of SKR's 2019 survey of municipalities' information-security work.

Three layers, one folder each:
- `analysis.compute`: data in, numbers out (codebook, reference, clean, survey, models, disclosure, synthetic);
- `analysis.present`: figures, the two-language catalogue, number formatting from declared units, the
  report's templates and exports;
- `analysis.run`: parameters, the steps' entries (validate and write), the DAG runner.
`analysis.base.contracts` holds the contracts (one schema per output file, every column with its unit);
`analysis.base.io` reads exports and writes files atomically; `analysis.base.processes` runs child processes
(Chromium, kernels) that never outlive the program; `analysis.load(2019)` (analysis.run.explore) gives
one wave's validated data and tables for exploring.
"""

import sys

__version__ = "0.1.0"

# jsonschema (imported by nbformat, so by the runner, papermill and nbconvert) imports the optional
# rfc3987_syntax when it is installed, and that builds a Lark grammar at import: 1.5-3 s before the
# runner can start its first kernel, and again in every test process. It serves only jsonschema's
# "iri" format checks, which nbformat, nbclient, papermill and nbconvert never ask for (they
# validate without a format checker). Marking it absent makes jsonschema skip it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def load(wave: int | None = None, *, scratch: bool = False, lang: str | None = None):
    """One wave's results for exploring: `w = analysis.load(2019)`, then `w.analysis`, `w.headline`,
    `w.models`, `w.run_info`, ... (validated; see analysis.run.explore.Wave). Official results unless
    `scratch=True` (what notebooks run in JupyterLab wrote)."""
    from .run.explore import load as _load

    return _load(wave, scratch=scratch, lang=lang)
