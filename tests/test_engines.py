"""The same analyses on both engines: DuckDB and Spark (local mode) over the same store.

Every analysis is run on a store opened with each engine and the results are compared table by
table, column by column, to 1e-9 (relative). The DuckDB numbers are checked against hand-worked
and reference figures in the other test modules; here a few hand-worked figures are checked on
every engine too, so that the comparison cannot pass on two equally wrong answers. One Spark
session serves the whole module (started on first use, stopped at the end).
"""

from __future__ import annotations

import dataclasses
import gc
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import silkroad as sr
from conftest import COUNTRIES_NEW, WORLD_2014, WORLD_2015, BaciFiles
from silkroad.analytics import advantage, market
from silkroad.analytics.pair import Pair
from silkroad.analytics.world import Panel, World
from silkroad.errors import InputError, SilkroadError
from silkroad.results import Result
from silkroad.store.engine import DuckDBEngine, make_engine
from silkroad.store.spark import SparkEngine, parse_conf, session_conf, stop_shared_session
from silkroad.store.store import Store
from test_comtrade import write_json
from test_mirror import BLR_DECL, KAZ_DECL

#: py4j (PySpark's bridge to the JVM) leaves its sockets to the garbage collector (the module's
#: last teardown stops Spark and collects them, so none is reported in another module), and
#: PySpark 3.5 compares versions with distutils' deprecated LooseVersion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning",
    "ignore:unclosed <socket.socket:ResourceWarning",
    "ignore:distutils Version classes are deprecated:DeprecationWarning",
)

ENGINES = ("duckdb", "spark")
RTOL = 1e-9
#: Numbers that are zero on one engine may come out as a rounding residue on the other.
ATOL = 1e-12

#: The economies of the generated part of the world (ISO numeric = BACI codes): BLR, KAZ, RUS
#: and eleven others, so that complexity is defined.
NESTED_CODES = [112, 398, 643, 4, 8, 12, 32, 36, 40, 56, 76, 124, 156, 276]
#: Chapter-01 and 02 HS6 codes of the generated part (none is in the hand-worked world).
NESTED_PRODUCTS = [f"{c:06d}" for c in range(10110, 10110 + 20 * 10, 10)] + [
    f"{c:06d}" for c in range(20110, 20110 + 10 * 10, 10)
]


def nested_lines(year: int, seed: int) -> list[str]:
    """BACI lines of a nested world (diversified economies export the rarer products), with
    uneven values in thousands of USD, so that sums in another order round differently."""
    rng = np.random.default_rng([seed, year])
    n_e, n_p = len(NESTED_CODES), len(NESTED_PRODUCTS)
    lines = []
    for i, e in enumerate(NESTED_CODES):
        for k, product in enumerate(NESTED_PRODUCTS):
            if rng.random() >= 0.95 - 0.8 * (k / n_p) * (i / n_e):
                continue
            partners = rng.choice([c for c in NESTED_CODES if c != e], size=3, replace=False)
            for j in partners[: 1 + int(rng.integers(0, 3))]:
                value = round(float(rng.lognormal(5, 1.5)), 3)
                q = "NA" if rng.random() < 0.1 else f"{value / rng.uniform(0.5, 5):.3f}"
                lines.append(f"{year},{e},{j},{int(product)},{value},{q}")
    return lines


@pytest.fixture(scope="module")
def trade_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked world of conftest.py plus a generated nested world, 2014 and 2015."""
    root = tmp_path_factory.mktemp("engines")
    release = BaciFiles(root / "in").release_dir(
        {
            2014: WORLD_2014 + nested_lines(2014, 11),
            2015: WORLD_2015 + nested_lines(2015, 11),
        },
        countries=COUNTRIES_NEW,
    )
    result = sr.ingest(sr.open(root / "home"), "baci", release)
    assert result.rows_rejected == 0, result.rejected_by_reason
    return root / "home"


@pytest.fixture(scope="module")
def declared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The declared statistics of test_mirror.py: BLR's and KAZ's Comtrade records for 2016."""
    root = tmp_path_factory.mktemp("declared")
    home = root / "home"
    sr.ingest(sr.open(home), "comtrade", write_json(root / "blr.json", BLR_DECL))
    sr.ingest(sr.open(home), "comtrade", write_json(root / "kaz.json", KAZ_DECL))
    return home


