"""Paging under the Comtrade record cap: split a capped query into disjoint pieces and merge them.

An answer with as many rows as ``maxRecords`` may be truncated (FORMATS.md 2.9), so it is never
kept: the query is split and each piece asked again, depth first, until every piece is under
the cap. One year's query is split along these dimensions, in this order:

1. **flow**: one piece per flow code (X, M, ...);
2. **partner** (only when no partner was given): one piece per partner code found in a listing
   query of the same flow at ``cmdCode=TOTAL`` (one row per partner, World and "nes" areas
   included; a partner with any detail rows has a total row, since higher levels also hold the
   confidential detail);
3. **chapter** (hs4 and hs6 only): a listing query of the same flow and partner one level up
   the HS tree (``AG2`` for hs4, ``AG4`` for hs6) names the chapters (and headings) with trade.
   A chapter piece asks for an explicit comma list of codes (FORMATS.md 2.4): every possible
   heading of the chapter (``8401`` ... ``8499``) for hs4, or every possible subheading of the
   chapter's traded headings (``847100`` ... ``847199``) for hs6, at most
   :data:`HEADINGS_PER_CALL` headings per call so that the URL stays short;
4. **heading** (hs6 only): a chapter piece with several headings, one piece per heading.

Why this terminates and neither loses nor duplicates rows: each split replaces a piece by
pieces with strictly fewer flows, one partner instead of all, or a proper subset of its codes,
so the depth is at most four; the pieces of one split are disjoint (different flows, different
partners, disjoint code lists), and their union is the parent (every flow; every partner with
trade; every syntactically possible code of every chapter or heading with trade). Because the
code lists are candidates rather than a reference list, codes of any HS edition are covered
(this assumes Comtrade answers a list with the rows of the codes that exist; not yet checked on
the live API, where a refused list would stop the download with an error, not lose rows). As
a guard, a merged year is checked for repeated rows (flow, partner, product, partner2, customs,
transport): a repeat is an error, never silently dropped. A piece at the finest split that still
reaches the cap (or a listing query that does) stops the download with one line naming it.

Every piece is cached on its own (``Http`` cache): a capped answer is cached as a small marker,
so a run interrupted by a failure resumes where it stopped, and a second run sends no request.
An empty answer is an error for the whole query (Comtrade's answer to bad parameters), and for a
chapter or heading piece whose listing one level up shows trade (so that an API refusing a list of
codes cannot lose that trade silently); a partner piece may be empty (detail that is confidential
at that level).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from silkroad.download.http import Http, Progress
from silkroad.errors import DownloadError, InputError

log = logging.getLogger(__name__)

#: hs6 headings asked for in one call (100 candidate codes each, so about 3.5 kB of URL).
HEADINGS_PER_CALL = 5
#: The key of a cached marker that stands in for a capped answer.
CAPPED = "silkroad_capped_rows"
#: Fields that identify a row once partner2, customs procedure and transport mode are fixed.
ROW_KEY = (
    "period", "reporterCode", "flowCode", "partnerCode", "partner2Code", "cmdCode",
    "customsCode", "motCode",
)  # fmt: skip


@dataclass(frozen=True)
class Piece:
    """One query: flows, one partner or all (``None``), and a level or explicit code list."""

    flows: tuple[str, ...]
    partner: int | None
    cmd: str  # "TOTAL", "AG2", "AG4", "AG6" or a comma list of codes
    chapter: str | None = None
    headings: tuple[str, ...] = ()
    #: the value (USD) a listing query gave for this piece's partner, chapter or headings
    listed_usd: float = 0.0

    def describe(self) -> str:
        parts = [f"flow {','.join(self.flows)}"]
        parts.append("all partners" if self.partner is None else f"partner {self.partner}")
        if self.chapter is None:
            parts.append(f"cmdCode {self.cmd}")
        elif self.headings:
            parts.append(f"chapter {self.chapter} headings {','.join(self.headings)}")
        else:
            parts.append(f"chapter {self.chapter}")
        return ", ".join(parts)


@dataclass
class YearResult:
    """The merged rows of one year and how they were obtained."""

    data: dict[str, Any]
    queries: int  # pieces and listing queries asked (from the server or the cache)
    pieces: int  # pieces whose rows were kept


class _Pager:
    def __init__(
        self,
        http: Http,
        url: str,
        base: Mapping[str, Any],
        *,
        cap: int,
        what: str,
        progress: Progress | None,
        stage: str,
    ) -> None:
        self.http, self.url, self.base, self.cap, self.what = http, url, dict(base), cap, what
        self.progress, self.stage = progress, stage
        self.queries = 0
        self.pending = 0
        #: AG4 listing values (USD) per (flows, partner), for the heading pieces split from it
        self.heading_usd: dict[tuple[Any, ...], dict[str, float]] = {}

    def _tick(self) -> None:
        if self.progress:
            self.progress(self.stage, self.queries, self.queries + self.pending)

    def ask(self, piece: Piece, *, root: bool = False) -> dict[str, Any]:
        """The answer to one piece; a capped answer comes back as ``{CAPPED: n, "data": []}``."""
        params = {**self.base, "flowCode": ",".join(piece.flows), "cmdCode": piece.cmd}
        if piece.partner is not None:
            params["partnerCode"] = piece.partner

        def check(data: dict[str, Any]) -> None:
            if data.get("error"):
                raise DownloadError(
                    f"Comtrade answered with an error: {data['error']}", found=self.what
                )
            if root and not data.get("data"):
                raise InputError(
                    f"Comtrade returned no data for {self.what}",
                    found=params,
                    expected="published data; check the reporter, partner, years and flows",
                )

        def shrink(data: dict[str, Any]) -> dict[str, Any]:
            rows = data.get("data") or []
            return {CAPPED: len(rows), "data": []} if len(rows) >= self.cap else data

        answer = self.http.get_json(self.url, params, validate=check, cache_as=shrink)
        self.queries += 1
        self._tick()
        return answer

    def refuse(self, piece: Piece, rows: int, why: str) -> DownloadError:
        return DownloadError(
            f"the Comtrade query for {self.what} ({piece.describe()}) has {rows:,} rows, the "
            f"record cap ({self.cap:,}), and {why}",
            expected="a larger cap (--max-records, SILKROAD_COMTRADE_MAX_RECORDS) if your "
            "subscription allows one",
        )

    def listing(self, piece: Piece, cmd: str) -> list[dict[str, Any]]:
        """A listing query (partners, chapters, headings) for ``piece``; must not be capped."""
        probe = replace(piece, cmd=cmd, chapter=None, headings=())
        answer = self.ask(probe)
        if CAPPED in answer:
            raise self.refuse(probe, answer[CAPPED], "cannot be listed to split the query")
        return list(answer.get("data") or [])

    def split(self, piece: Piece) -> list[Piece]:
        if len(piece.flows) > 1:
            return [replace(piece, flows=(f,)) for f in piece.flows]
        if piece.partner is None:
            rows = self.listing(piece, "TOTAL")
            partners = sorted({int(r["partnerCode"]) for r in rows if "partnerCode" in r})
            return [replace(piece, partner=p) for p in partners]
        if piece.cmd == "AG4":
            rows = self.listing(piece, "AG2")
            value = _values(rows, 2)
            return [
                replace(
                    piece,
                    cmd=",".join(f"{c}{i:02d}" for i in range(1, 100)),
                    chapter=c,
                    listed_usd=value[c],
                )
                for c in sorted(value)
            ]
        if piece.cmd == "AG6":
            value = _values(self.listing(piece, "AG4"), 4)
            self.heading_usd[(piece.flows, piece.partner)] = value
            headings = sorted(value)
            pieces = []
            for chapter in sorted({h[:2] for h in headings}):
                mine = [h for h in headings if h[:2] == chapter]
                for i in range(0, len(mine), HEADINGS_PER_CALL):
                    part = mine[i : i + HEADINGS_PER_CALL]
                    pieces.append(_headings(piece, chapter, part, sum(value[h] for h in part)))
            return pieces
        if len(piece.headings) > 1:
            value = self.heading_usd.get((piece.flows, piece.partner), {})
            return [
                _headings(piece, piece.chapter or h[:2], [h], value.get(h, 0.0))
                for h in piece.headings
            ]
        return []

    def run(self, root: Piece) -> YearResult:
        stack = [root]
        rows: list[dict[str, Any]] = []
        kept = 0
        first: dict[str, Any] | None = None
        while stack:
            piece = stack.pop()
            self.pending = len(stack)
            answer = self.ask(piece, root=piece is root)
            if CAPPED not in answer:
                got = answer.get("data") or []
                if not got and piece.chapter is not None and piece.listed_usd > 0:
                    # The listing says this chapter traded: an empty answer to its list of
                    # codes would lose it silently (an API that refuses such lists, say).
                    raise DownloadError(
                        f"Comtrade answered nothing for {self.what} ({piece.describe()}), "
                        f"though the level above lists {piece.listed_usd:,.0f} USD for it",
                        expected="the rows of the codes asked for; try a larger --max-records "
                        "or a narrower query (--partner, --flows, --level hs4)",
                    )
                rows.extend(got)
                kept += 1
                if piece is root:
                    first = answer
                continue
            children = self.split(piece)
            if not children:
                raise self.refuse(piece, answer[CAPPED], "cannot be split further")
            stack.extend(reversed(children))  # depth first, in order
            self.pending = len(stack)
            self._tick()
        if first is not None:  # one answer: kept as Comtrade sent it
            return YearResult(data=first, queries=self.queries, pieces=1)
        _check_disjoint(rows, self.what)
        data = {"count": len(rows), "data": rows, "error": "", "pieces": kept}
        return YearResult(data=data, queries=self.queries, pieces=kept)


def _code(row: Mapping[str, Any], width: int) -> str | None:
    code = str(row.get("cmdCode", "")).strip()
    if not code.isdigit() or len(code) > width:
        return None  # TOTAL, or a code of another level
    return code.zfill(width)


def _values(rows: list[dict[str, Any]], width: int) -> dict[str, float]:
    """Listed value (USD) per code of ``width`` digits in a listing answer."""
    out: dict[str, float] = {}
    for r in rows:
        code = _code(r, width)
        if code:
            try:
                v = float(r.get("primaryValue") or 0.0)
            except (TypeError, ValueError):
                v = 0.0
            out[code] = out.get(code, 0.0) + v
    return out


def _headings(
    piece: Piece, chapter: str, headings: Sequence[str], listed_usd: float = 0.0
) -> Piece:
    codes = ",".join(f"{h}{i:02d}" for h in headings for i in range(100))
    return replace(
        piece, cmd=codes, chapter=chapter, headings=tuple(headings), listed_usd=listed_usd
    )


def _check_disjoint(rows: list[dict[str, Any]], what: str) -> None:
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(str(row.get(k)) for k in ROW_KEY)
        if key in seen:
            raise DownloadError(
                f"the pieces of the Comtrade query for {what} overlap",
                found=dict(zip(ROW_KEY, key, strict=True)),
                expected="disjoint pieces (please report this)",
            )
        seen.add(key)


def fetch_year(
    http: Http,
    url: str,
    base: Mapping[str, Any],
    *,
    flows: Sequence[str],
    partner: int | None,
    cmd: str,
    cap: int,
    what: str,
    progress: Progress | None = None,
    stage: str = "",
) -> YearResult:
    """All rows of one year's query, split under the record cap ``cap`` as needed."""
    pager = _Pager(http, url, base, cap=cap, what=what, progress=progress, stage=stage)
    return pager.run(Piece(flows=tuple(flows), partner=partner, cmd=cmd))
