"""Economies: ISO 3166 codes, English and Russian names, capitals, and trade-data numeric codes.

The data live in ``reference/data``:

* ``countries.csv``: one row per current ISO 3166-1 entry (249 rows), columns
  ``iso3,iso_numeric,iso2,name_en,name_ru,capital_lat,capital_lon``. Capital coordinates are
  decimal degrees (WGS 84), rounded to 0.1 degree; they are meant for distances in gravity models.
  Where there is no capital, the seat of government or the main settlement is used; Antarctica
  has none (empty).
* ``other_economies.csv``: economies that trade data use but ISO 3166-1 does not list today,
  columns ``iso3,iso2,name_en,name_ru,capital_lat,capital_lon,kind,note``. ``kind`` is
  ``historical`` (USSR ``SUN``, Czechoslovakia ``CSK``, GDR ``DDR``, Netherlands Antilles ``ANT``,
  Serbia and Montenegro ``SCG``, Yugoslavia ``YUG``, Belgium-Luxembourg ``BLX``, Southern African
  Customs Union ``ZA1``, Neutral Zone ``NTZ``, US Misc. Pacific Islands ``PUS``) or ``other``
  (``S19`` Other Asia nes, ``R20`` Europe EFTA nes, ``XKX`` Kosovo). Their ``iso_numeric`` is
  always null: their numeric codes (current Comtrade/BACI or former ISO 3166-3) are in
  ``baci_codes.csv``.
* ``baci_codes.csv``: BACI/Comtrade numeric codes that differ from ISO 3166-1 numeric
  (``251`` France incl. Monaco, ``842`` USA incl. Puerto Rico, ``490`` Other Asia nes, ...),
  columns ``code,iso3,name_en,note``.
* ``country_aliases.csv``: other names accepted by :func:`resolve_country`
  (``Белоруссия``, ``Кыргызстан``, ``Российская Федерация``, ...), columns ``alias,iso3``:
  among them the official long names that Russian-language statistics tables print
  (``Королевство Нидерландов``, ``Федеративная Республика Германия``, ``Исламская Республика
  Иран``). A historical entity's names lead to its own code, never to a successor's
  (``Союз Советских Социалистических Республик`` is ``SUN``, ``СФРЮ`` is ``YUG``, ``Союзная
  Республика Югославия`` is ``SCG``: Comtrade 891 covers it from 1992 to 2006).

Names are compared case-folded, with runs of spaces collapsed and ``ё`` read as ``е``
(``Соединённые Штаты`` = ``Соединенные Штаты``). A name not found as it is is tried once more
without a leading form of state (``Республика Латвия`` → ``Латвия``, ``Государство Катар`` →
``Катар``); longer forms whose short name would be another country's (``Республика Китай``,
``Демократическая Республика Конго``) are in the data, which is looked up first.

Aggregates (World, EU, "Areas, nes", bunkers, ...) are never economies: see :data:`AGGREGATES`.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import re
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import pandas as pd

from silkroad.errors import InputError, ReferenceDataError

__all__ = [
    "AGGREGATES",
    "AGGREGATE_NUMERIC_CODES",
    "LANGUAGES",
    "EconomyMatch",
    "countries",
    "country_name",
    "is_aggregate",
    "is_economy",
    "iso3_from_numeric",
    "numeric_code_table",
    "resolve_country",
    "search_economies",
]

LANGUAGES = ("en", "ru")
"""Languages of names: English and Russian."""

COLUMNS = ["iso3", "iso_numeric", "iso2", "name_en", "name_ru", "capital_lat", "capital_lon"]
OTHER_COLUMNS = ["iso3", "iso2", "name_en", "name_ru", "capital_lat", "capital_lon", "kind", "note"]
KINDS = ("country", "historical", "other")

AGGREGATE_NUMERIC_CODES: frozenset[int] = frozenset(
    {
        0,  # World (Comtrade; alpha W00)
        97,  # European Union (Comtrade reporter/partner)
        918,  # European Union 27 (Comtrade reference list)
        492,  # "Europe EU, nes" in Comtrade partner lists (ISO 492 is Monaco, inside 251 there)
        837,  # Bunkers
        838,  # Free zones
        839,  # Special categories
        899,  # Areas, nes
        # regional "not elsewhere specified" partner codes (FORMATS.md 2.4)
        129,  # Caribbean, nes
        221,  # Eastern Europe, nes
        290,  # Northern Africa, nes
        471,  # CACM, nes
        472,  # Africa CAMES, nes
        473,  # LAIA, nes
        527,  # Oceania, nes
        568,  # Other Europe, nes
        577,  # Other Africa, nes
        636,  # Rest of America, nes
        637,  # North America and Central America, nes
        879,  # Western Asia, nes
    }
)
"""Comtrade/BACI numeric codes of aggregates: World, EU, areas and regions "nes", bunkers."""

AGGREGATE_ALPHA_CODES: frozenset[str] = frozenset(
    {
        "WLD",  # World (World Bank, WITS)
        "W00",  # World (Comtrade alpha code)
        "_X",  # Areas, nes (Comtrade)
        "X1",  # Bunkers (Comtrade)
        "X2",  # Free zones (Comtrade)
        "XX",  # Special categories (Comtrade)
        "EUN",  # European Union (WITS)
    }
)

AGGREGATES: frozenset[str | int] = frozenset(AGGREGATE_NUMERIC_CODES | AGGREGATE_ALPHA_CODES)
"""Codes of aggregates that are never a trade partner: alpha codes (``"WLD"``, ``"W00"``,
``"_X"``, ...) as strings and Comtrade/BACI numeric codes (``0``, ``97``, ``899``, ...) as ints."""

_UNKNOWN = "expected an ISO 3166 alpha-3 code such as BLR or a country name"


def _read_csv(name: str) -> pd.DataFrame:
    """Read one of our CSV files as strings; ``NA`` (Namibia) stays a string."""
    with resources.files("silkroad.reference").joinpath("data", name).open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


def _check_columns(df: pd.DataFrame, expected: list[str], name: str) -> None:
    if list(df.columns) != expected:
        raise ReferenceDataError(
            "bad header in reference data",
            path=name,
            found=",".join(df.columns),
            expected=",".join(expected),
        )


@lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    iso = _read_csv("countries.csv")
    _check_columns(iso, COLUMNS, "countries.csv")
    iso["kind"] = "country"
    other = _read_csv("other_economies.csv")
    _check_columns(other, OTHER_COLUMNS, "other_economies.csv")
    other["iso_numeric"] = ""
    df = pd.concat([iso, other[[*COLUMNS, "kind"]]], ignore_index=True)
    df["iso_numeric"] = pd.to_numeric(df["iso_numeric"].replace("", None)).astype("Int64")
    for col in ("capital_lat", "capital_lon"):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("float64")
    if df["iso3"].duplicated().any():
        dup = sorted(df.loc[df["iso3"].duplicated(), "iso3"])
        raise ReferenceDataError("duplicate iso3 in reference data", found=", ".join(dup))
    bad_kind = set(df["kind"]) - set(KINDS)
    if bad_kind:
        raise ReferenceDataError(
            "bad kind in other_economies.csv", found=", ".join(sorted(bad_kind))
        )
    return df.sort_values("iso3", ignore_index=True)


def countries() -> pd.DataFrame:
    """All known economies, one row each, sorted by ``iso3``.

    Columns: ``iso3`` (str), ``iso_numeric`` (nullable Int64: ISO 3166-1 numeric, null for
    non-ISO entities), ``iso2`` (str, ``""`` when there is none), ``name_en``, ``name_ru``,
    ``capital_lat``, ``capital_lon`` (float64, decimal degrees, NaN when there is no single
    location) and ``kind`` (``country`` for ISO 3166-1 entries, ``historical`` or ``other``).

    Returns a fresh copy each time, so callers may modify it.

    >>> df = countries()
    >>> int(df.loc[df.iso3 == "BLR", "iso_numeric"].item())
    112
    """
    return _countries().copy()


@lru_cache(maxsize=1)
def _by_iso3() -> dict[str, dict[str, Any]]:
    return {row["iso3"]: row for row in _countries().to_dict("records")}


@lru_cache(maxsize=1)
def baci_codes() -> pd.DataFrame:
    """The explicit BACI/Comtrade numeric code table: columns ``code`` (int), ``iso3``,
    ``name_en``, ``note``. Every ``iso3`` is an economy of :func:`countries`."""
    df = _read_csv("baci_codes.csv")
    _check_columns(df, ["code", "iso3", "name_en", "note"], "baci_codes.csv")
    df["code"] = df["code"].astype(int)
    unknown = sorted(set(df["iso3"]) - set(_by_iso3()))
    if unknown:
        raise ReferenceDataError("baci_codes.csv names unknown economies", found=", ".join(unknown))
    return df


@lru_cache(maxsize=1)
def _numeric_table() -> dict[int, str]:
    df = _countries()
    iso = df.dropna(subset=["iso_numeric"])
    table = {int(n): c for n, c in zip(iso["iso_numeric"], iso["iso3"], strict=True)}
    explicit = baci_codes()
    table.update(dict(zip(explicit["code"], explicit["iso3"], strict=True)))
    for code in AGGREGATE_NUMERIC_CODES:
        table.pop(code, None)
    return dict(sorted(table.items()))


def numeric_code_table() -> dict[int, str]:
    """Numeric trade-data code → ISO3: ISO 3166-1 numeric codes, overridden by ``baci_codes.csv``.

    Aggregate codes (:data:`AGGREGATE_NUMERIC_CODES`) are left out; this drops ISO 492 (Monaco),
    which Comtrade uses for "Europe EU, nes" (its Monaco trade is inside 251, France).
    Several codes may map to one economy (250, 251 → FRA). Returns a fresh dict.

    >>> numeric_code_table()[842]
    'USA'
    """
    return dict(_numeric_table())


def iso3_from_numeric(code: int) -> str | None:
    """The ISO3 (or documented non-ISO code) of a BACI/Comtrade numeric country code.

    The explicit table of BACI/Comtrade codes is checked first, then ISO 3166-1 numeric.
    Returns ``None`` for unknown codes and for aggregates (0 World, 97 EU, 899 Areas nes, ...).

    >>> iso3_from_numeric(251), iso3_from_numeric(112), iso3_from_numeric(490)
    ('FRA', 'BLR', 'S19')
    """
    return _numeric_table().get(int(code))


def economy_codes() -> frozenset[str]:
    """Every ISO3 code (or documented code) of an economy silkroad knows, historical included."""
    return frozenset(_by_iso3())


def is_economy(iso3: str) -> bool:
    """Whether ``iso3`` (exact upper-case code) is an economy we know, historical ones included.

    >>> is_economy("BLR"), is_economy("SUN"), is_economy("WLD")
    (True, True, False)
    """
    return isinstance(iso3, str) and iso3 in _by_iso3()


def is_aggregate(code: str | int) -> bool:
    """Whether a code (alpha such as ``"WLD"`` or numeric such as ``0`` or ``"899"``) is an
    aggregate that is never a trade partner.

    >>> is_aggregate("WLD"), is_aggregate(0), is_aggregate("899"), is_aggregate("BLR")
    (True, True, True, False)
    """
    if isinstance(code, bool):
        return False
    if isinstance(code, int):
        return code in AGGREGATE_NUMERIC_CODES
    text = str(code).strip()
    if text.isascii() and text.isdigit():
        return int(text) in AGGREGATE_NUMERIC_CODES
    return text.upper() in AGGREGATE_ALPHA_CODES


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError("unknown language", found=lang, expected="one of en, ru")


def country_name(iso3: str, lang: str = "en") -> str:
    """The short name of an economy in English (``en``) or Russian (``ru``).

    Raises ReferenceDataError for an unknown code and InputError for an unknown language.

    >>> country_name("BLR"), country_name("KGZ", "ru")
    ('Belarus', 'Киргизия')
    """
    _check_lang(lang)
    row = _by_iso3().get(iso3.strip().upper() if isinstance(iso3, str) else iso3)
    if row is None:
        raise ReferenceDataError(f"unknown country {iso3!r}; {_UNKNOWN}")
    return str(row[f"name_{lang}"])


def _key(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().replace("ё", "е").split())


#: A leading form of state that official names add to the short name ("Республика Латвия").
_FORM_OF_STATE = re.compile(
    r"^(республика|королевство|княжество|государство|султанат|великое герцогство)\s+", re.I
)


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    """Case-folded names (English, Russian, aliases) → ISO3."""
    index: dict[str, str] = {}
    aliases = _read_csv("country_aliases.csv")
    _check_columns(aliases, ["alias", "iso3"], "country_aliases.csv")
    for alias, iso3 in zip(aliases["alias"], aliases["iso3"], strict=True):
        if iso3 not in _by_iso3():
            raise ReferenceDataError("country_aliases.csv names an unknown economy", found=iso3)
        index[_key(alias)] = iso3
    for row in _countries().itertuples():
        index[_key(row.name_ru)] = row.iso3
        index[_key(row.name_en)] = row.iso3
    return index


@lru_cache(maxsize=1)
def _iso2_index() -> dict[str, str]:
    df = _countries()
    df = df[df["iso2"] != ""]
    return dict(zip(df["iso2"], df["iso3"], strict=True))


@lru_cache(maxsize=1)
def _coco() -> Any:
    import country_converter

    return country_converter.CountryConverter()


def _coco_iso3(text: str) -> str | None:
    """Free-text name → ISO3 through country_converter, or None (its 'not found' or many)."""
    logger = logging.getLogger("country_converter.country_converter")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        found = _coco().convert(text, to="ISO3", not_found=None)
    finally:
        logger.setLevel(level)
    if not isinstance(found, str) or found == "not found" or found == text:
        return None
    return found if is_economy(found) else None


def resolve_country(text: str) -> str:
    """Turn what a person typed into an ISO3 code.

    Accepts an ISO 3166 alpha-3 code (any case, surrounding spaces ignored), an alpha-2 code,
    a numeric code (BACI/Comtrade or ISO, e.g. ``"112"``, ``"842"``), or a name in English or
    Russian: first an exact match on our names and aliases, then country_converter for free text
    (``"Republic of Belarus"``). Raises ReferenceDataError with up to three suggestions otherwise.

    >>> [resolve_country(t) for t in (" blr", "by", "112", "Belarus", "Беларусь")]
    ['BLR', 'BLR', 'BLR', 'BLR', 'BLR']
    """
    raw = text if isinstance(text, str) else str(text)
    value = raw.strip()
    if value:
        upper = value.upper()
        if value.isascii() and value.isdigit():
            found = iso3_from_numeric(int(value))
            if found is not None:
                return found
        elif (len(upper) == 3 and upper in _by_iso3()) or (
            len(upper) == 2 and upper in _iso2_index()
        ):
            code = upper if len(upper) == 3 else _iso2_index()[upper]
            # A code typed like a name ('Bel') that also starts other economies' names
            # (Belgium's BEL, or Belarus, Belize?) is ambiguous; 'BEL', 'bel', 'Blr' are codes.
            name_like = value not in (upper, value.lower())
            others = [c for c in _word_matches(value) if c != code] if name_like else []
            if others:
                raise ReferenceDataError(
                    f"ambiguous country {value!r}",
                    expected="one of " + _listing([code, *others]),
                    hint="type the full name or the code in capitals",
                )
            return code
        else:
            index = _name_index()
            short = _FORM_OF_STATE.sub("", _key(value))
            found = index.get(_key(value)) or index.get(short)
            if found is not None:
                return found
            # Free text: country_converter's answer is taken only when no other economy's
            # name holds the words typed ('Korea', 'Congo', 'Bel' are refused, not guessed).
            guess = _coco_iso3(value)
            candidates = [guess] if guess else []
            candidates += [c for c in _word_matches(value) if c not in candidates]
            if len(candidates) > 1:
                raise ReferenceDataError(
                    f"ambiguous country {value!r}",
                    expected="one of " + _listing(candidates),
                    hint="type the full name or the ISO3 code",
                )
            if guess is not None:
                return guess
    raise ReferenceDataError(f"unknown country {value!r}; {_UNKNOWN}", hint=_suggest(value))


_SHOWN = 6


def _listing(codes: list[str]) -> str:
    shown = ", ".join(f"{c} {_by_iso3()[c]['name_en']}" for c in codes[:_SHOWN])
    return shown + (f" and {len(codes) - _SHOWN} more" if len(codes) > _SHOWN else "")


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", _key(text))


@lru_cache(maxsize=1)
def _name_tokens() -> list[tuple[str, list[str]]]:
    """(iso3, words of one of its names or aliases), current economies first."""
    rows = sorted(_countries().itertuples(), key=lambda r: (r.kind != "country", r.iso3))
    out = [(r.iso3, _tokens(name)) for r in rows for name in (r.name_en, r.name_ru)]
    aliases = _read_csv("country_aliases.csv")
    out += [(iso3, _tokens(a)) for a, iso3 in zip(aliases["alias"], aliases["iso3"], strict=True)]
    return out


def _word_tier(query: list[str], words: list[str]) -> int | None:
    """0 when the name's first word starts with the first word typed, 1 for another word; None
    when some word typed starts no word of the name."""
    if not query or not all(any(w.startswith(q) for w in words) for q in query):
        return None
    return 0 if words and words[0].startswith(query[0]) else 1


def _word_matches(text: str) -> list[str]:
    """Economies having a name (or alias) in which every word typed starts a word, best first."""
    query = _tokens(text)
    best: dict[str, int] = {}
    for iso3, words in _name_tokens():
        tier = _word_tier(query, words)
        if tier is not None and tier < best.get(iso3, 9):
            best[iso3] = tier
    order = {iso3: n for n, (iso3, _) in enumerate(_name_tokens())}
    return sorted(best, key=lambda c: (best[c], order[c]))


class EconomyMatch(NamedTuple):
    """One economy found by :func:`search_economies`; ``kind``: country, historical or other."""

    iso3: str
    name_en: str
    name_ru: str
    kind: str


def search_economies(text: str, *, limit: int | None = 25) -> list[EconomyMatch]:
    """Economies whose code or names match ``text``, best first (for lookups, never guessing).

    First the economy the text names exactly (a code, a name or an alias, as
    :func:`resolve_country` accepts them), then economies with a name in which every word typed
    starts a word (``'Korea'``: South Korea, North Korea; ``'бел'``: Беларусь, Бельгия, ...):
    names starting with it before the others, current economies before historical ones.

    >>> [m.iso3 for m in search_economies("Korea")]
    ['KOR', 'PRK']
    """
    value = str(text).strip()
    codes: list[str] = []
    if value:
        with contextlib.suppress(ReferenceDataError):
            codes.append(resolve_country(value))
    codes += [c for c in _word_matches(value) if c not in codes]
    rows = _by_iso3()
    found = [
        EconomyMatch(c, str(rows[c]["name_en"]), str(rows[c]["name_ru"]), str(rows[c]["kind"]))
        for c in codes
    ]
    return found if limit is None else found[:limit]


def _suggest(value: str) -> str | None:
    if not value:
        return None
    if is_aggregate(value):
        return "this is an aggregate (world, region or 'nes'), not an economy"
    by_iso3 = _by_iso3()
    words = _word_matches(value)
    if words:
        return f"did you mean {_listing(words[:3])}?"
    choices: dict[str, str] = {code.casefold(): code for code in by_iso3}
    for name, iso3 in _name_index().items():
        choices.setdefault(name, iso3)
    close = difflib.get_close_matches(_key(value), list(choices), n=10, cutoff=0.6)
    codes: list[str] = []
    for match in close:
        code = choices[match]
        if code not in codes:
            codes.append(code)
    if not codes:
        return None
    shown = ", ".join(f"{c} {by_iso3[c]['name_en']}" for c in codes[:3])
    return f"did you mean {shown}?"