@pytest.fixture(scope="module")
def spark_engine():
    """The Spark engine in local mode; its one session is shared by every test here."""
    engine = SparkEngine(master="local[2]", conf={})
    yield engine
    stop_shared_session()
    gc.collect()


@pytest.fixture(scope="module")
def engines(spark_engine: SparkEngine) -> dict[str, Any]:
    return {"duckdb": DuckDBEngine(), "spark": spark_engine}


@pytest.fixture(scope="module")
def trade_stores(trade_home: Path, engines) -> dict[str, Store]:
    """One open store per engine over the same files (each reads its Parquet schemas once)."""
    return {e: Store(trade_home, engine=engines[e]) for e in ENGINES}


@pytest.fixture(scope="module")
def declared_stores(declared_home: Path, engines) -> dict[str, Store]:
    return {e: Store(declared_home, engine=engines[e]) for e in ENGINES}


# --- comparing results ---------------------------------------------------------------------------
def assert_same(a: Any, b: Any, where: str = "result") -> None:
    """``a`` and ``b`` equal: floats to RTOL (NaN equal to NaN), everything else exactly."""
    if isinstance(a, Result):
        assert isinstance(b, Result), where
        assert a.kind == b.kind and a.main == b.main, where
        assert_same(a.metadata, b.metadata, f"{where}.metadata")
        assert_same(a.values, b.values, f"{where}.values")
        assert_same(a.tables, b.tables, f"{where}.tables")
    elif isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), where
        assert list(a.columns) == list(b.columns), where
        assert len(a) == len(b), f"{where}: {len(a)} rows against {len(b)}"
        assert_same(list(a.index), list(b.index), f"{where}.index")
        for col in a.columns:
            assert_column(a[col], b[col], f"{where}[{col!r}]")
    elif isinstance(a, pd.Series):
        assert_column(a, b, where)
    elif isinstance(a, Panel):
        assert isinstance(b, Panel), where
        for f in dataclasses.fields(Panel):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape, where
        assert_column(pd.Series(a.ravel()), pd.Series(b.ravel()), where)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{where}: keys {list(a)} {list(b)}"
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{n}]")
    elif isinstance(a, float | np.floating) and not isinstance(a, bool):
        assert isinstance(b, float | np.floating | int), where
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(
            a, b, rel_tol=RTOL, abs_tol=ATOL
        ), f"{where}: {a!r} against {b!r}"
    else:
        assert a == b or (pd.isna(a) and pd.isna(b)), f"{where}: {a!r} against {b!r}"


def assert_column(a: pd.Series, b: pd.Series, where: str) -> None:
    if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        close = np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True)
        assert close.all(), f"{where}: {x[~close][:3]} against {y[~close][:3]}"
    else:
        for n, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
            assert_same(x, y, f"{where}[{n}]")


def not_empty(value: Any) -> bool:
    """True if a result holds at least one row: the comparison is not of two empty tables."""
    if isinstance(value, Result):
        return any(not t.empty for t in value.tables.values())
    if isinstance(value, pd.DataFrame):
        return not value.empty
    if isinstance(value, Panel):
        return bool(value.exports.any())
    return value is not None


# --- the analyses --------------------------------------------------------------------------------
def pair(store: Store) -> Pair:
    return Pair(store, "BLR", "KAZ")


