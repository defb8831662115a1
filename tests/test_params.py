"""Parameter merging and validation: defaults < file < -p, errors name the key."""

import pytest
import yaml

from analysis.run import params


def test_defaults_resolve_against_root(root):
    P = params.load(root=root)
    assert P["wave"] == 2019 and P["lang"] == "sv" and P["alpha"] == 0.05
    assert P["processed_dir"] == str(root / "data/processed/2019")
    assert P["output_dir"] == str(root / "reports/2019")
    assert P["raw_path"] == str(root / "data/raw/synthetic_skr_infosak_2019.csv")


def test_file_then_overrides_win(root, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump({"lang": "en", "alpha": 0.1, "wave": 2021}))
    P = params.load(f, ["alpha=0.2", "output_dir=/tmp/out"], root=root)
    assert P["lang"] == "en"  # from the file
    assert P["alpha"] == 0.2  # -p beats the file
    assert P["wave"] == 2021
    assert P["processed_dir"] == str(root / "data/processed/2021")  # {wave} filled from the file
    assert P["output_dir"] == "/tmp/out"  # absolute paths are kept


def test_int_given_for_float_is_accepted(root):
    assert params.load(overrides=["alpha=1e-1"], root=root)["alpha"] == 0.1


@pytest.mark.parametrize(
    "override, key",
    [("colour=red", "colour"), ("wave=twenty", "wave"), ("lang=de", "lang"), ("alpha=2", "alpha"),
     ("seed=1.5", "seed"), ("min_cell=0", "min_cell"), ("wave=true", "wave"), ("max_rows=0", "max_rows"),
     ("max_rows=1e3", "max_rows"), ("max_input_mb=0", "max_input_mb"), ("max_input_mb=-1", "max_input_mb"),
     ("max_input_mb=.inf", "max_input_mb"), ("max_input_mb=lots", "max_input_mb")],
)
def test_bad_override_names_the_key(root, override, key):
    with pytest.raises(params.ParamError) as exc:
        params.load(overrides=[override], root=root)
    assert repr(key) in str(exc.value)


def test_unknown_key_in_file(root, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("langauge: en\n")
    with pytest.raises(params.ParamError, match="'langauge'"):
        params.load(f, root=root)


def test_override_without_equals(root):
    with pytest.raises(params.ParamError, match="KEY=VALUE"):
        params.load(overrides=["lang"], root=root)


def test_cli_rejects_bad_param_before_running(root):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "analysis", "run", "-p", "alpha=abc"],
                       capture_output=True, text=True, cwd=root)
    assert r.returncode == 2
    assert "'alpha'" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("override, key", [
    ("output_dir=.", "output_dir"),                     # the project root itself
    ("output_dir=/", "output_dir"),                     # a parent of everything
    ("processed_dir=data/raw", "processed_dir"),        # the raw export's folder
    ("processed_dir=reports/2019/proc", "processed_dir"),  # inside output_dir
    ("output_dir=data/processed/2019", "output_dir"),   # the same as processed_dir
    ("seed=-1", "seed"),
])
def test_dangerous_or_invalid_values_are_refused(root, override, key):
    with pytest.raises(params.ParamError) as exc:
        params.load(overrides=[override], root=root)
    assert repr(key) in str(exc.value)


def test_read_limits_are_parameters(root):
    P = params.load(overrides=["max_rows=500", "max_input_mb=1.5"], root=root)
    assert P["max_rows"] == 500 and P["max_input_mb"] == 1.5
    assert params.load(root=root)["max_input_mb"] == 200.0
