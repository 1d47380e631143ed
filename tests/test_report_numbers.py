"""Numbers in briefs: Babel formatting in English and Russian, rounding, the 'N times' rule."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from silkroad.errors import InputError
from silkroad.report.numbers import MINUS, NBSP, Numbers, change, choose_unit, rounded

EN, RU = Numbers("en"), Numbers("ru")


def test_rounding_is_half_up_on_the_decimal_value():
    assert rounded(0.35) == Decimal("0.4")  # round(0.35, 1) == 0.3 in binary floating point
    assert rounded(1171.45) == Decimal("1171.5")
    assert rounded(-0.05) == Decimal("-0.1")
    assert rounded(2.675, 2) == Decimal("2.68")


def test_table_amounts_in_english_and_russian():
    assert EN.amount(1_171_449_000) == "1,171.4"
    assert RU.amount(1_171_449_000) == f"1{NBSP}171,4"  # non-breaking thousands, decimal comma
    assert EN.amount(-583_800_000) == f"{MINUS}583.8"
    assert EN.amount(-10_000) == "0.0"  # no "-0.0"
    assert EN.amount(5e6, signed=True) == "+5.0"
    assert EN.amount(math.nan) == ""


def test_money_in_sentences_comes_from_the_rounded_table_amount():
    assert EN.money(1_171_449_000) == f"$1.17{NBSP}billion"
    assert RU.money(1_171_449_000) == f"1,17{NBSP}млрд долл.{NBSP}США"
    assert EN.money(877_560_000) == f"$877.6{NBSP}million"
    assert RU.money(877_560_000) == f"877,6{NBSP}млн долл.{NBSP}США"
    # 999.96 million rounds to 1,000.0 in the table, hence 1.00 billion in the text
    assert EN.money(999_960_000) == f"$1.00{NBSP}billion"
    assert EN.money(40_000) == f"less than $0.1{NBSP}million"
    assert RU.money(40_000) == f"менее 0,1{NBSP}млн долл.{NBSP}США"
    assert EN.money(-2_000_000, signed=True) == f"{MINUS}$2.0{NBSP}million"
    thousand = Numbers("ru", "thousand")
    assert thousand.amount(450_250) == "450,3"
    assert thousand.money(450_250) == f"450,3{NBSP}тыс. долл.{NBSP}США"
    assert thousand.money(45_000_000) == f"45,0{NBSP}млн долл.{NBSP}США"


def test_unit_follows_the_largest_turnover():
    assert choose_unit(1.2e9) == "million"
    assert choose_unit(100e6) == "million"
    assert choose_unit(99.9e6) == "thousand"
    assert choose_unit(math.nan) == "thousand"


def test_percentages_and_points():
    assert EN.pct(0.229) == "22.9%"
    assert RU.pct(0.229) == f"22,9{NBSP}%"
    assert EN.pct(0.008, signed=True) == "+0.8%"
    assert RU.pct(-0.051, signed=True) == f"{MINUS}5,1{NBSP}%"
    assert EN.pp(-1.23) == f"{MINUS}1.2{NBSP}pp"
    assert RU.pp(0.5) == f"+0,5{NBSP}п.{NBSP}п."


@pytest.mark.parametrize(
    ("current", "previous", "kind", "en", "ru"),
    [
        (122.9, 100, "pct", "+22.9%", f"+22,9{NBSP}%"),
        (199.99, 100, "pct", "+100.0%", f"+100,0{NBSP}%"),  # R < 2: still a percentage
        (200, 100, "up", f"2.0{NBSP}times more", f"в{NBSP}2,0{NBSP}раза больше"),
        (293.8, 81.6, "up", f"3.6{NBSP}times more", f"в{NBSP}3,6{NBSP}раза больше"),
        (50, 100, "down", f"2.0{NBSP}times less", f"в{NBSP}2,0{NBSP}раза меньше"),
        (50.01, 100, "pct", f"{MINUS}50.0%", f"{MINUS}50,0{NBSP}%"),
        (40, 100, "down", f"2.5{NBSP}times less", f"в{NBSP}2,5{NBSP}раза меньше"),
        (0, 100, "stopped", f"{MINUS}100.0%", f"{MINUS}100,0{NBSP}%"),
        (5, 0, "new", "from zero", "с нуля"),
        (0, 0, "none", "", ""),
        (5, math.nan, "none", "", ""),
    ],
)
def test_times_or_percent_rule(current, previous, kind, en, ru):
    c = change(current, previous)
    assert c.kind == kind
    assert EN.change_cell(c) == en
    assert RU.change_cell(c) == ru


def test_russian_plural_forms_follow_cldr():
    # Decimal ratios take the genitive singular ("в 3,6 раза"); whole numbers agree by rule.
    assert RU.times(Decimal("3.6")) == f"в{NBSP}3,6{NBSP}раза"
    assert RU.times(Decimal("5")) == f"в{NBSP}5{NBSP}раз"
    assert RU.times(Decimal("2")) == f"в{NBSP}2{NBSP}раза"
    forms = {"one": "{n} товар", "few": "{n} товара", "many": "{n} товаров", "other": "{n} товара"}
    assert [RU.plural(n, forms) for n in (1, 2, 5, 11, 21, 22, 25)] == [
        "1 товар",
        "2 товара",
        "5 товаров",
        "11 товаров",
        "21 товар",
        "22 товара",
        "25 товаров",
    ]


def test_ordinals_years_and_dates():
    import datetime as dt

    assert [EN.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
    ]
    assert RU.ordinal(3) == "3-е"
    assert EN.years(2007, 2014) == "2007–2014"
    when = dt.datetime(2026, 11, 25, 17, 9, tzinfo=dt.UTC)
    assert EN.datetime(when) == "25 November 2026, 17:09 UTC"
    assert RU.datetime(when) == "25 ноября 2026, 17:09 UTC"


def test_unknown_language_or_unit_is_an_input_error():
    with pytest.raises(InputError, match="unknown language"):
        Numbers("de")
    with pytest.raises(InputError, match="unknown unit"):
        Numbers("en", "billion")
