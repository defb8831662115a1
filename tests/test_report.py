"""The report (issue 7): prose in two languages, rendering, safety, banner, provenance, exports.

The report is built from a small fake output folder (`make_fixture`) that follows the column lists
of docs/contracts.md, so these tests do not need the full pipeline.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import io, report
from analysis.codebook import HEADLINE_ITEMS, default_codebook

HOSTILE = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>',
           '"><svg onload=alert(3)>', '=HYPERLINK("http://evil.example","x")']

# ----------------------------------------------------------------------------------- fixture


def make_fixture(base: Path, *, synthetic: bool = True, lang: str = "sv") -> dict:
    """A fake but realistic set of 01-03 outputs under `base`; returns resolved parameters."""
    from analysis import figures

    base = Path(base)
    raw_name = "synthetic_skr_infosak_2019.csv" if synthetic else "skr_infosak_2019.csv"
    raw = base / "raw" / raw_name
    processed = base / "processed"
    out = base / "reports"
    for d in (raw.parent, processed, out / "tables", out / "figures"):
        d.mkdir(parents=True, exist_ok=True)
    raw.write_text("Svars-ID,Kommun\n1,Ale\n", encoding="utf-8")
    io.write_json({"raw_file": raw_name, "raw_sha256": io.sha256_file(raw), "synthetic": synthetic,
                   "counts": {"rows_read": 270, "respondents": 264, "municipalities": 290}},
                  processed / "run_info.json")
    io.write_csv(pd.DataFrame({"step": ["read"], "action": ["rows read"], "column": [""], "count": [270],
                               "detail": [""]}), processed / "cleaning_log.csv")

    cb = default_codebook()
    rows = []
    for i, item in enumerate(HEADLINE_ITEMS):
        h = cb[item].headline
        share = min(0.95, h.published_share + 0.02 * (i % 3))
        rows.append({"item": item, "label_sv": h.label_sv, "label_en": h.label_en, "n_eligible": 250 + i,
                     "n_yes": int(share * (250 + i)), "share_unweighted": share - 0.01, "share_weighted": share,
                     "se": 0.02, "ci_low": share - 0.06, "ci_high": share + 0.06, "ci_method": "korn-graubard",
                     "bound_low": share * 0.9, "bound_high": share * 0.9 + 0.1, "x_of_10": f"{int(round(share * 10))} av 10",
                     "published_share": h.published_share})
    io.write_csv(pd.DataFrame(rows), out / "tables" / "headline.csv", excel=True)
    groups = ["A1", "A2", "B3", "C9"]
    by_group = []
    for g, n in zip(groups, [3, 40, 50, 20]):
        for item in HEADLINE_ITEMS:
            small = n < 5
            by_group.append({"grouping": "kommungrupp", "group": g, "item": item, "n_eligible": n,
                             "share_weighted": None if small else 0.6, "ci_low": None if small else 0.45,
                             "ci_high": None if small else 0.74, "suppressed": small, "data_source": "synthetic"})
    io.write_csv(pd.DataFrame(by_group), out / "tables" / "headline_by_group.csv", excel=True)
    # Hostile free text in cells the report displays (the county-name column of response.csv).
    io.write_csv(pd.DataFrame({
        "grouping": ["all", "kommungrupp", "kommungrupp", "lan_kod", "lan_kod", "lan_kod", "lan_kod"],
        "group": ["all", "A1", "A2", "01", "03", "04", "05"],
        "N": [290, 3, 45, 26, 8, 9, 13], "respondents": [264, None, 41, 26, 7, 8, 12],
        "name": [None, None, None, *HOSTILE], "rate": [264 / 290, None, 41 / 45, 1.0, 7 / 8, 8 / 9, 12 / 13],
        "suppressed": [False, True, False, False, False, False, False]}),
        out / "tables" / "response.csv", excel=True)
    io.write_csv(pd.DataFrame({"term": ["const", "log_folkmangd", "huvudgrupp[B]"], "coef": [-1.6, 0.5, -0.7],
                               "se": [2.9, 0.27, 1.1], "odds_ratio": [0.2, 1.67, 0.48], "ci_low": [0.01, 0.98, 0.05],
                               "ci_high": [69.6, 2.85, 4.2], "p_value": [0.59, 0.057, 0.5], "n": [290] * 3,
                               "method": ["GLM binomial (logit), Wald CI; reference group A"] * 3}),
                 out / "tables" / "nonresponse_model.csv", excel=True)
    io.write_csv(pd.DataFrame({"grouping": ["all", "kommungrupp", "kommungrupp"], "group": ["all", "A1", "A2"],
                               "n": [169, 1, 24], "mean": [2.93, None, 3.12], "se": [0.03, None, 0.04],
                               "ci_low": [2.87, None, 3.03], "ci_high": [3.0, None, 3.2], "df": [160, 0, 23],
                               "suppressed": [False, True, False]}),
                 out / "tables" / "maturity_index.csv", excel=True)
    io.write_csv(pd.DataFrame({
        "spec": ["main"] * 3 + ["unweighted"], "outcome": ["risk_management"] * 3 + ["risk_management"],
        "term": ["const", "leadership_informed", "resources", "leadership_informed"],
        "odds_ratio": [0.3, 2.5, 1.8, 2.4], "ci_low": [0.2, 1.5, 1.1, 1.4], "ci_high": [0.5, 4.1, 2.9, 4.0],
        "p_value": [0.0001, 0.0004, 0.02, 0.001], "q_value": [None, 0.001, None, None],
        "ame": [None, 0.18, 0.1, 0.17], "ame_ci_low": [None, 0.08, 0.01, 0.07], "ame_ci_high": [None, 0.28, 0.19, 0.27],
        "n": [250, 250, 248, 250], "weighted": [True, True, True, False], "method": ["GLM"] * 3 + ["Firth"],
        "data_source": ["synthetic"] * 4}),
        out / "tables" / "models.csv", excel=True)
    io.write_csv(pd.DataFrame({"spec": ["main"] * 2, "measure": ["KR-20"] * 2, "n": [169] * 2, "k": [7] * 2, "estimate": [0.48] * 2, "ci_low": [0.33, 0.35], "ci_high": [0.58, 0.59], "ci_method": ["percentile bootstrap (2000 resamples, seed 2019)", "Feldt F"]}),
                 out / "tables" / "reliability.csv", excel=True)
    io.write_json({"n_respondents": 264, "n_municipalities": 290,
                   "maturity_index": {"estimate": 3.4, "ci_low": 3.2, "ci_high": 3.6}}, out / "describe_summary.json")
    io.write_json({"verdicts": [
        {"claim": "leadership", "claim_sv": "Aktiv ledning hänger ihop med etablerade arbetssätt",
         "claim_en": "Active leadership goes with established working methods", "verdict": "supported",
         "text_sv": "På dessa data: stöds. " + HOSTILE[1], "text_en": "On these data: supported. " + HOSTILE[0]},
        {"claim": "collaboration", "claim_sv": "Samarbete är framgångsrikt", "claim_en": "Collaboration succeeds",
         "verdict": "unclear", "text_sv": "Oklart.", "text_en": "Unclear."},
    ]}, out / "model_summary.json")

    figures.setup_style()
    import matplotlib.pyplot as plt

    for name in ("headline_shares", "response_rate_by_group", "model_forest_or"):
        fig, ax = plt.subplots(figsize=(4, 2.5))
        ax.barh(["a", "b"], [0.6, 0.3])
        ax.set_xlabel({"sv": "Andel", "en": "Share"}[lang])
        figures.save_figure(fig, out / "figures", name, synthetic=synthetic, lang=lang)

    from analysis import params

    return params.resolve(params.merge({
        "wave": 2019, "raw_path": str(raw), "reference_dir": str(base / "external"),
        "processed_dir": str(processed), "output_dir": str(out), "lang": lang, "alpha": 0.05,
        "seed": 2019, "min_cell": 5}))


def build_report(base: Path, *, synthetic: bool = True, lang: str = "sv") -> tuple[dict, Path]:
    """Make the fixture, execute 04_report.ipynb with papermill as the runner does, and render it."""
    from analysis import params, pipeline

    P = make_fixture(base, synthetic=synthetic, lang=lang)
    step = next(s for s in pipeline.STEPS if s.name == "04_report")
    executed = pipeline.execute_step(step, P, params.project_root(), base / "executed", progress=False)
    nb = nbformat.read(executed, as_version=4)
    out = Path(P["output_dir"])
    io.write_text(report.render_notebook_html(nb, report=True), out / "report.html")
    io.write_text(report.render_notebook_html(nb, report=False), out / "notebooks" / "04_report.html")
    return P, out / "report.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Reports in both languages (synthetic) and one from non-synthetic input."""
    out = {}
    for key, kw in {"sv": {"lang": "sv"}, "en": {"lang": "en"}, "real": {"lang": "sv", "synthetic": False}}.items():
        P, html_path = build_report(tmp_path_factory.mktemp(key), **kw)
        out[key] = (P, html_path, html_path.read_text(encoding="utf-8"))
    return out


