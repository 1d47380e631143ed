"""The bilateral brief: one relationship's tables, rendered in any format and language.

A :class:`Brief` renders a :class:`~silkroad.analytics.briefing.BriefData` (gathered once by the
analytics) as HTML, PDF, Excel or Markdown, in English or Russian; rendering never goes back to
the store. ``sr.brief(store, …)`` gathers and wraps in one call.

>>> import silkroad as sr
>>> b = sr.brief(sr.open(), "BLR", "KAZ", year=2014, base=2007, lang="ru")  # doctest: +SKIP
>>> b.save("blr-kaz-2014.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkroad.analytics.briefing import DIRECTIONS, MOVERS_TOP, BriefData, value
from silkroad.errors import InputError
from silkroad.report.numbers import Numbers, check_lang, choose_unit

if TYPE_CHECKING:
    import pandas as pd

    from silkroad.report.tables import Table
    from silkroad.results import Result

FORMATS = ("html", "pdf", "xlsx", "md")
SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx", ".md": "md"}


class Brief:
    """A brief in one language; :meth:`render` and :meth:`save` produce the documents.

    ``in_language('ru')`` gives the same brief in another language without new queries.
    """

    def __init__(self, data: BriefData, lang: str = "en") -> None:
        self.data = data
        self.lang = check_lang(lang)

    def __repr__(self) -> str:
        d = self.data
        return f"Brief({d.party_a.code!r}, {d.party_b.code!r}, year={d.year}, lang={self.lang!r})"

    def in_language(self, lang: str) -> Brief:
        return self if lang == self.lang else Brief(self.data, lang)

    @property
    def unit(self) -> str:
        """'million' or 'thousand' (USD), chosen by the largest turnover shown."""
        return choose_unit(self.data.max_turnover_usd)

    @cached_property
    def numbers(self) -> Numbers:
        return Numbers(self.lang, self.unit)

    @cached_property
    def structure(self) -> dict[str, pd.DataFrame]:
        """The structure tables with product names in both languages (never "heading 8701")."""
        from silkroad.report.names import edition, group_name

        cls = edition(self.data.metadata)
        out = {}
        for direction, df in self.data.structure.items():
            named = df.copy()
            named.attrs = df.attrs
            for lang in ("en", "ru"):
                col = f"label_{lang}"
                named[col] = [
                    group_name(c, self.data.level, lang, str(old or ""), cls)
                    for c, old in zip(df.code, df[col], strict=True)
                ]
            out[direction] = named
        return out

    @cached_property
    def movers(self) -> dict[str, Result] | None:
        """The movers with each HS6 product named (not by its chapter)."""
        from silkroad.report.names import edition, hs6_name

        if self.data.movers is None:
            return None
        cls = edition(self.data.metadata)
        out = {}
        for direction, result in self.data.movers.items():
            tables = {}
            for key, df in result.tables.items():
                if "product" in df.columns and "label_en" in df.columns:
                    df = df.copy()
                    for lang in ("en", "ru"):
                        df[f"label_{lang}"] = [hs6_name(c, lang, cls) for c in df["product"]]
                tables[key] = df
            out[direction] = dataclasses.replace(result, tables=tables)
        return out

    @cached_property
    def tables(self) -> dict[str, Table]:
        """The tables of the brief by key (see :mod:`silkroad.report.tables`)."""
        from silkroad.report.tables import build_tables

        return build_tables(self)

    @cached_property
    def narrative(self) -> list[str]:
        """The summary paragraph, one sentence per item."""
        from silkroad.report.narrative import narrative

        return narrative(self)

    @cached_property
    def key_points(self) -> list[str]:
        """The sentences of page 1: turnover, exports and imports, balance, main goods (4–6)."""
        from silkroad.report.narrative import key_points

        return key_points(self)

    @cached_property
    def details(self) -> list[str]:
        """The sentences after page 1: drivers, new and lost products, prices, ranks."""
        from silkroad.report.narrative import details

        return details(self)

    @cached_property
    def charts(self) -> dict[str, dict[str, Any]]:
        """Vega-Lite specs by name: 'balance', 'dynamics', 'treemap', 'history', 'market'."""
        from silkroad.report.charts import build_charts

        return build_charts(self)

    def render(self, fmt: str) -> str | bytes:
        """The brief as 'html' or 'md' (str), 'pdf' or 'xlsx' (bytes)."""
        fmt = check_format(fmt)
        if fmt == "html":
            from silkroad.report.html import render_html

            return render_html(self)
        if fmt == "md":
            from silkroad.report.markdown import render_markdown

            return render_markdown(self)
        if fmt == "pdf":
            from silkroad.report.pdf import render_pdf

            return render_pdf(self)
        from silkroad.report.xlsx import render_xlsx

        return render_xlsx(self)

    def save(self, path: str | Path) -> Path:
        """Write the brief to ``path``; the suffix (.html .pdf .xlsx .md) chooses the format."""
        target = Path(path)
        fmt = SUFFIXES.get(target.suffix.lower())
        if fmt is None:
            raise InputError(
                "cannot tell the format from the file name",
                path=target,
                found=target.suffix or "(no suffix)",
                expected="a name ending in .html, .pdf, .xlsx or .md",
            )
        content = self.render(fmt)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        if isinstance(content, str):
            part.write_text(content, encoding="utf-8")
        else:
            part.write_bytes(content)
        part.replace(target)
        return target

    def file_stem(self) -> str:
        d = self.data
        return f"brief-{d.party_a.code}-{d.party_b.code}-{d.year}-{self.lang}".lower()


def check_format(fmt: str) -> str:
    key = fmt.strip().lower().lstrip(".")
    if key not in FORMATS:
        raise InputError(
            "unknown format", field="--format", found=fmt, expected="one of " + ", ".join(FORMATS)
        )
    return key


def write_briefs(
    data: BriefData,
    *,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    langs: Sequence[str] = ("en",),
) -> list[Path]:
    """Write the brief in every format and language into ``out_dir``; return the paths.

    File names read ``brief-blr-kaz-2014-en.pdf``.
    """
    fmts = [check_format(f) for f in formats]
    if not fmts:
        raise InputError("no format given", field="--format", expected=", ".join(FORMATS))
    for lang in langs:
        check_lang(lang)
    if not langs:
        raise InputError("no language given", field="--lang", expected="en, ru")
    first = Brief(data, langs[0])
    out = Path(out_dir)
    paths = []
    for lang in langs:
        doc = first.in_language(lang)
        for fmt in fmts:
            paths.append(doc.save(out / f"{doc.file_stem()}.{fmt}"))
    return paths


__all__ = [
    "DIRECTIONS",
    "FORMATS",
    "MOVERS_TOP",
    "Brief",
    "BriefData",
    "check_format",
    "value",
    "write_briefs",
]
