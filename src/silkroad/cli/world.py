"""``silkroad rca|indicators|complexity``: world-level indicators from reconciled data.

Each command reads one year of the world (``silkroad.analytics.world.World``: BACI by default,
``--source`` to choose), calls one analysis of :mod:`silkroad.analytics.advantage` and prints its
result; ``--json`` and ``--csv`` are the result's own serialisation (full precision, USD).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from silkroad import args
from silkroad.cli.common import (
    A_ARG,
    B_ARG,
    UNKNOWN,
    CsvOption,
    HomeOption,
    JsonOption,
    LangOption,
    SourceOption,
    TopOption,
    add_command,
    emit,
    musd,
    number,
    out,
    output_mode,
    pct,
    product_labels,
    unknown_lines,
    whole,
    world,
)

WorldYearOption = Annotated[int, typer.Option("--year", help="The year analysed.")]
BasketsOption = Annotated[
    Path | None,
    typer.Option("--baskets", help="A YAML file of product baskets instead of an HS level."),
]


def _level(level: str | None, baskets: Path | None, *, default: str) -> Any:
    if level is not None and baskets is not None:
        args.exclusive(level=level, baskets=str(baskets))
    if baskets is not None:
        from silkroad.reference.baskets import load_baskets

        return load_baskets(baskets)
    return args.level(level or default, allowed=args.LEVELS)


def _footer(meta: dict[str, Any], extra: str = "") -> None:
    unknown_lines(meta)
    note = " — SYNTHETIC demo data, not real statistics" if meta.get("synthetic") else ""
    out.print(
        f"source: {meta['source']} release {meta['source_version']} ({meta['classification']}), "
        f"{meta['level']}, {meta['years'][0]}{extra}{note}",
        markup=False,
        highlight=False,
    )


def rca(
    economy: Annotated[str, typer.Argument(help="Economy or bloc (BLR, Belarus, EAEU).")],
    year: WorldYearOption,
    level: Annotated[
        str | None, typer.Option("--level", help="hs2, hs4 or hs6 [default: hs6].")
    ] = None,
    baskets: BasketsOption = None,
    top: TopOption = args.DEFAULT_TOP,
    source: SourceOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Revealed comparative advantage (Balassa RCA) of an economy in every product it exports."""
    from silkroad.analytics.advantage import rca_table

    mode = output_mode(as_json, as_csv)
    n = args.top(top, default=args.DEFAULT_TOP)
    grouping = _level(level, baskets, default="hs6")
    lang = args.lang(lang)
    result = rca_table(world(home, source), economy, args.year(year), level=grouping, top=n)
    if emit(result, mode):
        return
    meta = result["metadata"]
    rows = result["rows"].to_dict(orient="records")
    table = Table(title=f"{meta['economy']}: revealed comparative advantage in {year}")
    for col, justify in (
        ("code", "left"),
        ("product", "left"),
        ("exports, mln USD", "right"),
        ("share of world, %", "right"),
        ("RCA", "right"),
    ):
        table.add_column(col, justify=_justify(justify == "left"), overflow="fold")
    for r, name in zip(rows, _names(rows, lang, meta, grouping), strict=True):
        table.add_row(
            r["code"],
            name,
            musd(r["exports_usd"]),
            pct(r["share_of_world"], signed=False),
            number(r["rca"]),
        )
    out.print(table)
    out.print(
        f"{result['products_with_advantage']} of {result['products_exported']} products exported "
        "with RCA ≥ 1 (exports share above the world's)",
        markup=False,
    )
    _footer(meta)


def _names(rows: list[dict[str, Any]], lang: str, meta: dict[str, Any], grouping: Any) -> list[str]:
    if isinstance(grouping, str):
        return product_labels(rows, "code", lang, meta)
    return [grouping.get(r["code"]).label(lang) for r in rows]


