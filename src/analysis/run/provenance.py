"""What a result depends on besides its input files: the git working tree and the installed packages.

The runner's step hashes and the report's provenance both read them here, so the two agree.
"""

from __future__ import annotations

import hashlib
import os
import re
import site
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Iterable

_STAGING = re.compile(r"^\.(?P<name>.+)\.staging-\d+$")


def _git(root: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout if r.returncode == 0 else None


def _final(folder: Path) -> Path:
    """A runner staging folder (.<name>.staging-<pid>) is named by its final name."""
    m = _STAGING.match(folder.name)
    return folder.with_name(m["name"]) if m else folder


def _excludes(root: Path, folders: Iterable[str | Path]) -> list[str]:
    """git pathspecs leaving out the run's own folders and the runner's files beside them
    (staging, lock, swap journal, .failed), wherever they sit inside the work tree."""
    out = []
    for f in folders:
        final = _final(Path(f).absolute())
        try:
            rel = final.relative_to(root.absolute())
        except ValueError:
            continue
        if not rel.parts:
            continue
        parent = rel.parent.as_posix()
        base = "" if parent == "." else parent + "/"
        out += [f":(exclude,glob){base}{rel.name}", f":(exclude,glob){base}{rel.name}/**",
                f":(exclude,glob){base}.{rel.name}.*", f":(exclude,glob){base}.{rel.name}.*/**",
                f":(exclude,glob){base}{rel.name}.failed/**"]
    return out


def git_status(root: str | Path, folders: Iterable[str | Path] = ()) -> tuple[str | None, list[str] | None]:
    """(HEAD commit, changed paths) of the work tree at `root`: modified, staged and untracked
    files (ignored files excluded), leaving out the run's own output `folders`. None outside git."""
    root = Path(root)
    head = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".", *_excludes(root, folders))
    commit = head.strip() if head else None
    changes = [line for line in status.splitlines() if line.strip()] if status is not None else None
    return commit, changes


def git_state(root: str | Path, folders: Iterable[str | Path] = ()) -> str:
    """One text for the step hashes: the commit and every changed or untracked path."""
    commit, changes = git_status(root, folders)
    if commit is None and changes is None:
        return "no git"
    return f"{commit}\n" + "\n".join(changes or [])


def site_paths() -> list[str]:
    """The folders the interpreter installs packages into (the venv's site-packages)."""
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    try:
        paths.update(site.getsitepackages())
    except AttributeError:
        pass
    if site.ENABLE_USER_SITE:
        paths.add(site.getusersitepackages())
    return sorted(p for p in paths if Path(p).is_dir())


_DIST_INFO = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info$")


def installed_packages() -> dict[str, str]:
    """{distribution name: version} of every package installed for this interpreter.

    Read from the names of the `<name>-<version>.dist-info` folders (the wheel format puts both
    there), which takes milliseconds; parsing every METADATA file took most of a no-op run. Any
    other entry (an .egg-info, an unusual folder name) is read through importlib.metadata.
    """
    out: dict[str, str] = {}
    for folder in site_paths():
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            m = _DIST_INFO.match(entry)
            if m:
                name, version = m["name"], m["version"]
            else:
                from importlib import metadata

                dist = metadata.Distribution.at(Path(folder) / entry)
                name, version = dist.metadata["Name"], dist.version
            if name:
                out.setdefault(re.sub(r"[-_.]+", "-", name).lower(), version)
    return dict(sorted(out.items()))


def environment_digest() -> str:
    """SHA-256 of the Python version and every installed distribution with its version:
    upgrading, adding or removing a package inside the venv changes it."""
    h = hashlib.sha256()
    h.update(sys.version.encode())
    for name, version in installed_packages().items():
        h.update(f"{name}=={version}\n".encode())
    return h.hexdigest()
