"""Load and check the public reference data on Sweden's 290 municipalities and the public record.

Register (codes, names, county), SKR's 2017 municipality groups, SCB population, boundaries and the
published survey figures 2015-2023, read from `reference_dir` (normally data/external/, linked from
../shared/data/reference/).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd  # imported where used: the runner reads REQUIRED_FILES without pandas

N_MUNICIPALITIES = 290
REGISTER_FILE = "kommuner_2019_reference.csv"
COUNTIES_GEOJSON = "swedish_regions.geojson"
MUNICIPALITIES_GEOJSON = "swedish_municipalities.geojson"
PUBLISHED_SERIES = "published_series.csv"

# What `make` needs in data/external/, and where the original publishers put it.
REQUIRED_FILES = {
    REGISTER_FILE: "joined register: SCB codes/names/counties + SKR groups 2017 + SCB population "
    "(see ../shared/data/reference/SOURCES.md §5)",
    "municipalities.csv": "SCB municipality and county codes: https://www.scb.se/hitta-statistik/regional-statistik-och-kartor/regionala-indelningar/",
    "counties.csv": "SCB county codes: https://www.scb.se/hitta-statistik/regional-statistik-och-kartor/regionala-indelningar/lan-och-kommuner/",
    "skr_kommungruppsindelning_2017.csv": "SKR Kommungruppsindelning 2017: https://skr.se/skr/tjanster/kommunerochregioner/faktakommunerochregioner/kommungruppsindelning.2051.html",
    "scb_folkmangd_kommun_1950_2019.csv": "SCB Folkmängd i kommuner 1950-2019: https://www.scb.se/hitta-statistik/statistik-efter-amne/befolkning/befolkningens-sammansattning/befolkningsstatistik/",
    COUNTIES_GEOJSON: "county boundaries (GeoJSON), e.g. Lantmäteriet/SCB 'Län' boundaries",
    MUNICIPALITIES_GEOJSON: "municipality boundaries (GeoJSON), e.g. Lantmäteriet/SCB 'Kommuner' boundaries",
    PUBLISHED_SERIES: "the public record: MSB/SKL 2015 counts and SKR's 2019 and 2023 figures, one row per "
    "published figure with its source page (see ../shared/data/reference/SOURCES.md §6)",
}

_COLUMNS = {
    "kommunkod": "kommunkod",
    "kommun": "kommun",
    "kommun_fullnamn": "kommun_fullnamn",
    "lan_kod": "lan_kod",
    "lan_namn": "lan_namn",
    "skr_kommungrupp_2017_kod": "kommungrupp",
    "skr_kommungrupp_2017_namn": "kommungrupp_namn",
    "skr_huvudgrupp_kod": "huvudgrupp",
    "skr_huvudgrupp_namn": "huvudgrupp_namn",
    "folkmangd_2018_12_31": "folkmangd",
}
GROUPS = ("A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9")
MAIN_GROUPS = ("A", "B", "C")


def missing_files(reference_dir: str | Path) -> list[str]:
    """Names of required reference files absent from reference_dir."""
    d = Path(reference_dir)
    return [name for name in REQUIRED_FILES if not (d / name).is_file()]


def load_register(reference_dir: str | Path) -> pd.DataFrame:
    """The 290 municipalities, one row each, sorted by code.

    Columns: kommunkod (4-digit string), kommun, kommun_fullnamn, lan_kod, lan_namn,
    kommungrupp (A1..C9, categorical), kommungrupp_namn, huvudgrupp (A/B/C, categorical),
    huvudgrupp_namn, folkmangd (population on 31 Dec 2018, the year before fieldwork).
    """
    import pandas as pd  # noqa: PLC0415 - heavy: the runner reads REQUIRED_FILES without pandas

    path = Path(reference_dir) / REGISTER_FILE
    if not path.is_file():
        raise InputError(path, None, None, "the municipality register (run `make` to link data/external/)")
    df = pd.read_csv(path, dtype=str, encoding="utf-8")
    absent = [c for c in _COLUMNS if c not in df.columns]
    if absent:
        raise InputError(path, None, ", ".join(absent), "the register's columns")
    df = df[list(_COLUMNS)].rename(columns=_COLUMNS)
    df["folkmangd"] = pd.to_numeric(df["folkmangd"], errors="raise").astype("int64")
    df["kommungrupp"] = pd.Categorical(df["kommungrupp"], categories=GROUPS)
    df["huvudgrupp"] = pd.Categorical(df["huvudgrupp"], categories=MAIN_GROUPS)
    df = df.sort_values("kommunkod", ignore_index=True)
    _check(df, path)
    return df


def _check(df: pd.DataFrame, path: Path) -> None:
    if len(df) != N_MUNICIPALITIES or df["kommunkod"].nunique() != N_MUNICIPALITIES:
        raise InputError(path, None, "kommunkod", f"{N_MUNICIPALITIES} unique municipality codes")
    if not df["kommunkod"].str.fullmatch(r"\d{4}").all():
        raise InputError(path, None, "kommunkod", "four-digit codes")
    if df["kommungrupp"].isna().any() or df["huvudgrupp"].isna().any():
        raise InputError(path, None, "skr_kommungrupp_2017_kod", f"one of {GROUPS}")
    if not (df["kommungrupp"].astype(str).str[0] == df["huvudgrupp"].astype(str)).all():
        raise InputError(path, None, "skr_huvudgrupp_kod", "the first letter of the municipality group")


def group_sizes(register: pd.DataFrame, by: str = "kommungrupp") -> pd.Series:
    """Number of municipalities per group (the N_h of the survey design)."""
    return register.groupby(by, observed=False).size().rename("N")


def load_counties_geojson(reference_dir: str | Path):
    """County boundaries as a GeoDataFrame with a 2-digit `lan_kod` column."""
    import geopandas as gpd  # noqa: PLC0415 - heavy (seconds): only the county map needs it

    path = Path(reference_dir) / COUNTIES_GEOJSON
    gdf = gpd.read_file(path)
    gdf["lan_kod"] = gdf["l_id"].astype(int).map("{:02d}".format)
    return gdf


# ------------------------------------------------------------------------------ public record
SERIES_COLUMNS = ("wave", "publisher", "survey", "published", "item", "numerator", "denominator", "share",
                  "share_is_rounded_to", "respondents_note", "comparability", "source_url")
ROUNDING = ("count", "x_of_10")
# How close a published figure is to the project's item of the same id, read from the start of the
# file's `comparability` note (SOURCES.md §6): a note that starts otherwise is refused, not guessed.
COMPARABILITY_PREFIXES = (("the project's own item", "same"), ("same item as", "same"),
                          ("close to", "similar"), ("near", "similar"), ("no 2019 item", "other_item"))


def comparability_class(note: str) -> str | None:
    """same | similar | other_item from a published row's comparability note; None if unrecognised."""
    text = str(note).strip().casefold()
    for prefix, cls in COMPARABILITY_PREFIXES:
        if text.startswith(prefix):
            return cls
    return None


