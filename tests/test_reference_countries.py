"""Tests of silkroad.reference.countries against independent facts and the real BACI code list."""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from silkroad.errors import ReferenceDataError
from silkroad.reference import (
    AGGREGATES,
    countries,
    country_name,
    is_aggregate,
    is_economy,
    iso3_from_numeric,
    numeric_code_table,
    resolve_country,
)
from silkroad.reference.countries import search_economies

BACI_CODES = Path(__file__).resolve().parent / "data" / "baci" / "country_codes_V202201.csv"

# Codes where our mapping deliberately differs from the iso3 column of the BACI V202201 file.
BACI_ISO3_EXCEPTIONS = {
    58: ("BLX", "Belgium-Luxembourg until 1998 is its own entity; the file says BEL, like 56"),
    711: ("ZA1", "So. African Customs Union; the old file says ZAF, colliding with 710"),
}
# Codes where our iso2 differs from the file's iso2 column.
BACI_ISO2_EXCEPTIONS = {
    260: "the file uses FQ, the withdrawn ISO 3166 code; current ISO 3166-1 is TF",
    516: "the file's iso2 for Namibia is blank (the literal NA was read as missing upstream)",
}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return countries()


@pytest.fixture(scope="module")
def baci() -> pd.DataFrame:
    data = pd.read_csv(BACI_CODES, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    data["country_code"] = data["country_code"].astype(int)
    return data


def test_columns_and_dtypes(df: pd.DataFrame) -> None:
    assert list(df.columns) == [
        "iso3",
        "iso_numeric",
        "iso2",
        "name_en",
        "name_ru",
        "capital_lat",
        "capital_lon",
        "kind",
    ]
    assert str(df["iso_numeric"].dtype) == "Int64"
    assert df["capital_lat"].dtype == "float64"
    assert set(df["kind"]) == {"country", "historical", "other"}


def test_codes_are_well_formed_and_unique(df: pd.DataFrame) -> None:
    assert df["iso3"].str.fullmatch(r"[A-Z][A-Z0-9]{2}").all()
    assert df["iso3"].is_unique
    iso = df[df["kind"] == "country"]
    assert iso["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert iso["iso2"].str.fullmatch(r"[A-Z]{2}").all()
    assert iso["iso2"].is_unique
    assert iso["iso_numeric"].notna().all()
    assert iso["iso_numeric"].is_unique
    assert iso["iso_numeric"].between(1, 999).all()
    # non-ISO entities carry no ISO numeric code (theirs are in baci_codes.csv)
    assert df.loc[df["kind"] != "country", "iso_numeric"].isna().all()


def test_covers_iso_3166_1(df: pd.DataFrame) -> None:
    # ISO 3166-1 has 249 entries (ISO 3166 Maintenance Agency, since 2011).
    assert (df["kind"] == "country").sum() == 249


def test_returns_a_copy() -> None:
    first = countries()
    first.loc[0, "name_en"] = "changed"
    assert countries().loc[0, "name_en"] != "changed"


@pytest.mark.parametrize(
    ("iso3", "numeric", "iso2"),
    [
        ("BLR", 112, "BY"),
        ("KAZ", 398, "KZ"),
        ("RUS", 643, "RU"),
        ("ARM", 51, "AM"),
        ("KGZ", 417, "KG"),
        ("CHN", 156, "CN"),
        ("DEU", 276, "DE"),
        ("USA", 840, "US"),
        ("FRA", 250, "FR"),
        ("IND", 356, "IN"),
        ("NOR", 578, "NO"),
        ("CHE", 756, "CH"),
        ("TWN", 158, "TW"),
        ("NAM", 516, "NA"),
        ("GRC", 300, "GR"),
        ("GBR", 826, "GB"),
    ],
)
def test_known_iso_codes(df: pd.DataFrame, iso3: str, numeric: int, iso2: str) -> None:
    row = df.set_index("iso3").loc[iso3]
    assert row["iso_numeric"] == numeric
    assert row["iso2"] == iso2


def test_namibia_iso2_is_the_string_na(df: pd.DataFrame) -> None:
    assert df.loc[df["iso3"] == "NAM", "iso2"].item() == "NA"
    assert resolve_country("NA") == "NAM"


@pytest.mark.parametrize(
    ("iso3", "en", "ru"),
    [
        ("BLR", "Belarus", "Беларусь"),
        ("KAZ", "Kazakhstan", "Казахстан"),
        ("RUS", "Russia", "Россия"),
        ("ARM", "Armenia", "Армения"),
        ("KGZ", "Kyrgyzstan", "Киргизия"),
        ("CHN", "China", "Китай"),
        ("DEU", "Germany", "Германия"),
        ("USA", "United States", "США"),
        ("SUN", "USSR", "СССР"),
    ],
)
def test_names(iso3: str, en: str, ru: str) -> None:
    assert country_name(iso3) == en
    assert country_name(iso3, "en") == en
    assert country_name(iso3, lang="ru") == ru


def test_russian_names_are_cyrillic(df: pd.DataFrame) -> None:
    assert df["name_ru"].str.contains(r"[А-Яа-яЁё]").all()
    assert not df["name_ru"].str.contains(r"[A-Za-z]").any()


def test_english_names_resolve_back_through_country_converter(df: pd.DataFrame) -> None:
    # Independent check of our English names and ISO3 codes: coco's own regexes.
    coco = pytest.importorskip("country_converter")
    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    cc = coco.CountryConverter()
    iso = df[df["kind"] == "country"]
    got = cc.convert(list(iso["name_en"]), to="ISO3")
    wrong = [(c, n, g) for c, n, g in zip(iso["iso3"], iso["name_en"], got, strict=True) if c != g]
    assert wrong == []


def test_country_name_unknown_code() -> None:
    with pytest.raises(ReferenceDataError, match="unknown country 'XYZ'"):
        country_name("XYZ")


def test_country_name_unknown_language() -> None:
    with pytest.raises(Exception, match="unknown language"):
        country_name("BLR", "de")


def test_capitals_are_plausible(df: pd.DataFrame) -> None:
    lat, lon = df["capital_lat"], df["capital_lon"]
    assert lat.dropna().between(-90, 90).all()
    assert lon.dropna().between(-180, 180).all()
    # only Antarctica and "Europe EFTA, nes" have no single location
    assert sorted(df.loc[lat.isna() | lon.isna(), "iso3"]) == ["ATA", "R20"]


def _km(a: str, b: str) -> float:
    c = countries().set_index("iso3")
    lat1, lon1, lat2, lon2 = map(
        math.radians,
        [
            c.at[a, "capital_lat"],
            c.at[a, "capital_lon"],
            c.at[b, "capital_lat"],
            c.at[b, "capital_lon"],
        ],
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ("BLR", "RUS", 675),  # Minsk - Moscow
        ("FRA", "GBR", 344),  # Paris - London
        ("KAZ", "KGZ", 975),  # Astana - Bishkek
        ("USA", "CAN", 735),  # Washington - Ottawa
        ("ARG", "AUS", 11_800),  # Buenos Aires - Canberra
        ("CHN", "JPN", 2_100),  # Beijing - Tokyo
    ],
)
def test_capital_distances(a: str, b: str, km: float) -> None:
    # great-circle distances between capitals, known to within a few percent
    assert _km(a, b) == pytest.approx(km, rel=0.05)


def test_capitals_lie_in_their_continent(df: pd.DataFrame) -> None:
    # Rough boxes per continent (country_converter's classification) catch sign slips.
    coco = pytest.importorskip("country_converter")
    continent = coco.CountryConverter().data.set_index("ISO3")["continent"]
    iso = df[(df["kind"] == "country") & df["capital_lat"].notna()].copy()
    iso["continent"] = iso["iso3"].map(continent)
    boxes = {  # (lat_min, lat_max, lon_min, lon_max)
        "Africa": (-50, 38, -26, 75),
        "America": (-56, 84, -170, -30),
        "Asia": (-13, 56, 25, 150),
        "Europe": (34, 81, -32, 45),
        "Oceania": (-48, 30, -180, 180),
        "Antarctica": (-91, -50, -180, 180),
    }
    bad = []
    for row in iso.itertuples():
        lat0, lat1, lon0, lon1 = boxes[row.continent]
        if not (lat0 <= row.capital_lat <= lat1 and lon0 <= row.capital_lon <= lon1):
            bad.append(row.iso3)
    oceania = iso[iso["continent"] == "Oceania"]
    bad += list(oceania.loc[oceania["capital_lon"].between(-120, 110), "iso3"])
    assert bad == []


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        (112, "BLR"),
        (398, "KAZ"),
        (643, "RUS"),
        (842, "USA"),
        (840, "USA"),
        (251, "FRA"),
        (250, "FRA"),
        (579, "NOR"),
        (699, "IND"),
        (757, "CHE"),
        (490, "S19"),
        (697, "R20"),
        (58, "BLX"),
        (200, "CSK"),
        (278, "DDR"),
        (280, "DEU"),
        (381, "ITA"),
        (380, "ITA"),
        (530, "ANT"),
        (536, "NTZ"),
        (711, "ZA1"),
        (736, "SDN"),
        (729, "SDN"),
        (810, "SUN"),
        (849, "PUS"),
        (891, "SCG"),
        (158, "TWN"),
    ],
)
def test_iso3_from_numeric(code: int, iso3: str) -> None:
    assert iso3_from_numeric(code) == iso3
    assert numeric_code_table()[code] == iso3


