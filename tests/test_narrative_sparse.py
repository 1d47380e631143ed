"""The narrative on sparse data says only what the data support (issue 14, items 10 and 11).

Each store is a small national table written here (thousand USD, as the office publishes it) or
a small BACI release (here, or the hand-made world of ``_report_world``); every figure expected
is worked out by hand in the comments. Each test names the over-claim it guards against, in
English and Russian.

The one rule for unknown (analytics/unknown.py, docs/methods.md "House conventions") decides
what is known: a table of exports only leaves imports, the turnover and shares unknown (NaN);
a table listing one partner leaves the share among partners unknown; an economy the data hold
no row of in a year is unknown, one they hold that does not trade with the partner traded 0.
Where a test needs a known turnover, its table gives both flows (a flow column).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import pytest

import silkroad as sr
from _report_world import build, narrative_numbers_not_in_tables, normalise
from silkroad.analytics.pair import Pair
from silkroad.briefs import brief
from silkroad.errors import AnalysisError
from silkroad.report.brief import Brief

WHEN = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
MAPPING = {
    "name": "stat",
    "reporter": "BLR",
    "flow": {"column": "Поток"},
    "unit": "thousand_usd",
    "partner": "Страна",
    "product": "Код",
    "classification": "HS12",
    "wide": {"columns": "years"},
}


#: A table of exports only (no flow column): imports, turnover and shares are unknown.
EXPORTS_ONLY = {k: v for k, v in MAPPING.items() if k != "flow"} | {"flow": "exports"}


def table_store(
    root: Path,
    lines: list[str],
    counts: tuple[int, int, int],
    mapping: dict[str, object] = MAPPING,
) -> sr.Store:
    """A store holding the national table ``lines`` (checked: rows read, loaded, rejected)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "table.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = sr.open(root / "home")
    result = sr.ingest(store, "table", path, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == counts
    return store


def text(b: Brief) -> str:
    return normalise(" ".join(b.narrative))


def both(store: sr.Store, a: str, b: str, **kw) -> tuple[Brief, Brief]:
    """The English brief and the same data in Russian."""
    en = brief(store, a, b, generated_at=WHEN, **kw)
    return en, en.in_language("ru")


#: Exports to Kazakhstan, the one partner, in 2007, 2013 and 2014 only (thousand USD).
#: 2007: a total of 1,000 and no detail: 1,000,000 USD not broken down (TOTAL).
#: 2013: total 1,500 beside 900 (8701) + 400 (0402) = 1,300: 200,000 USD not broken down.
#: 2014: total 2,000 = 1,200 + 800: the total is its detail (quarantined as an aggregate).
#: Cells: 3 totals + 2 + 2 detail = 7 read, 1 rejected.
GAPPY_EXPORTS = [
    "экспорт;Казахстан;Всего;1000;1500;2000",
    "экспорт;Казахстан;8701;;900;1200",
    "экспорт;Казахстан;0402;;400;800",
]


@pytest.fixture(scope="module")
def gappy(tmp_path_factory) -> sr.Store:
    """One partner (Kazakhstan), both flows, in 2007, 2013 and 2014 only.

    Exports as :data:`GAPPY_EXPORTS`; imports 100 (2007), 200 (2013), 300 (2014), each a total
    with no detail (all TOTAL). Turnover: 1,100 (2007), 1,700 (2013), 2,300 (2014) thousand.
    Cells: 7 export + 3 import = 10 read, 9 loaded, 1 rejected.
    """
    lines = [
        "Поток;Страна;Код;2007;2013;2014",
        *GAPPY_EXPORTS,
        "импорт;Казахстан;Всего;100;200;300",
    ]
    return table_store(tmp_path_factory.mktemp("gappy"), lines, (10, 9, 1))


@pytest.fixture(scope="module")
def exports_only(tmp_path_factory) -> sr.Store:
    """The exports of :func:`gappy` alone, in a table of exports only: imports unknown."""
    lines = ["Страна;Код;2007;2013;2014", *(line.split(";", 1)[1] for line in GAPPY_EXPORTS)]
    root = tmp_path_factory.mktemp("exports-only")
    return table_store(root, lines, (7, 6, 1), mapping=EXPORTS_ONLY)


@pytest.fixture(scope="module")
def totals_first(tmp_path_factory) -> sr.Store:
    """Exports: 2013 gives only totals (Kazakhstan 3,000, Russia 3,000), 2014 the products.

    2014 Kazakhstan: 700 (8701) + 500 (0402) + 100 (0401) = 1,300 = its total; Russia 3,000
    (8701) = its total: both 2014 totals are quarantined. 8 cells read, 2 rejected.
    Imports, totals only: Kazakhstan 500 (2013), 700 (2014); Russia 1,000 both years: 4 cells.
    Turnover 2014: Kazakhstan 1,300 + 700 = 2,000, Russia 3,000 + 1,000 = 4,000.
    """
    lines = [
        "Поток;Страна;Код;2013;2014",
        "экспорт;Казахстан;Всего;3000;1300",
        "экспорт;Казахстан;8701;;700",
        "экспорт;Казахстан;0402;;500",
        "экспорт;Казахстан;0401;;100",
        "экспорт;Россия;Всего;3000;3000",
        "экспорт;Россия;8701;;3000",
        "импорт;Казахстан;Всего;500;700",
        "импорт;Россия;Всего;1000;1000",
    ]
    return table_store(tmp_path_factory.mktemp("totals"), lines, (12, 10, 2))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> sr.Store:
    return build(tmp_path_factory.mktemp("report-world"))


#: Everyone trades with Russia every year (all present in the data); BLR-KAZ only in 2014
#: (500 thousand USD), BLR-ARM in 2012 (40) and 2014 (60), not in 2013. BACI lines t,i,j,k,v,q.
PRESENT = {
    year: [
        f"{year},112,643,870120,1000,1",
        f"{year},398,643,270900,2000,1",
        f"{year},51,643,40210,300,1",
        *([f"{year},112,398,870120,500,1"] if year == 2014 else []),
        *([f"{year},112,51,870120,{40 if year == 2012 else 60},1"] if year in (2012, 2014) else []),
    ]
    for year in range(2011, 2015)
}


def baci_store(root: Path, flows: dict[int, list[str]]) -> sr.Store:
    """A store holding a BACI release of the year files ``flows`` (lines t,i,j,k,v,q)."""
    release = root / "release"
    release.mkdir()
    for year, lines in flows.items():
        body = "\n".join(["t,i,j,k,v,q", *lines]) + "\n"
        (release / f"BACI_HS92_Y{year}_V202401b.csv").write_text(body)
    (release / "country_codes_V202401b.csv").write_text(
        "country_code,country_name,country_iso2,country_iso3\n"
        "112,Belarus,BY,BLR\n398,Kazakhstan,KZ,KAZ\n643,Russian Federation,RU,RUS\n"
        "51,Armenia,AM,ARM\n156,China,CN,CHN\n417,Kyrgyzstan,KG,KGZ\n"
    )
    store = sr.open(root / "home")
    assert sr.ingest(store, "baci", release).rows_rejected == 0
    return store


@pytest.fixture(scope="module")
def present(tmp_path_factory) -> sr.Store:
    return baci_store(tmp_path_factory.mktemp("present"), PRESENT)


#: Belarus exports to Russia every year (1,000 thousand USD); Kyrgyzstan is in the 2011-2013
#: files only (10 to Russia each year, 50 to Belarus in 2013), China in the 2014 file only
#: (900 to Belarus). BACI lines t,i,j,k,v,q.
GAPS = {
    year: [
        f"{year},112,643,870120,1000,1",
        *([f"{year},417,643,100199,10,1"] if year < 2014 else []),
        *([f"{year},417,112,100199,50,1"] if year == 2013 else []),
        *([f"{year},156,112,847130,900,1"] if year == 2014 else []),
    ]
    for year in range(2011, 2015)
}


@pytest.fixture(scope="module")
def gaps(tmp_path_factory) -> sr.Store:
    return baci_store(tmp_path_factory.mktemp("gaps"), GAPS)


def test_no_new_or_lost_products_when_the_earlier_year_has_no_product_detail(totals_first):
    en, ru = both(totals_first, "BLR", "KAZ", year=2014)
    e, r = text(en), text(ru)
    assert (
        "In 2013 exports were not broken down by product, so which products appeared, "
        "disappeared or drove the change cannot be told." in e
    )
    for claim in ("appeared in exports", "disappeared from", "1 disappeared", "largest fall"):
        assert claim not in e
    assert (
        "В 2013 году экспорт не был разбит по товарам, поэтому нельзя сказать, какие товары "
        "появились, выбыли или определили изменение." in r
    )
    for claim in ("новых товар", "выбыл 1", "Наибольшее снижение"):
        assert claim not in r
    # the brief knows that all of 2013 (3,000 thousand) is TOTAL and 2014 is broken down,
    # while the movers compare TOTAL with three products ("3 products appeared")
    assert en.data.not_broken_down["exports"] == {2013: 3_000_000.0, 2014: 0.0}
    assert int(en.data.movers["exports"]["margins"].iloc[0].n_new) == 3


def test_part_not_broken_down_in_the_earlier_year_stops_product_claims(gappy):
    en, ru = both(gappy, "BLR", "KAZ", year=2014)
    e, r = text(en), text(ru)
    # the 200,000 USD of TOTAL in 2013 is not "1 product disappeared", and 0402's +400 may
    # have been inside it: no driver either
    assert "In 2013 exports were not fully broken down by product" in e
    assert "disappeared from exports" not in e and "largest increase" not in e
    assert "В 2013 году экспорт не был полностью разбит по товарам" in r
    assert "выбыл" not in r.split("поэтому")[0] and "Наибольший вклад" not in r
    assert en.data.not_broken_down["exports"] == {2013: 200_000.0, 2014: 0.0}


def test_a_one_partner_table_gives_no_largest_partner_claim(gappy):
    en, ru = both(gappy, "BLR", "KAZ", year=2014)
    # Kazakhstan is Belarus's only partner in the table: 100 % by construction, not a share of
    # Belarus's trade. The one rule (analytics/unknown.py) now makes that share and rank unknown
    # (NaN, with its reason) instead of 1.0, so the narrative gives no share at all (docs/brief.md:
    # "nothing when the share is unknown"), where it used to say the share was not known.
    assert math.isnan(en.data.profile.loc[2014, "partner_share_of_a"])
    assert math.isnan(en.data.profile.loc[2014, "partner_rank_for_a"])
    assert (
        "share among partners is unknown: table-blr-stat lists one partner only for BLR in 2014 "
        "(KAZ)" in [n["reason"] for n in en.data.metadata["unknown"] if n["year"] == 2014]
    )
    e, r = text(en), text(ru)
    assert e.startswith("In 2014 trade turnover between Belarus and Kazakhstan")  # known
    assert "largest trade partner" not in e and "100.0%" not in e and "of its trade" not in e
    assert "крупнейший" not in r and "100,0 %" not in r and "торговый партнёр" not in r
    # nor the tables: the rank is unknown ('n/a'), not 1 and not "no trade"
    for doc, unknown in ((en, "n/a"), (ru, "н/д")):
        rank, share = doc.tables["context"].rows[0].cells[2:4]
        assert (rank.text, rank.value, share.value) == (unknown, None, None)


def test_a_partner_among_others_keeps_its_rank_and_share(totals_first):
    en, ru = both(totals_first, "BLR", "KAZ", year=2014)
    # Belarus 2014 turnover: Kazakhstan 1,300 + 700 = 2,000 and Russia 3,000 + 1,000 = 4,000
    # thousand: 2,000 / 6,000 = 33.33 %, 2nd (the table gives both flows: with exports only the
    # turnover, hence the share, would be unknown)
    assert en.data.profile.loc[2014, "partner_share_of_a"] == pytest.approx(2_000 / 6_000)
    assert "Kazakhstan was the 2nd largest trade partner of Belarus (33.3% of its trade)" in (
        text(en)
    )
    assert "Казахстан — 2-й по величине торговый партнёр Беларуси (33,3 % товарооборота)" in (
        text(ru)
    )
    # Kazakhstan did not declare: Belarus's share of its trade is unknown, so not stated
    assert math.isnan(en.data.profile.loc[2014, "a_share_of_b"])
    assert "partner of Kazakhstan" not in text(en) and "партнёр Казахстана" not in text(ru)


def test_a_record_over_years_with_gaps_lists_the_years_held(gappy):
    en, ru = both(gappy, "BLR", "KAZ", year=2014)
    # turnover 1,000 + 100 (2007), 1,500 + 200 (2013), 2,000 + 300 (2014) = 1,100, 1,700 and
    # 2,300 thousand: 2014 is the highest; 2008-2012 are not held
    assert en.data.years == [2007, 2013, 2014]
    e, r = text(en), text(ru)
    assert "This is the highest turnover in the years held (2007, 2013 and 2014)." in e
    assert "2007–2014" not in e
    assert "Это максимальное значение за годы, по которым есть данные (2007, 2013 и 2014)." in r
    assert "2007–2014" not in r


def test_a_record_over_years_chosen_with_gaps_lists_the_years_shown(world):
    # BLR-KAZ turnover: 2011 300,000 + 40,000 = 340,000; 2013 890,600 + 81,600 = 952,200;
    # 2014 877,600 + 293,800 = 1,171,400 thousand: the highest of the three years shown,
    # while 2012 (550,000) is held but not shown
    en = brief(world, "BLR", "KAZ", year=2014, years=[2011, 2013, 2014], generated_at=WHEN)
    assert "This is the highest turnover in the years shown (2011, 2013 and 2014)." in text(en)
    assert "Это максимальное значение за показанные годы (2011, 2013 и 2014)." in text(
        en.in_language("ru")
    )
    # every year shown: the span itself
    full = brief(world, "BLR", "KAZ", year=2014, years=range(2011, 2015), generated_at=WHEN)
    assert "This is the highest turnover in 2011–2014." in text(full)


def test_trade_not_broken_down_is_never_a_main_good(gappy):
    en, ru = both(gappy, "BLR", "KAZ", year=2013)
    # 2013: 900 (chapter 87) = 60.0 %, 400 (chapter 04) = 26.7 %, TOTAL 200 = 13.3 % of 1,500
    e, r = text(en), text(ru)
    assert (
        "The main exports were vehicles other than railway ($900.0 thousand, 60.0%) and "
        "dairy, eggs and honey ($400.0 thousand, 26.7%). "
        "The data do not break down 13.3% of exports by product." in e
    )
    assert "not broken down by product (" not in e
    assert "Для 13,3 % экспорта данные не дают разбивки по товарам." in r
    assert "без разбивки по товарам (" not in r
    for doc in (en, ru):
        assert narrative_numbers_not_in_tables(doc)[1] == []  # 13.3 % is the table's share


def test_a_year_of_totals_only_names_no_product(totals_first):
    en, ru = both(totals_first, "BLR", "KAZ", year=2013)
    e, r = text(en), text(ru)
    assert "The data do not break exports down by product." in e
    assert "main export" not in e and "not broken down by product (" not in e
    assert "Данные не дают разбивки экспорта по товарам." in r
    assert "Основные товары" not in r


def test_an_economy_absent_from_the_data_is_unknown_not_zero(totals_first):
    # Uzbekistan is in no year of Belarus's table: its trade with Belarus is unknown, not zero.
    # Under the one rule a year whose flows are all unknown is refused with the reason (as a
    # brief of an economy absent from BACI, tests/test_unknown.py), instead of a brief whose
    # only sentence says so: no brief, hence no "no trade was recorded" either.
    with pytest.raises(AnalysisError) as err:
        brief(totals_first, "BLR", "UZB", year=2014, generated_at=WHEN)
    message = str(err.value)
    assert "exports and imports with UZB in 2014 are unknown" in message
    assert "UZB: not among the partners in table-blr-stat (any year)" in message
    assert "recorded" not in message and " 0" not in message
    profile = Pair(totals_first, "BLR", "UZB").profile([2014]).to_frame()
    assert profile[["exports_usd", "imports_usd", "turnover_usd"]].isna().all(axis=None)


def test_no_trade_between_two_economies_in_the_data_is_still_zero(world):
    # 2014: Armenia imports from Belarus, Kazakhstan trades with three partners, and the two
    # trade nothing with each other: a recorded zero
    en = brief(world, "ARM", "KAZ", year=2014, generated_at=WHEN)
    assert en.narrative == ["In 2014 no trade between Armenia and Kazakhstan was recorded."]
    # the context table: Kazakhstan is not among Armenia's partners (a share of 0, no rank)
    rank, share = en.tables["context"].rows[0].cells[2:4]
    assert (rank.text, share.value) == ("no trade", 0.0)
    # Kyrgyzstan is in the 2014 file (coffee to Uzbekistan) but does not trade with Belarus:
    # covered, so a recorded zero after 5,000 thousand in 2013 (tests/_report_world.py now lists
    # every economy every year; an economy with no rows at all is the next test's case)
    gone = brief(world, "BLR", "KGZ", year=2014, generated_at=WHEN)
    assert gone.narrative == [
        "In 2014 no trade between Belarus and Kyrgyzstan was recorded (turnover in 2013: "
        "$5.0\u00a0million)."
    ]


def test_an_economy_with_no_rows_in_the_year_is_unknown_not_zero(gaps):
    # Kyrgyzstan has no row in the 2014 file of this release (it traded 50 thousand with Belarus
    # in 2013): its 2014 trade is unknown, whatever its 2013 trade, so the brief is refused with
    # the reason (the one rule), not "no trade was recorded"
    with pytest.raises(AnalysisError, match=r"KGZ: no rows in baci-hs92 202401b for 2014") as err:
        brief(gaps, "BLR", "KGZ", year=2014, generated_at=WHEN)
    assert "recorded" not in str(err.value)
    # the same pair in 2013: Kyrgyzstan is in the 2011 and 2012 files (exports to Russia) and
    # did not trade with Belarus, recorded zeros, so 50 thousand in 2013 is a first
    assert text(brief(gaps, "BLR", "KGZ", year=2013, generated_at=WHEN)).startswith(
        "In 2013 trade between Belarus and Kyrgyzstan appeared for the first time in "
        "2011–2013: turnover reached $50.0 thousand."
    )


def test_years_before_an_absent_partner_appears_are_not_years_without_trade(gaps):
    # China is in the 2014 file only: 2011-2013 are unknown, so not "for the first time" and
    # not "none in 2013" (the report world now lists China every year, where "for the first
    # time" is true: this release keeps it out of 2011-2013). 900 thousand USD in 2014.
    en, ru = both(gaps, "BLR", "CHN", year=2014)
    assert en.data.years == [2011, 2012, 2013, 2014]
    assert en.data.absent == {2011: ("CHN",), 2012: ("CHN",), 2013: ("CHN",)}
    e, r = text(en), text(ru)
    assert e.startswith(
        "In 2014 trade turnover between Belarus and China amounted to $900.0 thousand."
    )
    assert "first time" not in e and "none in 2013" not in e and "resumed" not in e
    assert "впервые" not in r and "возобновилась" not in r


def _with_nan(b: Brief, year: int, columns: list[str]) -> Brief:
    profile = b.data.profile.copy()
    profile.loc[year, columns] = math.nan
    return Brief(dataclasses.replace(b.data, profile=profile), b.lang)


def test_an_unknown_turnover_is_said_so_never_zero_or_nan(world):
    b = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    unknown = _with_nan(b, 2014, ["turnover_usd", "exports_usd", "imports_usd"])
    assert unknown.narrative == [
        "In 2014 the data hold no figure for the trade between Belarus and Kazakhstan: it is "
        "unknown, not zero."
    ]
    assert normalise(unknown.in_language("ru").narrative[0]) == (
        "В 2014 году в данных нет сведений о торговле между Беларусью и Казахстаном: она "
        "неизвестна, а не равна нулю."
    )


def test_one_unknown_flow_leaves_the_other_said_and_the_turnover_unknown(world):
    b = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    # BLR -> KAZ 2014: 400,000 + 300,000 + 177,600 = 877,600 thousand; imports unknown
    doc = _with_nan(b, 2014, ["turnover_usd", "imports_usd"])
    # The headline says the known flow and that the rest is unknown; since the lead's change
    # (one flow known: its goods and changes are still said) the exports' main goods follow:
    # chapter 87 400,000 / 877,600 = 45.6 %, chapter 04 300,000 = 34.2 %, chapter 27 177,600 =
    # 20.2 %. Nothing is said of imports, the turnover or the balance.
    e, r = text(doc), text(doc.in_language("ru"))
    assert e.startswith(
        "In 2014 exports in the trade between Belarus and Kazakhstan amounted to "
        "$877.6 million; imports are unknown, and so is the turnover. The main exports were "
        "vehicles other than railway ($400.0 million, 45.6%), dairy, eggs and honey "
        "($300.0 million, 34.2%) and mineral fuels and oil ($177.6 million, 20.2%)."
    )
    assert e.count("imports") == 1  # only "imports are unknown"
    for claim in ("trade turnover", "surplus", "deficit", "balanced", "one-sided", "nan"):
        assert claim not in e.lower()
    assert r.startswith(
        "В 2014 году экспорт в торговле между Беларусью и Казахстаном составил 877,6 млн "
        "долл. США; данных об импорте нет, поэтому товарооборот неизвестен. Основные товары "
        "экспорта:"
    )
    assert r.count("импорт") == 1  # only "данных об импорте нет"
    for claim in ("сальдо", "односторонн", "товарооборот между", "nan"):
        assert claim not in r.lower()


def test_unknown_earlier_years_shares_and_ranks_are_left_out(world):
    b = brief(world, "BLR", "KAZ", year=2014, base=2011, generated_at=WHEN)
    # the base year unknown: no comparison with it (neither "grew 3.4 times" nor "no trade")
    # and no record; the shares unknown: no rank sentence
    cols = ["partner_share_of_a", "partner_rank_for_a", "a_share_of_b", "a_rank_for_b"]
    doc = _with_nan(_with_nan(b, 2011, ["turnover_usd"]), 2014, cols)
    for lang in ("en", "ru"):
        t = text(doc.in_language(lang)).lower()
        assert "nan" not in t
        assert "2011" not in t  # no record "in 2011–2014", no "compared with 2011"
        assert "partner" not in t and "партн" not in t
    # with the values known, the same brief makes all three statements
    known = text(b)
    assert "2011–2014" in known and "Compared with 2011" in known and "partner" in known


def test_unknown_shares_of_main_goods_are_not_printed(world):
    b = brief(world, "BLR", "KAZ", year=2014, generated_at=WHEN)
    structure = dict(b.data.structure)
    structure["exports"] = structure["exports"].assign(share=math.nan)
    doc = Brief(dataclasses.replace(b.data, structure=structure), "en")
    # chapter 87: 400,000 thousand = $400.0 million, its share unknown
    assert "vehicles other than railway ($400.0 million)" in text(doc)
    assert "nan" not in text(doc).lower() and ", )" not in text(doc)


def test_trade_for_the_first_time_needs_every_earlier_year_known_and_zero(present):
    en, ru = both(present, "BLR", "KAZ", year=2014)
    assert text(en).startswith(
        "In 2014 trade between Belarus and Kazakhstan appeared for the first time in "
        "2011–2014: turnover reached $500.0 thousand."
    )
    assert text(ru).startswith(
        "В 2014 году впервые за 2011–2014 годы появилась торговля между Беларусью и "
        "Казахстаном: товарооборот составил 500,0 тыс. долл. США."
    )
    # only 2013 shown before 2014: no trade in 2013 is known, nothing about earlier years
    short, short_ru = both(present, "BLR", "KAZ", year=2014, years=[2013, 2014])
    assert text(short).startswith(
        "In 2014 trade turnover between Belarus and Kazakhstan reached $500.0 thousand, "
        "after no trade in 2013."
    )
    assert "resumed" not in text(short) and "first time" not in text(short)
    assert text(short_ru).startswith(
        "В 2014 году товарооборот между Беларусью и Казахстаном составил 500,0 тыс. долл. США; "
        "в 2013 году торговли не было."
    )
    assert en.data.absent == {}  # every economy is in every year's data


def test_trade_resumes_only_after_a_year_with_trade(present):
    # BLR-ARM: 40 thousand in 2012, none in 2013, 60 in 2014
    en, ru = both(present, "BLR", "ARM", year=2014)
    assert text(en).startswith(
        "In 2014 trade between Belarus and Armenia resumed after a year without it (2013): "
        "turnover reached $60.0 thousand."
    )
    assert text(ru).startswith("В 2014 году возобновилась торговля между Беларусью и Арменией")


@pytest.mark.parametrize("case", ["gappy", "totals_first"])
def test_numbers_in_sparse_narratives_are_numbers_the_tables_show(case, request):
    store = request.getfixturevalue(case)
    for year in (2013, 2014):
        en, ru = both(store, "BLR", "KAZ", year=year)
        for doc in (en, ru):
            stated, unshown = narrative_numbers_not_in_tables(doc)
            assert stated and unshown == [], doc.narrative


def test_a_table_of_exports_only_is_briefed_with_imports_unknown(exports_only):
    # Exports 2,000 thousand in 2014 (1,200 + 800), 1,500 in 2013; the table has no imports row
    # at all: imports are unknown, not 0 (the one rule), so the turnover, a record, the balance
    # and the partner's share are unknown too. The brief is still made: exports are known.
    en, ru = both(exports_only, "BLR", "KAZ", year=2014)
    assert math.isnan(en.data.profile.loc[2014, "imports_usd"])
    e, r = text(en), text(ru)
    assert e.startswith(
        "In 2014 exports in the trade between Belarus and Kazakhstan amounted to "
        "$2.0 million; imports are unknown, and so is the turnover."
    )
    for claim in ("highest turnover", "surplus", "no imports", "one-sided", "largest trade"):
        assert claim not in e
    assert r.startswith(
        "В 2014 году экспорт в торговле между Беларусью и Казахстаном составил 2,0 млн "
        "долл. США; данных об импорте нет, поэтому товарооборот неизвестен."
    )
    for claim in ("максимальное", "сальдо", "импорта не было", "крупнейший"):
        assert claim not in r
    for doc in (en, ru):
        stated, unshown = narrative_numbers_not_in_tables(doc)
        assert stated and unshown == [], doc.narrative


def test_unknown_counts_of_new_and_lost_products_read_n_a_in_the_tables(exports_only):
    # The imports of 2013 and 2014 are unknown, so their numbers of new and lost products are
    # NaN: the tables say 'n/a' (they used to crash: "cannot convert float NaN to integer"),
    # never 0 products and never a blank; the exports' counts stay numbers: 2013 -> 2014 is
    # TOTAL 200, 8701 900, 0402 400 -> 8701 1,200, 0402 800: no new product, 1 lost (TOTAL).
    en, ru = both(exports_only, "BLR", "KAZ", year=2014)
    assert math.isnan(float(en.data.movers["imports"]["margins"].iloc[0].n_new))
    margins = en.data.movers["exports"]["margins"].iloc[0]
    assert (int(margins.n_new), int(margins.n_lost)) == (0, 1)
    for doc, unknown in ((en, "n/a"), (ru, "н/д")):
        assert doc.tables["movers_imports"].rows == []  # no product of an unknown flow
        rows = doc.tables["decomposition"].rows
        counts = {r.cells[0].text: r.cells[2:] for r in rows[-2:]}  # new, lost: exports, imports
        assert [[c.text for c in cells] for cells in counts.values()] == [
            ["0", unknown],
            ["1", unknown],
        ]
        assert [cells[1].value for cells in counts.values()] == [None, None]  # Excel: empty
        md = doc.render("md")
        assert isinstance(md, str) and unknown in md
