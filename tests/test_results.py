"""The one result type and its serialiser: JSON types only, full precision, NaN as null, CSV
forms, and the synthetic label that CSV files keep."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from silkroad.results import SYNTHETIC_CSV_LINE, Result, dumps, jsonable


def _result(synthetic: bool = False) -> Result:
    rows = pd.DataFrame({"year": [2014, 2015], "value_usd": [0.1 + 0.2, math.nan]})
    other = pd.DataFrame({"code": ["0101"], "value_usd": [np.float64(1e15 + 0.5)]})
    return Result(
        kind="t",
        tables={"rows": rows, "other": other},
        metadata={"synthetic": synthetic, "years": (2014, 2015)},
        values={"cagr": {"exports": float("inf")}, "n": np.int64(3)},
        csv_tables=("rows", "other"),
    )


def test_to_dict_is_json_with_full_precision_and_nulls() -> None:
    d = _result().to_dict()
    text = dumps(d)  # allow_nan=False: would raise on a stray NaN
    back = json.loads(text)
    assert back["rows"][0]["value_usd"] == 0.1 + 0.2  # not rounded for display
    assert back["rows"][1]["value_usd"] is None
    assert back["other"][0]["value_usd"] == 1e15 + 0.5
    assert back["cagr"] == {"exports": None} and back["n"] == 3
    assert back["metadata"]["years"] == [2014, 2015]
    assert list(back) == ["metadata", "cagr", "n", "rows", "other"]


def test_mapping_access_and_frames() -> None:
    r = _result()
    assert r["rows"] is r.tables["rows"] and r["n"] == 3 and r["metadata"]["synthetic"] is False
    assert "other" in r and "missing" not in r and r.get("missing", 7) == 7
    with pytest.raises(KeyError):
        r["missing"]
    frame = r.to_frame()
    assert frame.attrs["metadata"] == r.metadata and frame.attrs["n"] == 3
    frame.loc[0, "value_usd"] = 99.0
    assert r.tables["rows"].loc[0, "value_usd"] != 99.0  # a copy


def test_csv_stacks_tables_and_keeps_the_synthetic_label() -> None:
    plain = _result().to_csv()
    assert not plain.startswith("#")
    frame = pd.read_csv(io.StringIO(plain), dtype={"code": str})
    assert frame.table.tolist() == ["rows", "rows", "other"]
    assert frame.code.tolist()[-1] == "0101"
    synthetic = _result(synthetic=True).to_csv()
    assert synthetic.startswith(SYNTHETIC_CSV_LINE)
    again = pd.read_csv(io.StringIO(synthetic), comment="#")
    assert len(again) == 3


def test_jsonable_handles_numpy_and_pandas_scalars() -> None:
    assert jsonable(np.float32(1.5)) == 1.5 and jsonable(np.bool_(True)) is True
    assert jsonable(pd.NA) is None and jsonable(pd.Timestamp("2014-01-01")).startswith("2014")
    assert jsonable({1: {2, 1}}) == {"1": [1, 2]}


def test_a_value_named_like_a_table_is_refused():
    """One JSON object holds values and tables: a shared name would lose the value."""
    import pandas as pd
    import pytest

    from silkroad.results import Result

    with pytest.raises(ValueError, match="share names"):
        Result(kind="x", tables={"eci": pd.DataFrame({"a": [1]})}, values={"eci": 0.5})


def test_an_economy_s_complexity_keeps_its_own_eci_in_json(baci_files, home):
    """complexity_table with an economy: its ECI is a value beside the ECI table, in JSON too."""
    import pytest

    import silkroad as sr
    from silkroad.analytics.advantage import complexity_table
    from test_advantage import _random_release

    store = sr.open(home)
    sr.ingest(store, "baci", _random_release(baci_files))
    cx = complexity_table(sr.world(store), 2015, level="hs6", economy="AFG")
    body = cx.to_dict()
    row = cx["eci"].set_index("economy").loc["AFG"]
    assert body["economy_eci"] == pytest.approx(float(row.eci))
    assert body["eci_rank"] == int(row.eci_rank)
    assert [r["economy"] for r in body["eci"]] == cx["eci"].economy.tolist()
