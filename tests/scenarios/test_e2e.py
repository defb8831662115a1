"""End to end: the real runner on the default synthetic export, in a temporary folder.

Checks the outputs, that no personal data leaves the raw file, skipping by content hash,
language-only reruns, the bad-input path, and that parallel and sequential runs agree.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.base.codebook import default_codebook
from analysis.base.io import read_export, write_export

STEPS = ("01_clean", "02_describe", "03_model", "05_compare", "04_report")
# Files whose bytes must not depend on how the steps were scheduled.
DATA_GLOBS = ("*.parquet", "cleaning_log.csv", "run_info.json", "tables/*.csv", "figures/*.png",
              "*_summary.json")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], check=False, capture_output=True, text=True,
                          cwd=cwd)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory, root, reference_dir):
    base = tmp_path_factory.mktemp("e2e")
    raw = base / "raw" / "synthetic_skr_infosak_2019.csv"
    r = _cli("synthesize", "--out", str(raw), cwd=root)
    assert r.returncode == 0, r.stderr
    args = ["-p", f"raw_path={raw}", "-p", f"processed_dir={base / 'processed'}",
            "-p", f"output_dir={base / 'report'}", "-p", f"reference_dir={reference_dir}"]
    first = _cli("run", *args, cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    return {"base": base, "raw": raw, "args": args, "first": first, "root": root}


def _digests(folder: Path) -> dict[str, str]:
    out = {}
    for pattern in DATA_GLOBS:
        for p in folder.glob(pattern):
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_first_run_writes_the_whole_report(e2e):
    out = e2e["base"] / "report"
    assert e2e["first"].stdout.strip().splitlines()[-1] == f"report: {out / 'report.html'}"
    for step in STEPS:
        assert f"[{step}] done in" in e2e["first"].stdout
        assert (out / "executed" / f"{step}.ipynb").is_file()
        assert (out / "notebooks" / f"{step}.html").stat().st_size > 1000
    for name in ("report.html", "index.html", "tables/headline.csv", "tables/models.csv", "tables/tables.xlsx"):
        assert (out / name).stat().st_size > 0, name
    pngs = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert pngs and all(s.endswith("_sv") for s in pngs)  # the run's language only, PNG only
    assert not list((out / "figures").glob("*.svg"))
    analysis = pd.read_parquet(e2e["base"] / "processed" / "analysis.parquet")
    assert len(analysis) == 290 and int(analysis["responded"].sum()) == 264
    headline = pd.read_csv(out / "tables" / "headline.csv", encoding="utf-8-sig")
    assert len(headline) == 10


def test_no_personal_data_in_any_output(e2e):
    cb = default_codebook()
    raw = read_export(e2e["raw"])
    secrets = set()
    for var in cb.personal:
        if var.id in ("respondent_name", "respondent_email", "respondent_phone"):
            secrets |= {v.strip() for v in raw[var.header] if len(v.strip()) >= 6}
    assert len(secrets) > 200
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    leaks = []
    for folder in (e2e["base"] / "processed", e2e["base"] / "report"):
        for p in folder.rglob("*"):
            if not p.is_file():
                continue
            texts = [p.read_bytes().decode("utf-8", errors="ignore")]
            if p.suffix == ".parquet":
                texts.append(pd.read_parquet(p).to_csv())
            if p.suffix == ".xlsx":
                texts.extend(df.to_csv() for df in pd.read_excel(p, sheet_name=None).values())
            for text in texts:
                m = pattern.search(text)
                if m:
                    leaks.append(f"{p.name}: {m.group(0)}")
    assert leaks == []


def _assert_index_complete(out: Path) -> None:
    """index.html names the wave and links the report, the workbook, the PDF (when Chromium made one)
    and every notebook page, each of which exists; it carries the synthetic banner."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "2019" in soup.title.get_text() and soup.select_one("#synthetic-banner")
    hrefs = [a["href"] for a in soup.select("a")]
    expected = ["report.html", *(["report.pdf"] if (out / "report.pdf").is_file() else []), "tables/tables.xlsx",
                *[f"notebooks/{s}.html" for s in sorted(STEPS)]]  # the index lists the pages by number
    assert hrefs == expected
    assert all((out / h).is_file() for h in hrefs)
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        assert "report.pdf" in hrefs


