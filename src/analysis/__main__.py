"""Command line: `python -m analysis run|synthesize|check-reference|contracts|lab`.

Each command is a function `(argv) -> exit code` in a module of its own (COMMANDS), imported by name
when it is asked for, as pip loads its commands: `run` (the no-op run: 0.3 s) never pays for
another command's imports, such as synthesize's numpy and pandas. Errors are one short line, never
a traceback.
"""

from __future__ import annotations

import importlib
import sys

from .base.errors import ContractError, InputError

# command -> (module, function, what it does); every module here imports at its top
COMMANDS = {
    "run": ("analysis.run.cli", "main", "run the pipeline (see `run --help`)"),
    "synthesize": ("analysis.run.synthesize", "main", "write the synthetic raw export (see `synthesize --help`)"),
    "check-reference": ("analysis.run.commands", "check_reference",
                        "check that data/external holds the reference files"),
    "contracts": ("analysis.run.commands", "write_contracts", "write docs/contracts.md from the table schemas"),
    "lab": ("analysis.run.lab", "main", "JupyterLab at the project root (notebooks run there write to scratch/)"),
}


def usage() -> str:
    lines = [f"usage: python -m analysis {{{','.join(COMMANDS)}}} [options]"]
    lines += [f"  {name:<18}{what}" for name, (_, _, what) in COMMANDS.items()]
    return "\n".join(lines)


def command(name: str):
    """The function of command `name`, its module imported now."""
    module, function, _ = COMMANDS[name]
    return getattr(importlib.import_module(module), function)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        return command(argv[0])(argv[1:])
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