def visible_text(page: str) -> str:
    """Text a reader sees: no <style>/<script>, no tags, entities decoded."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return htmlmod.unescape(page)


# ------------------------------------------------------------------------------------- prose
def test_prose_keys_are_the_same_in_both_languages():
    sv, en = report.prose("sv"), report.prose("en")
    assert report.prose_keys(sv) == report.prose_keys(en)
    # The same placeholders in every sentence.
    def fields(obj, prefix=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield from fields(v, f"{prefix}{k}.")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                yield from fields(v, f"{prefix}{i}.")
        else:
            yield prefix, set(re.findall(r"{(\w+)}", str(obj)))
    assert dict(fields(sv)) == dict(fields(en))


# Words with å/ä/ö that may appear in the English report: proper nouns and codebook-free names.
ALLOWED_SWEDISH = {"Sveriges", "Kommuner", "Regioner"}


def test_english_report_has_no_swedish_prose(built):
    _, _, page = built["en"]
    text = visible_text(page)
    words = set(re.findall(r"\w*[åäöÅÄÖ]\w*", text))
    assert words <= ALLOWED_SWEDISH, sorted(words - ALLOWED_SWEDISH)
    sv, en = report.prose("sv"), report.prose("en")
    for key in ("synthetic_banner", "summary_intro", "shares_intro", "models_intro", "toc"):
        assert sv[key].split("{")[0].strip()[:30] not in text
    for key, title in en["sections"].items():
        if key != "figures":  # shown only for figures no other section places
            assert title in text and sv["sections"][key] not in text
    assert re.search(r'<html lang="en"', page)
    # Codebook statements in English, with the x filled in.
    assert re.search(r"\d+ in 10 municipalities have a CISO", text)


def test_swedish_report_has_summary_in_skr_form(built):
    _, _, page = built["sv"]
    text = visible_text(page)
    assert re.search(r"I \d+ av 10 kommuner finns en CISO", text)
    assert "SKR 2019: 6 av 10" in text
    assert re.search(r"95\s%\sKI", text)
    for key, title in report.prose("sv")["sections"].items():
        assert key == "figures" or title in text
    assert re.search(r'<html lang="sv"', page)


# ---------------------------------------------------------------------------------- the page
CDN_REF = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_report_is_self_contained(built):
    for key, (_, path, page) in built.items():
        assert not CDN_REF.search(page), key
        assert "<script" not in page.lower(), key            # the report needs no script at all
        assert "mathjax" not in page.lower() and "require.min.js" not in page
        assert "@import" not in page and "url(http" not in page
        assert page.count('src="data:image/png;base64,') >= 2
    analysts = (Path(built["sv"][0]["output_dir"]) / "notebooks" / "04_report.html").read_text(encoding="utf-8")
    assert not CDN_REF.search(analysts)
    assert "jp-InputArea" in analysts and "notebook_params" in analysts  # analysts see the code


def test_report_shows_no_code(built):
    page = built["sv"][2]
    assert "report.summary" not in page and "notebook_params" not in page
    assert 'class="jp-InputArea' not in page


def test_toc_links_have_targets(built):
    page = built["sv"][2]
    nav = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) == len(report.SECTIONS) - 1  # no extra figures in the fixture
    for t in targets:
        assert re.search(rf'<h2 id="{re.escape(t)}">', page), t


def test_hostile_text_is_shown_as_text(built):
    for key in ("sv", "en"):
        page = built[key][2]
        assert "<script>alert" not in page
        assert "<img src=x" not in page and "onerror=alert" not in re.sub(r"&[a-z]+;", "", page).replace(
            "onerror=alert(1)&gt;", "") or "onerror" not in re.findall(r"<img[^>]*>", page)
        for img in re.findall(r"<img\b[^>]*>", page):
            assert "onerror" not in img and 'src="x"' not in img
        assert "<svg" not in page
        assert htmlmod.escape("<script>alert(2)</script>", quote=False) in page or "&lt;script&gt;" in page
    # The hostile text is visible as text.
    assert "<img src=x onerror=alert(1)>" in visible_text(built["sv"][2])


def test_sanitiser_neutralises_raw_html_outputs():
    """Even an output that was never escaped cannot run script in the report view."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"lang": "en", "wave": 2019}}
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data={
            "text/html": '<h2 id="ok">T</h2><script>alert(1)</script><img src=x onerror=alert(1)>'
                         '<a href="javascript:alert(1)">j</a><a href="https://cdn.example/x.js">c</a>'}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(4)", "text/plain": "js"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "<script>alert(5)</script> *md*"}),
    ])]
    page = report.render_notebook_html(nb, report=True)
    assert '<h2 id="ok">' in page
    assert "<script" not in page.lower() and "alert(4)" not in page
    assert "javascript:" not in page and "cdn.example" not in re.sub(r"&\w+;", "", "".join(re.findall(r"href=\"[^\"]*\"", page)))
    for img in re.findall(r"<img\b[^>]*>", page):
        assert "onerror" not in img


