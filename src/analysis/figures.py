"""Seaborn figures and their deterministic files (PNG 300 dpi + SVG), with the synthetic-data mark.

Plot functions take data and return a matplotlib Figure; `save_figure` is the only writer.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .io import atomic_path  # noqa: E402

SYNTHETIC_MARK = {
    "sv": "SYNTETISKA DATA – illustrerar metoden, inte SKR:s resultat",
    "en": "SYNTHETIC DATA – illustrates the method, not SKR's results",
}
DPI = 300

# Fixed rc settings so that the same figure gives the same bytes on every run.
_RC = {
    "svg.hashsalt": "analysis",  # stable ids in SVG output
    "svg.fonttype": "path",
    "path.simplify": True,
    "font.family": "DejaVu Sans",
}


def setup_style() -> None:
    """Apply the project's seaborn theme and the deterministic rc settings."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update(_RC)


def mark_synthetic(fig, lang: str = "sv") -> None:
    """Stamp the synthetic-data mark across the bottom of a figure."""
    fig.text(
        0.5, 0.005, SYNTHETIC_MARK[lang], ha="center", va="bottom", fontsize=8,
        color="#b00020", fontweight="bold", alpha=0.9,
    )


def save_figure(fig, out_dir: str | Path, name: str, *, synthetic: bool, lang: str = "sv") -> list[Path]:
    """Write `name`.png (300 dpi) and `name`.svg atomically, deterministically; close the figure.

    Metadata that would change between runs (creation date, software version) is stripped.
    """
    out_dir = Path(out_dir)
    if synthetic:
        mark_synthetic(fig, lang)
    matplotlib.rcParams.update(_RC)
    paths = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = out_dir / f"{name}.{ext}"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=ext, dpi=DPI, metadata=meta, bbox_inches="tight")
        paths.append(target)
    plt.close(fig)
    return paths
