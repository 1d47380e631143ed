"""Every brief format in both languages, checked for content: the PDF's text (pypdf), the Excel
cells (read from the workbook's XML), the HTML (one file, no network) and the Markdown hold the
headline numbers computed here from the Parquet files or plain arithmetic."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pypdf import PdfReader

from _report_world import (
    ENGLISH_WORDS,
    build,
    narrative_numbers_not_in_tables,
    normalise,
    synthetic_store,
    total,
)
from silkroad.briefs import brief, write_briefs
from silkroad.report.brief import FORMATS

WHEN = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
LANGS = ("en", "ru")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --- readers -------------------------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return normalise(" ".join(page.extract_text() for page in reader.pages))


def xlsx_sheets(data: bytes) -> dict[str, dict[tuple[int, int], object]]:
    """Sheet name -> {(row, column): value}, zero-based; numbers as float, strings as str."""
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = [
        "".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t"))
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(f"{{{MAIN}}}si")
    ]
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in ET.fromstring(z.read("xl/workbook.xml")).iter(f"{{{MAIN}}}sheet"):
        xml = ET.fromstring(z.read("xl/" + targets[sheet.get(f"{{{RELS}}}id")]))
        cells: dict[tuple[int, int], object] = {}
        for c in xml.iter(f"{{{MAIN}}}c"):
            v = c.find(f"{{{MAIN}}}v")
            if v is None:
                continue
            letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", c.get("r")).groups()
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            kind = c.get("t")
            cells[(int(digits) - 1, col - 1)] = (
                shared[int(v.text)] if kind == "s" else v.text if kind == "str" else float(v.text)
            )
        out[sheet.get("name")] = cells
    return out


def row_of(cells: dict[tuple[int, int], object], label: str) -> dict[int, object]:
    """The cells of the (last) row whose first column is ``label``."""
    rows = [r for (r, c), v in cells.items() if c == 0 and v == label]
    assert rows, label
    return {c: v for (r, c), v in cells.items() if r == rows[-1]}


class _Visible(HTMLParser):
    """Visible text of an HTML page, and the scripts and links it references."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.refs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        for key in ("src", "href"):
            if a.get(key):
                self.refs.append(a[key])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def html_parts(html: str) -> tuple[str, list[str]]:
    p = _Visible()
    p.feed(html)
    return normalise(" ".join(p.text)), p.refs


# --- expected strings ------------------------------------------------------------------------
def fmt(x: float, lang: str, *, digits: int = 1) -> str:
    """One-decimal half-up number, written as the brief's language writes it (spaces normalised)."""
    d = Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{abs(d):,.{digits}f}"
    if lang == "ru":
        text = text.replace(",", " ").replace(".", ",")
    return ("\u2212" if d < 0 else "") + text


def names(lang: str) -> tuple[str, str]:
    return ("Belarus", "Kazakhstan") if lang == "en" else ("Беларусь", "Казахстан")


# --- the hand-made world ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build(tmp_path_factory.mktemp("formats-world"))


@pytest.fixture(scope="module")
def rendered(world):
    doc = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    return {(lang, f): doc.in_language(lang).render(f) for lang in LANGS for f in FORMATS}


def _headline(lang: str) -> list[str]:
    x, m = total(2014, "BLR", "KAZ"), total(2014, "KAZ", "BLR")
    return [fmt(v / 1e6, lang) for v in (x + m, x, m, x - m)]  # 1,171.4 877.6 293.8 583.8


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_text_has_the_headline_numbers_and_names(rendered, lang):
    data = rendered[(lang, "pdf")]
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    text = pdf_text(data)
    for number in _headline(lang):
        assert number in text, number
    a, b = names(lang)
    assert a in text and b in text
    if lang == "en":
        assert "$1.17 billion" in text and "+23.0%" in text and "3.6 times more" in text
    else:
        assert "1,17 млрд долл. США" in text and "+23,0 %" in text and "в 3,6 раза больше" in text
        for word in ENGLISH_WORDS:
            assert word not in text, word


@pytest.mark.parametrize("lang", LANGS)
def test_excel_cells_are_numbers_with_units_in_headers(rendered, lang):
    sheets = xlsx_sheets(rendered[(lang, "xlsx")])
    x, m = total(2014, "BLR", "KAZ"), total(2014, "KAZ", "BLR")
    x13, m13 = total(2013, "BLR", "KAZ"), total(2013, "KAZ", "BLR")
    summary = "Summary" if lang == "en" else "Сводка"
    assert next(iter(sheets)) == summary
    labels = ("Turnover", "Exports", "Imports", "Balance")
    if lang == "ru":
        labels = ("Товарооборот", "Экспорт", "Импорт", "Сальдо")
    for label, expected in zip(labels, (x + m, x, m, x - m), strict=True):
        row = row_of(sheets[summary], label)
        assert row[1] == pytest.approx(expected / 1e6, rel=1e-12)  # a number, not text
    turnover = row_of(sheets[summary], labels[0])
    assert turnover[2] == pytest.approx((x13 + m13) / 1e6)
    headers = [v for (r, c), v in sheets[summary].items() if isinstance(v, str)]
    unit = "million USD" if lang == "en" else "млн долл.\u00a0США"
    assert f"2014, {unit}" in headers
    assert any(h.endswith("%") for h in headers)  # growth column: a fraction shown as %
    dynamics = sheets["Dynamics" if lang == "en" else "Динамика"]
    for year in (2011, 2012, 2013, 2014):
        row = row_of(dynamics, float(year))
        assert row[3] == pytest.approx(
            (total(year, "BLR", "KAZ") + total(year, "KAZ", "BLR")) / 1e6
        )
    everything = [v for cells in sheets.values() for v in cells.values() if isinstance(v, str)]
    a, b = names(lang)
    assert any(a in v for v in everything) and any(b in v for v in everything)
    if lang == "ru":
        for word in ENGLISH_WORDS:
            assert not any(word in v for v in everything), word


