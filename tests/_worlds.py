"""Builders of small stores for the analytics tests (structure, baskets, editions).

Values in the hand-made worlds are written in thousands of USD, exactly as a BACI file holds
them; tests recompute what they expect from the same dicts by plain arithmetic (x 1000).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import silkroad as sr

VERSION = "202401b"
HEADER = "t,i,j,k,v,q"
#: BACI numeric codes (ISO 3166-1 numeric) of the economies the hand-made worlds use.
CODES = {"BLR": 112, "KAZ": 398, "RUS": 643}
COUNTRIES = "\n".join(
    [
        "country_code,country_name,country_iso2,country_iso3",
        "112,Belarus,BY,BLR",
        "398,Kazakhstan,KZ,KAZ",
        "643,Russian Federation,RU,RUS",
    ]
)

#: flows[year][(exporter, importer)][product] = value in thousands of USD
Flows = Mapping[int, Mapping[tuple[str, str], Mapping[str, float]]]


def year_lines(year: int, flows: Mapping[tuple[str, str], Mapping[str, float]]) -> list[str]:
    """BACI lines ``t,i,j,k,v,q`` of one year; products written without their leading zero."""
    lines = []
    for (exporter, importer), products in flows.items():
        for product, value in products.items():
            k = str(int(product))  # BACI writes 040210 as 40210
            lines.append(f"{year},{CODES[exporter]},{CODES[importer]},{k},{value},1")
    return lines


def write_release(folder: Path, flows: Flows, *, revision: str = "92") -> Path:
    """A release directory: one ``BACI_HS{rev}_Y{year}_V...csv`` per year and the country list."""
    folder.mkdir(parents=True, exist_ok=True)
    for year, by_pair in flows.items():
        text = "\n".join([HEADER, *year_lines(year, by_pair)]) + "\n"
        (folder / f"BACI_HS{revision}_Y{year}_V{VERSION}.csv").write_text(text)
    (folder / f"country_codes_V{VERSION}.csv").write_text(COUNTRIES + "\n")
    return folder


def build_store(root: Path, flows: Flows, *, separately: bool = False) -> sr.Store:
    """A store holding ``flows`` (one ingest, or one ingest per year when ``separately``)."""
    store = sr.open(root / "home")
    batches: Iterable[Flows] = [{y: f} for y, f in flows.items()] if separately else [flows]
    for n, batch in enumerate(batches):
        result = sr.ingest(store, "baci", write_release(root / f"release{n}", batch))
        assert result.rows_rejected == 0, result.rejected_by_reason
    store.refresh()
    return store


def relabel_year(store: sr.Store, year: int, classification: str) -> None:
    """Pretend the ingest that supplies ``year`` was in another HS edition (in memory only).

    No BACI source mixes editions today (each revision is its own source); this stands in for a
    future multi-edition source so the edition logic can be tested end to end.
    """
    catalog = store.catalog
    state = next(iter(catalog.sources.values()))
    catalog.ingests[state.years[str(year)]].classification = classification


def synthetic_store(root: Path, years: range = range(2013, 2016)) -> sr.Store:
    """The small synthetic demo world for ``years``, generated and ingested (about 8 s)."""
    from silkroad.sources import synthetic

    release = synthetic.generate(root / "release", size="small", years=years)
    store = sr.open(root / "home")
    sr.ingest(store, "baci", release)
    store.refresh()
    return store