def test_suppressed_cells_are_not_shown(built):
    page = built["sv"][2]
    # The A1 row (3 respondents) shows "–" instead of its share (67 %).
    # Table 2: the A1 column (3 respondents) shows "–"; table 6: the A1 row hides its respondents.
    table2 = re.search(r"<table><caption>Tabell 2.*?</table>", page, re.S).group(0)
    head = re.findall(r"<th[^>]*>([^<]*)</th>", table2)
    a1 = head.index("A1")
    for row in re.findall(r"<tr>(<td.*?)</tr>", table2):
        assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[a1] == "–"
    row = re.search(r"<tr><td>Kommungrupp</td><td>A1 Storstäder</td>.*?</tr>", page).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[3:] == ["–", "–"]
    assert "färre än 5 svarande" in page


# ----------------------------------------------------------------------------------- banner
def test_banner_present_when_synthetic_and_absent_when_not(built):
    assert 'id="synthetic-banner"' in built["sv"][2]
    assert "inte SKR:s resultat" in visible_text(built["sv"][2])
    assert 'id="synthetic-banner"' in built["en"][2]
    assert "not SKR's results" in visible_text(built["en"][2])
    assert 'id="synthetic-banner"' not in built["real"][2]
    assert "SYNTETISKA DATA" not in visible_text(built["real"][2])


