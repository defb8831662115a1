"""The DAG: the pipeline's steps in dependency order, their content hashes (content, not times), the
records and the up-to-date checks (hash unchanged, outputs present and as the runner wrote them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.base import contracts
from analysis.base.io import write_json
from analysis.run import dag, params


@pytest.fixture()
def project(tmp_path):
    """A root with one notebook, a raw file and the run's two folders; P as resolved parameters."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "x.ipynb").write_text("{}")
    (tmp_path / "raw.txt").write_text("hello")
    P = {"processed_dir": str(tmp_path / "processed"), "output_dir": str(tmp_path / "out"),
         "reference_dir": str(tmp_path / "ref"), "raw_path": str(tmp_path / "raw.txt"), "lang": "sv"}
    return tmp_path, P


def _step(**kw) -> dag.Step:
    args = dict(name="x", notebook="notebooks/x.ipynb", home="output", needs=(), keys=("lang",),
                inputs=lambda P: [Path(P["raw_path"])], outputs=lambda P: [Path(P["output_dir"]) / "x.txt"])
    return dag.Step(**{**args, **kw})


def _hash(step, P, root, code="code", git="") -> str:
    return dag.step_hash(step, dag.logical(P, root), P, root, code, git)


def test_every_step_comes_after_the_steps_it_needs():
    seen: set[str] = set()
    for step in dag.STEPS:
        assert set(step.needs) <= seen, step.name
        seen.add(step.name)
    assert [s.name for s in dag.STEPS if s.finishes] == [dag.STEPS[-1].name] == ["04_report"]
    assert set(dag.STEPS[-1].keys) == set(params.SCHEMA)  # the report depends on every parameter


def test_the_hash_follows_content_not_modification_times(project):
    root, P = project
    step = _step()
    first = _hash(step, P, root)
    os.utime(root / "raw.txt", (1, 1))
    assert _hash(step, P, root) == first  # touched, same bytes
    (root / "raw.txt").write_text("changed")
    assert _hash(step, P, root) != first
    assert _hash(step, dict(P, lang="en"), root) != _hash(step, P, root)  # a key of the step
    assert _hash(step, dict(P, raw_path=P["raw_path"]), root, code="other") != _hash(step, P, root)


def test_only_the_finishing_step_depends_on_the_git_state(project):
    root, P = project
    assert _hash(_step(), P, root, git="a") == _hash(_step(), P, root, git="b")
    assert _hash(_step(finishes=True), P, root, git="a") != _hash(_step(finishes=True), P, root, git="b")


def test_a_moved_checkout_keeps_its_labels(project, tmp_path_factory):
    root, P = project
    assert dag.label(Path(P["output_dir"]) / "tables" / "a.csv", P) == "output_dir/tables/a.csv"
    assert dag.label(root / "notebooks" / "x.ipynb", P, root) == "root/notebooks/x.ipynb"
    assert dag.label(Path("/elsewhere/f"), P, root) == "/elsewhere/f"
    assert dag.unlabel("output_dir/tables/a.csv", P) == Path(P["output_dir"]) / "tables" / "a.csv"
    assert dag.unlabel("output_dir/../../etc/passwd", P) is None and dag.unlabel("root/x", P) is None
    assert dag.logical(P, root)["output_dir"] == "out" and dag.logical(P, root)["lang"] == "sv"


def _ran(step, P, digest) -> None:
    """What the runner leaves after `step` ran: its output and its record."""
    out = Path(P["output_dir"]) / "x.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("X")
    write_json({"step": step.name, "hash": digest, "products": dag.products_digest(step, P, render=False)},
               dag.record_path(P, step))


def test_up_to_date_means_same_hash_outputs_present_and_products_unchanged(project):
    root, P = project
    step = _step()
    digest = _hash(step, P, root)
    assert not dag.is_up_to_date(step, P, digest) and dag.changed_products(step, P) is None  # no record
    _ran(step, P, digest)
    assert dag.record_path(P, step) == Path(P["output_dir"]) / ".pipeline" / "x.json"
    assert dag.is_up_to_date(step, P, digest) and dag.changed_products(step, P) == []
    assert not dag.is_up_to_date(step, P, "another hash")
    (Path(P["output_dir"]) / "x.txt").write_text("by hand")
    assert dag.changed_products(step, P) == ["output_dir/x.txt"] and not dag.is_up_to_date(step, P, digest)
    assert dag.what_changed(["output_dir/x.txt"], P) == "output_dir/x.txt differs from what the runner wrote"
    (Path(P["output_dir"]) / "x.txt").unlink()
    assert dag.what_changed(["output_dir/x.txt", "output_dir/a", "output_dir/b"], P) == (
        "output_dir/x.txt, output_dir/a and 1 more are missing")


def test_a_rerun_first_removes_what_the_step_wrote_last_time(project):
    root, P = project
    step = _step(products=lambda P: [Path(P["output_dir"]) / "x.txt", Path(P["output_dir"]) / "old.bin"])
    (Path(P["output_dir"])).mkdir()
    (Path(P["output_dir"]) / "old.bin").write_bytes(b"1")
    (Path(P["output_dir"]) / "yours.txt").write_text("not recorded")
    _ran(step, P, "h")
    dag.remove_products(step, P)
    assert sorted(p.name for p in Path(P["output_dir"]).iterdir()) == [".pipeline", "yours.txt"]


def test_files_under_skip_records_dot_files_and_excluded_names(tmp_path):
    for rel in ("a.csv", "tables/b.csv", ".pipeline/x.json", ".hidden", "report.html"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("1")
    assert [p.relative_to(tmp_path).as_posix() for p in dag.files_under(tmp_path, exclude=("report.html",))] == [
        "a.csv", "tables/b.csv"]
    assert dag.files_under(tmp_path / "missing") == []


def test_what_a_step_writes_comes_from_the_contracts(project):
    root, P = project
    written = {c.path for c in contracts.CONTRACTS.values() if c.writer == "05_compare"}
    assert {p.relative_to(P["output_dir"]).as_posix() for p in dag.contract_files("05_compare", P)} == written
    assert dag.compare_outputs(dict(P, compare_with=None)) == []
    compared = dag.compare_outputs(dict(P, compare_with=2019))
    assert compared[-1] == Path(P["output_dir"]) / "figures" / "trend_sv.png"
    assert set(compared[:-1]) == set(dag.contract_files("05_compare", P))


def test_a_steps_products_include_the_figures_its_summary_lists(project):
    root, P = project
    out = Path(P["output_dir"])
    out.mkdir()
    (out / "describe_summary.json").write_text(json.dumps({"figures": ["figures/a_sv.png", 3]}))
    step = next(s for s in dag.STEPS if s.name == "02_describe")
    products = step.products(P)
    assert out / "figures" / "a_sv.png" in products and out / "tables" / "headline.csv" in products
    (out / "describe_summary.json").write_text("not json")
    assert out / "figures" / "a_sv.png" not in step.products(P)
