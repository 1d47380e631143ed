"""silkroad: bilateral trade intelligence from official trade statistics.

>>> import silkroad as sr
>>> store = sr.open()  # doctest: +SKIP
>>> sr.pair(store, "BLR", "KAZ").summary(years=range(2010, 2016)).to_frame()  # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from silkroad.errors import (
    AnalysisError,
    FormatError,
    InputError,
    ReferenceDataError,
    SilkroadError,
    StoreError,
)
from silkroad.store import IngestResult, Store, open_store

if TYPE_CHECKING:
    from silkroad.analytics.pair import Pair as pair
    from silkroad.analytics.world import World as world
    from silkroad.briefs import brief
    from silkroad.ingestion import ingest

__version__ = "0.1.0"

#: ``sr.open(home=None)`` opens a store (``--home``, else ``$SILKROAD_HOME``, else user data dir).
open = open_store


def __getattr__(name: str) -> Any:
    """Import the heavy parts (DuckDB readers, report rendering) only when first used."""
    if name == "ingest":
        from silkroad.ingestion import ingest

        return ingest
    if name == "pair":
        from silkroad.analytics.pair import Pair

        return Pair
    if name == "world":
        from silkroad.analytics.world import World

        return World
    if name == "brief":
        from silkroad.briefs import brief

        return brief
    raise AttributeError(f"module 'silkroad' has no attribute {name!r}")


__all__ = [
    "AnalysisError",
    "FormatError",
    "IngestResult",
    "InputError",
    "ReferenceDataError",
    "SilkroadError",
    "Store",
    "StoreError",
    "__version__",
    "brief",
    "ingest",
    "open",
    "open_store",
    "pair",
    "world",
]
