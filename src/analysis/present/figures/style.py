"""The figures' common ground: the seaborn theme and fixed rc settings (same figure, same bytes), the
texts from the catalogue, axis formatters in the language's style, and `save_figure`, the only writer."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import seaborn as sns  # noqa: E402

from ...base.io import atomic_path  # noqa: E402
from .. import catalogue, fmt  # noqa: E402

LANGS = catalogue.LANGS
# 200 dpi: a 8-inch figure is ~1600 px wide, 1.7 device pixels per CSS pixel in the report's
# 60rem column and ~240 dpi on an A4 page of the PDF; 300 dpi cost half as much again in savefig.
DPI = 200

# Fixed rc settings so that the same figure gives the same bytes on every run.
_RC = {
    "svg.hashsalt": "analysis",  # stable ids in SVG output
    "svg.fonttype": "path",
    "path.simplify": True,
    "font.family": "DejaVu Sans",
}


def setup_style() -> None:
    """Apply the project's seaborn theme and the deterministic rc settings."""
    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update(_RC)


def mark_synthetic(fig, lang: str = "sv") -> None:
    """Stamp the synthetic-data mark across the bottom of a figure."""
    fig.text(
        0.5, 0.005, catalogue.text("figures.mark", lang), ha="center", va="bottom", fontsize=8,
        color="#b00020", fontweight="bold", alpha=0.9,
    )


def save_figure(fig, out_dir: str | Path, name: str, *, synthetic: bool, lang: str = "sv") -> list[Path]:
    """Write `name`.png (DPI) atomically, deterministically; close the figure.

    PNG only: the report, its PDF and the notebook pages embed the PNG, and nothing in the project
    reads another format (an SVG of every figure cost as much as the PNG and had no reader).
    Metadata that would change between runs (creation date, software version) is stripped.
    """
    out_dir = Path(out_dir)
    if synthetic:
        mark_synthetic(fig, lang)
    matplotlib.rcParams.update(_RC)
    target = out_dir / f"{name}.png"
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return [target]


def percent_formatter(lang: str) -> mticker.FuncFormatter:
    """Axis ticks as percents in the language's style (0.5 -> '50 %' / '50%')."""
    return mticker.FuncFormatter(lambda v, _: fmt.percent(v, lang, 0))


def decimal_formatter(lang: str, digits: int | None = None) -> mticker.FuncFormatter:
    """Axis ticks as decimals in the language's style ('2,5' / '2.5'); whole numbers without decimals
    when `digits` is None."""
    def f(v, _):
        d = digits if digits is not None else (0 if float(v).is_integer() else 1)
        return fmt.decimal(v, lang, d)
    return mticker.FuncFormatter(f)


def texts(lang: str, alpha: float = 0.05, min_cell: int = 5) -> dict[str, str]:
    """The figures' texts in `lang` (catalogue section `figures`), levels filled from alpha."""
    level = fmt.level(alpha, lang)
    out = {}
    for key, leaf in catalogue.entry("figures").items():
        if catalogue.is_leaf(leaf):
            out[key] = catalogue.text(f"figures.{key}", lang).replace("{level}", level).replace(
                "{min_cell}", str(min_cell))
    return out
