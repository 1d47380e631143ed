"""silkroad: bilateral trade intelligence from official trade statistics.

>>> import silkroad as sr
>>> store = sr.open()  # doctest: +SKIP
>>> store.pair("BLR", "KAZ").summary(years=range(2010, 2016))  # doctest: +SKIP
"""

from silkroad.errors import (
    AnalysisError,
    FormatError,
    InputError,
    ReferenceDataError,
    SilkroadError,
    StoreError,
)
from silkroad.ingest import ingest
from silkroad.store import IngestResult, Store, open_store

__version__ = "0.1.0"

#: ``sr.open(home=None)`` opens a store (``--home``, else ``$SILKROAD_HOME``, else user data dir).
open = open_store

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
    "ingest",
    "open",
    "open_store",
]