def load_published_series(reference_dir: str | Path) -> pd.DataFrame:
    """The public record (published_series.csv), one row per published figure, checked.

    Columns as in the file plus `comparability_class` (comparability_class of the note); wave,
    numerator and denominator as integers (NA where not published), share as a float (NA for counts).
    A "count" row must have 0 <= numerator <= denominator and no share; an "x_of_10" row a share in
    whole tenths and no counts. InputError naming the row otherwise.
    """
    import pandas as pd  # noqa: PLC0415 - heavy: the runner reads REQUIRED_FILES without pandas

    path = Path(reference_dir) / PUBLISHED_SERIES
    if not path.is_file():
        raise InputError(path, None, None, "the published figures (run `make` to link data/external/)")
    df = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False)
    absent = [c for c in SERIES_COLUMNS if c not in df.columns]
    if absent:
        raise InputError(path, None, ", ".join(absent), "the columns of the published series")
    df = _series_numbers(df[list(SERIES_COLUMNS)].copy(), path)
    for i, r in df.iterrows():
        _check_series_row(r, int(i) + 2, path)
    df["comparability_class"] = df["comparability"].map(comparability_class)
    dup = df.duplicated(["wave", "item"], keep=False)
    if dup.any():
        raise InputError(path, [int(i) + 2 for i in df.index[dup]], "wave, item", "one row per wave and item")
    return df.reset_index(drop=True)


