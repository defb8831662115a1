"""Parameter merging, coercion and validation: defaults < file < -p, errors name the key; the earlier wave
to compare with (compare_with, compare_dir)."""

import pytest
import yaml

from analysis.base.errors import ParamError
from analysis.base.paths import project_root
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
    with pytest.raises(ParamError) as exc:
        params.load(overrides=[override], root=root)
    assert repr(key) in str(exc.value)


def test_unknown_key_in_file(root, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("langauge: en\n")
    with pytest.raises(ParamError, match="'langauge'"):
        params.load(f, root=root)


def test_override_without_equals(root):
    with pytest.raises(ParamError, match="KEY=VALUE"):
        params.load(overrides=["lang"], root=root)


@pytest.mark.parametrize("override, key", [
    ("output_dir=.", "output_dir"),                     # the project root itself
    ("output_dir=/", "output_dir"),                     # a parent of everything
    ("processed_dir=data/raw", "processed_dir"),        # the raw export's folder
    ("processed_dir=reports/2019/proc", "processed_dir"),  # inside output_dir
    ("output_dir=data/processed/2019", "output_dir"),   # the same as processed_dir
    ("seed=-1", "seed"),
])
def test_dangerous_or_invalid_values_are_refused(root, override, key):
    with pytest.raises(ParamError) as exc:
        params.load(overrides=[override], root=root)
    assert repr(key) in str(exc.value)


def test_read_limits_are_parameters(root):
    P = params.load(overrides=["max_rows=500", "max_input_mb=1.5"], root=root)
    assert P["max_rows"] == 500 and P["max_input_mb"] == 1.5
    assert params.load(root=root)["max_input_mb"] == 200.0


def test_wave_is_filled_in_literally():
    assert params.fill_wave("output_dir", "reports/{wave}/x{wave}", 2019) == "reports/2019/x2019"
    P = params.resolve(params.merge(params.load_yaml(project_root() / params.DEFAULT_FILE)))
    assert P["output_dir"].endswith("reports/2019")


# ----------------------------------------------------------------------------------- coercion
@pytest.mark.parametrize("key, text, value", [
    ("alpha", "0.1", 0.1), ("alpha", "1e-1", 0.1), ("alpha", 1e-1, 0.1), ("max_input_mb", "2", 2.0),
    ("wave", "2023", 2023), ("seed", "0", 0), ("seed", str(2**32 - 1), 2**32 - 1), ("min_cell", 1, 1),
    ("lang", "en", "en"), ("raw_path", "data/raw/x.csv", "data/raw/x.csv"),
    ("compare_with", "2019", 2019), ("compare_with", "previous", "previous"), ("compare_with", "null", None),
    ("compare_dir", "~", None), ("compare_dir", "", None), ("compare_dir", "data/processed/{compare_with}",
                                                              "data/processed/{compare_with}"),
])
def test_command_line_text_is_read_as_the_keys_type(key, text, value):
    got = params.coerce(key, text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("key, value, says", [
    ("alpha", 0.0, "must be between 0 and 1"), ("alpha", 1.0, "must be between 0 and 1"),
    ("seed", 2**32, "must be between 0 and 2**32 - 1"), ("min_cell", 0, "must be at least 1"),
    ("max_rows", 0, "must be at least 1"), ("max_input_mb", float("inf"), "must be a positive number of megabytes"),
    ("wave", True, "must be int"), ("alpha", "abc", "must be float"), ("lang", "de", "must be one of ('sv', 'en')"),
    ("compare_with", "2019.5", "must be a wave (e.g. 2019), 'previous' or null"),
    ("compare_dir", 5, "must be a path or null"),
])
def test_a_value_out_of_range_says_what_it_must_be_in_one_line(key, value, says):
    with pytest.raises(ParamError) as exc:
        params.coerce(key, value)
    assert str(exc.value).startswith(f"parameter {key!r} {says}") and "\n" not in str(exc.value)
    assert str(exc.value).endswith(f"got {value!r}") or key.startswith("compare")


def test_a_missing_key_is_named_and_optional_keys_get_their_defaults():
    with pytest.raises(ParamError, match="parameters not set: lang"):
        params.merge({k: v for k, v in {"wave": 2019, "raw_path": "r", "reference_dir": "e", "processed_dir": "p",
                                        "output_dir": "o", "alpha": 0.05, "seed": 1, "min_cell": 5}.items()})
    merged = params.merge({"wave": 2019, "raw_path": "r", "reference_dir": "e", "processed_dir": "p",
                           "output_dir": "o", "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5})
    assert {k: merged[k] for k in params.OPTIONAL} == params.OPTIONAL


def test_previous_is_the_latest_earlier_wave_with_processed_data(root, tmp_path):
    for wave in (2015, 2019, 2023):
        (tmp_path / str(wave)).mkdir()
    for wave in (2015, 2019):
        (tmp_path / str(wave) / "run_info.json").write_text("{}")
    pattern = str(tmp_path / "{compare_with}")
    assert params._previous_wave(pattern, 2023, root) == 2019  # 2023 itself is not earlier
    assert params._previous_wave(pattern, 2019, root) == 2015
    assert params._previous_wave(pattern, 2015, root) is None
    with pytest.raises(ParamError, match="must contain {compare_with}"):
        params._previous_wave(str(tmp_path / "2019"), 2023, root)


def test_only_the_runners_kernels_count_as_the_runner(monkeypatch):
    monkeypatch.setenv(params.RUNNER_ENV, "1")
    assert params.in_runner()
    monkeypatch.setenv(params.RUNNER_ENV, "0")
    assert not params.in_runner()
    monkeypatch.delenv(params.RUNNER_ENV)
    assert not params.in_runner()


# ------------------------------------------------------------------------------- the earlier wave
def _P(root, tmp_path, **kw):
    from analysis.run import params

    base = {"wave": 2023, "raw_path": "raw.csv", "reference_dir": "ref",
            "processed_dir": str(tmp_path / "proc" / "{wave}"), "output_dir": str(tmp_path / "out" / "{wave}"),
            "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5,
            "compare_dir": str(tmp_path / "proc" / "{compare_with}")}
    base.update(kw)
    return params.resolve(params.merge(base), root)


def test_compare_with_previous_finds_the_latest_earlier_wave(root, tmp_path):
    from analysis.run import params

    assert _P(root, tmp_path)["compare_with"] is None  # nothing processed yet
    for w in (2015, 2019, 2023, 2027):
        (tmp_path / "proc" / str(w)).mkdir(parents=True)
        (tmp_path / "proc" / str(w) / "run_info.json").write_text("{}")
    (tmp_path / "proc" / "2021").mkdir()  # no run_info.json: not a processed wave
    P = _P(root, tmp_path)
    assert P["compare_with"] == 2019 and P["compare_dir"] == str(tmp_path / "proc" / "2019")
    assert _P(root, tmp_path, compare_with=2015)["compare_dir"] == str(tmp_path / "proc" / "2015")
    assert _P(root, tmp_path, compare_with=None)["compare_dir"] is None
    assert _P(root, tmp_path, wave=2019)["compare_with"] == 2015
    for bad, key in ((dict(compare_with=2023), "compare_with"), (dict(compare_with="last"), "compare_with"),
                     (dict(compare_with=2019, compare_dir=str(tmp_path / "proc" / "{wave}")), "compare_dir")):
        with pytest.raises(params.ParamError, match=repr(key)):
            _P(root, tmp_path, **bad)
    # resolving twice (the runner, then the notebook) gives the same values
    again = params.resolve(params.merge(P), root)
    assert {k: again[k] for k in ("compare_with", "compare_dir")} == {k: P[k] for k in ("compare_with", "compare_dir")}


def test_old_parameter_files_without_the_compare_keys_still_work(root):
    from analysis.run import params

    P = params.resolve(params.merge({"wave": 2019, "raw_path": "r.csv", "reference_dir": "ref",
                                     "processed_dir": "data/processed/{wave}", "output_dir": "reports/{wave}",
                                     "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5}), root)
    assert P["compare_with"] is None and P["compare_dir"] is None
    assert params.load(overrides=["compare_with=null"], root=root)["compare_with"] is None
