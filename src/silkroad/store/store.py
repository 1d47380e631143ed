"""The store on disk: snapshot reads for everyone, atomic commits for one writer at a time.

Layout of a store home::

    catalog.json                 current state (atomic replace), with the retired data dirs
    lock                         writer lock (filelock); readers never take it
    data/<source>/<ingest id>/   year=YYYY/part-0.parquet per year, rejected.parquet
    tmp/<ingest id>/             an ingest in progress; removed by the next writer if abandoned

An ingest writes everything under ``tmp/``, renames the directory into ``data/`` and then
replaces ``catalog.json``. A process killed at any point before that last step leaves the
previous catalog, so readers keep seeing exactly the previous state.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from silkroad import settings
from silkroad.errors import StoreError
from silkroad.kinds import kind_of
from silkroad.store.catalog import Catalog, IngestRecord, SourceState
from silkroad.store.engine import PAIR_TOTALS, PRODUCT_TOTALS, Engine, RejectedPart, default_engine
from silkroad.store.schema import CANONICAL_COLUMNS, REJECTED_COLUMNS

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from silkroad.store.check import StoreCheck

CATALOG = "catalog.json"


def utcnow() -> str:
    """Current UTC time as ISO 8601 with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class IngestResult:
    """What an ingest did: counts, time, and whether it was a no-op."""

    source: str
    input_path: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    seconds: float
    noop: bool = False
    message: str = ""
    record: IngestRecord | None = None
    replaced_version: str | None = None
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @classmethod
    def unchanged(
        cls, record: IngestRecord, path: str | os.PathLike[str], seconds: float
    ) -> IngestResult:
        """The result of re-ingesting an input the store already holds: nothing happens."""
        return cls(
            source=record.source,
            input_path=str(path),
            rows_read=0,
            rows_loaded=0,
            rows_rejected=0,
            seconds=seconds,
            noop=True,
            message=(
                f"already ingested on {record.finished_at} "
                f"(sha256 {record.input_sha256[:12]}…); nothing changed"
            ),
            record=record,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "input_path": self.input_path,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "seconds": round(self.seconds, 3),
            "noop": self.noop,
            "message": self.message,
            "replaced_version": self.replaced_version,
            "rejected_by_reason": self.rejected_by_reason,
            "ingest_id": self.record.id if self.record else None,
        }


def check_counts(path: str | os.PathLike[str], read: int, loaded: int, rejected: int) -> None:
    """Refuse to commit an ingest whose rows do not add up: read = loaded + rejected."""
    if read != loaded + rejected:
        raise StoreError(
            "row counts do not add up; nothing was committed",
            path=os.fspath(path),
            found=f"read {read}, loaded {loaded}, rejected {rejected}",
            expected="read = loaded + rejected",
        )


