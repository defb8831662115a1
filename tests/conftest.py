"""Shared fixtures: the project root, the reference data, the codebook and the register."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "data" / "external"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    from analysis.compute import reference

    missing = reference.missing_files(REFERENCE_DIR)
    if missing:
        pytest.fail(f"reference data missing in {REFERENCE_DIR}: {missing}; run `make` first")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def codebook():
    from analysis.compute.codebook import default_codebook

    return default_codebook()


@pytest.fixture(scope="session")
def register(reference_dir):
    from analysis.compute.reference import load_register

    return load_register(reference_dir)


def write_processed(register, folder, seed: int = 2019, raw_name: str = "synthetic_skr_infosak_2019.csv"):
    """Clean the synthetic export of `seed` and write the processed files to `folder` through the
    runner's writers (each validated against its contract); returns the CleanResult."""
    from analysis.compute import clean, synthetic
    from analysis.run import steps

    raw, _ = synthetic.generate(register, seed=seed)
    res = clean.clean(raw, register, source=raw_name)
    for name, df in (("responses", res.responses), ("analysis", res.analysis), ("cleaning_log", res.log)):
        steps.write_table(name, df, folder)
    steps.write_json("run_info", res.run_info, folder)
    return res


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
    from analysis import io
    from analysis.compute import synthetic
    from analysis.run import steps

    base = tmp_path_factory.mktemp("small_run")
    raw = base / "raw" / "synthetic_skr_infosak_2019.csv"
    io.write_export(synthetic.generate(register, seed=2019)[0], raw)
    P = _small_params(base, "sv", reference_dir, raw)
    steps.clean(P)
    out = {"sv": P, "en": _small_params(base, "en", reference_dir, raw)}
    for lang, p in out.items():
        steps.describe(p)
        steps.model(p)
        steps.report(p)
    return out

