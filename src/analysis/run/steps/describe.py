"""Step 02_describe: the design-based tables (shares, groups, maturity index, response, nonresponse
model), their figures in the run's language and describe_summary.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base import contracts, reference
from ...base.waves import codebook_for
from ...compute import survey
from ...present import figures
from .inputs import processed, source, tables_written_by

TABLES = tables_written_by("02_describe")  # headline, headline_by_group, maturity_index, response, nonresponse_model


def run(P: dict[str, Any]) -> dict[str, Any]:
    """02_describe: the design-based tables, their figures in P['lang'] and describe_summary.json.

    Returns the tables as written (validated), the summary under "summary" and the figure paths
    under "figures".
    """

    analysis, synthetic = processed(P)
    out = Path(P["output_dir"])
    alpha, min_cell = float(P["alpha"]), int(P["min_cell"])
    computed = survey.compute(analysis, alpha, min_cell, codebook=codebook_for(int(P["wave"])))
    tables = {}
    for name in TABLES:
        df = computed[name].assign(data_source=source(synthetic))
        contracts.write_table(name, df, out)
        tables[name] = contracts.validate(name, df)
    fig_paths = figures.describe_figures(tables, reference.load_counties_geojson(P["reference_dir"]),
                                         out / "figures", alpha=alpha, min_cell=min_cell, synthetic=synthetic,
                                         langs=(P["lang"],))
    summ = survey.summary(analysis, computed, alpha=alpha, min_cell=min_cell, synthetic=synthetic)
    summ["figures"] = [str(p.relative_to(out)) for p in fig_paths]
    contracts.write_json("describe_summary", summ, out)
    return {**tables, "summary": summ, "figures": fig_paths}
