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
    from analysis import reference

    missing = reference.missing_files(REFERENCE_DIR)
    if missing:
        pytest.fail(f"reference data missing in {REFERENCE_DIR}: {missing}; run `make` first")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def codebook():
    from analysis.codebook import default_codebook

    return default_codebook()


@pytest.fixture(scope="session")
def register(reference_dir):
    from analysis.reference import load_register

    return load_register(reference_dir)
