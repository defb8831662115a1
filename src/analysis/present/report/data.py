"""What the report shows: the validated tables and JSON summaries of steps 01-03 and 05, and the parameters.

Every input is read through analysis.base.contracts (validated); the summaries must have been made with
the report's alpha and min_cell, so that the intervals the labels name are the ones in the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...base import contracts, io
from ...base.codebook import Codebook
from ...base.errors import ContractError
from ...base.waves import codebook_for
from .. import fmt

REPORT_STEP = "04_report"
COMPARE_STEP = "05_compare"


def _tables(*, written_by_compare: bool) -> tuple[str, ...]:
    """The output tables the report reads (their contracts name 04_report among the readers), those of
    05_compare or the others."""
    return tuple(name for name, c in contracts.CONTRACTS.items()
                 if c.schema is not None and c.home == "output" and REPORT_STEP in c.readers
                 and (c.writer == COMPARE_STEP) == written_by_compare)


# The tables of 02_describe and 03_model, always read.
OUTPUT_TABLES = _tables(written_by_compare=False)
# Written by 05_compare when two waves are compared; the section "change" is shown only with them.
COMPARE_TABLES = _tables(written_by_compare=True)


@dataclass
class ReportData:
    """What the report shows: validated tables, the steps' JSON summaries, the parameters."""

    P: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    describe: dict[str, Any]
    model: dict[str, Any]
    run_info: dict[str, Any]
    compare: dict[str, Any] | None = None  # compare_summary.json when 05 compared two waves

    @property
    def codebook(self) -> Codebook:
        """The codebook of the report's wave (labels and statements of its questions)."""
        return codebook_for(int(self.P["wave"]))

    @property
    def has_change(self) -> bool:
        return self.compare is not None

    @property
    def lang(self) -> str:
        return self.P["lang"]

    @property
    def output_dir(self) -> Path:
        return Path(self.P["output_dir"])

    @property
    def synthetic(self) -> bool:
        return io.is_synthetic(self.run_info)

    @property
    def level(self) -> str:
        return fmt.level(float(self.P["alpha"]), self.lang)


def _check_parameters(P: dict[str, Any], out: Path, summaries: list[tuple[str, dict, tuple[str, ...]]]) -> None:
    """Each summary must have been made with the report's values of its keys."""
    for name, summary, keys in summaries:
        for k in keys:
            if float(summary[k]) != float(P[k]):
                raise ContractError(f"{out / name}: made with {k} = {summary[k]}, but the report is asked for "
                                    f"{k} = {P[k]}; rerun the earlier steps with the same parameters")


def load(P: dict[str, Any]) -> ReportData:
    """Read and validate every table and summary of 01-03 (and of 05 when it compared) for parameters P.

    A missing or broken file raises ContractError naming it and the step that writes it.
    """
    out, processed = Path(P["output_dir"]), Path(P["processed_dir"])
    tables = {name: contracts.read_table(name, out) for name in OUTPUT_TABLES}
    describe, model = contracts.read_json("describe_summary", out), contracts.read_json("model_summary", out)
    compare = None
    if any((out / contracts.contract(name).path).is_file() for name in COMPARE_TABLES):  # two waves compared
        compare = contracts.read_json("compare_summary", out)
        tables.update({name: contracts.read_table(name, out) for name in COMPARE_TABLES})
    # The intervals in the tables must be the ones the labels will name.
    checks = [("describe_summary.json", describe, ("alpha", "min_cell")), ("model_summary.json", model, ("alpha",))]
    if compare is not None:
        checks.append(("compare_summary.json", compare, ("alpha", "min_cell")))
    _check_parameters(P, out, checks)
    return ReportData(P=P, tables=tables, describe=describe, model=model,
                      run_info=contracts.read_json("run_info", processed), compare=compare)