def indicators(
    a: A_ARG,
    b: B_ARG,
    year: WorldYearOption,
    level: Annotated[
        str | None, typer.Option("--level", help="hs2, hs4 or hs6 [default: hs6].")
    ] = None,
    top: TopOption = args.DEFAULT_TOP,
    source: SourceOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Trade indicators of A with B: TII, TCI, ESI, Grubel-Lloyd, HHIs, A in B's market."""
    from silkroad.analytics.advantage import pair_indicators

    mode = output_mode(as_json, as_csv)
    n = args.top(top, default=args.DEFAULT_TOP) or args.DEFAULT_TOP
    lang = args.lang(lang)
    grouping = _level(level, None, default="hs6")
    result = pair_indicators(world(home, source), a, b, args.year(year), level=grouping, top=n)
    if emit(result, mode):
        return
    meta, v = result["metadata"], result.values
    if meta.get("unknown"):
        # A side's trade unknown (analytics/unknown.py): every indicator n/a, none blank.
        v = {k: UNKNOWN for k in v}
    a_code, b_code = meta["a"], meta["b"]
    table = Table(title=f"{a_code} and {b_code}: trade indicators, {year} ({meta['level']})")
    table.add_column("indicator", justify="left")
    table.add_column(a_code + " → " + b_code, justify="right")
    table.add_column(b_code + " → " + a_code, justify="right")
    table.add_row(
        "trade intensity (TII; 1 = world average)", number(v["tii_ab"]), number(v["tii_ba"])
    )
    table.add_row("complementarity (TCI, 0–100)", number(v["tci_ab"], 1), number(v["tci_ba"], 1))
    table.add_row("export similarity (ESI, 0–100)", number(v["esi"], 1), "")
    table.add_row("Grubel–Lloyd, trade-weighted (0–1)", number(v["gl_aggregate"], 3), "")
    table.add_row("Grubel–Lloyd, imbalance-adjusted", number(v["gl_adjusted"], 3), "")
    for side, code in (("a", a_code), ("b", b_code)):
        table.add_row(
            f"{code}: HHI of products (normalised)",
            f"{number(v.get(f'{side}_hhi_products'), 3)} ({number(v.get(f'{side}_hhi_products_normalized'), 3)})",
            "",
        )
        table.add_row(
            f"{code}: HHI of markets (normalised)",
            f"{number(v.get(f'{side}_hhi_markets'), 3)} ({number(v.get(f'{side}_hhi_markets_normalized'), 3)})",
            "",
        )
        table.add_row(
            f"{code}: products, markets exported",
            f"{whole(v.get(f'{side}_products_exported'))}, {whole(v.get(f'{side}_markets'))}",
            "",
        )
    out.print(table)
    rows = result["market"].to_dict(orient="records")
    market = Table(title=f"{a_code} in {b_code}'s market: its largest exports to {b_code}")
    for col, justify in (
        ("code", "left"),
        ("product", "left"),
        (f"{b_code} imports, mln USD", "right"),
        (f"from {a_code}, mln USD", "right"),
        ("share, %", "right"),
        ("rank", "right"),
        ("main competitors (share, %)", "left"),
    ):
        market.add_column(col, justify=_justify(justify == "left"), overflow="fold")
    comp = result["competitors"]
    for r, name in zip(rows, product_labels(rows, "code", lang, meta), strict=True):
        others = comp[comp.code == r["code"]]
        rivals = ", ".join(
            f"{e} ({s * 100:.1f})" for e, s in zip(others.exporter, others.share, strict=True)
        )
        market.add_row(
            r["code"],
            name,
            musd(r["b_imports_usd"]),
            musd(r["a_exports_usd"]),
            pct(r["a_share"], signed=False),
            whole(r["a_rank"]),
            rivals,
        )
    out.print(market)
    _footer(meta)


def complexity(
    year: WorldYearOption,
    level: Annotated[
        str | None, typer.Option("--level", help="hs2, hs4 or hs6 [default: hs4].")
    ] = None,
    economy: Annotated[
        str | None,
        typer.Option("--economy", help="Show this economy's opportunities (products by COG)."),
    ] = None,
    convention: Annotated[
        str,
        typer.Option(
            "--convention",
            help="ecomplexity (py-ecomplexity 0.5.3), stata (Stata/Atlas) or oec.",
        ),
    ] = "ecomplexity",
    top: TopOption = args.DEFAULT_TOP,
    source: SourceOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Economic complexity: the ECI ranking and PCI table; an economy's opportunities by COG."""
    from silkroad.analytics.advantage import complexity_table

    mode = output_mode(as_json, as_csv)
    n = args.top(top, default=args.DEFAULT_TOP)
    lang = args.lang(lang)
    grouping = _level(level, None, default="hs4")
    conv = args.choice(convention, ("ecomplexity", "stata", "oec"), field="--convention")
    result = complexity_table(
        world(home, source),
        args.year(year),
        level=grouping,
        economy=economy,
        convention=conv,
        top=n,
    )
    if emit(result, mode):
        return
    meta = result["metadata"]
    eci = result["eci"].head(n).to_dict(orient="records")
    t = Table(title=f"Economic Complexity Index, {year} ({meta['level']}, {conv} convention)")
    for col in ("rank", "economy", "ECI", "diversity"):
        t.add_column(col, justify=_justify(col == "economy"))
    for r in eci:
        t.add_row(whole(r["eci_rank"]), r["economy"], number(r["eci"], 3), whole(r["diversity"]))
    out.print(t)
    pci = result["pci"].head(n).to_dict(orient="records")
    p = Table(title="Product Complexity Index: the most complex products")
    for col in ("rank", "code", "product", "PCI", "ubiquity"):
        p.add_column(col, justify=_justify(col in ("code", "product")))
    for r, name in zip(pci, product_labels(pci, "code", lang, meta), strict=True):
        p.add_row(whole(r["pci_rank"]), r["code"], name, number(r["pci"], 3), whole(r["ubiquity"]))
    out.print(p)
    if "opportunities" in result:
        opp = result["opportunities"].to_dict(orient="records")
        o = Table(
            title=f"{result['economy']} (ECI rank {result['eci_rank']}): products it does not "
            "export with advantage yet, by opportunity gain"
        )
        for col in ("code", "product", "COG", "density", "PCI", "RCA"):
            o.add_column(col, justify=_justify(col in ("code", "product")))
        for r, name in zip(opp, product_labels(opp, "code", lang, meta), strict=True):
            o.add_row(
                r["code"],
                name,
                number(r["cog"], 3),
                number(r["density"], 3),
                number(r["pci"], 3),
                number(r["rca"]),
            )
        out.print(o)
    for notice in meta.get("notices") or []:
        out.print(f"note: {notice}", markup=False)
    _footer(meta)


def _justify(left: bool) -> Literal["left", "right"]:
    return "left" if left else "right"


def register(app: typer.Typer) -> None:
    """Add the world-level commands to ``app``."""
    for fn in (rca, indicators, complexity):
        add_command(app, fn)
