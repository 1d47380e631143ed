"""The reader contract and the engine seam (issue 9, items 4 and 5): source kinds carry the
policy that used to be string checks, and the store writes what readers hand it."""

from __future__ import annotations

import errno
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import silkroad as sr
from conftest import WORLD_2014, WORLD_2015
from silkroad.errors import StoreError
from silkroad.ingestion import READERS
from silkroad.sources.base import BACI, COMTRADE, KINDS, TABLE, kind_of
from silkroad.store.catalog import Catalog
from silkroad.store.schema import CANONICAL_COLUMNS, canonical_arrow_schema
from silkroad.store.store import Store


def test_kinds_carry_the_policy():
    assert BACI.reconciled and not BACI.declared and BACI.replaces == "release"
    for kind in (COMTRADE, TABLE):
        assert kind.declared and not kind.reconciled and kind.replaces_by_year
    # every reader names its kind, and the registry knows each kind once
    assert {r.kind.name for r in READERS.values()} == set(KINDS) == {"baci", "comtrade", "table"}


@pytest.mark.parametrize(
    ("source", "kind", "declarer"),
    [
        ("baci-hs92", "baci", None),
        ("synthetic-baci-hs17", "baci", None),
        ("comtrade-blr", "comtrade", "BLR"),
        ("comtrade-kaz", "comtrade", "KAZ"),
        ("table-blr-belstat", "table", "BLR"),
        ("table-kaz-stat.gov", "table", "KAZ"),
    ],
)
def test_source_id_convention(source, kind, declarer):
    k = kind_of(source)
    assert k.name == kind
    assert k.declarer_of(source) == declarer
    assert k.matches(source)


def test_declarer_of_an_id_of_another_convention_is_none():
    assert COMTRADE.declarer_of("table-blr-belstat") is None
    assert TABLE.declarer_of("comtrade-blr") is None
    assert BACI.declarer_of("comtrade-blr") is None


def test_kind_of_an_unknown_source_is_a_one_line_error():
    with pytest.raises(StoreError, match=r"cannot tell the kind of source 'eurostat-x'"):
        kind_of("eurostat-x")


def test_kind_of_catalog_entries(world_home):
    store = sr.open(world_home)
    state = store.catalog.sources["baci-hs92"]
    assert kind_of(state) is BACI
    record = store.catalog.ingests[state.years["2014"]]
    assert kind_of(record) is BACI
    (row,) = store.sources()
    assert kind_of(row) is BACI and row["kind"] == "baci"


def test_a_catalog_without_kinds_is_read_with_the_kind_of_each_id(world_home):
    path = world_home / "catalog.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in [*data["sources"].values(), *data["ingests"].values()]:
        del entry["kind"]
    path.write_text(json.dumps(data), encoding="utf-8")
    catalog = Catalog.load(path)
    assert {s.kind for s in catalog.sources.values()} == {"baci"}
    assert {r.kind for r in catalog.ingests.values()} == {"baci"}
    # and the store still reads it: the same flows as before
    assert sr.open(world_home).flows().count().execute() == len(WORLD_2014) + len(WORLD_2015)


def _one_row() -> pa.Table:
    row = {
        "source": "baci-hs92",
        "year": 2014,
        "month": None,
        "exporter": "BLR",
        "importer": "KAZ",
        "declared_by": "reconciled",
        "re_flow": False,
        "classification": "HS92",
        "product": "870120",
        "value_usd": 1.0,
        "weight_kg": None,
        "quantity": None,
        "quantity_unit": None,
    }
    return pa.Table.from_pylist([row], schema=canonical_arrow_schema())


def test_the_transaction_writes_arrow_and_refuses_wrong_columns(home):
    store = sr.open(home)
    with store.writer() as txn:
        assert txn.write_year(2014, _one_row()) == 1
        written = pq.read_table(txn.year_path(2014))
        assert written.column_names == list(CANONICAL_COLUMNS)
        with pytest.raises(StoreError, match=r"wrong columns.*found 'exporter'"):
            txn.write_year(2015, _one_row().select(["exporter"]))


def test_disk_full_while_writing_says_so(home, monkeypatch):

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", full)
    store = sr.open(home)
    with (
        store.writer() as txn,
        pytest.raises(StoreError, match=r"disk full while writing year 2014"),
    ):
        txn.write_year(2014, _one_row())


def test_a_store_asks_its_engine(home, baci_files):
    """The store runs no SQL itself: a store given another engine uses it for its queries."""
    from silkroad.store.engine import DuckDBEngine

    calls = []

    class Counting(DuckDBEngine):
        def connect(self):
            calls.append("connect")
            return super().connect()

        def write_pair_totals(self, year_file, data=None):
            calls.append("totals")
            super().write_pair_totals(year_file, data)

    store = Store(home, engine=Counting())
    sr.ingest(store, "baci", baci_files.release_dir({2014: WORLD_2014}))
    assert calls == ["totals"]
    assert store.flows().count().execute() == len(WORLD_2014)
    assert calls == ["totals", "connect"]