@pytest.mark.parametrize("code", [0, 97, 899, 492, 837, 999, 1000])
def test_iso3_from_numeric_aggregates_and_unknown(code: int) -> None:
    assert iso3_from_numeric(code) is None
    assert code not in numeric_code_table()


def test_numeric_table_targets_are_economies() -> None:
    table = numeric_code_table()
    assert all(is_economy(v) for v in table.values())
    assert len(table) >= 249


def test_non_iso_entities_are_economies() -> None:
    for code in ["S19", "R20", "BLX", "ZA1", "PUS", "NTZ", "SUN", "CSK", "DDR", "ANT", "SCG"]:
        assert is_economy(code), code
        assert country_name(code, "en")
        assert country_name(code, "ru")


def test_every_baci_code_resolves(baci: pd.DataFrame) -> None:
    unresolved = [c for c in baci["country_code"] if iso3_from_numeric(c) is None]
    assert unresolved == []


def test_baci_iso3_agrees_except_documented(baci: pd.DataFrame) -> None:
    disagree = {}
    for code, iso3 in zip(baci["country_code"], baci["iso_3digit_alpha"], strict=True):
        if iso3 != "N/A" and iso3_from_numeric(code) != iso3:
            disagree[code] = iso3_from_numeric(code)
    assert disagree == {code: ours for code, (ours, _reason) in BACI_ISO3_EXCEPTIONS.items()}


