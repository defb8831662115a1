"""One wave's results in one object, for exploring in JupyterLab or a shell: `analysis.load(2019)`.

Tables are read through their contracts (contracts.read_table: validated), the steps' JSON summaries
checked for their keys; read only, on first use. Official results by default, or the scratch area.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..base import contracts, io
from ..base.errors import ContractError
from ..base.paths import shown_path
from ..present.notebook import Display
from . import params
from .scratch import to_scratch


class Wave:
    """The processed data and tables of one wave: `w.analysis`, `w.headline`, `w.models`, ...
    (every contract in docs/contracts.md, by name), `w.run_info` and the other JSON summaries.

    `w.show(table, columns)` formats a table as the notebooks do; `w.figure(name)` shows a figure.
    A missing file raises ContractError naming it and the step (and command) that writes it.
    """

    def __init__(self, P: dict[str, Any], where: str):
        self.P = P
        self.wave = P["wave"]
        self.where = where
        self.processed_dir = Path(P["processed_dir"])
        self.output_dir = Path(P["output_dir"])
        self._cache: dict[str, Any] = {}

    # -- reading
    def path(self, name: str) -> Path:
        """Where the file of contract `name` is read from."""
        c = contracts.contract(name)
        return (self.processed_dir if c.home == "processed" else self.output_dir) / c.path

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def get(self, name: str) -> pd.DataFrame | dict[str, Any]:
        """The validated table (DataFrame) or checked JSON summary (dict) of contract `name`."""
        if name not in self._cache:
            c = contracts.contract(name)
            path = self.path(name)
            if not path.is_file():
                raise ContractError(f"{shown_path(path)}: not found (written by {c.writer}; {self.hint()})")
            if c.schema is None:
                self._cache[name] = contracts.validate_json(name, io.read_json(path), path)
            else:
                folder = self.processed_dir if c.home == "processed" else self.output_dir
                self._cache[name] = contracts.read_table(name, folder)
        return self._cache[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in contracts.CONTRACTS:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; "
                                 f"the files are: {', '.join(contracts.CONTRACTS)}")
        return self.get(name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *contracts.CONTRACTS})

    @property
    def available(self) -> list[str]:
        """Names of the files present, in contract order."""
        return [n for n in contracts.CONTRACTS if self.exists(n)]

    def hint(self) -> str:
        """What to run to make the missing results of this wave."""
        if self.where == "scratch":
            return "run its notebook in JupyterLab, which writes to scratch/"
        return "run `make`, or `python -m analysis run -p wave=...` for another wave"

    # -- showing
    def show(self, table: str | pd.DataFrame, columns: Sequence[str | tuple[str, str]],
             contract: str | None = None, *, lang: str | None = None):
        """A table (a name, or a DataFrame with `contract`'s columns) formatted as the notebooks show
        it: numbers from their units, labels in `lang`, (low, high) pairs as one interval column."""
        if isinstance(table, str):
            contract, df = table, self.get(table)
        elif contract is None:
            raise ValueError("show(DataFrame, columns, contract): name the contract whose units the columns have")
        else:
            df = table
        return Display(self._params(lang)).table(df, contract, columns)

    def figure(self, name: str, *, lang: str | None = None, width: int = 720):
        """The figure `name` (e.g. "headline_shares") of this wave, in `lang`. A run draws its
        figures in its own language only; another language is refused in one line naming it."""
        P = self._params(lang)
        path = self.output_dir / "figures" / f"{name}_{P['lang']}.png"
        if not path.is_file():
            drawn = sorted(p.stem.rsplit("_", 1)[-1] for p in (self.output_dir / "figures").glob(f"{name}_*.png"))
            if drawn:
                raise ContractError(f"{shown_path(path)}: not drawn; the run drew its figures in {', '.join(drawn)} "
                                    f"(use lang={drawn[0]!r}, or run the pipeline with -p lang={P['lang']})")
            raise ContractError(f"{shown_path(path)}: no such figure ({self.hint()})")
        return Display(P).figure(name, width=width)

    def _params(self, lang: str | None) -> dict[str, Any]:
        P = dict(self.P, lang=lang or self.P["lang"])
        if self.exists("describe_summary"):  # intervals are labelled with the level they were made with
            P["alpha"] = self.get("describe_summary")["alpha"]
        return P

    def __repr__(self) -> str:
        shown = [shown_path(d) for d in (self.processed_dir, self.output_dir)]
        have = self.available
        lines = [f"wave {self.wave}, {self.where} results ({', '.join(shown)})",
                 f"  present: {', '.join(have) or 'nothing'}"]
        # 05_compare's files exist only when this wave was compared with an earlier one
        missing = [n for n in contracts.CONTRACTS if n not in have and contracts.contract(n).writer != "05_compare"]
        if missing:
            lines.append(f"  missing: {', '.join(missing)}")
        return "\n".join(lines)


def load(wave: int | None = None, *, scratch: bool = False, lang: str | None = None) -> Wave:
    """The results of `wave` (default: params/default.yaml's): the official ones, which only the
    runner writes (data/processed/<wave>, reports/<wave>), or with `scratch=True` what notebooks run
    in JupyterLab wrote (scratch/<wave>/; processed data from the official folder unless 01 ran
    there). `lang` is the language of `show` and `figure` (default: the parameters')."""
    overrides = [f"wave={wave}"] if wave is not None else []
    if lang is not None:
        overrides.append(f"lang={lang}")
    P = params.load(overrides=overrides)
    if scratch:
        P = to_scratch(P, writes=set())
    w = Wave(P, "scratch" if scratch else "official")
    if not w.exists("run_info"):
        raise ContractError(f"{shown_path(w.path('run_info'))}: no processed data for wave {w.wave} ({w.hint()})")
    return w
