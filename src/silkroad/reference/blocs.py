"""Blocs (EAEU, EU, CIS, ...) and their membership periods.

The data live in ``reference/data``:

* ``blocs.csv``: one row per membership period, columns ``bloc,iso3,start,end,legal_start,note``.
  ``start`` is the date analysts and official statistics use; ``legal_start`` is filled only where
  the legal date differs (Kyrgyzstan joined the EAEU legally on 2015-08-06, and is commonly dated
  2015-08-12). ``end`` is the last day of membership, empty while it lasts.
* ``bloc_names.csv``: ``bloc,name_en,name_ru,note``.

Blocs:

* ``EAEU``: Eurasian Economic Union (BLR, KAZ, RUS 2015-01-01; ARM 2015-01-02; KGZ 2015-08-12).
* ``EU27``: the 27 members of the EU since Brexit, each from its accession to the European
  Communities (founders 1958-01-01); ``EU``: the same plus the United Kingdom (1973-01-01 to
  2020-01-31), i.e. the union as it was at each date.
* ``CIS``: Commonwealth of Independent States. Georgia left on 2009-08-18. Ukraine, a founding
  state that never ratified the Charter, stopped taking part in CIS bodies on 2018-05-19: we end
  its membership there. Turkmenistan (associate member since 2005) is kept as a participant.
* ``CU``: the Customs Union of Belarus, Kazakhstan and Russia (2010-01-01 to 2014-12-31).
* ``EURASEC``: the Eurasian Economic Community (2001-05-30 to 2014-12-31).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import pandas as pd

from silkroad.errors import InputError, ReferenceDataError
from silkroad.reference.countries import LANGUAGES, is_economy

__all__ = ["BlocInfo", "bloc_ids", "bloc_name", "is_bloc", "list_blocs", "members", "membership"]

COLUMNS = ["bloc", "iso3", "start", "end", "legal_start", "note"]
NAME_COLUMNS = ["bloc", "name_en", "name_ru", "note"]


def _read_csv(name: str) -> pd.DataFrame:
    with resources.files("silkroad.reference").joinpath("data", name).open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


def _date(text: str, *, where: str) -> dt.date | None:
    if text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReferenceDataError(
            "bad date", path="blocs.csv", field=where, found=text, expected="YYYY-MM-DD"
        ) from None


@lru_cache(maxsize=1)
def _names() -> pd.DataFrame:
    df = _read_csv("bloc_names.csv")
    if list(df.columns) != NAME_COLUMNS:
        raise ReferenceDataError(
            "bad header", path="bloc_names.csv", found=",".join(df.columns), expected="bloc,..."
        )
    return df.set_index("bloc")


@lru_cache(maxsize=1)
def _membership() -> pd.DataFrame:
    df = _read_csv("blocs.csv")
    if list(df.columns) != COLUMNS:
        raise ReferenceDataError(
            "bad header", path="blocs.csv", found=",".join(df.columns), expected=",".join(COLUMNS)
        )
    for col in ("start", "end", "legal_start"):
        df[col] = [_date(v, where=col) for v in df[col]]
    if df["start"].isna().any():
        raise ReferenceDataError("membership without a start date", path="blocs.csv")
    df["legal_start"] = [ls or s for ls, s in zip(df["legal_start"], df["start"], strict=True)]
    unknown = sorted(set(df["iso3"]) - {c for c in df["iso3"] if is_economy(c)})
    if unknown:
        raise ReferenceDataError("unknown economies in blocs.csv", found=", ".join(unknown))
    undescribed = sorted(set(df["bloc"]) - set(_names().index))
    if undescribed:
        raise ReferenceDataError("blocs without a name", path="blocs.csv", found=undescribed)
    bad = [
        f"{b} {c}"
        for b, c, s, e in zip(df["bloc"], df["iso3"], df["start"], df["end"], strict=True)
        if e is not None and e < s
    ]
    if bad:
        raise ReferenceDataError("membership ends before it starts", found=", ".join(bad))
    return df.sort_values(["bloc", "start", "iso3"], ignore_index=True)


def membership() -> pd.DataFrame:
    """All membership periods, one row each.

    Columns: ``bloc`` (str), ``iso3`` (str), ``start`` (datetime.date, first day of membership
    by the convention used in statistics), ``end`` (datetime.date, last day, or None while it
    lasts), ``legal_start`` (datetime.date, the legal date; equals ``start`` unless they differ)
    and ``note`` (str). Returns a copy.

    >>> m = membership()
    >>> m.loc[(m.bloc == "EAEU") & (m.iso3 == "KGZ"), "legal_start"].item()
    datetime.date(2015, 8, 6)
    """
    return _membership().copy()


def bloc_ids() -> list[str]:
    """The ids of the known blocs, sorted.

    >>> bloc_ids()
    ['CIS', 'CU', 'EAEU', 'EU', 'EU27', 'EURASEC']
    """
    return sorted(_names().index)


def is_bloc(code: str) -> bool:
    """Whether ``code`` is a bloc id (case and surrounding spaces ignored).

    >>> is_bloc("EAEU"), is_bloc("eaeu"), is_bloc("BLR")
    (True, True, False)
    """
    return isinstance(code, str) and code.strip().upper() in _names().index


def _bloc(bloc: str) -> str:
    key = bloc.strip().upper() if isinstance(bloc, str) else bloc
    if not is_bloc(key):
        raise ReferenceDataError(
            f"unknown bloc {bloc!r}", expected="one of " + ", ".join(bloc_ids())
        )
    return key


def bloc_name(bloc: str, lang: str = "en") -> str:
    """The name of a bloc in English (``en``) or Russian (``ru``).

    >>> bloc_name("EAEU"), bloc_name("EAEU", "ru")
    ('Eurasian Economic Union', 'Евразийский экономический союз')
    """
    if lang not in LANGUAGES:
        raise InputError("unknown language", found=lang, expected="one of en, ru")
    return str(_names().at[_bloc(bloc), f"name_{lang}"])


def members(
    bloc: str,
    year: int | None = None,
    on: dt.date | None = None,
    *,
    legal: bool = False,
) -> list[str]:
    """The ISO3 codes of a bloc's members, sorted.

    * ``year=Y``: members at any time in year Y, i.e. membership starts on or before
      31 December Y and does not end before 1 January Y. A country that joins during a year is a
      member for that whole year (the EAEU had five members in 2015, counting Kyrgyzstan from
      August); one that leaves during a year still counts for that year (the UK is in ``EU``
      for 2020).
    * ``on=date``: members on that day (start <= date <= end).
    * neither: current members, i.e. those whose membership has no end date in the table.

    ``legal=True`` uses the legal start date instead of the commonly quoted one (matters only on
    a date between the two, e.g. Kyrgyzstan in the EAEU on 2015-08-10).
    Raises ReferenceDataError for an unknown bloc and InputError if both year and on are given.

    >>> members("EAEU", 2014), members("EAEU", 2015)
    ([], ['ARM', 'BLR', 'KAZ', 'KGZ', 'RUS'])
    >>> members("EAEU", on=dt.date(2015, 1, 1))
    ['BLR', 'KAZ', 'RUS']
    """
    key = _bloc(bloc)
    if year is not None and on is not None:
        raise InputError("give either year or on, not both", found=(year, on))
    df = _membership()
    df = df[df["bloc"] == key]
    starts = df["legal_start"] if legal else df["start"]
    ends = df["end"]
    if year is not None:
        first, last = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
        keep = [s <= last and (e is None or e >= first) for s, e in zip(starts, ends, strict=True)]
    elif on is not None:
        day = on.date() if isinstance(on, dt.datetime) else on
        keep = [s <= day and (e is None or e >= day) for s, e in zip(starts, ends, strict=True)]
    else:
        keep = [e is None for e in ends]
    return sorted(set(df.loc[keep, "iso3"]))


class BlocInfo(NamedTuple):
    """One bloc as :func:`list_blocs` lists it: id, names, members (ISO3, sorted) and note."""

    bloc: str
    name_en: str
    name_ru: str
    members: tuple[str, ...]
    note: str


def list_blocs(text: str | None = None, *, year: int | None = None) -> list[BlocInfo]:
    """The known blocs, sorted by id, with their members now (or in ``year``).

    ``text`` keeps the blocs whose id, English or Russian name holds every word typed at the
    start of one of its words, endings loosely ignored (``'евразийский'``: EAEU and EURASEC).

    >>> [b.bloc for b in list_blocs("Eurasian")]
    ['EAEU', 'EURASEC']
    """
    query = re.findall(r"\w+", text.casefold().replace("ё", "е")) if text else []
    out = []
    names = _names()
    for bloc in bloc_ids():
        row = names.loc[bloc]
        words = re.findall(
            r"\w+", f"{bloc} {row['name_en']} {row['name_ru']}".casefold().replace("ё", "е")
        )
        if not all(any(w.startswith(q[: max(4, len(q) - 2)]) for w in words) for q in query):
            continue
        out.append(
            BlocInfo(
                bloc,
                str(row["name_en"]),
                str(row["name_ru"]),
                tuple(members(bloc, year)),
                str(row["note"]),
            )
        )
    return out