class WriteTransaction:
    """One ingest in progress: a private staging directory, committed in one step.

    Readers hand it each year's canonical rows (:meth:`write_year`) and their rejected rows
    (:meth:`write_rejected`) as Arrow data or DuckDB relations; the store's engine writes the
    Parquet files.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        self.id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        self.staging = store.home / "tmp" / self.id
        self.staging.mkdir(parents=True)
        self.committed = False
        self._rejected_parts: list[Path] = []
        self._totals_written: set[int] = set()  # years whose reader wrote their totals
        self._lock = threading.Lock()  # readers may stage several years at once
        self._sealing: dict[Path, Future[tuple[int, int, str]]] = {}  # see seal_year
        #: Set by a reader when its staging leaves cores idle (a single-threaded write): work
        #: that runs beside staging, such as hashing the input, waits for it (see ingestion).
        self.idle = threading.Event()

    def year_path(self, year: int) -> Path:
        """Where the canonical Parquet file for ``year`` is staged (to read it back)."""
        return self.staging / f"year={year}" / "part-0.parquet"

    def write_year(self, year: int, data: Any) -> int:
        """Stage ``year``'s canonical rows (CANONICAL_COLUMNS, in the store's sort order; an
        Arrow table or batch reader, or a DuckDB relation); returns the rows written. Writing
        a year again replaces what was staged for it (and its totals, if any were handed)."""
        self._totals_written.discard(year)
        self._unseal(self.year_path(year))
        return self.engine.write(
            data, self.year_path(year), columns=list(CANONICAL_COLUMNS), what=f"year {year}"
        )

    def seal_year(self, year: int) -> None:
        """Start making ``year``'s staged file durable and taking its checksum, in a thread,
        while the reader goes on (its totals, the next year); the commit waits for it. Writing
        the year again discards the seal."""
        path = self.year_path(year)
        self._unseal(path)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="silkroad-seal")
        sealing = pool.submit(_sealed, path)
        pool.shutdown(wait=False)
        with self._lock:
            self._sealing[path] = sealing

    def _unseal(self, path: Path) -> None:
        """Forget ``path``'s seal, once its thread is done (its result, or error, no longer
        counts: the file is about to be written again)."""
        with self._lock:
            done = self._sealing.pop(path, None)
        if done is not None:
            done.exception()  # waits, and does not raise

    def _checksum(self, path: Path) -> str:
        """``path``'s sha256 once it is durable: from its seal when the file is unchanged."""
        with self._lock:
            done = self._sealing.pop(path, None)
        if done is not None and done.exception() is None:
            size, mtime, sha = done.result()
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) == (size, mtime):
                return sha
        return _fsync_file(path)

    def write_totals(self, year: int, *, pair: Any, product: Any) -> None:
        """Stage ``year``'s pair and product totals as a reader computed them in the pass that
        wrote the year (the engine's columns and order; see :class:`Engine`), so that the
        commit does not read the year file back to compute them. Call after
        :meth:`write_year`."""
        year_file = self.year_path(year)
        self.engine.write_pair_totals(year_file, pair)
        self.engine.write_product_totals(year_file, product)
        self._totals_written.add(year)

    def write_rejected(self, data: Any) -> dict[str, int]:
        """Stage rejected rows (REJECTED_COLUMNS; Arrow or a relation); returns their count
        per reason code. Parts are merged, ordered by file and line, at commit."""
        with self._lock:
            part = self.staging / "_rejected" / f"part-{len(self._rejected_parts)}.parquet"
            self._rejected_parts.append(part)
        n = self.engine.write(data, part, columns=list(REJECTED_COLUMNS), what="rejected rows")
        return self.engine.count_codes(part) if n else {}

    @property
    def rejected_path(self) -> Path:
        """Where the merged quarantine file is written at commit."""
        return self.staging / "rejected.parquet"

    @property
    def scratch(self) -> Path:
        """A directory for temporary files (extracted members, spill); not committed."""
        path = self.staging / "_scratch"
        path.mkdir(exist_ok=True)
        return path

    def commit(
        self, record: IngestRecord, *, force: bool = False, partial: bool = False
    ) -> str | None:
        """Publish the staged files and the catalog entry; returns a replaced older version.

        ``partial`` marks an input that is one piece of a release (a single year file): it may
        not replace another release wholesale, which would drop the years it does not carry.
        """
        kind = kind_of(record)
        self.engine.merge_rejected(self._rejected_parts, self.rejected_path)
        shutil.rmtree(self.staging / "_rejected", ignore_errors=True)
        shutil.rmtree(self.staging / "_scratch", ignore_errors=True)
        for year in record.years:
            if year not in self._totals_written:
                self.engine.write_pair_totals(self.year_path(year))
                self.engine.write_product_totals(self.year_path(year))
        home = self.store.home
        catalog = Catalog.load(home / CATALOG)  # re-read under the lock
        referenced_before = catalog.referenced_dirs()
        state = catalog.sources.get(record.source)
        replaced = None
        if (
            state is not None
            and kind.replaces == "release"
            and state.source_version != record.source_version
        ):
            if record.source_version < state.source_version and not force:
                raise StoreError(
                    f"the store holds {record.source} release {state.source_version}, "
                    f"newer than {record.source_version}",
                    path=record.input_path,
                    expected="a release at least as new",
                    hint="pass --force to replace the newer release with the older one",
                )
            dropped = sorted(int(y) for y in state.years if int(y) not in record.years)
            if dropped and partial and not force:
                raise StoreError(
                    f"release {record.source_version} covers {_span(record.years)} only; "
                    f"replacing release {state.source_version} would drop {_span(dropped)}",
                    path=record.input_path,
                    expected="the whole new release (CEPII advises against mixing versions)",
                    hint="ingest the full release, or pass --force to keep only these years",
                )
            replaced = state.source_version
            state = None
        if state is not None and kind.replaces_by_year and not force:
            self._refuse_narrower_scope(catalog, state, record)
        if state is None:
            state = SourceState(
                source=record.source,
                kind=record.kind,
                source_version=record.source_version,
                classification=record.classification,
                synthetic=record.synthetic,
            )
        final_rel = Path("data") / record.source / self.id
        final = home / final_rel
        checksums = {}
        for path in sorted(self.staging.rglob("*.parquet")):
            checksums[(final_rel / path.relative_to(self.staging)).as_posix()] = self._checksum(
                path
            )
        record.checksums = checksums
        final.parent.mkdir(parents=True, exist_ok=True)
        # Recorded before the rename: a commit killed between the two leaves a directory the
        # next writer knows it may collect (it collects nothing the catalog does not list).
        catalog.staging[final_rel.as_posix()] = utcnow()
        catalog.save(home / CATALOG)
        os.rename(self.staging, final)
        del catalog.staging[final_rel.as_posix()]
        record.dir = final_rel.as_posix()
        record.files = {
            str(y): (final_rel / f"year={y}" / "part-0.parquet").as_posix() for y in record.years
        }
        record.rejected_file = (final_rel / "rejected.parquet").as_posix()
        for year in record.years:
            state.years[str(year)] = record.id
        state.synthetic = record.synthetic
        catalog.sources[record.source] = state
        catalog.ingests[record.id] = record
        catalog.generation += 1
        now = utcnow()
        for rel in referenced_before - catalog.referenced_dirs():
            catalog.retired[rel] = now
        catalog.save(home / CATALOG)
        self.committed = True
        self.store.refresh()
        return replaced

    def _refuse_narrower_scope(
        self, catalog: Catalog, state: SourceState, record: IngestRecord
    ) -> None:
        """Declared data is replaced year by year: refuse when the new input for a held year
        lacks flows (exporter, importer, declarer) that the held data has, e.g. a reporter's
        file for partner RUS replacing its file for partner BLR, or imports replacing exports."""
        overlap = [y for y in record.years if str(y) in state.years]
        for year in overlap:
            old_id = state.years[str(year)]
            old = self.store.home / catalog.ingests[old_id].files[str(year)]
            missing = self.engine.missing_flows(old, self.year_path(year))
            if missing:
                shown = ", ".join(f"{e}→{i} ({d})" for e, i, d in missing[:3])
                more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                raise StoreError(
                    f"this input would replace {record.source} {year} but lacks flows the "
                    f"store holds: {shown}{more}",
                    path=record.input_path,
                    expected="a file covering the same partners and flows for that year",
                    hint="ingest a file with all of them, or pass --force to replace anyway",
                )

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


