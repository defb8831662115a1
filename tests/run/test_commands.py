"""The small commands in-process: check-reference names every missing file and its publisher, and
contracts writes docs/contracts.md from the contracts."""

from __future__ import annotations

from analysis.base import contracts
from analysis.base.reference import REQUIRED_FILES
from analysis.run import commands


def test_missing_reference_names_every_file_and_publisher(tmp_path, capsys):
    assert commands.check_reference([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: reference data missing in {tmp_path}:")
    for name, source in REQUIRED_FILES.items():
        assert f"  {name}: {source}" in err


def test_present_reference_passes(reference_dir, capsys):
    assert commands.check_reference([str(reference_dir)]) == 0
    assert capsys.readouterr().err == ""


def test_contracts_writes_the_generated_page(tmp_path, capsys):
    target = tmp_path / "contracts.md"
    assert commands.write_contracts([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == contracts.contracts_markdown()
    assert capsys.readouterr().out == f"wrote {target}\n"
