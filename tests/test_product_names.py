"""Product names: short English and Russian names, fallbacks, editions, TN VED override, search.

Expected names are written here by hand (checked against the official HS 2022 descriptions); the
completeness checks read the shipped CSV files with the csv module, independently of the loader.
"""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path

import pytest

from silkroad.analytics.editions import correlation_from_pairs
from silkroad.errors import InputError, ReferenceDataError
from silkroad.reference import products
from silkroad.reference.product_lookup import load_russian_names, search_products
from silkroad.reference.products import TOTAL, product_name, product_names, residual_name

DATA = resources.files("silkroad.reference").joinpath("data")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def official() -> dict[str, tuple[str, str]]:
    """code → (level, description) read straight from the shipped HS 2022 file."""
    with DATA.joinpath("harmonized-system.csv").open(encoding="utf-8", newline="") as f:
        return {r["hscode"]: (r["level"], r["description"]) for r in csv.DictReader(f)}


def name_rows() -> list[tuple[str, int, list[str]]]:
    """(file, line, row) of every heading-name file shipped."""
    out = []
    for entry in sorted(DATA.joinpath("hs_names").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".csv"):
            continue
        with entry.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == ["code", "en", "ru"], entry.name
            out += [(entry.name, n, row) for n, row in enumerate(reader, start=2)]
    return out


# --- hand-checked examples -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "en", "ru"),
    [
        ("8701", "Tractors", "Тракторы"),
        ("2710", "Refined petroleum", "Нефтепродукты"),
        ("2709", "Crude petroleum", "Сырая нефть"),
        ("8704", "Delivery trucks", "Грузовые автомобили"),
        ("0401", "Milk and cream", "Молоко и сливки"),
        ("1001", "Wheat", "Пшеница"),
        ("0901", "Coffee", "Кофе"),
        ("3004", "Packaged medicaments", "Лекарственные средства в дозированном виде"),
        ("3102", "Nitrogenous fertilisers", "Азотные удобрения"),
        ("2716", "Electricity", "Электроэнергия"),
        ("87", "Vehicles other than railway", "Транспортные средства, кроме железнодорожных"),
        ("27", "Mineral fuels and oil", "Минеральное топливо и нефть"),
    ],
)
def test_hand_checked_names(code: str, en: str, ru: str) -> None:
    assert product_name(code) == en
    assert product_name(code, "ru") == ru


def test_lost_leading_zero_and_edition_prefix() -> None:
    assert product_name("401") == "Milk and cream"
    assert product_name(401) == "Milk and cream"
    assert product_name("HS22:0401", "ru") == "Молоко и сливки"
    assert product_name("1") == "Live animals"


def test_official_descriptions_with_short_false() -> None:
    assert product_name("0101", short=False) == "Horses, asses, mules and hinnies; live"
    assert product_name("870130", short=False) == "Tractors; track-laying"
    assert product_name("01", short=False) == "Animals; live"


def test_subheadings_get_heading_name_and_official_detail() -> None:
    assert product_name("870130") == "Tractors: track-laying"
    assert product_name("870110") == "Tractors: single axle"
    assert product_name("870130", "ru") == "Тракторы"
    # A heading with one subheading only: the heading's name, nothing added.
    assert product_name("270900") == "Crude petroleum"
    assert product_name("090300") == "Mate"


def test_total_and_unspecified_have_proper_names() -> None:
    assert product_name(TOTAL) == "All products"
    assert product_name("total", "ru") == "Все товары"
    for code in ("99", "9999", "999999"):
        assert product_name(code) == "Commodities not specified according to kind"
        assert product_name(code, "ru") == "Товары, не классифицированные по видам"
    names = product_names(["TOTAL", "8701", "999999"], "en") + product_names(["TOTAL"], "ru")
    assert not any("HS TOTAL" in n or n == "TOTAL" for n in names)


def test_residual_names() -> None:
    assert residual_name("TOTAL", "hs4") == "Not broken down by product"
    assert residual_name("TOTAL", "hs6", "ru") == "Без разбивки по товарам"
    assert residual_name("87", "hs4") == "Vehicles other than railway, not broken down to headings"
    assert residual_name("8701", "hs6", "ru") == "Тракторы, без разбивки по субпозициям"
    assert residual_name("8701", "hs4") == "Tractors"  # not coarser than the level: its own name