class Store:
    """A silkroad store at ``home``; reads see one consistent snapshot until ``refresh()``."""

    def __init__(
        self, home: str | os.PathLike[str] | None = None, *, engine: Engine | None = None
    ) -> None:
        self.home = settings.resolve_home(home)
        #: the query engine (DuckDB unless another is given): the store runs no SQL itself
        self.engine: Engine = engine if engine is not None else default_engine()
        self._catalog: Catalog | None = None
        self._con: Any = None
        self._flows: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"Store({str(self.home)!r})"

    @property
    def catalog_path(self) -> Path:
        """The catalog file; its modification marks a commit (caches can watch it)."""
        return self.home / CATALOG

    # --- snapshot ------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load(self.home / CATALOG)
        return self._catalog

    def refresh(self) -> None:
        """Drop the cached snapshot; the next read sees the latest committed state."""
        self._catalog = None
        self._flows = None

    def is_synthetic(self) -> bool:
        """True if any current source is silkroad's synthetic demo world."""
        return any(s.synthetic for s in self.catalog.sources.values())

    def years(self, source: str | None = None) -> list[int]:
        """Years for which the store holds data (of one source, or of any)."""
        return sorted({y for _, y, _ in self.catalog.current_files(source)})

    def sources(self) -> list[dict[str, Any]]:
        """Per source: version, years, rows, ingests with their input sha256."""
        out = []
        for name, state in sorted(self.catalog.sources.items()):
            ingests = self.catalog.current_ingests(name)
            read = rows = rejected = 0
            for r in ingests:
                current = self._current_years(r)
                if current == sorted(r.years):
                    read += r.rows_read
                    rows, rejected = rows + r.rows_loaded, rejected + r.rows_rejected
                else:  # a later ingest replaced some of its years: count only the others
                    loaded = sum(self._parquet_rows(r.files[str(y)]) for y in current)
                    quarantined = self.engine.count_rejected([self._rejected_part(r)])
                    rows, rejected = rows + loaded, rejected + quarantined
                    read += loaded + quarantined
            out.append(
                {
                    "source": name,
                    "kind": state.kind,
                    "version": state.source_version,
                    "classification": state.classification,
                    "synthetic": state.synthetic,
                    "years": sorted(int(y) for y in state.years),
                    "rows_read": read,
                    "rows": rows,
                    "rows_rejected": rejected,
                    "inputs": [
                        {
                            "path": r.input_path,
                            "sha256": r.input_sha256,
                            "years": self._current_years(r),
                            "ingested_at": r.finished_at,
                        }
                        for r in ingests
                    ],
                }
            )
        return out

    def _current_years(self, record: IngestRecord) -> list[int]:
        """Years of ``record`` that it still supplies (a later ingest may have replaced some)."""
        years = self.catalog.sources[record.source].years
        return sorted(y for y in record.years if years.get(str(y)) == record.id)

    def _parquet_rows(self, rel: str) -> int:
        import pyarrow.parquet as pq

        return int(pq.read_metadata(self.home / rel).num_rows)

    def _rejected_part(self, record: IngestRecord) -> RejectedPart:
        """The quarantine file of ``record`` and the years it still supplies (None: all)."""
        current = self._current_years(record)
        years = None if current == sorted(record.years) else current
        return self.home / record.rejected_file, years

    # --- queries -------------------------------------------------------------------------
    def connection(self) -> Any:
        """The Ibis backend that queries this store (the engine's; DuckDB in-memory by default)."""
        if self._con is None:
            self._con = self.engine.connect()
        return self._con

    def parquet_files(self, source: str | None = None) -> list[Path]:
        """Absolute paths of the current Parquet files."""
        return [self.home / rel for _, _, rel in self.catalog.current_files(source)]

    def pair_totals(self, source: str) -> ibis.Table:
        """An Ibis table of per-year totals by (exporter, importer, declared_by, re_flow).

        Columns: source, year, month, exporter, importer, declared_by, re_flow, value_usd (USD),
        products (number of product rows). Written at ingest beside each year file.
        """
        key = f"totals:{source}"
        self.flows(source)  # validates the source and initialises the cache
        assert self._flows is not None
        if key not in self._flows:
            paths = [p.with_name(PAIR_TOTALS) for p in self.parquet_files(source)]
            if all(p.exists() for p in paths):
                name = f"totals_g{self.catalog.generation}_{len(self._flows)}"
                self._flows[key] = self.connection().read_parquet(
                    [str(p) for p in paths], table_name=name, hive_partitioning=False
                )
            else:  # written before totals existed: the same table, computed on the fly
                t = self.flows(source)
                keys = ["source", "year", "month", "exporter", "importer", "declared_by", "re_flow"]
                self._flows[key] = t.group_by(keys).aggregate(
                    value_usd=t.value_usd.sum(), products=t.count()
                )
        return self._flows[key]

    def product_totals(self, source: str) -> ibis.Table | None:
        """An Ibis table of each economy's exports and imports per product and year, or None
        when a current year file was written before these totals existed.

        Columns: year, side ('exports'|'imports'), economy, product, value_usd (USD; re-exports,
        totals-only rows and unknown values left out). Written at ingest beside each year file.
        """
        key = f"product-totals:{source}"
        self.flows(source)  # validates the source and initialises the cache
        assert self._flows is not None
        if key not in self._flows:
            paths = [p.with_name(PRODUCT_TOTALS) for p in self.parquet_files(source)]
            if not all(p.exists() for p in paths):
                return None
            name = f"product_totals_g{self.catalog.generation}_{len(self._flows)}"
            self._flows[key] = self.connection().read_parquet(
                [str(p) for p in paths], table_name=name, hive_partitioning=False
            )
        return self._flows[key]

    def flows(self, source: str | None = None) -> ibis.Table:
        """An Ibis table over the current canonical flows (of one source, or of all).

        >>> store.flows().filter(_.exporter == "BLR").value_usd.sum().execute()  # doctest: +SKIP
        """
        key = source or "*"
        if self._flows is None:
            self._flows = {}
        if key not in self._flows:
            if source is not None and source not in self.catalog.sources:
                known = ", ".join(sorted(self.catalog.sources)) or "none"
                raise StoreError(f"no source {source!r} in the store", expected=f"one of: {known}")
            files = self.parquet_files(source)
            if not files:
                raise StoreError(
                    f"the store at {self.home} holds no data",
                    hint="run `silkroad demo` or `silkroad ingest baci PATH` first",
                )
            self._refuse_missing(files)
            con = self.connection()
            name = f"flows_g{self.catalog.generation}_{len(self._flows)}"
            self._flows[key] = con.read_parquet(
                [str(f) for f in files], table_name=name, hive_partitioning=False
            )
        return self._flows[key]

    def _refuse_missing(self, files: list[Path]) -> None:
        """StoreError naming the first data file the catalog lists but the disk lacks."""
        for path in files:
            if not path.is_file():
                raise StoreError(
                    "a data file the catalog lists is missing (deleted or moved?)",
                    path=path,
                    hint="run `silkroad check`, then ingest that source again",
                )

    def check(self) -> StoreCheck:
        """Verify every file the catalog lists (present, checksum, Parquet footer) and list
        stray entries under ``data/``; nothing is changed. See :mod:`silkroad.store.check`."""
        from silkroad.store.check import check_store

        return check_store(self)

    def rejected(self, source: str, *, limit: int | None = None) -> pd.DataFrame:
        """Quarantined rows of ``source``'s current data, with file, year, line and reason."""
        if source not in self.catalog.sources:
            known = ", ".join(sorted(self.catalog.sources)) or "none"
            raise StoreError(
                f"no source {source!r} in the store at {self.home}",
                expected=f"one of: {known}",
            )
        parts = [self._rejected_part(r) for r in self.catalog.current_ingests(source)]
        return self.engine.rejected_rows(parts, limit)

    # --- writing -------------------------------------------------------------------------
    @contextmanager
    def writer(self) -> Iterator[WriteTransaction]:
        """Hold the writer lock, give a staging transaction, clean up if it is not committed."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                "cannot create the store directory",
                path=self.home,
                found=exc.strerror,
                expected="a writable directory (--home or SILKROAD_HOME)",
            ) from exc
        if not os.access(self.home, os.W_OK):
            raise StoreError(
                "the store directory is not writable",
                path=self.home,
                expected="a writable directory (--home or SILKROAD_HOME)",
            )
        lock = filelock.FileLock(str(self.home / "lock"))
        try:
            lock.acquire(timeout=settings.lock_timeout())
        except filelock.Timeout as exc:
            raise StoreError(
                f"another silkroad process is writing to {self.home}",
                hint="wait for it to finish, or raise SILKROAD_LOCK_TIMEOUT",
            ) from exc
        try:
            self._collect_garbage()
            txn = WriteTransaction(self)
            try:
                yield txn
            finally:
                if not txn.committed:
                    txn.abort()
            self._collect_garbage()
        finally:
            lock.release()

    def _collect_garbage(self) -> None:
        """Remove abandoned staging dirs, and data dirs the catalog lists as collectable.

        Only what the catalog recorded is ever deleted: a directory it retired more than
        ``SILKROAD_GC_GRACE`` seconds ago (default one hour: a reader that opened its snapshot
        before the commit keeps working), or one it recorded as being published by a commit
        that did not finish. Anything else under ``data/`` (a stray ``.DS_Store``, a user's
        directory, a symlink) is left alone; ``Store.check()`` lists it.
        """
        tmp = self.home / "tmp"
        if tmp.is_dir() and not tmp.is_symlink():
            for entry in tmp.iterdir():
                if INGEST_ID.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
        path = self.home / CATALOG
        if not path.exists():
            return
        catalog = Catalog.load(path)
        keep = catalog.referenced_dirs()
        grace = settings.gc_grace()
        expired = [d for d, t in catalog.retired.items() if d in keep or _age(t) > grace]
        abandoned = list(catalog.staging)
        if not expired and not abandoned:
            return
        for rel in expired + abandoned:
            if rel not in keep:
                _remove_data_dir(self.home, rel)
            catalog.retired.pop(rel, None)
            catalog.staging.pop(rel, None)
        catalog.save(path)


def open_store(home: str | os.PathLike[str] | None = None) -> Store:
    """Open the store at ``home`` (else ``$SILKROAD_HOME``, else the user data directory).

    >>> store = open_store("/tmp/silkroad-doc")  # doctest: +SKIP
    >>> store.sources()  # doctest: +SKIP
    []
    """
    return Store(home)


def _age(iso_time: str) -> float:
    """Seconds since an ISO 8601 time (infinite if unreadable, so it is collected)."""
    try:
        then = dt.datetime.fromisoformat(iso_time)
    except ValueError:
        return float("inf")
    return (dt.datetime.now(dt.UTC) - then).total_seconds()


def _span(years: list[int]) -> str:
    ys = sorted(years)
    return f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0]) if ys else "no year"


def _sealed(path: Path) -> tuple[int, int, str]:
    """(size, mtime in ns, sha256) of ``path`` once it is durable (see ``seal_year``)."""
    sha = _fsync_file(path)
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, sha


def _fsync_file(path: Path) -> str:
    """Make ``path`` durable; returns its sha256 (hex), read in the same pass."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
        os.fsync(fh.fileno())
    return digest.hexdigest()


#: An ingest id, also the name of its staging and data directories: 20240101T120000-1a2b3c4d.
INGEST_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{8}")


def _remove_data_dir(home: Path, rel: str) -> None:
    """Delete ``home/rel`` if it is a data directory silkroad made (data/<source>/<id>), not
    a symlink; anything else is left alone."""
    parts = Path(rel).parts
    if len(parts) != 3 or parts[0] != "data" or not INGEST_ID.fullmatch(parts[2]):
        return
    path = home / rel
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