# ------------------------------------------------------------------------------- provenance
def test_provenance_lists_commit_hashes_params_versions(built):
    P, _, page = built["sv"]
    prov = report.collect_provenance(P)
    assert prov["raw_sha256"] == io.sha256_file(P["raw_path"])
    assert set(prov["processed_sha256"]) == {"run_info.json", "cleaning_log.csv"}
    assert prov["params"]["lang"] == "sv" and prov["params"]["min_cell"] == 5
    assert "pandas" in prov["packages"]
    assert isinstance(prov["git_dirty"], bool)
    assert re.fullmatch(r"[0-9a-f]{40}", prov["git_commit"])
    for value in (prov["git_commit"], prov["raw_sha256"], *prov["processed_sha256"].values(), prov["python"]):
        assert value in page


def test_staging_paths_are_shown_as_final(tmp_path):
    root = tmp_path
    assert report._display_path(root / "reports/.2019.staging-123/x", root) == "reports/2019/x"


# ---------------------------------------------------------------------------------- exports
def test_index_links_report_and_notebooks(built):
    P, _, _ = built["sv"]
    out = Path(P["output_dir"])
    index = report.write_index(out, [out / "notebooks" / "04_report.html"], "sv")
    page = index.read_text(encoding="utf-8")
    assert 'href="report.html"' in page and 'href="notebooks/04_report.html"' in page
    assert '<html lang="sv">' in page and not CDN_REF.search(page)


