"""Ingest: read a source's files into the store, atomically, counting every row.

``rows_read = rows_loaded + rows_rejected`` holds for every ingest; rejected rows are kept in
the source's quarantine (``silkroad rejected SOURCE``) with their line and reason.

One generic ingest drives every reader through the contract of :mod:`silkroad.sources.base`
(inspect, digest, stage); the policy that differs between sources comes from the reader's
:class:`~silkroad.sources.base.SourceKind`.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from silkroad.errors import InputError, StoreError
from silkroad.sources import baci, comtrade, table
from silkroad.sources.base import Progress, Reader, StageReport
from silkroad.store.catalog import Catalog, IngestRecord
from silkroad.store.store import IngestResult, Store, check_counts, utcnow

#: Source name (``silkroad ingest SOURCE PATH``) -> its reader.
READERS: dict[str, Reader] = {
    "baci": baci.READER,
    "comtrade": comtrade.READER,
    "table": table.READER,
}

#: Source names accepted by ``silkroad ingest SOURCE PATH``.
SOURCE_KINDS = tuple(READERS)

#: Reader option -> the CLI flag that sets it.
_FLAGS = {"reporter": "--reporter", "mapping": "--mapping"}


def ingest(
    store: Store,
    kind: str,
    path: str | Path,
    *,
    progress: Progress | None = None,
    force: bool = False,
    reporter: str | None = None,
    mapping: str | Path | dict | Any | None = None,
) -> IngestResult:
    """Load ``path`` (a file or directory of source ``kind``) into ``store``.

    Re-ingesting an identical input is a no-op that says so; a newer release of the same
    source replaces the older one in one step; an older one needs ``force=True``.
    ``reporter`` (ISO3) selects one reporter's rows of a Comtrade file (docs/comtrade.md);
    ``mapping`` (a YAML file) says how to read a national statistics table (docs/tables.md).
    """
    reader = READERS.get(kind)
    if reader is None:
        raise InputError(
            f"unknown source {kind!r}",
            field="SOURCE",
            expected="one of: " + ", ".join(SOURCE_KINDS),
        )
    options = {"reporter": reporter, "mapping": mapping}
    for name, value in options.items():
        if value is not None and name not in reader.options:
            owner = next(k for k, r in READERS.items() if name in r.options)
            raise InputError(
                f"{_FLAGS[name]} applies to {owner} only", field=_FLAGS[name], found=kind
            )
    started, started_at = time.perf_counter(), utcnow()
    inp = reader.inspect(Path(path), **{k: v for k, v in options.items() if k in reader.options})
    with ThreadPoolExecutor(max_workers=1) as pool, store.writer() as txn:
        store.refresh()
        catalog = store.catalog
        if _seen_path(catalog, inp.source, path):  # a re-ingest? hash first: a no-op stays cheap
            sha = reader.digest(inp)
            done = catalog.current_input(inp.source, sha)
            if done is not None:
                return IngestResult.unchanged(done, path, time.perf_counter() - started)
            report = reader.stage(inp, txn, progress)
        else:  # a new input: hash it in a thread (hashlib releases the GIL) while staging
            if not getattr(reader, "signals_idle", False):
                txn.idle.set()  # no quieter moment will be signalled: hash from the start
            digesting = pool.submit(_digest_when_idle, reader, inp, txn.idle)
            try:
                report = reader.stage(inp, txn, progress)
            finally:
                txn.idle.set()
            sha = digesting.result()
            done = catalog.current_input(inp.source, sha)
            if done is not None:  # the same bytes under another name: nothing to commit
                return IngestResult.unchanged(done, path, time.perf_counter() - started)
        check_counts(path, report.rows_read, report.rows_loaded, report.rows_rejected)
        state = catalog.sources.get(inp.source)
        _refuse_empty_years(reader, path, report, set(state.years) if state else set(), force)
        record = IngestRecord(
            id=txn.id,
            source=inp.source,
            kind=reader.kind.name,
            source_version=inp.version,
            classification=reader.classification(inp, report),
            synthetic=inp.synthetic,
            input_path=str(Path(path).expanduser().resolve()),
            input_sha256=sha,
            rows_read=report.rows_read,
            rows_loaded=report.rows_loaded,
            rows_rejected=report.rows_rejected,
            years=report.years,
            started_at=started_at,
            finished_at=utcnow(),
            dir="",
            rejected_by_reason=report.rejected_by_reason,
            by_year={str(y): list(counts) for y, counts in sorted(report.by_year.items())},
        )
        replaced = txn.commit(record, force=force, partial=inp.partial)
    message = reader.message(inp, report)
    if replaced:
        message += f"; replaced release V{replaced}"
    return IngestResult(
        source=inp.source,
        input_path=str(path),
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        seconds=time.perf_counter() - started,
        message=message,
        record=record,
        replaced_version=replaced,
        rejected_by_reason=report.rejected_by_reason,
    )


def _digest_when_idle(reader: Reader, inp: Any, idle: threading.Event) -> str:
    """The input's digest, computed once staging signals idle cores (``txn.idle``): on a
    machine with few cores, hashing beside a parse that uses them all only slows both."""
    idle.wait()
    return reader.digest(inp)


def _seen_path(catalog: Catalog, source: str, path: str | Path) -> bool:
    """True if a current ingest of ``source`` read ``path`` (then the input is hashed before
    staging, so that re-ingesting an unchanged file does no other work)."""
    resolved = str(Path(path).expanduser().resolve())
    return any(r.input_path == resolved for r in catalog.current_ingests(source))


def _refuse_empty_years(
    reader: Reader, path: str | Path, report: StageReport, held: set[str], force: bool
) -> None:
    """An ingest must not replace a year the store holds with no rows: a year file with a
    header only, or whose every row was rejected (then trade would show as 0)."""
    empty = [y for y, (_, loaded, _) in sorted(report.by_year.items()) if not loaded]
    empty = [y for y in empty if str(y) in held]
    if not empty or force:
        return
    unit = reader.unit
    years = ", ".join(map(str, empty))
    if any(report.by_year[y][0] for y in empty):
        top = max(report.rejected_by_reason.items(), key=lambda kv: kv[1], default=("", 0))
        often = f" (most often: {top[0]}, {top[1]:,} {unit}{'s' if top[1] != 1 else ''})"
        what = f"every {unit} of {years} was rejected{often if top[1] else ''}"
    else:
        what = f"no {unit} of {years} was loaded (the input holds none)"
    raise StoreError(
        f"{what}, and the store holds that year; nothing was committed",
        path=path,
        expected=f"a file with loadable {unit}s (is the year in the file name right?)",
        hint="pass --force to replace it with an empty year, its rows in quarantine",
    )
