"""Until the analyses return :class:`~silkroad.results.Result` themselves: wrap what they return.

Temporary: deleted once every analysis returns a Result (issue 9).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from silkroad.results import Result, bundle_result, table_result


def as_result(
    kind: str,
    value: Any,
    *,
    main: str | None = None,
    csv_tables: Sequence[str] | None = None,
) -> Result:
    """``value`` as a Result: a Result as is, a DataFrame with ``attrs`` or a dict of tables."""
    if isinstance(value, Result):
        return value
    if isinstance(value, pd.DataFrame):
        attrs = dict(value.attrs)
        meta = attrs.pop("metadata", {})
        frame = value.copy()
        frame.attrs = {}
        return table_result(kind, frame, meta, values=attrs)
    return bundle_result(kind, value, main=main, csv_tables=csv_tables)
