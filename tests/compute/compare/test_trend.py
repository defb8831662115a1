"""analysis.compute.compare.trend: the public record drawn from published_series.csv (points,
intervals, the figure) and the project's points equal to 02_describe's shares of each wave."""

from __future__ import annotations

import csv

import pytest
from scipy import stats

from analysis.base import reference
from analysis.base.waves import codebook_for, item_map
from analysis.compute import survey
from analysis.compute.compare import trend


@pytest.fixture(scope="module")
def csv_rows(reference_dir):
    with open(reference_dir / "published_series.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _expected_point(r: dict, alpha: float = 0.05) -> tuple[float, float, float]:
    """share, low, high of a published row, computed here from the CSV's text."""
    if r["share_is_rounded_to"] == "count":
        x, n = int(r["numerator"]), int(r["denominator"])
        lo = stats.beta.ppf(alpha / 2, x, n - x + 1) if x > 0 else 0.0
        hi = stats.beta.ppf(1 - alpha / 2, x + 1, n - x) if x < n else 1.0
        return x / n, lo, hi
    share = float(r["share"])
    return share, share - 0.05, share + 0.05


def _expected_point(r: dict, alpha: float = 0.05) -> tuple[float, float, float]:
    """share, low, high of a published row, computed here from the CSV's text."""
    if r["share_is_rounded_to"] == "count":
        x, n = int(r["numerator"]), int(r["denominator"])
        lo = stats.beta.ppf(alpha / 2, x, n - x + 1) if x > 0 else 0.0
        hi = stats.beta.ppf(1 - alpha / 2, x + 1, n - x) if x < n else 1.0
        return x / n, lo, hi
    share = float(r["share"])
    return share, share - 0.05, share + 0.05


def test_published_points_are_the_csv(reference_dir, csv_rows):
    points = trend.published_points(reference.load_published_series(reference_dir))
    assert len(points) == len(csv_rows)
    for r, (_, p) in zip(csv_rows, points.iterrows(), strict=True):
        share, lo, hi = _expected_point(r)
        assert (p["item"], p["wave"]) == (r["item"], int(r["wave"]))
        assert p["share"] == pytest.approx(share, abs=1e-15)
        assert (p["ci_low"], p["ci_high"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
        assert p["note"] == r["comparability"] and p["source_url"] == r["source_url"]


def test_the_trend_figure_draws_the_csv(reference_dir, csv_rows, synthetic_data):
    """Every published point of the figure (and its interval) is a row of published_series.csv."""
    from analysis.present import figures

    series = reference.load_published_series(reference_dir)
    frames = {wave: synthetic_data.analysis(seed=2019, wave=wave) for wave in (2019, 2023)}
    table = trend.trend_table(series, frames, item_map(2019, 2023), synthetic=True)
    figures.setup_style()
    fig = figures.plot_trend(table, {}, texts=figures.texts("en"), lang="en")
    drawn, bars, estimates = {}, {}, {}
    for ax in fig.axes:
        for coll in ax.collections:
            gid = coll.get_gid() or ""
            kind, _, item = gid.partition(":")
            if kind == "published":
                for x, y in coll.get_offsets():
                    drawn[(item, int(round(x + figures.TREND_OFFSET)))] = float(y)
            elif kind == "published_interval":
                for seg in coll.get_segments():
                    bars[(item, int(round(seg[0][0] + figures.TREND_OFFSET)))] = (float(seg[0][1]), float(seg[1][1]))
            elif kind == "estimate":
                for x, y in coll.get_offsets():
                    estimates[(item, int(round(x - figures.TREND_OFFSET)))] = float(y)
    import matplotlib.pyplot as plt

    plt.close(fig)
    expected = {(r["item"], int(r["wave"])): _expected_point(r) for r in csv_rows}
    assert set(drawn) == set(expected) == set(bars)
    for key, (share, lo, hi) in expected.items():
        assert drawn[key] == pytest.approx(share, abs=1e-12), key
        assert bars[key] == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12)), key
    # the estimates drawn are the project's weighted shares, two waves per shared item
    est = table[table["kind"] == "synthetic"]
    assert estimates == {(i, int(w)): pytest.approx(float(s))
                         for i, w, s in zip(est["item"], est["wave"], est["share"], strict=True)}
    assert len(estimates) == 24 and set(est["kind"]) == {"synthetic"}


def test_estimate_points_equal_the_single_wave_headline(synthetic_data):
    """The project's points in the trend table are 02_describe's shares and intervals of each wave."""
    a19, a23 = synthetic_data.analysis(seed=2019, wave=2019), synthetic_data.analysis(seed=2019, wave=2023)
    pts = trend.estimate_points({2019: a19, 2023: a23}, item_map(2019, 2023), synthetic=True)
    for wave, frame, cb in ((2019, a19, codebook_for(2019)), (2023, a23, codebook_for(2023))):
        head = survey.headline_table(frame, 0.05, cb).set_index("item")
        mine = pts[pts["wave"] == wave].set_index("item")
        for item in head.index:
            for a, b in (("share", "share_weighted"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
                assert mine.loc[item, a] == pytest.approx(head.loc[item, b], abs=1e-15), (wave, item, a)


def test_rounding_interval_of_x_av_10():
    assert trend.rounding_interval(0.6) == pytest.approx((0.55, 0.65))
    assert trend.rounding_interval(0.0) == (0.0, 0.05) and trend.rounding_interval(1.0) == (0.95, 1.0)