def _series_numbers(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """wave, numerator and denominator as nullable integers and share as a float; InputError naming
    the first cell that is neither blank nor a number."""
    import pandas as pd  # noqa: PLC0415 - heavy: the runner reads REQUIRED_FILES without pandas

    for c in ("wave", "numerator", "denominator", "share"):
        num = pd.to_numeric(df[c].str.strip().replace("", None), errors="coerce")
        bad = df[c].str.strip().ne("") & num.isna()
        if bad.any():
            raise InputError(path, int(bad.idxmax()) + 2, c, "a number", repr(df.loc[bad.idxmax(), c]))
        df[c] = num
    for c in ("wave", "numerator", "denominator"):
        df[c] = df[c].astype("Int64")
    return df


def _check_series_row(r: pd.Series, row: int, path: Path) -> None:
    """One published figure: a wave and an item, a known rounding, numbers that fit it, and a
    comparability note of a known kind; InputError naming `row` (the file's line) otherwise."""
    if _missing(r["wave"]) or not str(r["item"]).strip():
        raise InputError(path, row, "wave, item", "a wave and an item id")
    kind = r["share_is_rounded_to"]
    if kind not in ROUNDING:
        raise InputError(path, row, "share_is_rounded_to", f"one of {ROUNDING}", repr(kind))
    if kind == "count" and not _is_count(r):
        raise InputError(path, row, "numerator, denominator, share",
                         "0 <= numerator <= denominator, denominator >= 1 and no share for a count")
    if kind != "count" and not _is_tenths(r):
        raise InputError(path, row, "share", "a share in whole tenths (x av 10) and no counts", repr(r["share"]))
    if comparability_class(r["comparability"]) is None:
        raise InputError(path, row, "comparability", "a note starting with one of "
                         + ", ".join(repr(p) for p, _ in COMPARABILITY_PREFIXES), repr(r["comparability"][:40]))


def _missing(value) -> bool:
    """Whether one cell of a parsed row is empty: None, pandas' NA (the integer columns) or NaN (share)."""
    return value is None or type(value).__name__ == "NAType" or (isinstance(value, float) and math.isnan(value))


def _is_count(r: pd.Series) -> bool:
    """A count row: 0 <= numerator <= denominator, denominator >= 1, and no share."""
    num, den = r["numerator"], r["denominator"]
    if _missing(num) or _missing(den):
        return False
    return 0 <= num <= den and den >= 1 and _missing(r["share"])


def _is_tenths(r: pd.Series) -> bool:
    """An 'x av 10' row: a share in whole tenths between 0 and 1, and no counts."""
    if _missing(r["share"]):
        return False
    x = r["share"] * 10
    return abs(x - round(x)) <= 1e-9 and 0 <= x <= 10 and _missing(r["numerator"])


def published_share(series: pd.DataFrame, wave: int, item: str) -> float | None:
    """The published share of `item` in `wave` (numerator / denominator for counts); None if absent."""
    rows = series[(series["wave"] == int(wave)) & (series["item"] == item)]
    if rows.empty:
        return None
    r = rows.iloc[0]
    if r["share_is_rounded_to"] == "count":
        return float(r["numerator"]) / float(r["denominator"])
    return float(r["share"])
