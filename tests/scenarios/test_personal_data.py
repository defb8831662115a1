"""Personal data (issue 14, point 2): planted in every column of a raw export, none of it reaches
data/processed, the reports, the cleaning log or an error message.

The planted values are e-mail addresses, personnummer, phone numbers and names, written into every
column: where the column accepts any text (the id, the synthetic mark, the comments, the personal
columns, an extra column) the whole run (01-04, in-process) must succeed without carrying them;
where the codebook expects something else (answers, numbers, times, the municipality) the run must
stop with a message that does not echo them.
"""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest

from analysis.base import io
from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.compute import clean
from analysis.synthetic import generator as synthetic

CB = default_codebook()
H = {v.id: v.header for v in CB.variables}

# Distinctive needles: none can occur by chance in a number, a label or a municipality's name.
EMAIL = "planted-mail.example"
PNR = "601227-4962"
PHONE = "123 45 67"
NAME = "Plantesson"
NEEDLES = (EMAIL, PNR, PHONE, NAME, "Zlatana")


def planted(i: int, kind: int | None = None) -> str:
    """The i-th planted value (unique in i): an e-mail, a personnummer, a phone number or a name."""
    kind = i % 4 if kind is None else kind
    return (f"person{i}@{EMAIL}", f"19{PNR}/{i}", f"+46 70 {PHONE} ({i})", f"Zlatana {NAME} {i}")[kind]


ACCEPTS_ANY_TEXT = ("response_id", "synthetic_marker", "comment", "respondent_name", "respondent_email",
                    "respondent_phone", "respondent_title")
CHECKED = [v.id for v in CB.variables if v.id not in ACCEPTS_ANY_TEXT]


# ---------------------------------------------------------------------------------------------
# planted in every column that accepts text: the whole run succeeds and carries none of it
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory, register, reference_dir):
    from analysis.run.steps import clean as clean_step
    from analysis.run.steps import describe as describe_step
    from analysis.run.steps import model as model_step
    from analysis.run.steps import report as report_step
    from conftest import _small_params

    raw, _ = synthetic.generate(register, seed=2019)
    n = len(raw)
    raw[H["response_id"]] = [planted(i) for i in range(n)]
    raw[H["synthetic_marker"]] = [planted(i) if i % 2 else v for i, v in enumerate(raw[H["synthetic_marker"]])]
    raw[H["comment"]] = [f"Kontakta {planted(i, 3)}, {planted(i, 0)}, {planted(i, 2)} (pnr {planted(i, 1)}); "
                         f"svar av {name}" for i, name in enumerate(raw[H["respondent_name"]])]
    for k, vid in enumerate(("respondent_name", "respondent_email", "respondent_phone", "respondent_title")):
        raw.loc[raw.index[::7], H[vid]] = [planted(i, k) for i in range(0, n, 7)]
    raw.insert(5, "Anteckningar", [planted(i + 1) for i in range(n)])
    raw[f"Kontakt: someone@{EMAIL}"] = "x"  # a header holding personal data
    raw['=HYPERLINK("http://evil","klick")'] = "y"  # a header a spreadsheet would run

    base = tmp_path_factory.mktemp("planted")
    raw_path = base / "raw" / "synthetic_skr_infosak_2019.csv"
    io.write_export(raw, raw_path)
    P = _small_params(base, "sv", reference_dir, raw_path)
    shown = {"clean": clean_step.run(P)}
    shown["describe"] = describe_step.run(P)
    model_step.run(P)
    report_step.run(P)
    return raw, P, shown


def _secrets(raw: pd.DataFrame) -> set[str]:
    """Every personal value of the export long enough to be unambiguous, and the planted needles."""
    out = set(NEEDLES)
    for vid in ("respondent_name", "respondent_email", "respondent_phone"):
        out |= {v.strip() for v in raw[H[vid]] if len(v.strip()) >= 6}
    return out