def test_index_links_everything_after_the_first_build(e2e):
    _assert_index_complete(e2e["base"] / "report")


def test_disclosure_audit_of_everything_the_runner_published(e2e):
    """Every CSV, the workbook, report.html, the notebook pages and the JSON summary: no hidden
    cell can be worked out (issue 14: 01's page showed A1 on its own)."""
    from analysis.base import contracts
    from analysis.present import published

    out = e2e["base"] / "report"
    recs = published.records(out, "sv")
    pages = {s for s in recs["source"] if s.startswith("notebooks/")}
    assert {"notebooks/01_clean.html", "notebooks/02_describe.html"} <= pages
    assert "tables.xlsx:response" in set(recs["source"])
    shown = recs[(recs["source"] == "notebooks/01_clean.html") & (recs["table"] == "response")]
    assert "A1+A2" in set(shown["group"]) and "A1" not in set(shown["group"])
    units = contracts.read_table("analysis", e2e["base"] / "processed")
    found = published.audit_folder(out, units, 5, "sv")
    assert found.empty, found.to_string()


def test_second_run_executes_nothing(e2e):
    r = _cli("run", *e2e["args"], cwd=e2e["root"])
    assert r.returncode == 0, r.stderr
    for step in STEPS:
        assert f"[{step}] up to date" in r.stdout
    assert "running" not in r.stdout