def test_excel_charts_are_pngs_of_the_one_vega_lite_spec(rendered, world):
    """The workbook's charts are the PNGs vl-convert draws from the specs HTML and PDF use."""
    from silkroad.report.charts import to_png

    z = zipfile.ZipFile(io.BytesIO(rendered[("en", "xlsx")]))
    media = sorted(n for n in z.namelist() if n.startswith("xl/media/"))
    doc = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    expected = [
        k for k in ("balance", "dynamics", "treemap", "history", "market") if k in doc.charts
    ]
    assert len(media) == len(expected) >= 4
    pngs = {z.read(n) for n in media}
    for key in expected:
        assert to_png(doc.charts[key], "en", scale=2.0) in pngs, key


@pytest.mark.parametrize("lang", LANGS)
def test_html_is_one_file_with_inline_charts(rendered, lang):
    html = rendered[(lang, "html")]
    visible, refs = html_parts(html)
    assert refs == []  # no <script src>, <link href>, <img src>: nothing to fetch
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html)
    assert "vegaEmbed" in html and 'id="chart-dynamics"' in html
    for number in _headline(lang):
        assert number in visible, number
    a, b = names(lang)
    assert a in visible and b in visible
    if lang == "en":
        assert "The dynamics of trade between Belarus and Kazakhstan, million USD" in html
    else:
        assert "Динамика торговли между Беларусью и Казахстаном, млн долл. США" in html
        for word in ENGLISH_WORDS:
            assert word not in visible, word


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_has_the_narrative_and_tables(rendered, lang):
    md = rendered[(lang, "md")]
    text = normalise(md)
    for number in _headline(lang):
        assert number in text, number
    assert re.search(r"^\|.*\|$", md, re.M)
    if lang == "en":
        assert text.startswith("# Trade between Belarus and Kazakhstan")
        assert "reached $1.17 billion, 23.0% more than in 2013" in text
    else:
        assert text.startswith("# Торговля: Беларусь — Казахстан")
        assert "достиг 1,17 млрд долл. США, что на 23,0 % больше, чем в 2013 году" in text
        for word in ENGLISH_WORDS:
            assert word not in text, word


def test_write_briefs_names_files_by_pair_year_and_language(world, tmp_path):
    paths = write_briefs(
        world, "BLR", "KAZ", year=2014, out_dir=tmp_path, formats=("md", "xlsx"), langs=LANGS
    )
    assert [p.name for p in paths] == [
        "brief-blr-kaz-2014-en.md",
        "brief-blr-kaz-2014-en.xlsx",
        "brief-blr-kaz-2014-ru.md",
        "brief-blr-kaz-2014-ru.xlsx",
    ]
    assert all(p.stat().st_size > 0 for p in paths)
    assert not list(tmp_path.glob("*.part"))


# --- the synthetic demo world ----------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return synthetic_store(tmp_path_factory.mktemp("formats-demo"))


def test_demo_world_in_every_format_and_language(demo, tmp_path):
    columns = ["year", "exporter", "importer", "re_flow", "value_usd"]
    rows = pd.concat(
        pq.ParquetFile(p).read(columns=columns).to_pandas() for p in demo.parquet_files()
    )
    rows = rows[(rows.year == 2014) & ~rows.re_flow]
    x = float(rows[(rows.exporter == "BLR") & (rows.importer == "KAZ")].value_usd.sum())
    m = float(rows[(rows.exporter == "KAZ") & (rows.importer == "BLR")].value_usd.sum())
    assert x > 0 and m > 0
    doc = brief(demo, "BLR", "KAZ", year=2014, base=2012)
    paths = []
    for lang in LANGS:
        local = doc.in_language(lang)
        stated, unshown = narrative_numbers_not_in_tables(local)
        assert len(stated) > 20 and unshown == [], local.narrative
        paths += [local.save(tmp_path / f"{local.file_stem()}.{f}") for f in FORMATS]
    assert len(paths) == 8
    for path in paths:
        lang = path.stem.rsplit("-", 1)[1]
        expected = [fmt(v / 1e6, lang) for v in (x + m, x, m)]
        banner = "SYNTHETIC" if lang == "en" else "СИНТЕТИЧЕСКИЕ"
        if path.suffix == ".pdf":
            text = pdf_text(path.read_bytes())
        elif path.suffix == ".xlsx":
            sheets = xlsx_sheets(path.read_bytes())
            summary = next(iter(sheets.values()))
            first = "Turnover" if lang == "en" else "Товарооборот"
            assert row_of(summary, first)[1] == pytest.approx((x + m) / 1e6, rel=1e-12)
            text = normalise(" ".join(v for v in summary.values() if isinstance(v, str)))
            expected = []  # the numbers are numbers here, checked above
        elif path.suffix == ".html":
            text, _ = html_parts(path.read_text(encoding="utf-8"))
        else:
            text = normalise(path.read_text(encoding="utf-8"))
        for number in expected:
            assert number in text, (path.name, number)
        assert banner in text, path.name
