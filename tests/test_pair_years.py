"""A Pair reused for several questions reports, in each answer, the years skipped for that
answer only (Pair.years_not_held used to accumulate across its calls)."""

from __future__ import annotations

import silkroad as sr
from silkroad.analytics.pair import Pair


def test_a_reused_pair_reports_only_each_questions_skipped_years(baci_files, home) -> None:
    # A source holding 2007, 2013 and 2014 (a national table's gaps).
    lines = {
        2007: ["2007,112,398,870120,10,1"],
        2013: ["2013,112,398,870120,20,1"],
        2014: ["2014,112,398,870120,30,1"],
    }
    store = sr.open(home)
    sr.ingest(store, "baci", baci_files.release_dir(lines))
    pair = Pair(store, "BLR", "KAZ")
    gaps = pair.summary(years=range(2007, 2015))
    assert gaps["metadata"]["years_not_held"] == [2008, 2009, 2010, 2011, 2012]
    # The same Pair, next questions with no gap in them: nothing skipped.
    assert pair.summary(years=[2013, 2014])["metadata"]["years_not_held"] == []
    assert pair.profile([2013, 2014])["metadata"]["years_not_held"] == []
    assert pair.structure(2014)["metadata"]["years_not_held"] == []
    # A question with its own gaps reports its own, not the union with the first one's.
    some = pair.summary(years=range(2007, 2011))  # 2007 held, 2008-2010 not
    assert some.to_frame().year.tolist() == [2007]
    assert some["metadata"]["years_not_held"] == [2008, 2009, 2010]
    assert pair.summary(years=range(2012, 2015))["metadata"]["years_not_held"] == [2012]