def test_executed_notebooks_write_officially_and_show_relative_paths(e2e):
    """The runner's kernels carry its mark, so the notebooks wrote the official folders (no scratch
    notice); paths inside the project are shown relative to its root (reference_dir here; this
    run's own folders are outside it), and no staging folder name is left."""
    import json

    import nbformat

    for step in STEPS:
        nb = nbformat.read(e2e["base"] / "report" / "executed" / f"{step}.ipynb", as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert 'reference_dir = "data/external"' in injected.source, step
        text = json.dumps(nb, ensure_ascii=False)
        assert str(e2e["root"]) + "/" not in text and ".staging-" not in text, step
        assert "scratch/" not in text, f"{step} ran as if outside the runner"


def _all_digests(folder: Path) -> dict[str, str]:
    """Every output file except run records: executed notebooks carry papermill's timings,
    the PDF Chromium's creation time, .pipeline/ the runner's timings, the folder's mark its run id."""
    from analysis.run.staging import MARK_NAME

    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if (p.is_file() and rel.parts[0] not in ("executed", ".pipeline", MARK_NAME)
                and p.name not in ("report.pdf", "screenshot.png")):
            out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_forced_rerun_gives_identical_files(e2e):
    before = {d: _all_digests(e2e["base"] / d) for d in ("processed", "report")}
    r = _cli("run", "--force", *e2e["args"], cwd=e2e["root"])
    assert r.returncode == 0, r.stderr
    after = {d: _all_digests(e2e["base"] / d) for d in ("processed", "report")}
    assert "report.html" in after["report"] and "notebooks/02_describe.html" in after["report"]
    assert after == before
    _assert_index_complete(e2e["base"] / "report")


def test_language_change_reruns_the_steps_that_draw_and_the_report(e2e):
    # 02, 03 and 05 draw their figures in the run's language only (issue 16): lang is one of their keys
    r = _cli("run", *e2e["args"], "-p", "lang=en", cwd=e2e["root"])
    assert r.returncode == 0, r.stderr
    assert [s for s in STEPS if f"[{s}] running" in r.stdout] == ["02_describe", "03_model", "05_compare", "04_report"]
    figs = sorted(p.name for p in (e2e["base"] / "report" / "figures").iterdir())
    assert figs and all(f.endswith("_en.png") for f in figs), figs  # the Swedish ones were removed
    html = (e2e["base"] / "report" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html or "lang=\"en\"" in html


def test_bad_input_leaves_previous_report(e2e):
    out = e2e["base"] / "report"
    before = (out / "report.html").read_bytes()
    bad = e2e["base"] / "raw" / "synthetic_bad.csv"
    raw = read_export(e2e["raw"])
    raw.loc[2, default_codebook()["ciso"].header] = "Kanske"  # data row 3 = spreadsheet row 4
    write_export(raw, bad)
    args = [a if not a.startswith("raw_path=") else f"raw_path={bad}" for a in e2e["args"]]
    r = _cli("run", *args, cwd=e2e["root"])
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    first = r.stderr.strip().splitlines()[0]
    assert "01_clean.ipynb" in first and "synthetic_bad.csv" in first and "row 4" in first and "Kanske" in first
    assert (out / "report.html").read_bytes() == before


def test_parallel_and_sequential_runs_agree(e2e, tmp_path):
    """The first run used --jobs default (02 and 03 side by side); rerun everything with --jobs 1,
    in the language of the last run there (the figures are drawn in the run's language only)."""
    import json

    seq = tmp_path / "seq"
    reference = next(a for a in e2e["args"] if a.startswith("reference_dir="))
    lang = json.loads((e2e["base"] / "report" / "provenance.json").read_text(encoding="utf-8"))["params"]["lang"]
    r = _cli("run", "--force", "--jobs", "1", "-p", f"raw_path={e2e['raw']}", "-p", reference, "-p", f"lang={lang}",
             "-p", f"processed_dir={seq / 'processed'}", "-p", f"output_dir={seq / 'report'}", cwd=e2e["root"])
    assert r.returncode == 0, r.stderr
    assert _digests(seq / "processed") == _digests(e2e["base"] / "processed")
    d_seq, d_par = _digests(seq / "report"), _digests(e2e["base"] / "report")
    assert len(d_seq) > 10 and d_seq == d_par
    shutil.rmtree(seq)


def test_a_second_wave_is_compared_with_the_first(e2e, tmp_path):
    """Wave 2023 through the real runner, compared with the e2e run's 2019 processed data: 05_compare
    runs before the report, the report has the change section, the index lists both waves, and a
    second run executes nothing."""
    raw = tmp_path / "raw" / "synthetic_skr_infosak_2023.csv"
    r = _cli("synthesize", "--wave", "2023", "--out", str(raw), cwd=e2e["root"])
    assert r.returncode == 0, r.stderr
    reference = next(a for a in e2e["args"] if a.startswith("reference_dir="))
    args = ["-p", "wave=2023", "-p", f"raw_path={raw}", "-p", reference,
            "-p", f"processed_dir={tmp_path / 'processed'}",
            "-p", f"output_dir={tmp_path / 'report'}", "-p", "compare_with=2019",
            "-p", f"compare_dir={e2e['base'] / 'processed'}"]
    first = _cli("run", *args, cwd=e2e["root"])
    assert first.returncode == 0, first.stdout + first.stderr
    out = tmp_path / "report"
    for step in STEPS:
        assert f"[{step}] done in" in first.stdout, step
    assert first.stdout.index("[05_compare] done") < first.stdout.index("[04_report] running")
    change = pd.read_csv(out / "tables" / "change.csv", encoding="utf-8-sig")
    assert len(change) == 12 and set(change["wave_from"]) == {2019} and set(change["wave_to"]) == {2023}
    assert (out / "figures" / "trend_sv.png").is_file() and not (out / "figures" / "trend_en.png").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="change"' in html and "Förändring sedan 2019" in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2019" in index and "2023 (denna)" in index
    again = _cli("run", *args, cwd=e2e["root"])
    assert again.returncode == 0 and "running" not in again.stdout, again.stdout
    # without the earlier wave's data the run stops before any notebook, naming the folder
    missing = _cli("run", *args[:-1], f"compare_dir={tmp_path / 'nowhere'}", cwd=e2e["root"])
    assert missing.returncode == 2 and "nowhere" in missing.stderr and "Traceback" not in missing.stderr


def test_every_result_file_is_recorded_by_exactly_one_step(e2e):
    """The runner keeps the SHA-256 of every file each step wrote (.pipeline/<step>.json) to
    notice files rewritten behind its back: together the records cover every result, once."""
    import json
    from collections import Counter

    folders = {"processed_dir": e2e["base"] / "processed", "output_dir": e2e["base"] / "report"}
    claimed = Counter()
    for folder in folders.values():
        for record in (folder / ".pipeline").glob("*.json"):
            claimed.update(list(json.loads(record.read_text())["products"]))
    files = {f"{key}/{p.relative_to(folder).as_posix()}" for key, folder in folders.items()
             for p in folder.rglob("*")
             if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}
    assert len(files) > 30  # the figures: 6 PNGs in the run's language (no SVG, no second language)
    assert set(claimed) == files and set(claimed.values()) == {1}