def _texts(path) -> list[str]:
    """A file's text as stored, and as read: parquet cells, workbook cells (the zip's XML), HTML."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", errors="ignore")]
    if path.suffix == ".parquet":
        texts.append(pd.read_parquet(path).astype(str).to_csv())
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as zf:
            texts += [zf.read(n).decode("utf-8", errors="ignore") for n in zf.namelist()]
    return texts


def test_planted_personal_data_reaches_no_processed_or_report_file(planted_run):
    raw, P, _ = planted_run
    secrets = _secrets(raw)
    assert len(secrets) > 200
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)), re.IGNORECASE)
    files = [p for d in (P["processed_dir"], P["output_dir"]) for p in sorted(__import__("pathlib").Path(d).rglob("*"))
             if p.is_file()]
    assert {"responses.parquet", "cleaning_log.csv", "report.html", "headline.csv"} <= {p.name for p in files}
    leaks = [f"{p.name}: {m.group(0)}" for p in files for t in _texts(p) for m in [pattern.search(t)] if m]
    assert leaks == []


def test_what_01s_notebook_page_shows_holds_no_personal_data(planted_run):
    """01's page shows run_info, the cleaning log and the response table: none holds an id or PII."""
    from analysis.compute import survey

    raw, P, shown = planted_run
    result = shown["clean"]
    page = "\n".join([repr(result.run_info), result.log.to_html(),
                      survey.response_table(result.analysis, P["min_cell"]).to_html()])
    pattern = re.compile("|".join(re.escape(s) for s in sorted(_secrets(raw), key=len, reverse=True)), re.IGNORECASE)
    assert pattern.search(page) is None
    assert result.run_info["synthetic"] is True  # half the marks were overwritten; the file name still says so


def test_planted_run_logs_what_was_not_stored(planted_run):
    raw, P, shown = planted_run
    log = pd.read_csv(f"{P['processed_dir']}/cleaning_log.csv", keep_default_na=False)
    count = {(a, c): n for a, c, n in zip(log["action"], log["column"], log["count"], strict=True)}
    n = len(raw)
    assert count[("not_stored", "response_id")] == n and count[("dropped_free_text", "comment")] == n
    assert count[("dropped_extra", "Anteckningar")] == n
    assert count[("dropped_extra", "Kontakt: <e-mail>")] == n  # a header holding an e-mail is scrubbed
    # a header that a spreadsheet would run is neutralised in the CSV
    assert count[("dropped_extra", "'=HYPERLINK(\"http://evil\",\"klick\")")] == n
    resp = pd.read_parquet(f"{P['processed_dir']}/responses.parquet")
    assert not {"response_id", "comment", "synthetic_marker", "Anteckningar"} & set(resp.columns)


# ---------------------------------------------------------------------------------------------
# planted in every column the codebook checks: the run stops, and the message echoes none of it
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_raw(register):
    raw, _ = synthetic.generate(register, seed=7)
    return raw.iloc[:40].reset_index(drop=True)


@pytest.mark.parametrize("var", CHECKED)
@pytest.mark.parametrize("kind", range(4))
def test_planted_value_in_a_checked_column_stops_without_echoing_it(small_raw, register, var, kind):
    raw = small_raw.copy()
    raw.loc[3, H[var]] = planted(3, kind)
    # a name is recognised when it is a respondent's (the rule's scope): the planted one is row 1's
    raw.loc[0, H["respondent_name"]] = planted(3, 3)
    raw.loc[9, H[var]] = f"{raw.loc[9, H['respondent_name']]}"  # the respondent's own name, from Namn
    with pytest.raises(InputError) as exc:
        clean.clean(raw, register, CB, "export.csv")
    msg = str(exc.value)
    assert "row 5" in msg or "rows 5" in msg or "rows 1" in msg, msg  # the row (or the header, for a missing column)
    secrets = _secrets(raw) | {raw.loc[9, H["respondent_name"]]}
    assert not [s for s in secrets if s.lower() in msg.lower()], msg
    assert "\n" not in msg
