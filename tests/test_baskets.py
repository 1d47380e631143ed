"""Basket files: loading, validation errors, overlaps, assignment, and the shipped example."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
import yaml

from silkroad.errors import InputError
from silkroad.reference.baskets import (
    OTHER,
    BasketSet,
    baskets_from_dict,
    example_baskets_path,
    load_baskets,
)


def basket(bid: str, *codes: object, **extra: object) -> dict:
    return {
        "id": bid,
        "name_en": bid.title(),
        "name_ru": "Корзина " + bid,
        "hs": list(codes),
    } | extra


def write(tmp_path: Path, text: str, name: str = "b.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(data: object) -> str:
    with pytest.raises(InputError) as exc:
        baskets_from_dict(data, path="my.yaml")
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith("my.yaml")
    return message


# --- the shipped example -------------------------------------------------------------------


def test_example_file_loads_with_russian_names_and_no_overlaps():
    path = example_baskets_path()
    assert path.name == "machinery_food.yaml" and path.exists()
    bs = load_baskets(path)
    assert isinstance(bs, BasketSet)
    assert bs.name == "Machinery and food trade"
    assert bs.path == str(path)
    expected = {
        "oil_products": ("2710",),
        "tractors": ("8701",),
        "trucks": ("8704",),
        "dairy": ("0401-0406",),
        "meat": ("0201-0210",),
        "sugar": ("1701",),
        "fertilizers": ("3102-3105",),
        "furniture": ("9401-9403",),
        "tyres": ("4011",),
        "medicines": ("3003-3004",),
    }
    for bid, hs in expected.items():
        assert bs.get(bid).hs == hs
    for b in bs.baskets:
        assert b.name_en and b.name_ru
        assert any("а" <= ch <= "я" for ch in b.name_ru.lower()), b.id  # Russian, not a copy
    # No overlaps, checked by brute force over every heading the example can touch.
    headings = pd.Series([f"{h:04d}00" for h in range(100, 9800)])
    hits = {b.id: set(headings[load_one(b.id).assign(headings).notna()]) for b in bs.baskets}
    for a, b in itertools.combinations(hits, 2):
        assert not hits[a] & hits[b], (a, b)


def load_one(bid: str) -> BasketSet:
    """The example's basket ``bid`` alone, as its own set."""
    data = yaml.safe_load(example_baskets_path().read_text(encoding="utf-8"))
    data["baskets"] = [b for b in data["baskets"] if b["id"] == bid]
    return baskets_from_dict(data)


def test_example_assigns_products():
    bs = load_baskets(example_baskets_path())
    products = pd.Series(
        [
            "870120",
            "870421",
            "040210",
            "040690",
            "040700",
            "020130",
            "021099",
            "271019",
            "310420",
            "300490",
            "940161",
            "940490",
            "401110",
            "999999",
        ],
        index=range(10, 24),
    )
    got = bs.assign(products)
    assert list(got.index) == list(products.index)
    assert got.tolist() == [
        "tractors", "trucks", "dairy", "dairy", None, "meat", "meat", "oil_products",
        "fertilizers", "medicines", "furniture", None, "tyres", None,
    ]  # fmt: skip


# --- assignment at each level and with ranges ---------------------------------------------


def test_prefixes_at_every_level_and_ranges():
    bs = baskets_from_dict(
        {
            "name": "levels",
            "baskets": [
                basket("chapter", "01"),
                basket("heading", "8701"),
                basket("sub", "870421"),
                basket("headings", "0401-0403"),
                basket("subs", "870431-870433"),
                basket("chapters", "50-52"),
            ],
        }
    )
    products = ["010121", "019999", "870120", "870421", "870422", "040100", "040399", "040400",
                "870431", "870433", "870434", "500100", "521000", "530000", "870322"]  # fmt: skip
    assert bs.assign(pd.Series(products)).tolist() == [
        "chapter", "chapter", "heading", "sub", None, "headings", "headings", None,
        "subs", "subs", None, "chapters", "chapters", None, None,
    ]  # fmt: skip
    assert bs.max_digits == 6


