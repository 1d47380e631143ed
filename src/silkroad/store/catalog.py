"""The catalog: which files hold each source's current data, and the history of ingests.

It is one JSON file, ``catalog.json`` in the store home, replaced atomically (write a temporary
file, fsync, ``os.replace``). Readers load it once per snapshot and never take the writer lock.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from silkroad.errors import StoreError

CATALOG_FORMAT = 1


@dataclass
class IngestRecord:
    """One ingest: what was read, what was loaded and rejected, and when."""

    id: str
    source: str  # dataset id, e.g. 'baci-hs92'
    kind: str  # its SourceKind's name (silkroad.kinds): 'baci', 'comtrade', 'table'
    source_version: str  # release version, e.g. '202401b'
    classification: str  # 'HS92', ...
    synthetic: bool  # True when the input is silkroad's generated demo world
    input_path: str
    input_sha256: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    years: list[int]
    started_at: str  # ISO 8601 UTC
    finished_at: str
    dir: str  # relative to the store home
    files: dict[str, str] = field(default_factory=dict)  # year -> relative parquet path
    rejected_file: str = ""  # relative path of the quarantine parquet
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    #: year -> [rows read, rows loaded, rows rejected] (empty in catalogs before 0.2)
    by_year: dict[str, list[int]] = field(default_factory=dict)
    #: relative path -> sha256 of every Parquet file the ingest wrote (``Store.check()``)
    checksums: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IngestRecord:
        return cls(**_with_kind(data))


@dataclass
class SourceState:
    """What the store currently holds for one source: per year, the ingest that supplies it."""

    source: str
    kind: str
    source_version: str
    classification: str
    synthetic: bool
    years: dict[str, str] = field(default_factory=dict)  # year -> ingest id

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceState:
        return cls(**_with_kind(data))


@dataclass
class Catalog:
    """A snapshot of the store's catalog."""

    generation: int = 0
    sources: dict[str, SourceState] = field(default_factory=dict)
    ingests: dict[str, IngestRecord] = field(default_factory=dict)
    #: data directories replaced by a commit -> when (ISO 8601 UTC); kept for a grace period so
    #: that readers holding an older snapshot still find their files
    retired: dict[str, str] = field(default_factory=dict)
    #: data directories a commit is publishing -> since when (a commit killed before its
    #: catalog was saved leaves one, which the next writer collects)
    staging: dict[str, str] = field(default_factory=dict)

    # --- reading -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> Catalog:
        """Read ``catalog.json``; a missing file is an empty catalog."""
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, not UTF-8
            raise StoreError(
                "the store catalog cannot be read",
                path=path,
                found=str(exc),
                expected="a JSON catalog written by silkroad",
            ) from exc
        if not isinstance(data, dict) or data.get("format") != CATALOG_FORMAT:
            raise StoreError(
                "unsupported catalog format",
                path=path,
                found=data.get("format") if isinstance(data, dict) else type(data).__name__,
                expected=f"format {CATALOG_FORMAT}",
            )
        try:
            catalog = cls(
                generation=int(data["generation"]),
                sources={k: SourceState.from_dict(v) for k, v in data["sources"].items()},
                ingests={k: IngestRecord.from_dict(v) for k, v in data["ingests"].items()},
                retired=dict(data.get("retired", {})),
                staging=dict(data.get("staging", {})),
            )
            catalog._check_references()
            return catalog
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StoreError(
                "the store catalog is damaged",
                path=path,
                found=f"{type(exc).__name__}: {exc}",
                expected="a catalog written by silkroad (restore it from a backup or re-ingest)",
            ) from exc

    def _check_references(self) -> None:
        """KeyError unless every current year names an ingest that lists its file."""
        for name, state in self.sources.items():
            for year, ingest_id in state.years.items():
                record = self.ingests.get(ingest_id)
                if record is None:
                    raise KeyError(f"{name} {year}: no ingest {ingest_id}")
                if not isinstance(record.files.get(year), str):
                    raise KeyError(f"{name} {year}: ingest {ingest_id} lists no file for it")

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": CATALOG_FORMAT,
            "generation": self.generation,
            "sources": {k: asdict(v) for k, v in sorted(self.sources.items())},
            "ingests": {k: asdict(v) for k, v in self.ingests.items()},
            "retired": dict(sorted(self.retired.items())),
        }
        if self.staging:
            data["staging"] = dict(sorted(self.staging.items()))
        return json.dumps(data, indent=2, ensure_ascii=False)

    def save(self, path: Path) -> None:
        """Write atomically: a reader sees the old catalog or the new one, never a mix."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    # --- queries -------------------------------------------------------------------------
    def current_files(self, source: str | None = None) -> list[tuple[str, int, str]]:
        """(source, year, relative parquet path) for the data that is current."""
        out = []
        for name, state in sorted(self.sources.items()):
            if source is not None and name != source:
                continue
            for year, ingest_id in sorted(state.years.items()):
                out.append((name, int(year), self.ingests[ingest_id].files[year]))
        return out

    def current_ingests(self, source: str) -> list[IngestRecord]:
        """Ingests that supply at least one current year of ``source``, oldest first."""
        state = self.sources.get(source)
        if state is None:
            return []
        ids = dict.fromkeys(state.years.values())
        return sorted((self.ingests[i] for i in ids), key=lambda r: r.started_at)

    def current_input(self, source: str, sha256: str) -> IngestRecord | None:
        """The ingest of ``source`` whose input had this sha256, if all its years are current
        (re-ingesting that input would change nothing)."""
        state = self.sources.get(source)
        if state is None:
            return None
        for record in self.current_ingests(source):
            current = all(state.years.get(str(y)) == record.id for y in record.years)
            if record.input_sha256 == sha256 and current:
                return record
        return None

    def referenced_dirs(self) -> set[str]:
        """Relative directories of every ingest that still supplies current data."""
        return {
            self.ingests[i].dir for state in self.sources.values() for i in state.years.values()
        }


def _with_kind(data: dict[str, Any]) -> dict[str, Any]:
    """An entry whose kind is the name of its SourceKind (catalogs that recorded no kind, or
    another spelling, get the kind its source id follows)."""
    from silkroad.kinds import KINDS, kind_of

    if data.get("kind") in KINDS:
        return data
    return {**data, "kind": kind_of(str(data.get("source", ""))).name}


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (best effort on platforms without directory fsync)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
