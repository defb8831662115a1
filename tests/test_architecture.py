"""The package's shape, checked: the import-linter contracts (layers, no cycle, private modules), module
and function sizes, radon's complexity, module docstrings, function-level imports and mirrored tests; and
its environment: environment.yml, pyproject.toml and requirements.lock name the same packages.

Each check is parametrised by module, so a failure names the module (`-k compute.clean` runs one area).
The limits are the developers' guide's: docs/architecture.md says why.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from radon.complexity import cc_rank, cc_visit

from conftest import NOT_UNIT_TESTS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "analysis"
TESTS = ROOT / "tests"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
WORST_RANK = "C"  # radon: A-B simple, C moderate, D and worse refused
# Libraries a fast path must not pay for: importable inside a function, with a comment giving the reason.
LAZY_LIBRARIES = {
    "matplotlib", "seaborn", "scipy", "statsmodels", "papermill", "nbformat", "nbclient", "nbconvert",
    "jupyter_client", "jupyter_core", "ipykernel", "IPython", "traitlets", "playwright", "pandas", "pandera",
    "pyarrow", "geopandas", "openpyxl", "bleach", "jinja2", "latex2mathml", "firthmodels", "faker", "numpy",
    "importlib.metadata",
}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(rel.parts)


MODULES = _modules()
IDS = [_name(p) for p in MODULES]


def test_import_contracts_hold():
    """lint-imports: run > present > compute | synthetic > base, no cycle at any depth, no private module
    imported from outside its package (pyproject.toml [tool.importlinter])."""
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe), "--no-cache"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "BROKEN" not in r.stdout and "0 broken" in r.stdout


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_module_is_small_and_says_its_job(path):
    text = path.read_text(encoding="utf-8")
    n = len(text.splitlines())
    assert n <= MAX_MODULE_LINES, f"{_name(path)}: {n} lines (limit {MAX_MODULE_LINES})"
    doc = ast.get_docstring(ast.parse(text))
    assert doc, f"{_name(path)}: no module docstring"
    summary = doc.strip().split("\n\n")[0].splitlines()
    assert len(summary) <= 2, f"{_name(path)}: the docstring's first paragraph should say the module's job in " \
                              f"at most two lines, not {len(summary)}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_functions_are_short_and_simple(path):
    text = path.read_text(encoding="utf-8")
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{_name(path)}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"
    complex_ = [f"{b.name} ({cc_rank(b.complexity)} {b.complexity})" for b in cc_visit(text)
                if cc_rank(b.complexity) > WORST_RANK]
    assert not complex_, f"{_name(path)}: radon rank worse than {WORST_RANK}: {', '.join(complex_)}"


def _inner_imports(tree: ast.AST):
    """(line, module) of every import statement inside a function or method."""
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    yield from ((node.lineno, a.name) for a in node.names)
                elif isinstance(node, ast.ImportFrom):
                    yield node.lineno, ("." * node.level) + (node.module or "")


def _lazy(module: str) -> bool:
    return not module.startswith(".") and any(module == lib or module.startswith(lib + ".") for lib in LAZY_LIBRARIES)


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_imports_sit_at_the_top_unless_a_heavy_library_is_deferred_with_a_reason(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = []
    for line, module in _inner_imports(ast.parse(text)):
        if not _lazy(module):
            bad.append(f"line {line}: {module} (only a heavy library may be imported inside a function)")
        elif "#" not in lines[line - 1]:
            bad.append(f"line {line}: {module} (say on the line why it is deferred)")
    assert not bad, f"{_name(path)}: " + "; ".join(bad)


def _mirror(path: Path) -> Path:
    rel = path.relative_to(SRC)
    return TESTS / rel.parent / f"test_{rel.stem}.py"


MIRRORED = [p for p in MODULES if p.name != "__init__.py"]


@pytest.mark.parametrize("path", MIRRORED, ids=[_name(p) for p in MIRRORED])
def test_every_module_has_its_mirrored_test_file(path):
    expected = _mirror(path)
    if path.name == "__main__.py":
        expected = TESTS / "test_main.py"
    assert expected.is_file(), f"{_name(path)}: no {expected.relative_to(ROOT)}"
    tree = ast.parse(expected.read_text(encoding="utf-8"))
    tests = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert tests, f"{expected.relative_to(ROOT)} holds no test"


def test_every_test_listed_as_not_unit_exists_outside_the_scenarios():
    """conftest.NOT_UNIT_TESTS names tests by "<path under tests/>::<function>": each must name a test
    function of that file (a stale key would leave a slow test in the unit tier after a move), and none
    may lie in tests/scenarios/ (never unit anyway)."""
    stale = []
    for key in sorted(NOT_UNIT_TESTS):
        rel, name = key.split("::")
        path = TESTS / rel
        names = ({n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(n, ast.FunctionDef)} if path.is_file() else set())
        if name not in names or rel.startswith("scenarios/"):
            stale.append(key)
    assert not stale, f"stale keys in tests/conftest.py NOT_UNIT_TESTS: {stale}"


# ------------------------------------------------------------------------------------------ the environment
def _requirement(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _lock(root):
    pins = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if m:
            pins[_requirement(m.group(1))] = m.group(2)
    return pins


def test_environment_pyproject_and_lock_agree(root):
    pp = tomllib.loads((root / "pyproject.toml").read_text())
    declared = {_requirement(d) for d in pp["project"]["dependencies"]}
    declared |= {_requirement(d) for d in pp["project"]["optional-dependencies"]["dev"]}
    env = yaml.safe_load((root / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"] and "pip" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    env_pins = dict(p.split("==") for p in pip_section if "==" in p)
    env_pins = {_requirement(k): v for k, v in env_pins.items()}
    lock = _lock(root)
    assert set(env_pins) == declared
    assert declared <= set(lock), f"not pinned in the lock: {declared - set(lock)}"
    assert {k: lock[k] for k in declared} == env_pins


def test_lock_pins_every_package_exactly(root):
    lines = [l for l in (root / "requirements.lock").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert lines and all(re.match(r"^[A-Za-z0-9_.\-]+(\[[^\]]+\])?==\S+", l) for l in lines)