def test_baci_iso2_agrees_for_iso_codes(baci: pd.DataFrame, df: pd.DataFrame) -> None:
    ours = df.dropna(subset=["iso_numeric"]).set_index("iso_numeric")["iso2"]
    disagree = {
        code: (iso2, ours[code])
        for code, iso2 in zip(baci["country_code"], baci["iso_2digit_alpha"], strict=True)
        if code in ours.index and ours[code] != iso2
    }
    assert set(disagree) == set(BACI_ISO2_EXCEPTIONS)


@pytest.mark.parametrize(
    "text",
    [
        "BLR",
        "blr",
        "  Blr ",
        "BY",
        "by",
        "112",
        "Belarus",
        "belarus",
        "Беларусь",
        "Белоруссия",
        "Republic of Belarus",
    ],
)
def test_resolve_belarus(text: str) -> None:
    assert resolve_country(text) == "BLR"


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Kyrgyz Republic", "KGZ"),
        ("Кыргызстан", "KGZ"),
        ("Russian Federation", "RUS"),
        ("Российская Федерация", "RUS"),
        ("842", "USA"),
        ("490", "S19"),
        ("Viet Nam", "VNM"),
        ("TFYR of Macedonia", "MKD"),
        ("USSR", "SUN"),
        ("sun", "SUN"),
    ],
)
def test_resolve_other(text: str, iso3: str) -> None:
    assert resolve_country(text) == iso3


