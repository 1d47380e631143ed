"""The brief as a person sees it: the PDF's words where they are set on the page (poppler's
``pdftotext -bbox``), its pages as pictures (``pdftoppm``), product names, the key-points page,
the charts' data and the synthetic label on every page, sheet and chart.

Page pictures go to tests/artifacts/ (git-ignored) for a person to look at (docs/looks.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from _report_world import build, normalise, synthetic_store
from silkroad.briefs import brief
from silkroad.report.charts import squarify
from silkroad.report.i18n import text
from silkroad.report.numbers import nobreak
from silkroad.results import Result

WHEN = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
LANGS = ("en", "ru")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: Characters that mean markup was left in the text (Typst, Markdown, a stray escape).
MARKUP = ("`", "*", "#", "\\", "_", "[", "]")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        # Not a skip: a layout test that silently skips would hide a broken PDF.
        pytest.fail(f"{name} is missing: apt-get install -y poppler-utils (make browser does)")
    return path


def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")  # pictures for people, never committed
    return ARTIFACTS


@dataclasses.dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclasses.dataclass
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return normalise(" ".join(w.text for w in self.words))


def pdf_pages(data: bytes, tmp: Path) -> list[Page]:
    """Each page's words with their boxes (points, origin top left), from ``pdftotext -bbox``."""
    pdf, out = tmp / "doc.pdf", tmp / "doc.html"
    pdf.write_bytes(data)
    subprocess.run([_tool("pdftotext"), "-bbox", str(pdf), str(out)], check=True)
    pages = []
    for m in re.finditer(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out.read_text(), re.S
    ):
        words = [
            Word(html.unescape(t), float(a), float(b), float(c), float(d))
            for a, b, c, d, t in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                m.group(3),
            )
        ]
        pages.append(Page(float(m.group(1)), float(m.group(2)), words))
    return pages


