"""Baskets: user-defined product groups (tractors, dairy, oil products) read from a YAML file.

A basket file names a set of baskets; each basket has an ``id``, an English and a Russian name and
a list of HS codes. A code is a prefix at any level (2, 4 or 6 digits: ``"87"``, ``"8701"``,
``"870120"``) or a range of prefixes of one length (``"0401-0406"``: headings 0401 to 0406,
inclusive). A product belongs to a basket when one of the basket's codes is a prefix of it::

    name: Machinery and food trade
    baskets:
      - id: tractors
        name_en: Tractors and truck tractors
        name_ru: Тракторы и седельные тягачи
        hs: ["8701"]
      - id: dairy
        name_en: Dairy products
        name_ru: Молочная продукция
        hs: ["0401-0406"]

Codes must be quoted strings: YAML reads an unquoted ``0401`` as the octal number 257, so numbers
are rejected rather than guessed at. Two baskets may not claim the same product (``8701`` in
``tractors`` and ``87`` in ``vehicles`` is an error naming both); products in no basket are
"other" for the analyses. The id ``other`` is reserved for them.

>>> bs = load_baskets(example_baskets_path())
>>> bs.assign(pd.Series(["870120", "040210", "999999"])).tolist()
['tractors', 'dairy', None]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from silkroad.errors import InputError

__all__ = [
    "OTHER",
    "OTHER_NAMES",
    "Basket",
    "BasketSet",
    "baskets_from_dict",
    "example_baskets_path",
    "load_baskets",
]

OTHER = "other"
"""Reserved id of the group that holds products outside every basket."""

OTHER_NAMES = {"en": "Other products", "ru": "Прочие товары"}
"""Display names of the :data:`OTHER` group: an id is never shown to a reader."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CODE = re.compile(r"^[0-9]{2}([0-9]{2}){0,2}$")
_TOP_KEYS = {"name", "name_ru", "description", "baskets"}
_BASKET_KEYS = {"id", "name_en", "name_ru", "hs", "description"}
_CODE_EXPECTED = "an HS prefix of 2, 4 or 6 digits ('87', '8701', '870120') or a range '0401-0406'"


@dataclass(frozen=True)
class CodeRange:
    """Prefixes ``low``..``high`` (inclusive) of one length, as written in the file (``text``)."""

    text: str
    low: str
    high: str

    @property
    def digits(self) -> int:
        return len(self.low)

    def overlaps(self, other: CodeRange) -> bool:
        """True if some HS6 product starts with a prefix of both ranges."""
        short, long_ = (self, other) if self.digits <= other.digits else (other, self)
        n = short.digits
        # The n-digit prefixes of long_'s codes are exactly the range long_.low[:n]..high[:n].
        return max(short.low, long_.low[:n]) <= min(short.high, long_.high[:n])


@dataclass(frozen=True)
class Basket:
    """One product group: its id, names and HS codes (``hs`` as written, ``ranges`` parsed)."""

    id: str
    name_en: str
    name_ru: str
    hs: tuple[str, ...]
    ranges: tuple[CodeRange, ...] = field(repr=False)
    description: str = ""

    def label(self, lang: str = "en") -> str:
        """The basket's name in English (``en``) or Russian (``ru``)."""
        _check_lang(lang)
        return self.name_ru if lang == "ru" else self.name_en


