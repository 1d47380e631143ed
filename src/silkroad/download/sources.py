"""What to download: BACI release archives and UN Comtrade API extracts (JSON files).

Base URLs are settings (``SILKROAD_BACI_URL``, ``SILKROAD_COMTRADE_URL``) so that a mirror or a
test server can stand in. The Comtrade key travels in the ``Ocp-Apim-Subscription-Key`` header.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from silkroad.download.http import DownloadError, Http
from silkroad.errors import InputError
from silkroad.reference.countries import iso3_from_numeric, numeric_code_table, resolve_country

BACI_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data"
COMTRADE_URL = "https://comtradeapi.un.org/data/v1/get"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
RELEASE = re.compile(r"^V?(\d{6}[a-z]?)$")
HS_REVISIONS = ("92", "96", "02", "07", "12", "17", "22")
LEVEL_CODES = {"total": "TOTAL", "hs2": "AG2", "hs4": "AG4", "hs6": "AG6"}
#: Rows per Comtrade call on the free tier; a response this long may be truncated.
MAX_RECORDS = 100_000


def baci_url() -> str:
    return os.environ.get("SILKROAD_BACI_URL", BACI_URL).rstrip("/")


def comtrade_url() -> str:
    return os.environ.get("SILKROAD_COMTRADE_URL", COMTRADE_URL).rstrip("/")


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
) -> list[Path]:
    """One JSON file per year of the reporter's declarations (final data, annual).

    A response as long as the record cap may be truncated, so it is refused with advice to narrow
    the query; an empty ``data`` (Comtrade's answer to bad parameters) is an error too.
    """
    if level not in LEVEL_CODES:
        raise InputError("bad level", field="--level", found=level, expected=", ".join(LEVEL_CODES))
    bad = [f for f in flows if f not in ("X", "M", "RX", "RM")]
    if bad:
        raise InputError("bad flow", field="--flows", found=bad[0], expected="X, M, RX, RM")
    rep = resolve_country(reporter)
    par = resolve_country(partner) if partner else None
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for year in years:
        params = {
            "reporterCode": _comtrade_code(rep),
            "period": str(year),
            "flowCode": ",".join(flows),
            "cmdCode": LEVEL_CODES[level],
            "partner2Code": 0,
            "customsCode": "C00",
            "motCode": 0,
            "maxRecords": MAX_RECORDS,
            "includeDesc": "false",
        }
        if par:
            params["partnerCode"] = _comtrade_code(par)

        def check(data: dict, year: int = year, params: dict = params) -> None:
            rows = data.get("data") or []
            if data.get("error"):
                raise DownloadError(f"Comtrade answered with an error: {data['error']}", found=year)
            if not rows:
                raise InputError(
                    f"Comtrade returned no data for {rep} in {year}",
                    found=params,
                    expected="published data; check the reporter, partner, years and flows",
                )
            if len(rows) >= MAX_RECORDS:
                raise InputError(
                    f"the {year} response has {len(rows):,} rows, the record cap: it may be "
                    "truncated",
                    expected="a narrower query (a partner, fewer flows, or --level hs4)",
                )

        data = http.get_json(f"{comtrade_url()}/C/A/{classification}", params, validate=check)
        name = f"comtrade-{rep.lower()}-{(par or 'all').lower()}-{year}-{level}.json"
        path = dest / name
        path.write_text(json.dumps(data), encoding="utf-8")
        written.append(path)
    return written
