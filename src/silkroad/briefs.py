"""Briefs from a store in one call: gather with the analytics, render with the report.

>>> import silkroad as sr
>>> sr.brief(sr.open(), "BLR", "KAZ", year=2014, base=2007, lang="ru").save("b.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkroad.analytics.briefing import gather
from silkroad.report.brief import FORMATS, Brief
from silkroad.report.brief import write_briefs as _write

if TYPE_CHECKING:
    from silkroad.store.store import Store


def brief(store: Store, a: str, b: str, *, year: int, lang: str = "en", **kw: Any) -> Brief:
    """The brief on ``a`` and partner ``b`` for ``year`` in ``lang`` ('en' or 'ru').

    Keywords as :func:`silkroad.analytics.briefing.gather`: ``base``, ``years``, ``level``,
    ``baskets``, ``top``, ``perspective``, ``source``, ``correlation``, ``generated_at``.
    """
    from silkroad import args

    return Brief(gather(store, a, b, year=year, **kw), args.lang(lang, field="lang"))


def write_briefs(
    store: Store,
    a: str,
    b: str,
    *,
    year: int,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    langs: Sequence[str] = ("en",),
    **kw: Any,
) -> list[Path]:
    """Write the brief in every format and language into ``out_dir`` (data gathered once).

    >>> write_briefs(store, "BLR", "KAZ", year=2014, out_dir="out", langs=("en", "ru"))  # doctest: +SKIP
    """
    from silkroad import args

    langs = args.langs(list(langs), field="--lang") if langs else []
    data = gather(store, a, b, year=year, **kw)
    return _write(data, out_dir=out_dir, formats=formats, langs=langs)


__all__ = ["brief", "write_briefs"]
