"""Step 05_compare: the change since an earlier wave (change, transitions, the trend of the public
record), the trend figure and compare_summary.json; nothing when no earlier wave is compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base import contracts, io, reference
from ...base.errors import ContractError
from ...base.waves import codebook_for, item_map
from ...compute import compare
from ...present import figures
from ...present.labels import item_label
from .inputs import processed, source, tables_written_by, written_by

STEP = "05_compare"
TABLES = tables_written_by(STEP)  # change, transitions, trend


def _compare_outputs(out: Path) -> list[Path]:
    """Every file 05_compare writes under output_dir (its contracts' files, the trend figure; an SVG
    of an earlier version too)."""
    files = [out / contracts.contract(n).path for n in written_by(STEP)]
    return files + sorted((out / "figures").glob("trend_*.png")) + sorted((out / "figures").glob("trend_*.svg"))


def run(P: dict[str, Any]) -> dict[str, Any]:
    """05_compare: the change since the wave P['compare_with'] (processed data in P['compare_dir']):
    change.csv, transitions.csv, trend.csv, the trend figure in P['lang'], compare_summary.json.

    With compare_with null (no earlier wave) nothing is compared, and any earlier outputs of this
    step in output_dir are removed so that the report does not show a stale comparison. Returns the
    tables as written (validated), the summary and the figure paths, or {"compared": False}.
    """

    out = Path(P["output_dir"])
    if P.get("compare_with") is None:
        for f in _compare_outputs(out):
            f.unlink(missing_ok=True)
        return {"compared": False}
    wave_from, wave_to = int(P["compare_with"]), int(P["wave"])
    earlier_dir = Path(P["compare_dir"])
    earlier = contracts.read_table("analysis", earlier_dir)
    info = contracts.read_json("run_info", earlier_dir)
    expected = codebook_for(wave_from).survey.get("id")
    if info.get("survey") != expected:
        raise ContractError(f"{earlier_dir / 'run_info.json'}: survey {info.get('survey')!r}, expected {expected!r} "
                            f"(the processed data of wave {wave_from}); check compare_dir")
    later, synthetic_later = processed(P)
    synthetic = io.is_synthetic(info) or synthetic_later
    links = item_map(wave_from, wave_to)
    series = reference.load_published_series(P["reference_dir"])
    alpha, min_cell = float(P["alpha"]), int(P["min_cell"])
    computed = compare.compute(earlier, later, links, series, synthetic=synthetic, alpha=alpha, min_cell=min_cell)
    tables = {}
    for name in TABLES:
        df = computed[name].assign(data_source=source(synthetic))
        contracts.write_table(name, df, out)
        tables[name] = contracts.validate(name, df)
    items = list(dict.fromkeys(tables["trend"]["item"]))
    lang = P["lang"]
    labels = {lang: {i: item_label(i, lang) for i in items}}
    fig_paths = figures.compare_figures(tables["trend"], labels, out / "figures", alpha=alpha, synthetic=synthetic,
                                        langs=(lang,))
    respondents = {w: set(d.loc[d["responded"].astype(bool), "kommunkod"]) for w, d in ((wave_from, earlier),
                                                                                         (wave_to, later))}
    summary = {
        "step": STEP, "synthetic": synthetic, "alpha": alpha, "min_cell": min_cell,
        "wave_from": wave_from, "wave_to": wave_to,
        "n_respondents": {str(w): len(r) for w, r in respondents.items()},
        "n_respondents_both": len(respondents[wave_from] & respondents[wave_to]),
        "items": [link.item_from for link in links.items],
        "wording_changed": [link.item_from for link in links.items if link.comparability != "same"],
        "figures": [str(p.relative_to(out)) for p in fig_paths],
    }
    contracts.write_json("compare_summary", summary, out)
    return {**tables, "summary": summary, "figures": fig_paths, "compared": True}
