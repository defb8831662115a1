"""present.figures.compare: the trend figure of a hand-made record: each item's published figures left
of their wave and the estimates right of it (by TREND_OFFSET), reworded estimates hollow, one panel
per item and one for the legend."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.present.figures import compare, style


def _trend() -> pd.DataFrame:
    rows = [("ciso", 2019, "published", "same", 0.6), ("ciso", 2023, "published", "same", 0.7),
            ("ciso", 2019, "synthetic", "same", 0.59), ("ciso", 2023, "synthetic", "same", 0.69),
            ("awareness", 2019, "synthetic", "same", 0.4), ("awareness", 2023, "synthetic", "wording_changed", 0.5)]
    df = pd.DataFrame(rows, columns=["item", "wave", "kind", "comparability", "share"])
    return df.assign(ci_low=df["share"] - 0.05, ci_high=df["share"] + 0.05)


def _by_gid(fig, gid: str):
    return [c for ax in fig.axes for c in ax.collections if c.get_gid() == gid]


def test_published_left_of_the_wave_estimates_right():
    fig = compare.plot_trend(_trend(), {"ciso": "CISO", "awareness": "Awareness"}, texts=style.texts("en"),
                             lang="en", ncols=3)
    [published] = _by_gid(fig, "published:ciso")
    assert [float(x) for x, _ in published.get_offsets()] == [2019 - compare.TREND_OFFSET, 2023 - compare.TREND_OFFSET]
    [estimate] = _by_gid(fig, "estimate:ciso")
    assert [float(x) for x, _ in estimate.get_offsets()] == [2019 + compare.TREND_OFFSET, 2023 + compare.TREND_OFFSET]
    assert not _by_gid(fig, "published:awareness")  # no published figure for this item
    [reworded] = _by_gid(fig, "estimate:awareness")
    faces = reworded.get_facecolors()
    assert tuple(faces[1][:3]) == (1.0, 1.0, 1.0) and tuple(faces[0][:3]) != (1.0, 1.0, 1.0)  # 2023 hollow
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["CISO", "Awareness"]
    plt.close(fig)