TRADE: dict[str, Callable[[Store], Any]] = {
    "summary": lambda s: pair(s).summary(),
    "profile": lambda s: pair(s).profile(base=2014),
    "structure_hs2": lambda s: pair(s).structure(2015, level="hs2"),
    "structure_hs6_imports": lambda s: pair(s).structure(2015, direction="imports", level="hs6"),
    "structure_section": lambda s: pair(s).structure(2015, level="section", base=2014),
    "movers": lambda s: pair(s).movers(2015, top=5),
    "prices": lambda s: pair(s).prices(2015),
    "prices_imports": lambda s: pair(s).prices(2015, direction="imports"),
    "bloc_summary": lambda s: Pair(s, "EAEU", "CHN").summary(),
    "world_panel": lambda s: World(s).panel(2015, level="hs6"),
    "world_panels_hs4": lambda s: World(s).panels(level="hs4"),
    "world_long": lambda s: World(s).long(level="hs4"),
    "world_bilateral_totals": lambda s: World(s).bilateral_totals(),
    "rca_table": lambda s: advantage.rca_table(World(s), "BLR", 2015, level="hs6"),
    "rca_table_bloc": lambda s: advantage.rca_table(World(s), "EAEU", 2015, level="hs4"),
    "pair_indicators": lambda s: advantage.pair_indicators(World(s), "BLR", "KAZ", 2015),
    "complexity_table": lambda s: advantage.complexity_table(
        World(s), 2015, level="hs6", economy="BLR"
    ),
    "partner_market": lambda s: market.partner_market(World(s), "BLR", "KAZ", 2015, level="hs6"),
}

DECLARED: dict[str, Callable[[Store], Any]] = {
    "mirror_hs6": lambda s: pair(s).mirror(2016, level="hs6", top=None),
    "mirror_hs2": lambda s: pair(s).mirror(2016, level="hs2"),
    "summary_exporter": lambda s: Pair(s, "BLR", "KAZ", perspective="exporter").summary(),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TRADE))
def test_same_numbers_on_both_engines(name: str, trade_stores: dict[str, Store]) -> None:
    duck, spark = (TRADE[name](trade_stores[e]) for e in ENGINES)
    assert not_empty(duck)
    assert_same(duck, spark, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DECLARED))
def test_same_numbers_on_declared_data(name: str, declared_stores: dict[str, Store]) -> None:
    duck, spark = (DECLARED[name](declared_stores[e]) for e in ENGINES)
    assert not_empty(duck)
    assert_same(duck, spark, name)


# --- hand-worked figures on each engine ------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_hand_worked_figures_on_each_engine(
    engine: str, trade_stores: dict[str, Store], declared_stores: dict[str, Store]
) -> None:
    store = trade_stores[engine]
    # conftest.py: BLR -> KAZ 300.5 + 99.5 in 2014, 450 + 50.25 in 2015; KAZ -> BLR 250 + 50,
    # then 150 (thousands of USD); the generated part adds its own BLR-KAZ flows.
    nested = pd.DataFrame(
        [line.split(",") for y in (2014, 2015) for line in nested_lines(y, 11)],
        columns=["t", "i", "j", "k", "v", "q"],
    ).astype({"t": int, "i": int, "j": int, "v": float})
    extra = {
        (y, d): nested[(nested.t == y) & (nested.i == i) & (nested.j == j)].v.sum() * 1000
        for y in (2014, 2015)
        for d, (i, j) in {"x": (112, 398), "m": (398, 112)}.items()
    }
    s = pair(store).summary().to_frame().set_index("year")
    assert s.loc[2014, "exports_usd"] == pytest.approx(400_000 + extra[2014, "x"], rel=1e-12)
    assert s.loc[2015, "exports_usd"] == pytest.approx(500_250 + extra[2015, "x"], rel=1e-12)
    assert s.loc[2014, "imports_usd"] == pytest.approx(300_000 + extra[2014, "m"], rel=1e-12)
    assert s.loc[2015, "imports_usd"] == pytest.approx(150_000 + extra[2015, "m"], rel=1e-12)
    # 870120 is exported by BLR alone (to KAZ and RUS): its RCA is 1/(share of BLR in world).
    rca = advantage.rca_table(World(store), "BLR", 2014, level="hs6")["rows"].set_index("code")
    blr = nested[(nested.t == 2014) & (nested.i == 112)].v.sum() + 1400.0
    world = nested[nested.t == 2014].v.sum() + 2420.0
    assert rca.loc["870120", "rca"] == pytest.approx(world / blr, rel=1e-12)
    # test_mirror.py: KAZ declares BLR's exports x 1.06
    mirror = pair(declared_stores[engine]).mirror(2016, level="hs6")
    ex = mirror["exports"].set_index("code")
    assert ex.loc["870120", "cif_fob_ratio"] == pytest.approx(1.06, rel=1e-12)
    assert ex.loc["870120", "gap_usd"] == pytest.approx(60.0, rel=1e-12)


