"""What to download: BACI release archives and UN Comtrade API extracts (JSON files).

Base URLs are settings (``SILKROAD_BACI_URL``, ``SILKROAD_COMTRADE_URL``) so that a mirror or a
test server can stand in. The Comtrade key travels in the ``Ocp-Apim-Subscription-Key`` header.
A Comtrade answer as long as the record cap (``SILKROAD_COMTRADE_MAX_RECORDS``) is split into
smaller queries and merged (:mod:`silkroad.download.paging` explains how).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from silkroad.download.http import Http, Progress
from silkroad.download.paging import fetch_year
from silkroad.errors import InputError
from silkroad.reference.countries import iso3_from_numeric, numeric_code_table, resolve_country
from silkroad.settings import baci_url, comtrade_max_records, comtrade_url

log = logging.getLogger(__name__)

KEY_HEADER = "Ocp-Apim-Subscription-Key"
RELEASE = re.compile(r"^V?(\d{6}[a-z]?)$")
HS_REVISIONS = ("92", "96", "02", "07", "12", "17", "22")
LEVEL_CODES = {"total": "TOTAL", "hs2": "AG2", "hs4": "AG4", "hs6": "AG6"}


def download_baci(http: Http, *, release: str, hs: str, dest: Path) -> Path:
    """Fetch ``BACI_HS{hs}_V{release}.zip`` into ``dest`` (resuming a partial download)."""
    m = RELEASE.match(release.strip())
    if not m:
        raise InputError("bad release", field="--release", found=release, expected="e.g. V202401b")
    if hs not in HS_REVISIONS:
        raise InputError(
            "bad HS revision", field="--hs", found=hs, expected=", ".join(HS_REVISIONS)
        )
    name = f"BACI_HS{hs}_V{m.group(1)}.zip"
    target = dest / name
    if target.exists():
        return target
    return http.fetch_file(f"{baci_url()}/{name}", target)


def _comtrade_code(iso3: str) -> int:
    """The Comtrade numeric code of an economy (composites such as 842 for the USA first)."""
    codes = [c for c, i in numeric_code_table().items() if i == iso3 and c < 1000]
    if not codes:
        raise InputError("no Comtrade code for this economy", found=iso3)
    # Prefer the code that maps back to the economy (842 over 840 for the USA).
    codes.sort(key=lambda c: (iso3_from_numeric(c) != iso3, -c))
    return codes[0]


def download_comtrade(
    http: Http,
    *,
    reporter: str,
    partner: str | None,
    years: Sequence[int],
    flows: Sequence[str] = ("X", "M"),
    level: str = "hs6",
    classification: str = "HS",
    dest: Path,
    max_records: int | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """One JSON file per year of the reporter's declarations (final data, annual).

    An answer as long as the record cap (``max_records``, else the setting) may be truncated:
    the query is split by flow, partner and chapter and the pieces are merged into the year's
    file (``{"count", "data", "pieces"}``); a piece that cannot be split under the cap is an
    error. An empty ``data`` for the whole query (Comtrade's answer to bad parameters) is an
    error too. ``progress(year, queries done, queries known)`` follows the calls.
    """
    if level not in LEVEL_CODES:
        raise InputError("bad level", field="--level", found=level, expected=", ".join(LEVEL_CODES))
    bad = [f for f in flows if f not in ("X", "M", "RX", "RM")]
    if bad:
        raise InputError("bad flow", field="--flows", found=bad[0], expected="X, M, RX, RM")
    cap = comtrade_max_records() if max_records is None else max_records
    if cap < 1:
        raise InputError("bad record cap", field="--max-records", found=cap, expected="at least 1")
    rep = resolve_country(reporter)
    par = resolve_country(partner) if partner else None
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for year in years:
        base = {
            "reporterCode": _comtrade_code(rep),
            "period": str(year),
            "partner2Code": 0,
            "customsCode": "C00",
            "motCode": 0,
            "maxRecords": cap,
            "includeDesc": "false",
        }
        sent = http.requests
        result = fetch_year(
            http, f"{comtrade_url()}/C/A/{classification}", base,
            flows=list(flows), partner=_comtrade_code(par) if par else None,
            cmd=LEVEL_CODES[level], cap=cap, what=f"{rep} in {year}",
            progress=progress, stage=str(year),
        )  # fmt: skip
        log.info(
            "Comtrade %s %s: %d rows in %d pieces, %d queries (%d requests sent)",
            rep, year, len(result.data.get("data") or []), result.pieces, result.queries,
            http.requests - sent,
        )  # fmt: skip
        name = f"comtrade-{rep.lower()}-{(par or 'all').lower()}-{year}-{level}.json"
        path = dest / name
        path.write_text(json.dumps(result.data), encoding="utf-8")
        written.append(path)
    return written
