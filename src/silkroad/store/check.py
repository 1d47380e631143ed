"""``Store.check()``: verify every file the catalog lists, and list what it does not.

For every ingest that supplies current data: each year file, its pair totals and the quarantine
file must exist, be regular files, match the sha256 recorded at commit (catalogs written before
checksums were recorded: the Parquet footer must still be readable). Entries under ``data/`` that the catalog neither uses nor retired
are listed as stray; they are never deleted. Nothing in the store is changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from silkroad.store.engine import PAIR_TOTALS, PRODUCT_TOTALS

if TYPE_CHECKING:
    from silkroad.store.catalog import IngestRecord
    from silkroad.store.store import Store


@dataclass(frozen=True)
class CheckProblem:
    """One thing wrong with the store: the file (relative to the home) and what is wrong."""

    path: str
    problem: str  # 'missing', 'not_a_file', 'checksum', 'unreadable', 'stray'
    detail: str  # one line for people

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem, "detail": self.detail}


@dataclass
class StoreCheck:
    """What ``Store.check()`` found: files verified and problems (empty when all is well)."""

    home: str
    files_checked: int = 0
    problems: list[CheckProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every listed file is intact (stray entries alone do not count)."""
        return not [p for p in self.problems if p.problem != "stray"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "home": self.home,
            "ok": self.ok,
            "files_checked": self.files_checked,
            "problems": [p.to_dict() for p in self.problems],
        }

    def summary(self) -> str:
        """One line: 'OK: 12 files verified' or the number of problems and the first one."""
        bad = [p for p in self.problems if p.problem != "stray"]
        stray = len(self.problems) - len(bad)
        note = f"; {stray} stray entr{'y' if stray == 1 else 'ies'} under data/" if stray else ""
        if not bad:
            return f"OK: {self.files_checked} files verified{note}"
        first = bad[0]
        return (
            f"{len(bad)} problem{'s' if len(bad) != 1 else ''} in {self.files_checked} files, "
            f"first {first.path}: {first.detail}{note}"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _expected_files(record: IngestRecord, years: list[int]) -> list[str]:
    """Relative paths of the files ``record`` supplies for ``years`` (and its quarantine)."""
    out = []
    for y in years:
        rel = record.files[str(y)]
        out.append(rel)
        for name in (PAIR_TOTALS, PRODUCT_TOTALS):
            totals = (Path(rel).parent / name).as_posix()
            if totals in record.checksums:
                out.append(totals)
    return [*out, record.rejected_file]


def check_store(store: Store) -> StoreCheck:
    """Verify the store at ``store.home`` (see the module docstring)."""
    import pyarrow.parquet as pq

    store.refresh()
    catalog = store.catalog
    home = store.home
    result = StoreCheck(home=str(home))
    listed: set[str] = set()
    for name in sorted(catalog.sources):
        state = catalog.sources[name]
        for record in catalog.current_ingests(name):
            years = sorted(int(y) for y, i in state.years.items() if i == record.id)
            listed.add(record.dir)
            for rel in _expected_files(record, years):
                result.files_checked += 1
                problem = _check_file(home / rel, record.checksums.get(rel), pq)
                if problem is not None:
                    result.problems.append(CheckProblem(rel, *problem))
    keep = listed | set(catalog.retired) | set(catalog.staging)
    data = home / "data"
    if data.is_dir():
        for source_dir in sorted(data.iterdir()):
            entries = sorted(source_dir.iterdir()) if source_dir.is_dir() else [source_dir]
            for entry in entries:
                rel = entry.relative_to(home).as_posix()
                if rel not in keep:
                    what = "a file" if entry.is_file() else "a directory"
                    result.problems.append(
                        CheckProblem(rel, "stray", f"{what} the catalog does not list (left alone)")
                    )
    return result


def _check_file(path: Path, sha: str | None, pq: Any) -> tuple[str, str] | None:
    """(problem, detail) for one listed file, or None when it is intact."""
    if not path.exists():
        return "missing", "listed by the catalog but not on disk (deleted or moved?)"
    if not path.is_file():
        return "not_a_file", "expected a Parquet file"
    if sha is not None and _sha256(path) != sha:
        return "checksum", "its sha256 differs from the one recorded at ingest (changed or damaged)"
    try:
        pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises several types for a damaged footer
        return "unreadable", f"not a readable Parquet file ({' '.join(str(exc).split())[:80]})"
    return None


__all__ = ["CheckProblem", "StoreCheck", "check_store"]
