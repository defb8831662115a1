"""Shared fixtures and helpers of every test folder: the project root, the reference data, the codebook,
the register and the public record, Chromium, the synthetic data, a small real run, the hand-made export,
strict JSON; and the test tiers (which tests are `unit`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import analysis  # noqa: F401  (first: it spares every test process a slow optional import, see its __init__)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "data" / "external"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    from analysis.base import reference

    missing = reference.missing_files(REFERENCE_DIR)
    if missing:
        pytest.fail(f"reference data missing in {REFERENCE_DIR}: {missing}; run `make` first")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def codebook():
    from analysis.base.codebook import default_codebook

    return default_codebook()


@pytest.fixture(scope="session")
def register(reference_dir):
    from analysis.base.reference import load_register

    return load_register(reference_dir)


@pytest.fixture(scope="session")
def published_series(reference_dir):
    """The public record (published_series.csv) as analysis.base.reference loads it."""
    from analysis.base import reference

    return reference.load_published_series(reference_dir)


# Debian's Chromium (`.ci/run` installs it), driven by Playwright in test_browser and test_lab.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
needs_chromium = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                    reason=f"{CHROMIUM} missing (CI installs Debian's chromium)")


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for one test module. Per module, not per session: Playwright's sync API
    keeps an event loop running while it is open, and other modules run nbclient's asyncio loops."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


class _SyntheticData:
    """The generator's default exports and their cleaned analysis frames, each made once per test
    process (a worker, under xdist) and handed out as copies, so a test may change what it gets."""

    def __init__(self, register, reference_dir):
        self._register, self._reference_dir = register, reference_dir
        self._exports: dict = {}
        self._analyses: dict = {}

    def _export(self, seed: int, wave: int):
        if (seed, wave) not in self._exports:
            from analysis.base import reference
            from analysis.synthetic import generator as synthetic

            series = None if wave == 2019 else reference.load_published_series(self._reference_dir)
            self._exports[seed, wave] = synthetic.generate(self._register, seed=seed, wave=wave,
                                                           published_series=series)
        return self._exports[seed, wave]

    def export(self, seed: int = 2019, wave: int = 2019):
        """(raw, truth) of synthetic.generate(register, seed=seed, wave=wave), with 2023 calibrated to
        published_series.csv as in `make data`."""
        import copy

        raw, truth = self._export(seed, wave)
        return raw.copy(), copy.deepcopy(truth)

    def analysis(self, seed: int = 2019, wave: int = 2019):
        """The analysis frame clean.clean gives for export(seed, wave) through the wave's codebook."""
        if (seed, wave) not in self._analyses:
            from analysis.base.waves import codebook_for
            from analysis.compute import clean

            raw, _ = self._export(seed, wave)
            self._analyses[seed, wave] = clean.clean(raw, self._register, codebook_for(wave),
                                                     f"synthetic_skr_infosak_{wave}.csv").analysis
        return self._analyses[seed, wave].copy()


@pytest.fixture(scope="session")
def synthetic_data(register, reference_dir) -> _SyntheticData:
    """synthetic_data.export(seed, wave) and synthetic_data.analysis(seed, wave): see _SyntheticData."""
    return _SyntheticData(register, reference_dir)


def write_processed(register, folder, seed: int = 2019, raw_name: str = "synthetic_skr_infosak_2019.csv"):
    """Clean the synthetic export of `seed` and write the processed files to `folder` through the
    runner's writers (each validated against its contract); returns the CleanResult."""
    from analysis.base import contracts
    from analysis.compute import clean
    from analysis.synthetic import generator as synthetic

    raw, _ = synthetic.generate(register, seed=seed)
    res = clean.clean(raw, register, source=raw_name)
    for name, df in (("responses", res.responses), ("analysis", res.analysis), ("cleaning_log", res.log)):
        contracts.write_table(name, df, folder)
    contracts.write_json("run_info", res.run_info, folder)
    return res


def audit_table(name: str, df, frame, min_cell: int = 5):
    """analysis.compute.disclosure.audit of one table `name` as published (its cells read back exactly,
    as analysis.present.published does), against the register of `frame` (all 290 rows)."""
    import pandas as pd

    from analysis.base.codebook import MATURITY_AREAS
    from analysis.compute import disclosure
    from analysis.present import published

    recs = published._frame_records(df.astype(object).where(df.notna(), None), name, name, exact=True)
    return disclosure.audit(pd.DataFrame(recs, columns=disclosure.RECORD_COLUMNS),
                            frame[["kommungrupp", "huvudgrupp", "lan_kod"]], min_cell, tuple(MATURITY_AREAS))