# --- choosing the engine ---------------------------------------------------------------------
def test_engine_is_chosen_by_the_setting(monkeypatch, world_home: Path) -> None:
    monkeypatch.setenv("SILKROAD_ENGINE", "spark")
    monkeypatch.setenv("SILKROAD_SPARK_MASTER", "local[3]")
    monkeypatch.setenv(
        "SILKROAD_SPARK_CONF", "spark.executor.memory=2g, spark.sql.ansi.enabled=true"
    )
    engine = sr.open(world_home).engine
    assert isinstance(engine, SparkEngine)  # nothing started yet: a session starts on connect
    assert engine.master == "local[3]"
    assert engine.conf == {"spark.executor.memory": "2g", "spark.sql.ansi.enabled": "true"}
    monkeypatch.setenv("SILKROAD_ENGINE", " DuckDB ")
    assert isinstance(sr.open(world_home).engine, DuckDBEngine)
    monkeypatch.delenv("SILKROAD_ENGINE")
    assert make_engine().name == "duckdb"
    assert make_engine("spark").name == "spark"


def test_unknown_engine_is_a_one_line_error(monkeypatch, world_home: Path) -> None:
    monkeypatch.setenv("SILKROAD_ENGINE", "polars")
    with pytest.raises(InputError) as exc:
        sr.open(world_home)
    message = str(exc.value)
    assert "\n" not in message
    assert "SILKROAD_ENGINE" in message and "'polars'" in message
    assert "one of: duckdb, spark" in message
    with pytest.raises(InputError, match="one of: duckdb, spark"):
        make_engine("sparkk")


def test_spark_configuration_is_fixed_where_duckdb_semantics_need_it() -> None:
    conf = session_conf("local[2]", {"spark.executor.memory": "4g"})
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.ansi.enabled"] == "false"
    assert int(conf["spark.sql.shuffle.partitions"]) <= 8
    assert conf["spark.executor.memory"] == "4g"
    assert not any(k.startswith("spark.jars") for k in conf)
    cluster = session_conf("spark://10.0.0.1:7077", {})
    assert "spark.sql.shuffle.partitions" not in cluster  # a cluster keeps its own default
    assert "spark.driver.bindAddress" not in cluster


def test_spark_configuration_text_and_refused_downloads() -> None:
    assert parse_conf("") == {}
    assert parse_conf("a.b=1,\n c = x=y ") == {"a.b": "1", "c": "x=y"}
    with pytest.raises(InputError, match=r"SILKROAD_SPARK_CONF.*'spark\.executor\.memory'"):
        parse_conf("spark.executor.memory")
    with pytest.raises(InputError, match="never lets Spark download"):
        parse_conf("spark.jars.packages=org.apache.hadoop:hadoop-aws:3.3.4")
    with pytest.raises(InputError, match="never lets Spark download"):
        SparkEngine(conf={"spark.jars.repositories": "https://repo.example"})


@pytest.mark.slow
def test_one_session_serves_every_store(trade_home: Path, world_home: Path, engines) -> None:
    spark = engines["spark"]
    one, two = Store(trade_home, engine=spark), Store(world_home, engine=spark)
    # One ingest each: both stores name their first view flows_g1_0. In one SQL session the
    # second would replace the first; each store has its own session over the one context.
    big, small = one.flows(), two.flows()
    assert big.get_name() == small.get_name()
    assert big.count().execute() == len(WORLD_2014 + WORLD_2015) + sum(
        len(nested_lines(y, 11)) for y in (2014, 2015)
    )
    assert small.count().execute() == len(WORLD_2014 + WORLD_2015)
    c1, c2 = one.connection(), two.connection()
    assert c1._session is not c2._session
    assert c1._session.sparkContext is c2._session.sparkContext
    assert c1._session.conf.get("spark.sql.session.timeZone") == "UTC"
    assert c2._session.conf.get("spark.sql.ansi.enabled") == "false"
    with pytest.raises(SilkroadError, match="another master"):
        SparkEngine(master="local[1]", conf={}).connect()
