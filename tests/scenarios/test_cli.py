"""The command line in a subprocess: missing reference data, a missing raw file and a bad parameter
stop early with a clear message."""

import subprocess
import sys

from analysis.base.reference import REQUIRED_FILES


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "analysis", *args], check=False, capture_output=True, text=True,
                          cwd=cwd)


def test_missing_reference_names_every_file_and_publisher(root, tmp_path):
    r = _cli("check-reference", str(tmp_path), cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for name in REQUIRED_FILES:
        assert name in r.stderr
    assert "scb.se" in r.stderr and "skr.se" in r.stderr


def test_present_reference_passes(root, reference_dir):
    assert _cli("check-reference", str(reference_dir), cwd=root).returncode == 0


def test_missing_raw_file_stops_before_any_notebook(root, tmp_path, reference_dir):
    r = _cli("run", "-p", f"raw_path={tmp_path / 'nope.csv'}", "-p", f"output_dir={tmp_path / 'out'}",
             "-p", f"reference_dir={reference_dir}", cwd=root)
    assert r.returncode == 2
    assert "nope.csv" in r.stderr and "Traceback" not in r.stderr
    assert "running" not in r.stdout and not (tmp_path / "out").exists()


def test_usage_without_command(root):
    r = _cli(cwd=root)
    assert r.returncode == 2 and "run" in r.stderr and "synthesize" in r.stderr


def test_cli_rejects_bad_param_before_running(root):
    r = subprocess.run([sys.executable, "-m", "analysis", "run", "-p", "alpha=abc"],
                       check=False, capture_output=True, text=True, cwd=root)
    assert r.returncode == 2
    assert "'alpha'" in r.stderr and "Traceback" not in r.stderr
