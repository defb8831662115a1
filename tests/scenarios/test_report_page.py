"""The report (issue 11): every number a reader sees equals the table it comes from, in both languages.

Runs on the outputs of a real small run of every step's code (conftest.small_run), not on hand-made
tables: the whole page, from the steps through the view model to the rendered HTML. Also: strict JSON
outputs, labels that follow alpha, the summary in SKR's form, suppressed cells, provenance, the change
since an earlier wave and the index's waves. The tests of one module are in tests/present/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.base import contracts, io
from analysis.present import catalogue, fmt
from analysis.present.report import index
from analysis.present.report.data import load
from analysis.run.steps import clean as clean_step
from analysis.run.steps import compare as compare_step
from analysis.run.steps import describe as describe_step
from analysis.run.steps import model as model_step
from analysis.run.steps import report as report_step
from conftest import strict_load as _strict_load


def _page(P) -> str:
    return (Path(P["output_dir"]) / "report.html").read_text(encoding="utf-8")


def _soup(P) -> BeautifulSoup:
    return BeautifulSoup(_page(P), "html.parser")


# ------------------------------------------------------------------ every number equals its table
_NUMBER = {
    "sv": re.compile(r"(<\s*)?([-\u2212]?\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:,\d+)?)"),
    "en": re.compile(r"(<\s*)?(-?\d{1,3}(?:,\d{3})*(?:\.\d+)?)"),
}


def parse_numbers(text: str, lang: str) -> list[tuple[float, int, bool]]:
    """Numbers as a reader reads them: (value, decimals shown, shown as '< x')."""
    out = []
    for m in _NUMBER[lang].finditer(text):
        s = m.group(2).replace("\u2212", "-")
        s = re.sub(r"[ \u00a0\u202f]", "", s).replace(",", ".") if lang == "sv" else s.replace(",", "")
        decimals = len(s.split(".")[1]) if "." in s else 0
        out.append((float(s), decimals, bool(m.group(1))))
    return out


def _lookup(table: pd.DataFrame, key: dict) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for k, v in key.items():
        mask &= table[k].isna() if v is None else (table[k].astype(str) == str(v))
    rows = table[mask]
    assert len(rows) == 1, f"key {key} matches {len(rows)} rows"
    return rows.iloc[0]


def check_numbers(P, scope: str = "") -> int:
    """Check every element that declares a source (within the CSS selector `scope`, default the whole
    page) against that source; return how many."""
    lang = P["lang"]
    soup = _soup(P)
    prov = json.loads((Path(P["output_dir"]) / "provenance.json").read_text(encoding="utf-8"))
    cache: dict[str, pd.DataFrame] = {}
    checked = 0
    for el in soup.select(f"{scope} [data-src]".strip()):
        src, key = el["data-src"], json.loads(el["data-key"])
        text = el.get_text()
        if src == "provenance":
            value = prov
            for part in key["path"]:
                value = value[part]
            shown = ("" if value is None else str(value), catalogue.text("provenance.unknown", lang))
            assert text in shown, (key, text)
            checked += 1
            continue
        c = contracts.contract(src)
        folder = P["processed_dir"] if c.home == "processed" else P["output_dir"]
        table = cache.setdefault(src, contracts.read_table(src, folder))
        row = _lookup(table, key)
        cols = el["data-cols"].split()
        values = [row[col] for col in cols]
        present = [(v, contracts.unit(src, col)) for v, col in zip(values, cols, strict=True) if not fmt.isna(v)]
        if text.strip() == catalogue.text("report.suppressed", lang):
            assert not present, f"{src} {key} {cols}: shown as suppressed but the table has {present}"
            checked += 1
            continue
        numbers = parse_numbers(text, lang)
        assert len(numbers) == len(present), f"{src} {key} {cols}: shows {text!r}, table has {present}"
        for (shown, decimals, less), (value, unit) in zip(numbers, present, strict=True):
            true = float(value) * (100 if unit == "proportion" else 1)
            if less:
                assert true < shown, f"{src} {key}: {true} shown as < {shown}"
            else:
                assert abs(true - shown) <= 0.5 * 10 ** -decimals + 1e-9, \
                    f"{src} {key} {cols}: {text!r} but the table has {value} ({unit})"
        checked += 1
    return checked


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_displayed_number_equals_its_table(small_run, lang):
    P = small_run[lang]
    checked = check_numbers(P)
    assert checked > 400
    soup = _soup(P)
    # Every numeric cell says where its numbers come from: none escapes the check above.
    untagged = [td.get_text() for td in soup.select("td.num") if not td.has_attr("data-src")]
    assert untagged == []
    # Every table of the report is one of: tagged numeric cells, or labels and text.
    for table in soup.select("table"):
        assert table.get("id"), "every table has an id"


def test_ame_is_shown_in_percentage_points_not_times_100(small_run):
    """The defect of issue 11: 909,9 where models.csv has 9.10."""
    P = small_run["sv"]
    models = pd.read_csv(Path(P["output_dir"]) / "tables" / "models.csv", encoding="utf-8-sig")
    row = models[(models["spec"] == "main") & (models["outcome"] == "risk_management")
                 & (models["term"] == "leadership_informed")].iloc[0]
    cell = _soup(P).select_one("#table-ame td[data-key*='risk_management'][data-key*='leadership_informed']")
    shown = parse_numbers(cell.get_text(), "sv")[0][0]
    assert shown == pytest.approx(row["ame"], abs=0.05) and abs(row["ame"]) < 100


def test_reliability_rows_name_coding_and_method_and_counts_are_integers(small_run):
    P = small_run["en"]
    rows = _soup(P).select("#table-reliability tbody tr")
    texts = [[td.get_text() for td in tr.select("td")] for tr in rows]
    assert len(texts) == 4
    assert {t[0] for t in texts} == {catalogue.label("codings", c, "en") for c in ("main", "cut_partly")}
    assert {t[1].split(" (")[0] for t in texts} == {"Bootstrap, percentile", "Feldt's F method"}
    assert all(re.fullmatch(r"\d+", t[3]) for t in texts)  # number of items: 7, not 7.00


# --------------------------------------------------------------------------------- strict JSON
def test_every_json_output_is_strict(small_run):
    P = small_run["sv"]
    files = [*Path(P["processed_dir"]).glob("*.json"), *Path(P["output_dir"]).glob("*.json")]
    assert {f.name for f in files} >= {"run_info.json", "describe_summary.json", "model_summary.json",
                                      "provenance.json"}
    for f in files:
        _strict_load(f)


# ------------------------------------------------------------------------------ alpha and labels
def test_confidence_labels_follow_alpha(small_run, tmp_path):
    import shutil

    P = dict(small_run["sv"], alpha=0.10, output_dir=str(tmp_path / "reports"),
             processed_dir=str(tmp_path / "processed"))
    shutil.copytree(small_run["sv"]["processed_dir"], P["processed_dir"])
    describe_step.run(P)
    model_step.run(P)
    report_step.run(P)
    text = _soup(P).get_text()
    assert "90\u00a0% KI" in text and "95\u00a0%" not in text
    assert check_numbers(P) > 400
    # A report whose tables were made with another alpha is refused.
    from analysis.base.errors import ContractError

    with pytest.raises(ContractError, match="alpha"):
        load(dict(P, alpha=0.05))


# -------------------------------------------------------------------------------- the page
def test_english_report_has_no_swedish_prose(small_run):
    soup = _soup(small_run["en"])
    for s in soup(["style"]):
        s.decompose()
    text = soup.get_text(" ")
    text = re.sub(r"\b\w+ län\b|\b\w+s län\b", "", text)  # county names stay Swedish
    words = set(re.findall(r"\w*[åäöÅÄÖ]\w*", text))
    allowed = {"Sveriges", "Kommuner", "Regioner", "Gävleborgs", "Jämtlands", "Västernorrlands", "Västerbottens",
               "Västra", "Götalands", "Skåne", "Södermanlands", "Östergötlands", "Jönköpings", "Värmlands",
               "Örebro", "Västmanlands", "Kronobergs", "Västerbotten", "Gävleborg", "Jämtland", "Västernorrland",
               "Södermanland", "Östergötland", "Jönköping", "Värmland", "Västmanland", "Götaland", "Kronoberg"}
    assert words <= allowed, sorted(words - allowed)
    assert soup.html["lang"] == "en"
    assert re.search(r"\d+ in 10 municipalities have a CISO", soup.get_text())


def test_swedish_summary_in_skr_form(small_run):
    text = _soup(small_run["sv"]).get_text()
    assert re.search(r"I \d+ av 10 kommuner finns en CISO", text)
    assert "SKR 2019: 6 av 10" in text


def test_suppressed_cells_are_not_shown(small_run):
    soup = _soup(small_run["sv"])
    head = [th.get_text() for th in soup.select("#table-groups thead th")]
    assert "A1" not in head and "A1+A2" in head  # A1 is only reported together with A2
    dashes = soup.select("#table-groups td.suppressed, #table-response td.suppressed, #table-maturity td.suppressed")
    assert dashes and all(td.get_text() == "–" for td in dashes)
    assert "färre än 5 svarande" in soup.get_text()


def test_provenance_is_shown_as_recorded(small_run):
    P = small_run["sv"]
    prov = json.loads((Path(P["output_dir"]) / "provenance.json").read_text(encoding="utf-8"))
    assert prov["raw_sha256"] == io.sha256_file(P["raw_path"])
    assert set(prov["processed_sha256"]) == {"analysis.parquet", "responses.parquet", "cleaning_log.csv",
                                             "run_info.json"}
    assert prov["params"]["lang"] == "sv" and prov["params"]["min_cell"] == 5
    assert "pandas" in prov["packages"] and isinstance(prov["git_dirty"], bool)
    text = _soup(P).get_text()
    for value in (prov["raw_sha256"], *prov["processed_sha256"].values()):
        assert value in text


# ------------------------------------------------------------------------- two waves: the change
@pytest.fixture(scope="module")
def two_wave_run(small_run, register, reference_dir, tmp_path_factory):
    """small_run's 2019 data as the earlier wave and a real in-process run of wave 2023 (01, 02, 03, 05,
    the report in Swedish and English; 02, 03 and 05 in each language, as they draw their figures in the
    run's language only). Returns {"sv": P, "en": P} of wave 2023."""
    from analysis.base import reference
    from analysis.synthetic import generator as synthetic
    from conftest import _small_params

    base = tmp_path_factory.mktemp("two_waves")
    raw = base / "raw" / "synthetic_skr_infosak_2023.csv"
    series = reference.load_published_series(reference_dir)
    io.write_export(synthetic.generate(register, seed=2019, wave=2023, published_series=series)[0], raw)
    over = {"wave": 2023, "compare_with": 2019, "compare_dir": small_run["sv"]["processed_dir"]}
    P = _small_params(base, "sv", reference_dir, raw, **over)
    clean_step.run(P)
    out = {"sv": P, "en": _small_params(base, "en", reference_dir, raw, **over)}
    for p in out.values():
        describe_step.run(p)
        model_step.run(p)
        assert compare_step.run(p)["compared"]
        report_step.run(p)
    return out


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_change_section_numbers_equal_their_tables(two_wave_run, lang):
    P = two_wave_run[lang]
    # the other sections are checked on small_run; here the section of the comparison, and the summary
    # and key-figure table of wave 2023 (its own codebook: SKR's 2023 figure where one was published)
    assert check_numbers(P, "section#change") >= 7 + 12 * 6 + 12 * 6 + 16 + 21  # lead, C1, C2, C3
    assert check_numbers(P, "section#summary") >= 40 and check_numbers(P, "section#shares") == 60
    assert {"sv": "SKR 2023: 7 av 10", "en": "SKR 2023: 7 in 10"}[lang] in _soup(P).select_one("#summary").get_text()
    soup = _soup(P)
    section = soup.select_one("section#change")
    tagged = section.select("[data-src]")
    assert {el["data-src"] for el in tagged} == {"change", "transitions", "trend"}
    change = contracts.read_table("change", P["output_dir"])
    for item in change["item"]:  # every row of change.csv is shown with its change and both intervals
        cols = {el["data-cols"] for el in tagged
                if el["data-src"] == "change" and json.loads(el["data-key"]) == {"item": item}}
        assert {"share_from", "share_to", "change", "ci_low ci_high", "ci_low_independent ci_high_independent",
                "n_both"} <= cols, item
    published = contracts.read_table("trend", P["output_dir"]).query("kind == 'published'")
    keys = {(k["item"], k["wave"]) for k in (json.loads(el["data-key"]) for el in tagged if el["data-src"] == "trend")}
    assert keys == set(zip(published["item"], published["wave"], strict=False))
    assert not section.select("td.num:not([data-src])")
    title = {"sv": "Förändring sedan 2019", "en": "Change since 2019"}[lang]
    assert section.select_one("h2").get_text() == title
    assert title in [a.get_text() for a in soup.select("#toc a")]