def test_resolve_error_message() -> None:
    with pytest.raises(ReferenceDataError) as info:
        resolve_country(" XYZ ")
    message = str(info.value)
    assert message.startswith(
        "unknown country 'XYZ'; expected an ISO 3166 alpha-3 code such as BLR or a country name"
    )
    assert "\n" not in message


def test_resolve_error_suggests_close_names() -> None:
    with pytest.raises(ReferenceDataError, match=r"did you mean .*DEU Germany") as info:
        resolve_country("Germny")
    assert str(info.value).count(",") <= 2  # at most three suggestions


@pytest.mark.parametrize("text", ["", "   ", "WLD", "0", "Atlantis", "Belarus Kazakhstan"])
def test_resolve_rejects(text: str) -> None:
    with pytest.raises(ReferenceDataError, match="unknown country"):
        resolve_country(text)


def test_aggregates() -> None:
    assert {"WLD", 0, 97, 899} <= AGGREGATES
    assert is_aggregate("WLD")
    assert is_aggregate("wld")
    assert is_aggregate(0)
    assert is_aggregate("899")
    assert not is_aggregate("BLR")
    assert not is_aggregate(112)
    assert not any(is_economy(c) for c in AGGREGATES if isinstance(c, str))


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        # Official long names as Russian-language statistics tables print them (OKSM / ISO
        # 3166 full names), each code checked by hand.
        ("Королевство Нидерландов", "NLD"),
        ("Республика Беларусь", "BLR"),
        ("Российская Федерация", "RUS"),
        ("Соединённые Штаты Америки", "USA"),
        ("Соединенные Штаты", "USA"),
        ("Китайская Народная Республика", "CHN"),
        ("Республика Корея", "KOR"),
        ("Корея, Республика", "KOR"),
        ("Корейская Народно-Демократическая Республика", "PRK"),
        ("Федеративная Республика Германия", "DEU"),
        ("Соединённое Королевство", "GBR"),
        ("Соединенное Королевство Великобритании и Северной Ирландии", "GBR"),
        ("Объединённые Арабские Эмираты", "ARE"),
        ("Объединенные Арабские Эмираты", "ARE"),
        ("Французская Республика", "FRA"),
        ("Итальянская Республика", "ITA"),
        ("Швейцарская Конфедерация", "CHE"),
        ("Литовская Республика", "LTU"),
        ("Латвийская Республика", "LVA"),
        ("Эстонская Республика", "EST"),
        ("Исламская Республика Иран", "IRN"),
        ("Социалистическая Республика Вьетнам", "VNM"),
        ("Мексиканские Соединенные Штаты", "MEX"),
        ("Великое Герцогство Люксембург", "LUX"),
        ("Кыргызская Республика", "KGZ"),
        # A leading form of state in front of a short name.
        ("Республика Латвия", "LVA"),
        ("Республика Польша", "POL"),
        ("Королевство Бельгия", "BEL"),
        ("Государство Катар", "QAT"),
        ("Султанат Оман", "OMN"),
        ("Княжество Лихтенштейн", "LIE"),
        # Names whose short form would be another economy: the data are looked up first.
        ("Республика Конго", "COG"),
        ("Демократическая Республика Конго", "COD"),
        ("Республика Китай", "TWN"),
        ("Сянган (Гонконг)", "HKG"),
        # ё read as е, in both directions.
        ("Соединенное Королевство", "GBR"),
        ("Соединённые Штаты", "USA"),
    ],
)
def test_resolve_official_long_names(text: str, iso3: str) -> None:
    assert resolve_country(text) == iso3


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Союз Советских Социалистических Республик", "SUN"),
        ("СССР", "SUN"),
        ("Югославия", "YUG"),
        ("Социалистическая Федеративная Республика Югославия", "YUG"),
        ("СФРЮ", "YUG"),
        # The Federal Republic of Yugoslavia (1992-2003) was renamed Serbia and Montenegro:
        # one state, Comtrade code 891, stored as SCG; never Serbia (SRB), its successor.
        ("Союзная Республика Югославия", "SCG"),
        ("Сербия и Черногория", "SCG"),
        ("Бельгийско-Люксембургский экономический союз", "BLX"),
        ("Бельгия-Люксембург", "BLX"),
        ("ГДР", "DDR"),
        ("Чехословакия", "CSK"),
    ],
)
def test_historical_long_names_keep_their_own_code(text: str, iso3: str) -> None:
    found = resolve_country(text)
    assert found == iso3
    assert found not in {"RUS", "SRB", "MNE", "BEL", "LUX", "DEU", "CZE", "SVK"}


