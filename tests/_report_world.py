"""A hand-made BACI world for the brief tests, with every figure the tests check written here.

Values are thousands of USD, as BACI files hold them (``v``), weights in tons (``q``). The
pairs cover the cases the narrative must word differently:

- BLR–KAZ: imports grow 3.6 times, exports +0.8 %, turnover +23.0 % to a record
  (the highest of 2011–2014), and 3.4 times the 2011 level; one export product lost in 2014;
- BLR–RUS: a decline (turnover −22.9 %, imports 2.5 times less);
- BLR–ARM: one-sided trade (exports only), small enough for tables in thousand USD;
- BLR–CHN: new in 2014 (nothing in 2011–2013), imports only;
- BLR–KGZ: trade in 2013, none in 2014.

ARM, KGZ and UZB (inside the CIS) and CHN with MNG (outside it) also trade a little coffee
($1 000): every economy is in the data every year, so trade of BLR with it is 0 where it has
none, not unknown (an economy without rows is unknown: analytics/unknown.py).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import silkroad as sr
from silkroad.report.numbers import rounded

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

VERSION = "202401b"
CODES = {
    "BLR": 112,
    "KAZ": 398,
    "RUS": 643,
    "ARM": 51,
    "CHN": 156,
    "KGZ": 417,
    "UZB": 860,
    "MNG": 496,
}
COUNTRIES = "\n".join(
    [
        "country_code,country_name,country_iso2,country_iso3",
        "112,Belarus,BY,BLR",
        "398,Kazakhstan,KZ,KAZ",
        "643,Russian Federation,RU,RUS",
        "51,Armenia,AM,ARM",
        "156,China,CN,CHN",
        "417,Kyrgyzstan,KG,KGZ",
        "860,Uzbekistan,UZ,UZB",
        "496,Mongolia,MN,MNG",
    ]
)

#: FLOWS[year][(exporter, importer)] = {product: (value in thousand USD, weight in tons)}
FLOWS: dict[int, dict[tuple[str, str], dict[str, tuple[float, float]]]] = {
    2011: {
        ("ARM", "KGZ"): {"090111": (1, 0.1)},
        ("CHN", "MNG"): {"090111": (1, 0.1)},
        ("BLR", "KAZ"): {"870120": (300_000, 1_000)},
        ("KAZ", "BLR"): {"270900": (40_000, 80_000)},
        ("BLR", "RUS"): {"870120": (4_000_000, 12_000)},
        ("RUS", "KAZ"): {"270900": (2_000_000, 4_000_000)},
    },
    2012: {
        ("ARM", "KGZ"): {"090111": (1, 0.1)},
        ("CHN", "MNG"): {"090111": (1, 0.1)},
        ("BLR", "KAZ"): {"870120": (500_000, 1_600)},
        ("KAZ", "BLR"): {"270900": (50_000, 90_000)},
        ("BLR", "RUS"): {"870120": (5_000_000, 15_000)},
        ("RUS", "KAZ"): {"270900": (2_500_000, 5_000_000)},
    },
    2013: {
        ("CHN", "MNG"): {"090111": (1, 0.1)},
        ("BLR", "KAZ"): {
            "870120": (380_000, 1_200),
            "040210": (320_600, 100_000),
            "271019": (160_000, 200_000),
            "840734": (10_000, 500),
        },
        ("KAZ", "BLR"): {"270900": (61_600, 110_000), "720711": (20_000, 40_000)},
        ("BLR", "RUS"): {"870120": (6_000_000, 18_000)},
        ("RUS", "BLR"): {"270900": (1_000_000, 2_000_000)},
        ("RUS", "KAZ"): {"270900": (2_800_000, 5_600_000)},
        ("BLR", "ARM"): {"040210": (20_000, 6_000)},
        ("KGZ", "BLR"): {"100199": (5_000, 20_000)},
    },
    2014: {
        ("KGZ", "UZB"): {"090111": (1, 0.1)},
        ("BLR", "KAZ"): {
            "870120": (400_000, 1_250),
            "040210": (300_000, 90_000),
            "271019": (177_600, 210_000),
        },
        ("KAZ", "BLR"): {"270900": (200_000, 350_000), "720711": (93_800, 180_000)},
        ("BLR", "RUS"): {"870120": (5_000_000, 15_000)},
        ("RUS", "BLR"): {"270900": (400_000, 800_000)},
        ("RUS", "KAZ"): {"270900": (3_000_000, 6_000_000)},
        ("BLR", "ARM"): {"040210": (25_000, 7_000)},
        ("CHN", "BLR"): {"847130": (900_000, 3_000)},
    },
}


def total(year: int, exporter: str, importer: str) -> float:
    """USD (not thousands) that ``exporter`` sent to ``importer`` in ``year``."""
    return 1000.0 * sum(v for v, _ in FLOWS[year].get((exporter, importer), {}).values())


def write_release(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for year, pairs in FLOWS.items():
        lines = ["t,i,j,k,v,q"]
        for (exporter, importer), products in pairs.items():
            for product, (v, q) in products.items():
                k = str(int(product))  # BACI drops the leading zero: 040210 -> 40210
                lines.append(f"{year},{CODES[exporter]},{CODES[importer]},{k},{v},{q}")
        (folder / f"BACI_HS92_Y{year}_V{VERSION}.csv").write_text("\n".join(lines) + "\n")
    (folder / f"country_codes_V{VERSION}.csv").write_text(COUNTRIES + "\n")
    return folder


def build(root: Path) -> sr.Store:
    store = sr.open(root / "home")
    result = sr.ingest(store, "baci", write_release(root / "release"))
    assert result.rows_rejected == 0
    return store


def synthetic_store(root: Path) -> sr.Store:
    """The small synthetic demo world for 2012–2014, generated and ingested (about 10 s)."""
    from silkroad.sources import synthetic

    release = synthetic.generate(root / "release", size="small", years=range(2012, 2015))
    store = sr.open(root / "home")
    sr.ingest(store, "baci", release)
    return store


#: Words of the English brief that must not appear in the Russian one.
ENGLISH_WORDS = [
    "Turnover",
    "Exports",
    "Imports",
    "Balance",
    "Headline",
    "Summary",
    "Dynamics",
    "Structure",
    "What changed",
    "partner",
    "Sources",
    "million",
    "billion",
    "thousand",
    "times",
    "Belarus",
    "Kazakhstan",
    "Products",
    "Other products",
    "Total",
    "Change",
    "Share",
    "Largest",
    "Year",
    "Generated",
    "from zero",
    "surplus",
    "deficit",
]


def normalise(text: str) -> str:
    """Spaces for non-breaking and narrow spaces; one space for any run of whitespace; word
    joiners (which only forbid a line break) dropped."""
    text = text.replace("\u2060", "")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def numbers(text: str, lang: str) -> list[Decimal]:
    """The numbers written in ``text``: '1,171.4' (en) or '1 171,4' (ru), years, counts."""
    sep, dec = (",", ".") if lang == "en" else (" ", ",")
    pattern = rf"\b(?:\d{{1,3}}(?:{sep}\d{{3}})+|\d+)(?:{re.escape(dec)}\d+)?\b"
    return [Decimal(m.replace(sep, "").replace(dec, ".")) for m in re.findall(pattern, text)]


def narrative_numbers_not_in_tables(doc: Brief) -> tuple[list[Decimal], list[Decimal]]:
    """Every number the narrative states, and those no table cell (or group heading) shows.

    An amount in billions ("$1.17 billion") counts as shown when it is a table amount in
    millions (1,171.4) rounded to two decimals of a billion; likewise thousands to millions.
    """
    lang = doc.lang
    shown: set[Decimal] = set()
    for key, table in doc.tables.items():
        if key == "notes":
            continue
        for row in table.rows:
            for text in [c.text for c in row.cells] + [row.group or ""]:
                shown |= set(numbers(normalise(text), lang))
    shown |= {rounded(float(v) / 1000, 2) for v in list(shown)}
    shown |= {rounded(float(v) / 1000, 1) for v in list(shown)}
    stated = [n for p in doc.narrative for n in numbers(normalise(p), lang)]
    return stated, [n for n in stated if n not in shown]
