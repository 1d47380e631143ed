"""The one exception family of silkroad.

    SilkroadError                 root; exit_code 1 unless a subclass says otherwise
    ├── InputError                a user's file or argument is wrong (exit 2)
    │   └── FormatError           a file is not in the expected format (exit 2)
    ├── ReferenceDataError        unknown country / bloc / product code (exit 2)
    ├── StoreError                the store is missing, locked or inconsistent (exit 2)
    ├── AnalysisError             an analysis cannot be computed as asked (exit 2)
    └── DownloadError             a download failed after its retries (exit 2)

Each carries optional context (path, line, field, found, expected) and renders it as one line:
``data.csv, line 12, field 'v': found 'abc', expected a number``.
"""

from __future__ import annotations

from pathlib import Path


class SilkroadError(Exception):
    """Root of silkroad's errors; ``str(e)`` is a one-line message for people."""

    exit_code = 1
    http_status = 500

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        found: object = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.found = found
        self.expected = expected
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """One line: where, what was found, what was expected, and a hint."""
        where = []
        if self.path:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        text = ", ".join(where)
        text = f"{text}: {self.message}" if text else self.message
        if self.found is not None:
            text += f"; found {self.found!r}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(SilkroadError):
    """A user's file or argument cannot be used."""

    exit_code = 2
    http_status = 422


class FormatError(InputError):
    """A file is not in the format its reader expects (header, archive members, truncation)."""


class ReferenceDataError(SilkroadError):
    """A code or name that the reference data does not know (country, bloc, product)."""

    exit_code = 2
    http_status = 404


class StoreError(SilkroadError):
    """The store cannot do what was asked (missing data, lock timeout, damaged catalog)."""

    exit_code = 2
    http_status = 409


class AnalysisError(SilkroadError):
    """An analysis cannot be computed with the arguments or data given."""

    exit_code = 2
    http_status = 422


class DownloadError(SilkroadError):
    """A download failed after its retries (network, server or refused request)."""

    exit_code = 2
    http_status = 502