@dataclass(frozen=True)
class BasketSet:
    """A named set of non-overlapping baskets, as loaded by :func:`load_baskets`.

    >>> bs = baskets_from_dict({"name": "x", "baskets": [
    ...     {"id": "cars", "name_en": "Cars", "name_ru": "Автомобили", "hs": ["8703"]}]})
    >>> bs.assign(pd.Series(["870323", "870120"])).tolist()
    ['cars', None]
    """

    name: str
    baskets: tuple[Basket, ...]
    path: str | None = None
    name_ru: str = ""
    description: str = ""

    @property
    def ids(self) -> list[str]:
        return [b.id for b in self.baskets]

    def label(self, basket_id: str, lang: str = "en") -> str:
        """The display name of a basket id (or of :data:`OTHER`) in English or Russian.

        >>> load_baskets(example_baskets_path()).label("oil_products", "ru")
        'Нефтепродукты'
        """
        _check_lang(lang)
        if basket_id == OTHER:
            return OTHER_NAMES[lang]
        try:
            return self.get(basket_id).label(lang)
        except KeyError:
            raise InputError(
                "unknown basket",
                path=self.path,
                found=basket_id,
                expected="one of " + ", ".join([*self.ids, OTHER]),
            ) from None

    def title(self, lang: str = "en") -> str:
        """The set's name in English or Russian (the English ``name`` when ``name_ru`` is absent)."""
        _check_lang(lang)
        return self.name_ru if lang == "ru" and self.name_ru else self.name

    def get(self, basket_id: str) -> Basket:
        for b in self.baskets:
            if b.id == basket_id:
                return b
        raise KeyError(basket_id)

    @property
    def max_digits(self) -> int:
        """The longest prefix any basket uses (2, 4 or 6): the detail the data must have."""
        return max((r.digits for b in self.baskets for r in b.ranges), default=2)

    def assign(self, products: pd.Series) -> pd.Series:
        """The basket id of each HS6 product (a string Series), None for products in no basket.

        The result has the index of ``products`` and object dtype.
        """
        codes = products.astype(str)
        unique = pd.Series(codes.unique(), dtype=object)
        found = pd.Series([None] * len(unique), index=unique.index, dtype=object)
        for basket in self.baskets:
            for r in basket.ranges:
                prefix = unique.str[: r.digits]
                hit = (unique.str.len() >= r.digits) & (prefix >= r.low) & (prefix <= r.high)
                found[hit.to_numpy()] = basket.id
        lookup = dict(zip(unique, found, strict=True))
        return pd.Series([lookup[c] for c in codes], index=products.index, dtype=object)


def _check_lang(lang: str) -> None:
    if lang not in ("en", "ru"):
        raise InputError("unknown language", field="lang", found=lang, expected="en or ru")