def _small_params(base, lang: str, reference_dir, raw, **over):
    from analysis.run import params

    return params.resolve(params.merge(params.load_yaml(ROOT / params.DEFAULT_FILE), {
        "wave": 2019, "raw_path": str(raw), "reference_dir": str(reference_dir),
        "processed_dir": str(base / "processed"), "output_dir": str(base / f"reports_{lang}"), "lang": lang,
        "alpha": 0.05, "seed": 2019, "min_cell": 5, **over}))


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, register, reference_dir):
    """A real run of every step's code on the default synthetic export, in-process (no kernels):
    01 once, 02, 03 and the report in Swedish and in English (02 and 03 draw their figures in the
    run's language only). Returns {"sv": P, "en": P}."""
    from analysis.base import io
    from analysis.run.steps import clean as clean_step
    from analysis.run.steps import describe as describe_step
    from analysis.run.steps import model as model_step
    from analysis.run.steps import report as report_step
    from analysis.synthetic import generator as synthetic

    base = tmp_path_factory.mktemp("small_run")
    raw = base / "raw" / "synthetic_skr_infosak_2019.csv"
    io.write_export(synthetic.generate(register, seed=2019)[0], raw)
    P = _small_params(base, "sv", reference_dir, raw)
    clean_step.run(P)
    out = {"sv": P, "en": _small_params(base, "en", reference_dir, raw)}
    for p in out.values():
        describe_step.run(p)
        model_step.run(p)
        report_step.run(p)
    return out


# ------------------------------------------------------------------------------ the hand-made export
# Seven submissions with known answers: tests/compute/clean/test_stages.py spells out what cleaning
# gives for each, tests/run/steps/test_clean.py runs step 01 on it (good and broken).
HAND_MADE_AREAS = ["risk_management", "classification", "incident_management", "continuity", "awareness",
                   "procurement", "follow_up"]
_HAND_MADE_PEOPLE = {
    "R01": ("Anna Andersson", "anna.andersson@stockholm.se", "070-111 11 11", "CISO"),
    "R02": ("Bo Berg", "bo.berg@upplandsvasby.se", "08-222 22 22", "IT-chef"),
    "R03": ("Cecilia Ceder", "cecilia@solna.se", "073-333 33 33", "Säkerhetschef"),
    "R04": ("David Dahl", "david.dahl@stockholm.se", "070-444 44 44", "Informationssäkerhetssamordnare"),
    "R05": ("Eva Ek", "eva.ek@monsteras.se", "0499-555 55", "Kommundirektör"),
    "R06": ("Fredrik Fors", "fredrik.fors@monsteras.se", "0499-666 66", "Arkivarie"),
    "R07": ("Gun Gran", "gun.gran@ostragoinge.se", "044-777 77 77", "Utredare"),
}


def _hand_made_row(rid, name, code, submitted, started="2019-03-01 09:00", ciso="Ja", share="50 %",
                   informed="Ja, regelbundet", plans="Nej", res="Ja", collab="Nej",
                   areas=("Etablerat",) * 7, rating="3", comment=""):
    from analysis.base.codebook import default_codebook

    H = {v.id: v.header for v in default_codebook().variables}
    person = _HAND_MADE_PEOPLE[rid]
    d = {
        "response_id": rid, "started_at": started, "submitted_at": submitted,
        "municipality_name": name, "municipality_code": code,
        "respondent_name": person[0], "respondent_email": person[1], "respondent_phone": person[2],
        "respondent_title": person[3],
        "ciso": ciso, "ciso_share": share, "leadership_informed": informed, "action_plans": plans,
        "resources": res, "collaboration": collab, "self_rating": rating, "comment": comment,
    }
    d.update(zip(HAND_MADE_AREAS, areas, strict=True))
    return {H[k]: v for k, v in d.items()}


def hand_made():
    """Seven submissions (a DataFrame of text, raw headers); the expected result of each is spelt out in
    tests/compute/clean/test_stages.py's test_hand_made_*."""
    import pandas as pd

    _row = _hand_made_row
    rows = [
        _row("R01", "Stockholm", "0180", "2019-03-02 10:00", share="50 %"),
        _row("R02", "upplands-väsby  kommun", "114", "2019-03-02 11:00", ciso=" ja ", share="0,25",
             informed="JA, VID BEHOV", collab="Vet ej", rating="4",
             areas=("Inget arbetssätt", "Under uppbyggnad", "Delvis etablerat", "Etablerat",
                    "Etablerat och följs upp", "Vet ej", "Etablerat")),
        _row("R03", "Solna kommun", "", "", share="10"),
        _row("R04", "Stockholms kommun", "180", "2019-03-05 08:00", share="75", plans="Ja", rating="5",
             comment="Vi arbetar; med =SUM(A1) och <b>HTML</b>"),
        _row("R05", "Mönsterås", "0861", "2019-03-03 12:00", started="2019-03-01 08:00", share="1"),
        _row("R06", "MÖNSTERÅS KOMMUN", "", "2019-03-03 12:00", started="2019-03-01 09:30", share="",
             ciso="Nej", informed="Nej", res="", collab="Ja", rating="1",
             areas=("Etablerat och följs upp",) * 3 + ("", "Etablerat", "Etablerat", "Etablerat")),
        _row("R07", "Östra Göinge", "1256", "2019-03-04 09:00", ciso="Vet ej", share="", informed="Vet ej",
             plans="", rating="", areas=("",) * 7),
    ]
    return pd.DataFrame(rows).astype("str")