def test_assign_repeated_products_and_empty_series():
    bs = baskets_from_dict({"name": "x", "baskets": [basket("cars", "8703")]})
    assert bs.assign(pd.Series(["870323", "870323", "870120"])).tolist() == ["cars", "cars", None]
    assert bs.assign(pd.Series([], dtype=str)).tolist() == []


def test_adjacent_ranges_and_sibling_codes_do_not_overlap():
    bs = baskets_from_dict(
        {
            "name": "x",
            "baskets": [
                basket("a", "0401-0403"),
                basket("b", "0404-0406"),
                basket("c", "8701"),
                basket("d", "8702", "88"),
                basket("e", "870410"),
                basket("f", "870421-870429"),
            ],
        }
    )
    assert bs.ids == ["a", "b", "c", "d", "e", "f"]


def test_same_basket_may_repeat_itself():
    # Redundant codes inside one basket claim nothing twice across baskets: allowed.
    bs = baskets_from_dict({"name": "x", "baskets": [basket("v", "87", "8701")]})
    assert bs.assign(pd.Series(["870120"])).tolist() == ["v"]


# --- overlaps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "a", "b"),
    [
        (("tractors", "8701"), ("vehicles", "87"), "8701", "87"),
        (("vehicles", "87"), ("tractors", "8701"), "87", "8701"),
        (("dairy", "0401-0406"), ("butter", "0405"), "0401-0406", "0405"),
        (("dairy", "0401-0406"), ("cream", "040120"), "0401-0406", "040120"),
        (("a", "0401-0403"), ("b", "0403-0405"), "0401-0403", "0403-0405"),
        (("food", "01-24"), ("sugar", "170199"), "01-24", "170199"),
        (("a", "8701"), ("b", "8701"), "8701", "8701"),
    ],
)
def test_overlapping_baskets_are_rejected_naming_both(first, second, a, b):
    message = error_of({"name": "x", "baskets": [basket(*first), basket(*second)]})
    assert f"'{a}' in '{first[0]}'" in message
    assert f"'{b}' in '{second[0]}'" in message
    assert "overlap" in message


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["87A1", "8", "870", "8701201", "", "00", "0012", "87-", "-87", "87 01", "８７"]
)
def test_bad_codes_are_rejected(code):
    message = error_of({"name": "x", "baskets": [basket("bad", code)]})
    assert "bad HS code" in message
    assert "field 'bad.hs'" in message
    assert repr(code) in message


def test_range_ends_of_different_lengths():
    message = error_of({"name": "x", "baskets": [basket("dairy", "0401-040690")]})
    assert "different lengths" in message and "'0401-040690'" in message


def test_range_running_backwards():
    message = error_of({"name": "x", "baskets": [basket("dairy", "0406-0401")]})
    assert "backwards" in message and "'0401-0406'" in message


@pytest.mark.parametrize("code", [8701, 401, 87.01, None])
def test_numbers_are_rejected_because_yaml_mangles_leading_zeros(code):
    message = error_of({"name": "x", "baskets": [basket("n", code)]})
    assert "quoted strings" in message


def test_unquoted_leading_zero_in_a_file_is_caught(tmp_path):
    # YAML 1.1 reads 0401 as the octal number 257: refusing numbers catches it.
    path = write(tmp_path, "name: x\nbaskets:\n  - {id: d, name_en: D, name_ru: Д, hs: [0401]}\n")
    with pytest.raises(InputError, match="quoted strings") as exc:
        load_baskets(path)
    assert str(path) in str(exc.value)


def test_duplicate_ids():
    message = error_of({"name": "x", "baskets": [basket("a", "01"), basket("a", "02")]})
    assert "duplicate basket id" in message and "'a'" in message


@pytest.mark.parametrize("key", ["name_en", "name_ru"])
def test_missing_or_empty_names(key):
    b = basket("tractors", "8701")
    del b[key]
    message = error_of({"name": "x", "baskets": [b]})
    assert f"field 'tractors.{key}'" in message and "name" in message
    b[key] = "  "
    assert f"field 'tractors.{key}'" in error_of({"name": "x", "baskets": [b]})


