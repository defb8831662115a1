"""Bad parameters and bad targets through the real command line: one line each, exit code 2 (bad
parameters) or 1 (a folder the runner must not use), nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "run", *args], check=False, capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.fixture()
def raw(tmp_path, register):
    from analysis.base import io
    from analysis.synthetic import generator as synthetic

    path = tmp_path / "raw" / "synthetic_skr_infosak_2019.csv"
    io.write_export(synthetic.generate(register, seed=2019)[0], path)
    return path


def _args(tmp_path, raw, reference_dir, **over):
    values = {"raw_path": str(raw), "reference_dir": str(reference_dir),
              "processed_dir": str(tmp_path / "processed"), "output_dir": str(tmp_path / "out"), **over}
    return [a for k, v in values.items() for a in ("-p", f"{k}={v}")]


def _one_line(r: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in r.stderr + r.stdout
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "running" not in r.stdout
    return lines[0]


def test_symlink_loop_as_raw_path(root, tmp_path, reference_dir):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    r = _cli(*_args(tmp_path, loop, reference_dir), cwd=root)
    assert r.returncode == 2
    assert _one_line(r) == f"error: parameter 'raw_path': {loop} is a symbolic link loop"


def test_params_file_that_is_a_folder_or_binary(root, tmp_path):
    r = _cli("--params", str(tmp_path), cwd=root)
    assert r.returncode == 2
    assert _one_line(r) == f"error: parameter file {tmp_path} is a folder; expected a YAML file of KEY: VALUE"
    binary = tmp_path / "params.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    r = _cli("--params", str(binary), cwd=root)
    assert r.returncode == 2
    assert _one_line(r) == f"error: parameter file {binary} is not UTF-8 text; expected a YAML file of KEY: VALUE"


@pytest.mark.parametrize("value", ["out/{wave.__class__.__name__}", "out/{x", "out/}", "out/{0}", "out/{}"])
def test_braces_in_a_path_are_refused_and_never_evaluated(root, tmp_path, raw, reference_dir, value):
    r = _cli(*_args(tmp_path, raw, reference_dir, output_dir=str(tmp_path / value)), cwd=root)
    assert r.returncode == 2
    assert _one_line(r) == ("error: parameter 'output_dir': only {wave} may stand in braces in a path, "
                            f"got {str(tmp_path / value)!r}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]  # no folder named "int" or anything


def test_output_dir_that_is_a_file_or_symlink(root, tmp_path, raw, reference_dir):
    afile = tmp_path / "report_file"
    afile.write_text("mine")
    r = _cli(*_args(tmp_path, raw, reference_dir, output_dir=str(afile)), cwd=root)
    assert r.returncode == 1
    assert _one_line(r) == (f"error: output_dir {afile} is a file, not a folder; move it away or choose another "
                            "output_dir")
    assert afile.read_text() == "mine"
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    r = _cli(*_args(tmp_path, raw, reference_dir, output_dir=str(link)), cwd=root)
    assert r.returncode == 1
    assert _one_line(r).startswith(f"error: output_dir {link} is a symbolic link;")
    assert link.is_symlink() and list(target.iterdir()) == []


def test_a_folder_the_runner_did_not_make_is_refused_even_with_force(root, tmp_path, raw, reference_dir):
    system = tmp_path / "etc"
    system.mkdir()
    (system / "passwd").write_text("root:x:0:0")
    for extra in ([], ["--force"]):
        r = _cli(*extra, *_args(tmp_path, raw, reference_dir, output_dir=str(system)), cwd=root)
        assert r.returncode == 1
        line = _one_line(r)  # and no "previous results ... unchanged": they were not ours
        assert line.startswith(f"error: output_dir {system} exists but was not made by this project's runner")
        assert sorted(p.name for p in system.iterdir()) == ["passwd"]
        assert (system / "passwd").read_text() == "root:x:0:0"
    assert not (tmp_path / "processed").exists()
