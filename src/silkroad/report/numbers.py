"""Numbers for people, in English and Russian (Babel), rounded once and written the same everywhere.

Every figure of a brief goes through one :class:`Numbers` object, so a table cell and the sentence
that quotes it show the same digits. The rules:

- **Rounding** is half up on the decimal value (0.35 → 0.4; Python's ``round`` would give 0.3).
- **Table amounts** are in one unit per brief, :func:`choose_unit`: million USD when the largest
  turnover of the years shown is at least 100 million USD, thousand USD otherwise; one decimal.
  English ``1,171.4``; Russian ``1 171,4`` (non-breaking space between thousands, decimal comma).
- **Amounts in sentences** come from the rounded table amount: ``$877.6 million``,
  ``877,6 млн долл. США``; from 1,000 million up in billions with two decimals of the rounded
  million figure (``$1.17 billion``, ``1,17 млрд долл. США``). A positive amount that rounds to
  0.0 reads "less than $0.1 million".
- **Percentages** have one decimal: ``22.9%`` / ``22,9 %`` (Russian puts a non-breaking space
  before the sign); signed changes ``+0.8%`` / ``+0,8 %``; percentage points ``+1.2 pp`` /
  ``+1,2 п. п.``. Negative numbers use the minus sign U+2212.
- **"N times" or percent** (METHODS 1.3): for a ratio R = V_1 / V_0, R ≥ 2 reads "R times more"
  (``в 3,6 раза больше``), R ≤ 0.5 reads "1/R times less" (``в 2,5 раза меньше``), anything
  between is a percentage change (``+22.9%``). R is always shown with one decimal ("2.0 times",
  "в 2,0 раза": Russian takes the genitive singular after a decimal). A fall to zero is
  −100.0%; a rise from zero is "from zero" (growth undefined, METHODS 1.2).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

from silkroad.errors import InputError

LANGS = ("en", "ru")

NBSP = "\u00a0"
MINUS = "\u2212"
DASH = "\u2013"  # en dash, for ranges of years

#: Above this largest turnover (USD) tables are in million USD, below in thousand USD.
MILLION_THRESHOLD_USD = 100e6

#: Ratios at or beyond these bounds read "N times"; between them, a percentage.
TIMES_UP = 2.0
TIMES_DOWN = 0.5

UNITS = {
    # unit: (factor, English header, Russian header)
    "million": (1e6, "million USD", "млн долл. США"),
    "thousand": (1e3, "thousand USD", "тыс. долл. США"),
}


WORD_JOINER = "\u2060"
_NO_BREAKS = (
    # a sign and its number: "+5.4%", "−12.1" never split after the sign
    (re.compile(r"(?<![\w)])([+\u2212])(?=[\d$])"), "\\1" + WORD_JOINER),
    # "+ new − lost": an operator between words stays with what follows
    (re.compile(r" ([+\u2212=]) "), " \\1" + NBSP),
    # "12-й", "3-е": no break after the hyphen of a Russian ordinal
    (re.compile(r"(\d)-(?=[а-яё])"), "\\1-" + WORD_JOINER),
    # "2013 г.", "2013 году", "2012–2014 гг.": the year keeps its word
    (re.compile(r"(\d{4}) (?=(?:г\.|гг\.|год[а-я]*)(?![а-яё]))"), "\\1" + NBSP),
    # "2012–2014": no break after the dash of a range of years
    (re.compile(r"(\d)\u2013(?=\d)"), "\\1\u2013" + WORD_JOINER),
)


def nobreak(text: str) -> str:
    """``text`` with non-breaking joins where a line must not break (signs, ordinals, years)."""
    for pattern, repl in _NO_BREAKS:
        text = pattern.sub(repl, text)
    return text


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError("unknown language", field="lang", found=lang, expected="en or ru")
    return lang


def choose_unit(max_turnover_usd: float) -> str:
    """'million' when the largest turnover shown is ≥ 100 million USD, else 'thousand'."""
    if max_turnover_usd == max_turnover_usd and max_turnover_usd >= MILLION_THRESHOLD_USD:
        return "million"
    return "thousand"


def rounded(x: float, digits: int = 1) -> Decimal:
    """``x`` rounded half up to ``digits`` decimals, as a Decimal (no binary surprises)."""
    q = Decimal(1).scaleb(-digits)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)


def missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@dataclass(frozen=True)
class Change:
    """How a value moved from V_0 to V_1: kind 'pct', 'up', 'down', 'new', 'stopped' or 'none'.

    ``number`` is the rounded figure shown: percent for 'pct' (signed), R for 'up', 1/R for
    'down'; None for the other kinds.
    """

    kind: str
    number: Decimal | None
    ratio: float  # R = V_1 / V_0 (NaN when V_0 is 0 or missing)


def change(current: float, previous: float) -> Change:
    """Classify the move from ``previous`` to ``current`` with the house rule (module docstring)."""
    if missing(current) or missing(previous):
        return Change("none", None, math.nan)
    if previous <= 0:
        return Change("new" if previous == 0 and current > 0 else "none", None, math.nan)
    r = current / previous
    if current == 0:
        return Change("stopped", Decimal("-100.0"), 0.0)
    if r >= TIMES_UP:
        return Change("up", rounded(r), r)
    if r <= TIMES_DOWN:
        return Change("down", rounded(1 / r), r)
    return Change("pct", rounded((r - 1) * 100), r)


class Numbers:
    """Formatting of one brief: its language and its table unit ('million' or 'thousand')."""

    def __init__(self, lang: str, unit: str = "million") -> None:
        self.lang = check_lang(lang)
        if unit not in UNITS:
            raise InputError(
                "unknown unit", field="unit", found=unit, expected="million or thousand"
            )
        self.unit = unit
        self.factor = UNITS[unit][0]
        self.locale = Locale(lang)

    # --- plain numbers -----------------------------------------------------------------
    def decimal(
        self, x: Decimal | float | int, digits: int | None = None, *, signed: bool = False
    ) -> str:
        """A number in the brief's language (U+2212 for minus).

        A Decimal is written with its own decimals (``Decimal('5.0')`` -> '5.0'); a float is
        rounded half up to ``digits`` (default 1).
        """
        if isinstance(x, Decimal):
            exponent = x.as_tuple().exponent
            places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
            d = x if digits is None else rounded(float(x), digits)
            places = places if digits is None else digits
        else:
            places = 1 if digits is None else digits
            d = rounded(float(x), places)
        if d == 0:
            d = abs(d)  # no "-0.0"
        pattern = "#,##0" + ("." + "0" * places if places else "")
        text = format_decimal(abs(d), format=pattern, locale=self.lang, decimal_quantization=False)
        if d < 0:
            return MINUS + text
        return ("+" if signed and d > 0 else "") + text

    def integer(self, n: int) -> str:
        return format_decimal(int(n), format="#,##0", locale=self.lang)

    def unit_label(self) -> str:
        """'million USD' / 'млн долл. США' (with a non-breaking space inside the Russian one)."""
        en, ru = UNITS[self.unit][1:]
        return en if self.lang == "en" else ru.replace("долл. США", f"долл.{NBSP}США")

    # --- money -------------------------------------------------------------------------
    def table_value(self, usd: float) -> Decimal:
        """The amount in the table unit, rounded to one decimal: what every output shows."""
        return rounded(usd / self.factor, 1)

    def amount(self, usd: float, *, signed: bool = False) -> str:
        """A table cell in the brief's unit: '1,171.4' / '1 171,4'; '' when missing."""
        if missing(usd):
            return ""
        return self.decimal(self.table_value(usd), signed=signed)

    def money(self, usd: float, *, signed: bool = False) -> str:
        """An amount in a sentence, derived from the rounded table amount (module docstring)."""
        if missing(usd):
            return ""
        t = self.table_value(usd)
        if t == 0 and usd != 0:
            smallest = self._money_words(Decimal("0.1"), self.unit, signed=False)
            return ("less than " if self.lang == "en" else "менее ") + smallest
        if self.unit == "million" and abs(t) >= 1000:
            return self._money_words(rounded(float(t) / 1000, 2), "billion", signed=signed)
        if self.unit == "thousand" and abs(t) >= 1000:
            return self._money_words(rounded(float(t) / 1000, 1), "million", signed=signed)
        return self._money_words(t, self.unit, signed=signed)

    def _money_words(self, d: Decimal, scale: str, *, signed: bool) -> str:
        number = self.decimal(abs(d))
        sign = MINUS if d < 0 else ("+" if signed and d > 0 else "")
        if self.lang == "en":
            return f"{sign}${number}{NBSP}{scale}"
        word = {"billion": "млрд", "million": "млн", "thousand": "тыс."}[scale]
        return f"{sign}{number}{NBSP}{word} долл.{NBSP}США"

    # --- shares and changes --------------------------------------------------------------
    def pct(self, fraction: float, *, signed: bool = False) -> str:
        """A fraction as a percentage with one decimal: '22.9%' / '22,9 %'; '' when missing."""
        if missing(fraction):
            return ""
        return self._pct_text(rounded(fraction * 100), signed=signed)

    def _pct_text(self, d: Decimal, *, signed: bool) -> str:
        number = self.decimal(d, signed=signed)
        return number + ("%" if self.lang == "en" else f"{NBSP}%")

    def pp(self, points: float) -> str:
        """Percentage points, signed: '+1.2 pp' / '+1,2 п. п.'."""
        if missing(points):
            return ""
        unit = "pp" if self.lang == "en" else f"п.{NBSP}п."
        return f"{self.decimal(points, signed=True)}{NBSP}{unit}"

    def times(self, d: Decimal) -> str:
        """'3.6 times' / 'в 3,6 раза' (plural form from Babel's CLDR rules)."""
        number = self.decimal(d)
        if self.lang == "en":
            return f"{number}{NBSP}times"
        form = self.locale.plural_form(d)
        word = "раз" if form in ("one", "many") else "раза"
        return f"в{NBSP}{number}{NBSP}{word}"

    def change_cell(self, c: Change) -> str:
        """A change in a table: '+22.9%', '3.6 times more', 'в 2,5 раза меньше', 'from zero'."""
        if c.kind in ("pct", "stopped"):
            assert c.number is not None
            return self._pct_text(c.number, signed=True)
        if c.kind in ("up", "down"):
            assert c.number is not None
            more = {"up": ("more", "больше"), "down": ("less", "меньше")}[c.kind]
            return f"{self.times(c.number)} {more[0] if self.lang == 'en' else more[1]}"
        if c.kind == "new":
            return "from zero" if self.lang == "en" else "с нуля"
        return ""

    def change_size(self, c: Change) -> str:
        """The size of a change without its sign, for sentences: '22.9%', '3.6 times'."""
        if c.kind in ("pct", "stopped"):
            assert c.number is not None
            return self._pct_text(abs(c.number), signed=False)
        if c.kind in ("up", "down"):
            assert c.number is not None
            return self.times(c.number)
        return ""

    # --- words -------------------------------------------------------------------------
    def ordinal(self, n: int) -> str:
        """'3rd' / '3-е' (place among partners)."""
        if self.lang == "ru":
            return f"{n}-е"
        suffix = {"one": "st", "two": "nd", "few": "rd"}.get(self.locale.ordinal_form(n), "th")
        return f"{n}{suffix}"

    def years(self, first: int, last: int) -> str:
        """'2007–2014' (en dash), or one year."""
        return str(first) if first == last else f"{first}{DASH}{last}"

    def datetime(self, when: dt.datetime) -> str:
        """Generation time in UTC: '25 November 2026, 17:09 UTC' / '25 ноября 2026, 17:09 UTC'."""
        utc = when.astimezone(dt.UTC)
        return format_datetime(utc, "d MMMM y, HH:mm 'UTC'", tzinfo=dt.UTC, locale=self.lang)

    def plural(self, n: int, forms: dict[str, str]) -> str:
        """Pick ``forms[one|few|many|other]`` for ``n`` by the language's CLDR plural rules."""
        form = self.locale.plural_form(n)
        return forms.get(form, forms["other"]).format(n=self.integer(n))
