"""What a result depends on besides its input files: the git working tree and the installed packages.

The runner's step hashes and the report's provenance (`collect`) both read them here, so the two agree.
"""

from __future__ import annotations

import hashlib
import os
import re
import site
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from ..base import io
from ..base.paths import project_root, shown_path, unstaged
from .params import PATH_KEYS


def _git(root: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout if r.returncode == 0 else None


def _excludes(root: Path, folders: Iterable[str | Path]) -> list[str]:
    """git pathspecs leaving out the run's own folders and the runner's files beside them
    (staging, lock, swap journal, .failed), wherever they sit inside the work tree."""
    out = []
    for f in folders:
        final = Path(unstaged(Path(f).absolute()))  # a staging folder is named by its final folder
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
    with suppress(AttributeError):
        paths.update(site.getsitepackages())
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
                import importlib.metadata  # noqa: PLC0415 - slow to import: unusual entries only

                dist = importlib.metadata.Distribution.at(Path(folder) / entry)
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


# ------------------------------------------------------------------ the report's provenance
PROVENANCE_PACKAGES = (
    "numpy", "pandas", "pyarrow", "scipy", "statsmodels", "firthmodels", "pandera", "matplotlib",
    "seaborn", "geopandas", "openpyxl", "nbformat", "nbconvert", "papermill", "ipykernel", "jinja2",
    "babel", "bleach", "pyyaml",
)


def _versions(names: Iterable[str]) -> dict[str, str]:
    """{name: version} of the installed distributions among `names`."""
    import importlib.metadata  # noqa: PLC0415 - slow to import; the no-op run never needs it

    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def _digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below `folder` (hidden files and folders skipped), by relative path."""
    out = {}
    if folder.is_dir():
        for p in sorted(folder.rglob("*")):
            rel = p.relative_to(folder)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                out[str(rel)] = io.sha256_file(p)
    return out


def collect(P: dict[str, Any], root: str | Path | None = None) -> dict[str, Any]:
    """Git commit and dirtiness (untracked files count, as in the step hashes), SHA-256 of the raw and
    processed files, parameters, package versions and the digest of the installed package set."""
    root = Path(root) if root else project_root()
    # The same git state as the runner's step hash: untracked files count as changes.
    commit, changes = git_status(root, (P["processed_dir"], P["output_dir"]))
    raw = Path(P["raw_path"])
    processed = Path(P["processed_dir"])
    processed_files = _digests(processed)
    packages = _versions(PROVENANCE_PACKAGES)
    compared = _digests(Path(P["compare_dir"])) if P.get("compare_dir") else {}
    return {
        "git_commit": commit,
        "git_dirty": bool(changes) if changes is not None else None,
        "git_changes": len(changes) if changes is not None else None,
        "raw_file": shown_path(raw, root),
        "raw_sha256": io.sha256_file(raw) if raw.is_file() else None,
        "processed_sha256": processed_files,
        **({"compared_sha256": compared} if compared else {}),
        "params": {k: (shown_path(v, root) if k in PATH_KEYS and v is not None else v)
                   for k, v in P.items()},
        "python": sys.version.split()[0],
        "packages": packages,
        "environment_sha256": environment_digest(),
    }