def test_change_section_flags_reworded_questions_and_the_fpc_caveat(two_wave_run):
    from analysis.base.waves import item_map

    for lang, P in two_wave_run.items():
        text = _soup(P).select_one("section#change").get_text(" ")
        for link in item_map(2019, 2023).items:
            if link.comparability == "wording_changed":
                assert getattr(link, f"note_{lang}")[:60] in " ".join(text.split()), (lang, link.item_from)
        assert catalogue.label("comparability", "wording_changed", lang) in text
        assert {"sv": "för smalt", "en": "too narrow"}[lang] in text


def test_two_wave_report_shows_the_trend_figure_and_the_single_wave_report_does_not(two_wave_run, small_run):
    page = _page(two_wave_run["sv"])
    assert page.count('src="data:image/png;base64,') == 7
    fig = _soup(two_wave_run["en"]).select_one("section#change figure#fig-trend")
    assert fig and "public record" in fig.get_text()
    assert _soup(small_run["sv"]).select_one("section#change") is None
    assert "change" not in [a["href"].split("-")[0][1:] for a in _soup(small_run["sv"]).select("#toc a")]


def test_two_wave_english_report_has_no_swedish_prose(two_wave_run):
    soup = _soup(two_wave_run["en"])
    for s in soup(["style"]):
        s.decompose()
    text = re.sub(r"\b\w+ län\b|\b\w+s län\b", "", soup.get_text(" "))
    words = set(re.findall(r"\w*[åäöÅÄÖ]\w*", text))
    county = {"Gävleborgs", "Jämtlands", "Västernorrlands", "Västerbottens", "Västra", "Götalands", "Skåne",
              "Södermanlands", "Östergötlands", "Jönköpings", "Värmlands", "Örebro", "Västmanlands", "Kronobergs",
              "Västerbotten", "Gävleborg", "Jämtland", "Västernorrland", "Södermanland", "Östergötland", "Jönköping",
              "Värmland", "Västmanland", "Götaland", "Kronoberg", "Sveriges", "Kommuner", "Regioner"}
    assert words <= county, sorted(words - county)


