"""``silkroad profile|structure|movers|prices``: bilateral analyses on the command line.

Registered on the app of :mod:`silkroad.cli`. Tables for people show millions of USD with the
unit in the header; ``--json`` and ``--csv`` give USD for scripts.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from silkroad.analytics.pair import Pair
from silkroad.cli import CsvOption, HomeOption, JsonOption, app, out, parse_years
from silkroad.errors import InputError
from silkroad.store.store import Store

if TYPE_CHECKING:
    pass

PerspectiveOption = Annotated[
    str,
    typer.Option(
        "--perspective",
        help="reconciled (BACI), exporter (each side's own declarations), mirror (the partner's), "
        "or auto (best available; stated in the output).",
    ),
]
SourceOption = Annotated[str | None, typer.Option("--source", help="Source id to use.")]
YearOption = Annotated[
    int, typer.Option("--year", help="The year analysed (compared with year-1).")
]
ImportsOption = Annotated[
    bool, typer.Option("--imports", help="Analyse A's imports from B instead of its exports.")
]


def _pair(home: Path | None, a: str, b: str, source: str | None, perspective: str) -> Any:
    return Pair(Store(home), a, b, source=source, perspective=perspective)


def _jsonable(value: Any) -> Any:
    import pandas as pd

    from silkroad.results import Result, jsonable

    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, pd.DataFrame):
        return jsonable(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _emit(
    data: dict[str, Any], *, as_json: bool, as_csv: bool, main: str | tuple[str, ...]
) -> bool:
    """Print JSON (everything) or CSV (the ``main`` table; several tables are stacked with a
    first column ``table`` naming each); True if done."""
    if as_json:
        sys.stdout.write(
            json.dumps(_jsonable(data), indent=2, ensure_ascii=False, default=str) + "\n"
        )
        return True
    if as_csv:
        import pandas as pd

        if isinstance(main, str):
            sys.stdout.write(data[main].to_csv(index=False))
        else:
            frames = [data[name].assign(table=name) for name in main]
            stacked = pd.concat(frames, ignore_index=True).convert_dtypes()
            stacked = stacked[["table", *[c for c in stacked.columns if c != "table"]]]
            sys.stdout.write(stacked.to_csv(index=False))
        return True
    return False


def _musd(value: float) -> str:
    return "" if value is None or value != value else f"{value / 1e6 + 0.0:,.1f}"


def _pct(value: float, *, signed: bool = True) -> str:
    if value is None or value != value:
        return ""
    return f"{value * 100:+.1f}" if signed else f"{value * 100:.1f}"


def _footer(meta: dict[str, Any]) -> None:
    note = " — SYNTHETIC demo data, not real statistics" if meta.get("synthetic") else ""
    out.print(
        f"source: {meta['source']} release {meta['source_version']} ({meta['classification']}), "
        f"perspective {meta['perspective']}, current USD{note}"
    )


@app.command()
def profile(
    a: Annotated[str, typer.Argument(help="Economy or bloc (BLR, Belarus, EAEU).")],
    b: Annotated[str, typer.Argument(help="Partner economy or bloc.")],
    years: Annotated[
        str | None, typer.Option("--years", help="e.g. 2007-2014 (default: all).")
    ] = None,
    base: Annotated[
        int | None, typer.Option("--base", help="Base year for 'N times' ratios.")
    ] = None,
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """The relationship year by year: flows, balance, growth, base ratios, shares and ranks."""
    pair = _pair(home, a, b, source, perspective)
    df = pair.profile(parse_years(years), base=base).to_frame()
    meta, cagr = df.attrs["metadata"], df.attrs["cagr"]
    if _emit(
        {"metadata": meta, "cagr": cagr, "rows": df}, as_json=as_json, as_csv=as_csv, main="rows"
    ):
        return
    title = f"{meta['a_name']} – {meta['b_name']}: trade profile, million USD"
    table = Table(title=title)
    cols = ["year", "exports", "imports", "turnover", "balance", "growth, %"]
    if base is not None:
        cols.append(f"× {base}")
    cols += ["B share, %", "B rank", "A rank"]
    table.caption = (
        "growth: turnover on the year before; "
        + (f"× {base}: turnover over {base}; " if base is not None else "")
        + "B share: B's share of A's trade; B rank: B among A's partners; A rank: A among B's"
    )
    for col in cols:
        table.add_column(col, justify="right", overflow="fold")
    for r in df.to_dict(orient="records"):
        growth = _pct(r["turnover_growth"]) or ("new" if r["turnover_note"] == "new" else "")
        row = [
            str(r["year"]),
            _musd(r["exports_usd"]),
            _musd(r["imports_usd"]),
            _musd(r["turnover_usd"]),
            _musd(r["balance_usd"]),
            growth,
        ]
        if base is not None:
            ratio = r["turnover_to_base"]
            row.append("" if ratio != ratio else f"{ratio:.2f}")
        row += [
            _pct(r["partner_share_of_a"], signed=False),
            ""
            if r["partner_rank_for_a"] != r["partner_rank_for_a"]
            else str(int(r["partner_rank_for_a"])),
            "" if r["a_rank_for_b"] != r["a_rank_for_b"] else str(int(r["a_rank_for_b"])),
        ]
        table.add_row(*row)
    out.print(table)
    if cagr["intervals"] > 0 and cagr["turnover"] == cagr["turnover"]:
        out.print(
            f"turnover CAGR {cagr['from']}–{cagr['to']}: {cagr['turnover'] * 100:+.1f} % a year"
        )
    _footer(meta)


@app.command()
def structure(
    a: Annotated[str, typer.Argument(help="Economy or bloc.")],
    b: Annotated[str, typer.Argument(help="Partner economy or bloc.")],
    year: YearOption,
    imports: ImportsOption = False,
    level: Annotated[str, typer.Option("--level", help="hs2, hs4, hs6 or section.")] = "hs2",
    baskets: Annotated[
        Path | None, typer.Option("--baskets", help="A YAML file of product baskets (see docs).")
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Largest N rows, then 'other'.")
    ] = 12,
    base: Annotated[int | None, typer.Option("--base", help="Base year to compare with.")] = None,
    correlation: Annotated[
        Path | None,
        typer.Option("--correlation", help="UNSD HS correlation table (CSV) for mixed editions."),
    ] = None,
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """What A sells to (or buys from) B in a year: value, share, change, contribution."""
    pair = _pair(home, a, b, source, perspective)
    grouping: Any = level
    if baskets is not None:
        from silkroad.reference.baskets import load_baskets

        grouping = load_baskets(baskets)
    elif level not in ("hs2", "hs4", "hs6", "section"):
        raise InputError(
            "unknown level", field="--level", found=level, expected="hs2, hs4, hs6 or section"
        )
    table_corr = None
    if correlation is not None:
        from silkroad.analytics.editions import load_correlation

        table_corr = load_correlation(correlation)
    direction = "imports" if imports else "exports"
    df = pair.structure(
        year, direction=direction, level=grouping, top=top, base=base, correlation=table_corr
    ).to_frame()
    meta = df.attrs["metadata"]
    if _emit({"metadata": meta, "rows": df}, as_json=as_json, as_csv=as_csv, main="rows"):
        return
    verb = "imports from" if imports else "exports to"
    table = Table(
        title=f"{meta['a_name']}: {verb} {meta['b_name']} in {year}, million USD"
    )
    for col in ("code", "product", "value", "share, %", "change, %", "contribution, pp"):
        table.add_column(
            col, justify="left" if col in ("code", "product") else "right", overflow="fold"
        )
    for r in df.to_dict(orient="records"):
        table.add_row(
            str(r["code"]),
            str(r.get("label_en") or ""),
            _musd(r["value_usd"]),
            _pct(r["share"], signed=False),
            _pct(r.get("growth", float("nan"))),
            ""
            if r.get("contribution_pp") != r.get("contribution_pp")
            else f"{r['contribution_pp']:+.2f}",
        )
    out.print(table)
    _footer(meta)


@app.command()
def movers(
    a: Annotated[str, typer.Argument(help="Economy or bloc.")],
    b: Annotated[str, typer.Argument(help="Partner economy or bloc.")],
    year: YearOption,
    imports: ImportsOption = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Gainers and losers to show.")] = 10,
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """New and lost products, top gainers and losers, extensive vs intensive margins."""
    pair = _pair(home, a, b, source, perspective)
    result = pair.movers(year, direction="imports" if imports else "exports", top=top)
    if _emit(
        result,
        as_json=as_json,
        as_csv=as_csv,
        main=("margins", "gainers", "losers", "new", "lost"),
    ):
        return
    meta = result["metadata"]
    for key, title in (
        ("gainers", "Top gainers"),
        ("losers", "Top losers"),
        ("new", "New products"),
        ("lost", "Lost products"),
    ):
        df = result[key]
        table = Table(title=f"{title} {year} vs {year - 1}, million USD ({len(df)} products)")
        cols = [
            c
            for c in ("product", "label_en", "prev_value_usd", "value_usd", "change_usd")
            if c in df.columns
        ]
        names = {"label_en": "chapter", "prev_value_usd": str(year - 1), "value_usd": str(year)}
        for col in cols:
            table.add_column(
                names.get(col, col.replace("_usd", "")),
                justify="left" if col in ("product", "label_en") else "right",
                overflow="fold",
            )
        for r in df.head(top).to_dict(orient="records"):
            table.add_row(
                *[str(r[c] or "") if c in ("product", "label_en") else _musd(r[c]) for c in cols]
            )
        out.print(table)
    import pandas as pd

    margins = result["margins"]
    m = margins.iloc[0].to_dict() if isinstance(margins, pd.DataFrame) else margins
    out.print(
        f"change {_musd(m['change_usd'])} = intensive {_musd(m['intensive_usd'])} "
        f"+ new {_musd(m['extensive_new_usd'])} − lost {_musd(m['extensive_lost_usd'])} (million USD)"
    )
    _footer(meta)


@app.command()
def prices(
    a: Annotated[str, typer.Argument(help="Economy or bloc.")],
    b: Annotated[str, typer.Argument(help="Partner economy or bloc.")],
    year: YearOption,
    imports: ImportsOption = False,
    trim: Annotated[
        float | None,
        typer.Option(
            "--trim", help="Set aside unit-value changes more than K MADs from the median."
        ),
    ] = None,
    perspective: PerspectiveOption = "auto",
    source: SourceOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Price and volume effects of the change in value from year-1 to year (Fisher indices)."""
    pair = _pair(home, a, b, source, perspective)
    result = pair.prices(year, direction="imports" if imports else "exports", trim=trim)
    if _emit(result, as_json=as_json, as_csv=as_csv, main=("summary", "products")):
        return
    import pandas as pd

    summary = result["summary"]
    s = summary.iloc[0].to_dict() if isinstance(summary, pd.DataFrame) else dict(summary)
    table = Table(title=f"Value change {year - 1}→{year}: price and volume")
    table.add_column("item")
    table.add_column("value", justify="right", overflow="fold")
    for key, value in s.items():
        if isinstance(value, float) and key.endswith("_usd"):
            table.add_row(key.replace("_usd", ", million USD"), _musd(value))
        elif isinstance(value, float):
            table.add_row(key, f"{value:.4f}")
        else:
            table.add_row(key, str(value))
    out.print(table)
    _footer(result["metadata"])


