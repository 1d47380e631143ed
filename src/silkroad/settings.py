"""Settings in one place: name, default, environment variable and help.

Resolution order for every setting: explicit argument (CLI option) > environment variable
(``SILKROAD_*``) > default. ``docs/settings.md`` documents each; a test checks it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from silkroad.errors import InputError


@dataclass(frozen=True)
class Setting:
    """One user-facing setting."""

    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home",
        "SILKROAD_HOME",
        "platformdirs user data dir for 'silkroad'",
        "Directory of the store (data, catalog, quarantine, lock).",
    ),
    Setting(
        "lock_timeout",
        "SILKROAD_LOCK_TIMEOUT",
        "600",
        "Seconds a writer waits for another writer's lock before giving up.",
    ),
    Setting(
        "gc_grace",
        "SILKROAD_GC_GRACE",
        "3600",
        "Seconds that data replaced by an ingest is kept for readers of an older snapshot.",
    ),
    Setting(
        "baci_url",
        "SILKROAD_BACI_URL",
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data",
        "Where `silkroad download baci` fetches release archives from.",
    ),
    Setting(
        "comtrade_url",
        "SILKROAD_COMTRADE_URL",
        "https://comtradeapi.un.org/data/v1/get",
        "Base of the UN Comtrade final-data API used by `silkroad download comtrade`.",
    ),
    Setting(
        "comtrade_max_records",
        "SILKROAD_COMTRADE_MAX_RECORDS",
        "100000",
        "Rows per Comtrade call (the subscription's cap); an answer this long is split and "
        "asked again.",
    ),
    Setting(
        "memory_limit",
        "SILKROAD_MEMORY_LIMIT",
        "1GB",
        "DuckDB memory limit during ingest; larger sorts spill to the store's tmp directory.",
    ),
)


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The store directory: ``home`` if given, else ``$SILKROAD_HOME``, else the user data dir."""
    if home is not None and str(home) != "":
        return Path(home).expanduser().resolve()
    env = os.environ.get("SILKROAD_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("silkroad", appauthor=False))


def comtrade_max_records() -> int:
    """Rows per Comtrade call (``SILKROAD_COMTRADE_MAX_RECORDS``, default 100000)."""
    text = os.environ.get("SILKROAD_COMTRADE_MAX_RECORDS", "100000").strip()
    if not text.isdigit() or int(text) < 1:
        raise InputError(
            "bad record cap", field="SILKROAD_COMTRADE_MAX_RECORDS", found=text,
            expected="a positive whole number, e.g. 100000",
        )  # fmt: skip
    return int(text)


def lock_timeout() -> float:
    """Seconds to wait for the writer lock (``SILKROAD_LOCK_TIMEOUT``, default 600)."""
    return float(os.environ.get("SILKROAD_LOCK_TIMEOUT", "600"))


def memory_limit() -> str:
    """DuckDB memory limit for ingest work (``SILKROAD_MEMORY_LIMIT``, default 1GB)."""
    return os.environ.get("SILKROAD_MEMORY_LIMIT", "1GB")


def gc_grace() -> float:
    """Seconds replaced data stays on disk for older snapshots (``SILKROAD_GC_GRACE``, 3600)."""
    return float(os.environ.get("SILKROAD_GC_GRACE", "3600"))
