"""Settings in one place: name, default, environment variable and help.

Resolution order for every setting: explicit argument (CLI option) > environment variable
(``SILKROAD_*``) > default. ``docs/settings.md`` documents each; a test checks it.
"""

from __future__ import annotations

import os
import re
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
        "Memory for one year of an ingest: DuckDB's limit (larger sorts spill to the store's "
        "tmp directory); a BACI year is read in memory by the Arrow pass only when it fits "
        "(about 2.2 times the year file's size).",
    ),
    Setting(
        "ingest_workers",
        "SILKROAD_INGEST_WORKERS",
        "0",
        "Years of a multi-year archive ingested at once; 0 picks one per two cores. Each "
        "year gets SILKROAD_MEMORY_LIMIT.",
    ),
    # --- query engine (issue 13) ---
    Setting(
        "engine",
        "SILKROAD_ENGINE",
        "duckdb",
        "Query engine of the analyses: duckdb (embedded) or spark (silkroad[spark], Java 17).",
    ),
    Setting(
        "spark_master",
        "SILKROAD_SPARK_MASTER",
        "local[2]",
        "Spark master URL for SILKROAD_ENGINE=spark, e.g. local[2] or spark://host:7077.",
    ),
    Setting(
        "ru_names",
        "SILKROAD_RU_NAMES",
        "",
        "A CSV of the official Russian nomenclature (TN VED EAEU: code, name) whose names "
        "override silkroad's Russian product names in every output.",
    ),
    Setting(
        "token",
        "SILKROAD_TOKEN",
        "",
        "Bearer token that turns on the write endpoints of `silkroad serve` (never logged).",
    ),
    Setting(
        "spark_conf",
        "SILKROAD_SPARK_CONF",
        "",
        "Spark configuration overrides, key=value pairs separated by commas.",
    ),
)


_BY_NAME = {s.name: s for s in SETTINGS}


def raw(name: str) -> str:
    """The text of setting ``name``: its environment variable if set and non-empty, else the
    table's default (the only place a default is written)."""
    setting = _BY_NAME[name]
    value = os.environ.get(setting.env, "").strip()
    return value if value else setting.default


def _number(name: str, *, whole: bool = False, minimum: float = 0.0) -> float:
    """Setting ``name`` as a number >= ``minimum`` (a whole number if ``whole``); else a
    one-line InputError naming the variable."""
    setting = _BY_NAME[name]
    text = raw(name)
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = None
    if value is None or value != value or value < minimum:
        kind = "whole number" if whole else "number"
        raise InputError(
            f"bad value for {setting.env}",
            field=setting.env,
            found=text,
            expected=f"a {kind} of at least {minimum:g}, e.g. {setting.default}",
        )
    return value


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The store directory: ``home`` if given, else ``$SILKROAD_HOME``, else the user data dir."""
    if home is not None and str(home) != "":
        return Path(home).expanduser().resolve()
    env = os.environ.get(_BY_NAME["home"].env)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("silkroad", appauthor=False))


def comtrade_max_records() -> int:
    """Rows per Comtrade call (``SILKROAD_COMTRADE_MAX_RECORDS``)."""
    return int(_number("comtrade_max_records", whole=True, minimum=1))


def lock_timeout() -> float:
    """Seconds to wait for the writer lock (``SILKROAD_LOCK_TIMEOUT``)."""
    return _number("lock_timeout")


def memory_limit() -> str:
    """DuckDB memory limit for ingest work (``SILKROAD_MEMORY_LIMIT``), e.g. '1GB' (checked:
    a value that is not a size gets a one-line InputError, see :func:`memory_limit_bytes`)."""
    memory_limit_bytes()
    return raw("memory_limit").strip()


#: Units of a memory size, as DuckDB reads them: KB, MB, GB, TB are powers of 1000.
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}


def memory_limit_bytes() -> int:
    """``SILKROAD_MEMORY_LIMIT`` in bytes ('1GB' is 10**9, '1GiB' 2**30, '50%' half of this
    machine's memory; a unit is needed, as DuckDB needs one); a one-line InputError naming the
    variable for anything else."""
    setting = _BY_NAME["memory_limit"]
    text = raw("memory_limit").strip()
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*|%)", text)
    unit = match.group(2).lower() if match else None
    if match is None or (unit != "%" and unit not in _SIZE_UNITS) or float(match.group(1)) <= 0:
        raise InputError(
            f"bad value for {setting.env}",
            field=setting.env,
            found=text,
            expected="a memory size such as 1GB, 800MB or 2GiB (or a share such as 50%)",
        )
    amount = float(match.group(1))
    if unit == "%":
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return int(total * amount / 100)
    return int(amount * _SIZE_UNITS[unit])


def ingest_workers() -> int:
    """Years of one archive staged at once (``SILKROAD_INGEST_WORKERS``); 0 means one per two
    cores (each year's DuckDB then has two threads), at least one."""
    chosen = int(_number("ingest_workers", whole=True, minimum=0))
    return chosen if chosen else max(1, (os.cpu_count() or 1) // 2)


def gc_grace() -> float:
    """Seconds replaced data stays on disk for older snapshots (``SILKROAD_GC_GRACE``)."""
    return _number("gc_grace")


def baci_url() -> str:
    """Base URL of BACI release archives (``SILKROAD_BACI_URL``), without a trailing slash."""
    return raw("baci_url").rstrip("/")


def comtrade_url() -> str:
    """Base URL of the Comtrade final-data API (``SILKROAD_COMTRADE_URL``), no trailing slash."""
    return raw("comtrade_url").rstrip("/")


#: The query engines SILKROAD_ENGINE accepts.
ENGINES = ("duckdb", "spark")


def engine(name: str | None = None) -> str:
    """The query engine: ``name`` if given (a CLI option), else ``$SILKROAD_ENGINE``, else
    duckdb; a one-line InputError naming the allowed engines for anything else."""
    text = (name if name is not None else raw("engine")).strip().lower()
    if text not in ENGINES:
        raise InputError(
            "unknown query engine",
            field=_BY_NAME["engine"].env,
            found=name if name is not None else raw("engine"),
            expected="one of: " + ", ".join(ENGINES),
        )
    return text


def spark_master() -> str:
    """Spark master URL (``SILKROAD_SPARK_MASTER``), e.g. 'local[2]'."""
    return raw("spark_master")


def spark_conf() -> str:
    """Spark configuration overrides as written (``SILKROAD_SPARK_CONF``): 'k=v,k=v'."""
    return raw("spark_conf")