def test_index_lists_every_wave_of_the_report(two_wave_run, tmp_path):
    import shutil

    out = tmp_path / "reports" / "2023"
    shutil.copytree(two_wave_run["sv"]["output_dir"], out)
    page = lambda: BeautifulSoup(index.render_index(out, [], lang="sv", wave=2023, synthetic=True, has_pdf=False,  # noqa: E731
                                                     has_workbook=False), "html.parser")
    waves = page().select("ul.waves li")
    assert [li.get_text() for li in waves] == ["2019: alla filer", "2023 (denna)"] and not waves[0].select("a")
    (tmp_path / "reports" / "2019").mkdir()
    (tmp_path / "reports" / "2019" / "index.html").write_text("<html></html>")
    assert [a["href"] for a in page().select("ul.waves a")] == ["../2019/index.html"]


def test_no_earlier_wave_removes_a_stale_comparison(two_wave_run, tmp_path):
    import shutil

    P = dict(two_wave_run["sv"], output_dir=str(tmp_path / "out"), compare_with=None, compare_dir=None)
    shutil.copytree(two_wave_run["sv"]["output_dir"], P["output_dir"])
    assert compare_step.run(P) == {"compared": False}
    out = Path(P["output_dir"])
    assert not (out / "tables" / "change.csv").exists() and not list((out / "figures").glob("trend_*"))
    report_step.run(P)
    assert _soup(P).select_one("section#change") is None
