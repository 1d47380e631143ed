"""The brief's sections on comparative advantage, complexity and untapped potential (issues 10
and 11): present in every format and language, with the analyses' numbers."""

from __future__ import annotations

import io

import pytest

import silkroad as sr
from silkroad.analytics.advantage import pair_indicators
from silkroad.analytics.prospects import potential_table
from silkroad.briefs import brief
from test_advantage import _random_release


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from conftest import BaciFiles

    root = tmp_path_factory.mktemp("sections")
    s = sr.open(root / "home")
    sr.ingest(s, "baci", _random_release(BaciFiles(root / "in"), n_e=16))
    return s


def test_sections_carry_the_analyses_numbers(store) -> None:
    doc = brief(store, "AFG", "ALB", year=2015, lang="en")
    tables = doc.tables
    ind = pair_indicators(sr.world(store), "AFG", "ALB", 2015, level="hs4")
    rows = {r.cells[0].text: r.cells[1].value for r in tables["indicators"].rows}
    tci = [v for k, v in rows.items() if k.startswith("Trade complementarity")]
    assert tci == pytest.approx([ind["tci_ab"], ind["tci_ba"]])
    assert any(k.startswith("Economic complexity index of Afghanistan") for k in rows)
    pot = potential_table(sr.world(store), "AFG", "ALB", year=2015, level="hs4", top=5)
    shown = [r.cells[3].value for r in tables["potential"].rows]
    factor = doc.numbers.factor
    assert shown == pytest.approx([u / factor for u in pot["products"].untapped])
    assert "Untapped potential in all products" in tables["potential"].note
    names = [r.cells[0].text for r in tables["rca"].rows]
    assert names and all(n and not n.isdigit() for n in names)  # names, never bare codes


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_sections_in_every_format(store, lang) -> None:
    from pypdf import PdfReader

    doc = brief(store, "AFG", "ALB", year=2015, lang=lang)
    heading = {"en": "Untapped export potential", "ru": "Неиспользованный экспортный потенциал"}
    adv = {"en": "Comparative advantage", "ru": "Сравнительные преимущества"}
    for fmt in ("html", "md"):
        text = doc.render(fmt)
        assert heading[lang] in text and adv[lang] in text
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(doc.render("pdf"))).pages)
    assert heading[lang] in pdf.replace("\n", " ")
    import zipfile

    with zipfile.ZipFile(io.BytesIO(doc.render("xlsx"))) as z:
        sheets = z.read("xl/workbook.xml").decode()
    sheet = {"en": "Untapped potential", "ru": "Потенциал"}
    assert f'name="{sheet[lang]}"' in sheets