def test_missing_set_name_and_empty_basket_list():
    assert "field 'name'" in error_of({"baskets": [basket("a", "01")]})
    assert "field 'baskets'" in error_of({"name": "x", "baskets": []})
    assert "field 'baskets'" in error_of({"name": "x"})
    assert "mapping" in error_of(["not", "a", "mapping"])


@pytest.mark.parametrize("bid", ["", "has space", "-lead", 12, None])
def test_bad_ids(bid):
    assert "basket id" in error_of({"name": "x", "baskets": [basket("ok", "01") | {"id": bid}]})


def test_other_is_reserved():
    assert "reserved" in error_of({"name": "x", "baskets": [basket("other", "01")]})


def test_unknown_keys_are_reported():
    message = error_of({"name": "x", "baskets": [basket("a", "01") | {"codes": ["02"]}]})
    assert "unknown key" in message and "field 'a.codes'" in message
    assert "unknown key" in error_of({"name": "x", "baskets": [basket("a", "01")], "extra": 1})


def test_empty_hs_list():
    assert "field 'a.hs'" in error_of({"name": "x", "baskets": [basket("a")]})


def test_spaces_around_a_range_dash_are_tolerated():
    bs = baskets_from_dict({"name": "x", "baskets": [basket("d", " 0401 - 0406 ")]})
    assert bs.get("d").hs == ("0401-0406",)
    assert bs.assign(pd.Series(["040590"])).tolist() == ["d"]


def test_single_string_is_a_one_code_list():
    bs = baskets_from_dict({"name": "x", "baskets": [basket("a") | {"hs": "8701"}]})
    assert bs.get("a").hs == ("8701",)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "name: x\nbaskets:\n  - id: a\n   name_en: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML") as exc:
        load_baskets(path)
    assert str(path) in str(exc.value) and "line" in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read the basket file"):
        load_baskets(tmp_path / "none.yaml")


def test_file_round_trip(tmp_path):
    text = """
name: Trade of two
name_ru: Торговля двух
baskets:
  - id: tractors
    name_en: Tractors
    name_ru: Тракторы
    hs: ["8701"]
  - id: dairy
    name_en: Dairy products
    name_ru: Молочная продукция
    hs: ["0401-0406"]     # ranges at one level allowed
"""
    bs = load_baskets(write(tmp_path, text))
    assert (bs.name, bs.name_ru) == ("Trade of two", "Торговля двух")
    assert [(b.id, b.name_en, b.name_ru, b.hs) for b in bs.baskets] == [
        ("tractors", "Tractors", "Тракторы", ("8701",)),
        ("dairy", "Dairy products", "Молочная продукция", ("0401-0406",)),
    ]
    assert bs.max_digits == 4


def test_basket_labels_never_show_ids() -> None:
    bs = load_baskets(example_baskets_path())
    assert bs.label("oil_products") == "Oil products (refined petroleum)"
    assert bs.label("oil_products", "ru") == "Нефтепродукты"
    assert bs.label(OTHER) == "Other products"
    assert bs.label(OTHER, "ru") == "Прочие товары"
    assert (bs.title(), bs.title("ru")) == (
        "Machinery and food trade",
        "Торговля машинами и продовольствием",
    )
    for b in bs.baskets:
        for lang in ("en", "ru"):
            assert bs.label(b.id, lang) not in (b.id, "")
            assert "_" not in bs.label(b.id, lang)
    with pytest.raises(InputError, match=r"unknown basket.*'cars'"):
        bs.label("cars")
    with pytest.raises(InputError, match="unknown language"):
        bs.label("dairy", "de")


def test_set_title_falls_back_to_english_name() -> None:
    bs = baskets_from_dict(
        {"name": "Two", "baskets": [{"id": "a", "name_en": "A", "name_ru": "А", "hs": ["01"]}]}
    )
    assert bs.title("ru") == "Two"
