"""The canonical store: Parquet files per source and year, a catalog of ingests, one writer."""

from silkroad.store.catalog import Catalog, IngestRecord
from silkroad.store.schema import CANONICAL_COLUMNS
from silkroad.store.store import IngestResult, Store, open_store

__all__ = ["CANONICAL_COLUMNS", "Catalog", "IngestRecord", "IngestResult", "Store", "open_store"]
