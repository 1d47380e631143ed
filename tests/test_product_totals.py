"""Product totals written at ingest beside each year file, and the world panels read from them.

Figures come from the hand-worked world of conftest.py (thousands of USD in the files).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import silkroad as sr
from silkroad.reference.baskets import baskets_from_dict
from silkroad.store.engine import PRODUCT_TOTALS

K = 1000.0


def _totals(home, year: int) -> pd.DataFrame:
    (path,) = [p for p in (home / "data").rglob(PRODUCT_TOTALS) if f"year={year}" in str(p)]
    return pd.read_parquet(path)


def test_each_economy_s_exports_and_imports_per_product_as_the_lines_say(world_home):
    t = _totals(world_home, 2014).set_index(["side", "economy", "product"]).value_usd
    # BLR exports 870120: 300.5 to KAZ + 1000 to RUS; KAZ imports 270900: 700 from RUS
    assert t[("exports", "BLR", "870120")] == pytest.approx(1300.5 * K)
    assert t[("exports", "BLR", "040210")] == pytest.approx(99.5 * K)
    assert t[("imports", "KAZ", "270900")] == pytest.approx(700 * K)
    assert t[("imports", "BLR", "847130")] == pytest.approx(20 * K)  # from USA
    # every 2014 flow is once an export and once an import
    world = (300.5 + 99.5 + 250 + 50 + 1000 + 700 + 20) * K
    assert t.xs("exports").sum() == pytest.approx(world)
    assert t.xs("imports").sum() == pytest.approx(world)
    assert ("exports", "BLR", "270900") not in t.index  # no zero rows


def _without_totals(home):
    for p in (home / "data").rglob(PRODUCT_TOTALS):
        p.unlink()
    return sr.open(home)


@pytest.mark.parametrize("level", ["hs2", "hs4", "hs6", "baskets"])
def test_panels_from_the_totals_equal_panels_from_the_flows(world_home, tmp_path, level):
    import shutil

    copy = tmp_path / "old-home"
    shutil.copytree(world_home, copy)
    if level == "baskets":
        level = baskets_from_dict(
            {
                "name": "t",
                "baskets": [
                    {"id": "cars", "name_en": "Tractors", "name_ru": "Тракторы", "hs": ["8701"]},
                    {"id": "fuel", "name_en": "Oil", "name_ru": "Нефть", "hs": ["27"]},
                ],
            }
        )
    store = sr.open(world_home)
    assert store.product_totals(store.catalog.current_files()[0][0]) is not None
    new = sr.world(store).panels(level=level)
    old_store = _without_totals(copy)
    assert old_store.product_totals(old_store.catalog.current_files()[0][0]) is None
    old = sr.world(old_store).panels(level=level)
    assert new.keys() == old.keys() == {2014, 2015}
    for y in new:
        assert new[y].economies == old[y].economies
        assert new[y].products == old[y].products
        np.testing.assert_allclose(new[y].exports, old[y].exports, rtol=1e-12)
        np.testing.assert_allclose(new[y].imports, old[y].imports, rtol=1e-12)


def test_a_deleted_product_totals_file_is_a_problem_for_check(world_home):
    victim = next((world_home / "data").rglob(PRODUCT_TOTALS))
    victim.unlink()
    report = sr.open(world_home).check()
    assert not report.ok
    assert [p.path for p in report.problems] == [victim.relative_to(world_home).as_posix()]