def test_codes_outside_hs2022_get_literal_names() -> None:
    assert product_name("98") == "HS 2022 code 98"
    assert product_name("9801", "ru") == "Код ГС 2022 9801"
    assert product_name("870199") == "Tractors (HS 2022 code 870199)"


@pytest.mark.parametrize("code", ["abc", "", "0001", "8701201", "HS99:8701", "87 01x"])
def test_bad_codes_are_one_line_errors(code: str) -> None:
    with pytest.raises(ReferenceDataError) as info:
        product_name(code)
    assert "\n" not in str(info.value)


def test_unknown_language() -> None:
    with pytest.raises(InputError, match="unknown language"):
        product_name("8701", "de")


# --- completeness of the shipped names -----------------------------------------------------


def test_every_heading_named_once_in_both_languages() -> None:
    hs = official()
    headings = {c for c, (level, _) in hs.items() if level == "4" and c != "9999"}
    assert len(headings) == 1228  # 1,229 HS 2022 headings, 9999 (not specified) aside
    seen: dict[str, tuple[str, int]] = {}
    for file, line, row in name_rows():
        assert len(row) == 3, (file, line)
        code, en, ru = row
        assert code not in seen, f"{code} in {file}:{line} and {seen.get(code)}"
        seen[code] = (file, line)
        assert re.fullmatch(r"\d{4}", code), (file, line)
        assert en.strip() == en and ru.strip() == ru and en and ru, (file, line)
        assert not CYRILLIC.search(en), (file, line, en)
        assert CYRILLIC.search(ru), (file, line, ru)
        assert not set('"«»') & set(en + ru), (file, line)
        assert product_name(code) == en
        assert product_name(code, "ru") == ru
    assert set(seen) == headings


def test_every_chapter_named_in_both_languages() -> None:
    hs = official()
    chapters = [c for c, (level, _) in hs.items() if level == "2" and c != "99"]
    assert len(chapters) == 96  # 01-97 without the reserved 77
    for code in chapters:
        en, ru = product_name(code), product_name(code, "ru")
        assert en and not CYRILLIC.search(en)
        assert CYRILLIC.search(ru)
        assert en != hs[code][1] or len(en) < 40  # a short name, not the long official text


def test_short_names_are_short() -> None:
    for _, _, (code, en, ru) in name_rows():
        assert len(en) <= 80 and len(ru) <= 110, code


# --- fallbacks -----------------------------------------------------------------------------


def test_missing_short_name_falls_back_to_official_description(monkeypatch) -> None:
    names = dict(products._short_names())
    del names["8701"]
    monkeypatch.setattr(products, "_short_names", lambda: names)
    assert product_name("8701") == "Tractors; (other than tractors of heading no 8709)"
    # No Russian text ships for it: the chapter's Russian name and the code.
    assert product_name("8701", "ru") == (
        "Транспортные средства, кроме железнодорожных: товарная позиция 8701"
    )
    assert product_name("870130") == (
        "Tractors; (other than tractors of heading no 8709): track-laying"
    )


