"""The public surface: ``silkroad.__all__``, ``sr.open``, ``store.flows()``, ``Pair(store)``."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
import pytest

import silkroad as sr
from silkroad.analytics.pair import Pair
from silkroad.store.schema import CANONICAL_COLUMNS

#: DuckDB type of the canonical table -> the Ibis type it must read back as.
IBIS_TYPES = {
    "VARCHAR": dt.string,
    "SMALLINT": dt.int16,
    "TINYINT": dt.int8,
    "BOOLEAN": dt.boolean,
    "DOUBLE": dt.float64,
}


def test_all_is_sorted_and_every_name_exists():
    assert sr.__all__ == sorted(sr.__all__)
    assert len(sr.__all__) == len(set(sr.__all__))
    for name in sr.__all__:
        assert hasattr(sr, name), name


def test_error_family():
    for name in ("InputError", "FormatError", "ReferenceDataError", "StoreError", "AnalysisError"):
        cls = getattr(sr, name)
        assert issubclass(cls, sr.SilkroadError)
        assert cls.exit_code == 2
    assert issubclass(sr.FormatError, sr.InputError)
    assert sr.SilkroadError.exit_code == 1
    err = sr.InputError("bad", path="x.csv", line=3, field="v", found="abc", expected="a number")
    assert str(err) == "x.csv, line 3, field 'v': bad; found 'abc'; expected a number"


def test_open_returns_a_store(world_home):
    store = sr.open(world_home)
    assert isinstance(store, sr.Store)
    assert store.home == world_home.resolve()
    assert sr.open_store(world_home).home == store.home


def test_flows_is_an_ibis_table_with_the_canonical_columns(world_store):
    table = world_store.flows()
    assert isinstance(table, ibis.Table)
    assert list(table.columns) == list(CANONICAL_COLUMNS)
    schema = table.schema()
    for name, duck_type in CANONICAL_COLUMNS.items():
        assert type(schema[name]) is type(IBIS_TYPES[duck_type]), (name, schema[name])
    # An Ibis expression over it: BLR's exports to KAZ in 2014 = 300.5 + 99.5 thousand USD.
    expr = table.filter(
        (table.exporter == "BLR") & (table.importer == "KAZ") & (table.year == 2014)
    ).value_usd.sum()
    assert expr.execute() == pytest.approx((300.5 + 99.5) * 1000)


def test_pair_summary_from_python(world_store):
    df = Pair(world_store, "BLR", "KAZ").summary(years=range(2014, 2016)).to_frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df.year) == [2014, 2015]
    assert df.attrs["metadata"]["source"] == "baci-hs92"


def test_ingest_returns_an_ingest_result(baci_files, home):
    path = baci_files.year_file(2014, ["2014,112,398,10121,1.5,3"])
    result = sr.ingest(sr.open(home), "baci", path)
    assert isinstance(result, sr.IngestResult)
    data = result.to_dict()
    assert (data["rows_read"], data["rows_loaded"], data["rows_rejected"]) == (1, 1, 0)
    assert data["ingest_id"] == result.record.id
