"""The arguments every face shares (CLI, web API, Python), normalised and checked in one place.

Each function takes what a user typed (a string, a number, None) and returns the canonical value
or raises an :class:`~silkroad.errors.InputError` with a one-line message naming the field, what
was found and what was expected. The CLI and the web API call these; Python callers may too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from silkroad.errors import InputError

#: HS levels an analysis groups products by (``section``: the 21 HS sections).
LEVELS = ("hs2", "hs4", "hs6")
GROUPINGS = (*LEVELS, "section")
DIRECTIONS = ("exports", "imports")
PERSPECTIVES = ("auto", "reconciled", "exporter", "mirror")
LANGS = ("en", "ru")
#: Default number of rows in a "largest N" table, the same for every command.
DEFAULT_TOP = 10
#: Plausible years of trade statistics (BACI starts in 1995, Comtrade in 1962).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def years(text: str | Iterable[int] | None, *, field: str = "--years") -> list[int] | None:
    """'2010-2015' → [2010 … 2015]; '2010,2012' → [2010, 2012]; '2014' → [2014]; None → None.

    Ranges and lists combine ('1986,1990-1992'); the result is sorted without repeats.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        return sorted({year(y, field=field) for y in text}) or None
    if not text.strip():
        return None
    out: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part.lstrip("-"):
                lo_s, hi_s = part.split("-", 1)
                lo, hi = int(lo_s), int(hi_s)
                if lo > hi:
                    raise ValueError
                out.extend(range(lo, hi + 1))
            else:
                out.append(int(part))
    except ValueError as exc:
        raise InputError(
            "bad year range", field=field, found=text, expected="e.g. 2010-2015 or 2012,2014"
        ) from exc
    for y in out:
        year(y, field=field)
    return sorted(set(out))


def year(value: int | str, *, field: str = "--year") -> int:
    """One year, as an int within a plausible range."""
    try:
        y = int(value)
    except (TypeError, ValueError) as exc:
        raise InputError("bad year", field=field, found=value, expected="e.g. 2014") from exc
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise InputError(
            "implausible year", field=field, found=y, expected=f"{FIRST_YEAR}–{LAST_YEAR}"
        )
    return y


_NOUNS = {"lang": "language", "format": "format"}


def choice(value: str, allowed: Sequence[str], *, field: str) -> str:
    """``value`` (case-insensitive) if it is one of ``allowed``."""
    v = str(value).strip().lower()
    if v not in allowed:
        name = field.lstrip("-")
        raise InputError(
            f"unknown {_NOUNS.get(name, name)}",
            field=field,
            found=value,
            expected="one of: " + ", ".join(allowed),
        )
    return v


def level(value: str, *, field: str = "--level", allowed: Sequence[str] = GROUPINGS) -> str:
    """An HS level (hs2, hs4, hs6) or, where ``allowed``, 'section'."""
    return choice(value, allowed, field=field)


def direction(value: str, *, field: str = "--direction") -> str:
    """'exports' or 'imports' (A's exports to B, A's imports from B)."""
    return choice(value, DIRECTIONS, field=field)


def perspective(value: str, *, field: str = "--perspective") -> str:
    """auto, reconciled (BACI), exporter (each side's own declarations) or mirror."""
    return choice(value, PERSPECTIVES, field=field)


def lang(value: str, *, field: str = "--lang") -> str:
    """A language of the outputs: en or ru."""
    return choice(value, LANGS, field=field)


def langs(value: str | Sequence[str], *, field: str = "--lang") -> list[str]:
    """'en,ru' → ['en', 'ru'] (order kept, repeats dropped)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if not str(item).strip():
            continue
        v = lang(str(item), field=field)
        if v not in out:
            out.append(v)
    if not out:
        raise InputError("no language given", field=field, found=value, expected="en, ru or en,ru")
    return out


def top(value: int | str | None, *, field: str = "--top", default: int | None = None) -> int | None:
    """A positive row count (None keeps ``default``)."""
    if value is None:
        return default
    try:
        n = int(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            "bad row count", field=field, found=value, expected="a whole number ≥ 1"
        ) from exc
    if n < 1:
        raise InputError("bad row count", field=field, found=n, expected="a whole number ≥ 1")
    return n


def exclusive(**flags: object) -> None:
    """Refuse two options that cannot go together (``--json`` with ``--csv``)."""
    given = [name for name, v in flags.items() if v not in (None, False)]
    if len(given) > 1:
        names = [f"--{g.replace('_', '-')}" for g in given]
        raise InputError(
            f"{' and '.join(names)} cannot be used together",
            field=names[0],
            expected="one of them",
        )


def base_year(base: int | str | None, *, before: int, field: str = "--base") -> int | None:
    """A base year to compare year ``before`` with: plausible and earlier (None stays None)."""
    if base is None:
        return None
    b = year(base, field=field)
    if b >= before:
        raise InputError(
            f"the base year must come before the year analysed ({before})",
            field=field,
            found=b,
            expected=f"a year before {before}",
        )
    return b
