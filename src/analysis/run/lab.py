"""JupyterLab for exploring (`make lab`, `python -m analysis lab`): served from the project root,
on 127.0.0.1 with a token, from this interpreter's environment; prints the URL to open.

Notebooks run there write only to scratch/ (run.scratch.notebook_params): the runner alone writes the
official results, so the marks it gives its kernels (params.RUNNER_ENV, params.RUN_ID_ENV) are removed here. Saving a
notebook whose only changes are outputs leaves `git status` clean (`after_save`).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from ..base.paths import project_root
from . import params

HOST = "127.0.0.1"
FIRST_PORT = 8888


def free_port(start: int = FIRST_PORT, tries: int = 50) -> int:
    """The first port from `start` on that nobody listens on at 127.0.0.1."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {start}-{start + tries - 1} on {HOST}")


def command(root: Path, port: int, python: str = sys.executable) -> list[str]:
    """The `jupyter lab` command line: the project root as the file browser's root, 127.0.0.1 only,
    no browser opened, no update or news checks (no network), --allow-root only as root."""
    argv = [python, "-m", "jupyterlab", "--no-browser",
            f"--ServerApp.root_dir={root}", f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--ContentsManager.post_save_hook={__name__}.after_save",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "--LabApp.news_url=None"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers often run as root; Jupyter refuses root without it
    return argv


def after_save(model: dict | None = None, os_path: str = "", contents_manager=None, **_) -> bool:
    """JupyterLab's post-save hook. git stores notebooks through the nbstripout filter, so a notebook
    saved with outputs has the same stored content as before, yet `git status` lists it as modified
    (git takes a changed file size for a change without running the filter). When a tracked
    notebook's filtered content equals git's index, refresh git's record of it (`git add` of the
    same content: nothing new is staged); a real change stays listed. Never raises; returns
    whether the record was refreshed."""
    path = Path(os_path)
    if not os_path or path.suffix != ".ipynb" or (model or {}).get("type", "notebook") != "notebook":
        return False

    def git(*args: str) -> int:
        try:
            return subprocess.run(["git", *args, "--", path.name], cwd=path.parent, capture_output=True,
                                  timeout=120, check=False).returncode
        except (OSError, subprocess.SubprocessError):
            return -1

    if git("ls-files", "--error-unmatch") != 0:  # not tracked (e.g. in scratch/): nothing to do
        return False
    if git("diff", "--quiet") != 0:  # a real change (or no filter): leave it for the user
        return False
    return git("add") == 0


def url(port: int, token: str) -> str:
    return f"http://{HOST}:{port}/lab?token={token}"


def main(argv: list[str] | None = None) -> int:
    """Start JupyterLab in place of this process (same PID), after printing the URL with its token."""
    ap = argparse.ArgumentParser(prog="python -m analysis lab",
                                 description="JupyterLab at the project root, on 127.0.0.1 with a token.")
    ap.add_argument("--port", type=int, default=None, help=f"port (default: the first free from {FIRST_PORT})")
    args = ap.parse_args(argv)
    root = project_root()
    port = args.port or free_port()
    env = dict(os.environ)
    for name in (params.RUNNER_ENV, params.RUN_ID_ENV):  # kernels started from Lab never write the official results
        env.pop(name, None)
    token = env.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    env["JUPYTER_TOKEN"] = token  # read by Jupyter; kept out of the command line (and so out of `ps`)
    print(f"JupyterLab for {root}: {url(port, token)}  (notebooks run here write to scratch/; Ctrl+C stops it)",
          flush=True)
    cmd = command(root, port)
    os.execve(cmd[0], cmd, env)
    return 0  # not reached