@pytest.fixture(scope="session")
def hand_made_result(register):
    """clean.clean of hand_made() through the 2019 codebook (source "hand_made.csv"), made once."""
    from analysis.base.codebook import default_codebook
    from analysis.compute import clean

    return clean.clean(hand_made(), register, default_codebook(), "hand_made.csv")


def log_count(result, action, column=""):
    """The count the cleaning log of `result` gives for `action` (on `column`, if given), summed."""
    lg = result.log
    sel = lg[(lg["action"] == action) & ((lg["column"] == column) if column else True)]
    return int(sel["count"].sum())


def strict_load(path):
    """A JSON file read strictly: NaN, Infinity and -Infinity are refused (ValueError), as JSON has none."""
    import json

    def refuse(name):
        raise ValueError(f"{path}: {name} is not JSON")
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


# Text a codebook or a register could carry that must never run in a page or a spreadsheet.
HOSTILE = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '"><svg onload=alert(3)>',
           '=HYPERLINK("http://evil.example","x")']


# ------------------------------------------------------------------------------ test tiers
# `make test` runs everything. `make test-fast` (pytest -m unit) runs the unit tests only: no
# kernels or papermill, no browser, no R, no end-to-end runs (the CLI, the runner, the in-process
# runs of every step in small_run/two_wave_run), no slow simulation.
# The `unit` mark is given here, centrally, by one rule: everything under tests/scenarios/ (the whole
# pipeline, the fault cases, the browser, R, a whole step end to end) is not unit; any other test is
# unit unless it uses a fixture of NOT_UNIT_FIXTURES, is marked slow or browser, or is listed in
# NOT_UNIT_TESTS by its path under tests/ and its name. A slow test of several modules belongs in
# tests/scenarios/; the list is for a slow test of one module, kept beside that module's other tests.
TESTS = Path(__file__).resolve().parent
SCENARIOS = TESTS / "scenarios"
NOT_UNIT_FIXTURES = {"small_run"}  # the other whole-run fixtures are those of tests/scenarios/ modules
NOT_UNIT_TESTS = {
    # a kernel, a notebook page rendered by nbconvert
    "run/test_finish.py::test_a_notebook_page_is_written_where_the_step_records_it",
    "run/steps/test_inputs.py::test_the_processed_data_are_read_validated_with_their_source",  # cleans an export (2 s)
    # simulation: the generator over many seeds or rows
    "synthetic/test_generator.py::test_same_seed_same_bytes_different_seed_different",
    "synthetic/test_municipalities.py::test_264_respond_at_every_seed_and_small_rural_answer_less",
    "synthetic/test_municipalities.py::test_planted_effects_recovered_by_pooled_glm",
    "synthetic/test_generator.py::test_headline_shares_mean_over_20_seeds",
    "synthetic/test_generator.py::test_n_rows_scale_is_fast_and_well_formed",
    # every model of a step, a figure, a large file, or the tables over many thresholds (seconds each)
    "compute/models/test_specs.py::test_specs_code_outcomes_as_documented",
    "compute/models/test_sparse.py::test_sparse_group_rule",
    "compute/disclosure/test_complementary.py::test_by_group_tables_stay_underivable_with_a_high_threshold",
    "compute/survey/test_step.py::test_summary_gives_no_weight_or_share_that_says_a_hidden_count",
    "base/io/test_xlsx.py::test_xlsx_row_limit_stops_counting_early",
    "compute/compare/test_trend.py::test_the_trend_figure_draws_the_csv",
    "compute/survey/test_groups.py::test_no_margin_has_a_single_suppressed_cell",
    "compute/survey/test_groups.py::test_by_group_tables_suppress_every_small_cell",
    "compute/survey/test_response.py::test_response_table_suppresses_small_rows_and_reports_a1_with_a2",
    "compute/test_estimable.py::test_estimable_rules_on_the_default_data_and_below_them",
}


def is_scenario(path: Path) -> bool:
    """Whether `path` (a test file or folder) lies in tests/scenarios/."""
    return path == SCENARIOS or SCENARIOS in path.parents


def tier_key(item) -> str:
    """A test's key in NOT_UNIT_TESTS: its file's path under tests/ and its function's name
    ("compute/survey/test_groups.py::test_x"; one key for every parameter set)."""
    path = item.path.relative_to(TESTS) if TESTS in item.path.parents else item.path
    return f"{path.as_posix()}::{getattr(item, 'originalname', item.name)}"


def is_unit(item) -> bool:
    """The tier rule above, for one collected test."""
    return not (is_scenario(item.path) or tier_key(item) in NOT_UNIT_TESTS
                or NOT_UNIT_FIXTURES & set(getattr(item, "fixturenames", ()))
                or item.get_closest_marker("slow") or item.get_closest_marker("browser"))


def pytest_configure(config):
    config.addinivalue_line("markers", "unit: a fast unit test (`make test-fast`); given in conftest.py, "
                                       "not by hand")


def pytest_ignore_collect(collection_path, config):
    """With `-m unit` tests/scenarios/ is not even imported (its imports cost seconds)."""
    if config.getoption("markexpr", "") == "unit" and is_scenario(Path(collection_path)):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if is_unit(item):
            item.add_marker(pytest.mark.unit)