def page_pictures(data: bytes, stem: str, *, dpi: int = 60) -> list[Path]:
    """PNGs of the PDF's pages in tests/artifacts/ (``stem-1.png`` …)."""
    folder = artifacts()
    for old in folder.glob(f"{stem}-*.png"):
        old.unlink()
    pdf = folder / f"{stem}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", str(dpi), str(pdf), str(folder / stem)], check=True
    )
    pdf.unlink()
    return sorted(folder.glob(f"{stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def inked_fraction(data: bytes, tmp: Path) -> list[float]:
    """For each page, how far down (0–1) the lowest ink above the footer reaches.

    Pages are drawn in grey (``pdftoppm -gray``, binary PGM, read here by hand); the footer
    (the bottom 8% of the page) is left out.
    """
    pdf = tmp / "ink.pdf"
    pdf.write_bytes(data)
    subprocess.run([_tool("pdftoppm"), "-gray", "-r", "20", str(pdf), str(tmp / "ink")], check=True)
    out = []
    for path in sorted(tmp.glob("ink-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        raw = path.read_bytes()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", raw)
        assert m, path
        w, h = int(m.group(1)), int(m.group(2))
        pixels = raw[m.end() :]
        body = int(h * 0.92)
        lowest = max((y for y in range(body) if min(pixels[y * w : (y + 1) * w]) < 200), default=0)
        out.append(lowest / h)
    return out


def overlaps(a: Word, b: Word, slack: float = 0.3) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > slack and min(a.y1, b.y1) - max(a.y0, b.y0) > slack


# --- worlds --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build(tmp_path_factory.mktemp("layout-world"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return synthetic_store(tmp_path_factory.mktemp("layout-demo"))


@pytest.fixture(scope="module")
def demo_brief(demo):
    return brief(demo, "BLR", "KAZ", year=2014, base=2012, generated_at=WHEN)


@pytest.fixture(scope="module")
def demo_pdfs(demo_brief):
    return {lang: demo_brief.in_language(lang).render("pdf") for lang in LANGS}


# --- the PDF's layout ------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_words_never_overlap_nor_run_into_the_next_cell(demo_brief, demo_pdfs, lang, tmp_path):
    doc = demo_brief.in_language(lang)
    pages = pdf_pages(demo_pdfs[lang], tmp_path)
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        words = page.words
        clashes = [
            (a.text, b.text) for i, a in enumerate(words) for b in words[i + 1 :] if overlaps(a, b)
        ]
        assert clashes == [], (n, clashes[:5])
    # Two neighbouring cells of a row never read as one word ("БеларусьКазахстан").
    words = {normalise(w.text) for p in pages for w in p.words}
    for table in doc.tables.values():
        idx = table.shown("display")
        lines = [[table.columns[i].header for i in idx]]
        lines += [[r.cells[i].text for i in idx] for r in table.rows]
        for line in lines:
            for left, right in itertools.pairwise(line):
                lw, rw = normalise(left).split(), normalise(right).split()
                # two numbers glued may be a number shown elsewhere: the boxes check those
                if lw and rw and re.search(r"[^\W\d]", lw[-1] + rw[0]):
                    glued = lw[-1] + rw[0]
                    assert glued not in words, (table.key, glued)
    page_pictures(demo_pdfs[lang], f"brief-demo-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_has_no_markup_left_and_no_code_labels(demo_pdfs, lang, tmp_path):
    everything = " ".join(p.text for p in pdf_pages(demo_pdfs[lang], tmp_path))
    for ch in MARKUP:
        assert ch not in everything, ch
    # the analyses' labels by code ("Machinery: heading 8477") never reach a brief
    for label in (r"heading \d{4}", r"subheading \d{6}", r"позиция \d{4}", r"субпозиция \d{6}"):
        assert not re.search(label, everything), label
    assert "TOTAL" not in everything


def test_lines_do_not_break_inside_joined_words():
    # Hand-written: what may not be split at a line end is joined by U+2060 / U+00A0.
    assert nobreak("Казахстан — 12-й партнёр") == "Казахстан — 12-\u2060й партнёр"
    assert nobreak("в 2013 году, к 2013 г.") == "в 2013\u00a0году, к 2013\u00a0г."
    assert nobreak("(+5,4 %) и (−9,5 %)") == "(+\u20605,4 %) и (\u2212\u20609,5 %)"
    assert nobreak("2012–2014 гг.") == "2012\u2013\u20602014\u00a0гг."
    assert nobreak("a+5") == "a+5"  # not a sign


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_lines_never_end_on_a_sign_an_ordinal_hyphen_or_a_year(demo_pdfs, lang, tmp_path):
    for page in pdf_pages(demo_pdfs[lang], tmp_path):
        lines: dict[float, list[Word]] = {}
        for w in page.words:
            lines.setdefault(round(w.y1), []).append(w)
        previous = ""
        for _y, line in sorted(lines.items()):
            line.sort(key=lambda w: w.x0)
            first, last = line[0].text, line[-1].text
            assert last not in ("+", "\u2212", "="), last
            assert not re.fullmatch(r"\d+-", last), last
            after_year = re.fullmatch(r"\d{4}", previous)
            assert not (after_year and first in ("г.", "гг.", "году", "года", "год")), first
            previous = last


# --- page 1: key points ----------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_page_one_is_key_points_with_units_and_one_chart(demo_brief, demo_pdfs, lang, tmp_path):
    doc = demo_brief.in_language(lang)
    assert 4 <= len(doc.key_points) <= 6
    first = pdf_pages(demo_pdfs[lang], tmp_path)[0].text
    assert text(lang, "sec_key") in first
    for sentence in doc.key_points:
        assert normalise(sentence) in first
    # Page 1 has no price/volume terms: they come after.
    for term in ("price effect", "volume", "Fisher", "ценовой", "физического объёма", "Фишера"):
        assert term not in first, term
    # Every figure has its unit: an amount is money, a one-decimal figure a % or an amount.
    units = r"(?:\$|%| million| billion| thousand| times| млн| млрд| тыс\.| раза?)"
    for sentence in doc.key_points:
        s = normalise(sentence)
        for m in re.finditer(r"\d[\d ,]*[.,]\d\b", s):
            around = s[max(0, m.start() - 1) : m.end() + 9]
            assert re.search(units, around), (sentence, m.group())
    assert len(re.findall(r"\d+(?:[.,]\d)?", first)) > 10  # the cards' figures are there
    # one chart: the turnover-and-balance chart's title, and no other chart's
    assert normalise(text(lang, "c_balance", between="", unit="")).split()[0] in first
    assert text(lang, "sec_dynamics") not in first.split(text(lang, "sec_key"))[1]


@pytest.mark.parametrize("lang", LANGS)
def test_no_heading_twice_and_no_page_half_empty(demo_brief, demo_pdfs, lang, tmp_path):
    doc = demo_brief.in_language(lang)
    pages = pdf_pages(demo_pdfs[lang], tmp_path)
    everything = " ".join(p.text for p in pages)
    headings = [
        text(lang, k)
        for k in (
            "sec_key",
            "sec_summary",
            "sec_dynamics",
            "sec_structure",
            "sec_movers",
            "sec_context",
            "sec_notes",
        )
    ]
    titles = [normalise(t.title) for t in doc.tables.values()]
    for h in headings:
        assert everything.count(h + " ") + everything.endswith(h) >= 1, h
        assert h not in titles, h  # a table titled as its section says it twice
    assert len(set(titles)) == len(titles)
    reach = inked_fraction(demo_pdfs[lang], tmp_path)
    assert len(reach) == len(pages)
    for n, r in enumerate(reach[:-1], 1):
        assert r > 0.5, f"page {n} of {len(reach)} is half empty (ink down to {r:.0%})"


# --- product names -------------------------------------------------------------------------
def test_products_are_named_not_labelled_by_code(world):
    doc = brief(world, "BLR", "KAZ", year=2014, level="hs4", generated_at=WHEN)
    # Hand-written names of the world's headings (reference/data/hs_names).
    expected = {
        "en": {
            "8701": "Tractors",
            "0402": "Concentrated or sweetened milk",
            "2710": "Refined petroleum",
            "8407": "Spark-ignition piston engines",  # exported in 2013 only
        },
        "ru": {
            "8701": "Тракторы",
            "0402": "Молоко сгущённое или с сахаром",
            "2710": "Нефтепродукты",
            "8407": "Поршневые двигатели с искровым зажиганием",
        },
    }
    for lang in LANGS:
        local = doc.in_language(lang)
        table = local.tables["structure_exports"]
        keys = [c.key for c in table.columns]
        code, label = keys.index("code"), keys.index("label")
        named = {r.cells[code].text: r.cells[label].text for r in table.rows if r.cells[code].text}
        assert named == expected[lang]
        shown = " ".join(
            [c.text for t in local.tables.values() for r in t.rows for c in r.cells]
            + local.narrative
        )
        for word in (r"heading \d{4}", r"товарная позиция \d{4}", "HS TOTAL"):
            assert not re.search(word, shown)
        main = "tractors" if lang == "en" else "тракторы"
        assert main in normalise(" ".join(local.key_points))
        treemap = local.charts["treemap"]
        panels = [p.get("data") or p["layer"][0]["data"] for p in treemap["hconcat"]]
        labels = {r["label"] for data in panels for r in data["values"]}
        assert expected[lang]["8701"] in labels


# --- charts ----------------------------------------------------------------------------------
def test_squarify_tiles_the_box_with_areas_in_proportion():
    values = [6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0]  # Bruls et al.'s example
    rects = squarify(values, 6.0, 4.0)
    assert len(rects) == len(values)
    total = sum(values)
    for v, (_x, _y, w, h) in zip(values, rects, strict=True):
        assert w * h == pytest.approx(v / total * 24.0)
    for x, y, w, h in rects:
        assert x >= -1e-9 and y >= -1e-9 and x + w <= 6 + 1e-9 and y + h <= 4 + 1e-9
    for i, (x, y, w, h) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1 :]:
            inter = max(0, min(x + w, x2 + w2) - max(x, x2)) * max(
                0, min(y + h, y2 + h2) - max(y, y2)
            )
            assert inter == pytest.approx(0, abs=1e-9)
    # squarified: the two largest are squares of side 2.449 in the paper's figure
    assert max(max(w / h, h / w) for _x, _y, w, h in rects[:2]) < 1.6


def test_turnover_and_balance_chart_holds_the_profile(world):
    from _report_world import total

    doc = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    rows = doc.charts["balance"]["layer"][0]["data"]["values"]
    for year in (2011, 2012, 2013, 2014):
        x, m = total(year, "BLR", "KAZ"), total(year, "KAZ", "BLR")
        got = {r["flow"]: r["value"] for r in rows if r["year"] == str(year)}
        side = "Balance: surplus" if x >= m else "Balance: deficit"
        assert got == {
            "Turnover": pytest.approx((x + m) / 1e6),
            side: pytest.approx((x - m) / 1e6),
        }


def test_structure_over_time_is_the_shares_of_each_year(world):
    doc = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    exports = doc.charts["history"]["hconcat"][0]["data"]["values"]
    for year in ("2011", "2012", "2013", "2014"):
        assert sum(r["share"] for r in exports if r["year"] == year) == pytest.approx(1.0)
    # 2013: tractors 380,000 of 870,600 (thousand USD) are section XVII (vehicles)
    vehicles = [r for r in exports if r["year"] == "2013" and r["group"].startswith("Vehicles")]
    assert vehicles[0]["share"] == pytest.approx(380_000 / 870_600)


def _market() -> Result:
    """A made-up market of Kazakhstan for two Belarusian products (the schema of BriefData.market)."""
    products = pd.DataFrame(
        {
            "code": ["8701", "0402"],
            "b_imports_usd": [2_000e6, 500e6],
            "a_exports_usd": [400e6, 300e6],
            "a_share": [0.2, 0.6],
            "a_rank": [2, 1],
            "suppliers": [12, 5],
        }
    )
    competitors = pd.DataFrame(
        {
            "code": ["8701", "8701", "8701", "0402", "0402"],
            "rank": [1, 2, 3, 1, 2],
            "exporter": ["RUS", "BLR", "CHN", "BLR", "RUS"],
            "value_usd": [1_000e6, 400e6, 300e6, 300e6, 100e6],
            "share": [0.5, 0.2, 0.15, 0.6, 0.2],
        }
    )
    return Result("market", {"products": products, "competitors": competitors})


def test_partner_market_chart_when_the_data_has_a_market(world, tmp_path):
    import dataclasses

    from silkroad.report.brief import Brief

    doc = brief(world, "BLR", "KAZ", year=2014, generated_at=WHEN)
    assert doc.data.market is not None and "market" in doc.charts  # gathered from the world
    doc = Brief(dataclasses.replace(doc.data, market=None), "en")
    assert "market" not in doc.charts  # no market: no chart, no section
    with_market = Brief(dataclasses.replace(doc.data, market=_market()), "en")
    rows = with_market.charts["market"]["data"]["values"]
    tractors = [r for r in rows if r["product"] == "Tractors (rank 2)"]
    assert {r["who"]: r["share"] for r in tractors} == pytest.approx(
        {"Belarus": 0.2, "Russia": 0.5, "China": 0.15, "Other suppliers": 0.15}
    )
    milk = {r["who"]: r["share"] for r in rows if r["product"].endswith("(rank 1)")}
    assert milk == pytest.approx({"Belarus": 0.6, "Russia": 0.2, "Other suppliers": 0.2})
    pdf = " ".join(p.text for p in pdf_pages(with_market.render("pdf"), tmp_path))
    assert "The partner's market" in pdf
    assert "The partner's market" not in " ".join(
        p.text for p in pdf_pages(doc.render("pdf"), tmp_path)
    )


# --- synthetic means labelled everywhere -----------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_synthetic_label_on_every_page_sheet_and_chart(demo_brief, demo_pdfs, lang, tmp_path):
    doc = demo_brief.in_language(lang)
    label = text(lang, "synthetic_short")
    for n, page in enumerate(pdf_pages(demo_pdfs[lang], tmp_path), 1):
        assert label in page.text, n
    for key, spec in doc.charts.items():
        assert spec["title"]["subtitle"] == label, key
    from test_report_formats import xlsx_sheets

    sheets = xlsx_sheets(doc.render("xlsx"))
    assert len(sheets) >= 9
    for name, cells in sheets.items():
        strings = [v for v in cells.values() if isinstance(v, str)]
        assert any(label in s or text(lang, "synthetic_banner") in s for s in strings), name
    html_text = normalise(doc.render("html"))
    assert html_text.count(label) >= len(doc.charts) + 1  # each chart and the footer


def test_real_data_carries_no_synthetic_label(world, tmp_path):
    doc = brief(world, "BLR", "KAZ", year=2014, generated_at=WHEN)
    assert all("subtitle" not in spec["title"] for spec in doc.charts.values())
    pdf = " ".join(p.text for p in pdf_pages(doc.render("pdf"), tmp_path))
    assert text("en", "synthetic_short") not in pdf
    z = zipfile.ZipFile(io.BytesIO(doc.render("xlsx")))
    assert b"Synthetic" not in z.read("xl/sharedStrings.xml")