# --- ambiguous names are refused, not guessed (issue 14 item 12) ---------------------------


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("Bel", {"BEL", "BLR", "BLZ"}),
        ("Ind", {"IND", "IDN"}),
        ("Congo", {"COG", "COD"}),
        ("Korea", {"KOR", "PRK"}),
        ("Virgin Islands", {"VGB", "VIR"}),
        ("Конго", {"COG", "COD"}),
    ],
)
def test_ambiguous_names_list_candidates(text: str, candidates: set[str]) -> None:
    with pytest.raises(ReferenceDataError) as info:
        resolve_country(text)
    message = str(info.value)
    assert message.startswith(f"ambiguous country {text!r}")
    assert candidates <= set(re.findall(r"\b[A-Z]{3}\b", message))
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("BEL", "BEL"),
        ("bel", "BEL"),  # a code in capitals or lower case is a code
        ("pol", "POL"),
        ("de", "DEU"),
        ("Belgium", "BEL"),
        ("Belize", "BLZ"),
        ("Republic of the Congo", "COG"),
        ("DR Congo", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Republic of Korea", "KOR"),
        ("Niger", "NER"),  # an exact name, though Nigeria starts with it
        ("Guinea", "GIN"),
        ("Sudan", "SDN"),
        ("UK", "GBR"),
        ("Blr", "BLR"),  # a code in any case when no other name starts with it
    ],
)
def test_exact_names_aliases_and_codes_are_accepted(text: str, iso3: str) -> None:
    assert resolve_country(text) == iso3


def test_search_economies() -> None:
    assert [m.iso3 for m in search_economies("Korea")] == ["KOR", "PRK"]
    assert [m.iso3 for m in search_economies("Congo")][:2] == ["COG", "COD"]
    first = search_economies("Беларусь")[0]
    assert (first.iso3, first.name_en, first.name_ru, first.kind) == (
        "BLR",
        "Belarus",
        "Беларусь",
        "country",
    )
    assert search_economies("blr")[0].iso3 == "BLR"
    assert search_economies("112")[0].iso3 == "BLR"
    found = [m.iso3 for m in search_economies("бел")]
    assert {"BLR", "BEL"} <= set(found)
    assert found.index("BLX") > found.index("BEL")  # historical after current economies
    assert search_economies("Atlantis") == []
    assert len(search_economies("a", limit=5)) == 5


def test_unknown_name_suggests_word_matches() -> None:
    with pytest.raises(ReferenceDataError, match=r"did you mean ASM American Samoa"):
        resolve_country("America")


def test_every_economy_resolves_from_its_codes_and_names() -> None:
    # Refusing ambiguous text must never refuse an economy's own code or exact name.
    for row in countries().itertuples():
        texts = [row.iso3, row.iso3.lower(), row.name_en, row.name_ru]
        if row.iso2:
            texts += [row.iso2, row.iso2.lower()]
        for text in texts:
            assert resolve_country(text) == row.iso3, text


def test_digits_that_int_refuses_are_not_codes() -> None:
    # "²".isdigit() is True but int("²") fails: such text is an unknown name, one-line error.
    from silkroad.errors import ReferenceDataError
    from silkroad.reference.countries import is_aggregate, resolve_country

    assert is_aggregate("²") is False
    with pytest.raises(ReferenceDataError):
        resolve_country("²")