def test_name_files_are_checked(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "data" / "hs_names"
    folder.mkdir(parents=True)
    (tmp_path / "data" / "harmonized-system.csv").write_bytes(
        DATA.joinpath("harmonized-system.csv").read_bytes()
    )
    (tmp_path / "data" / "hs_chapters.csv").write_bytes(
        DATA.joinpath("hs_chapters.csv").read_bytes()
    )
    (folder / "hs4_x.csv").write_text("code,en,ru\n8701,Tractors,Тракторы\n8799,Nothing,Ничего\n")

    class Files:
        def joinpath(self, *parts: str):
            return tmp_path.joinpath(*parts)

    monkeypatch.setattr(products.resources, "files", lambda _: Files())
    products._short_names.cache_clear()
    try:
        with pytest.raises(ReferenceDataError) as info:
            products._short_names()
        assert str(info.value).startswith("hs_names/hs4_x.csv, line 3, field 'code'")
        assert "'8799'" in str(info.value)
    finally:
        products._short_names.cache_clear()


# --- earlier editions through the concordance ----------------------------------------------


def hs17_table():
    return correlation_from_pairs(
        [
            ("870121", "870120"),
            ("870122", "870120"),
            ("870129", "870120"),
            ("870130", "870130"),
            ("852910", "852910"),
            ("852329", "852329"),
            ("841810", "841810"),
            ("850164", "850164"),  # 850164 of HS17 split over two headings in this test table
            ("850231", "850164"),
        ],
        source="HS22",
        target="HS17",
    )


def test_edition_names_through_a_correlation_table() -> None:
    t = hs17_table()
    # Several HS 2022 subheadings of one heading: the heading's name.
    assert product_name("870120", classification="HS17", concordance=t) == "Tractors"
    assert product_name("HS17:870120", "ru", concordance=t) == "Тракторы"
    # One to one: the HS 2022 subheading's name.
    assert product_name("870130", classification="HS17", concordance=t) == (
        "Tractors: track-laying"
    )
    # Spread over two headings: both names.
    assert product_name("850164", classification="HS17", concordance=t) == (
        f"{product_name('8501')} / {product_name('8502')}"
    )
    # A heading of the older edition: the headings its subheadings go to.
    assert product_name("8701", classification="HS17", concordance=t) == "Tractors"


def test_edition_chain_names_a_reused_code_by_its_old_meaning() -> None:
    # HS92 heading 8524 (recorded media) is not HS22 heading 8524 (flat panel display modules).
    hs22_17 = hs17_table()
    hs17_92 = correlation_from_pairs([("852329", "852410")], source="HS17", target="HS92")
    name = product_name("852410", classification="HS92", concordance=[hs17_92, hs22_17])
    assert name == product_name("852329")
    assert name != product_name("8524")
    # The whole old heading, too.
    assert product_name("HS92:8524", concordance=[hs22_17, hs17_92]) == product_name("8523")


def test_edition_without_concordance() -> None:
    # A code HS 2022 lacks: only its chapter is trusted, with the edition and code.
    assert product_name("852410", classification="HS92") == (
        "Electrical machinery and electronics (HS 1992 code 852410)"
    )
    assert product_name("870120", "ru", classification="HS17") == (
        "Транспортные средства, кроме железнодорожных (код ГС 2017 870120)"
    )
    # A code that exists in HS 2022 is named as there; chapters are the same in every edition.
    assert product_name("870130", classification="HS17") == "Tractors: track-laying"
    assert product_name("87", classification="HS92") == "Vehicles other than railway"


def test_edition_mapping_and_broken_chain() -> None:
    assert product_name("870120", classification="HS17", concordance={"870120": ["870124"]}) == (
        product_name("870124")
    )
    hs17_92 = correlation_from_pairs([("852329", "852410")], source="HS17", target="HS92")
    with pytest.raises(InputError, match="do not lead from HS22 to HS92"):
        product_name("852410", classification="HS92", concordance=hs17_92)


# --- the user's Russian nomenclature (TN VED EAEU) ----------------------------------------


def test_russian_override_file(tmp_path: Path) -> None:
    path = tmp_path / "tnved.csv"
    path.write_text(
        "Код;Наименование\n"
        "87;Средства наземного транспорта, кроме железнодорожного\n"
        "8701;Тракторы (кроме тракторов товарной позиции 8709)\n"
        "0401 10;– – с содержанием жира не более 1 мас.%\n"
        "8701 20 101 0;– – – новые\n"
        "\n",
        encoding="utf-8",
    )
    names = load_russian_names(path)
    assert names == {
        "87": "Средства наземного транспорта, кроме железнодорожного",
        "8701": "Тракторы (кроме тракторов товарной позиции 8709)",
        "040110": "с содержанием жира не более 1 мас.%",
        "8701201010": "новые",
    }
    assert product_name("8701", "ru", ru_names=names) == (
        "Тракторы (кроме тракторов товарной позиции 8709)"
    )
    assert product_name("87", "ru", ru_names=names).startswith("Средства наземного")
    assert product_name("040110", "ru", ru_names=names) == "с содержанием жира не более 1 мас.%"
    assert product_name("870130", "ru", ru_names=names) == (
        "Тракторы (кроме тракторов товарной позиции 8709)"
    )
    assert product_name("8701", "en", ru_names=names) == "Tractors"  # English untouched
    assert product_name("2710", "ru", ru_names=names) == "Нефтепродукты"  # not in the file
    found = search_products("кроме тракторов", "ru", ru_names=names)
    assert found[0].code == "8701"


def test_russian_override_cp1251_comma_and_lost_zero(tmp_path: Path) -> None:
    path = tmp_path / "tnved.csv"
    path.write_bytes("code,name\n401,Молоко и сливки несгущённые\n".encode("cp1251"))
    assert load_russian_names(path) == {"0401": "Молоко и сливки несгущённые"}


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("code;name\n8701;Тракторы\n87A1;Что-то\n", "line 3, field 'code'", "'87A1'"),
        ("code;name\n8701;Тракторы\n8702;  \n", "line 3, field 'name'", "empty name"),
        ("code;name\n8701;Тракторы\n8701;Трактора\n", "line 3, field 'code'", "named twice"),
        ("kod;imya\n8701;Тракторы\n", "line 1", "no code and name columns"),
        ("code;name\n8701\n", "line 2, field 'name'", "missing field"),
        ("", "tnved.csv", "empty"),
    ],
)
def test_russian_override_errors(tmp_path: Path, text: str, where: str, what: str) -> None:
    path = tmp_path / "tnved.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_russian_names(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert where in message and what in message
    assert "\n" not in message