class _Where:
    """Where errors point: the basket file (or 'baskets' for a mapping)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def error(
        self,
        message: str,
        *,
        fld: str | None = None,
        found: object = None,
        expected: str | None = None,
    ) -> InputError:
        return InputError(message, path=self.path, field=fld, found=found, expected=expected)


def example_baskets_path() -> Path:
    """The example basket file shipped with silkroad (machinery and food trade, BLR–KAZ style)."""
    ref = resources.files("silkroad.reference").joinpath("data", "baskets", "machinery_food.yaml")
    return Path(str(ref))


def load_baskets(path: str | Path) -> BasketSet:
    """Read and check a basket file (format in the module docstring).

    Raises :class:`~silkroad.errors.InputError` with a one-line message naming the file and the
    basket and field at fault: unreadable YAML, missing or unknown keys, bad codes, ranges whose
    ends differ in length or run backwards, duplicate ids, and baskets that overlap.
    """
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("cannot read the basket file", path=p, found=str(exc)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = None
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"not valid YAML: {problem}", path=p, line=line) from exc
    return baskets_from_dict(data, path=p)


def baskets_from_dict(data: Any, *, path: str | Path | None = None) -> BasketSet:
    """Check a basket set given as a mapping (the parsed YAML); ``path`` is used in errors."""
    where = _Where(str(path) if path is not None else "baskets")
    if not isinstance(data, Mapping):
        raise where.error(
            "a basket file is a mapping with 'name' and 'baskets'",
            found=type(data).__name__,
        )
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise where.error(
            "unknown key", fld=unknown[0], expected="name, name_ru, description, baskets"
        )
    name = _text(data.get("name"), "name", where)
    raw = data.get("baskets")
    if not isinstance(raw, list) or not raw:
        raise where.error("'baskets' must be a non-empty list", fld="baskets", found=raw)
    baskets: list[Basket] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(raw, start=1):
        baskets.append(_basket(item, n, seen, where))
    _check_overlaps(baskets, where)
    return BasketSet(
        name=name,
        baskets=tuple(baskets),
        path=str(path) if path is not None else None,
        name_ru=_optional_text(data.get("name_ru"), "name_ru", where),
        description=_optional_text(data.get("description"), "description", where),
    )


def _basket(item: Any, n: int, seen: dict[str, int], where: _Where) -> Basket:
    label = f"baskets[{n}]"
    if not isinstance(item, Mapping):
        raise where.error(
            "each basket is a mapping with id, name_en, name_ru and hs", fld=label, found=item
        )
    raw_id = item.get("id")
    if raw_id is None or not isinstance(raw_id, str) or not _ID.match(raw_id):
        raise where.error(
            "missing or bad basket id",
            fld=f"{label}.id",
            found=raw_id,
            expected="letters, digits, '_', '-' or '.', such as 'tractors'",
        )
    bid = str(raw_id)
    if bid.lower() == OTHER:
        raise where.error(
            "the basket id 'other' is reserved for products in no basket", fld=f"{label}.id"
        )
    if bid in seen:
        raise where.error(
            f"duplicate basket id (also basket {seen[bid]})", fld=f"{label}.id", found=bid
        )
    seen[bid] = n
    unknown = sorted(set(map(str, item)) - _BASKET_KEYS)
    if unknown:
        raise where.error(
            "unknown key",
            fld=f"{bid}.{unknown[0]}",
            expected="id, name_en, name_ru, hs, description",
        )
    name_en = _text(item.get("name_en"), f"{bid}.name_en", where)
    name_ru = _text(item.get("name_ru"), f"{bid}.name_ru", where)
    hs = item.get("hs")
    if isinstance(hs, str):
        hs = [hs]
    if not isinstance(hs, list) or not hs:
        raise where.error(
            "'hs' must be a non-empty list of quoted HS codes", fld=f"{bid}.hs", found=hs
        )
    ranges = tuple(_parse_code(code, f"{bid}.hs", where) for code in hs)
    return Basket(
        id=bid,
        name_en=name_en,
        name_ru=name_ru,
        hs=tuple(r.text for r in ranges),
        ranges=ranges,
        description=_optional_text(item.get("description"), f"{bid}.description", where),
    )


def _parse_code(code: Any, fld: str, where: _Where) -> CodeRange:
    if not isinstance(code, str):
        raise where.error(
            "HS codes must be quoted strings (YAML reads 0401 as the number 257)",
            fld=fld,
            found=code,
            expected=_CODE_EXPECTED,
        )
    low, sep, high = (part.strip() for part in code.strip().partition("-"))
    if not sep:
        high = low
    text = f"{low}-{high}" if sep else low
    for end in (low, high):
        if not _CODE.match(end) or end.startswith("00"):
            raise where.error("bad HS code", fld=fld, found=code, expected=_CODE_EXPECTED)
    if len(low) != len(high):
        raise where.error(
            "range ends have different lengths",
            fld=fld,
            found=code,
            expected="both ends at one level, such as '0401-0406' or '870110-870190'",
        )
    if low > high:
        raise where.error("range runs backwards", fld=fld, found=code, expected=f"'{high}-{low}'")
    return CodeRange(text=text, low=low, high=high)


def _check_overlaps(baskets: list[Basket], where: _Where) -> None:
    items = [(b.id, r) for b in baskets for r in b.ranges]
    for i, (id1, r1) in enumerate(items):
        for id2, r2 in items[i + 1 :]:
            if id1 != id2 and r1.overlaps(r2):
                raise where.error(
                    f"baskets overlap: '{r1.text}' in '{id1}' and '{r2.text}' in '{id2}' "
                    "share products",
                    fld=f"{id2}.hs",
                    expected="each product in at most one basket",
                )


def _text(value: Any, fld: str, where: _Where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(
            "missing or empty name", fld=fld, found=value, expected="a non-empty string"
        )
    return value.strip()


def _optional_text(value: Any, fld: str, where: _Where) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise where.error("expected text", fld=fld, found=value)
    return value.strip()
