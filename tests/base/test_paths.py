"""Tests of analysis.base.paths: the project root, and a path as a reader knows it (relative to the
root, a runner's staging folder named by the folder it will replace)."""

from __future__ import annotations

import pytest

from analysis.base import paths


def test_project_root_is_found_from_inside_it(root):
    assert paths.project_root() == root
    assert paths.project_root(root / "src" / "analysis" / "base" / "paths.py") == root


def test_project_root_outside_any_project_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")  # without params/: not this project
    with pytest.raises(FileNotFoundError, match="project root"):
        paths.project_root(tmp_path / "deep" / "file.py")


def test_staging_folders_are_named_by_the_folder_they_replace(tmp_path):
    assert paths.unstaged("/p/reports/.2019.staging-4711/tables/x.csv") == "/p/reports/2019/tables/x.csv"
    assert paths.unstaged(b"/p/.a.staging-1/.b.staging-22/c") == "/p/a/b/c"  # each level, bytes too
    assert paths.unstaged("/p/.2019.staging-x/c") == "/p/.2019.staging-x/c"  # not a runner's: kept
    assert paths.shown_path(tmp_path / "reports/.2019.staging-123/x", tmp_path) == "reports/2019/x"
    assert paths.STAGING_NAME.match(".2019.staging-123")["name"] == "2019"


def test_a_path_outside_the_root_is_shown_as_given(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    outside = tmp_path / "elsewhere" / ".2019.staging-9" / "report.html"
    assert paths.shown_path(outside, root) == str(tmp_path / "elsewhere" / "2019" / "report.html")
    assert paths.shown_path(root / "data" / "x.csv", root) == "data/x.csv"


def test_staging_paths_are_shown_as_final(tmp_path):
    assert paths.shown_path(tmp_path / "reports/.2019.staging-123/x", tmp_path) == "reports/2019/x"