def test_csv_neutralises_formulas(tmp_path):
    df = pd.DataFrame({"a": ["=1+1", "+cmd", "-x", "@SUM(A1)", "ok", "-"], "n": [1, -2, 3, 4, 5, 6]})
    path = io.write_csv(df, tmp_path / "t.csv", excel=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = report.read_table(path)
    assert all(not str(v).startswith(("=", "+", "-", "@")) for v in back["a"])
    assert list(back["n"]) == [1, -2, 3, 4, 5, 6]  # numbers stay numbers


def _workbook_tables(tmp_path: Path) -> Path:
    tables = tmp_path / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"text": ["=HYPERLINK(\"http://evil.example\")", "+1", "@A1", "-2+3", "Åre kommun"],
                  "share": [0.1, 0.2, -0.3, 0.4, 0.5]}).to_csv(tables / "a.csv", index=False, encoding="utf-8-sig")
    io.write_csv(pd.DataFrame({"x": [1, 2]}), tables / "b.csv", excel=True)
    return tables


def test_workbook_neutralises_formulas(tmp_path):
    from openpyxl import load_workbook

    path = report.export_workbook(_workbook_tables(tmp_path))
    wb = load_workbook(path)
    assert wb.sheetnames == ["a", "b"]
    cells = [c for row in wb["a"].iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(not t.startswith(("=", "+", "-", "@")) for t in texts)
    assert "Åre kommun" in texts
    assert [c.value for c in wb["a"]["B"]][1:] == [0.1, 0.2, -0.3, 0.4, 0.5]
    with zipfile.ZipFile(path) as z:
        assert "=HYPERLINK" not in z.read("xl/worksheets/sheet1.xml").decode().replace("'=HYPERLINK", "")


def test_workbook_is_deterministic(tmp_path):
    tables = _workbook_tables(tmp_path)
    first = report.export_workbook(tables).read_bytes()
    import time

    time.sleep(1.1)  # zip entry times have a two-second resolution; properties one second
    second = report.export_workbook(tables).read_bytes()
    assert first == second


def test_figures_are_deterministic(tmp_path):
    """figures.save_figure gives the same bytes for the same figure, run twice."""
    from analysis import figures
    import matplotlib.pyplot as plt

    def draw(d):
        figures.setup_style()
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [0.2, 0.5, 0.4])
        ax.set_title("Andel kommuner – Åre")
        return figures.save_figure(fig, d, "f", synthetic=True, lang="sv")

    a, b = draw(tmp_path / "a"), draw(tmp_path / "b")
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_print_pdf(built, tmp_path):
    _, html_path, _ = built["sv"]
    if report.find_chromium() is None:
        assert report.print_pdf(html_path, tmp_path / "r.pdf") is None
        pytest.skip("chromium not installed: print_pdf returns None with a note")
    pdf = report.print_pdf(html_path, tmp_path / "r.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_notebook_is_thin(root):
    nb = nbformat.read(root / "notebooks" / "04_report.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "from analysis import params, report" in code[1].source
    assert "params.notebook_params(" in code[1].source
    for c in code[2:]:
        assert re.fullmatch(r"report\.\w+\(R\)", c.source.strip()), c.source
