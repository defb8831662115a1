"""environment.yml, pyproject.toml and requirements.lock name the same packages."""

import re
import tomllib

import yaml


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _lock(root):
    pins = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if m:
            pins[_name(m.group(1))] = m.group(2)
    return pins


def test_environment_pyproject_and_lock_agree(root):
    pp = tomllib.loads((root / "pyproject.toml").read_text())
    declared = {_name(d) for d in pp["project"]["dependencies"]}
    declared |= {_name(d) for d in pp["project"]["optional-dependencies"]["dev"]}
    env = yaml.safe_load((root / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"] and "pip" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    env_pins = dict(p.split("==") for p in pip_section if "==" in p)
    env_pins = {_name(k): v for k, v in env_pins.items()}
    lock = _lock(root)
    assert set(env_pins) == declared
    assert declared <= set(lock), f"not pinned in the lock: {declared - set(lock)}"
    assert {k: lock[k] for k in declared} == env_pins


def test_lock_pins_every_package_exactly(root):
    lines = [l for l in (root / "requirements.lock").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert lines and all(re.match(r"^[A-Za-z0-9_.\-]+(\[[^\]]+\])?==\S+", l) for l in lines)