@app.command()
def mirror(
    a: Annotated[str, typer.Argument(help="Economy or bloc.")],
    b: Annotated[str, typer.Argument(help="Partner economy or bloc.")],
    year: YearOption,
    level: Annotated[str, typer.Option("--level", help="hs2, hs4 or hs6.")] = "hs2",
    top: Annotated[int, typer.Option("--top", min=1, help="Largest gaps to show.")] = 10,
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Each side's declarations of the same trade: gaps, CIF/FOB ratio, likely causes."""
    pair = Pair(Store(home), a, b, perspective="exporter")
    result = pair.mirror(year, level=level, top=top)
    if _emit(result, as_json=as_json, as_csv=as_csv, main=("summary", "exports", "imports")):
        return
    meta = result["metadata"]
    for direction, verb in (("exports", "exports to"), ("imports", "imports from")):
        table = Table(
            title=f"{meta['a_name']} {verb} {meta['b_name']} in {year}: "
            "declared by the exporter vs by the importer, million USD"
        )
        for col in ("code", "exporter", "importer", "gap", "gap, %", "CIF/FOB", "flags"):
            table.add_column(
                col, justify="left" if col in ("code", "flags") else "right", overflow="fold"
            )
        for r in result[direction].to_dict(orient="records"):
            ratio = r["cif_fob_ratio"]
            table.add_row(
                str(r["code"]),
                _musd(r["exporter_declared_usd"]),
                _musd(r["importer_declared_usd"]),
                _musd(r["gap_usd"]),
                _pct(r["gap_rel"]),
                "" if ratio != ratio else f"{ratio:.3f}",
                r["flags"].replace(",", ", "),
            )
        out.print(table)
    for s in result["summary"].to_dict(orient="records"):
        ratio = s["cif_fob_ratio_common"]
        out.print(
            f"{s['direction']}: exporter {_musd(s['exporter_declared_usd'])}, importer "
            f"{_musd(s['importer_declared_usd'])} (gap {_pct(s['gap_rel'])} %); CIF/FOB over "
            f"products both report {'' if ratio != ratio else f'{ratio:.3f}'}"
        )
    out.print(f"declarations used: {meta['sources_used']}")
