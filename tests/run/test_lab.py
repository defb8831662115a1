"""JupyterLab for exploring, without starting it: the command line it is started with (the project
root, 127.0.0.1, no token on the command line), a free port, and the post-save hook's refusals."""

from __future__ import annotations

import socket

from analysis.run import lab


def test_lab_serves_the_project_root_on_localhost(root, monkeypatch):
    cmd = lab.command(root, 8890)
    assert f"--ServerApp.root_dir={root}" in cmd and "--ServerApp.ip=127.0.0.1" in cmd
    assert "--ServerApp.port=8890" in cmd and "--ServerApp.port_retries=0" in cmd
    assert not any("token" in a.lower() for a in cmd)  # the token travels in the environment
    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    assert "--allow-root" in lab.command(root, 8890)
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.command(root, 8890)


def test_the_first_free_port_is_taken_and_a_busy_one_skipped():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind((lab.HOST, 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port = lab.free_port(taken, tries=20)
        assert port != taken and taken < port < taken + 20
    assert lab.url(8890, "abc") == "http://127.0.0.1:8890/lab?token=abc"


def test_the_post_save_hook_leaves_everything_but_a_tracked_notebook_alone(tmp_path):
    (tmp_path / "x.py").write_text("1")
    (tmp_path / "n.ipynb").write_text("{}")
    assert lab.after_save({"type": "file"}, str(tmp_path / "x.py")) is False
    assert lab.after_save({"type": "notebook"}, "") is False
    assert lab.after_save({"type": "notebook"}, str(tmp_path / "n.ipynb")) is False  # not in git
