"""Ingest: read a source's files into the store, atomically, counting every row.

``rows_read = rows_loaded + rows_rejected`` holds for every ingest; rejected rows are kept in
the source's quarantine (``silkroad rejected SOURCE``) with their line and reason.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from silkroad.errors import InputError, StoreError
from silkroad.sources import baci, comtrade, table
from silkroad.store.catalog import IngestRecord
from silkroad.store.store import IngestResult, Store, check_counts, utcnow

#: Source names accepted by ``silkroad ingest SOURCE PATH``.
SOURCE_KINDS = ("baci", "comtrade", "table")

Progress = Callable[[str, int, int], None]


def ingest(
    store: Store,
    kind: str,
    path: str | Path,
    *,
    progress: Progress | None = None,
    force: bool = False,
    reporter: str | None = None,
    mapping: str | Path | dict | None = None,
) -> IngestResult:
    """Load ``path`` (a file or directory of source ``kind``) into ``store``.

    Re-ingesting an identical input is a no-op that says so; a newer release of the same
    source replaces the older one in one step; an older one needs ``force=True``.
    ``reporter`` (ISO3) selects one reporter's rows of a Comtrade file (docs/comtrade.md);
    ``mapping`` (a YAML file) says how to read a national statistics table (docs/tables.md).
    """
    if kind not in SOURCE_KINDS:
        raise InputError(
            f"unknown source {kind!r}",
            field="SOURCE",
            expected="one of: " + ", ".join(SOURCE_KINDS),
        )
    if reporter is not None and kind != "comtrade":
        raise InputError("--reporter applies to comtrade only", field="--reporter", found=kind)
    if mapping is not None and kind != "table":
        raise InputError("--mapping applies to table only", field="--mapping", found=kind)
    if kind == "table":
        return _ingest_table(store, path, mapping, force=force)
    if kind == "comtrade":
        return _ingest_comtrade(store, path, reporter=reporter, force=force)
    started = time.perf_counter()
    started_at = utcnow()
    release = baci.inspect_release(path)
    sha = release.sha256()
    with store.writer() as txn:
        store.refresh()
        catalog = store.catalog
        done = catalog.current_input(release.source_id, sha)
        if done is not None:
            return IngestResult.unchanged(done, path, time.perf_counter() - started)
        report = baci.stage_release(release, txn, progress)
        check_counts(path, report.rows_read, report.rows_loaded, report.rows_rejected)
        # A year in which every row was rejected must not replace a year the store holds.
        held = catalog.sources.get(release.source_id)
        held_years = set(held.years) if held else set()
        empty = [
            y
            for y, (read, loaded, _) in sorted(report.by_year.items())
            if read and not loaded and str(y) in held_years
        ]
        if empty and not force:
            top = max(report.rejected_by_reason.items(), key=lambda kv: kv[1], default=("", 0))
            raise StoreError(
                f"every row of {', '.join(map(str, empty))} was rejected "
                f"(most often: {top[0]}, {top[1]:,} rows), and the store holds that year; "
                "nothing was committed",
                path=path,
                expected="a file with loadable rows (is the year in the file name right?)",
                hint="pass --force to replace it with an empty year, its rows in quarantine",
            )
        record = IngestRecord(
            id=txn.id,
            source=release.source_id,
            kind=kind,
            source_version=release.version,
            classification=release.classification,
            synthetic=release.synthetic,
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
        )
        replaced = txn.commit(
            record,
            force=force,
            partial=release.path.is_file() and release.path.suffix.lower() == ".csv",
        )
    seconds = time.perf_counter() - started
    message = f"loaded {release.source_id} V{release.version}, years {_span(report.years)}"
    if replaced:
        message += f"; replaced release V{replaced}"
    return IngestResult(
        source=release.source_id,
        input_path=str(path),
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        seconds=seconds,
        message=message,
        record=record,
        replaced_version=replaced,
        rejected_by_reason=report.rejected_by_reason,
    )


def _ingest_comtrade(
    store: Store, path: str | Path, *, reporter: str | None, force: bool
) -> IngestResult:
    """One reporter of a UN Comtrade file into source ``comtrade-<iso3>`` (its years replaced)."""
    started = time.perf_counter()
    started_at = utcnow()
    inp = comtrade.inspect_input(path)
    iso = comtrade.choose_reporter(inp, reporter)
    source = comtrade.source_id(iso)
    sha = comtrade.input_digest(inp, iso)
    with store.writer() as txn:
        store.refresh()
        catalog = store.catalog
        state = catalog.sources.get(source)
        done = catalog.current_input(source, sha)
        if done is not None:
            return IngestResult.unchanged(done, path, time.perf_counter() - started)
        report = comtrade.stage(inp, iso, txn)
        check_counts(path, report.rows_read, report.rows_loaded, report.rows_rejected)
        if not report.years:
            raise InputError(
                f"nothing to load for reporter {iso}",
                path=path,
                found=", ".join(f"{k} {v}" for k, v in report.rejected_by_reason.items())
                or "no records",
                expected="records with a year, X/M/RX/RM flows and known codes",
            )
        held_years = set(state.years) if state else set()
        empty = [
            y
            for y, (_, loaded, _) in sorted(report.by_year.items())
            if not loaded and str(y) in held_years
        ]
        if empty and not force:
            raise StoreError(
                f"every row of {iso}'s {', '.join(map(str, empty))} was rejected, and the store "
                "holds that year; nothing was committed",
                path=path,
                hint="pass --force to replace it with an empty year, its rows in quarantine",
            )
        record = IngestRecord(
            id=txn.id,
            source=source,
            kind="comtrade",
            source_version=comtrade.SOURCE_VERSION,
            # 'TOTAL' rows (World totals) carry no HS edition: name the editions of the detail
            classification=",".join(
                [c for c in report.classifications if c != "TOTAL"] or report.classifications
            )
            or "none",
            synthetic=False,
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
        )
        txn.commit(record, force=force)
    return IngestResult(
        source=source,
        input_path=str(path),
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        seconds=time.perf_counter() - started,
        message=f"loaded {source} ({inp.variant}), reporter {iso}, years {_span(report.years)}"
        + _residual_note(report.residuals),
        record=record,
        rejected_by_reason=report.rejected_by_reason,
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _residual_note(n: int) -> str:
    if not n:
        return ""
    return (
        f"; {n} total{'s' if n != 1 else ''} larger than {'their' if n != 1 else 'its'} product "
        "detail kept as the part the detail does not cover (product 'TOTAL' or the parent code)"
    )


def _span(years: list[int]) -> str:
    if not years:
        return "none"
    ys = sorted(years)
    return f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0])


def _ingest_table(
    store: Store, path: str | Path, mapping: Any, *, force: bool = False
) -> IngestResult:
    """A national table through its YAML mapping into source ``table-<iso3>-<name>``."""
    if mapping is None:
        raise InputError(
            "a table needs a mapping", field="--mapping", expected="a YAML file (docs/tables.md)"
        )
    started, started_at = time.perf_counter(), utcnow()
    m = mapping if isinstance(mapping, table.Mapping) else table.load_mapping(mapping)
    grid = table.read_grid(path, m)
    source = m.source
    sha = hashlib.sha256(f"{grid.sha256}:{m.sha256}".encode()).hexdigest()
    with store.writer() as txn:
        store.refresh()
        catalog = store.catalog
        state = catalog.sources.get(source)
        done = catalog.current_input(source, sha)
        if done is not None:
            return IngestResult.unchanged(done, path, time.perf_counter() - started)
        report = table.stage(grid, m, txn)
        check_counts(path, report.rows_read, report.rows_loaded, report.rows_rejected)
        if not report.years:
            raise InputError(
                "nothing to load from the table",
                path=path,
                found=f"{report.cells_missing} missing cells, no values",
                expected="value cells under the mapped columns",
            )
        held = set(state.years) if state else set()
        loaded_years = {int(y) for y in report.loaded_years}
        empty = [y for y in report.years if str(y) in held and y not in loaded_years]
        if empty and not force:
            raise StoreError(
                f"every value of {', '.join(map(str, empty))} was rejected, and the store "
                "holds that year; "
                "nothing was committed",
                path=path,
                hint="pass --force to replace them with empty years",
            )
        hs = [c for c in report.classifications if c != "TOTAL"]
        record = IngestRecord(
            id=txn.id,
            source=source,
            kind=table.KIND,
            source_version=table.SOURCE_VERSION,
            classification=(hs[-1] if hs else "TOTAL"),
            synthetic=False,
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
        )
        txn.commit(record, force=force)
    span = (
        f"{report.years[0]}–{report.years[-1]}" if len(report.years) > 1 else str(report.years[0])
    )
    return IngestResult(
        source=source,
        input_path=str(path),
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        seconds=time.perf_counter() - started,
        message=f"loaded {source} (reporter {m.reporter}), years {span}; "
        f"{_count(report.cells_missing, 'cell')} missing (not loaded"
        + (
            f"; {_count(report.missing_flows, 'flow')} missing entirely, kept as unknown, not zero)"
            if report.missing_flows
            else ")"
        )
        + _residual_note(report.residuals),
        record=record,
        rejected_by_reason=report.rejected_by_reason,
    )
