"""The steps' entries, one per notebook: read validated inputs, compute, validate the outputs, write them.

Computation lives in analysis.compute, figures and text in analysis.present; only this module and io write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import io, schemas


def _source(synthetic: bool) -> str:
    return "synthetic" if synthetic else "survey"


def write_table(name: str, df, folder: str | Path) -> Path:
    """Validate `df` against contract `name`, then write it atomically under `folder`."""
    c = schemas.contract(name)
    target = Path(folder) / c.path
    df = schemas.validate(name, df, target)
    if target.suffix == ".parquet":
        return io.write_parquet(df, target)
    # every CSV may be opened in a spreadsheet: text that would run as a formula is neutralised
    # (the cleaning log names columns of the raw file, whose headers anyone could have typed)
    return io.write_csv(df, target, excel=c.home == "output", neutralise=True)


def write_json(name: str, obj: dict[str, Any], folder: str | Path) -> Path:
    """Check the JSON object of contract `name` and write it as strict JSON."""
    c = schemas.contract(name)
    target = Path(folder) / c.path
    return io.write_json(schemas.validate_json(name, obj, target), target)


def read_json(name: str, folder: str | Path) -> dict[str, Any]:
    """The JSON file of contract `name` under `folder`, checked; ContractError when it is missing."""
    from ..errors import ContractError

    c = schemas.contract(name)
    path = Path(folder) / c.path
    if not path.is_file():
        raise ContractError(f"{path}: not found (written by {c.writer}; run it first)")
    return schemas.validate_json(name, io.read_json(path), path)


# ------------------------------------------------------------------------------------------- 01
def clean(P: dict[str, Any]):
    """01_clean: read P['raw_path'], clean it through the codebook of P['wave'], write the processed data."""
    from ..compute import clean as clean_mod
    from ..compute import reference
    from ..compute.codebook import codebook_for

    raw_path = Path(P["raw_path"])
    raw = io.read_export(raw_path, max_rows=int(P.get("max_rows", io.DEFAULT_MAX_ROWS)),
                         max_input_mb=float(P.get("max_input_mb", io.DEFAULT_MAX_INPUT_MB)))
    register = reference.load_register(P["reference_dir"])
    cb = codebook_for(int(P["wave"]))
    result = clean_mod.clean(raw, register, cb, raw_path, raw_sha256=io.sha256_file(raw_path))
    del raw  # a large export's cells are not needed while the outputs are written
    d = Path(P["processed_dir"])
    write_table("responses", result.responses, d)
    write_table("analysis", result.analysis, d)
    write_table("cleaning_log", result.log, d)
    write_json("run_info", result.run_info, d)
    return result


def _processed(P: dict[str, Any]):
    d = Path(P["processed_dir"])
    analysis = schemas.read_table("analysis", d)
    synthetic = io.is_synthetic(read_json("run_info", d))
    return analysis, synthetic


# ------------------------------------------------------------------------------------------- 02
DESCRIBE_TABLES = ("headline", "headline_by_group", "maturity_index", "response", "nonresponse_model")


def describe(P: dict[str, Any]) -> dict[str, Any]:
    """02_describe: the design-based tables, their figures in P['lang'] and describe_summary.json.

    Returns the tables as written (validated), the summary under "summary" and the figure paths
    under "figures".
    """
    from ..compute import reference, survey
    from ..compute.codebook import codebook_for
    from ..present import figures

    analysis, synthetic = _processed(P)
    out = Path(P["output_dir"])
    alpha, min_cell = float(P["alpha"]), int(P["min_cell"])
    computed = survey.compute(analysis, alpha, min_cell, codebook=codebook_for(int(P["wave"])))
    tables = {}
    for name in DESCRIBE_TABLES:
        df = computed[name].assign(data_source=_source(synthetic))
        write_table(name, df, out)
        tables[name] = schemas.validate(name, df)
    fig_paths = figures.describe_figures(tables, reference.load_counties_geojson(P["reference_dir"]),
                                         out / "figures", alpha=alpha, min_cell=min_cell, synthetic=synthetic,
                                         langs=(P["lang"],))
    summ = survey.summary(analysis, computed, alpha=alpha, min_cell=min_cell, synthetic=synthetic)
    summ["figures"] = [str(p.relative_to(out)) for p in fig_paths]
    write_json("describe_summary", summ, out)
    return {**tables, "summary": summ, "figures": fig_paths}


# ------------------------------------------------------------------------------------------- 03
def model(P: dict[str, Any]) -> dict[str, Any]:
    """03_model: every model and specification, reliability, verdicts, figures, model_summary.json."""
    from ..compute import models
    from ..compute.codebook import default_codebook
    from ..compute import estimable
    from ..present import figures

    analysis, synthetic = _processed(P)
    out = Path(P["output_dir"])
    alpha = float(P["alpha"])
    problems = estimable.model_problems(analysis)
    if problems:  # degenerate but valid data: empty tables, and the summary says why
        return _no_models(P, analysis, synthetic, problems)
    fits: dict = {}
    sparse: list = []
    table = models.fit_all(analysis, alpha, min_cell=int(P["min_cell"]), fits=fits, log=sparse)
    claim_tests = models.claim_test_table(table, alpha)
    derived = {
        "models": table,
        "reliability": models.reliability_table(analysis, alpha, int(P["seed"])),
        "claim_tests": claim_tests,
        "verdicts": models.verdict_table(table, alpha, claim_tests),
        "se_design": models.design_se_table(analysis, fits),
    }
    written = {}
    for name, df in derived.items():
        df = df.assign(data_source=_source(synthetic))
        bad = [c for c in df.columns if c in models.IDENTIFYING]
        if bad:
            raise ValueError(f"identifying columns in output: {bad}")
        write_table(name, df, out)
        written[name] = schemas.validate(name, df)
    cb = default_codebook()
    lang = P["lang"]
    labels = {lang: {a: getattr(cb[a].headline, f"label_{lang}") for a in models.OUTCOMES}}
    main = table[(table["spec"] == "main") & table["outcome"].isin(models.OUTCOMES)]
    figs = figures.model_figures(main, labels, out / "figures", alpha=alpha, synthetic=synthetic,
                                 primary_terms=models.PRIMARY_TERMS, predictors=models.PREDICTORS,
                                 langs=(lang,))
    summary = {
        "step": "03_model", "synthetic": synthetic, "alpha": alpha,
        "n_respondents": int(analysis["responded"].sum()), "n_municipalities": int(len(analysis)),
        "specs": list(models.SPECS),
        "primary_family": {"terms": list(models.PRIMARY_TERMS), "outcomes": list(models.OUTCOMES),
                           "adjustment": "fdr_bh"},
        "meaningful_odds_ratio": models.MEANINGFUL_OR,
        "firth_fits": table.loc[table["method"] == "Firth", ["spec", "outcome"]].drop_duplicates()
        .to_dict(orient="records"),
        "sparse_groups": sparse,
        "claim_tests": {c: {k: list(v) for k, v in spec.items()} for c, spec in models.CLAIM_TESTS.items()},
        "power": models.POWER, "min_events": models.MIN_EVENTS,
        "figures": sorted(str(p.relative_to(out)) for lg in figs.values() for ps in lg.values() for p in ps),
        "not_estimable": [],
    }
    write_json("model_summary", summary, out)
    return {**written, "summary": summary, "figures": figs[lang], "synthetic": synthetic}


def _no_models(P: dict[str, Any], analysis, synthetic: bool, problems: list[dict]) -> dict[str, Any]:
    """03 on data the models cannot use (analysis.compute.estimable): its tables without rows,
    no figures, and model_summary.json listing the problems under `not_estimable`."""
    import pandas as pd

    from ..compute import models

    out = Path(P["output_dir"])
    for stale in (out / "figures").glob("model_*"):  # an earlier run's model figures would contradict this one
        stale.unlink()
    written = {}
    for name in ("models", "reliability", "claim_tests", "verdicts", "se_design"):
        cols = [c for c in schemas.contract(name).schema.columns if c != "data_source"]
        df = pd.DataFrame(columns=cols).assign(data_source=pd.Series(dtype="str"))
        write_table(name, df, out)
        written[name] = schemas.validate(name, df)
    summary = {
        "step": "03_model", "synthetic": synthetic, "alpha": float(P["alpha"]),
        "n_respondents": int(analysis["responded"].sum()), "n_municipalities": int(len(analysis)),
        "specs": [], "primary_family": {"terms": list(models.PRIMARY_TERMS), "outcomes": list(models.OUTCOMES),
                                        "adjustment": "fdr_bh"},
        "meaningful_odds_ratio": models.MEANINGFUL_OR, "firth_fits": [], "sparse_groups": [],
        "claim_tests": {c: {k: list(v) for k, v in spec.items()} for c, spec in models.CLAIM_TESTS.items()},
        "power": models.POWER, "min_events": models.MIN_EVENTS, "figures": [],
        "not_estimable": problems,
    }
    write_json("model_summary", summary, out)
    return {**written, "summary": summary, "figures": {}, "synthetic": synthetic}


# ------------------------------------------------------------------------------------------- 05
COMPARE_TABLES = ("change", "transitions", "trend")


def _compare_outputs(out: Path) -> list[Path]:
    """Every file 05_compare writes under output_dir (tables, summary, the trend figure; an SVG of
    an earlier version too)."""
    files = [out / schemas.contract(n).path for n in (*COMPARE_TABLES, "compare_summary")]
    return files + sorted((out / "figures").glob("trend_*.png")) + sorted((out / "figures").glob("trend_*.svg"))


def compare(P: dict[str, Any]) -> dict[str, Any]:
    """05_compare: the change since the wave P['compare_with'] (processed data in P['compare_dir']):
    change.csv, transitions.csv, trend.csv, the trend figure in P['lang'], compare_summary.json.

    With compare_with null (no earlier wave) nothing is compared, and any earlier outputs of this
    step in output_dir are removed so that the report does not show a stale comparison. Returns the
    tables as written (validated), the summary and the figure paths, or {"compared": False}.
    """
    from ..compute import compare as compare_mod
    from ..compute import reference
    from ..compute.codebook import codebook_for, item_map
    from ..errors import ContractError
    from ..present import figures
    from ..present.report import item_label

    out = Path(P["output_dir"])
    if P.get("compare_with") is None:
        for f in _compare_outputs(out):
            f.unlink(missing_ok=True)
        return {"compared": False}
    wave_from, wave_to = int(P["compare_with"]), int(P["wave"])
    earlier_dir = Path(P["compare_dir"])
    earlier = schemas.read_table("analysis", earlier_dir)
    info = read_json("run_info", earlier_dir)
    expected = codebook_for(wave_from).survey.get("id")
    if info.get("survey") != expected:
        raise ContractError(f"{earlier_dir / 'run_info.json'}: survey {info.get('survey')!r}, expected {expected!r} "
                            f"(the processed data of wave {wave_from}); check compare_dir")
    later, synthetic_later = _processed(P)
    synthetic = io.is_synthetic(info) or synthetic_later
    links = item_map(wave_from, wave_to)
    series = reference.load_published_series(P["reference_dir"])
    alpha, min_cell = float(P["alpha"]), int(P["min_cell"])
    computed = compare_mod.compute(earlier, later, links, series, synthetic=synthetic, alpha=alpha, min_cell=min_cell)
    tables = {}
    for name in COMPARE_TABLES:
        df = computed[name].assign(data_source=_source(synthetic))
        write_table(name, df, out)
        tables[name] = schemas.validate(name, df)
    items = list(dict.fromkeys(tables["trend"]["item"]))
    lang = P["lang"]
    labels = {lang: {i: item_label(i, lang) for i in items}}
    fig_paths = figures.compare_figures(tables["trend"], labels, out / "figures", alpha=alpha, synthetic=synthetic,
                                        langs=(lang,))
    respondents = {w: set(d.loc[d["responded"].astype(bool), "kommunkod"]) for w, d in ((wave_from, earlier),
                                                                                         (wave_to, later))}
    summary = {
        "step": "05_compare", "synthetic": synthetic, "alpha": alpha, "min_cell": min_cell,
        "wave_from": wave_from, "wave_to": wave_to,
        "n_respondents": {str(w): len(r) for w, r in respondents.items()},
        "n_respondents_both": len(respondents[wave_from] & respondents[wave_to]),
        "items": [link.item_from for link in links.items],
        "wording_changed": [link.item_from for link in links.items if link.comparability != "same"],
        "figures": [str(p.relative_to(out)) for p in fig_paths],
    }
    write_json("compare_summary", summary, out)
    return {**tables, "summary": summary, "figures": fig_paths, "compared": True}


# ------------------------------------------------------------------------------------------- 04
def report(P: dict[str, Any]) -> dict[str, Any]:
    """04_report: report.html from the validated tables (Jinja2 templates) and provenance.json,
    written only when the disclosure audit finds no hidden cell that could be worked out.

    The runner adds the workbook, the PDF and index.html once every notebook page is rendered.
    """
    from ..present import report as report_mod

    from ..errors import ContractError
    from ..present import published

    out = Path(P["output_dir"])
    data = report_mod.load(P)
    prov = report_mod.collect_provenance(P)
    html = report_mod.render(data, prov)
    # nothing is written if a hidden cell could be worked out from the tables, summaries and page
    found = published.audit_folder(out, schemas.read_table("analysis", P["processed_dir"]), int(P["min_cell"]),
                                   P["lang"], report_html=html)
    if len(found):
        raise ContractError(published.finding_line(found, out))
    write_json("provenance", prov, out)
    io.write_text(html, out / "report.html")
    return {"path": out / "report.html", "data": data, "provenance": prov}
