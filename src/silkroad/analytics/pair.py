"""One relationship between two economies: the entry point of bilateral analyses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from silkroad.errors import AnalysisError, StoreError
from silkroad.reference.countries import country_name, resolve_country

if TYPE_CHECKING:
    from silkroad.store.store import Store

SUMMARY_COLUMNS = [
    "year",
    "exports_usd",
    "imports_usd",
    "turnover_usd",
    "balance_usd",
    "exports_growth",
    "imports_growth",
    "turnover_growth",
]


def growth(current: pd.Series, previous: pd.Series) -> pd.Series:
    """Year-on-year growth as a fraction (0.229 = +22.9%), METHODS 1.2.

    Undefined (NaN) when the previous value is zero or missing: a flow that starts from zero is
    "new", never +inf; a flow that falls to zero is -1.0 (-100%).
    """
    prev = previous.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = current.astype(float) / prev - 1.0
    return out.where(prev > 0)


class Pair:
    """Economy ``a`` seen against partner ``b``: exports are a→b, imports are b→a."""

    def __init__(self, store: Store, a: str, b: str, *, source: str | None = None) -> None:
        self.store = store
        self.a = resolve_country(a)
        self.b = resolve_country(b)
        if self.a == self.b:
            raise AnalysisError(
                "a pair needs two different economies", found=f"{a} and {b}", expected="A ≠ B"
            )
        self.source = source or self._default_source()

    def __repr__(self) -> str:
        return f"Pair({self.a!r}, {self.b!r}, source={self.source!r})"

    def _default_source(self) -> str:
        states = list(self.store.catalog.sources.values())
        if not states:
            raise StoreError(
                f"the store at {self.store.home} holds no data",
                hint="run `silkroad demo` or `silkroad ingest baci PATH` first",
            )
        # Prefer real data to the synthetic demo world, then the longest coverage.
        best = min(states, key=lambda s: (s.synthetic, -len(s.years), s.source))
        return best.source

    def metadata(self, years: list[int]) -> dict[str, Any]:
        """Where the numbers come from: source, release, years, currency, synthetic or not."""
        state = self.store.catalog.sources[self.source]
        return {
            "exporter": self.a,
            "partner": self.b,
            "exporter_name": country_name(self.a),
            "partner_name": country_name(self.b),
            "source": self.source,
            "source_version": state.source_version,
            "classification": state.classification,
            "perspective": "reconciled" if state.kind == "baci" else "declared",
            "years": years,
            "currency": "USD",
            "synthetic": state.synthetic,
        }

    def _years(self, years: Iterable[int] | None) -> list[int]:
        held = self.store.years(self.source)
        if years is None:
            return held
        wanted = sorted({int(y) for y in years})
        missing = [y for y in wanted if y not in held]
        if missing:
            span = f"{held[0]}–{held[-1]}" if held else "none"
            raise AnalysisError(
                f"year {missing[0]} is not in the store for {self.source}",
                field="years",
                found=missing[0],
                expected=f"years within {span}",
            )
        return wanted

    def summary(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """Per year: exports, imports, turnover, balance (USD) and year-on-year growth.

        Years the source covers but with no flow in a direction count as 0 (BACI lists only
        positive flows); growth is NaN where the previous year is zero or outside the range.

        >>> store.pair("BLR", "KAZ").summary(years=range(2010, 2016))  # doctest: +SKIP
        """
        ys = self._years(years)
        t = self.store.flows(self.source)
        a, b = self.a, self.b
        sel = t.filter(
            t.exporter.isin([a, b]),
            t.importer.isin([a, b]),
            t.exporter != t.importer,
            t.year.isin(ys),
        )
        agg = sel.group_by(["year", "exporter"]).aggregate(value=sel.value_usd.sum()).to_pandas()
        wide = agg.pivot_table(index="year", columns="exporter", values="value", aggfunc="sum")
        wide = wide.reindex(index=ys, columns=[a, b]).fillna(0.0)
        out = pd.DataFrame({"year": ys})
        out["exports_usd"] = wide[a].to_numpy(dtype=float)
        out["imports_usd"] = wide[b].to_numpy(dtype=float)
        out["turnover_usd"] = out.exports_usd + out.imports_usd
        out["balance_usd"] = out.exports_usd - out.imports_usd
        consecutive = out.year.diff().eq(1)
        for col in ("exports", "imports", "turnover"):
            g = growth(out[f"{col}_usd"], out[f"{col}_usd"].shift(1))
            out[f"{col}_growth"] = g.where(consecutive)
        out.attrs["metadata"] = self.metadata(ys)
        return out[SUMMARY_COLUMNS]
