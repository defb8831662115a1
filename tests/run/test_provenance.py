"""What a result depends on besides its input files: the git state (untracked files count, the run's
own folders never) and the installed packages, read the same way for the step hashes and the report."""

from __future__ import annotations

import subprocess

from analysis.run import provenance
from fakedag import params as _params


def test_untracked_files_count_in_the_hash_and_in_the_report_provenance(tmp_path):
    """One git state for both: an untracked file changes the report step's hash and makes the
    provenance say 'uncommitted changes'; files in the run's own folders count for neither."""
    root = tmp_path / "repo"
    root.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    (root / "code.py").write_text("x = 1\n")
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    P = _params(root)
    folders = (P["processed_dir"], P["output_dir"])

    def state():
        prov = provenance.collect(P, root)
        return provenance.git_state(root, folders), prov["git_dirty"], prov["git_changes"]

    clean, dirty, n = state()
    assert (dirty, n) == (False, 0)
    (root / "out").mkdir()
    (root / "out" / "report.html").write_text("results")  # the run's own output: not a change
    (root / ".out.staging-12").mkdir()
    (root / ".out.staging-12" / "x").write_text("staging")
    assert state() == (clean, False, 0)
    (root / "notes.txt").write_text("untracked")
    changed, dirty, n = state()
    assert changed != clean and (dirty, n) == (True, 1)
    assert provenance.environment_digest() == provenance.collect(P, root)["environment_sha256"]


def _site_with(tmp_path, *dists: str):
    site = tmp_path / "site"
    for d in dists:
        (site / d).mkdir(parents=True)
    return site


def test_installed_packages_are_read_from_the_dist_info_names(tmp_path, monkeypatch):
    site = _site_with(tmp_path, "Some_Pkg-1.0.dist-info", "other.pkg-2.3.post1.dist-info", "not_a_dist", "x.py")
    monkeypatch.setattr(provenance, "site_paths", lambda: [str(site)])
    assert provenance.installed_packages() == {"other-pkg": "2.3.post1", "some-pkg": "1.0"}


def test_the_environment_digest_changes_with_a_package_version(tmp_path, monkeypatch):
    site = _site_with(tmp_path, "somepkg-1.0.dist-info")
    monkeypatch.setattr(provenance, "site_paths", lambda: [str(site)])
    before = provenance.environment_digest()
    assert provenance.environment_digest() == before
    (site / "somepkg-1.0.dist-info").rename(site / "somepkg-1.1.dist-info")
    assert provenance.environment_digest() != before


def test_outside_git_there_is_no_git_state(tmp_path):
    assert provenance.git_status(tmp_path) == (None, None)
    assert provenance.git_state(tmp_path) == "no git"


def test_the_runs_own_folders_and_files_beside_them_are_left_out(tmp_path):
    excludes = provenance._excludes(tmp_path, [tmp_path / "reports" / ".2019.staging-12", tmp_path / "elsewhere"])
    assert ":(exclude,glob)reports/2019/**" in excludes and ":(exclude,glob)reports/.2019.*" in excludes
    assert ":(exclude,glob)reports/2019.failed/**" in excludes
    assert provenance._excludes(tmp_path, ["/not/inside"]) == [] and provenance._excludes(tmp_path, [tmp_path]) == []