def test_russian_override_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_russian_names(tmp_path / "absent.csv")


# --- search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "first"),
    [
        ("tractors", None, "8701"),
        ("Tractor", "en", "8701"),
        ("трактор", None, "8701"),
        ("Тракторы", "ru", "8701"),
        ("Нефтепродукты", None, "2710"),
        ("refined petroleum", None, "2710"),
        ("сырая нефть", None, "2709"),
        ("delivery trucks", None, "8704"),
        ("грузовые автомобили", None, "8704"),
        ("milk", None, "0401"),
        ("молоко", None, "0401"),
        ("пшеница", "ru", "1001"),
        ("wheat flour", None, "1101"),
        ("ПШЕНИЧНАЯ МУКА", None, "1101"),
    ],
)
def test_search_words(text: str, lang: str | None, first: str) -> None:
    found = search_products(text, lang)
    assert found[0].code == first
    match = found[0]
    assert match.level == "hs4"
    assert (match.name_en, match.name_ru) == (product_name(first), product_name(first, "ru"))


def test_search_ranks_headings_before_subheadings() -> None:
    found = search_products("tractors", limit=None)
    levels = [m.level for m in found]
    assert levels.index("hs6") > levels.index("hs4")
    assert levels[levels.index("hs6") :] == ["hs6"] * levels[levels.index("hs6") :].count("hs6")
    assert {"8701", "870110", "870130"} <= {m.code for m in found}


def test_search_by_code() -> None:
    found = search_products("0401", limit=None)
    assert [m.code for m in found] == ["0401", "040110", "040120", "040140", "040150"]
    assert [m.code for m in search_products("87.01", limit=2)] == ["8701", "870110"]
    assert search_products("TOTAL")[0] == (TOTAL, "total", "All products", "Все товары")


def test_search_language_is_respected() -> None:
    assert search_products("тракторы", "en") == []
    assert search_products("tractors", "ru") == []
    assert search_products("xyzzy") == []
    assert search_products("   ") == []
    assert len(search_products("oil")) == 25
    assert len(search_products("oil", limit=3)) == 3


def test_search_finds_official_description_words() -> None:
    # 'durum' is in the official text of 1001 subheadings only, not in any short name.
    codes = [m.code for m in search_products("durum")]
    assert codes and all(c.startswith("1001") or c.startswith("1902") for c in codes)
    assert "100111" in codes


def test_the_ru_names_setting_overrides_russian_names_everywhere(tmp_path, monkeypatch):
    from silkroad.reference import products as products_module

    path = tmp_path / "tnved.csv"
    path.write_text("Код;Наименование\n8701;Тракторы (кроме 8709)\n", encoding="utf-8")
    monkeypatch.setenv("SILKROAD_RU_NAMES", str(path))
    products_module._ru_names_file.cache_clear()
    assert product_name("8701", "ru") == "Тракторы (кроме 8709)"
    assert product_name("8704", "ru") == "Грузовые автомобили"  # not in the file: the short name
    assert product_name("8701", "en") == "Tractors"
    monkeypatch.setenv("SILKROAD_RU_NAMES", str(tmp_path / "missing.csv"))
    with pytest.raises(InputError, match=r"missing\.csv"):
        product_name("8701", "ru")
    monkeypatch.delenv("SILKROAD_RU_NAMES")
    assert product_name("8701", "ru") == "Тракторы"
