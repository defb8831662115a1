"""The small commands: `check-reference` (are the reference files there, and who publishes each?) and
`contracts` (write docs/contracts.md from the contracts)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..base import contracts, io, reference
from ..base.paths import project_root


def check_reference(argv: list[str]) -> int:
    """`python -m analysis check-reference [DIR]`: 0 when DIR (default data/external) holds every
    reference file, else 2 and each missing file with where it comes from."""
    d = argv[0] if argv else "data/external"
    missing = reference.missing_files(d)
    if not missing:
        return 0
    print(f"error: reference data missing in {d}:", file=sys.stderr)
    for name in missing:
        print(f"  {name}: {reference.REQUIRED_FILES[name]}", file=sys.stderr)
    print("Put ../shared/data/reference/ beside the project (then `make` links it), or place the files "
          "in data/external/ yourself.", file=sys.stderr)
    return 2


def write_contracts(argv: list[str]) -> int:
    """`python -m analysis contracts [PATH]`: write docs/contracts.md (or PATH) from the contracts."""
    target = Path(argv[0]) if argv else project_root() / "docs" / "contracts.md"
    io.write_text(contracts.contracts_markdown(), target)
    print(f"wrote {target}")
    return 0
